// Package engine runs Kinesis Data Analytics SQL applications: it plans
// application code (package parser's AST) into a graph of incremental
// operators and pushes rows through it.
//
// # API
//
// Compile(code, Options) parses and plans the code against the inputs
// (SOURCE_SQL_STREAM_001, ...), reference tables and external functions
// the host declares; errors are *CompileError with a line and column.
// Program.Streams lists the inputs, the streams the code declares and
// error_stream. Program.Start makes an Instance (from a Snapshot, or
// fresh); Instance.Push feeds a row of an input, Instance.Advance tells the
// engine the time (windows that end by then close), Instance.Snapshot
// answers the whole state. Every row inserted into an in-application
// stream goes to the Emit callback during Push/Advance, in order; the row
// is only valid during the call. An Instance is not safe for concurrent
// use; a Program is.
//
// # Plan shape
//
// Every in-application stream (input, CREATE STREAM, error_stream) has
// subscribers: each FROM of each pump that reads it. A pump is planned into
// a chain of operators ending in an insert into its target stream; rows
// are pushed through the chain as [ROWTIME, values...] with buffers reused
// per operator (the projection path does not allocate). Operators:
//
//   - plain SELECT: WHERE, projection (expressions compiled once by eval);
//   - GROUP BY with a monotonic expression of ROWTIME: window.Groups
//     (tumbling windows);
//   - WINDOWED BY STAGGER: window.Stagger;
//   - agg(...) OVER w, LAG, NTH_VALUE: one window.Sliding per distinct
//     window; one output row per input row;
//   - JOIN: stream to stream through window.JoinBuffer on each side, stream
//     to reference table through a hash on the equi-join keys (a scan when
//     ON has no equality between the two sides); USING and NATURAL join
//     on the same-named columns;
//   - TABLE(RANDOM_CUT_FOREST[_WITH_EXPLANATION](CURSOR(...), ...)),
//     TABLE(HOTSPOTS(CURSOR(...), ...)): packages rcf and hotspots over the
//     cursor's numeric columns (adding ANOMALY_SCORE [and
//     ANOMALY_EXPLANATION], or HOTSPOTS_RESULT);
//     TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(...), 'col', K, seconds)) and
//     TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(...), 'col', seconds)):
//     agg's sketches over tumbling windows of ROWTIME, answering the
//     column and ITEM_COUNT (K rows, most frequent first) or
//     NUMBER_OF_DISTINCT_ITEMS when a window closes (ROWTIME its end);
//   - TUMBLE/HOP/SESSION(TABLE s, DESCRIPTOR(col), ...): window
//     assignment feeding window.Groups or window.Sessions.
//
// x [NOT] IN (SELECT col FROM reference_table [WHERE ...]) runs the
// subquery once, when the application is planned; other subquery
// expressions are not supported. UNION ALL sends both sides into one
// output; views and subqueries in FROM are planned inline (each reference
// to a view is planned anew). A streaming ORDER BY (AWS's "ORDER BY
// clause") must lead with a time-based monotonic expression (ROWTIME,
// FLOOR(s.ROWTIME TO MINUTE), STEP(...), a column equal to ROWTIME or its
// ordinal; ascending): rows are gathered while it keeps its value, sorted
// by the other items (expressions over the output columns, aliases,
// ordinals, select items such as SUM(amount); NULLs first ascending, last
// descending, unless NULLS FIRST/LAST), and emitted together at the
// ROWTIME of the batch's latest row once a row of a later value arrives or
// Advance passes the value; another leading expression is a compile error. Pumps are planned
// so that a pump comes after the pumps writing what it reads: Advance
// closes upstream windows first. A STOPPED pump does not run. An ad hoc
// query (SELECT without INSERT) writes to the stream QUERY (QUERY_2, ...).
//
// Expressions: package eval compiles them; the planner hands eval a Scope
// whose Subst reads already computed values (group keys, aggregates,
// windowed calls, the unqualified ROWTIME of a join) from columns of the
// operator's row, whose Extern compiles fields of the log parsers' rows,
// and whose Funcs resolves CREATE FUNCTION ... LANGUAGE SQL functions and
// the host's external (Wasm) functions. Unquoted names are upper-cased by
// the parser and compared exactly (so "quoted" names are case-sensitive);
// only when no column or stream matches exactly is a unique
// case-insensitive match used, so that ticker finds a column a record
// schema named "ticker".
//
// The log parsers (REGEX_LOG_PARSE, FAST_REGEX_LOG_PARSER,
// FIXED_COLUMN_LOG_PARSE, VARIABLE_COLUMN_LOG_PARSE, SYS_LOG_PARSE,
// W3C_LOG_PARSE) answer a row, as in AWS: a select item
// REGEX_LOG_PARSE(...) AS r becomes the columns r.COLUMN1, r.COLUMN2, ...
// read as t.r.COLUMN1 from an enclosing query (or l.r.COLUMN1 with FROM
// (...) AS l(r)), and REGEX_LOG_PARSE(...).COLUMN1 reads a field directly.
//
// # Semantics chosen
//
//   - ROWTIME: rows of a plain projection, a sliding window or a join keep
//     the ROWTIME of the input row that produced them (the arriving row of
//     a join). A select item that is an unaliased ROWTIME is not a data
//     column when the target stream has one column fewer than the select
//     list.
//   - Tumbling GROUP BY: a streaming GROUP BY needs a key that is a
//     monotonic expression of ROWTIME only: STEP(s.ROWTIME BY INTERVAL
//     ...), FLOOR(s.ROWTIME TO unit), or any other expression of ROWTIME
//     (the window of a row is then the stretch of time over which the
//     expression keeps its value). The other keys may be any expressions;
//     NULLs group together. A window [start, end) closes, and its groups'
//     rows are emitted, when a row with ROWTIME >= end arrives on the input
//     or Advance reaches end; the output row's ROWTIME is the window's end
//     (SQLstream's rule: the row time of a group is when it is complete).
//     Groups are emitted in order of window end, then of their first row.
//     Select items and HAVING may use the GROUP BY expressions (matched as
//     written, or by the column a reference resolves to), aggregates and
//     ROWTIME.
//   - GROUP BY MONOTONIC(x) (no ROWTIME key): the code promises x never
//     goes back; a group closes when a row with another value of x
//     arrives, with that row's ROWTIME. A GROUP BY column that always
//     equals ROWTIME (window_end AS endtime of an upstream windowed query,
//     ROWTIME AS t) groups the rows of each ROWTIME, emitted with that
//     ROWTIME once a later one arrives.
//   - SELECT STREAM DISTINCT drops a row equal to an earlier row of the
//     same ROWTIME.
//   - Stagger windows: the PARTITION BY expressions are the group keys; a
//     key's window opens at the ROWTIME of its first row and closes
//     RANGE later; the output ROWTIME is the window's end.
//   - Sliding windows: a row's frame is its partition's rows with ROWTIME
//     in (t - range, t] (RANGE) or the n preceding rows and itself (ROWS);
//     RANGE frames exclude the row exactly RANGE older, as AWS's "Sliding
//     Windows" walk-through shows: (t - range, t]. RANGE INTERVAL '0' ...
//     PRECEDING is RANGE CURRENT ROW (the rows of the same ROWTIME), as
//     AWS's reference treats a zero range. package window's frames are
//     closed, [t - r, t] in whole milliseconds, so the planner passes
//     r = range - 1 ms (0 for a zero range or CURRENT ROW); stream joins'
//     ranges are mapped the same way.
//     WHERE is applied before the windows unless it uses a windowed call
//     itself (AWS's "price > 1.1 * AVG(price) OVER w"), in which case the
//     row enters the windows first. LAG(x[, n[, default]]) and
//     NTH_VALUE(x, n) read the frame; IGNORE NULLS skips NULLs.
//   - Stream-to-stream joins: each side keeps its rows for its OVER (RANGE
//     INTERVAL ... PRECEDING) range, a side without OVER only rows of the
//     same ROWTIME; an arriving row is matched with the other side's kept
//     rows with ROWTIME in (t - range, t]. Rows are dropped once both
//     sides' ROWTIMEs have moved past them (min of the two sides' latest
//     ROWTIME less the range), so a side that stops receiving rows holds
//     the other side's rows — unless that side is an input stream: its
//     ROWTIMEs do not fall behind the clock Advance is given, so Advance
//     bounds the other side's rows by the range. LEFT (RIGHT) JOIN emits
//     an arriving left (right) row with NULLs when nothing matches then;
//     FULL [OUTER] JOIN does both. A row older than both sides' latest
//     ROWTIME (a side fed by UNION ALL, say) may have lost the rows it
//     matches: it goes to error_stream as LATE_ROW, never into a partial
//     or NULL-padded result. A window table function may be joined
//     directly (FROM TABLE(TUMBLE(...)) AS t JOIN ...): its rows, one per
//     window holding the row, with the window columns. A reference
//     table's rows are static (Options.References).
//   - error_stream: a row whose evaluation fails in a pump (division by
//     zero, a failed CAST, a value too long for its column, ...) becomes a
//     row of error_stream with AWS's columns: ERROR_TIME (the engine's
//     time: the latest ROWTIME or Advance), ERROR_LEVEL 'ERROR',
//     ERROR_NAME (SQL_EVALUATION_ERROR, or LATE_ROW), MESSAGE (line:col
//     and the error), DATA_ROWTIME, DATA_ROW (the row as a JSON object of
//     strings) and PUMP_NAME; the pump goes on with the next row. Errors
//     of pumps that read error_stream are dropped (no loops). Only errors
//     of Emit reach the caller of Push and Advance.
//   - Inserting into a stream converts each value to the column's type
//     (CAST rules; too-long strings are cut, as CAST does).
//   - RANDOM_CUT_FOREST and HOTSPOTS use every numeric column of the
//     cursor (NULL counts as 0); the forest's random seed is fixed.
//
// # Event time (kinesin's extension)
//
// TUMBLE(TABLE s, DESCRIPTOR(col), size [, offset]), HOP(TABLE s,
// DESCRIPTOR(col), slide, size [, offset]) and SESSION(TABLE s [PARTITION
// BY k], DESCRIPTOR(col), gap), as Flink writes them, add the columns
// WINDOW_START, WINDOW_END and WINDOW_TIME (end - 1 ms); GROUP BY
// window_start, window_end, ... aggregates per window; without GROUP BY
// there is one row per window holding the row. With DESCRIPTOR(ROWTIME)
// windows close as ROWTIME and Advance move. With another TIMESTAMP column
// the windows follow a watermark: the largest event time seen minus DELAY
// (named argument DELAY => INTERVAL '5' SECOND, default 0); windows close
// when the watermark minus LATENESS (LATENESS => INTERVAL ..., default 0)
// reaches their end; a row all of whose windows have closed is late and
// goes to error_stream as LATE_ROW instead of opening a partial window
// (a window [start, end) has closed once the watermark less LATENESS is
// at or past end). A SESSION row is also late when it would extend a
// session of its key that has closed (kept per key until the watermark
// is a gap past the session's end). SESSION needs GROUP BY. The output
// ROWTIME of a window's row is the window's end.
//
// Advance moves event time only with IDLE => INTERVAL 'n' unit (Flink's
// source idleness): once Advance's clock is n or more past the ROWTIME of
// the latest row the function read, the largest event time seen moves on
// with that clock from that row's (as if rows had kept coming), so the
// watermark advances and windows close although the input stopped. Rows
// arriving later are judged against the moved watermark (late rows go to
// error_stream). The idle clock is part of snapshots.
//
// # Snapshots
//
// Snapshot encodes the engine time and the state of every window
// structure (groups, stagger windows, sessions, sliding frames, join
// buffers, watermarks) in plan order, behind a hash of the code;
// Program.Start with a snapshot of other code fails with
// ErrSnapshotMismatch. Restarting from a snapshot mid-window gives the
// same output as not stopping. Random cut forests and hotspot windows have
// no state codec: a snapshot keeps their recent input records (the last
// 20000 for a forest, the window for HOTSPOTS) and a restore feeds them to
// a new model with the same seed, which rebuilds the same model as long
// as the forest has seen no more records than that.
//
// # Golden scripts
//
// testdata/**/*.txt are scripts (go test ./runtime/sql/engine -update
// rewrites their expect sections):
//
//	# comment
//	=== code
//	CREATE OR REPLACE STREAM ...;
//	=== input SOURCE_SQL_STREAM_001
//	TICKER VARCHAR(4), PRICE DOUBLE
//	2026-01-01 00:00:01 | AMZN | 10.5
//	=== reference COMPANIES
//	TICKER VARCHAR(4), NAME VARCHAR(32)
//	AMZN | Amazon
//	=== advance 2026-01-01 00:02:00
//	=== restart
//	=== expect-so-far DESTINATION_SQL_STREAM
//	=== expect DESTINATION_SQL_STREAM
//	=== expect-error
//
// Inputs and references are declared by the first line of their first
// section (values are cast from their text; NULL is null); the code is
// compiled, then sections run in order: input rows are pushed (ROWTIME
// first), advance calls Advance, restart snapshots the instance and
// starts a new one from the snapshot. expect lists every row emitted to a
// stream over the whole run (ROWTIME, then the values as
// eval.Value.String prints them); expect-so-far the rows emitted up to
// that point; expect-error the compile error. A script with restart
// sections must give the same rows without them (the test checks).
package engine

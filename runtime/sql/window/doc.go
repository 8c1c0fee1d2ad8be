// Package window holds the incremental window state of the streaming SQL
// engine (runtime/sql/engine): per-window, per-key aggregate state updated
// one row at a time, never recomputed per batch. Times are int64
// milliseconds since the Unix epoch (UTC).
//
//   - Groups: tumbling and hopping windows per (window, key) — GROUP BY
//     with STEP/FLOOR(ROWTIME ...) and Flink's TUMBLE/HOP window functions.
//     Tumble and Hop assign a time to its window(s); a hopping row is added
//     to every window that holds it. Close emits the groups whose window
//     ended by a time, ordered by End and then by the order of each group's
//     first row, and forgets them.
//   - Sliding: agg(...) OVER (PARTITION BY ... RANGE INTERVAL ... PRECEDING
//     | ROWS n PRECEDING). The package's contract: a RANGE frame of
//     rangeMs holds the partition's rows with time in the closed interval
//     [t-rangeMs, t], both ends included, in whole milliseconds; rangeMs 0
//     is the rows with the same time. The SQL meaning is the engine's
//     (runtime/sql/engine): RANGE INTERVAL 'n' PRECEDING is (t-n, t], a row
//     exactly n older has left the frame, so the engine passes rangeMs =
//     n-1 ms ((t-n, t] and [t-n+1ms, t] are the same whole milliseconds),
//     and RANGE CURRENT ROW and a zero range pass 0. ROWS n PRECEDING holds
//     the n previous rows of the partition and the current one. Rows
//     leaving a frame are removed from removable aggregates
//     (agg.Func.Removable); the other aggregates are recomputed over the
//     frame when a row leaves it. Partitions are made on their first row;
//     Expire drops idle RANGE partitions.
//   - Stagger: WINDOWED BY STAGGER. Following AWS's "Stagger Windows" page,
//     a key's window opens with the key's first row, at that row's time t,
//     and closes at t+range; the rows of the key before then join it. A row
//     with a time before the open window's start joins it as well (stagger
//     windows exist to gather late rows); a row at or after its end opens
//     the key's next window. Windows close by End, then opening order.
//   - Sessions: per-key session windows (Flink SESSION): a row at t covers
//     [t, t+gap); overlapping rows form a session [first, last+gap), and a
//     row bridging two sessions merges them. Accumulators cannot be merged,
//     so sessions keep their rows' times and aggregate arguments and a merge
//     adds them again, in time order, to fresh accumulators.
//   - JoinBuffer: the rows of one side of a stream-to-stream join kept for
//     "OVER (RANGE INTERVAL ... PRECEDING)", matched by key and time range:
//     Match answers the rows with time in the closed [t-rangeMs, t] (the
//     same contract as Sliding; the engine passes n-1 ms for SQL's
//     (t-n, t], 0 for rows of the same time only).
//   - Watermark: event time with a delay and an allowed lateness.
//
// Keys are encoded values (KeyOf, AppendKey): equal SQL values, NULLs
// included, give equal keys, so maps do the grouping.
//
// Every structure checkpoints with AppendState and restores with
// ReadState, which replaces its content; values use agg's value codec and
// aggregates their own state codecs (Sessions rebuild theirs from the kept
// rows). A structure restored mid-window goes on emitting exactly what the
// original would have.
//
// Add and Push do not allocate for an existing group, partition or key
// (beyond what an aggregate itself needs; Groups.AddBytes and
// Sessions.AddBytes take the key as bytes, so the caller need not make a
// string per row); rows and arguments kept by Sliding, Sessions and
// JoinBuffer are copied into reused buffers (JoinBuffer cuts row copies
// from shared blocks and reuses emptied partitions). A
// non-removable aggregate recomputed by Sliding gets a new accumulator
// unless the accumulator has a Reset method.
//
// Session windows are half-open like every window here: a row exactly
// gap after a session's last row starts a new session (Flink merges
// touching session windows; kinesin does not, so that Close(upTo) can
// close a session ending at upTo).
package window

// Package eval holds SQL values and compiles scalar expressions of the
// Kinesis Data Analytics SQL dialect (AWS's "Amazon Kinesis Data Analytics
// SQL Reference") into evaluators over rows.
//
// Values are a small struct (Value) with a kind tag and integer, float and
// string fields, so a row ([]Value) costs no allocation per value. Kinds
// follow the reference's data types page: BOOLEAN, TINYINT, SMALLINT,
// INTEGER, BIGINT, DECIMAL(p,s), REAL, DOUBLE, CHAR(n), VARCHAR(n),
// VARBINARY(n), DATE, TIME, TIMESTAMP and day-time and year-month
// INTERVALs. Datetimes have millisecond precision and no time zone (UTC).
//
// Compile type-checks a parser.Expr against a Scope (the columns visible,
// by qualifier and name, ROWTIME among them; identifiers compare exactly
// because the parser upper-cases unquoted ones) and answers an Evaluator.
// Type errors and runtime errors are *Error values with the line:col of
// the offending node. Arithmetic overflow wraps ErrOverflow.
//
// Semantics: three-valued logic (AND/OR short-circuit on FALSE/TRUE);
// comparisons, BETWEEN, IN and LIKE answer NULL on NULL operands; numeric
// operands widen TINYINT < SMALLINT < INTEGER < BIGINT < DECIMAL < REAL <
// DOUBLE; integer division truncates; integer overflow, DECIMAL overflow
// (more than 18 digits) and division by zero are errors. Datetime and
// interval arithmetic follows the reference's "Date, Timestamp, and
// Interval Operators" page; datetime - datetime needs an interval
// qualifier: (a - b) DAY TO SECOND.
//
// Functions: CHAR_LENGTH/CHARACTER_LENGTH, UPPER, LOWER, INITCAP, POSITION,
// SUBSTRING (FROM/FOR and comma forms), TRIM, OVERLAY, REGEX_REPLACE; ABS,
// CEIL/CEILING, FLOOR, EXP, LN, LOG10, MOD, POWER, SQRT; COALESCE, NULLIF;
// STEP (datetimes and numbers), FLOOR/CEIL(x TO unit), EXTRACT, TSDIFF,
// TO_TIMESTAMP, UNIX_TIMESTAMP, CHAR_TO_TIMESTAMP/DATE/TIME,
// TIMESTAMP/DATE/TIME_TO_CHAR (java.text.SimpleDateFormat patterns, see
// package datefmt), CURRENT_ROW_TIMESTAMP, CURRENT_TIMESTAMP, LOCALTIMESTAMP,
// CURRENT_DATE, CURRENT_TIME, LOCALTIME (the query's start time from
// Scope.Clock; only CURRENT_ROW_TIMESTAMP, from Scope.RowTime, moves per
// row, as the reference's Date and Time Functions page says; all UTC);
// CAST along the reference's table of valid conversions.
//
// Where the reference is ambiguous kinesin chooses, and says so here:
//   - TSDIFF(startTime, endTime) answers endTime - startTime in
//     milliseconds; the reference describes the arguments both as
//     timestamps and as BIGINT milliseconds, so both are accepted.
//   - TIMESTAMP_TO_CHAR (and DATE_/TIME_TO_CHAR) answer the string 'null'
//     for a NULL datetime, as the reference's note says.
//   - CHAR_TO_TIMESTAMP parses strictly (an element out of range is an
//     error, i.e. the row goes to the error stream), not leniently as
//     Java's SimpleDateFormat does by default. Two-digit years map to
//     1920..2019 (datefmt's default window); text after the pattern is
//     ignored.
//   - CAST of REAL/DOUBLE/DECIMAL to an integer type rounds half away
//     from zero (the CAST page says real numbers are rounded, without
//     naming the rule); CAST to a too-short VARCHAR/CHAR truncates strings and is an
//     error for other types (the reference shows no row for a date cast to
//     VARCHAR(9)). CAST(TIME AS TIMESTAMP) puts the time on 1970-01-01.
//   - TIMESTAMP values print as yyyy-MM-dd HH:mm:ss, with .SSS only when
//     the milliseconds are not zero; REAL and DOUBLE print as Java's
//     Float/Double.toString do.
//   - DECIMAL holds at most 18 digits (an int64 unscaled value).
//   - MOD (integer arguments only, per the reference) answers the wider
//     of its arguments' types.
//   - SUBSTRING(x FROM 'regex' [FOR n]) (the reference's regex form, whose
//     examples are cut short) answers the first match, at most n
//     characters of it, or NULL when nothing matches.
//   - Regular expressions (REGEX_REPLACE, SUBSTRING FROM regex) are Go's
//     RE2 syntax, which covers the common Java syntax; back-references
//     and possessive quantifiers are not supported. REGEX_REPLACE's
//     replacement uses Java's $n and \$ forms.
//   - OVERLAY with a start below 1 and FOR: the length is reduced by
//     (1 - start), as SUBSTRING does.
//   - FLOOR/CEIL(x TO WEEK) start weeks on Sunday; EXTRACT(DOW) is 1 for
//     Sunday; EXTRACT(WEEK) is the ISO week.
//
// User functions (SQL CREATE FUNCTION, Wasm) come from Scope.Funcs as
// Func values: arguments are converted to the parameter types, the result
// to the return type. Scope.Subst and Scope.Extern let a planner supply
// values it computes itself (group keys, aggregates, windowed calls, log
// parser fields).
//
// Not here: aggregates, windows, subqueries (IN (query), EXISTS, scalar
// subqueries), REGEX_LOG_PARSE and the other log-parsing and
// machine-learning functions; the planner owns those.
package eval

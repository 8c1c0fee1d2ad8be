// Package agg holds the aggregate functions of the Kinesis Data Analytics
// SQL dialect (AWS's "Amazon Kinesis Data Analytics SQL Reference") as
// incremental accumulators, the sketches behind COUNT_DISTINCT_ITEMS_TUMBLING
// and TOP_K_ITEMS_TUMBLING, and the value codec every state snapshot uses.
//
// An Accumulator is the running state of one aggregate call in one group
// (a tumbling window's GROUP BY group) or one sliding frame (agg(x) OVER w).
// Rows are added as they come and, in sliding frames, removed in the order
// they were added, so every function here is removable: AVG, COUNT, SUM and
// the variance family keep sums; MIN and MAX keep a monotonic deque (O(1)
// amortised per row); FIRST_VALUE keeps the frame's queue of values and
// LAST_VALUE only the newest. Func.NewAddOnly makes smaller accumulators
// for groups that never remove (MIN/MAX keep one value). Numeric
// accumulators allocate nothing per row. State snapshots (AppendState /
// ReadState) restore an accumulator exactly.
//
// Functions and result types. The reference documents NULL handling but
// not result types; where it is silent kinesin follows SQL:2008 (which
// leaves precision implementation-defined) and chooses as follows:
//   - COUNT(*) counts rows, COUNT(x) rows where x is not NULL; BIGINT, 0
//     for no rows.
//   - SUM(x): BIGINT for TINYINT..BIGINT arguments (SQL:2008: an exact type
//     of the argument's scale; the widest integer, so window sums rarely
//     overflow), DECIMAL(18,s) for DECIMAL(p,s), REAL for REAL, DOUBLE for
//     DOUBLE. A sum outside BIGINT (or 18 DECIMAL digits) is an error
//     wrapping eval.ErrOverflow, as eval's arithmetic does.
//   - AVG(x): the argument's type; for integers the average truncates
//     toward zero, as eval's integer "/" does (SQL:2008: an exact type of
//     at least the argument's scale); DECIMAL(p,s) gives DECIMAL(18,s)
//     rounded half away from zero.
//   - MIN, MAX, FIRST_VALUE, LAST_VALUE: the argument's type; any type
//     (MIN/MAX order values as eval.Compare does).
//   - VAR_POP, VAR_SAMP, STDDEV_POP, STDDEV_SAMP (and STD_DEV, the
//     reference's alias of STDDEV_SAMP): DOUBLE, by the reference's
//     formula (S2 - S1*S1/N) / N (N-1 for the sample forms), computed on
//     values shifted by the first one so the subtraction does not cancel;
//     NULL for no rows, and the sample forms NULL for one row.
//   - EXP_AVG(x, INTERVAL 'h' unit): DOUBLE; each value weighs
//     2^((t - t0)/h) for its row time t, so h is the half-life, as the
//     reference's EXP_AVG page says. The decay is continuous (a value h
//     older weighs exactly half), which the reference's description of
//     h-long subwindows weighing half as much as the next one
//     approximates; it keeps O(1) state and removes rows exactly.
//   - Every function but COUNT ignores NULL arguments and answers NULL when
//     it has no non-NULL value, as the reference's Aggregate Functions and
//     Analytic Functions pages say; FIRST_VALUE and LAST_VALUE RESPECT
//     NULLS by default and skip them with IGNORE NULLS (Func.IgnoreNulls),
//     as their pages say.
//   - DISTINCT (COUNT, SUM, AVG and the variance family) feeds each distinct
//     value once; values equal in SQL (1 and 1.0, 'a' and 'a ' as CHAR)
//     count once. It does not change MIN and MAX; FIRST_VALUE, LAST_VALUE
//     and EXP_AVG reject it. Whether a query may use DISTINCT in a streaming
//     aggregate is the planner's business (the reference disallows COUNT
//     DISTINCT there).
//   - REAL and DOUBLE sums are compensated (Neumaier), so removing a large
//     value restores the small ones; infinities and NaNs are counted apart
//     and leave the sum finite again when they leave the frame.
//
// Sketches: DistinctCounter counts distinct items exactly up to 10,000 and
// then estimates with HyperLogLog (2^14 registers, about 0.8% standard
// error), matching the reference's COUNT_DISTINCT_ITEMS_TUMBLING notes;
// TopK is the space-saving algorithm (Metwally et al.) for
// TOP_K_ITEMS_TUMBLING. Both hash values with a fixed hash, so their
// snapshots stay valid across processes.
//
// AppendValue / ReadValue encode one eval.Value: a kind byte and its
// payload; decoding answers exactly the value encoded.
package agg

// Package rcf is the anomaly detector behind Kinesis Data Analytics'
// RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION functions: a
// robust random cut forest (Guha, Mishra, Roy, Schrijvers, "Robust Random
// Cut Forest Based Anomaly Detection on Streams", ICML 2016) over a stream
// of numeric records.
//
//	f, err := rcf.New(rcf.Config{Dims: 2, Seed: 1}) // AWS defaults: 100 trees, 256, 100000, 1
//	score, err := f.Score(record)                    // ANOMALY_SCORE
//	ex, err := f.ScoreWithExplanation(record)        // plus per-column attributions
//	js, err := ex.JSON(columnNames, withDirectionality) // ANOMALY_EXPLANATION
//
// How it works. Each of numberOfTrees trees keeps a sample of at most
// subSampleSize points, chosen by time-decayed reservoir sampling: point t
// gets priority log(-log U) − t/timeDecay (U uniform) and a tree keeps the
// subSampleSize smallest priorities, which is weighted reservoir sampling
// (Efraimidis–Spirakis A-Res) with weight e^{t/timeDecay}, so older points
// are more likely to be evicted. Trees are random cut trees: insertion
// draws a cut over the bounding box of a subtree plus the new point (a
// dimension in proportion to its range, a value uniform in it) and either
// splits the point off there or descends; deletion replaces the leaf's
// parent by its sibling. A record is scored against the forest as it stands
// and then offered to the samplers (score, then update, as AWS does): the
// score is the collusive displacement (CoDisp, the paper's definition 6) of
// the point as if inserted, averaged over the trees. For a point a tree does
// not keep, the insertion is simulated without changing the tree.
// Everything is deterministic for a Config.Seed.
//
// Where AWS's documentation leaves details open, and what this package does:
//
//   - The score function. AWS does not publish its formula; its scores are
//     not reproducible bit for bit. This package answers CoDisp, so scores
//     are a ratio of masses (0 for a point identical to everything sampled,
//     small for ordinary points, large for anomalies); compare them
//     within one stream, as AWS advises ("only the highest ones are"
//     significant).
//   - The learning phase. "The algorithm returns zero for the first
//     subSampleSize records": the first subSampleSize points score 0 (they
//     are still sampled). With shingling the first shingleSize−1 records
//     form no point and also score 0, so the first non-zero score is at
//     record subSampleSize+shingleSize−1 (0-based).
//   - timeDecay. The reference says the function "uses only the most recent
//     timeDecay records" and weighs them exponentially. Here the decay is
//     exponential with rate 1/timeDecay and there is no hard cut-off: a very
//     old point can survive in a tree, with vanishing probability.
//   - Shingling. A point is the concatenation of the last shingleSize
//     records, oldest first; timeDecay and subSampleSize count such points.
//     A column's attribution sums its attributions at every shingle position.
//   - Attribution. The reference only requires that a record's attribution
//     scores sum to its anomaly score. In each tree the score (the ratio at
//     the colluding ancestor) is split over the dimensions in proportion to
//     how far the point lies outside the colluding sibling subtree's box in
//     that dimension, above the box counted as HIGH and below as LOW; the
//     forest averages these. ATTRIBUTION_SCORE is HIGH+LOW, DIRECTION is
//     HIGH when the HIGH part is larger (LOW otherwise, and during learning,
//     as documented), STRENGTH is |HIGH−LOW| (0 during learning).
//   - ANOMALY_EXPLANATION's text. AWS's examples show an object keyed by
//     column name whose members are objects with DIRECTION, STRENGTH and
//     ATTRIBUTION_SCORE, numbers written as JSON strings in Java's
//     Double.toString form ("0.0"). Without withDirectionality this package
//     writes only ATTRIBUTION_SCORE; AWS does not show that case.
//   - Non-numeric values. The SQL layer passes only numeric columns (as the
//     reference says); what AWS does with NULL is undocumented. Score
//     refuses records with NaN or ±Inf, or of the wrong width, with an
//     error and leaves the forest unchanged; the caller decides whether to
//     emit 0 or drop the row.
//   - Limits: up to 30 numeric columns, numberOfTrees 1–1000, subSampleSize
//     10–1000 and below timeDecay, timeDecay ≥ 1, shingleSize 1–30, as
//     documented; Validate reports every violation.
package rcf

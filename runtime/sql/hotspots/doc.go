// Package hotspots is the detector behind Kinesis Data Analytics' HOTSPOTS
// function:
//
//	HOTSPOTS(inputStream, windowSize, scanRadius, minimumNumberOfPointsInAHotspot)
//
// Each record slides a window of the last windowSize records (100–1000) and
// answers the dense regions of that window as the HOTSPOTS_RESULT column:
//
//	{"hotspots":[{"density":…,"maxValues":[…],"minValues":[…]},…]}
//
// with one minValues/maxValues entry per numeric column, in column order.
//
//	d, err := hotspots.New(hotspots.Config{Dims: 2, WindowSize: 100, ScanRadius: 0.013, MinPoints: 20})
//	hs, err := d.Add(record)
//	out := hotspots.JSON(hs)
//
// The reference describes scanRadius as "analogous to the ε value in the
// DBSCAN algorithm", so the window is clustered with DBSCAN: records with at
// least minimumNumberOfPointsInAHotspot records (themselves included) within
// Euclidean distance scanRadius are core records; core records within
// scanRadius of one another share a cluster, and other records within
// scanRadius of a core record join the first cluster that reaches them.
// Every cluster of at least minimumNumberOfPointsInAHotspot records is a
// hotspot. Neighbour lists are kept incrementally (one pass over the window
// per record), so a record costs O(windowSize × columns) plus the clustering
// walk over the neighbour graph.
//
// Where AWS's documentation leaves details open, and what this package does:
//
//   - The column's name: the reference's text says HOTSPOT_RESULTS, its
//     example selects "HOTSPOTS_RESULT"; the SQL layer should use the
//     example's name (it is what applications select).
//   - The JSON layout: the reference names the nodes density, maxValues and
//     minValues "with values for each of the input columns" but prints no
//     sample; this package wraps them in {"hotspots":[…]} as AWS's
//     hotspots walkthrough reads them, densest first, and writes numbers in
//     Go's shortest round-trip form.
//   - "size" in "density: the number of records in the hotspot divided by
//     the hotspot size": the volume of the hotspot's bounding box, each
//     side's length taken as at least scanRadius so that a hotspot of
//     identical records (or one flat in some column) has a finite density.
//     A density that still overflows is written as null.
//   - "all the hotspots found around the record": every hotspot of the
//     window ending at the record, whether or not the record belongs to it.
//   - Before windowSize records have arrived, the window is the records so
//     far.
//   - Columns are not normalised: the reference leaves scaling to the
//     application (divide a column in the CURSOR's SELECT).
//   - Records with NaN or ±Inf (or of the wrong width) are refused with an
//     error and leave the window unchanged; AWS does not document NULLs.
package hotspots

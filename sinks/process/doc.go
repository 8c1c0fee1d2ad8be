// Package process is Amazon Data Firehose's record processing for
// kinesin's delivery engine: the processors of a delivery stream's
// ProcessingConfiguration, run in the order AWS runs them —
//
//	RecordDeAggregation → Decompression → CloudWatchLogProcessing →
//	Lambda → MetadataExtraction → AppendDelimiterToRecord
//
// whatever order they are listed in. Compile validates a Config the way
// the Firehose API does (InvalidArgumentException) and compiles queries
// once; (*Pipeline).Process turns a buffered batch into records to
// deliver (Ok), records for the error output (Failed) and a count of
// records a function dropped.
//
// Config.DeaggregateKPL (kinesin's) de-aggregates KPL aggregated records
// as Firehose does for a Kinesis data stream source, even with processing
// disabled. Sub-records split from record ID are named ID:0, ID:1, ….
//
// A failed record carries its error output type (processing-failed, or
// decompression-failed for a record that is not gzip) and marshals to the
// document Firehose writes for it: attemptsMade, arrivalTimestamp,
// errorCode, errorMessage, attemptEndingTimestamp, rawData (base64 of the
// record as it entered, before decompression) and lambdaArn.
//
// MetadataExtractionQuery is a jq program (JsonParsingEngine JQ-1.6, run
// by gojq). As kinesin's extension a query starting with "cel:" is a CEL
// expression over data, the parsed JSON record, returning a map of string
// to string, e.g.
//
//	cel:{"customer": data.customer_id, "year": string(data.year)}
//
// It is compiled once, with a cost limit (DESIGN rule 6).
package process

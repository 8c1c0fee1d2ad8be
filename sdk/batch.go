package sdk

import "github.com/kinesin/kinesin/runtime/engine"

// Aliases of the runtime's record types, so functions import only sdk.
type (
	Record       = engine.Record
	RecordResult = engine.RecordResult
	BatchContext = engine.BatchContext
	Window       = engine.Window
	Status       = engine.Status
)

// Record outcomes.
const (
	Ok               = engine.Ok
	Dropped          = engine.Dropped
	ProcessingFailed = engine.ProcessingFailed
)

// Batch is a batch of records handed to a func(context.Context, *Batch)
// error handler. Results starts as one Ok, unchanged result per record; the
// handler changes it with Set, Drop and Fail (or writes Results directly).
//
// Record data and the slices a handler passes to Set are only valid until
// the handler returns: copy what must outlive the call.
type Batch struct {
	Context BatchContext
	Records []Record
	Results []RecordResult
	// Failed lists sequence numbers to retry (Lambda's batchItemFailures).
	Failed []string
	// State is the new tumbling-window state (nil keeps none).
	State []byte
}

// Set marks record i Ok with new data.
func (b *Batch) Set(i int, data []byte) {
	b.Results[i] = RecordResult{Status: Ok, Data: data}
}

// Drop marks record i dropped (Firehose: not delivered).
func (b *Batch) Drop(i int) { b.Results[i] = RecordResult{Status: Dropped} }

// Fail marks record i failed: ProcessingFailed for Firehose, and a batch
// item failure (retried by the event source mapping) for streams.
func (b *Batch) Fail(i int) {
	b.Results[i] = RecordResult{Status: ProcessingFailed}
	if s := b.Records[i].SequenceNumber; s != "" {
		b.Failed = append(b.Failed, s)
	}
}

// reset readies b for len(b.Records) records, reusing its slices.
func (b *Batch) reset() {
	n := len(b.Records)
	if cap(b.Results) >= n {
		b.Results = b.Results[:n]
		clear(b.Results)
	} else {
		b.Results = make([]RecordResult, n)
	}
	b.Failed = b.Failed[:0]
	b.State = nil
}

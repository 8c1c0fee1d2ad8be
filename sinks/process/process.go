package process

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
)

// Error output types: the !{firehose:error-output-type} of a failed record.
const (
	OutputProcessingFailed    = "processing-failed"
	OutputDecompressionFailed = "decompression-failed"
)

// Error codes of failed records. The Lambda ones follow the codes Firehose
// logs for transformation errors; the others are kinesin's.
const (
	CodeFunctionError         = "Lambda.FunctionError"
	CodeInvokeLimitExceeded   = "Lambda.InvokeLimitExceeded"
	CodeInvokeFailed          = "Lambda.InvokeFailed"
	CodeProcessingFailed      = "Lambda.ProcessingFailedStatus"
	CodeMissingRecordID       = "Lambda.MissingRecordId"
	CodeDeaggregationFailed   = "RecordDeAggregation.Failed"
	CodeDecompressionFailed   = "Decompression.Failed"
	CodeCloudWatchLogsFailed  = "CloudWatchLogProcessing.Failed"
	CodeMetadataExtractFailed = "DynamicPartitioning.MetadataExtractionFailed"
)

// maxLambdaPayload is Lambda's synchronous invocation payload limit; a
// batch's base64 data stays well under it.
const maxLambdaPayload = 6 * 1024 * 1024

// Pipeline is a compiled ProcessingConfiguration. It is safe for
// concurrent use.
type Pipeline struct {
	// BufferInterval is the Lambda processor's BufferIntervalInSeconds,
	// for the delivery engine's buffering; Process does not wait.
	BufferInterval time.Duration
	// RetryBackoff is the pause before the n-th retry of an invocation,
	// n times this (DefaultRetryBackoff unless changed); zero means none.
	RetryBackoff time.Duration

	invoker     Invoker
	kpl         bool // de-aggregate KPL records even without RecordDeAggregation
	deagg       bool
	subType     string // "", "JSON" or "DELIMITED"
	delimiter   []byte
	gunzip      bool
	cwlExtract  bool
	lambda      bool
	lambdaArn   string
	fnName      string
	fnQualifier string
	retries     int
	bufferBytes int
	extract     extractor
	appendDelim bool
}

// Record is one record buffered by a delivery stream.
type Record struct {
	ID      string
	Data    []byte
	Arrival time.Time
}

// OkRecord is a record to deliver.
type OkRecord struct {
	// Src is the index of the Record (in Process's input) it came from.
	Src     int
	ID      string
	Data    []byte
	Arrival time.Time
	// PartitionKeys are MetadataExtraction's keys (partitionKeyFromQuery).
	PartitionKeys map[string]string
	// LambdaPartitionKeys are the function's metadata.partitionKeys
	// (partitionKeyFromLambda).
	LambdaPartitionKeys map[string]string
}

// FailedRecord is a record for the error output; MarshalJSON writes it as
// Firehose writes it under the processing-failed prefix.
type FailedRecord struct {
	// Src is the index of the Record (in Process's input) it came from.
	Src           int
	ID            string
	OutputType    string // OutputProcessingFailed or OutputDecompressionFailed
	RawData       []byte
	Arrival       time.Time
	ErrorCode     string
	ErrorMessage  string
	AttemptsMade  int
	AttemptEnding time.Time
	LambdaArn     string // set when the Lambda processor is configured
}

// MarshalJSON writes the failure document: attemptsMade, arrivalTimestamp
// and attemptEndingTimestamp (milliseconds since the epoch), errorCode,
// errorMessage, rawData (base64) and lambdaArn.
func (f FailedRecord) MarshalJSON() ([]byte, error) {
	doc := struct {
		AttemptsMade           int    `json:"attemptsMade"`
		ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
		ErrorCode              string `json:"errorCode"`
		ErrorMessage           string `json:"errorMessage"`
		AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
		RawData                string `json:"rawData"`
		LambdaArn              string `json:"lambdaArn,omitempty"`
	}{f.AttemptsMade, f.Arrival.UnixMilli(), f.ErrorCode, f.ErrorMessage, f.AttemptEnding.UnixMilli(),
		base64.StdEncoding.EncodeToString(f.RawData), f.LambdaArn}
	return json.Marshal(doc)
}

// Result is what Process makes of a batch.
type Result struct {
	Ok      []OkRecord
	Failed  []FailedRecord
	Dropped int // records a function (or CloudWatch Logs processing) dropped
}

// work is a record on its way through the processors.
type work struct {
	src        int // index of the Record it came from
	id         string
	raw        []byte // data as it entered, for the error output
	data       []byte
	arrival    time.Time
	lambdaKeys map[string]string
}

// Process runs recs through the processors in AWS's order. Failures of
// records are in the Result; the error is only ctx's.
func (p *Pipeline) Process(ctx context.Context, recs []Record) (Result, error) {
	var res Result
	ws := make([]work, 0, len(recs))
	for i, r := range recs {
		ws = append(ws, work{src: i, id: r.ID, raw: r.Data, data: r.Data, arrival: r.Arrival})
	}
	if p.deagg || p.kpl {
		ws = p.deaggregate(ws, &res)
	}
	if p.gunzip {
		ws = p.decompress(ws, &res)
	}
	if p.cwlExtract {
		ws = p.cloudWatchLogs(ws, &res)
	}
	if p.lambda {
		var err error
		if ws, err = p.transform(ctx, ws, &res); err != nil {
			return Result{}, err
		}
	}
	for _, w := range ws {
		ok := OkRecord{Src: w.src, ID: w.id, Data: w.data, Arrival: w.arrival, LambdaPartitionKeys: w.lambdaKeys}
		if p.extract != nil {
			keys, err := p.extractKeys(w.data)
			if err != nil {
				res.Failed = append(res.Failed, p.fail(w, OutputProcessingFailed, CodeMetadataExtractFailed, err.Error(), 1))
				continue
			}
			ok.PartitionKeys = keys
		}
		if p.appendDelim {
			ok.Data = append(ok.Data[:len(ok.Data):len(ok.Data)], '\n')
		}
		res.Ok = append(res.Ok, ok)
	}
	return res, nil
}

func (p *Pipeline) fail(w work, output, code, msg string, attempts int) FailedRecord {
	return FailedRecord{Src: w.src, ID: w.id, OutputType: output, RawData: w.raw, Arrival: w.arrival, ErrorCode: code,
		ErrorMessage: msg, AttemptsMade: attempts, AttemptEnding: time.Now(), LambdaArn: p.lambdaArn}
}

// subID names the i-th of n records split from id.
func subID(id string, i, n int) string {
	if n == 1 {
		return id
	}
	return id + ":" + strconv.Itoa(i)
}

// deaggregate splits KPL aggregated records, then JSON or delimited
// sub-records.
func (p *Pipeline) deaggregate(ws []work, res *Result) []work {
	out := make([]work, 0, len(ws))
	for _, w := range ws {
		parts := [][]byte{w.data}
		if kpl, agg, err := DeaggregateKPL(w.data); err != nil {
			res.Failed = append(res.Failed, p.fail(w, OutputProcessingFailed, CodeDeaggregationFailed, err.Error(), 1))
			continue
		} else if agg {
			parts = parts[:0]
			for _, k := range kpl {
				parts = append(parts, k.Data)
			}
		}
		var split [][]byte
		var err error
		for _, part := range parts {
			var s [][]byte
			switch p.subType {
			case "JSON":
				s, err = SplitJSON(part)
			case "DELIMITED":
				s = SplitDelimited(part, p.delimiter)
			default:
				s = [][]byte{part}
			}
			if err != nil {
				break
			}
			split = append(split, s...)
		}
		if err == nil && p.subType != "" && len(split) > MaxSubRecords {
			err = fmt.Errorf("record has %d sub-records, more than %d", len(split), MaxSubRecords)
		}
		if err != nil {
			res.Failed = append(res.Failed, p.fail(w, OutputProcessingFailed, CodeDeaggregationFailed, err.Error(), 1))
			continue
		}
		for i, s := range split {
			out = append(out, work{src: w.src, id: subID(w.id, i, len(split)), raw: s, data: s, arrival: w.arrival})
		}
	}
	return out
}

// SplitJSON splits consecutive JSON values ({"a":1}{"a":2}, or one per
// line) into their texts. Only objects are accepted: an array of objects
// is not valid input for Firehose's JSON deaggregation.
func SplitJSON(data []byte) ([][]byte, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	var out [][]byte
	for {
		var m json.RawMessage
		if err := d.Decode(&m); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("invalid JSON sub-record: %w", err)
		}
		if len(m) == 0 || m[0] != '{' {
			return nil, errors.New("invalid JSON sub-record: not an object")
		}
		out = append(out, m)
	}
}

// SplitDelimited splits data at each delimiter; a trailing delimiter ends
// the last record rather than starting an empty one.
func SplitDelimited(data, delim []byte) [][]byte {
	parts := bytes.Split(data, delim)
	if len(parts) > 1 && len(parts[len(parts)-1]) == 0 {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// decompress gunzips every record; a record that is not gzip goes to the
// decompression-failed output.
func (p *Pipeline) decompress(ws []work, res *Result) []work {
	out := ws[:0]
	for _, w := range ws {
		data, err := Gunzip(w.data)
		if err != nil {
			res.Failed = append(res.Failed, p.fail(w, OutputDecompressionFailed, CodeDecompressionFailed, err.Error(), 1))
			continue
		}
		w.data = data
		out = append(out, w)
	}
	return out
}

// Gunzip decompresses GZIP data (every member of it).
func Gunzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return b, nil
}

// cwlRecord is what a CloudWatch Logs subscription filter sends.
type cwlRecord struct {
	MessageType string `json:"messageType"`
	LogEvents   []struct {
		Message string `json:"message"`
	} `json:"logEvents"`
}

// cloudWatchLogs extracts the messages of CloudWatch Logs records: each
// log event's message becomes a record; CONTROL_MESSAGE records are
// dropped.
func (p *Pipeline) cloudWatchLogs(ws []work, res *Result) []work {
	out := make([]work, 0, len(ws))
	for _, w := range ws {
		var c cwlRecord
		if err := json.Unmarshal(w.data, &c); err != nil {
			res.Failed = append(res.Failed, p.fail(w, OutputProcessingFailed, CodeCloudWatchLogsFailed, "not a CloudWatch Logs record: "+err.Error(), 1))
			continue
		}
		switch c.MessageType {
		case "CONTROL_MESSAGE":
			res.Dropped++
			continue
		case "DATA_MESSAGE":
		default:
			res.Failed = append(res.Failed, p.fail(w, OutputProcessingFailed, CodeCloudWatchLogsFailed, "unknown messageType "+strconv.Quote(c.MessageType), 1))
			continue
		}
		for i, e := range c.LogEvents {
			out = append(out, work{src: w.src, id: subID(w.id, i, len(c.LogEvents)), raw: w.raw, data: []byte(e.Message), arrival: w.arrival})
		}
	}
	return out
}

// extractKeys runs the MetadataExtractionQuery on a JSON record.
func (p *Pipeline) extractKeys(data []byte) (map[string]string, error) {
	v, err := parseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("Non JSON record provided: %v", err)
	}
	return p.extract.extract(v)
}

// transform runs the records through the Lambda function in batches of
// at most the buffer size.
func (p *Pipeline) transform(ctx context.Context, ws []work, res *Result) ([]work, error) {
	limit := min(p.bufferBytes, maxLambdaPayload*3/4) // base64 grows data by 4/3
	var chunks [][]work
	for start := 0; start < len(ws); {
		end, size := start, 0
		for end < len(ws) && (end == start || size+len(ws[end].data) <= limit) {
			size += len(ws[end].data)
			end++
		}
		chunks = append(chunks, ws[start:end])
		start = end
	}
	// Chunks are invoked concurrently, as Firehose invokes its function
	// concurrently; results are merged in record order.
	type result struct {
		kept []work
		res  Result
		err  error
	}
	results := make([]result, len(chunks))
	sem := make(chan struct{}, transformConcurrency)
	var wg sync.WaitGroup
	for i, c := range chunks {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r := &results[i]
			r.kept, r.err = p.invoke(ctx, c, &r.res)
		})
	}
	wg.Wait()
	out := make([]work, 0, len(ws))
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		out = append(out, r.kept...)
		res.Failed = append(res.Failed, r.res.Failed...)
		res.Dropped += r.res.Dropped
	}
	return out, nil
}

// transformConcurrency is how many invocations of the transformation
// function one Process runs at once.
var transformConcurrency = max(2, runtime.GOMAXPROCS(0))

// invoke runs one batch, retrying a failed invocation NumberOfRetries
// times; then every record of the batch fails.
func (p *Pipeline) invoke(ctx context.Context, ws []work, res *Result) ([]work, error) {
	b := engine.Batch{Records: make([]engine.Record, len(ws))}
	// The function matches results by recordId: ids must be distinct, or
	// the batch gets its own.
	ids := make(map[string]bool, len(ws))
	for _, w := range ws {
		ids[w.id] = true
	}
	synthetic := len(ids) != len(ws) || ids[""]
	for i, w := range ws {
		id := w.id
		if synthetic {
			id = strconv.Itoa(i)
		}
		b.Records[i] = engine.Record{RecordID: id, ArrivalTime: w.arrival, Data: w.data}
	}
	var (
		br       engine.BatchResult
		code     string
		msg      string
		attempts int
	)
	for attempts = 1; ; attempts++ {
		b.Context.Attempt = attempts
		var err error
		br, _, err = p.invoker.InvokeBatch(ctx, p.fnName, p.fnQualifier, b)
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil && errors.Is(err, engine.ErrNoCapacity):
			code, msg = CodeInvokeLimitExceeded, err.Error()
		case err != nil:
			code, msg = CodeInvokeFailed, err.Error()
		case br.FunctionError != "":
			code, msg = CodeFunctionError, br.ErrorMessage
			if msg == "" {
				msg = "The function returned an error: " + br.FunctionError
			}
		default:
			code = ""
		}
		if code == "" || attempts > p.retries {
			break
		}
		if p.RetryBackoff > 0 {
			t := time.NewTimer(time.Duration(attempts) * p.RetryBackoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
	}
	if code != "" {
		for _, w := range ws {
			res.Failed = append(res.Failed, p.fail(w, OutputProcessingFailed, code, msg, attempts))
		}
		return nil, nil
	}
	out := make([]work, 0, len(ws))
	for i, w := range ws {
		if i >= len(br.Records) {
			res.Failed = append(res.Failed, p.fail(w, OutputProcessingFailed, CodeMissingRecordID,
				"The function's response lacks record "+b.Records[i].RecordID, attempts))
			continue
		}
		r := br.Records[i]
		switch r.Status {
		case engine.Ok:
			if r.Data != nil {
				w.data = r.Data
			}
			w.lambdaKeys = r.PartitionKeys
			out = append(out, w)
		case engine.Dropped:
			res.Dropped++
		default:
			msg := "The function returned ProcessingFailed (or no result) for record " + b.Records[i].RecordID
			if br.ErrorMessage != "" {
				msg = br.ErrorMessage
			}
			res.Failed = append(res.Failed, p.fail(w, OutputProcessingFailed, CodeProcessingFailed, msg, attempts))
		}
	}
	return out, nil
}

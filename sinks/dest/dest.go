package dest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/kinesin/kinesin/internal/clock"
)

// Record is one processed record ready for a destination.
type Record struct {
	// ID is the record's id as PutRecord(Batch) answered it.
	ID string
	// Data is the record after processing (and the delimiter, if any).
	Data []byte
	// Arrival is when Firehose received the record.
	Arrival time.Time
}

// Batch is one buffer of records, in arrival order.
type Batch struct {
	Records []Record
	// Oldest is the arrival time of the oldest record (it names S3 objects
	// and prefixes).
	Oldest time.Time
	// Partition holds the dynamic-partitioning keys shared by every record
	// of the batch: "partitionKeyFromQuery:k" and "partitionKeyFromLambda:k"
	// mapped to values (nil without dynamic partitioning).
	Partition map[string]string
}

// Bytes is the sum of the records' data lengths.
func (b Batch) Bytes() int {
	n := 0
	for _, r := range b.Records {
		n += len(r.Data)
	}
	return n
}

// Failure is a record a destination gave up on. It is written to the S3
// backup under the error output prefix with OutputType as
// !{firehose:error-output-type}.
type Failure struct {
	Record
	// OutputType is Firehose's error-output-type for the destination, e.g.
	// "http-endpoint-failed", "elasticsearch-failed", "splunk-failed".
	OutputType    string
	ErrorCode     string
	ErrorMessage  string
	AttemptsMade  int
	AttemptEnding time.Time
	// Extra holds destination-specific members of the failure document
	// (e.g. "esDocumentId", "esIndexName" for OpenSearch); they are added
	// to the JSON document as they are.
	Extra map[string]any
}

// MarshalJSON writes the failure document as Firehose writes it to the S3
// backup: attemptsMade, arrivalTimestamp and attemptEndingTimestamp
// (milliseconds since the epoch), errorCode, errorMessage, rawData
// (base64), then Extra's members.
func (f Failure) MarshalJSON() ([]byte, error) {
	doc := map[string]any{
		"attemptsMade":           f.AttemptsMade,
		"arrivalTimestamp":       f.Arrival.UnixMilli(),
		"errorCode":              f.ErrorCode,
		"errorMessage":           f.ErrorMessage,
		"attemptEndingTimestamp": f.AttemptEnding.UnixMilli(),
		"rawData":                base64.StdEncoding.EncodeToString(f.Data),
	}
	for k, v := range f.Extra {
		doc[k] = v
	}
	return json.Marshal(doc)
}

// FailAll makes a Failure of every record of b with the same cause.
func FailAll(b Batch, outputType, code, message string, attempts int) []Failure {
	now := time.Now()
	fs := make([]Failure, len(b.Records))
	for i, r := range b.Records {
		fs[i] = Failure{Record: r, OutputType: outputType, ErrorCode: code, ErrorMessage: message,
			AttemptsMade: attempts, AttemptEnding: now}
	}
	return fs
}

// Destination delivers batches to one place.
type Destination interface {
	// Deliver delivers b, retrying as the destination's configuration
	// says, and answers the records it finally gave up on. An error means
	// nothing was given up on and the batch is to be delivered again
	// later (the context ended, or the destination cannot be reached in a
	// way that retrying in place does not help).
	Deliver(ctx context.Context, b Batch) ([]Failure, error)
	// Close releases the destination's resources (connections, clients).
	Close() error
}

// Retry is Firehose's retry policy: attempts spaced by exponential backoff
// with jitter, given up once Duration has passed since the first attempt
// (RetryOptions.DurationInSeconds). A Duration of 0 means one attempt.
type Retry struct {
	Duration time.Duration
	// Initial is the first wait (default 1 s); each wait doubles up to Max
	// (default 2 min), then jitter of up to half the wait is added.
	Initial time.Duration
	Max     time.Duration
}

// Do calls attempt until it answers done, ctx ends, or the next attempt
// would start after Duration. It answers the number of attempts made and
// the last attempt's error (nil when done). attempt gets the attempt number,
// starting at 1.
func (r Retry) Do(ctx context.Context, attempt func(n int) (done bool, err error)) (int, error) {
	initial, maxWait := r.Initial, r.Max
	if initial <= 0 {
		initial = time.Second
	}
	if maxWait <= 0 {
		maxWait = 2 * time.Minute
	}
	start := time.Now()
	wait := initial
	for n := 1; ; n++ {
		done, err := attempt(n)
		if done {
			return n, nil
		}
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		d := wait + rand.N(wait/2+1)
		if time.Since(start)+d > r.Duration {
			return n, err
		}
		if !clock.Sleep(ctx, d) {
			return n, ctx.Err()
		}
		wait = min(wait*2, maxWait)
	}
}

// Options are what every destination gets besides its configuration.
type Options struct {
	// Stream and StreamARN name the delivery stream.
	Stream    string
	StreamARN string
	// TimeUnit is the length of the configuration's "seconds" (buffering
	// intervals, retry durations, backoff); tests make it short. Default 1 s.
	TimeUnit time.Duration
	Logger   *slog.Logger
}

// Seconds is n of the configuration's seconds.
func (o Options) Seconds(n int64) time.Duration {
	u := o.TimeUnit
	if u <= 0 {
		u = time.Second
	}
	return time.Duration(n) * u
}

// Log is o.Logger, or slog's default.
func (o Options) Log() *slog.Logger {
	if o.Logger == nil {
		return slog.Default()
	}
	return o.Logger
}

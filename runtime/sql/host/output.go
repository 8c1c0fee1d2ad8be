package host

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/router/kinesis"
	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/records"
	"github.com/kinesin/kinesin/sinks/process"
)

// FirehoseClient writes records to a Firehose delivery stream
// (PutRecordBatch: the whole batch is stored, or an error); router/firehose
// implements it.
type FirehoseClient interface {
	PutRecordBatch(ctx context.Context, deliveryStreamName string, records [][]byte) error
}

// Output batching: a batch goes at most this many records (PutRecords'
// and PutRecordBatch's limit) and bytes.
const (
	maxOutputRecords = 500
	maxOutputBytes   = 4 << 20
)

type outputKind int

const (
	toKinesis outputKind = iota
	toFirehose
	toLambda
)

var firehoseARN = regexp.MustCompile(`^arn:[^:]*:firehose:[^:]*:[^:]*:deliverystream/([a-zA-Z0-9_.-]{1,64})$`)

// DeliveryStreamName is the name in a Firehose delivery stream ARN.
func DeliveryStreamName(arn string) (string, error) {
	m := firehoseARN.FindStringSubmatch(arn)
	if m == nil {
		return "", fmt.Errorf("host: %q is not a Firehose delivery stream ARN", arn)
	}
	return m[1], nil
}

// output is one OutputDescription: the rows of one in-application stream
// going to one destination.
type output struct {
	a       *app
	name    string // in-application stream
	kind    outputKind
	arn     string // Kinesis stream ARN
	target  string // delivery stream name or function name
	qual    string // function qualifier
	f       *records.Formatter
	pending [][]byte
	bytes   int
	nextID  uint64 // Lambda record ids
}

func (a *app) newOutput(d types.OutputDescription) (*output, error) {
	o := &output{a: a}
	if d.Name == nil || *d.Name == "" {
		return nil, errors.New("host: output without an in-application stream name")
	}
	o.name = *d.Name
	switch {
	case d.KinesisStreamsOutputDescription != nil && d.KinesisStreamsOutputDescription.ResourceARN != nil:
		o.kind, o.arn = toKinesis, *d.KinesisStreamsOutputDescription.ResourceARN
		o.target = o.arn
		if a.c.Kinesis == nil {
			return nil, errors.New("host: Config.Kinesis is required for a KinesisStreamsOutput")
		}
	case d.KinesisFirehoseOutputDescription != nil && d.KinesisFirehoseOutputDescription.ResourceARN != nil:
		name, err := DeliveryStreamName(*d.KinesisFirehoseOutputDescription.ResourceARN)
		if err != nil {
			return nil, err
		}
		o.kind, o.target = toFirehose, name
		if a.c.Firehose == nil {
			return nil, errors.New("host: Config.Firehose is required for a KinesisFirehoseOutput")
		}
	case d.LambdaOutputDescription != nil && d.LambdaOutputDescription.ResourceARN != nil:
		name, qual, err := process.ParseLambdaArn(*d.LambdaOutputDescription.ResourceARN)
		if err != nil {
			return nil, fmt.Errorf("host: %w", err)
		}
		o.kind, o.target, o.qual = toLambda, name, qual
		if a.c.Functions == nil {
			return nil, errors.New("host: Config.Functions is required for a LambdaOutput")
		}
	default:
		return nil, fmt.Errorf("host: output %s has no destination", o.name)
	}
	schema := types.DestinationSchema{RecordFormatType: types.RecordFormatTypeJson}
	if d.DestinationSchema != nil {
		schema = *d.DestinationSchema
	}
	cols, ok := a.streamColumns(o.name)
	if !ok {
		a.log.Warn("host: output names an in-application stream the code does not create", "stream", o.name)
	}
	f, err := records.NewFormatter(schema, cols)
	if err != nil {
		return nil, fmt.Errorf("host: output %s: %w", o.name, err)
	}
	o.f = f
	return o, nil
}

func (o *output) add(row eval.Row) {
	b := o.f.Append(nil, row)
	o.pending = append(o.pending, b)
	o.bytes += len(b)
}

func (o *output) full() bool { return len(o.pending) >= maxOutputRecords || o.bytes >= maxOutputBytes }

// flush sends every pending record, retrying until it succeeds or ctx
// ends (then the unsent records stay pending and the error is returned).
func (o *output) flush(ctx context.Context) error {
	for len(o.pending) > 0 {
		n, size := 0, 0
		for n < len(o.pending) && n < maxOutputRecords && (n == 0 || size+len(o.pending[n]) <= maxOutputBytes) {
			size += len(o.pending[n])
			n++
		}
		chunk := o.pending[:n]
		var err error
		switch o.kind {
		case toKinesis:
			err = o.putKinesis(ctx, chunk)
		case toFirehose:
			err = o.putFirehose(ctx, chunk)
		case toLambda:
			err = o.putLambda(ctx, chunk)
		}
		if err != nil {
			return err
		}
		o.a.m.outputRecords.WithLabelValues(o.a.c.Name, o.name).Add(float64(n))
		o.a.m.outputBytes.WithLabelValues(o.a.c.Name, o.name).Add(float64(size))
		clear(o.pending[:n])
		o.pending = o.pending[n:]
		o.bytes -= size
	}
	o.pending, o.bytes = o.pending[:0], 0
	return nil
}

// backoff waits before attempt n+1 (n ≥ 1) and reports whether ctx is
// still live.
func (o *output) backoff(ctx context.Context, n int, what string, err error) bool {
	d := o.a.c.TimeUnit / 10 << min(n-1, 6)
	d = min(d, 5*o.a.c.TimeUnit)
	if n == 1 || n%10 == 0 {
		o.a.log.Warn("host: output delivery failed, retrying", "output", o.name, "destination", o.target, "what", what, "attempt", n, "err", err)
	}
	return clock.Sleep(ctx, d)
}

func (o *output) putKinesis(ctx context.Context, chunk [][]byte) error {
	todo := make([]kinesis.PutEntry, len(chunk))
	for i, b := range chunk {
		// Kinesis Data Analytics spreads output records over the
		// stream's shards with random partition keys.
		todo[i] = kinesis.PutEntry{PartitionKey: uuid.New(), Data: b}
	}
	for attempt := 1; ; attempt++ {
		res, err := o.a.c.Kinesis.PutRecords(ctx, o.arn, todo)
		if err == nil {
			failed := todo[:0:0]
			var first string
			for i, r := range res {
				if r.ErrorCode != "" {
					failed = append(failed, todo[i])
					if first == "" {
						first = r.ErrorCode + ": " + r.ErrorMessage
					}
				}
			}
			if len(failed) == 0 {
				return nil
			}
			todo, err = failed, fmt.Errorf("%d records failed: %s", len(failed), first)
		}
		if ctx.Err() != nil || !o.backoff(ctx, attempt, "PutRecords", err) {
			return fmt.Errorf("host: output %s: %w", o.name, context.Cause(ctx))
		}
	}
}

func (o *output) putFirehose(ctx context.Context, chunk [][]byte) error {
	for attempt := 1; ; attempt++ {
		err := o.a.c.Firehose.PutRecordBatch(ctx, o.target, chunk)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !o.backoff(ctx, attempt, "PutRecordBatch", err) {
			return fmt.Errorf("host: output %s: %w", o.name, context.Cause(ctx))
		}
	}
}

// putLambda invokes the function with the records until it answers Ok
// for each; records it answers DeliveryFailed for (or leaves out) go again
// with a higher retryHint, after a backoff.
func (o *output) putLambda(ctx context.Context, chunk [][]byte) error {
	ev := &deliveryEvent{ApplicationARN: o.a.c.ARN, Records: make([]deliveryRecord, len(chunk))}
	for i, b := range chunk {
		o.nextID++
		ev.Records[i] = deliveryRecord{RecordID: strconv.FormatUint(o.nextID, 10), Data: b}
	}
	for attempt := 1; ; attempt++ {
		ev.InvocationID = uuid.New()
		resp, err := invokeJSON(ctx, o.a.c.Functions, o.target, o.qual, ev)
		var ok []bool
		if err == nil {
			ok, err = decodeDelivery(ev, resp)
		}
		if err == nil {
			left := ev.Records[:0]
			for i, r := range ev.Records {
				if !ok[i] {
					r.Metadata.RetryHint++
					left = append(left, r)
				}
			}
			o.a.m.lambdaOk.WithLabelValues(o.a.c.Name, o.name).Add(float64(len(ev.Records) - len(left)))
			o.a.m.lambdaFailed.WithLabelValues(o.a.c.Name, o.name).Add(float64(len(left)))
			if len(left) == 0 {
				return nil
			}
			ev.Records = left
			err = fmt.Errorf("%d records DeliveryFailed", len(left))
		} else {
			for i := range ev.Records {
				ev.Records[i].Metadata.RetryHint++
			}
		}
		if ctx.Err() != nil || !o.backoff(ctx, attempt, "Invoke", err) {
			return fmt.Errorf("host: output %s: %w", o.name, context.Cause(ctx))
		}
	}
}

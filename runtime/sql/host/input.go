package host

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/router/firehose"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/records"
	"github.com/kinesin/kinesin/sinks/process"
	"github.com/kinesin/kinesin/triggers/reader"
)

// MaxParallelism is the most in-application streams one input may have
// (InputParallelism Count).
const MaxParallelism = 64

// streamMetaColumns are the metadata columns of a Kinesis stream input.
var streamMetaColumns = []engine.Column{
	{Name: "APPROXIMATE_ARRIVAL_TIME", Type: eval.Type{Kind: eval.Timestamp}},
	{Name: "PARTITION_KEY", Type: eval.Type{Kind: eval.Varchar, Len: 256}},
	{Name: "SEQUENCE_NUMBER", Type: eval.Type{Kind: eval.Varchar, Len: 128}},
	{Name: "SHARD_ID", Type: eval.Type{Kind: eval.Varchar, Len: 64}},
}

// InputColumns are the columns of an input's in-application streams: the
// record columns, then the metadata columns the host fills — the arrival
// time and, for a Kinesis stream, the record's partition key, sequence
// number and shard.
func InputColumns(record []engine.Column, kinesisStream bool) []engine.Column {
	meta := streamMetaColumns
	if !kinesisStream {
		meta = meta[:1]
	}
	return append(append(make([]engine.Column, 0, len(record)+len(meta)), record...), meta...)
}

var kinesisARN = regexp.MustCompile(`^arn:[^:]*:kinesis:[^:]*:[^:]*:stream/([a-zA-Z0-9_.-]{1,128})$`)

// input is one InputDescription.
type input struct {
	key      string // InputId, or "<index>" when none
	prefix   string // NamePrefix
	n        int    // in-application streams (parallelism)
	base     int    // engine input index of NamePrefix_001
	firehose bool
	source   string // Kinesis stream or delivery stream name
	arn      string
	parser   *records.Parser
	cols     []engine.Column // RecordColumns, then metadata
	fn, qual string          // preprocessing function, "" when none

	state   *inputState
	workers map[int]*worker // Kinesis shards (or -1: the delivery stream) being read
	behind  map[int]int64   // ms behind per shard, 0 when caught up
	missing bool            // the source was found missing (logged once)
	ack     jetstream.Msg   // last delivery stream batch handled, to acknowledge after the next checkpoint
}

func (a *app) newInput(i int, d types.InputDescription) (*input, error) {
	in := &input{key: strconv.Itoa(i), n: 1, workers: map[int]*worker{}, behind: map[int]int64{}}
	if d.InputId != nil && *d.InputId != "" {
		in.key = *d.InputId
	}
	if d.NamePrefix == nil || *d.NamePrefix == "" {
		return nil, fmt.Errorf("host: input %s has no NamePrefix", in.key)
	}
	in.prefix = *d.NamePrefix
	if d.InputParallelism != nil && d.InputParallelism.Count != nil {
		in.n = int(*d.InputParallelism.Count)
		if in.n < 1 || in.n > MaxParallelism {
			return nil, fmt.Errorf("host: input %s: InputParallelism Count %d is not within 1–%d", in.prefix, in.n, MaxParallelism)
		}
	}
	switch {
	case d.KinesisStreamsInputDescription != nil && d.KinesisStreamsInputDescription.ResourceARN != nil:
		in.arn = *d.KinesisStreamsInputDescription.ResourceARN
		m := kinesisARN.FindStringSubmatch(in.arn)
		if m == nil {
			return nil, fmt.Errorf("host: input %s: %q is not a Kinesis stream ARN", in.prefix, in.arn)
		}
		in.source = m[1]
		if a.c.Streams == nil {
			return nil, errors.New("host: Config.Streams is required for a Kinesis stream input")
		}
	case d.KinesisFirehoseInputDescription != nil && d.KinesisFirehoseInputDescription.ResourceARN != nil:
		in.arn = *d.KinesisFirehoseInputDescription.ResourceARN
		name, err := DeliveryStreamName(in.arn)
		if err != nil {
			return nil, err
		}
		in.source, in.firehose = name, true
	default:
		return nil, fmt.Errorf("host: input %s has no source", in.prefix)
	}
	if d.InputSchema == nil {
		return nil, fmt.Errorf("host: input %s has no InputSchema", in.prefix)
	}
	p, err := records.NewParser(*d.InputSchema)
	if err != nil {
		return nil, fmt.Errorf("host: input %s: %w", in.prefix, err)
	}
	in.parser = p
	in.cols = InputColumns(p.Columns(), !in.firehose)
	if pc := d.InputProcessingConfigurationDescription; pc != nil && pc.InputLambdaProcessorDescription != nil &&
		pc.InputLambdaProcessorDescription.ResourceARN != nil {
		in.fn, in.qual, err = process.ParseLambdaArn(*pc.InputLambdaProcessorDescription.ResourceARN)
		if err != nil {
			return nil, fmt.Errorf("host: input %s: %w", in.prefix, err)
		}
		if a.c.Functions == nil {
			return nil, errors.New("host: Config.Functions is required for an InputLambdaProcessor")
		}
	}
	return in, nil
}

// streamName is the name of in-application stream k (0-based).
func (in *input) streamName(k int) string { return fmt.Sprintf("%s_%03d", in.prefix, k+1) }

// engineInputs are the input's in-application streams.
func (in *input) engineInputs() []engine.Input {
	out := make([]engine.Input, in.n)
	for k := range out {
		out[k] = engine.Input{Name: in.streamName(k), Columns: in.cols}
	}
	return out
}

// msg is what a worker hands the application loop: one read batch turned
// into rows, or a shard's end, or a sign that the reader caught up.
type msg struct {
	w        *worker
	in       *input
	shard    int // -1: the delivery stream
	rows     []inRow
	errs     []errRecord
	next     shardstore.Position
	seq      uint64        // delivery stream batch handled (0: none)
	ack      jetstream.Msg // its message, acknowledged once checkpointed
	advanced bool          // next / seq hold a new position
	finished bool
	exit     bool // the worker ended
	caughtUp bool
	arrival  time.Time // of the batch's last record
	records  int
	bytes    int
}

type inRow struct {
	stream int // in-application stream of the input
	values eval.Row
}

// errRecord is a record that becomes an error_stream row.
type errRecord struct {
	name, message string
	data          []byte
}

// worker reads one shard (or the delivery stream) of an input.
type worker struct {
	a      *app
	in     *input
	shard  int
	st     *shardstore.Stream
	cancel context.CancelFunc
	done   chan struct{}
	// pos is where a shard is read from (hasPos false: the starting
	// position); seq the last delivery stream batch handled.
	pos    shardstore.Position
	hasPos bool
	seq    uint64
	fresh  bool // delete the delivery stream consumer first
}

// startWorker starts reading a shard (or, shard -1, the delivery stream)
// from the input's state.
func (a *app) startWorker(in *input, st *shardstore.Stream, shard int) {
	ctx, cancel := context.WithCancel(a.workCtx)
	w := &worker{a: a, in: in, shard: shard, st: st, cancel: cancel, done: make(chan struct{}), seq: in.state.Seq, fresh: !a.resumed}
	if s, ok := in.state.Shards[shard]; ok && shard >= 0 {
		w.pos, w.hasPos = s.Position, true
	}
	in.workers[shard] = w
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer close(w.done)
		if in.firehose {
			w.readFirehose(ctx)
		} else {
			w.readShard(ctx)
		}
		// The loop forgets the worker once it handled every message
		// before this one, so a restarted reader never starts behind a
		// batch still queued.
		w.send(a.workCtx, msg{exit: true})
	}()
}

// send hands m to the application loop; false when the worker must stop.
func (w *worker) send(ctx context.Context, m msg) bool {
	m.w, m.in, m.shard = w, w.in, w.shard
	select {
	case w.a.msgs <- m:
		return true
	case <-ctx.Done():
		return false
	}
}

// readShard reads a Kinesis shard from its checkpointed position (or the
// starting position) until it ends, the worker is stopped, or the stream
// is gone.
func (w *worker) readShard(ctx context.Context) {
	a, in := w.a, w.in
	log := a.log.With("input", in.prefix, "shard", shardstore.ShardID(w.shard))
	pos, loaded := w.pos, w.hasPos
	batcher := reader.Batcher{BatchSize: 1000, Wake: func() time.Time { return time.Now().Add(a.c.TimeUnit) }}
	if in.fn != "" {
		// The event carries data in base64: keep it under Lambda's 6 MB.
		batcher.MaxBytes = 3 << 20
	}
	for backoff := a.c.TimeUnit / 10; ; backoff = min(2*backoff, 5*time.Second) {
		if ctx.Err() != nil {
			return
		}
		if !loaded {
			p, err := w.startPosition(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("host: find the starting position, retrying", "err", err)
				}
				if !clock.Sleep(ctx, backoff) {
					return
				}
				continue
			}
			pos, loaded = p, true
		}
		end, err := reader.ReadShard(ctx, a.c.Streams, in.source, w.shard, pos, batcher,
			func(ctx context.Context, batch []shardstore.StoredRecord) (shardstore.Position, error) {
				if len(batch) == 0 {
					if !w.send(ctx, msg{in: in, shard: w.shard, caughtUp: true}) {
						return pos, ctx.Err()
					}
					return pos, nil
				}
				m, err := w.convert(ctx, batch)
				if err != nil {
					return pos, err
				}
				if !w.send(ctx, m) {
					return pos, ctx.Err()
				}
				pos = m.next
				return pos, nil
			})
		if end {
			w.send(ctx, msg{in: in, shard: w.shard, finished: true, next: pos, advanced: true})
			return
		}
		if ctx.Err() != nil || errors.Is(err, shardstore.ErrNotFound) || errors.Is(err, reader.ErrStreamReplaced) {
			return
		}
		log.Warn("host: reading shard failed, retrying", "err", err)
		if !clock.Sleep(ctx, backoff) {
			return
		}
	}
}

// startPosition is where a shard without a checkpointed position is read
// from: its start, or (starting position NOW) the first record at or
// after the run's start; see sinks/source for why the earlier of the tip
// and AtTime.
func (w *worker) startPosition(ctx context.Context) (shardstore.Position, error) {
	start := w.a.notBefore
	if start.IsZero() {
		return shardstore.Position{}, nil
	}
	store := w.a.c.Streams
	tip, err := store.Tip(ctx, w.st, w.shard)
	if err != nil {
		return shardstore.Position{}, err
	}
	at, err := store.AtTime(ctx, w.st, w.shard, start)
	if err != nil {
		return shardstore.Position{}, err
	}
	if tip.Less(at) {
		at = tip
	}
	return at, nil
}

// raw is one record on its way to rows.
type raw struct {
	data    []byte
	arrival time.Time
	key     string
	seq     string
}

// convert preprocesses and parses a read batch.
func (w *worker) convert(ctx context.Context, batch []shardstore.StoredRecord) (msg, error) {
	in := w.in
	m := msg{in: in, shard: w.shard, next: reader.After(batch), advanced: true}
	m.arrival = batch[len(batch)-1].Arrival
	recs := make([]raw, 0, len(batch))
	shardID := shardstore.ShardID(w.shard)
	for i := range batch {
		r := &batch[i]
		if r.Arrival.Before(w.a.notBefore) {
			continue
		}
		m.records++
		m.bytes += len(r.Data)
		recs = append(recs, raw{data: r.Data, arrival: r.Arrival, key: string(r.Key), seq: shardstore.FormatSeq(w.shard, r.Pos)})
	}
	if in.fn != "" && len(recs) > 0 {
		var err error
		if recs, err = w.preprocess(ctx, recs, &m); err != nil {
			return m, err
		}
	}
	stream := w.shard % in.n
	for _, r := range recs {
		meta := []eval.Value{eval.TimestampMillis(r.arrival.UnixMilli()), eval.Str(r.key), eval.Str(r.seq), eval.Str(shardID)}
		m.parse(r.data, stream, meta)
	}
	return m, nil
}

// parse adds the rows of one record (or its error) to m.
func (m *msg) parse(data []byte, stream int, meta []eval.Value) {
	in := m.in
	start := len(m.rows)
	err := in.parser.Parse(data, func(row eval.Row) error {
		vals := make(eval.Row, 0, len(row)+len(meta))
		vals = append(append(vals, row...), meta...)
		m.rows = append(m.rows, inRow{stream: stream, values: vals})
		return nil
	})
	if err != nil {
		// A record that does not parse is one error row, none of its
		// rows go in.
		m.rows = m.rows[:start]
		name, text := records.ErrorNameParse, err.Error()
		var re *records.Error
		if errors.As(err, &re) {
			name, text = re.Name, re.Message
		}
		m.errs = append(m.errs, errRecord{name: name, message: text, data: data})
	}
}

// preprocess runs records through the input's Lambda function: Ok
// records go on with the data it returned, Dropped ones are left out,
// ProcessingFailed ones become error rows. A failed invocation is retried
// with backoff until it succeeds or the worker stops.
func (w *worker) preprocess(ctx context.Context, recs []raw, m *msg) ([]raw, error) {
	a, in := w.a, w.in
	ev := &preprocessEvent{ApplicationARN: a.c.ARN, StreamARN: in.arn, Records: make([]preprocessRecord, len(recs))}
	ids := make([]string, len(recs))
	for i, r := range recs {
		id := r.seq
		if id == "" {
			id = strconv.Itoa(i)
		}
		ids[i] = id
		pr := preprocessRecord{RecordID: id, Data: r.data}
		if in.firehose {
			pr.Firehose = &firehoseRecordMetadata{ApproximateArrivalTimestamp: r.arrival.UnixMilli()}
		} else {
			pr.Stream = &streamRecordMetadata{SequenceNumber: r.seq, PartitionKey: r.key,
				ShardID: shardstore.ShardID(w.shard), ApproximateArrivalTimestamp: r.arrival.UnixMilli()}
		}
		ev.Records[i] = pr
	}
	var res []processed
	for attempt, backoff := 1, a.c.TimeUnit/10; ; attempt, backoff = attempt+1, min(2*backoff, 5*a.c.TimeUnit) {
		ev.InvocationID = uuid.New()
		resp, err := invokeJSON(ctx, a.c.Functions, in.fn, in.qual, ev)
		if err == nil {
			res, err = decodePreprocess(ids, resp)
			if err == nil {
				break
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if attempt == 1 || attempt%10 == 0 {
			a.log.Warn("host: input preprocessing failed, retrying", "input", in.prefix, "function", in.fn, "attempt", attempt, "err", err)
		}
		if !clock.Sleep(ctx, backoff) {
			return nil, ctx.Err()
		}
	}
	out := recs[:0]
	var ok, dropped, failed int
	for i, r := range recs {
		switch res[i].result {
		case resultOk:
			ok++
			r.data = res[i].data
			out = append(out, r)
		case resultDropped:
			dropped++
		default:
			failed++
			m.errs = append(m.errs, errRecord{name: "Lambda_ProcessingFailed",
				message: "The preprocessing function returned ProcessingFailed (or no result) for record " + ids[i], data: r.data})
		}
	}
	a.m.procOk.WithLabelValues(a.c.Name, in.prefix).Add(float64(ok))
	a.m.procDropped.WithLabelValues(a.c.Name, in.prefix).Add(float64(dropped))
	a.m.procFailed.WithLabelValues(a.c.Name, in.prefix).Add(float64(failed))
	return out, nil
}

// readFirehose reads the delivery stream's record stream (JetStream
// stream firehose.StreamName) with an ordered consumer from the
// checkpointed batch on. A record stream kept as a work queue (the
// delivery stream's own delivery consumes it) admits no second consumer:
// Run then logs it and keeps trying.
func (w *worker) readFirehose(ctx context.Context) {
	a, in := w.a, w.in
	js := a.c.JS
	log := a.log.With("input", in.prefix, "deliveryStream", in.source)
	warned := false
	for backoff := a.c.TimeUnit; ; backoff = min(2*backoff, 30*time.Second) {
		if ctx.Err() != nil {
			return
		}
		err := w.consumeFirehose(ctx, js)
		if ctx.Err() != nil {
			return
		}
		if !errors.Is(err, errWorkQueue) || !warned {
			log.Warn("host: reading the delivery stream failed, retrying", "err", err)
		}
		warned = warned || errors.Is(err, errWorkQueue)
		if !clock.Sleep(ctx, backoff) {
			return
		}
	}
}

var errWorkQueue = errors.New("host: the delivery stream's records are kept as a work queue, which admits no second consumer")

// firehoseConsumer is the durable consumer of an application's input on
// a delivery stream's record stream.
func firehoseConsumer(app, inputKey string) string {
	return appID(app) + "_" + strings.NewReplacer(".", "_", "*", "_", ">", "_", " ", "_").Replace(inputKey)
}

// consumeFirehose reads the record stream with the application's durable
// consumer. Batches are acknowledged (AckAll) only once a checkpoint
// covers them, so a record stream kept by interest holds what the
// application has not checkpointed; batches delivered again (the ack wait
// passed, or the Run restarted) at or below the last one handled are
// skipped.
func (w *worker) consumeFirehose(ctx context.Context, js jetstream.JetStream) error {
	a, in := w.a, w.in
	s, err := js.Stream(ctx, firehose.StreamName(in.source))
	if err != nil {
		return err
	}
	if s.CachedInfo().Config.Retention == jetstream.WorkQueuePolicy {
		return errWorkQueue
	}
	name := firehoseConsumer(a.c.Name, in.key)
	if w.fresh {
		// A fresh start (NOW, TRIM_HORIZON) begins anew.
		if err := s.DeleteConsumer(ctx, name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return err
		}
		w.fresh = false
	}
	cons, err := s.Consumer(ctx, name)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		cfg := jetstream.ConsumerConfig{Durable: name, AckPolicy: jetstream.AckAllPolicy, AckWait: 5 * time.Minute,
			MaxAckPending: -1, InactiveThreshold: 24 * time.Hour, DeliverPolicy: jetstream.DeliverAllPolicy,
			Description: "kinesin Data Analytics application " + a.c.Name}
		switch {
		case w.seq > 0:
			cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, w.seq+1
		case !a.notBefore.IsZero():
			t := a.notBefore
			cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &t
		}
		cons, err = s.CreateConsumer(ctx, cfg)
	}
	if err != nil {
		return err
	}
	for {
		batch, err := cons.Fetch(100, jetstream.FetchMaxWait(max(a.c.TimeUnit, 100*time.Millisecond)))
		if err != nil {
			return err
		}
		m := msg{in: in}
		n := 0
		for jm := range batch.Messages() {
			n++
			md, err := jm.Metadata()
			if err != nil {
				return err
			}
			if md.Sequence.Stream <= max(w.seq, m.seq) {
				continue // delivered again
			}
			recs, err := firehose.DecodeMsg(jm)
			if err != nil {
				a.log.Warn("host: skipping a corrupt delivery stream batch", "input", in.prefix, "seq", md.Sequence.Stream, "err", err)
				recs = nil
			}
			m.seq, m.advanced, m.arrival, m.ack = md.Sequence.Stream, true, md.Timestamp, jm
			raws := make([]raw, 0, len(recs))
			for _, r := range recs {
				m.records++
				m.bytes += len(r)
				raws = append(raws, raw{data: r, arrival: md.Timestamp})
			}
			if in.fn != "" && len(raws) > 0 {
				if raws, err = w.preprocess(ctx, raws, &m); err != nil {
					return err
				}
			}
			stream := int(md.Sequence.Stream % uint64(in.n))
			for _, r := range raws {
				m.parse(r.data, stream, []eval.Value{eval.TimestampMillis(r.arrival.UnixMilli())})
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && ctx.Err() == nil {
			return err
		}
		if n == 0 {
			m.caughtUp = true
		}
		if !w.send(ctx, m) {
			return ctx.Err()
		}
		if m.seq > 0 {
			w.seq = m.seq
		}
	}
}

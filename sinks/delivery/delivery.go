package delivery

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/sinks/dest"
	"github.com/kinesin/kinesin/sinks/keys"
	"github.com/kinesin/kinesin/sinks/process"
)

// ErrorWriter writes failures to the error output (sinks/s3.Destination).
type ErrorWriter interface {
	WriteErrors(ctx context.Context, t time.Time, failures []dest.Failure) error
}

// Stats describe one delivered buffer.
type Stats struct {
	Records int // records delivered
	Bytes   int // their bytes
	Failed  int // records given up on (to the error output)
	// Oldest is the arrival time of the buffer's oldest record.
	Oldest   time.Time
	Duration time.Duration
}

// Config is one delivery stream's loop.
type Config struct {
	// Stream names the delivery stream in logs.
	Stream string
	// SizeBytes and Interval are the buffering hints; an Interval of 0
	// delivers as soon as the records at hand are read.
	SizeBytes int
	Interval  time.Duration
	// Split returns the records stored in one message.
	Split func(m jetstream.Msg) ([][]byte, error)
	// RecordID names record index of the message stored at stream
	// sequence seq, as the API answered it.
	RecordID func(seq uint64, index int) string
	// Pipeline processes records as they are read (nil: none).
	Pipeline *process.Pipeline
	// Partition, when dynamic partitioning is on, lists the keys that
	// make a record's partition (sinks/keys.Prefix.PartitionKeys).
	Partition []keys.PartitionKeyRef
	// Destination delivers buffers; Errors writes what is given up on.
	Destination dest.Destination
	Errors      ErrorWriter
	// Backup, when set, also gets every buffer (S3BackupMode AllData).
	Backup dest.Destination
	// SourceBackup, when set, gets the records as they were stored,
	// before processing (ExtendedS3's S3BackupMode Enabled).
	SourceBackup dest.Destination
	// Concurrency is how many buffers are delivered at once (default 2).
	Concurrency int
	// AckWait is the consumer's AckWait: the loop marks held messages in
	// progress three times per AckWait.
	AckWait time.Duration
	// Observe hears of every delivered buffer (nil: nobody).
	Observe func(Stats)
	// MaxPartitions bounds the active partitions (buffers being filled or
	// delivered); records of a new partition beyond it go to the error
	// output as Firehose sends them (default 500, Firehose's quota).
	MaxPartitions int
	// Partitions hears of the number of open buffers (active dynamic
	// partitions) after every read (nil: nobody).
	Partitions func(n int)
	// Processed hears of every processing round: records in, ok, failed,
	// dropped and how long it took (nil: nobody).
	Processed func(in, ok, failed, dropped int, d time.Duration)
	Logger    *slog.Logger
}

// fetchBatch is how many stored messages one pull asks for.
const fetchBatch = 64

// idlePoll is how long a pull waits when nothing is buffered.
const idlePoll = time.Second

// pending is one stored message whose records are not all delivered.
type pending struct {
	msg  jetstream.Msg
	seq  uint64 // stream sequence
	refs atomic.Int64
	// naked is set once the message was handed back to JetStream; it is
	// not acknowledged then.
	naked atomic.Bool
}

// buffer is one partition's records waiting for delivery.
type buffer struct {
	key     string
	batch   dest.Batch
	size    int
	started time.Time
	from    map[*pending]int64 // records per message
	source  []dest.Record      // stored records, for SourceBackup
}

func (b *buffer) add(r dest.Record, p *pending) {
	if len(b.batch.Records) == 0 || r.Arrival.Before(b.batch.Oldest) {
		b.batch.Oldest = r.Arrival
	}
	b.batch.Records = append(b.batch.Records, r)
	b.size += len(r.Data)
	b.from[p]++
	p.refs.Add(1)
}

// loop is one Run's state.
type loop struct {
	cfg     Config
	log     *slog.Logger
	buffers map[string]*buffer
	queue   chan *buffer

	mu   sync.Mutex
	live map[*pending]struct{}
	// inFlight counts buffers handed to the workers and not yet done:
	// their partitions are still active.
	inFlight atomic.Int64
}

// Run delivers cons's messages until ctx ends. Messages not delivered when
// it ends are negatively acknowledged, so the next loop (here or in another
// process) gets them at once.
func Run(ctx context.Context, cons jetstream.Consumer, c Config) error {
	if c.Destination == nil || c.Errors == nil || c.Split == nil {
		return errors.New("delivery: Destination, Errors and Split are required")
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 2
	}
	if c.MaxPartitions <= 0 {
		c.MaxPartitions = DefaultMaxPartitions
	}
	ctx, cancel := context.WithCancel(ctx)
	if c.RecordID == nil {
		run := keys.RandomUUID()
		c.RecordID = func(seq uint64, index int) string { return fmt.Sprintf("%s-%d-%d", run, seq, index) }
	}
	l := &loop{cfg: c, log: c.Logger, buffers: map[string]*buffer{}, queue: make(chan *buffer), live: map[*pending]struct{}{}}
	if l.log == nil {
		l.log = slog.Default()
	}
	var wg sync.WaitGroup
	for range c.Concurrency {
		wg.Go(func() {
			for b := range l.queue {
				l.flush(ctx, b)
			}
		})
	}
	if c.AckWait > 0 {
		wg.Go(func() { l.keepAlive(ctx) })
	}
	defer func() {
		cancel()
		close(l.queue)
		wg.Wait()
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, p := range inOrder(l.live) {
			_ = p.msg.Nak()
		}
	}()
	for ctx.Err() == nil {
		wait := idlePoll
		if len(l.buffers) > 0 {
			if c.Interval <= 0 {
				wait = 0
			} else {
				wait = max(time.Until(l.nextDue()), 5*time.Millisecond)
			}
		}
		var batch jetstream.MessageBatch
		var err error
		if wait == 0 {
			batch, err = cons.FetchNoWait(fetchBatch)
		} else {
			batch, err = cons.Fetch(fetchBatch, jetstream.FetchMaxWait(wait))
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			l.log.Warn("firehose: fetch", "stream", c.Stream, "err", err)
			clock.Sleep(ctx, idlePoll)
			continue
		}
		got, ok := l.read(ctx, batch.Messages())
		if !ok {
			break
		}
		if c.Partitions != nil && len(c.Partition) > 0 {
			c.Partitions(len(l.buffers))
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
			l.log.Warn("firehose: fetch", "stream", c.Stream, "err", err)
		}
		now := time.Now()
		for k, b := range l.buffers {
			if c.Interval <= 0 && got < fetchBatch || c.Interval > 0 && now.Sub(b.started) >= c.Interval {
				if !l.send(ctx, b) {
					return nil
				}
				delete(l.buffers, k)
			}
		}
	}
	return nil
}

// read takes the messages of one pull as they arrive: each message with
// the ones already behind it, so buffers fill (and flush by size) while a
// pull is still waiting for more. It answers how many messages came and
// false when ctx ended.
func (l *loop) read(ctx context.Context, ch <-chan jetstream.Msg) (int, bool) {
	got := 0
	for m := range ch {
		group := []jetstream.Msg{m}
	more:
		for len(group) < fetchBatch {
			select {
			case m, ok := <-ch:
				if !ok {
					break more
				}
				group = append(group, m)
			default:
				break more
			}
		}
		got += len(group)
		if !l.take(ctx, group) {
			return got, false
		}
	}
	return got, true
}

// nextDue is when the oldest buffer's interval ends.
func (l *loop) nextDue() time.Time {
	var due time.Time
	for _, b := range l.buffers {
		if t := b.started.Add(l.cfg.Interval); due.IsZero() || t.Before(due) {
			due = t
		}
	}
	return due
}

// take splits, processes and buffers one fetch of messages. It reports
// false when ctx ended.
func (l *loop) take(ctx context.Context, msgs []jetstream.Msg) bool {
	var (
		recs []process.Record
		from []*pending
	)
	for _, m := range msgs {
		parts, err := l.cfg.Split(m)
		if err != nil {
			l.log.Error("firehose: dropping undecodable stored batch", "stream", l.cfg.Stream, "err", err)
			_ = m.Term()
			continue
		}
		at := time.Now()
		var seq uint64
		if md, err := m.Metadata(); err == nil {
			at, seq = md.Timestamp, md.Sequence.Stream
		}
		p := &pending{msg: m, seq: seq}
		p.refs.Store(1) // this fetch's hold, released below
		l.mu.Lock()
		l.live[p] = struct{}{}
		l.mu.Unlock()
		for i, r := range parts {
			recs = append(recs, process.Record{ID: l.cfg.RecordID(seq, i), Data: r, Arrival: at})
			from = append(from, p)
		}
	}
	if l.cfg.SourceBackup != nil {
		b := &buffer{from: map[*pending]int64{}}
		for i, r := range recs {
			b.add(dest.Record{ID: r.ID, Data: r.Data, Arrival: r.Arrival}, from[i])
		}
		b.source = b.batch.Records
		if len(recs) > 0 && !l.send(ctx, b) {
			return false
		}
	}
	res, err := l.process(ctx, recs)
	if err != nil {
		return false
	}
	var failures []dest.Failure
	var failedFrom []*pending
	for _, f := range res.Failed {
		failures = append(failures, failure(f))
		failedFrom = append(failedFrom, from[f.Src])
	}
	for _, r := range res.Ok {
		rec := dest.Record{ID: r.ID, Data: r.Data, Arrival: r.Arrival}
		key, part, err := l.partition(r)
		if err != nil {
			failures = append(failures, dest.Failure{Record: dest.Record{ID: r.ID, Data: recs[r.Src].Data, Arrival: r.Arrival},
				OutputType: keys.ProcessingFailed, ErrorCode: CodePartitionKeyMissing, ErrorMessage: err.Error(),
				AttemptsMade: 1, AttemptEnding: time.Now()})
			failedFrom = append(failedFrom, from[r.Src])
			continue
		}
		b := l.buffers[key]
		if b == nil && len(l.cfg.Partition) > 0 && len(l.buffers)+int(l.inFlight.Load()) >= l.cfg.MaxPartitions {
			failures = append(failures, dest.Failure{Record: dest.Record{ID: r.ID, Data: recs[r.Src].Data, Arrival: r.Arrival},
				OutputType: OutputActivePartitionExceeded, ErrorCode: CodeActivePartitionsExceeded,
				ErrorMessage: fmt.Sprintf("The number of active partitions reached the limit of %d.", l.cfg.MaxPartitions),
				AttemptsMade: 1, AttemptEnding: time.Now()})
			failedFrom = append(failedFrom, from[r.Src])
			continue
		}
		if b == nil {
			b = &buffer{key: key, started: time.Now(), from: map[*pending]int64{}}
			b.batch.Partition = part
			l.buffers[key] = b
		}
		b.add(rec, from[r.Src])
		if b.size >= l.cfg.SizeBytes {
			if !l.send(ctx, b) {
				return false
			}
			delete(l.buffers, key)
		}
	}
	if len(failures) > 0 {
		b := &buffer{from: map[*pending]int64{}}
		for i := range failures {
			b.from[failedFrom[i]]++
			failedFrom[i].refs.Add(1)
		}
		if err := l.cfg.Errors.WriteErrors(ctx, time.Now(), failures); err != nil {
			return false
		}
		l.release(b)
	}
	// Release this fetch's hold on every message.
	seen := map[*pending]bool{}
	for _, p := range from {
		if !seen[p] {
			seen[p] = true
			l.done(p, 1)
		}
	}
	return true
}

// DefaultMaxPartitions is Firehose's default quota of active partitions.
const DefaultMaxPartitions = 500

// Records beyond the active partition quota go to the error output under
// this error-output-type and code.
const (
	OutputActivePartitionExceeded = "activePartitionExceeded"
	CodeActivePartitionsExceeded  = "DynamicPartitioning.ActivePartitionsLimitExceeded"
)

// CodePartitionKeyMissing is the error code of a record that lacks a
// partition key its delivery stream's prefix uses.
const CodePartitionKeyMissing = "DynamicPartitioning.PartitionKeyMissing"

// process runs the pipeline, or passes records through without one.
func (l *loop) process(ctx context.Context, recs []process.Record) (process.Result, error) {
	if l.cfg.Pipeline == nil {
		res := process.Result{Ok: make([]process.OkRecord, len(recs))}
		for i, r := range recs {
			res.Ok[i] = process.OkRecord{Src: i, ID: r.ID, Data: r.Data, Arrival: r.Arrival}
		}
		return res, nil
	}
	start := time.Now()
	res, err := l.cfg.Pipeline.Process(ctx, recs)
	if err == nil && l.cfg.Processed != nil {
		l.cfg.Processed(len(recs), len(res.Ok), len(res.Failed), res.Dropped, time.Since(start))
	}
	return res, err
}

// partition answers the buffer key and partition keys of r.
func (l *loop) partition(r process.OkRecord) (string, map[string]string, error) {
	if len(l.cfg.Partition) == 0 {
		return "", nil, nil
	}
	part := make(map[string]string, len(l.cfg.Partition))
	var key strings.Builder
	for _, ref := range l.cfg.Partition {
		src, ns := r.PartitionKeys, keys.NSPartitionKeyFromQuery
		if ref.Lambda {
			src, ns = r.LambdaPartitionKeys, keys.NSPartitionKeyFromLambda
		}
		v, ok := src[ref.Name]
		if !ok {
			return "", nil, fmt.Errorf("the record has no %s:%s partition key", ns, ref.Name)
		}
		part[ref.Name] = v
		key.WriteString(v)
		key.WriteByte(0)
	}
	return key.String(), part, nil
}

// send hands b to a delivery worker; it reports false when ctx ended.
func (l *loop) send(ctx context.Context, b *buffer) bool {
	l.inFlight.Add(1)
	select {
	case l.queue <- b:
		return true
	case <-ctx.Done():
		l.inFlight.Add(-1)
		return false
	}
}

// flush delivers one buffer and its failures, then releases its messages.
// When ctx ends first, the messages stay held (Run naks them).
func (l *loop) flush(ctx context.Context, b *buffer) {
	defer l.inFlight.Add(-1)
	start := time.Now()
	if b.source != nil {
		if fs, err := l.cfg.SourceBackup.Deliver(ctx, b.batch); err != nil || !l.writeErrors(ctx, b, fs) {
			return
		}
		l.release(b)
		return
	}
	failed, err := l.cfg.Destination.Deliver(ctx, b.batch)
	if err != nil {
		if ctx.Err() == nil {
			l.log.Error("firehose: delivery failed, records go back to the stream", "stream", l.cfg.Stream, "err", err)
			l.giveBack(b, retryDelay)
		}
		return
	}
	if l.cfg.Backup != nil {
		fs, err := l.cfg.Backup.Deliver(ctx, b.batch)
		if err != nil {
			return
		}
		failed = append(failed, fs...)
	}
	if !l.writeErrors(ctx, b, failed) {
		return
	}
	if l.cfg.Observe != nil {
		n := len(b.batch.Records) - len(failed)
		l.cfg.Observe(Stats{Records: n, Bytes: b.size, Failed: len(failed), Oldest: b.batch.Oldest, Duration: time.Since(start)})
	}
	l.release(b)
}

func (l *loop) writeErrors(ctx context.Context, b *buffer, fs []dest.Failure) bool {
	if len(fs) == 0 {
		return true
	}
	if err := l.cfg.Errors.WriteErrors(ctx, b.batch.Oldest, fs); err != nil {
		if ctx.Err() == nil {
			l.log.Error("firehose: error output failed", "stream", l.cfg.Stream, "err", err)
		}
		return false
	}
	return true
}

// retryDelay is how long records a destination could not take wait in
// the stream before they are read again.
const retryDelay = 5 * time.Second

// giveBack hands b's messages back to JetStream to be read again after
// delay. Records of those messages in other buffers may be delivered
// twice, as Firehose may deliver twice.
func (l *loop) giveBack(b *buffer, delay time.Duration) {
	for _, p := range inOrder(b.from) {
		if p.naked.Swap(true) {
			continue
		}
		l.mu.Lock()
		delete(l.live, p)
		l.mu.Unlock()
		_ = p.msg.NakWithDelay(delay)
	}
}

// inOrder lists the messages of set in stream order, so that messages
// handed back are read again in the order they were stored.
func inOrder[V any](set map[*pending]V) []*pending {
	ps := make([]*pending, 0, len(set))
	for p := range set {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *pending) int { return cmp.Compare(a.seq, b.seq) })
	return ps
}

// release drops b's hold on its messages.
func (l *loop) release(b *buffer) {
	for p, n := range b.from {
		l.done(p, n)
	}
}

// done drops n references to p and acknowledges it at zero.
func (l *loop) done(p *pending, n int64) {
	if p.refs.Add(-n) != 0 || p.naked.Load() {
		return
	}
	l.mu.Lock()
	delete(l.live, p)
	l.mu.Unlock()
	if err := p.msg.Ack(); err != nil {
		l.log.Warn("firehose: ack", "stream", l.cfg.Stream, "err", err)
	}
}

// keepAlive marks held messages in progress so JetStream does not hand
// them to another loop while they wait in buffers or retries.
func (l *loop) keepAlive(ctx context.Context) {
	for clock.Sleep(ctx, l.cfg.AckWait/3) {
		l.mu.Lock()
		held := make([]*pending, 0, len(l.live))
		for p := range l.live {
			held = append(held, p)
		}
		l.mu.Unlock()
		for _, p := range held {
			_ = p.msg.InProgress()
		}
	}
}

// failure converts a processing failure to a destination failure.
func failure(f process.FailedRecord) dest.Failure {
	out := dest.Failure{Record: dest.Record{ID: f.ID, Data: f.RawData, Arrival: f.Arrival}, OutputType: f.OutputType,
		ErrorCode: f.ErrorCode, ErrorMessage: f.ErrorMessage, AttemptsMade: f.AttemptsMade, AttemptEnding: f.AttemptEnding}
	if out.OutputType == "" {
		out.OutputType = process.OutputProcessingFailed
	}
	if f.LambdaArn != "" {
		out.Extra = map[string]any{"lambdaArn": f.LambdaArn}
	}
	return out
}

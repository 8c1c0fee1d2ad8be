package host

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/router/kinesis"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/records"
	"github.com/kinesin/kinesin/runtime/sql/udf"
	"github.com/kinesin/kinesin/sinks/objstore"
	"github.com/kinesin/kinesin/triggers/lease"
	"github.com/kinesin/kinesin/triggers/reader"
)

// DefaultLeaseTTL is the application lease's duration when
// Config.LeaseTTL is 0.
const DefaultLeaseTTL = 10 * time.Second

// Config is one application to run.
type Config struct {
	Name, ARN string
	// Version is the application version: a checkpoint's engine state is
	// restored only into the version that wrote it (positions are kept
	// across versions).
	Version    int64
	Code       string
	Inputs     []types.InputDescription
	Outputs    []types.OutputDescription
	References []types.ReferenceDataSourceDescription
	// Start is InputStartingPosition: NOW, TRIM_HORIZON or
	// LAST_STOPPED_POINT (restore the last checkpoint; NOW when there is
	// none). Empty means NOW.
	Start types.InputStartingPosition
	// RunID names one StartApplication: a Run whose RunID equals the
	// checkpoint's resumes from it whatever Start says (the process
	// running the application crashed or its lease moved). The API sets
	// it when the application is started and keeps it until it is
	// stopped. Empty: Start alone decides.
	RunID string
	// Started is when that StartApplication was answered: starting
	// position NOW reads the records that arrived from then on (zero: when
	// Run starts), so a record put once the start call returned is read.
	Started time.Time

	JS        jetstream.JetStream // checkpoints (KV, object store), leases
	Streams   *shardstore.Store   // Kinesis inputs
	Kinesis   *kinesis.Service    // KinesisStreamsOutput (PutRecords)
	Firehose  FirehoseClient      // KinesisFirehoseOutput
	Functions Functions           // InputLambdaProcessor, LambdaOutput
	Objects   objstore.Store      // reference data (S3)
	Funcs     map[string]*eval.Func
	// UDFs resolves the kinesin functions that CREATE FUNCTION ...
	// LANGUAGE WASM EXTERNAL NAME 'fn' calls once per row (nil: such
	// functions are refused).
	UDFs    udf.Invoker
	Logger  *slog.Logger
	Metrics *Metrics
	// TimeUnit is one "second" of AWS's time constants: the checkpoint,
	// flush and Advance interval (default 1 s; tests shorten it).
	TimeUnit time.Duration
	// LeaseTTL is how long the application stays with a process that
	// stopped renewing its lease (default DefaultLeaseTTL); every process
	// must use the same. Run has half of it to flush and checkpoint when
	// it ends.
	LeaseTTL time.Duration
	// Owner names this process in the lease bucket (default
	// host-pid-random).
	Owner string
	// Now is the clock of ROWTIME and Advance (nil: time.Now).
	Now func() time.Time
}

func (c *Config) check() error {
	switch {
	case c.Name == "":
		return errors.New("host: Config.Name is required")
	case c.JS == nil:
		return errors.New("host: Config.JS is required")
	case strings.TrimSpace(c.Code) == "":
		return errors.New("host: the application has no code")
	case c.TimeUnit < 0 || c.LeaseTTL < 0:
		return errors.New("host: negative TimeUnit or LeaseTTL")
	}
	switch c.Start {
	case "":
		c.Start = types.InputStartingPositionNow
	case types.InputStartingPositionNow, types.InputStartingPositionTrimHorizon, types.InputStartingPositionLastStoppedPoint:
	default:
		return fmt.Errorf("host: InputStartingPosition %q is not NOW, TRIM_HORIZON or LAST_STOPPED_POINT", c.Start)
	}
	if c.TimeUnit == 0 {
		c.TimeUnit = time.Second
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Owner == "" {
		host, _ := os.Hostname()
		c.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), uuid.New()[:8])
	}
	return nil
}

// app is one Run.
type app struct {
	c   Config
	log *slog.Logger
	m   *Metrics

	prog     *engine.Program
	inst     *engine.Instance
	streams  map[string]engine.StreamInfo
	inputs   []*input
	outputs  []*output
	byStream map[string][]*output // by the engine's stream name

	msgs    chan msg
	workCtx context.Context
	wg      sync.WaitGroup
	dirty   bool // shards may have to start (a shard ended, metadata changed)

	cps        *cpStore
	start      time.Time // this run's start
	notBefore  time.Time // records that arrived before it are not read (NOW)
	clock      int64     // highest time given to the engine
	lastObject string    // snapshot object of the last checkpoint
	lastCP     time.Time
	resumed    bool // the run started from the checkpoint
	taken      bool // another process wrote the checkpoint
}

// errLeaseLost ends a Run whose lease moved to another process.
var errLeaseLost = errors.New("host: application lease lost")

// Run runs the application until ctx ends, then sends the outputs
// produced so far, checkpoints and returns nil. Exactly one process runs
// an application at a time: Run first waits for the application's lease
// (returning nil if ctx ends first) and stops, without checkpointing, when
// it loses it. It returns an error only if it cannot run at all: an
// invalid Config, application code that does not compile, reference data
// that cannot be loaded.
func Run(ctx context.Context, c Config) error {
	if err := c.check(); err != nil {
		return err
	}
	a := &app{c: c, log: c.Logger.With("application", c.Name), m: c.Metrics, msgs: make(chan msg, 16),
		byStream: map[string][]*output{}}
	defer a.m.forget(c.Name)
	if err := a.compile(ctx); err != nil {
		return err
	}

	// The lease: wait for it, keep renewing it; losing it ends the run.
	leases, err := retry(ctx, a, "open the lease bucket", func() (*lease.Table, error) {
		return lease.Open(ctx, c.JS, lease.Options{Owner: c.Owner, TTL: c.LeaseTTL})
	})
	if err != nil {
		return nil
	}
	l, err := a.acquire(ctx, leases)
	if err != nil {
		return nil
	}
	runCtx, cancelRun := context.WithCancelCause(ctx)
	defer cancelRun(nil)
	renewDone := make(chan struct{})
	go a.renew(runCtx, cancelRun, leases, l, renewDone)
	defer func() {
		cancelRun(nil)
		<-renewDone
		if !errors.Is(context.Cause(runCtx), errLeaseLost) {
			rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = leases.Release(rctx, l)
		}
	}()

	// The checkpoint, and where to start.
	a.cps, err = retry(runCtx, a, "open the checkpoint bucket", func() (*cpStore, error) {
		return newCPStore(runCtx, c.JS, c.Name)
	})
	if err != nil {
		return nil
	}
	cp, err := retry(runCtx, a, "load the checkpoint", func() (*checkpoint, error) { return a.cps.load(runCtx) })
	if err != nil {
		return nil
	}
	snapshot := a.restore(cp)
	a.inst, err = a.prog.Start(snapshot, a.emit)
	if err != nil && snapshot != nil {
		a.log.Warn("host: the checkpointed state does not fit the application; starting with fresh state", "err", err)
		a.inst, err = a.prog.Start(nil, a.emit)
	}
	if err != nil {
		return fmt.Errorf("host: start %s: %w", c.Name, err)
	}
	a.log.Info("host: application running", "start", c.Start, "restored", snapshot != nil)

	work, cancelWork := context.WithCancel(context.WithoutCancel(runCtx))
	defer cancelWork()
	a.workCtx = work
	a.dirty = true
	// Sends and checkpoints under way when the application is stopped
	// finish (a cancelled send can have landed and would be sent again;
	// a cancelled checkpoint can have been stored): opCtx ends at once
	// only when the lease is lost, otherwise within the stop's grace.
	opCtx, cancelOp := context.WithCancelCause(context.WithoutCancel(runCtx))
	defer cancelOp(nil)
	stopOps := context.AfterFunc(runCtx, func() {
		if cause := context.Cause(runCtx); errors.Is(cause, errLeaseLost) {
			cancelOp(cause)
			return
		}
		time.AfterFunc(c.LeaseTTL/2, func() { cancelOp(context.Canceled) })
	})
	defer stopOps()
	a.loop(runCtx, opCtx)
	cancelWork()
	a.wg.Wait()
	if errors.Is(context.Cause(runCtx), errLeaseLost) || a.taken {
		a.log.Warn("host: the application moved to another process: stopped without a checkpoint")
		return nil
	}
	// Stopping: send what was produced and checkpoint, within half a
	// lease TTL: the lease, no longer renewed, stays this Run's for at
	// least two thirds of one.
	grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.LeaseTTL/2)
	defer cancel()
	if err := a.flushAll(grace); err != nil {
		a.log.Warn("host: outputs not sent when stopping; the next run resumes from the previous checkpoint", "err", err)
		return nil
	}
	if err := a.checkpoint(grace); err != nil {
		a.log.Warn("host: final checkpoint failed", "err", err)
	}
	a.log.Info("host: application stopped")
	return nil
}

// retry calls f until it succeeds or ctx ends (then the error is ctx's).
func retry[T any](ctx context.Context, a *app, what string, f func() (T, error)) (T, error) {
	for backoff := 100 * time.Millisecond; ; backoff = min(2*backoff, 5*time.Second) {
		v, err := f()
		if err == nil {
			return v, nil
		}
		if ctx.Err() != nil {
			return v, ctx.Err()
		}
		a.log.Warn("host: "+what+", retrying", "err", err)
		if !clock.Sleep(ctx, backoff) {
			return v, ctx.Err()
		}
	}
}

func (a *app) acquire(ctx context.Context, leases *lease.Table) (*lease.Lease, error) {
	key := LeaseKey(a.c.Name)
	waiting := false
	for {
		l, ok, err := leases.Acquire(ctx, key)
		if err == nil && ok {
			return l, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			a.log.Warn("host: acquire the application lease", "err", err)
		} else if !waiting {
			a.log.Info("host: another process runs the application; waiting for its lease")
			waiting = true
		}
		if !clock.Sleep(ctx, leases.TTL()/3) {
			return nil, ctx.Err()
		}
	}
}

func (a *app) renew(ctx context.Context, cancel context.CancelCauseFunc, leases *lease.Table, l *lease.Lease, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(leases.TTL() / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := leases.Renew(ctx, l)
			if errors.Is(err, lease.ErrLost) {
				cancel(errLeaseLost)
				return
			}
			if err != nil && ctx.Err() == nil {
				a.log.Warn("host: renew the application lease", "err", err)
			}
		}
	}
}

// compile builds the inputs, loads the reference data and compiles the
// code.
func (a *app) compile(ctx context.Context) error {
	c := &a.c
	var ins []engine.Input
	for i, d := range c.Inputs {
		in, err := a.newInput(i, d)
		if err != nil {
			return err
		}
		in.base = len(ins)
		ins = append(ins, in.engineInputs()...)
		a.inputs = append(a.inputs, in)
	}
	var refs []engine.Reference
	for _, r := range c.References {
		ref, err := a.loadReference(ctx, r)
		if err != nil {
			return err
		}
		refs = append(refs, ref)
	}
	opts := engine.Options{Inputs: ins, References: refs, Funcs: c.Funcs, Now: c.Now}
	if c.UDFs != nil {
		opts.External = func(fn string, params []eval.Type, returns eval.Type) (*eval.Func, error) {
			return udf.NewContext(ctx, c.UDFs, fn, params, returns)
		}
	}
	prog, err := engine.Compile(c.Code, opts)
	if err != nil {
		return fmt.Errorf("host: application code: %w", err)
	}
	a.prog = prog
	a.streams = map[string]engine.StreamInfo{}
	for _, s := range prog.Streams() {
		a.streams[s.Name] = s
	}
	for _, d := range c.Outputs {
		o, err := a.newOutput(d)
		if err != nil {
			return err
		}
		name := a.streamKey(o.name)
		a.byStream[name] = append(a.byStream[name], o)
		a.outputs = append(a.outputs, o)
	}
	return nil
}

// streamKey is the engine's name of an in-application stream an output
// names: the exact name, else the one name equal but for case.
func (a *app) streamKey(name string) string {
	if _, ok := a.streams[name]; ok {
		return name
	}
	found := ""
	for n := range a.streams {
		if strings.EqualFold(n, name) {
			if found != "" {
				return name
			}
			found = n
		}
	}
	if found == "" {
		return name
	}
	return found
}

func (a *app) streamColumns(name string) ([]engine.Column, bool) {
	s, ok := a.streams[a.streamKey(name)]
	return s.Columns, ok
}

const s3ARN = "arn:aws:s3:::"

func (a *app) loadReference(ctx context.Context, r types.ReferenceDataSourceDescription) (engine.Reference, error) {
	var ref engine.Reference
	if r.TableName == nil || r.S3ReferenceDataSourceDescription == nil || r.ReferenceSchema == nil {
		return ref, errors.New("host: reference data source without a TableName, S3 source or schema")
	}
	s3 := r.S3ReferenceDataSourceDescription
	if s3.BucketARN == nil || s3.FileKey == nil || !strings.HasPrefix(*s3.BucketARN, s3ARN) {
		return ref, fmt.Errorf("host: reference %s: no bucket ARN or file key", *r.TableName)
	}
	if a.c.Objects == nil {
		return ref, errors.New("host: Config.Objects is required for reference data")
	}
	bucket := strings.TrimPrefix(*s3.BucketARN, s3ARN)
	data, err := a.c.Objects.Get(ctx, bucket, *s3.FileKey)
	if err != nil {
		return ref, fmt.Errorf("host: reference %s: %w", *r.TableName, err)
	}
	p, err := records.NewParser(*r.ReferenceSchema)
	if err != nil {
		return ref, fmt.Errorf("host: reference %s: %w", *r.TableName, err)
	}
	rows, err := records.LoadReference(data, *r.ReferenceSchema)
	if err != nil {
		return ref, fmt.Errorf("host: reference %s: %w", *r.TableName, err)
	}
	return engine.Reference{Name: *r.TableName, Columns: p.Columns(), Rows: rows}, nil
}

// restore decides where the run starts from the checkpoint (nil: none)
// and answers the engine snapshot to start from (nil: fresh state).
func (a *app) restore(cp *checkpoint) []byte {
	c := &a.c
	a.start = c.Now().UTC()
	if !c.Started.IsZero() {
		a.start = c.Started.UTC()
	}
	resume := cp != nil && (c.Start == types.InputStartingPositionLastStoppedPoint || (c.RunID != "" && cp.RunID == c.RunID))
	if cp != nil {
		a.lastObject = cp.Object
		// ROWTIME never goes back, whatever the starting position.
		a.clock = cp.Clock
	}
	a.resumed = resume
	if !resume {
		if c.Start != types.InputStartingPositionTrimHorizon {
			a.notBefore = a.start
		}
		for _, in := range a.inputs {
			in.state = &inputState{Source: in.source, Shards: map[int]shardState{}, Rowtime: make([]int64, in.n)}
		}
		return nil
	}
	a.notBefore = cp.Start
	for _, in := range a.inputs {
		st := cp.Inputs[in.key]
		if st == nil || st.Source != in.source {
			st = &inputState{Source: in.source}
		} else {
			st = st.clone()
		}
		if st.Shards == nil {
			st.Shards = map[int]shardState{}
		}
		rt := make([]int64, in.n)
		copy(rt, st.Rowtime)
		st.Rowtime = rt
		in.state = st
	}
	if cp.Version != c.Version {
		a.log.Info("host: the application changed since its checkpoint; window state starts fresh", "checkpointVersion", cp.Version)
		return nil
	}
	return cp.Snapshot
}

// now is the engine's clock: the wall clock, never going back.
func (a *app) now() int64 {
	ms := a.c.Now().UnixMilli()
	if ms < a.clock {
		ms = a.clock
	}
	a.clock = ms
	return ms
}

func (a *app) loop(ctx, opCtx context.Context) {
	tick := time.NewTicker(a.c.TimeUnit)
	defer tick.Stop()
	for {
		var changed <-chan struct{}
		if a.c.Streams != nil {
			changed = a.c.Streams.Changed()
		}
		if a.dirty {
			a.dirty = false
			a.reconcile()
		}
		select {
		case <-ctx.Done():
			return
		case m := <-a.msgs:
			a.handle(m)
			for _, o := range a.outputs {
				if o.full() {
					if err := o.flush(opCtx); err != nil {
						return
					}
				}
			}
		case <-tick.C:
			if err := a.inst.Advance(a.now()); err != nil {
				a.log.Warn("host: advance", "err", err)
			}
			if err := a.flushAll(opCtx); err != nil {
				return
			}
			if err := a.checkpoint(opCtx); err != nil {
				if errors.Is(err, errCheckpointTaken) {
					a.taken = true
					return
				}
				if opCtx.Err() != nil {
					return
				}
				a.log.Warn("host: checkpoint failed", "err", err)
			}
			if !a.lastCP.IsZero() {
				a.m.checkpointAge.WithLabelValues(a.c.Name).Set(time.Since(a.lastCP).Seconds())
			}
			a.updateBehind()
			a.dirty = true
		case <-changed:
			a.dirty = true
		}
	}
}

func (a *app) flushAll(ctx context.Context) error {
	for _, o := range a.outputs {
		if err := o.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// checkpoint stores the engine state with the positions it reflects.
func (a *app) checkpoint(ctx context.Context) error {
	snap, err := a.inst.Snapshot()
	if err != nil {
		return fmt.Errorf("host: snapshot: %w", err)
	}
	cp := &checkpoint{RunID: a.c.RunID, Version: a.c.Version, Start: a.notBefore, Clock: a.clock,
		Inputs: map[string]*inputState{}, Snapshot: snap}
	for _, in := range a.inputs {
		cp.Inputs[in.key] = in.state
	}
	if err := a.cps.save(ctx, cp, a.lastObject); err != nil {
		return err
	}
	a.lastObject = cp.Object
	a.lastCP = time.Now()
	for _, in := range a.inputs {
		if in.ack != nil {
			// AckAll: every batch up to this one is checkpointed.
			if err := in.ack.Ack(); err != nil {
				a.log.Debug("host: acknowledge delivery stream batches", "input", in.prefix, "err", err)
			}
			in.ack = nil
		}
	}
	return nil
}

// reconcile starts readers on the shards that may be read now (parents
// read to their end) and stops readers of a stream that is gone.
func (a *app) reconcile() {
	for _, in := range a.inputs {
		if in.firehose {
			if _, ok := in.workers[-1]; !ok {
				a.startWorker(in, nil, -1)
			}
			continue
		}
		st, ok := a.c.Streams.Get(in.source)
		if !ok {
			a.stopWorkers(in)
			if !in.missing {
				a.log.Warn("host: input stream not found; waiting for it", "input", in.prefix, "stream", in.source)
				in.missing = true
			}
			continue
		}
		in.missing = false
		if in.state.StreamID != st.ID {
			if in.state.StreamID != "" {
				// Deleted and created again: the new stream is read
				// from its start.
				a.log.Warn("host: input stream was created again; reading it from its start", "input", in.prefix)
			}
			a.stopWorkers(in)
			in.state.StreamID = st.ID
			in.state.Shards = map[int]shardState{}
		}
		finished := map[int]bool{}
		for sh, s := range in.state.Shards {
			if s.Finished {
				finished[sh] = true
			}
		}
		for _, sh := range reader.Lineage(st, finished) {
			if _, running := in.workers[sh.Index]; running {
				continue
			}
			a.startWorker(in, st, sh.Index)
		}
	}
}

func (a *app) stopWorkers(in *input) {
	for sh, w := range in.workers {
		w.cancel()
		delete(in.workers, sh)
		delete(in.behind, sh)
	}
}

// handle pushes a worker's rows into the engine and records how far the
// input was read.
func (a *app) handle(m msg) {
	in := m.in
	if in.workers[m.shard] != m.w {
		return // from a worker that was stopped (or a stream replaced)
	}
	if m.exit {
		delete(in.workers, m.shard)
		delete(in.behind, m.shard)
		a.dirty = true
		return
	}
	name := a.c.Name
	if m.records > 0 {
		a.m.inputRecords.WithLabelValues(name, in.prefix).Add(float64(m.records))
		a.m.inputBytes.WithLabelValues(name, in.prefix).Add(float64(m.bytes))
	}
	if len(m.rows) > 0 || len(m.errs) > 0 {
		now := a.now()
		for _, r := range m.rows {
			t := max(now, in.state.Rowtime[r.stream])
			in.state.Rowtime[r.stream] = t
			if err := a.inst.Push(in.base+r.stream, engine.Row{Time: t, Values: r.values}); err != nil {
				a.log.Warn("host: push", "input", in.streamName(r.stream), "err", err)
			}
		}
		a.m.inputRows.WithLabelValues(name, in.prefix).Add(float64(len(m.rows)))
		for _, e := range m.errs {
			a.emitError(in, e, now)
		}
	}
	if m.advanced {
		if m.shard >= 0 {
			in.state.Shards[m.shard] = shardState{Position: m.next, Finished: m.finished}
		} else if m.seq > 0 {
			in.state.Seq, in.ack = m.seq, m.ack
		}
	}
	switch {
	case m.finished:
		delete(in.behind, m.shard)
	case m.caughtUp:
		in.behind[m.shard] = 0
	case !m.arrival.IsZero():
		in.behind[m.shard] = max(0, time.Since(m.arrival).Milliseconds())
	}
	a.updateBehind()
}

func (a *app) updateBehind() {
	for _, in := range a.inputs {
		var b int64
		for _, v := range in.behind {
			b = max(b, v)
		}
		a.m.behind.WithLabelValues(a.c.Name, in.prefix).Set(float64(b))
	}
}

// emit receives the engine's rows for the outputs.
func (a *app) emit(stream string, r engine.Row) error {
	if stream == engine.ErrorStream {
		a.m.errors.WithLabelValues(a.c.Name, "").Inc()
	}
	for _, o := range a.byStream[stream] {
		o.add(r.Values)
	}
	return nil
}

// emitError writes an error_stream row for a record that could not be
// turned into rows.
func (a *app) emitError(in *input, e errRecord, now int64) {
	a.m.errors.WithLabelValues(a.c.Name, in.prefix).Inc()
	outs := a.byStream[engine.ErrorStream]
	if len(outs) == 0 {
		return
	}
	cols, ok := a.streamColumns(engine.ErrorStream)
	if !ok {
		cols = defaultErrorColumns
	}
	row := make(eval.Row, len(cols))
	for i, c := range cols {
		switch strings.ToUpper(c.Name) {
		case "ERROR_TIME", "DATA_ROWTIME":
			row[i] = eval.TimestampMillis(now)
		case "ERROR_LEVEL":
			row[i] = eval.Str("Error")
		case "ERROR_NAME":
			row[i] = eval.Str(e.name)
		case "MESSAGE":
			row[i] = eval.Str(e.message)
		case "DATA_ROW":
			row[i] = eval.Str(hex.EncodeToString(e.data))
		default:
			row[i] = eval.NullValue
		}
	}
	for _, o := range outs {
		o.add(row)
	}
}

var defaultErrorColumns = []engine.Column{
	{Name: "ERROR_TIME", Type: eval.Type{Kind: eval.Timestamp}},
	{Name: "ERROR_LEVEL", Type: eval.Type{Kind: eval.Varchar, Len: 10}},
	{Name: "ERROR_NAME", Type: eval.Type{Kind: eval.Varchar, Len: 32}},
	{Name: "MESSAGE", Type: eval.Type{Kind: eval.Varchar, Len: 4096}},
	{Name: "DATA_ROWTIME", Type: eval.Type{Kind: eval.Timestamp}},
	{Name: "DATA_ROW", Type: eval.Type{Kind: eval.Varchar, Len: 49152}},
	{Name: "PUMP_NAME", Type: eval.Type{Kind: eval.Varchar, Len: 128}},
}

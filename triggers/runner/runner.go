package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/router/videostore"
	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/triggers/lease"
	"github.com/kinesin/kinesin/triggers/mappings"
	"github.com/kinesin/kinesin/triggers/reader"
	"github.com/nats-io/nats.go/jetstream"
)

// Functions runs batches through the function a mapping names
// (functions.Service: it resolves the function, applies its reserved
// concurrency, sets the deadline and publishes the function's logs).
type Functions interface {
	InvokeBatch(ctx context.Context, name, qualifier string, b engine.Batch) (engine.BatchResult, string, error)
	// Invoke runs the function once with a JSON event (video fragment
	// events); functionError is "" or "Unhandled".
	Invoke(ctx context.Context, name, qualifier string, payload []byte) (response []byte, functionError string, err error)
}

// Destinations delivers on-failure records (router/kinesis.Service).
type Destinations interface {
	PutRecord(ctx context.Context, streamARN, partitionKey string, data []byte) (shardID, seq string, err error)
}

// Config wires a Runner to the rest of the process.
type Config struct {
	Streams      *shardstore.Store
	Mappings     *mappings.Store
	Checkpoints  *reader.Checkpoints
	Leases       *lease.Table
	Functions    Functions
	Destinations Destinations
	Region       string
	AccountID    string
	// Video stores Kinesis Video fragments and VideoStreams resolves a
	// video stream's ARN, for mappings of video streams (both nil: such
	// mappings report their stream missing). DataEndpoint is this
	// server's base URL, the dataEndpoint of fragment events.
	Video        *videostore.Store
	VideoStreams videostore.Resolver
	DataEndpoint func() string
	// TimeUnit is one second of MaximumRecordAgeInSeconds and
	// TumblingWindowInSeconds (default 1s; tests shorten it).
	TimeUnit time.Duration
	Logger   *slog.Logger
	Metrics  *Metrics
}

// Runner runs this process's share of every mapping.
type Runner struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the loop and every worker
	wake   chan struct{}  // a worker ended

	mu       sync.Mutex
	mappings map[string]*mappings.Mapping
	workers  map[string]*worker // by lease key
	results  map[string]string  // last LastProcessingResult reported per mapping
}

var _ mappings.Runner = (*Runner)(nil)

// New builds a Runner; Start runs it.
func New(cfg Config) *Runner {
	if cfg.TimeUnit <= 0 {
		cfg.TimeUnit = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	return &Runner{
		cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1),
		mappings: map[string]*mappings.Mapping{}, workers: map[string]*worker{}, results: map[string]string{},
	}
}

// Start begins watching mappings and running shards until Close.
func (r *Runner) Start(ctx context.Context) error {
	r.ctx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	w, err := r.cfg.Mappings.Watch(r.ctx)
	if err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	if err := r.cfg.Leases.Heartbeat(r.ctx); err != nil {
		r.log.Warn("runner: heartbeat", "err", err)
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() { _ = w.Stop() }()
		r.loop(w.Updates())
	}()
	return nil
}

// Close stops every worker (in-flight batches are abandoned, to be
// delivered again from their checkpoints) and leaves the lease table.
func (r *Runner) Close() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = r.cfg.Leases.Leave(ctx)
}

func (r *Runner) loop(updates <-chan jetstream.KeyValueEntry) {
	tick := time.NewTicker(r.cfg.Leases.TTL() / 3)
	defer tick.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case e, ok := <-updates:
			if !ok {
				return // the watcher stopped: the runner is closing
			}
			r.apply(e)
			// Take every queued change before reconciling once.
			for more := true; more; {
				select {
				case e, ok := <-updates:
					if !ok {
						return
					}
					r.apply(e)
				default:
					more = false
				}
			}
		case <-r.streamsChanged():
		case <-r.wake:
		case <-tick.C:
			if err := r.cfg.Leases.Heartbeat(r.ctx); err != nil && r.ctx.Err() == nil {
				r.log.Warn("runner: heartbeat", "err", err)
			}
		}
		r.reconcile()
	}
}

func (r *Runner) apply(e jetstream.KeyValueEntry) {
	if e == nil {
		return
	}
	m, err := mappings.Decode(e)
	if err != nil {
		r.log.Error("runner: bad mapping entry", "key", e.Key(), "err", err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if m == nil {
		delete(r.mappings, e.Key())
		delete(r.results, e.Key())
		return
	}
	r.mappings[m.UUID] = m
}

// streamsChanged is closed when the Kinesis streams' metadata changes
// (nil, never ready, without a stream store).
func (r *Runner) streamsChanged() <-chan struct{} {
	if r.cfg.Streams == nil {
		return nil
	}
	return r.cfg.Streams.Changed()
}

func leaseKey(uuid string, shard int) string { return uuid + "." + strconv.Itoa(shard) }

// reconcile brings this process's workers in line with the mappings: it
// settles transitional states, stops workers whose mapping is gone,
// disabled or changed, and takes or gives up leases toward a fair share.
func (r *Runner) reconcile() {
	r.mu.Lock()
	ms := make([]*mappings.Mapping, 0, len(r.mappings))
	for _, m := range r.mappings {
		ms = append(ms, m)
	}
	r.mu.Unlock()
	live := map[string]bool{}
	for _, m := range ms {
		if r.ctx.Err() != nil {
			return
		}
		if m.Transitional() {
			r.settle(m)
			if m.State != mappings.StateDeleting {
				continue
			}
		}
		if m.State != mappings.StateEnabled {
			continue
		}
		live[m.UUID] = true
		if err := r.balance(m); err != nil && r.ctx.Err() == nil {
			r.log.Warn("runner: balance", "mapping", m.UUID, "err", err)
		}
	}
	r.mu.Lock()
	for _, w := range r.workers {
		if !live[w.m.UUID] {
			w.stop()
		}
	}
	r.mu.Unlock()
}

// settle moves a transitional state to its end: Enabled or Disabled, or
// for Deleting, removes the checkpoints, leases and the mapping itself.
// Any process may do it; compare-and-set makes one win.
func (r *Runner) settle(m *mappings.Mapping) {
	ctx := r.ctx
	if m.State == mappings.StateDeleting {
		r.stopMapping(m.UUID, true)
		if err := r.cfg.Checkpoints.Delete(ctx, m.UUID); err != nil {
			r.log.Warn("runner: delete checkpoints", "mapping", m.UUID, "err", err)
			return
		}
		if err := r.cfg.Leases.Remove(ctx, m.UUID+"."); err != nil {
			r.log.Warn("runner: delete leases", "mapping", m.UUID, "err", err)
			return
		}
		if err := r.cfg.Mappings.Delete(ctx, m.UUID, m.Revision); err != nil && !errors.Is(err, mappings.ErrConflict) {
			r.log.Warn("runner: delete mapping", "mapping", m.UUID, "err", err)
		}
		r.cfg.Metrics.forget(m.UUID)
		return
	}
	if m.State == mappings.StateDisabling || m.State == mappings.StateUpdating {
		// Disabled (or Enabled with the new configuration) only once no
		// worker of the old one runs anywhere: wait for this process's,
		// and retry later while another process still holds a lease.
		r.stopMapping(m.UUID, true)
		snap, err := r.cfg.Leases.Snapshot(ctx, m.UUID+".")
		if err != nil || len(snap.Holders) > 0 {
			return
		}
	}
	next := *m
	next.State = mappings.StateDisabled
	if m.Enabled {
		next.State = mappings.StateEnabled
	}
	next.StateTransitionReason = "User action"
	if err := r.cfg.Mappings.Update(ctx, &next); err != nil && ctx.Err() == nil && !errors.Is(err, mappings.ErrConflict) && !errors.Is(err, mappings.ErrNotFound) {
		r.log.Warn("runner: settle mapping", "mapping", m.UUID, "err", err)
	}
}

// stopMapping stops this process's workers of a mapping; wait waits for
// them to end.
func (r *Runner) stopMapping(uuid string, wait bool) {
	var ws []*worker
	r.mu.Lock()
	for _, w := range r.workers {
		if w.m.UUID == uuid {
			w.stop()
			ws = append(ws, w)
		}
	}
	r.mu.Unlock()
	if wait {
		for _, w := range ws {
			<-w.done
		}
	}
}

// plan is what a mapping's source has to read now: the shards ready to
// read (a Kinesis shard whose parents are finished; the single "shard" of
// a video stream) and how to read one.
type plan struct {
	streamID string
	shards   []int
	source   func(shard int) source
}

// plan finds the mapping's source; ok is false when it is missing (the
// mapping's workers stop and it reports the stream missing).
func (r *Runner) plan(m *mappings.Mapping) (p plan, ok bool, err error) {
	if m.Video {
		return r.videoPlan(m)
	}
	if r.cfg.Streams == nil {
		return plan{}, false, nil
	}
	st, ok := r.cfg.Streams.Get(m.StreamName)
	if !ok {
		return plan{}, false, nil
	}
	finished, err := r.cfg.Checkpoints.Finished(r.ctx, m.UUID)
	if err != nil {
		return plan{}, false, err
	}
	p = plan{streamID: st.ID, source: func(shard int) source { return newKinesisShard(r, st, shard) }}
	for _, sh := range reader.Lineage(st, finished) {
		p.shards = append(p.shards, sh.Index)
	}
	return p, true, nil
}

// balance starts workers for ready shards of an enabled mapping up to this
// process's fair share, and stops the ones beyond it or no longer wanted.
func (r *Runner) balance(m *mappings.Mapping) error {
	ctx := r.ctx
	p, ok, err := r.plan(m)
	if err != nil {
		return err
	}
	if !ok {
		r.stopMapping(m.UUID, false)
		r.report(m.UUID, mappings.ResultStreamNotFound)
		return nil
	}
	snap, err := r.cfg.Leases.Snapshot(ctx, m.UUID+".")
	if err != nil {
		return err
	}
	target := lease.FairShare(len(p.shards), snap.Members)
	want := map[int]bool{}
	for _, sh := range p.shards {
		want[sh] = true
	}
	r.mu.Lock()
	held := 0
	var mine []*worker
	for _, w := range r.workers {
		if w.m.UUID != m.UUID || w.stopping() {
			continue
		}
		if w.m.Generation != m.Generation || !want[w.shard] || w.src.streamID() != p.streamID {
			w.stop()
			continue
		}
		held++
		mine = append(mine, w)
	}
	r.mu.Unlock()
	for _, sh := range p.shards {
		if held >= target {
			break
		}
		key := leaseKey(m.UUID, sh)
		r.mu.Lock()
		_, running := r.workers[key]
		r.mu.Unlock()
		if running {
			continue
		}
		if owner := snap.Holders[key]; owner != "" && owner != r.cfg.Leases.Owner() {
			continue
		}
		l, ok, err := r.cfg.Leases.Acquire(ctx, key)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		r.startWorker(m, p.source(sh), sh, l)
		held++
	}
	// Give up leases beyond the fair share (a process joined): the
	// others take them once released.
	for i := 0; held > target && i < len(mine); i++ {
		mine[len(mine)-1-i].stop()
		held--
	}
	return nil
}

func (r *Runner) startWorker(m *mappings.Mapping, src source, shard int, l *lease.Lease) {
	w := newWorker(r, m, src, shard, l)
	r.mu.Lock()
	r.workers[l.Key] = w
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		w.run()
		r.mu.Lock()
		if r.workers[l.Key] == w {
			delete(r.workers, l.Key)
		}
		r.mu.Unlock()
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}()
}

// latest says whether result is still the mapping's newest reported one.
func (r *Runner) latest(uuid, result string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.results[uuid] == result
}

// report records a mapping's LastProcessingResult when it changes, and
// says whether it did.
func (r *Runner) report(uuid, result string) bool {
	r.mu.Lock()
	if r.results[uuid] == result {
		r.mu.Unlock()
		return false
	}
	r.results[uuid] = result
	r.mu.Unlock()
	for range 3 {
		m, err := r.cfg.Mappings.Get(r.ctx, uuid)
		if err != nil || m.LastProcessingResult == result || m.State == mappings.StateDeleting || !r.latest(uuid, result) {
			// A result reported since (a worker's OK racing the runner's
			// "stream not found") writes itself: this one must not
			// overwrite it.
			break
		}
		m.LastProcessingResult = result
		if err := r.cfg.Mappings.Update(r.ctx, m); !errors.Is(err, mappings.ErrConflict) {
			break
		}
	}
	return true
}

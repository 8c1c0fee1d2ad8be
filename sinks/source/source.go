package source

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/triggers/lease"
	"github.com/kinesin/kinesin/triggers/reader"
)

// Limits of one Append call: PutRecordBatch's, so the record store takes a
// batch from a Kinesis stream as it takes one from a producer. A single
// record larger than MaxBatchBytes (a Kinesis stream may take records of
// up to 10 MiB) goes alone.
const (
	MaxBatchRecords = 500
	MaxBatchBytes   = 4 << 20
)

// DefaultLeaseTTL is the lease duration when Config.LeaseTTL is 0.
const DefaultLeaseTTL = 10 * time.Second

// AppendFunc durably stores a batch of records (their data, as read from
// the Kinesis stream) with their arrival times in the delivery stream's
// record store. It returns nil only once the whole batch is stored; an
// error makes Run try the same batch again (with backoff). It must not
// keep the slices after it returns.
type AppendFunc func(ctx context.Context, records [][]byte, arrivals []time.Time) error

// Config is one delivery stream's source.
type Config struct {
	// Name is the delivery stream's name: it names the checkpoints
	// (MappingID) and leases (LeasePrefix) of its shards.
	Name string
	// StreamARN is KinesisStreamSourceConfiguration.KinesisStreamARN
	// (arn:aws:kinesis:region:account:stream/name); the shard store keys
	// streams by name only.
	StreamARN string
	// Start is DeliveryStartTimestamp: records that arrived before it are
	// never appended. Zero reads every record the stream still keeps
	// (TRIM_HORIZON).
	Start time.Time
	// Append stores a batch of at most MaxBatchRecords records and
	// MaxBatchBytes of data; a shard's checkpoint moves past the batch
	// only after it returned nil.
	Append AppendFunc
	Store  *shardstore.Store
	// JS holds the checkpoint bucket (reader.CheckpointBucket) and the
	// lease bucket (lease.Bucket), opened as the event source mappings
	// open them.
	JS jetstream.JetStream
	// LeaseTTL is how long a shard stays with a process that stopped
	// renewing it (default DefaultLeaseTTL); leases are renewed at a
	// third of it. Every process must use the same.
	LeaseTTL time.Duration
	// Owner names this Run in the lease bucket (default host-pid-random).
	// It must differ between the Runs of one delivery stream.
	Owner  string
	Logger *slog.Logger
}

var (
	nameRe = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,64}$`)
	arnRe  = regexp.MustCompile(`^arn:[^:]*:kinesis:[a-zA-Z0-9-]+:\d{12}:stream/([a-zA-Z0-9_.-]{1,128})$`)
)

// StreamName is the stream name of a Kinesis stream ARN.
func StreamName(arn string) (string, error) {
	m := arnRe.FindStringSubmatch(arn)
	if m == nil {
		return "", fmt.Errorf("source: %q is not a Kinesis stream ARN", arn)
	}
	return m[1], nil
}

// MappingID is the checkpoint id (reader.Checkpoints' mapping) of a
// delivery stream: "firehose_" and the name in unpadded base64url, so
// that it passes the checkpoint key rules (a name may hold dots) and
// never collides with an event source mapping's UUID.
func MappingID(name string) string {
	return "firehose_" + base64.RawURLEncoding.EncodeToString([]byte(name))
}

// LeasePrefix is the prefix of a delivery stream's keys in the lease
// bucket: LeasePrefix+"s.<shard index>" for shards and
// LeasePrefix+"m.<owner id>" for the Runs sharing them.
func LeasePrefix(name string) string { return MappingID(name) + "." }

func (c *Config) check() (stream string, err error) {
	if !nameRe.MatchString(c.Name) {
		return "", fmt.Errorf("source: delivery stream name %q is not valid", c.Name)
	}
	if stream, err = StreamName(c.StreamARN); err != nil {
		return "", err
	}
	switch {
	case c.Append == nil:
		return "", errors.New("source: Config.Append is required")
	case c.Store == nil:
		return "", errors.New("source: Config.Store is required")
	case c.JS == nil:
		return "", errors.New("source: Config.JS is required")
	case c.LeaseTTL < 0:
		return "", errors.New("source: Config.LeaseTTL is negative")
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return stream, nil
}

// pump is one Run: it keeps a worker on each shard it holds the lease of.
type pump struct {
	c         Config
	stream    string
	id        string // MappingID
	prefix    string // LeasePrefix
	memberKey string
	cps       *reader.Checkpoints
	leases    *lease.Table
	log       *slog.Logger
	ctx       context.Context // Run's
	// workCtx outlives ctx by a grace period, so batches in flight when
	// Run ends are appended and checkpointed, not appended twice.
	workCtx context.Context
	wake    chan struct{} // a worker ended
	wg      sync.WaitGroup

	mu      sync.Mutex
	workers map[int]*worker // by shard index, until the worker ended

	member  *lease.Lease
	missing bool // the stream was found missing (logged once)
}

// Run appends the records of the delivery stream's Kinesis stream to its
// record store until ctx ends, then returns nil once the batches in
// flight are stored (or a lease TTL passed). Every kinesin process runs it
// for every KinesisStreamAsSource delivery stream; the shards are shared
// among them by leases. While the Kinesis stream does not exist (deleted,
// or not created yet) Run logs it once and waits; a stream created again
// under the name is read from its beginning (or from Start). Run returns
// an error only for an invalid Config.
func Run(ctx context.Context, c Config) error {
	stream, err := c.check()
	if err != nil {
		return err
	}
	rnd := uuid.New()[:8]
	if c.Owner == "" {
		host, _ := os.Hostname()
		c.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rnd)
	}
	var (
		cps    *reader.Checkpoints
		leases *lease.Table
	)
	// The buckets are opened as the event source mappings open them; a
	// NATS that does not answer yet is waited for.
	for backoff := 100 * time.Millisecond; ; backoff = min(2*backoff, 5*time.Second) {
		if cps == nil {
			cps, err = reader.OpenCheckpoints(ctx, c.JS, reader.CheckpointOptions{})
		}
		if err == nil {
			leases, err = lease.Open(ctx, c.JS, lease.Options{Owner: c.Owner, TTL: c.LeaseTTL})
		}
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		c.Logger.Warn("source: open buckets, retrying", "deliveryStream", c.Name, "err", err)
		if !clock.Sleep(ctx, backoff) {
			return nil
		}
	}
	p := &pump{
		c: c, stream: stream, id: MappingID(c.Name), prefix: LeasePrefix(c.Name),
		cps: cps, leases: leases, ctx: ctx, wake: make(chan struct{}, 1), workers: map[int]*worker{},
		log: c.Logger.With("deliveryStream", c.Name, "stream", stream),
	}
	p.memberKey = p.prefix + "m." + memberToken(c.Owner, rnd)
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	p.workCtx = work
	p.loop()
	p.shutdown(cancelWork)
	return nil
}

// memberToken makes an owner name a key token (letters, digits, - and _).
func memberToken(owner, rnd string) string {
	b := []byte(owner)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) == 0 || len(b) > 200 {
		return rnd
	}
	return string(b)
}

func (p *pump) loop() {
	p.renewMember()
	tick := time.NewTicker(p.c.LeaseTTL / 3)
	defer tick.Stop()
	for {
		changed := p.c.Store.Changed()
		p.reconcile()
		select {
		case <-p.ctx.Done():
			return
		case <-changed:
		case <-p.wake:
		case <-tick.C:
			p.renewMember()
		}
	}
}

// renewMember keeps this Run counted among the delivery stream's Runs
// (its member lease), so each takes only its fair share of the shards.
func (p *pump) renewMember() {
	if p.member != nil {
		err := p.leases.Renew(p.ctx, p.member)
		if err == nil {
			return
		}
		if !errors.Is(err, lease.ErrLost) {
			if p.ctx.Err() == nil {
				p.log.Warn("source: renew membership", "err", err)
			}
			return
		}
		p.member = nil
	}
	l, ok, err := p.leases.Acquire(p.ctx, p.memberKey)
	if err != nil {
		if p.ctx.Err() == nil {
			p.log.Warn("source: join", "err", err)
		}
		return
	}
	if ok {
		p.member = l
	}
}

// shutdown stops reading, gives in-flight batches a lease TTL to be
// stored and checkpointed, and gives the leases up.
func (p *pump) shutdown(cancelWork context.CancelFunc) {
	p.mu.Lock()
	for _, w := range p.workers {
		w.stop()
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(p.c.LeaseTTL):
		cancelWork()
		<-done
	}
	if p.member != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = p.leases.Release(ctx, p.member)
	}
}

func shardKey(prefix string, shard int) string { return prefix + "s." + strconv.Itoa(shard) }

// reconcile starts workers on ready shards up to this Run's fair share,
// and stops those beyond it or no longer wanted.
func (p *pump) reconcile() {
	ctx := p.ctx
	if ctx.Err() != nil {
		return
	}
	st, ok := p.c.Store.Get(p.stream)
	if !ok {
		p.stopAll()
		if !p.missing {
			p.log.Warn("source: Kinesis stream not found; waiting for it")
			p.missing = true
		}
		return
	}
	if p.missing {
		p.log.Info("source: Kinesis stream found")
		p.missing = false
	}
	if err := p.balance(st); err != nil && ctx.Err() == nil {
		p.log.Warn("source: balance shards", "err", err)
	}
}

func (p *pump) stopAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		w.stop()
	}
}

func (p *pump) balance(st *shardstore.Stream) error {
	ctx := p.ctx
	all, err := p.cps.All(ctx, p.id)
	if err != nil {
		return err
	}
	finished := map[int]bool{}
	for shard, cp := range all {
		// A checkpoint of an earlier stream of the same name is not this
		// one's.
		if cp.Finished && cp.StreamID == st.ID {
			finished[shard] = true
		}
	}
	ready := reader.Lineage(st, finished)
	snap, err := p.leases.Snapshot(ctx, p.prefix)
	if err != nil {
		return err
	}
	members := 0
	for k := range snap.Holders {
		if strings.HasPrefix(k, p.prefix+"m.") {
			members++
		}
	}
	if snap.Holders[p.memberKey] == "" {
		members++ // this Run, before its membership landed
	}
	target := lease.FairShare(len(ready), members)
	want := make(map[int]bool, len(ready))
	for _, sh := range ready {
		want[sh.Index] = true
	}
	p.mu.Lock()
	held := 0
	var mine []*worker
	for _, w := range p.workers {
		if w.isStopping {
			continue
		}
		if !want[w.shard] || w.st.ID != st.ID {
			w.stop()
			continue
		}
		held++
		mine = append(mine, w)
	}
	p.mu.Unlock()
	for _, sh := range ready {
		if held >= target {
			break
		}
		p.mu.Lock()
		_, running := p.workers[sh.Index]
		p.mu.Unlock()
		if running {
			continue
		}
		key := shardKey(p.prefix, sh.Index)
		if owner := snap.Holders[key]; owner != "" && owner != p.leases.Owner() {
			continue
		}
		l, ok, err := p.leases.Acquire(ctx, key)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		p.start(st, sh.Index, l)
		held++
	}
	// Give up shards beyond the fair share (a Run joined): the others
	// take them once released. The highest shard indexes go first.
	slices.SortFunc(mine, func(a, b *worker) int { return a.shard - b.shard })
	for i := 0; held > target && i < len(mine); i++ {
		p.mu.Lock()
		mine[len(mine)-1-i].stop()
		p.mu.Unlock()
		held--
	}
	return nil
}

func (p *pump) start(st *shardstore.Stream, shard int, l *lease.Lease) {
	w := newWorker(p, st, shard, l)
	p.mu.Lock()
	p.workers[shard] = w
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		w.run()
		p.mu.Lock()
		if p.workers[shard] == w {
			delete(p.workers, shard)
		}
		p.mu.Unlock()
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}()
}

// Delete removes the checkpoints and leases of a delivery stream (it was
// deleted). Call it once the delivery stream's Runs were told to end: a
// Run still going would write its shards' checkpoints again.
func Delete(ctx context.Context, js jetstream.JetStream, name string) error {
	if !nameRe.MatchString(name) {
		return fmt.Errorf("source: delivery stream name %q is not valid", name)
	}
	cps, err := reader.OpenCheckpoints(ctx, js, reader.CheckpointOptions{})
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if err := cps.Delete(ctx, MappingID(name)); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	leases, err := lease.Open(ctx, js, lease.Options{Owner: "firehose-delete"})
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if err := leases.Remove(ctx, LeasePrefix(name)); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	return nil
}

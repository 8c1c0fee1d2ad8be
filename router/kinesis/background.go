package kinesis

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/kinesin/kinesin/router/shardstore"
)

// background finishes what requests start: streams leave CREATING once
// their shards exist, DELETING streams lose their shards and metadata,
// UPDATING streams get their closed parents sealed, consumers become
// ACTIVE or go away, and closed shards past retention are dropped. Every
// step is idempotent and written with compare-and-set, so a process that
// dies half-way leaves work that the next one (or another process) resumes.
type background struct {
	s      *Service
	mu     sync.Mutex
	locks  map[string]*sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// janitorEvery is how often every stream is looked at again.
const janitorEvery = 30 * time.Second

func newBackground(s *Service) *background {
	ctx, cancel := context.WithCancel(context.Background())
	return &background{s: s, locks: map[string]*sync.Mutex{}, ctx: ctx, cancel: cancel}
}

func (b *background) start(ctx context.Context) {
	for _, st := range b.s.store.List() {
		b.kick(st.Name)
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTicker(janitorEvery)
		defer t.Stop()
		for {
			select {
			case <-b.ctx.Done():
				return
			case <-ctx.Done():
				return
			case <-t.C:
				for _, st := range b.s.store.List() {
					b.kick(st.Name)
				}
			}
		}
	}()
}

func (b *background) stop() {
	b.cancel()
	b.wg.Wait()
}

// kick reconciles one stream in the background.
func (b *background) kick(name string) {
	if b.ctx.Err() != nil {
		return
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.mu.Lock()
		l, ok := b.locks[name]
		if !ok {
			l = &sync.Mutex{}
			b.locks[name] = l
		}
		b.mu.Unlock()
		l.Lock()
		defer l.Unlock()
		if err := b.reconcile(b.ctx, name); err != nil && b.ctx.Err() == nil {
			b.s.log.Warn("kinesis: background work on stream failed; will retry", "stream", name, "err", err)
			time.AfterFunc(time.Second, func() { b.kick(name) })
		}
	}()
}

func (b *background) reconcile(ctx context.Context, name string) error {
	s := b.s
	st, err := s.store.GetFresh(ctx, name)
	if err == shardstore.ErrNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	switch st.Status {
	case shardstore.StatusCreating:
		var open []int
		for _, sh := range st.Shards {
			open = append(open, sh.Index)
		}
		if err := s.store.EnsureShards(ctx, st, open...); err != nil {
			return err
		}
		if wait := time.Until(st.Created.Add(s.cfg.CreateDelay)); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		_, err = s.store.Update(ctx, name, func(st *shardstore.Stream) error {
			if st.Status == shardstore.StatusCreating {
				st.Status = shardstore.StatusActive
			}
			return nil
		})
		return err
	case shardstore.StatusDeleting:
		if err := s.store.DropShards(ctx, st); err != nil {
			return err
		}
		s.metrics.forget(name)
		return s.store.Remove(ctx, name)
	case shardstore.StatusUpdating:
		if err := b.seal(ctx, st); err != nil {
			return err
		}
	}
	if err := b.consumers(ctx, st); err != nil {
		return err
	}
	return b.expire(ctx, st)
}

// seal finishes a resharding: every pending parent stops taking writes and
// gets its ending sequence number, then the stream is ACTIVE again.
func (b *background) seal(ctx context.Context, st *shardstore.Stream) error {
	s := b.s
	var open []int
	for _, sh := range st.Shards {
		if !sh.Closed {
			open = append(open, sh.Index)
		}
	}
	if err := s.store.EnsureShards(ctx, st, open...); err != nil {
		return err
	}
	type end struct {
		msg uint64
		idx uint32
	}
	ends := map[int]end{}
	for _, p := range st.Pending {
		msg, idx, err := s.store.SealShard(ctx, st, p)
		if err != nil {
			return err
		}
		ends[p] = end{msg, idx}
	}
	_, err := s.store.Update(ctx, st.Name, func(st *shardstore.Stream) error {
		for p, e := range ends {
			if sh, ok := st.Shard(p); ok {
				sh.Sealed, sh.EndMsg, sh.EndIndex = true, e.msg, e.idx
			}
			st.Pending = slices.DeleteFunc(st.Pending, func(x int) bool { return x == p })
		}
		if len(st.Pending) == 0 && st.Status == shardstore.StatusUpdating {
			st.Status = shardstore.StatusActive
		}
		return nil
	})
	return err
}

// consumers moves registered consumers from CREATING to ACTIVE and removes
// DELETING ones.
func (b *background) consumers(ctx context.Context, st *shardstore.Stream) error {
	busy := false
	for _, c := range st.Consumers {
		busy = busy || c.Status != "ACTIVE"
	}
	if !busy {
		return nil
	}
	_, err := b.s.store.Update(ctx, st.Name, func(st *shardstore.Stream) error {
		st.Consumers = slices.DeleteFunc(st.Consumers, func(c shardstore.Consumer) bool { return c.Status == "DELETING" })
		for i := range st.Consumers {
			st.Consumers[i].Status = "ACTIVE"
		}
		return nil
	})
	return err
}

// expire drops closed shards whose records are all past retention, as
// Kinesis forgets them.
func (b *background) expire(ctx context.Context, st *shardstore.Stream) error {
	retention := time.Duration(st.RetentionHours) * time.Hour
	var gone []int
	for _, sh := range st.Shards {
		if sh.Sealed && time.Since(sh.ClosedAt) > retention {
			gone = append(gone, sh.Index)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	for _, i := range gone {
		if err := b.s.store.DropShard(ctx, st, i); err != nil {
			return err
		}
	}
	_, err := b.s.store.Update(ctx, st.Name, func(st *shardstore.Stream) error {
		st.Shards = slices.DeleteFunc(st.Shards, func(sh shardstore.Shard) bool { return slices.Contains(gone, sh.Index) })
		return nil
	})
	return err
}

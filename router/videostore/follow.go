package videostore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrFollowerClosed is returned by Next after Close.
var ErrFollowerClosed = errors.New("videostore: follower closed")

// Follower yields a stream's fragments in order as they are stored. It is
// not safe for concurrent use, except Close.
type Follower struct {
	s   *Store
	id  string
	it  jetstream.MessagesContext
	sub *nats.Subscription

	gone     chan struct{} // closed when the stream is deleted
	goneOnce sync.Once
	closed   chan struct{}
	close    sync.Once
	msgs     chan result
	err      error // sticky consumer failure
}

// deletedSubject is JetStream's advisory of a stream's deletion.
func deletedSubject(stream string) string { return "$JS.EVENT.ADVISORY.STREAM.DELETED." + stream }

// Follow yields fragments from seq from on (the first stored one if from is
// older), in order, waiting for new ones (live): Next blocks until one is
// stored, its context ends, or the stream is deleted (ErrDeleted), also by
// another process.
func (s *Store) Follow(ctx context.Context, id string, from uint64) (*Follower, error) {
	if _, err := s.handle(ctx, id); err != nil {
		return nil, s.fail(id, "follow", err)
	}
	f := &Follower{s: s, id: id, gone: make(chan struct{}), closed: make(chan struct{}), msgs: make(chan result)}
	// Subscribe to the deletion advisory before looking at the stream, so
	// a deletion in between is seen either way.
	sub, err := s.nc.Subscribe(deletedSubject(indexName(id)), func(*nats.Msg) { f.markGone() })
	if err != nil {
		return nil, fmt.Errorf("videostore: follow %s: %w", id, err)
	}
	f.sub = sub
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy, MaxResetAttempts: 5, InactiveThreshold: time.Minute}
	if from > 1 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, from
	}
	cons, err := s.js.OrderedConsumer(ctx, indexName(id), cfg)
	if err != nil {
		_ = sub.Unsubscribe()
		return nil, s.fail(id, "follow", err)
	}
	it, err := cons.Messages()
	if err != nil {
		_ = sub.Unsubscribe()
		return nil, s.fail(id, "follow", err)
	}
	f.it = it
	go f.pump()
	return f, nil
}

func (f *Follower) markGone() { f.goneOnce.Do(func() { close(f.gone) }) }

// pump moves the consumer's messages to f.msgs, one at a time: a message
// fetched while no Next waits is kept for the next call. (The consumer's
// own Next cannot be interrupted while it re-creates its consumer after
// the stream was deleted, so Next must not call it directly.)
func (f *Follower) pump() {
	for {
		m, err := f.it.Next()
		select {
		case f.msgs <- result{m, err}:
		case <-f.closed:
			return
		}
		if err != nil {
			return
		}
	}
}

type result struct {
	m   jetstream.Msg
	err error
}

// Next returns the next fragment, waiting for it to be stored.
func (f *Follower) Next(ctx context.Context) (Fragment, error) {
	for {
		// A deletion wins over fragments not yet returned.
		select {
		case <-f.closed:
			return Fragment{}, ErrFollowerClosed
		case <-f.gone:
			return Fragment{}, fmt.Errorf("videostore: follow %s: %w", f.id, ErrDeleted)
		default:
		}
		if f.err != nil {
			return Fragment{}, f.err
		}
		var r result
		select {
		case <-f.closed:
			return Fragment{}, ErrFollowerClosed
		case <-f.gone:
			return Fragment{}, fmt.Errorf("videostore: follow %s: %w", f.id, ErrDeleted)
		case <-ctx.Done():
			return Fragment{}, fmt.Errorf("videostore: follow %s: %w", f.id, ctx.Err())
		case r = <-f.msgs:
		}
		if r.err != nil {
			// The consumer failed: the stream may be gone.
			cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, serr := f.s.js.Stream(cctx, indexName(f.id))
			ccancel()
			if gone(serr) {
				f.markGone()
				return Fragment{}, fmt.Errorf("videostore: follow %s: %w", f.id, ErrDeleted)
			}
			f.err = fmt.Errorf("videostore: follow %s: %w", f.id, r.err)
			return Fragment{}, f.err
		}
		md, err := r.m.Metadata()
		if err != nil {
			return Fragment{}, fmt.Errorf("videostore: follow %s: %w", f.id, err)
		}
		e, err := decodeEntry(r.m.Data())
		if err != nil {
			f.s.log.Warn("videostore: follow: skipping bad index entry", "id", f.id, "seq", md.Sequence.Stream, "err", err)
			continue
		}
		return e.fragment(md.Sequence.Stream), nil
	}
}

// Close stops the follower; a blocked Next returns ErrFollowerClosed.
func (f *Follower) Close() {
	f.close.Do(func() {
		close(f.closed)
		_ = f.sub.Unsubscribe()
		// Stop waits while the consumer is being re-created (after a
		// deletion, with backoff): do not make the caller wait too.
		go f.it.Stop()
	})
}

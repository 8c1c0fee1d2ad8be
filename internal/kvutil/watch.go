package kvutil

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// IsConflictOrGone says whether err is a failed compare-and-set or a key
// that is no longer there: what a conditional delete of a key another
// process moved on meets.
func IsConflictOrGone(err error) bool {
	return errors.Is(err, jetstream.ErrKeyNotFound) || IsConflict(err)
}

// Watcher hands every change of a bucket to a function, in order.
type Watcher struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Watch calls apply for the current value of every key of kv and then for
// every change, one at a time, until ctx ends or Stop; it returns once the
// current values are applied.
func Watch(ctx context.Context, kv jetstream.KeyValue, apply func(ctx context.Context, e jetstream.KeyValueEntry)) (*Watcher, error) {
	ctx, cancel := context.WithCancel(ctx)
	w, err := kv.WatchAll(ctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("watch %s: %w", kv.Bucket(), err)
	}
	wr := &Watcher{cancel: cancel, done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		defer close(wr.done)
		defer func() { _ = w.Stop() }()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e == nil {
					close(ready)
					continue
				}
				apply(ctx, e)
			}
		}
	}()
	select {
	case <-ready:
		return wr, nil
	case <-ctx.Done():
		wr.Stop()
		return nil, ctx.Err()
	}
}

// Stop ends the watch and waits for the apply under way.
func (w *Watcher) Stop() {
	w.cancel()
	<-w.done
}

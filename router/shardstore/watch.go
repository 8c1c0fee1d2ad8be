package shardstore

import (
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"
)

// tickSubject carries an empty message after every acknowledged append to
// a shard, so watchers are woken only once the batch is readable, and are
// not sent the batch itself.
func tickSubject(st *Stream, index int) string {
	return "kinesin.tick." + st.ID + "." + strconv.Itoa(index)
}

// Watch subscribes to appends to one shard: the returned channel receives
// a signal (coalesced) each time a batch has been stored, so readers are
// pushed instead of polling. stop ends the subscription.
func (s *Store) Watch(st *Stream, index int) (ring <-chan struct{}, stop func(), err error) {
	c := make(chan struct{}, 1)
	sub, err := s.nc.Subscribe(tickSubject(st, index), func(*nats.Msg) {
		select {
		case c <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("shardstore: watch %s: %w", ShardID(index), err)
	}
	// A slow reader must never make the server drop the connection.
	_ = sub.SetPendingLimits(-1, -1)
	return c, func() { _ = sub.Unsubscribe() }, nil
}

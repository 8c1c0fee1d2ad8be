package host

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"
)

// CheckpointClock answers the engine clock (ms) of an application's last
// checkpoint and whether there is one.
func CheckpointClock(ctx context.Context, js jetstream.JetStream, name string) (int64, bool, error) {
	s, err := newCPStore(ctx, js, name)
	if err != nil {
		return 0, false, err
	}
	cp, err := s.load(ctx)
	if err != nil || cp == nil {
		return 0, false, err
	}
	return cp.Clock, true, nil
}

package server

import (
	"context"
	"fmt"
	"os"

	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/triggers/lease"
	"github.com/kinesin/kinesin/triggers/mappings"
	"github.com/kinesin/kinesin/triggers/reader"
	"github.com/kinesin/kinesin/triggers/runner"
	"github.com/prometheus/client_golang/prometheus"
)

// startTriggers opens the buckets of event source mappings (mappings,
// checkpoints, leases), builds this process's runner and registers the
// mapping API. The runner starts with Server.Start, once the HTTP tier
// serves.
func (s *Server) startTriggers(ctx context.Context, reg prometheus.Registerer) error {
	js := s.store.JetStream()
	store, err := mappings.OpenStore(ctx, js, 0)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	cps, err := reader.OpenCheckpoints(ctx, js, reader.CheckpointOptions{})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	host, _ := os.Hostname()
	leases, err := lease.Open(ctx, js, lease.Options{Owner: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), uuid.New()[:8]), TTL: s.cfg.LeaseTTL})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	s.runner = runner.New(runner.Config{
		Streams: s.store, Mappings: store, Checkpoints: cps, Leases: leases,
		Functions: s.fns, Destinations: s.kinesis,
		Region: s.cfg.Region, AccountID: s.cfg.AccountID, TimeUnit: s.cfg.TriggerTimeUnit,
		Logger: s.log, Metrics: runner.NewMetrics(reg),
		Video: s.videoStore, VideoStreams: s.video, DataEndpoint: s.URL,
	})
	mappings.New(store, mappings.Config{
		Region: s.cfg.Region, AccountID: s.cfg.AccountID, Streams: s.store, Functions: s.fns,
		Runner: s.runner, Logger: s.log, VideoStreams: s.video,
	}).Register(s.http)
	return nil
}

package server

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kinesin/kinesin/router/firehose"
	"github.com/kinesin/kinesin/sinks/objstore"
)

// startFirehose opens the Firehose service (its KV bucket), registers its
// operations with the HTTP tier and starts watching delivery streams and
// delivering them; teardown closes it before NATS goes.
func (s *Server) startFirehose(ctx context.Context, reg prometheus.Registerer) error {
	cfg := firehose.Config{
		Region: s.cfg.Region, AccountID: s.cfg.AccountID, DataDir: s.cfg.DataDir,
		TimeUnit: s.cfg.TriggerTimeUnit, Logger: s.log, Functions: s.fns,
		Streams: s.store, LeaseTTL: s.cfg.LeaseTTL, Kinesis: s.kinesis,
	}
	if s.cfg.S3Endpoint != "" {
		o, err := objstore.ParseURL(s.cfg.S3Endpoint)
		if err != nil {
			return fmt.Errorf("server: --s3-endpoint: %w", err)
		}
		if cfg.Objects, err = objstore.NewS3(o); err != nil {
			return fmt.Errorf("server: --s3-endpoint: %w", err)
		}
	}
	svc, err := firehose.Open(ctx, s.store.JetStream(), cfg, firehose.NewMetrics(reg))
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	svc.Register(s.http)
	if err := svc.Start(context.Background()); err != nil {
		svc.Close()
		return fmt.Errorf("server: %w", err)
	}
	s.firehose = svc
	return nil
}

package server

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kinesin/kinesin/router/analytics"
	"github.com/kinesin/kinesin/runtime/sql/host"
	"github.com/kinesin/kinesin/sinks/objstore"
)

// startAnalytics opens the Kinesis Analytics service (its KV bucket),
// registers its operations with the HTTP tier and starts watching
// applications, running the RUNNING ones (each process's run of an
// application waits for the application's lease). It needs the stores
// and services the applications read and write: streams, Firehose (for
// KinesisFirehoseOutput, so it starts after Firehose), functions and the
// S3 object store Firehose delivers to. Teardown closes it before them.
func (s *Server) startAnalytics(ctx context.Context, reg prometheus.Registerer) error {
	objects := objstore.NewFS(s.cfg.DataDir)
	if s.cfg.S3Endpoint != "" {
		o, err := objstore.ParseURL(s.cfg.S3Endpoint)
		if err != nil {
			return fmt.Errorf("server: --s3-endpoint: %w", err)
		}
		if objects, err = objstore.NewS3(o); err != nil {
			return fmt.Errorf("server: --s3-endpoint: %w", err)
		}
	}
	cfg := analytics.Config{
		Region: s.cfg.Region, AccountID: s.cfg.AccountID, Logger: s.log, Metrics: host.NewMetrics(reg),
		Streams: s.store, Kinesis: s.kinesis, Functions: s.fns, UDFs: s.fns, Objects: objects,
		TimeUnit: s.cfg.TriggerTimeUnit, LeaseTTL: s.cfg.LeaseTTL,
	}
	if s.firehose != nil {
		cfg.Firehose = s.firehose
	}
	svc, err := analytics.Open(ctx, s.store.JetStream(), cfg)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	svc.Register(s.http)
	if err := svc.Start(context.Background()); err != nil {
		svc.Close()
		return fmt.Errorf("server: %w", err)
	}
	s.analytics = svc
	return nil
}

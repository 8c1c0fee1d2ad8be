package analytics

import (
	"context"
	"time"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/runtime/sql/host"
)

// hostConfig is the host configuration that runs m.
func (s *Service) hostConfig(m *Meta) host.Config {
	return host.Config{
		Name: m.Name, ARN: s.arn(m.Name), Version: m.Version, Code: deref(m.Code),
		Inputs: m.Inputs, Outputs: m.Outputs, References: m.References,
		Start: m.Start, RunID: m.RunID, Started: m.Started,
		JS: s.st.js, Streams: s.cfg.Streams, Kinesis: s.cfg.Kinesis, Firehose: s.cfg.Firehose,
		Functions: s.cfg.Functions, UDFs: s.cfg.UDFs, Objects: s.cfg.Objects,
		Logger: s.log, Metrics: s.cfg.Metrics, TimeUnit: s.cfg.TimeUnit, LeaseTTL: s.cfg.LeaseTTL,
	}
}

// runLoop runs one application until ctx ends. host.Run returns an error
// only when it cannot run the application at all (say its code no longer
// compiles against a changed engine); that is logged and tried again, as
// the application stays RUNNING.
func (s *Service) runLoop(ctx context.Context, c host.Config) {
	backoff := s.cfg.TimeUnit
	for ctx.Err() == nil {
		err := s.cfg.Run(ctx, c)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Error("analytics: application cannot run", "name", c.Name, "err", err)
		}
		if !clock.Sleep(ctx, backoff) {
			return
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kinesin/kinesin/functions"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/analytics"
	"github.com/kinesin/kinesin/router/firehose"
	"github.com/kinesin/kinesin/router/kinesis"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/router/video"
	"github.com/kinesin/kinesin/router/videostore"
	"github.com/kinesin/kinesin/triggers/runner"
)

// Server is one running kinesin process.
type Server struct {
	cfg      Config
	log      *slog.Logger
	ns       *natsserver.Server
	nc       *nats.Conn
	store    *shardstore.Store
	kinesis  *kinesis.Service
	fns      *functions.Service
	runner   *runner.Runner
	firehose *firehose.Service
	// analytics serves Kinesis Analytics and runs its applications.
	analytics *analytics.Service
	// video serves Kinesis Video Streams from videoStore.
	video      *video.Service
	videoStore *videostore.Store
	engines    functions.Engines
	http       *router.Server
}

func (c *Config) defaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:4567"
	}
	if c.DataDir == "" {
		c.DataDir = "kinesin-data"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.AccountID == "" {
		c.AccountID = "000000000000"
	}
	if c.Sync == "" {
		c.Sync = "interval"
	}
	if c.ShardLimits == "" {
		c.ShardLimits = "off"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
}

func (c *Config) validate() error {
	var errs []error
	if c.Sync != "always" && c.Sync != "interval" {
		errs = append(errs, fmt.Errorf("--sync must be always or interval, not %q", c.Sync))
	}
	if c.ShardLimits != "aws" && c.ShardLimits != "off" {
		errs = append(errs, fmt.Errorf("--shard-limits must be aws or off, not %q", c.ShardLimits))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key go together"))
	}
	if len(c.AccountID) != 12 {
		errs = append(errs, fmt.Errorf("--account-id must be 12 digits, not %q", c.AccountID))
	}
	return errors.Join(errs...)
}

// Start brings up NATS (embedded unless cfg.NATSURL), the store, the
// services and the HTTP tier, and applies the pipeline file. It returns
// once the server answers requests.
func Start(ctx context.Context, cfg Config) (_ *Server, err error) {
	cfg.defaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	defer func() {
		if err != nil {
			s.teardown(context.Background())
		}
	}()
	if cfg.NATSURL == "" {
		if s.ns, err = embeddedNATS(cfg.DataDir, cfg.Sync, s.log); err != nil {
			return nil, err
		}
	}
	if s.nc, err = connect(s.ns, cfg.NATSURL); err != nil {
		return nil, err
	}
	if s.store, err = shardstore.Open(ctx, s.nc, shardstore.Options{Logger: s.log}); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.kinesis = kinesis.New(s.store, kinesis.Config{
		Region: cfg.Region, AccountID: cfg.AccountID, ShardLimits: cfg.ShardLimits, Logger: s.log,
	}, kinesis.NewMetrics(reg))
	s.http = router.New(router.Config{
		Listen: cfg.Listen, TLSCert: cfg.TLSCert, TLSKey: cfg.TLSKey, TLSSelfSigned: cfg.TLSSelfSigned,
		MaxBodyBytes: 32 << 20, Logger: s.log,
		Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}),
	})
	s.kinesis.Register(s.http)
	if err := s.startFunctions(); err != nil {
		return nil, err
	}
	s.fns.Register(s.http)
	if err := s.startVideo(ctx, reg); err != nil {
		return nil, err
	}
	if err := s.startTriggers(ctx, reg); err != nil {
		return nil, err
	}
	if err := s.startFirehose(ctx, reg); err != nil {
		return nil, err
	}
	if err := s.startAnalytics(ctx, reg); err != nil {
		return nil, err
	}
	if err := s.http.Start(); err != nil {
		return nil, fmt.Errorf("server: listen on %s: %w", cfg.Listen, err)
	}
	s.kinesis.Start(context.Background())
	if !cfg.NoMappingRunner {
		if err := s.runner.Start(context.Background()); err != nil {
			return nil, err
		}
	}
	if cfg.PipelineFile != "" {
		if err := applyPipeline(ctx, cfg.PipelineFile, s.URL(), cfg.Region, s.log); err != nil {
			return nil, err
		}
	}
	s.http.SetReady(true)
	s.log.Info("kinesin ready", "listen", s.Addr(), "region", cfg.Region, "account", cfg.AccountID,
		"nats", map[bool]string{true: "embedded", false: cfg.NATSURL}[cfg.NATSURL == ""], "tls", cfg.TLSCert != "" || cfg.TLSSelfSigned)
	return s, nil
}

// Run starts the server and serves until ctx ends, then shuts down
// cleanly.
func Run(ctx context.Context, cfg Config) error {
	s, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	<-ctx.Done()
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	return s.Close(sctx)
}

// Addr is the HOST:PORT the server listens on.
func (s *Server) Addr() string { return s.http.Addr() }

// URL is the server's base URL.
func (s *Server) URL() string {
	scheme := "http"
	return scheme + "://" + s.Addr()
}

// Close stops accepting requests, ends streams, flushes and stops NATS.
func (s *Server) Close(ctx context.Context) error {
	return s.teardown(ctx)
}

func (s *Server) teardown(ctx context.Context) error {
	var errs []error
	if s.http != nil {
		s.http.SetReady(false)
		if s.kinesis != nil {
			s.kinesis.Close()
		}
		if err := s.http.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if s.runner != nil {
		s.runner.Close()
	}
	if s.analytics != nil {
		s.analytics.Close()
	}
	if s.video != nil {
		s.video.Close()
	}
	if s.videoStore != nil {
		s.videoStore.Close()
	}
	if s.firehose != nil {
		s.firehose.Close()
	}
	if s.fns != nil {
		s.fns.Close()
	}
	for _, e := range s.engines {
		if err := e.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if s.store != nil {
		s.store.Close()
	}
	if s.nc != nil {
		if err := s.nc.Drain(); err != nil {
			errs = append(errs, err)
		}
		s.nc.Close()
	}
	if s.ns != nil {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
	}
	return errors.Join(errs...)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/kinesin/kinesin/internal/server"
)

func newServeCmd() *cobra.Command {
	var (
		cfg       server.Config
		logLevel  string
		logFormat string
		runner    bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the kinesin server",
		Long: `Run a kinesin server: Kinesis Data Streams, Lambda (functions and event
source mappings), Firehose, Kinesis Analytics (SQL applications) and Kinesis
Video Streams (PutMedia, GetMedia, HLS/DASH playback, clips, images) on one
port, storing data in an embedded NATS JetStream server
under --data-dir, or in an existing NATS cluster given with --nats (then
several kinesin processes can serve the same data behind a load balancer).
It runs until SIGINT or SIGTERM, then shuts down cleanly; a second signal
exits at once.

--sync chooses durability against speed for the embedded store:
  interval  (default) acknowledge an append once JetStream has it in memory
            and the OS page cache; JetStream syncs to disk periodically. A
            process crash loses nothing, a power loss or kernel crash can
            lose the last moments of acknowledged records.
  always    fsync every append before acknowledging it: nothing
            acknowledged is ever lost, at a large cost in throughput and
            latency on most disks.

--shard-limits aws enforces AWS's per-shard limits on provisioned streams
(writes: 1 MiB and 1000 records per second; reads: 5 GetRecords calls per
second) with ProvisionedThroughputExceededException, to test producers and
consumers against real AWS behaviour; off (default) serves as fast as it
can.

With -f the server applies the pipeline file (see kinesin apply) once it
answers requests and before it reports ready; a file with problems stops it
from starting.`,
		Example: `  kinesin serve
  kinesin serve --listen 0.0.0.0:4567 --data-dir /var/lib/kinesin --sync always
  kinesin serve -f pipeline.yaml --log-format json
  kinesin serve --nats nats://nats-1:4222,nats://nats-2:4222
  kinesin serve --tls-self-signed --listen 127.0.0.1:4443`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The server validates the rest of cfg, the pipeline file
			// included, and says which flag is wrong.
			logger, err := newLogger(cmd.ErrOrStderr(), logLevel, logFormat)
			if err != nil {
				return err
			}
			cfg.Logger = logger
			cfg.NoMappingRunner = !runner
			err = server.Run(cmd.Context(), cfg)
			if errors.Is(err, context.Canceled) && cmd.Context().Err() != nil {
				return nil // interrupted while starting
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Listen, "listen", "127.0.0.1:4567", "HOST:PORT to serve every API on (port 0 picks a free port)")
	f.StringVar(&cfg.DataDir, "data-dir", "./kinesin-data", "directory of the embedded JetStream store (unused with --nats)")
	f.StringVar(&cfg.NATSURL, "nats", "", "URL(s) of an existing NATS cluster to use instead of the embedded server")
	f.StringVar(&cfg.Region, "region", "us-east-1", "region that appears in ARNs")
	f.StringVar(&cfg.AccountID, "account-id", "000000000000", "account id that appears in ARNs")
	f.StringVar(&cfg.Sync, "sync", "interval", "durability of the embedded store: always or interval (see above)")
	f.StringVarP(&cfg.PipelineFile, "file", "f", "", "pipeline file to apply once the server is ready")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate file: serve HTTPS (with --tls-key)")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key file of --tls-cert")
	f.BoolVar(&cfg.TLSSelfSigned, "tls-self-signed", false, "serve HTTPS with a generated self-signed certificate (clients need --insecure)")
	f.StringVar(&cfg.ShardLimits, "shard-limits", "off", "aws: enforce AWS's per-shard throughput limits; off: no limits")
	f.BoolVar(&cfg.WasmUninterruptible, "wasm-uninterruptible", false, "run WebAssembly functions without timeout checks: about 10× faster guest code, but a function that never returns is not stopped (trusted code only)")
	f.BoolVar(&runner, "mapping-runner", true, "run event source mapping shards in this process (false: serve the API only and leave the shards to other processes on the same NATS)")
	f.StringVar(&cfg.S3Endpoint, "s3-endpoint", "", "URL of an S3-compatible server that Firehose delivers objects to, e.g. http://KEY:SECRET@127.0.0.1:7070?region=us-east-1 (empty: objects go to <data-dir>/s3/<bucket>/<key>)")
	f.StringVar(&cfg.FFmpeg, "ffmpeg", "", "ffmpeg binary that Video Streams GetImages decodes frames with (empty: ffmpeg on PATH; without one, GetImages answers an error saying what to install)")
	f.DurationVar(&cfg.LeaseTTL, "lease-ttl", 10*time.Second, "how long a process keeps an event source mapping shard without renewing its lease: when a process dies, its shards move to the others after at most this long")
	f.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 0, "how long a clean shutdown may take (default 10s)")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&logFormat, "log-format", "text", "text or json")
	cmd.MarkFlagsMutuallyExclusive("tls-self-signed", "tls-cert")
	cmd.MarkFlagsMutuallyExclusive("tls-self-signed", "tls-key")
	return cmd
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

package server

import (
	"log/slog"
	"time"
)

// Config is everything `kinesin serve` can be told. The zero value of each
// field means its documented default.
type Config struct {
	// Listen is HOST:PORT for every service (default 127.0.0.1:4567; port 0
	// picks a free one, see Server.Addr).
	Listen string
	// DataDir holds the embedded NATS server's JetStream store (default
	// ./kinesin-data). Unused with NATSURL.
	DataDir string
	// NATSURL points at an existing NATS server or cluster instead of the
	// embedded one.
	NATSURL string
	// Region and AccountID appear in ARNs (defaults us-east-1, 000000000000).
	Region    string
	AccountID string
	// Sync is the embedded JetStream's durability: "always" fsyncs every
	// append before acknowledging it; "interval" (default) lets the OS
	// flush, with JetStream's periodic sync.
	Sync string
	// PipelineFile, when set, is applied once the server is ready.
	PipelineFile string
	// TLS on the same port: a certificate and key, or a generated
	// self-signed pair.
	TLSCert, TLSKey string
	TLSSelfSigned   bool
	// ShardLimits is "off" (default) or "aws": emulate provisioned shard
	// throughput limits and answer ProvisionedThroughputExceededException.
	ShardLimits string
	// WasmUninterruptible runs WebAssembly functions without wazero's
	// timeout checks (--wasm-uninterruptible): Go guests run about 10×
	// faster, but a call that never returns is never stopped.
	WasmUninterruptible bool
	// LeaseTTL is how long a process's claim on a shard of an event
	// source mapping lasts without renewal: when a process dies, its
	// shards move to the others after at most this long (default 10s).
	LeaseTTL time.Duration
	// NoMappingRunner makes this process serve the event source mapping
	// API without running any mapping's shards (--mapping-runner=false):
	// for API- or ingest-only processes in a deployment where others run
	// the mappings. Mappings created here stay Creating until one does.
	NoMappingRunner bool
	// S3Endpoint is the URL of an S3-compatible server Firehose delivers
	// to (--s3-endpoint; see sinks/objstore.ParseURL). Empty: objects are
	// written under DataDir/s3/<bucket>/<key>.
	S3Endpoint string
	// FFmpeg is the ffmpeg binary GetImages decodes frames with (--ffmpeg;
	// default: "ffmpeg" on PATH). Without one, GetImages answers an error
	// that says what to install; everything else about video works.
	FFmpeg string
	// TriggerTimeUnit is the length of one "second" of an event source
	// mapping's MaximumRecordAgeInSeconds and TumblingWindowInSeconds, and
	// of a delivery stream's buffering interval (default 1s). Tests shorten it so that age expiry and windows run in
	// milliseconds; nothing else should set it.
	TriggerTimeUnit time.Duration
	// Logger receives structured logs (default: slog.Default()).
	Logger *slog.Logger
	// ShutdownTimeout bounds a clean shutdown (default 10s).
	ShutdownTimeout time.Duration
}

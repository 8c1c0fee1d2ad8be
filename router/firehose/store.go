package firehose

import (
	"github.com/kinesin/kinesin/sinks/process"

	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/kvutil"
)

// Bucket is the JetStream KV bucket of delivery stream configurations.
const Bucket = "kinesin_firehose"

// Delivery stream statuses and types.
const (
	StatusCreating = "CREATING"
	StatusActive   = "ACTIVE"
	StatusDeleting = "DELETING"

	TypeDirectPut = "DirectPut"
	TypeKinesis   = "KinesisStreamAsSource"
)

// Destination is a delivery stream's S3 destination as stored.
type Destination struct {
	BucketARN         string `json:"bucket_arn"`
	RoleARN           string `json:"role_arn"`
	Prefix            string `json:"prefix,omitempty"`
	ErrorOutputPrefix string `json:"error_output_prefix,omitempty"`
	SizeInMBs         int64  `json:"size_mb"`
	IntervalInSeconds int64  `json:"interval_s"`
	CompressionFormat string `json:"compression"`
	// Processing is the ProcessingConfiguration (nil: none given).
	Processing *process.Config `json:"processing,omitempty"`
	// Conversion is the DataFormatConversionConfiguration as given (nil:
	// none); Dynamic the DynamicPartitioningConfiguration.
	Conversion *conversionConfig          `json:"conversion,omitempty"`
	Dynamic    *dynamicPartitioningConfig `json:"dynamic,omitempty"`
	// BackupMode is S3BackupMode (Disabled or Enabled) and Backup the
	// S3BackupConfiguration that receives the source records when Enabled.
	BackupMode string       `json:"backup_mode,omitempty"`
	Backup     *Destination `json:"backup,omitempty"`
	// FileExtension replaces the objects' extension; CustomTimeZone is the
	// time zone of the prefix's timestamps and object names (default UTC).
	FileExtension  string `json:"file_extension,omitempty"`
	CustomTimeZone string `json:"custom_time_zone,omitempty"`
}

// DynamicPartitioning reports whether dynamic partitioning is on.
func (d Destination) DynamicPartitioning() bool {
	return d.Dynamic != nil && enabled(true, d.Dynamic.Enabled)
}

// Bucket is the bucket name of BucketARN (arn:aws:s3:::bucket).
func (d Destination) Bucket() string { return strings.TrimPrefix(d.BucketARN, "arn:aws:s3:::") }

// Meta is one delivery stream as stored in the bucket.
type Meta struct {
	Name        string      `json:"name"`
	Status      string      `json:"status"`
	Type        string      `json:"type"`
	Version     int         `json:"version"`
	Created     time.Time   `json:"created"`
	Destination Destination `json:"destination"`
	// Other is the destination when it is not S3 (nil: S3).
	Other *Other `json:"other,omitempty"`
	// Source is the Kinesis stream a KinesisStreamAsSource delivery
	// stream reads (nil: DirectPut).
	Source *Source `json:"source,omitempty"`
	// Tags in the order they were added.
	Tags []Tag `json:"tags,omitempty"`
}

// Source is a KinesisStreamSourceConfiguration as stored.
type Source struct {
	StreamARN string `json:"stream_arn"`
	RoleARN   string `json:"role_arn"`
	// Start is DeliveryStartTimestamp: records that arrived in the stream
	// from then on are delivered.
	Start time.Time `json:"start"`
}

// Tag is one tag of a delivery stream.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

var errNotFound = errors.New("firehose: delivery stream not found")

// store holds the bucket, keyed by name, and the record streams.
type store struct {
	js jetstream.JetStream
	kvutil.Table[Meta]
}

func openStore(ctx context.Context, js jetstream.JetStream, replicas int) (*store, error) {
	kv, err := kvutil.Bucket(ctx, js, Bucket, "kinesin Firehose delivery streams", replicas, false)
	if err != nil {
		return nil, fmt.Errorf("firehose: %w", err)
	}
	return &store{js: js, Table: kvutil.Table[Meta]{KV: kv, Prefix: "firehose", What: "delivery stream", NotFound: errNotFound}}, nil
}

// StreamName is the JetStream stream of a delivery stream's records.
func StreamName(name string) string { return "FH_" + kvutil.EscapeName(name) }

// Subject is the subject a delivery stream's records are appended to.
func Subject(name string) string { return "kinesin.fh." + kvutil.EscapeName(name) }

// consumerName is the durable consumer the delivery loops share.
const consumerName = "s3"

// ensureStream creates the record stream of a delivery stream and its
// delivery consumer. The stream keeps a batch while a consumer has not
// acknowledged it (interest retention): the delivery loops' consumer, and
// the consumers of SQL applications that read the delivery stream as an
// input (runtime/sql/host). The delivery consumer is made here, before the
// delivery stream turns ACTIVE and takes records, because an interest
// stream drops what arrives while nobody is interested. A stream made by an
// older kinesin (a work queue, readable by the delivery loops only) is kept
// as it is.
func (st *store) ensureStream(ctx context.Context, name string) (jetstream.Stream, error) {
	s, err := st.js.Stream(ctx, StreamName(name))
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = st.js.CreateStream(ctx, jetstream.StreamConfig{
			Name: StreamName(name), Subjects: []string{Subject(name)},
			Description: "kinesin Firehose records of " + name,
			Retention:   jetstream.InterestPolicy, Storage: jetstream.FileStorage,
		})
	}
	if err != nil {
		return nil, fmt.Errorf("firehose: record stream of %s: %w", name, err)
	}
	if _, err := s.CreateOrUpdateConsumer(ctx, deliveryConsumer(defaultAckWait)); err != nil {
		return nil, fmt.Errorf("firehose: delivery consumer of %s: %w", name, err)
	}
	return s, nil
}

// defaultAckWait is the delivery consumer's ack wait until a delivery loop
// sets its own.
const defaultAckWait = 10 * time.Second

// deliveryConsumer is the durable consumer the delivery loops share.
func deliveryConsumer(ackWait time.Duration) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable: consumerName, AckPolicy: jetstream.AckExplicitPolicy, AckWait: ackWait,
		MaxAckPending: 1 << 20, MaxDeliver: -1,
	}
}

func (st *store) deleteStream(ctx context.Context, name string) error {
	err := st.js.DeleteStream(ctx, StreamName(name))
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("firehose: delete record stream of %s: %w", name, err)
	}
	return nil
}

// encodingHeader marks a stored batch compressed with S2 (block format):
// JSON records shrink several times, and JetStream writes, copies and
// hashes that much less.
const (
	encodingHeader = "Kinesin-Encoding"
	encodingS2     = "s2"
	// compressAbove is the framed size from which batches are compressed.
	compressAbove = 4 << 10
)

// append stores records as one message and returns its stream sequence.
func (st *store) append(ctx context.Context, name string, records [][]byte) (uint64, error) {
	msg := &nats.Msg{Subject: Subject(name), Data: encodeBatch(records)}
	if len(msg.Data) >= compressAbove {
		msg.Data = s2.Encode(nil, msg.Data)
		msg.Header = nats.Header{encodingHeader: []string{encodingS2}}
	}
	ack, err := st.js.PublishMsg(ctx, msg, jetstream.WithExpectStream(StreamName(name)))
	if err != nil {
		return 0, fmt.Errorf("firehose: append to %s: %w", name, err)
	}
	return ack.Sequence, nil
}

// encodeBatch frames records as (uvarint length, bytes)*.
func encodeBatch(records [][]byte) []byte {
	n := 0
	for _, r := range records {
		n += binary.MaxVarintLen32 + len(r)
	}
	b := make([]byte, 0, n)
	for _, r := range records {
		b = binary.AppendUvarint(b, uint64(len(r)))
		b = append(b, r...)
	}
	return b
}

// DecodeMsg splits a stored message into its records, decompressing it
// first when it says so.
func DecodeMsg(m jetstream.Msg) ([][]byte, error) {
	b := m.Data()
	if h := m.Headers(); h != nil && h.Get(encodingHeader) == encodingS2 {
		var err error
		if b, err = s2.Decode(nil, b); err != nil {
			return nil, fmt.Errorf("firehose: corrupt stored batch: %w", err)
		}
	}
	return DecodeBatch(b)
}

// DecodeBatch splits a stored message into its records.
func DecodeBatch(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, errors.New("firehose: corrupt stored batch")
		}
		out = append(out, b[k:k+int(n)])
		b = b[k+int(n):]
	}
	return out, nil
}

// recordID is the opaque RecordId of record index of the batch stored at
// seq in name's stream: 56 base64 characters, like AWS's.
func recordID(name string, seq uint64, index int) string {
	var raw [42]byte
	binary.BigEndian.PutUint64(raw[0:], seq)
	binary.BigEndian.PutUint16(raw[8:], uint16(index))
	h := sha256.Sum256([]byte(name))
	copy(raw[10:], h[:])
	return base64.StdEncoding.EncodeToString(raw[:])
}

package kinesis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/awsproto"
	"github.com/kinesin/kinesin/router/shardstore"
)

// TargetPrefix is the X-Amz-Target prefix of Kinesis Data Streams.
const TargetPrefix = "Kinesis_20131202"

// Config configures the service.
type Config struct {
	Region    string
	AccountID string
	// ShardLimits "aws" answers ProvisionedThroughputExceededException when
	// a provisioned shard's limits are passed; "off" only counts it.
	ShardLimits string
	// ShardLimit is the account's shard quota (DescribeLimits).
	ShardLimit int
	// OnDemandStreamCountLimit is the account's on-demand stream quota.
	OnDemandStreamCountLimit int
	// GetRecordsMaxBytes caps the data one GetRecords call returns. AWS
	// returns up to 10 MiB per call and allows 5 calls per second per
	// shard; without those limits (ShardLimits "off", the default) smaller
	// answers keep latency low and cost clients less memory for the same
	// throughput, so the default there is 2 MiB, a provisioned shard's
	// read rate per second.
	GetRecordsMaxBytes int
	// CreateDelay keeps new streams in CREATING this long (AWS takes
	// seconds; tests and the CLI's waiters poll for ACTIVE either way).
	CreateDelay time.Duration
	Logger      *slog.Logger
}

// Service serves Kinesis_20131202.
type Service struct {
	cfg     Config
	store   *shardstore.Store
	log     *slog.Logger
	ops     map[string]op
	metrics *Metrics
	limits  *limiter
	iters   iteratorCodec
	subs    *subscriptions
	bg      *background
}

// op handles one operation: it decodes its input from c and returns the
// output value to encode, or a *router.Response for streaming answers.
type op func(c *call) (any, error)

// call is one request in flight.
type call struct {
	ctx  context.Context
	enc  awsproto.Encoding
	body []byte
	req  *router.Request
}

func (c *call) decode(v any) error { return c.enc.Unmarshal(c.body, v) }

// input decodes a request and runs its constraint checks in AWS's order;
// a serialization or validation error comes back as is. check may be nil
// for operations whose input has no constrained members.
func input[T any](c *call, check func(v *awserr.Violations, in *T)) (*T, error) {
	in := new(T)
	if err := c.decode(in); err != nil {
		return nil, err
	}
	if err := validate(in, check); err != nil {
		return nil, err
	}
	return in, nil
}

// validate runs check on an input decoded by its own decoder (PutRecords)
// or already decoded (a consumer reference), and returns the
// ValidationException listing every violation, or nil.
func validate[T any](in *T, check func(v *awserr.Violations, in *T)) error {
	if check == nil {
		return nil
	}
	var v awserr.Violations
	check(&v, in)
	if err := v.Err(); err != nil {
		return err // not v.Err() itself: a nil *Error is a non-nil error
	}
	return nil
}

// New builds the service on a store.
func New(store *shardstore.Store, cfg Config, m *Metrics) *Service {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.ShardLimit == 0 {
		cfg.ShardLimit = 10000
	}
	if cfg.OnDemandStreamCountLimit == 0 {
		cfg.OnDemandStreamCountLimit = 50
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.GetRecordsMaxBytes == 0 {
		cfg.GetRecordsMaxBytes = 2 << 20
		if cfg.ShardLimits == "aws" {
			cfg.GetRecordsMaxBytes = maxGetBytes
		}
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	s := &Service{cfg: cfg, store: store, log: cfg.Logger, metrics: m, limits: newLimiter(cfg.ShardLimits == "aws"),
		iters: iteratorCodec{key: store.Secret()}, subs: newSubscriptions()}
	s.bg = newBackground(s)
	s.ops = map[string]op{
		"CreateStream":                  s.createStream,
		"DeleteStream":                  s.deleteStream,
		"DescribeStream":                s.describeStream,
		"DescribeStreamSummary":         s.describeStreamSummary,
		"ListStreams":                   s.listStreams,
		"ListShards":                    s.listShards,
		"PutRecord":                     s.putRecord,
		"PutRecords":                    s.putRecords,
		"GetShardIterator":              s.getShardIterator,
		"GetRecords":                    s.getRecords,
		"SplitShard":                    s.splitShard,
		"MergeShards":                   s.mergeShards,
		"UpdateShardCount":              s.updateShardCount,
		"UpdateStreamMode":              s.updateStreamMode,
		"IncreaseStreamRetentionPeriod": s.increaseRetention,
		"DecreaseStreamRetentionPeriod": s.decreaseRetention,
		"AddTagsToStream":               s.addTagsToStream,
		"RemoveTagsFromStream":          s.removeTagsFromStream,
		"ListTagsForStream":             s.listTagsForStream,
		"TagResource":                   s.tagResource,
		"UntagResource":                 s.untagResource,
		"ListTagsForResource":           s.listTagsForResource,
		"DescribeLimits":                s.describeLimits,
		"EnableEnhancedMonitoring":      s.enableMonitoring,
		"DisableEnhancedMonitoring":     s.disableMonitoring,
		"StartStreamEncryption":         s.startEncryption,
		"StopStreamEncryption":          s.stopEncryption,
		"RegisterStreamConsumer":        s.registerConsumer,
		"DeregisterStreamConsumer":      s.deregisterConsumer,
		"DescribeStreamConsumer":        s.describeConsumer,
		"ListStreamConsumers":           s.listConsumers,
		"SubscribeToShard":              s.subscribeToShard,
		"UpdateMaxRecordSize":           s.updateMaxRecordSize,
	}
	return s
}

// Register adds the service's operations to the HTTP tier.
func (s *Service) Register(srv interface {
	HandleTarget(prefix string, h router.Handler)
}) {
	srv.HandleTarget(TargetPrefix, router.HandlerFunc(s.Serve))
}

// Start resumes unfinished work (streams left CREATING, UPDATING or
// DELETING by a process that died) and starts the retention janitor.
func (s *Service) Start(ctx context.Context) { s.bg.start(ctx) }

// Close stops background work and ends open subscriptions.
func (s *Service) Close() {
	s.subs.closeAll()
	s.bg.stop()
}

// Serve handles one Kinesis request.
func (s *Service) Serve(r *router.Request) *router.Response {
	enc := awsproto.EncodingOf(r.Header("Content-Type"))
	target := r.Header("X-Amz-Target")
	name := target[strings.IndexByte(target, '.')+1:]
	fn, ok := s.ops[name]
	if !ok {
		return errorResponse(enc, awserr.UnknownOperation.New(""))
	}
	c := &call{ctx: r.Ctx, enc: enc, body: r.Body, req: r}
	out, err := fn(c)
	if err != nil {
		e := awserr.As(err)
		if e.Kind == awserr.InternalFailure {
			s.log.Error("kinesis: internal failure", "op", name, "err", err)
		}
		return errorResponse(enc, e)
	}
	if resp, ok := out.(*router.Response); ok {
		return resp
	}
	if out == nil {
		out = struct{}{}
	}
	if pre, ok := out.(preEncoded); ok {
		return &router.Response{Status: 200, Header: map[string]string{"Content-Type": enc.ContentType()}, Body: pre}
	}
	body, err := enc.Marshal(out)
	if err != nil {
		s.log.Error("kinesis: encode response", "op", name, "err", err)
		return errorResponse(enc, awserr.InternalFailure.New(""))
	}
	return &router.Response{Status: 200, Header: map[string]string{"Content-Type": enc.ContentType()}, Body: body}
}

func errorResponse(enc awsproto.Encoding, e *awserr.Error) *router.Response {
	return &router.Response{Status: e.Status, Header: map[string]string{"Content-Type": enc.ContentType()}, Body: enc.MarshalError(e)}
}

// ARN of a stream.
func (s *Service) streamARN(name string) string {
	return "arn:aws:kinesis:" + s.cfg.Region + ":" + s.cfg.AccountID + ":stream/" + name
}

func (s *Service) consumerARN(stream, consumer string, created time.Time) string {
	return fmt.Sprintf("%s/consumer/%s:%d", s.streamARN(stream), consumer, created.Unix())
}

var (
	nameRe        = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
	arnRe         = regexp.MustCompile(`^arn:aws.*:kinesis:.*:\d{12}:stream/\S+$`)
	resourceARNRe = regexp.MustCompile(`^arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+$`)
	hashRe        = regexp.MustCompile(`^(0|([1-9]\d{0,38}))$`)
	seqNumRe      = regexp.MustCompile(`^(0|([1-9]\d{0,128}))$`)
)

const (
	namePattern        = "[a-zA-Z0-9_.-]+"
	arnPattern         = `arn:aws.*:kinesis:.*:\d{12}:stream/\S+`
	resourceARNPattern = `arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`
	hashPattern        = `0|([1-9]\d{0,38})`
	seqNumPattern      = `0|([1-9]\d{0,128})`
)

// noMax is the upper bound of a number the model does not bound.
const noMax = math.MaxInt64

// intOr is an optional count member (a Limit, MaxResults), or def when the
// request leaves it out; validation has already bounded it.
func intOr(n *int64, def int) int {
	if n == nil {
		return def
	}
	return int(*n)
}

// given reports whether a member is there to check further; a required
// one that is not is a null violation, which AWS reports alone for it.
func given(v *awserr.Violations, there bool, path string, required bool) bool {
	if !there && required {
		v.Null(path)
	}
	return there
}

// checkName validates a name member (stream, shard or consumer name).
func checkName(v *awserr.Violations, s *string, path string, max int, required bool) {
	if !given(v, s != nil, path, required) {
		return
	}
	if !nameRe.MatchString(*s) {
		v.Add(*s, path, awserr.Pattern(namePattern))
	}
	if len(*s) < 1 {
		v.Add(*s, path, awserr.MinLen(1))
	}
	if len(*s) > max {
		v.Add(*s, path, awserr.MaxLen(max))
	}
}

func checkARN(v *awserr.Violations, s *string, path string, required bool) {
	if !given(v, s != nil, path, required) {
		return
	}
	if !arnRe.MatchString(*s) {
		v.Add(*s, path, awserr.Pattern(arnPattern))
	}
	if len(*s) > 2048 {
		v.Add(*s, path, awserr.MaxLen(2048))
	}
}

// checkPattern validates a string member whose only constraint is a
// pattern (pattern is re as the model spells it, for the message).
func checkPattern(v *awserr.Violations, s *string, path string, re *regexp.Regexp, pattern string, required bool) {
	if !given(v, s != nil, path, required) {
		return
	}
	if !re.MatchString(*s) {
		v.Add(*s, path, awserr.Pattern(pattern))
	}
}

// checkSeqNum validates an optional sequence number member.
func checkSeqNum(v *awserr.Violations, s *string, path string) {
	checkPattern(v, s, path, seqNumRe, seqNumPattern, false)
}

// checkResourceARN validates the ARN of a stream or a consumer.
func checkResourceARN(v *awserr.Violations, s *string) {
	checkLen(v, s, "resourceARN", 1, 2048, true)
	if s != nil && !resourceARNRe.MatchString(*s) {
		v.Add(*s, "resourceARN", awserr.Pattern(resourceARNPattern))
	}
}

func checkRange(v *awserr.Violations, n *int64, path string, min, max int64, required bool) {
	if !given(v, n != nil, path, required) {
		return
	}
	if *n < min {
		v.Add(fmt.Sprint(*n), path, awserr.MinVal(min))
	}
	if *n > max {
		v.Add(fmt.Sprint(*n), path, awserr.MaxVal(max))
	}
}

func checkLen(v *awserr.Violations, s *string, path string, min, max int, required bool) {
	if !given(v, s != nil, path, required) {
		return
	}
	if len(*s) < min {
		v.Add(*s, path, awserr.MinLen(min))
	}
	if len(*s) > max {
		v.Add(*s, path, awserr.MaxLen(max))
	}
}

// checkSize checks the number of members of a list or map member; value
// renders the member for the message.
func checkSize(v *awserr.Violations, present bool, n int, value func() string, path string, min, max int, required bool) {
	if !given(v, present, path, required) {
		return
	}
	if n < min {
		v.Add(value(), path, awserr.MinLen(min))
	}
	if n > max {
		v.Add(value(), path, awserr.MaxLen(max))
	}
}

func checkList(v *awserr.Violations, items []string, path string, min, max int, required bool) {
	checkSize(v, items != nil, len(items), func() string { return awserr.ListValue(items) }, path, min, max, required)
}

func checkMap(v *awserr.Violations, m map[string]string, path string, min, max int, required bool) {
	checkSize(v, m != nil, len(m), func() string { return awserr.MapValue(m) }, path, min, max, required)
}

func checkEnum(v *awserr.Violations, s *string, path string, required bool, values ...string) {
	if !given(v, s != nil, path, required) {
		return
	}
	for _, x := range values {
		if *s == x {
			return
		}
	}
	v.Add(*s, path, awserr.Enum(values...))
}

func checkStreamRef(v *awserr.Violations, r streamRef) {
	checkName(v, r.StreamName, "streamName", 128, false)
	checkARN(v, r.StreamARN, "streamARN", false)
}

// stream resolves a request's StreamName/StreamARN to cached metadata.
func (s *Service) stream(r streamRef) (*shardstore.Stream, error) {
	name, err := s.refName(r)
	if err != nil {
		return nil, err
	}
	st, ok := s.store.Get(name)
	if !ok {
		return nil, s.notFound(name)
	}
	return st, nil
}

// refName picks the stream name from a name, an ARN, or both (which must
// agree).
func (s *Service) refName(r streamRef) (string, error) {
	switch {
	case r.StreamName == nil && r.StreamARN == nil:
		return "", awserr.InvalidArgument.New("Either StreamName or StreamARN should be provided.")
	case r.StreamARN == nil:
		return *r.StreamName, nil
	}
	name, err := s.nameFromARN(*r.StreamARN)
	if err != nil {
		return "", err
	}
	if r.StreamName != nil && *r.StreamName != name {
		return "", awserr.InvalidArgument.New("StreamARN %s and StreamName %s do not refer to the same stream.", *r.StreamARN, *r.StreamName)
	}
	return name, nil
}

func (s *Service) nameFromARN(arn string) (string, error) {
	prefix := "arn:aws:kinesis:" + s.cfg.Region + ":" + s.cfg.AccountID + ":stream/"
	if !strings.HasPrefix(arn, prefix) {
		return "", awserr.ResourceNotFound.New("Stream %s not found.", arn)
	}
	name := strings.TrimPrefix(arn, prefix)
	if i := strings.Index(name, "/consumer/"); i >= 0 {
		name = name[:i]
	}
	return name, nil
}

func (s *Service) notFound(name string) error {
	return awserr.ResourceNotFound.New("Stream %s under account %s not found.", name, s.cfg.AccountID)
}

// parseShardID reads a shard id as AWS does: the number after the last
// '-', whatever precedes it ("shardId-000000000001", "shardId-1", "1").
func parseShardID(id string) (int, bool) {
	n, err := strconv.ParseUint(id[strings.LastIndexByte(id, '-')+1:], 10, 31)
	return int(n), err == nil
}

// noSuchShard is what AWS answers for a shard id it cannot read, and what
// SplitShard and MergeShards answer for any missing shard.
func (s *Service) noSuchShard(stream, shard string) error {
	return awserr.ResourceNotFound.New("Could not find shard %s in stream %s under account %s.", shard, stream, s.cfg.AccountID)
}

// provisioned refuses op on a stream that is not in provisioned mode.
func (s *Service) provisioned(st *shardstore.Stream, op string) error {
	if st.Mode == shardstore.ModeOnDemand {
		return awserr.Validation.New("%s is not supported for stream %s under account %s in %s mode. It is supported only for streams in %s mode.",
			op, st.Name, s.cfg.AccountID, shardstore.ModeOnDemand, shardstore.ModeProvisioned)
	}
	return nil
}

// active returns st when it takes data-plane and reshard calls.
func (s *Service) active(st *shardstore.Stream) error {
	if st.Status != shardstore.StatusActive {
		return s.notActive(st.Name, st.Status)
	}
	return nil
}

// notActive is AWS's ResourceInUseException for a stream that cannot take
// a call in its current state.
func (s *Service) notActive(name, status string) error {
	return awserr.ResourceInUse.New("Stream %s under account %s not ACTIVE, instead in state %s", name, s.cfg.AccountID, status)
}

// readable reports whether a stream serves puts and reads in its state.
func (s *Service) readable(st *shardstore.Stream) error {
	if st.Status == shardstore.StatusActive || st.Status == shardstore.StatusUpdating {
		return nil
	}
	return s.notFound(st.Name)
}

// storeErr maps store errors onto AWS errors.
func (s *Service) storeErr(name string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, shardstore.ErrNotFound):
		return s.notFound(name)
	case errors.As(err, new(*awserr.Error)):
		return err
	}
	return fmt.Errorf("kinesis: stream %s: %w", name, err)
}

// updateActive changes a stream's metadata with fn, refusing with
// ResourceInUseException when the stream is not ACTIVE.
func (s *Service) updateActive(c *call, name string, fn func(st *shardstore.Stream) error) (*shardstore.Stream, error) {
	return s.store.Update(c.ctx, name, func(st *shardstore.Stream) error {
		if err := s.active(st); err != nil {
			return err
		}
		return fn(st)
	})
}

package mappings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kinesin/kinesin/functions"
	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/awsproto"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/router/videostore"
)

// Paths the service answers on: Lambda's, and kinesin's extension that
// reports each shard's progress (ShardsPath/{UUID}/shards).
const (
	Path       = "/2015-03-31/event-source-mappings"
	ShardsPath = "/kinesin/v1/event-source-mappings"
)

// userAction is the StateTransitionReason of a change made through the
// API, as Lambda words it for stream sources.
const userAction = "User action"

// Texts of Lambda's answers.
const (
	msgNotFound      = "The resource you requested does not exist."
	msgUpdateInUse   = "Cannot update the event source mapping because it is in use."
	msgDeleteInUse   = "Cannot delete the event source mapping because it is in use."
	msgNoFunction    = "Function does not exist"
	msgNoEventSource = "Unrecognized event source."
)

// Config configures the API.
type Config struct {
	// Region and AccountID appear in ARNs and are the only ones whose
	// streams and functions resolve (defaults us-east-1, 000000000000).
	Region, AccountID string
	// Streams resolves EventSourceArn and on-failure destinations.
	Streams *shardstore.Store
	// VideoStreams resolves a Kinesis Video stream EventSourceArn (nil:
	// video streams are not found).
	VideoStreams videostore.Resolver
	// Functions resolves FunctionName.
	Functions *functions.Service
	// Runner prepares new mappings and reports shard progress (nil: no
	// preparation and no shards, for tests of the API alone).
	Runner Runner
	Logger *slog.Logger
}

// Service is the Lambda event source mapping API for Kinesis sources (and
// Kinesis Video streams).
type Service struct {
	st  *Store
	cfg Config
	log *slog.Logger
	// createMu makes the duplicate check and the store of a new mapping
	// one step within this process (there is no unique index in KV, so
	// two processes racing can still both succeed).
	createMu sync.Mutex
	now      func() time.Time
}

// New builds the API over store.
func New(store *Store, cfg Config) *Service {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{st: store, cfg: cfg, log: cfg.Logger, now: time.Now}
}

// Register adds the routes to the HTTP tier.
func (s *Service) Register(srv interface {
	HandlePath(method, prefix string, h router.Handler)
}) {
	srv.HandlePath("", Path, router.HandlerFunc(func(r *router.Request) *router.Response { return s.serve(Path, r) }))
	srv.HandlePath("", ShardsPath, router.HandlerFunc(func(r *router.Request) *router.Response { return s.serve(ShardsPath, r) }))
}

// ARN is the EventSourceMappingArn of a mapping.
func (s *Service) ARN(id string) string {
	return "arn:aws:lambda:" + s.cfg.Region + ":" + s.cfg.AccountID + ":event-source-mapping:" + id
}

type opFunc func(ctx context.Context, r *router.Request, q url.Values, id string) (int, any, error)

func (s *Service) serve(prefix string, r *router.Request) *router.Response {
	rest, ok := strings.CutPrefix(r.Path, prefix)
	if !ok || (rest != "" && rest[0] != '/') {
		return functions.ErrorResponse(functions.UnknownOperation.New("Unknown operation %s %s", r.Method, r.Path))
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	if segs[0] == "" {
		segs = nil
	}
	op := s.route(prefix, r.Method, segs)
	if op == nil {
		return functions.ErrorResponse(functions.UnknownOperation.New("Unknown operation %s %s", r.Method, r.Path))
	}
	q, err := url.ParseQuery(r.RawQuery)
	if err != nil {
		return functions.ErrorResponse(functions.InvalidParameter.New("Invalid query string."))
	}
	ctx := r.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	id := ""
	if len(segs) > 0 {
		id = segs[0]
	}
	status, body, err := op(ctx, r, q, id)
	if err != nil {
		var ae *awserr.Error
		if !errors.As(err, &ae) {
			s.log.Error("mappings: request failed", "method", r.Method, "path", r.Path, "err", err)
		}
		return functions.ErrorResponse(err)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return functions.ErrorResponse(err)
	}
	return &router.Response{Status: status, Header: map[string]string{"Content-Type": "application/json"}, Body: b}
}

func (s *Service) route(prefix, method string, segs []string) opFunc {
	if prefix == ShardsPath {
		if method == "GET" && len(segs) == 2 && segs[1] == "shards" {
			return s.shards
		}
		return nil
	}
	switch {
	case len(segs) == 0 && method == "POST":
		return s.create
	case len(segs) == 0 && method == "GET":
		return s.list
	case len(segs) == 1 && method == "GET":
		return s.get
	case len(segs) == 1 && method == "PUT":
		return s.update
	case len(segs) == 1 && method == "DELETE":
		return s.delete
	}
	return nil
}

// load reads a mapping, answering ResourceNotFoundException when none.
func (s *Service) load(ctx context.Context, id string) (*Mapping, error) {
	m, err := s.st.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, functions.ResourceNotFound.New(msgNotFound)
	}
	return m, err
}

// decodeChecked decodes a Create or Update body and runs the checks both
// share: the model's constraints (ValidationException, every violation)
// and Lambda's refusal of OnSuccess for stream sources.
func decodeChecked(body []byte, in interface{ check(*awserr.Violations) }, set *settings) error {
	if err := decodeBody(body, in); err != nil {
		return err
	}
	var v awserr.Violations
	in.check(&v)
	if err := v.Err(); err != nil {
		return functions.Validation.New("%s", err.Message)
	}
	return checkOnSuccess(set.DestinationConfig)
}

func (s *Service) create(ctx context.Context, r *router.Request, _ url.Values, _ string) (int, any, error) {
	var in createInput
	if err := decodeChecked(r.Body, &in, &in.settings); err != nil {
		return 0, nil, err
	}
	src, err := s.parseSource(in.EventSourceArn, in.SelfManagedEventSource != nil)
	if err != nil {
		return 0, nil, err
	}
	if err := checkStart(in.StartingPosition, in.StartingPositionTimestamp, s.now()); err != nil {
		return 0, nil, err
	}
	if err := s.checkSettings(ctx, &in.settings, *in.EventSourceArn, src.Video); err != nil {
		return 0, nil, err
	}
	fn, err := s.function(ctx, *in.FunctionName)
	if err != nil {
		return 0, nil, err
	}
	if err := s.resolveSource(ctx, src, *in.EventSourceArn); err != nil {
		return 0, nil, err
	}
	m := &Mapping{
		Configuration: Configuration{
			UUID: uuid.New(), EventSourceArn: *in.EventSourceArn,
			BatchSize: defaultBatchSize, MaximumRecordAgeInSeconds: defaultRecordAge,
			MaximumRetryAttempts: defaultRetryAttempts, ParallelizationFactor: defaultParallelism,
			StartingPosition: *in.StartingPosition, StartingPositionTimestamp: in.StartingPositionTimestamp,
			State: StateCreating, StateTransitionReason: userAction, LastProcessingResult: ResultNoRecords,
			LastModified: awsproto.Timestamp(s.now()),
		},
		StreamName: src.Stream, ConsumerName: src.Consumer, Video: src.Video, Enabled: true, Tags: in.Tags, Generation: 1,
	}
	if src.Video {
		m.BatchSize = defaultVideoBatchSize
	}
	m.EventSourceMappingArn = s.ARN(m.UUID)
	m.setFunction(fn)
	in.apply(m)
	if in.Enabled != nil {
		m.Enabled = *in.Enabled
	}

	s.createMu.Lock()
	defer s.createMu.Unlock()
	if err := s.checkDuplicate(ctx, m); err != nil {
		return 0, nil, err
	}
	if s.cfg.Runner != nil {
		if err := s.cfg.Runner.Prepare(ctx, m); err != nil {
			return 0, nil, fmt.Errorf("mappings: prepare %s: %w", m.UUID, err)
		}
	}
	if err := s.st.Create(ctx, m); err != nil {
		return 0, nil, err
	}
	return 202, &m.Configuration, nil
}

// parseSource reads EventSourceArn, which must name a Kinesis stream or
// stream consumer, or a Kinesis Video stream.
func (s *Service) parseSource(arn *string, kafka bool) (kinesisARN, error) {
	if arn == nil || *arn == "" {
		if kafka {
			return kinesisARN{}, functions.InvalidParameter.New("kinesin supports only Kinesis event sources: self-managed Apache Kafka is not supported.")
		}
		return kinesisARN{}, functions.InvalidParameter.New(msgNoEventSource)
	}
	svc := arnService(*arn)
	if svc == "kinesisvideo" {
		a, ok := parseVideoARN(*arn)
		if !ok {
			return kinesisARN{}, functions.InvalidParameter.New(
				"Invalid Kinesis Video event source ARN %s: expected arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_TIME.", *arn)
		}
		return a, nil
	}
	if svc != "kinesis" {
		return kinesisARN{}, functions.InvalidParameter.New(
			"kinesin supports only Kinesis event sources (arn:aws:kinesis:%s:%s:stream/NAME, or a stream consumer ARN under it) and Kinesis Video streams (arn:aws:kinesisvideo:%s:%s:stream/NAME/CREATION_TIME), not %s.",
			s.cfg.Region, s.cfg.AccountID, s.cfg.Region, s.cfg.AccountID, *arn)
	}
	a, ok := parseKinesisARN(*arn)
	if !ok {
		return kinesisARN{}, functions.InvalidParameter.New(
			"Invalid Kinesis event source ARN %s: expected arn:aws:kinesis:REGION:ACCOUNT:stream/NAME or a stream consumer ARN.", *arn)
	}
	return a, nil
}

// resolveSource checks that the stream, and the consumer when a names
// one, exist in this region and account.
func (s *Service) resolveSource(ctx context.Context, a kinesisARN, arn string) error {
	if a.Video {
		return s.resolveVideo(ctx, a, arn)
	}
	st, err := s.stream(ctx, a)
	if err != nil {
		return err
	}
	if st == nil {
		return functions.InvalidParameter.New("Stream not found: %s", streamARNOf(arn))
	}
	if a.Consumer != "" && !hasConsumer(st, a) {
		return functions.InvalidParameter.New("Stream consumer not found: %s", arn)
	}
	return nil
}

// resolveVideo checks that a Kinesis Video stream exists in this region
// and account, and is not being deleted; a missing one gets the answer of a
// missing Kinesis stream.
func (s *Service) resolveVideo(ctx context.Context, a kinesisARN, arn string) error {
	if a.Region != s.cfg.Region || a.Account != s.cfg.AccountID || s.cfg.VideoStreams == nil {
		return functions.InvalidParameter.New("Stream not found: %s", arn)
	}
	ref, err := s.cfg.VideoStreams.Resolve(ctx, "", arn)
	if ae := awserr.As(err); ae != nil && ae.Code == "ResourceNotFoundException" || errors.Is(err, videostore.ErrStreamNotFound) {
		return functions.InvalidParameter.New("Stream not found: %s", arn)
	}
	if err != nil {
		return fmt.Errorf("mappings: resolve %s: %w", arn, err)
	}
	if ref.Status == "DELETING" {
		return functions.InvalidParameter.New("Stream not found: %s", arn)
	}
	return nil
}

// streamARNOf cuts a consumer ARN back to its stream's ARN.
func streamARNOf(arn string) string {
	if i := strings.Index(arn, "/consumer/"); i >= 0 {
		return arn[:i]
	}
	return arn
}

func hasConsumer(st *shardstore.Stream, a kinesisARN) bool {
	for _, c := range st.Consumers {
		if c.Name == a.Consumer && c.Created.Unix() == a.Created {
			return true
		}
	}
	return false
}

// stream returns the stream a names, nil when it is not there (another
// region or account, unknown, or being deleted). The cache of this process
// may lag a stream just created by another, so a miss reads the bucket.
func (s *Service) stream(ctx context.Context, a kinesisARN) (*shardstore.Stream, error) {
	if a.Region != s.cfg.Region || a.Account != s.cfg.AccountID {
		return nil, nil
	}
	st, ok := s.cfg.Streams.Get(a.Stream)
	if !ok {
		var err error
		st, err = s.cfg.Streams.GetFresh(ctx, a.Stream)
		if errors.Is(err, shardstore.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("mappings: read stream %s: %w", a.Stream, err)
		}
	}
	if st.Status == shardstore.StatusDeleting {
		return nil, nil
	}
	return st, nil
}

// checkSettings makes the semantic checks Create and Update share.
func (s *Service) checkSettings(ctx context.Context, in *settings, source string, video bool) error {
	if err := checkRecordAge(in.MaximumRecordAgeInSeconds); err != nil {
		return err
	}
	if video {
		if err := checkVideo(in); err != nil {
			return err
		}
	}
	if err := checkFilters(in.FilterCriteria, video); err != nil {
		return err
	}
	if d := in.DestinationConfig; d != nil && d.OnFailure != nil && d.OnFailure.Destination != "" {
		return s.checkOnFailure(ctx, d.OnFailure.Destination, source)
	}
	return nil
}

// checkOnFailure accepts, as kinesin's on-failure destination, a Kinesis
// stream of this region and account other than the source itself.
func (s *Service) checkOnFailure(ctx context.Context, dest, source string) error {
	a, ok := parseKinesisARN(dest)
	if !ok || a.Consumer != "" {
		return functions.InvalidParameter.New(
			"The destination ARN %s is not supported: kinesin sends the records of discarded batches only to a Kinesis stream (arn:aws:kinesis:%s:%s:stream/NAME).",
			dest, s.cfg.Region, s.cfg.AccountID)
	}
	if dest == streamARNOf(source) {
		return functions.InvalidParameter.New("The destination ARN %s is invalid: it is the event source stream.", dest)
	}
	st, err := s.stream(ctx, a)
	if err != nil {
		return err
	}
	if st == nil {
		return functions.InvalidParameter.New("The destination ARN %s is invalid: stream not found.", dest)
	}
	return nil
}

// function resolves FunctionName; Lambda answers an unknown function with
// InvalidParameterValueException here, not ResourceNotFoundException.
func (s *Service) function(ctx context.Context, name string) (functions.FunctionRef, error) {
	fn, err := s.cfg.Functions.Lookup(ctx, name)
	if functions.ResourceNotFound.Is(err) {
		return fn, functions.InvalidParameter.New(msgNoFunction)
	}
	return fn, err
}

func (m *Mapping) setFunction(fn functions.FunctionRef) {
	m.FunctionArn, m.FunctionName, m.Qualifier = fn.ARN, fn.Name, fn.Qualifier
	if m.Qualifier == "$LATEST" {
		m.Qualifier = ""
	}
}

// apply copies the members that are set onto m.
func (in *settings) apply(m *Mapping) {
	setInt(&m.BatchSize, in.BatchSize)
	setInt(&m.MaximumBatchingWindowInSeconds, in.MaximumBatchingWindowInSeconds)
	setInt(&m.ParallelizationFactor, in.ParallelizationFactor)
	setInt(&m.MaximumRecordAgeInSeconds, in.MaximumRecordAgeInSeconds)
	setInt(&m.MaximumRetryAttempts, in.MaximumRetryAttempts)
	setInt(&m.TumblingWindowInSeconds, in.TumblingWindowInSeconds)
	if in.BisectBatchOnFunctionError != nil {
		m.BisectBatchOnFunctionError = *in.BisectBatchOnFunctionError
	}
	if in.FunctionResponseTypes != nil {
		m.FunctionResponseTypes = append([]string{}, in.FunctionResponseTypes...)
	}
	if m.FunctionResponseTypes == nil {
		m.FunctionResponseTypes = []string{}
	}
	if in.FilterCriteria != nil {
		m.FilterCriteria = normalFilters(in.FilterCriteria)
	}
	if in.DestinationConfig != nil || m.DestinationConfig == nil {
		m.DestinationConfig = normalDestination(in.DestinationConfig)
	}
}

func setInt(dst *int, n *int64) {
	if n != nil {
		*dst = int(*n)
	}
}

// checkDuplicate refuses a second mapping of one source to one function
// (qualifier included), with Lambda's message for stream sources.
func (s *Service) checkDuplicate(ctx context.Context, m *Mapping) error {
	all, err := s.st.List(ctx)
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.UUID != m.UUID && o.EventSourceArn == m.EventSourceArn && o.FunctionArn == m.FunctionArn {
			return functions.ResourceConflict.New(
				"The event source arn (\" %s \") and function (\" %s \") provided mapping already exists. Please update or delete the existing mapping with UUID %s",
				o.EventSourceArn, m.FunctionName, o.UUID)
		}
	}
	return nil
}

func (s *Service) get(ctx context.Context, _ *router.Request, _ url.Values, id string) (int, any, error) {
	m, err := s.load(ctx, id)
	if err != nil {
		return 0, nil, err
	}
	return 200, &m.Configuration, nil
}

type listOutput struct {
	EventSourceMappings []*Configuration `json:"EventSourceMappings"`
	NextMarker          *string          `json:"NextMarker,omitempty"`
}

// list pages mappings in UUID order; Marker is the last UUID of the
// previous page, and a page holds at most 100 whatever MaxItems says, as
// in Lambda. A FunctionName filter without qualifier matches every
// mapping of that function; with one, only mappings of that version or
// alias. Filters naming nothing that exists simply match nothing.
func (s *Service) list(ctx context.Context, _ *router.Request, q url.Values, _ string) (int, any, error) {
	max := 100
	if raw := q.Get("MaxItems"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 10000 {
			var v awserr.Violations
			if err == nil && n < 1 {
				v.Add(raw, "maxItems", awserr.MinVal(1))
			} else {
				v.Add(raw, "maxItems", awserr.MaxVal(10000))
			}
			return 0, nil, functions.Validation.New("%s", v.Err().Message)
		}
		max = min(n, 100)
	}
	var fn *functions.FunctionRef
	if name := q.Get("FunctionName"); name != "" {
		ref, err := s.cfg.Functions.ParseFunctionName(name)
		if functions.ResourceNotFound.Is(err) { // another region or account
			return 200, &listOutput{EventSourceMappings: []*Configuration{}}, nil
		}
		if err != nil {
			return 0, nil, err
		}
		fn = &ref
	}
	source, marker := q.Get("EventSourceArn"), q.Get("Marker")
	all, err := s.st.List(ctx)
	if err != nil {
		return 0, nil, err
	}
	out := &listOutput{EventSourceMappings: []*Configuration{}}
	for _, m := range all {
		switch {
		case m.UUID <= marker,
			source != "" && m.EventSourceArn != source,
			fn != nil && fn.Qualifier == "" && m.FunctionName != fn.Name,
			fn != nil && fn.Qualifier != "" && m.FunctionArn != fn.ARN:
			continue
		}
		if len(out.EventSourceMappings) == max {
			last := out.EventSourceMappings[max-1].UUID
			out.NextMarker = &last
			break
		}
		out.EventSourceMappings = append(out.EventSourceMappings, &m.Configuration)
	}
	return 200, out, nil
}

func (s *Service) update(ctx context.Context, r *router.Request, _ url.Values, id string) (int, any, error) {
	var in updateInput
	if err := decodeChecked(r.Body, &in, &in.settings); err != nil {
		return 0, nil, err
	}
	if in.FunctionName != nil { // the duplicate check below, as in create
		s.createMu.Lock()
		defer s.createMu.Unlock()
	}
	for {
		m, err := s.load(ctx, id)
		if err != nil {
			return 0, nil, err
		}
		if m.Transitional() {
			return 0, nil, functions.ResourceInUse.New(msgUpdateInUse)
		}
		if err := s.checkSettings(ctx, &in.settings, m.EventSourceArn, m.Video); err != nil {
			return 0, nil, err
		}
		if in.FunctionName != nil {
			fn, err := s.function(ctx, *in.FunctionName)
			if err != nil {
				return 0, nil, err
			}
			if fn.ARN != m.FunctionArn {
				m.setFunction(fn)
				if err := s.checkDuplicate(ctx, m); err != nil {
					return 0, nil, err
				}
			}
		}
		in.apply(m)
		m.State = StateUpdating
		if in.Enabled != nil && *in.Enabled != m.Enabled {
			m.Enabled = *in.Enabled
			m.State = map[bool]string{true: StateEnabling, false: StateDisabling}[m.Enabled]
		}
		m.StateTransitionReason = userAction
		m.LastModified = awsproto.Timestamp(s.now())
		m.Generation++
		switch err := s.st.Update(ctx, m); {
		case err == nil:
			return 202, &m.Configuration, nil
		case errors.Is(err, ErrConflict):
			continue // changed meanwhile (a runner settled it): decide again
		case errors.Is(err, ErrNotFound):
			return 0, nil, functions.ResourceNotFound.New(msgNotFound)
		default:
			return 0, nil, err
		}
	}
}

// delete marks a mapping Deleting; the runner stops its readers and
// removes it. Deleting one already Deleting answers it again.
func (s *Service) delete(ctx context.Context, _ *router.Request, _ url.Values, id string) (int, any, error) {
	for {
		m, err := s.load(ctx, id)
		if err != nil {
			return 0, nil, err
		}
		if m.State == StateDeleting {
			return 202, &m.Configuration, nil
		}
		if m.Transitional() {
			return 0, nil, functions.ResourceInUse.New(msgDeleteInUse)
		}
		m.State, m.StateTransitionReason = StateDeleting, userAction
		switch err := s.st.Update(ctx, m); {
		case err == nil:
			return 202, &m.Configuration, nil
		case errors.Is(err, ErrConflict):
			continue
		case errors.Is(err, ErrNotFound):
			return 0, nil, functions.ResourceNotFound.New(msgNotFound)
		default:
			return 0, nil, err
		}
	}
}

type shardsOutput struct {
	Shards []ShardStatus `json:"Shards"`
}

func (s *Service) shards(ctx context.Context, _ *router.Request, _ url.Values, id string) (int, any, error) {
	m, err := s.load(ctx, id)
	if err != nil {
		return 0, nil, err
	}
	out := &shardsOutput{Shards: []ShardStatus{}}
	if s.cfg.Runner != nil {
		shards, err := s.cfg.Runner.Shards(ctx, m)
		if err != nil {
			return 0, nil, fmt.Errorf("mappings: shards of %s: %w", id, err)
		}
		if shards != nil {
			out.Shards = shards
		}
	}
	return 200, out, nil
}

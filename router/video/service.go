package video

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/videostore"
)

// Config configures the service.
type Config struct {
	Region, AccountID string
	Logger            *slog.Logger
	// Endpoint returns this server's base URL (http://host:port), which
	// GetDataEndpoint answers for every API (nil: "").
	Endpoint func() string
}

// Service serves the KinesisVideo control and media planes.
type Service struct {
	cfg   Config
	log   *slog.Logger
	store *videostore.Store
	tab   *table
	m     *Metrics

	ctx    context.Context // ends at Close: PutMedia and GetMedia sessions
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// Tunables (tests shorten or lower them).
	maxStreams       int
	maxFragmentBytes int64
	idleAck          time.Duration // PutMedia IDLE period
	idleTags         time.Duration // GetMedia tags-only chunk period when caught up
}

var _ videostore.Resolver = (*Service)(nil)

// New builds the service on nc's JetStream, creating its KV bucket if
// needed. m nil: unregistered metrics.
func New(ctx context.Context, nc *nats.Conn, store *videostore.Store, cfg Config, m *Metrics) (*Service, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Endpoint == nil {
		cfg.Endpoint = func() string { return "" }
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("video: jetstream: %w", err)
	}
	tab, err := openTable(ctx, js)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, log: cfg.Logger, store: store, tab: tab, m: m,
		maxStreams: 10000, idleAck: 3 * time.Second, idleTags: 3 * time.Second}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Close ends the media sessions under way and waits for them.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// op is one JSON operation: its result is the response body.
type op func(ctx context.Context, body []byte) (any, error)

// Register routes every KinesisVideo operation to s: the control plane,
// PutMedia as a stream route, GetMedia, ListFragments and
// GetMediaForFragmentList.
func (s *Service) Register(srv *router.Server) {
	ops := map[string]op{
		"/createStream":        s.createStream,
		"/describeStream":      s.describeStream,
		"/listStreams":         s.listStreams,
		"/deleteStream":        s.deleteStream,
		"/updateStream":        s.updateStream,
		"/updateDataRetention": s.updateDataRetention,
		"/tagStream":           s.tagStream,
		"/untagStream":         s.untagStream,
		"/listTagsForStream":   s.listTagsForStream,
		"/TagResource":         s.tagResource,
		"/UntagResource":       s.untagResource,
		"/ListTagsForResource": s.listTagsForResource,
		"/getDataEndpoint":     s.getDataEndpoint,
		"/listFragments":       s.listFragments,
	}
	for path, o := range ops {
		srv.HandlePath("POST", path, s.jsonOp(o))
	}
	srv.HandlePath("POST", "/getMedia", router.HandlerFunc(s.getMedia))
	srv.HandlePath("POST", "/getMediaForFragmentList", router.HandlerFunc(s.getMediaForFragmentList))
	srv.HandleStreamPath("POST", "/putMedia", router.HandlerFunc(s.putMedia))
}

// jsonOp serves one JSON operation.
func (s *Service) jsonOp(o op) router.Handler {
	return router.HandlerFunc(func(r *router.Request) *router.Response {
		out, err := o(r.Ctx, r.Body)
		if err != nil {
			return s.errorResponse(r.Path, err)
		}
		if out == nil {
			out = struct{}{}
		}
		b, err := json.Marshal(out)
		if err != nil {
			return s.errorResponse(r.Path, fmt.Errorf("video: encode %s: %w", r.Path, err))
		}
		return &router.Response{Status: 200, Body: b, Header: map[string]string{"Content-Type": "application/json"}}
	})
}

// errorResponse answers err, logging what the client does not see.
func (s *Service) errorResponse(path string, err error) *router.Response {
	e := awserr.As(err)
	if e.Kind == awserr.InternalFailure {
		s.log.Error("video: request failed", "path", path, "err", err)
	}
	return RESTError(e)
}

// decode reads a JSON request body into v; an empty body is {}.
func decode(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return ErrSerialization.New("Unexpected type for member %s", te.Field)
		}
		return ErrSerialization.New("Malformed request body")
	}
	return nil
}

// Resolve finds a stream by name or ARN for the data-plane APIs: exactly
// one of them, or both naming the same stream. Only an ACTIVE stream is
// found (a stream being deleted is not).
func (s *Service) Resolve(ctx context.Context, name, arn string) (videostore.StreamRef, error) {
	m, err := s.lookup(ctx, ptrOrNil(name), ptrOrNil(arn))
	if err != nil {
		e := awserr.As(err)
		if e.Kind == awserr.InternalFailure {
			s.log.Error("video: resolve stream", "name", name, "arn", arn, "err", err)
		}
		return videostore.StreamRef{}, e
	}
	if m.Status != statusActive && m.Status != statusUpdating {
		return videostore.StreamRef{}, ErrResourceNotFound.New("The requested stream is not found or not active.")
	}
	return ref(m), nil
}

func ref(m *meta) videostore.StreamRef {
	return videostore.StreamRef{ID: m.ID, Name: m.Name, ARN: m.ARN, MediaType: m.MediaType, Status: m.Status,
		Retention: time.Duration(m.Retention) * time.Hour}
}

func ptrOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// lookup finds a stream record by name or ARN (either or both).
func (s *Service) lookup(ctx context.Context, name, arn *string) (*meta, error) {
	if name == nil && arn == nil {
		return nil, ErrInvalidArgument.New("Either StreamName or StreamARN must be specified.")
	}
	var v awserr.Violations
	checkName(&v, name, "streamName")
	checkARN(&v, arn, "streamARN")
	if err := validation(&v); err != nil {
		return nil, err
	}
	n := ""
	if name != nil {
		n = *name
	}
	if arn != nil {
		an, ok := nameOfARN(*arn)
		if !ok {
			return nil, ErrInvalidArgument.New("Invalid stream ARN: %s", *arn)
		}
		if n != "" && n != an {
			return nil, ErrInvalidArgument.New("StreamName and StreamARN do not refer to the same stream.")
		}
		n = an
	}
	m, _, err := s.tab.Get(ctx, n)
	if errors.Is(err, errNoStream) {
		return nil, notFound()
	}
	if err != nil {
		return nil, err
	}
	if arn != nil && m.ARN != *arn {
		return nil, notFound()
	}
	return m, nil
}

func notFound() error {
	return ErrResourceNotFound.New("The requested stream is not found or not active.")
}

// goSafe runs fn in a goroutine that Close waits for, recovering a panic
// (fn handles client input).
func (s *Service) goSafe(what string, fn func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("video: panic", "in", what, "panic", p)
			}
		}()
		fn()
	}()
}

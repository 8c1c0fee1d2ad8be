package images

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os/exec"
	"runtime"
	"sync"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/video"
	"github.com/kinesin/kinesin/router/videostore"
)

// Config configures a Service.
type Config struct {
	Logger *slog.Logger
	// FFmpeg is the ffmpeg executable; "" looks up "ffmpeg" in PATH. It is
	// looked up at each request until found, so installing ffmpeg needs no
	// restart.
	FFmpeg string
	// Concurrency bounds the ffmpeg processes running at once; 0 means
	// runtime.NumCPU().
	Concurrency int
}

// Service answers GetImages.
type Service struct {
	store   *videostore.Store
	streams videostore.Resolver
	log     *slog.Logger
	ffmpeg  string
	sem     chan struct{}

	mu    sync.Mutex
	found string // ffmpeg path found in PATH
}

// New builds the GetImages service over store; streams resolves names and
// ARNs (router/video's Service).
func New(store *videostore.Store, streams videostore.Resolver, cfg Config) *Service {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := cfg.Concurrency
	if n <= 0 {
		n = runtime.NumCPU()
	}
	return &Service{store: store, streams: streams, log: log, ffmpeg: cfg.FFmpeg, sem: make(chan struct{}, n)}
}

// Register routes POST /getImages to s.
func (s *Service) Register(srv *router.Server) {
	srv.HandlePath(http.MethodPost, "/getImages", router.HandlerFunc(s.serve))
}

// ffmpegPath returns the ffmpeg to run, or the error a server without one
// answers.
func (s *Service) ffmpegPath() (string, *awserr.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.found != "" {
		return s.found, nil
	}
	name := s.ffmpeg
	if name == "" {
		name = "ffmpeg"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", errNotImplemented.New("GetImages needs ffmpeg on the server's PATH: apt-get install ffmpeg")
	}
	s.found = p
	return p, nil
}

func (s *Service) serve(r *router.Request) (resp *router.Response) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("images: panic in GetImages", "panic", p)
			resp = restError(awserr.InternalFailure.New(""))
		}
	}()
	req, e := parse(r.Body)
	if e != nil {
		return restError(e)
	}
	out, err := s.getImages(r.Ctx, req)
	if err != nil {
		e := awserr.As(err)
		if e.Kind == awserr.InternalFailure {
			s.log.Error("images: GetImages", "err", err)
		}
		return restError(e)
	}
	b, err := json.Marshal(out)
	if err != nil {
		s.log.Error("images: encoding the response", "err", err)
		return restError(awserr.InternalFailure.New(""))
	}
	return &router.Response{Status: http.StatusOK, Body: b, Header: map[string]string{"Content-Type": "application/json"}}
}

// getImages answers one page of a validated request.
func (s *Service) getImages(ctx context.Context, req *request) (*Output, error) {
	ref, err := s.streams.Resolve(ctx, req.name, req.arn)
	if err != nil {
		return nil, err
	}
	if ref.Retention <= 0 {
		return nil, video.ErrNoDataRetention.New("The stream %s does not retain data (DataRetentionInHours is 0).", ref.Name)
	}
	ffmpeg, e := s.ffmpegPath()
	if e != nil {
		return nil, e
	}
	total := req.times()
	last := min(req.first+req.page, total)
	times := make([]sample, 0, last-req.first)
	for k := req.first; k < last; k++ {
		times = append(times, sample{t: req.at(k)})
	}
	if err := s.extract(ctx, ffmpeg, ref.ID, req, times); err != nil {
		if errors.Is(err, videostore.ErrStreamNotFound) || errors.Is(err, videostore.ErrDeleted) {
			return nil, video.ErrResourceNotFound.New("The requested stream is not found or not active.")
		}
		return nil, err
	}
	out := &Output{Images: make([]Image, len(times))}
	for i, sm := range times {
		img := Image{TimeStamp: Timestamp{sm.t}}
		switch {
		case sm.image != nil:
			img.ImageContent = base64.StdEncoding.EncodeToString(sm.image)
		case sm.err != "":
			img.Error = sm.err
		default:
			img.Error = errNoMedia
		}
		out.Images[i] = img
	}
	if last < total {
		out.NextToken = req.token(last)
	}
	return out, nil
}

package playback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/media"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/video"
	"github.com/kinesin/kinesin/router/videostore"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config configures a Service.
type Config struct {
	Logger *slog.Logger
	// Endpoint returns this server's base URL ("http://host:port"), the
	// origin of the session URLs; nil uses the request's Host header.
	Endpoint func() string
}

// Service serves HLS, DASH and GetClip for the streams of a videostore.
type Service struct {
	log      *slog.Logger
	store    *videostore.Store
	streams  videostore.Resolver
	endpoint func() string
	sign     signer
	now      func() time.Time
}

// New builds a Service. It reads the session token key from JetStream KV
// (creating it when this is the first process to need it).
func New(ctx context.Context, nc *nats.Conn, store *videostore.Store, streams videostore.Resolver, cfg Config) (*Service, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("playback: jetstream: %w", err)
	}
	key, err := loadKey(ctx, js)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{log: log, store: store, streams: streams, endpoint: cfg.Endpoint, sign: signer{key: key}, now: time.Now}, nil
}

// Register adds the Archived Media playback operations to srv:
// POST /getHLSStreamingSessionURL, /getDASHStreamingSessionURL, /getClip and
// the GET URLs under /hls/v1 and /dash/v1 that the sessions hand out.
func (s *Service) Register(srv *router.Server) {
	srv.HandlePath("POST", "/getHLSStreamingSessionURL", router.HandlerFunc(s.getHLSStreamingSessionURL))
	srv.HandlePath("POST", "/getDASHStreamingSessionURL", router.HandlerFunc(s.getDASHStreamingSessionURL))
	srv.HandlePath("POST", "/getClip", router.HandlerFunc(s.getClip))
	srv.HandlePath("GET", "/hls/v1", router.HandlerFunc(s.serveHLS))
	srv.HandlePath("GET", "/dash/v1", router.HandlerFunc(s.serveDASH))
}

func (s *Service) baseURL(r *router.Request) string {
	if s.endpoint != nil {
		if e := strings.TrimRight(s.endpoint(), "/"); e != "" {
			return e
		}
	}
	return "http://" + r.Header("Host")
}

// fail answers err, logging what the client does not see.
func (s *Service) fail(r *router.Request, err error) *router.Response {
	e := awserr.As(err)
	if e.Kind == awserr.InternalFailure {
		s.log.Error("playback: request failed", "path", r.Path, "err", err)
	}
	return restError(e)
}

// storeErr maps a videostore error to the API's.
func storeErr(err error) error {
	switch {
	case errors.Is(err, videostore.ErrStreamNotFound), errors.Is(err, videostore.ErrDeleted):
		return video.ErrResourceNotFound.New("The stream of this streaming session does not exist.")
	case errors.Is(err, videostore.ErrFragmentNotFound):
		return video.ErrResourceNotFound.New("The requested fragment was not found.")
	}
	return err
}

func jsonResponse(v any) *router.Response {
	b, _ := json.Marshal(v)
	return &router.Response{Status: 200, Body: b, Header: map[string]string{"Content-Type": "application/json"}}
}

// open resolves the stream of a new session, checks that it can be played
// and fills in the session's stream and times.
func (s *Service) open(ctx context.Context, sess *session, name, arn string, c common, now time.Time, expires int64) error {
	ref, err := s.streams.Resolve(ctx, name, arn)
	if err != nil {
		return err
	}
	if ref.Retention == 0 {
		return video.ErrNoDataRetention.New("The stream %s has a data retention period of 0 hours: playback needs retained data.", ref.Name)
	}
	sess.V, sess.Stream, sess.Name = tokenV, ref.ID, ref.Name
	sess.Mode, sess.Kind = c.mode, c.kind
	if !c.start.IsZero() {
		sess.Start = c.start.UnixNano()
	}
	if !c.end.IsZero() {
		sess.End = c.end.UnixNano()
	}
	sess.Created = now.UnixMilli()
	sess.Expires = now.Unix() + expires
	list, err := s.fragments(ctx, sess, now)
	if err != nil {
		return storeErr(err)
	}
	if len(list.frags) == 0 {
		return video.ErrResourceNotFound.New(liveNoFragmentMsg)
	}
	ref0 := list.frags[0]
	if c.mode == modeLive {
		ref0 = list.frags[len(list.frags)-1]
		if now.Sub(ref0.ServerTimestamp) > liveFreshness {
			return video.ErrResourceNotFound.New(liveNoFragmentMsg)
		}
	}
	// The media must be playable: checked now, as AWS does, rather than
	// by the player's first request.
	tracks, err := s.tracksOf(ctx, sess, ref0)
	if err != nil {
		return err
	}
	if sess.Container == containerTS {
		for _, t := range tracks {
			if t.CodecID != media.CodecAVC && t.CodecID != media.CodecAAC {
				return ErrUnsupportedMediaType.New("Track %d has codec %s: MPEG_TS sessions support H.264 and AAC.", t.Number, t.CodecID)
			}
		}
	}
	return nil
}

func (s *Service) getHLSStreamingSessionURL(r *router.Request) *router.Response {
	var in hlsRequest
	if e := decodeBody(r.Body, &in); e != nil {
		return restError(e)
	}
	now := s.now()
	var v awserr.Violations
	c := selectorEnums(&v, in.PlaybackMode, in.HLSFragmentSelector, "HLSFragmentSelector")
	sess := &session{Proto: protoHLS}
	sess.Container = choice(&v, in.ContainerFormat, "containerFormat", containerFMP4, containerFMP4, containerTS)
	defDisc := always
	if c.kind == kindProducer {
		defDisc = never
	}
	sess.Disc = choice(&v, in.DiscontinuityMode, "discontinuityMode", defDisc, always, never, onDiscontinuity)
	sess.ShowTS = choice(&v, in.DisplayFragmentTimestamp, "displayFragmentTimestamp", never, always, never) == always
	expires := number(&v, in.Expires, "expires", minExpires, maxExpires, defaultExpires)
	sess.Max = int(number(&v, in.MaxMediaPlaylistFragmentResults, "maxMediaPlaylistFragmentResults", 1, maxResults, defaultMax(c.mode)))
	if e := v.Err(); e != nil {
		return restError(video.ErrInvalidArgument.New("%s", e.Message))
	}
	if e := checkSelector(&c, in.HLSFragmentSelector, "HLSFragmentSelector", now); e != nil {
		return restError(e)
	}
	if err := s.open(r.Ctx, sess, in.StreamName, in.StreamARN, c, now, expires); err != nil {
		return s.fail(r, err)
	}
	u := s.baseURL(r) + "/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=" + s.sign.encode(sess)
	return jsonResponse(struct{ HLSStreamingSessionURL string }{u})
}

func (s *Service) getDASHStreamingSessionURL(r *router.Request) *router.Response {
	var in dashRequest
	if e := decodeBody(r.Body, &in); e != nil {
		return restError(e)
	}
	now := s.now()
	var v awserr.Violations
	c := selectorEnums(&v, in.PlaybackMode, in.DASHFragmentSelector, "DASHFragmentSelector")
	sess := &session{Proto: protoDASH}
	sess.ShowTS = choice(&v, in.DisplayFragmentTimestamp, "displayFragmentTimestamp", never, always, never) == always
	sess.ShowFN = choice(&v, in.DisplayFragmentNumber, "displayFragmentNumber", never, always, never) == always
	expires := number(&v, in.Expires, "expires", minExpires, maxExpires, defaultExpires)
	sess.Max = int(number(&v, in.MaxManifestFragmentResults, "maxManifestFragmentResults", 1, maxResults, defaultMax(c.mode)))
	if e := v.Err(); e != nil {
		return restError(video.ErrInvalidArgument.New("%s", e.Message))
	}
	if e := checkSelector(&c, in.DASHFragmentSelector, "DASHFragmentSelector", now); e != nil {
		return restError(e)
	}
	if err := s.open(r.Ctx, sess, in.StreamName, in.StreamARN, c, now, expires); err != nil {
		return s.fail(r, err)
	}
	u := s.baseURL(r) + "/dash/v1/getDASHManifest.mpd?SessionToken=" + s.sign.encode(sess)
	return jsonResponse(struct{ DASHStreamingSessionURL string }{u})
}

func defaultMax(mode string) int64 {
	if mode == modeOnDemand {
		return defaultOnDemand
	}
	return defaultLiveMax
}

// request is one GET of a session URL.
type request struct {
	r     *router.Request
	q     url.Values
	sess  *session
	token string
}

// sessionRequest parses the query and checks the session token of a GET.
func (s *Service) sessionRequest(r *router.Request, proto string) (*request, error) {
	q, err := url.ParseQuery(r.RawQuery)
	if err != nil {
		return nil, video.ErrInvalidArgument.New("The query string is not valid.")
	}
	token := q.Get("SessionToken")
	sess, err := s.sign.decode(token, s.now())
	if err != nil {
		return nil, err
	}
	if sess.Proto != proto {
		return nil, video.ErrInvalidArgument.New("The SessionToken is not valid for this API.")
	}
	return &request{r: r, q: q, sess: sess, token: token}, nil
}

func (s *Service) serveHLS(r *router.Request) *router.Response {
	op := strings.TrimPrefix(r.Path, "/hls/v1/")
	req, err := s.sessionRequest(r, protoHLS)
	if err != nil {
		return s.fail(r, err)
	}
	var resp *router.Response
	switch op {
	case "getHLSMasterPlaylist.m3u8":
		resp, err = s.masterPlaylist(req)
	case "getHLSMediaPlaylist.m3u8":
		resp, err = s.mediaPlaylist(req)
	case "getMP4InitFragment.mp4":
		if req.sess.Container == containerTS {
			return s.fail(r, video.ErrInvalidArgument.New("GetMP4InitFragment is not available for MPEG_TS sessions."))
		}
		resp, err = s.initFragment(req)
	case "getMP4MediaFragment.mp4":
		if req.sess.Container == containerTS {
			return s.fail(r, video.ErrInvalidArgument.New("GetMP4MediaFragment is not available for MPEG_TS sessions."))
		}
		resp, err = s.mediaFragment(req, false)
	case "getTSFragment.ts":
		if req.sess.Container != containerTS {
			return s.fail(r, video.ErrInvalidArgument.New("GetTSFragment is only available for MPEG_TS sessions."))
		}
		resp, err = s.mediaFragment(req, true)
	default:
		return restError(video.ErrResourceNotFound.New("Unknown HLS resource %q.", op))
	}
	if err != nil {
		return s.fail(r, err)
	}
	return resp
}

func (s *Service) serveDASH(r *router.Request) *router.Response {
	op := strings.TrimPrefix(r.Path, "/dash/v1/")
	req, err := s.sessionRequest(r, protoDASH)
	if err != nil {
		return s.fail(r, err)
	}
	var resp *router.Response
	switch op {
	case "getDASHManifest.mpd":
		resp, err = s.manifest(req)
	case "getMP4InitFragment.mp4":
		resp, err = s.initFragment(req)
	case "getMP4MediaFragment.mp4":
		resp, err = s.mediaFragment(req, false)
	default:
		return restError(video.ErrResourceNotFound.New("Unknown DASH resource %q.", op))
	}
	if err != nil {
		return s.fail(r, err)
	}
	return resp
}

// body is a successful GET answer.
func body(contentType string, b []byte) *router.Response {
	return &router.Response{Status: 200, Body: b, Header: map[string]string{
		"Content-Type":                contentType,
		"Cache-Control":               "no-cache",
		"Access-Control-Allow-Origin": "*",
	}}
}

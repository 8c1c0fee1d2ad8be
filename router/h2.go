package router

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kinesin/kinesin/router/awsproto"
)

// h2Handler adapts net/http to Handler. net/http serves the HTTP/2
// connections and the HTTP/1.1 connections that open with a stream route
// (see HandleStreamPath). It is a separate type so Server exports no
// ServeHTTP.
type h2Handler struct{ s *Server }

func (h h2Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.s
	var id requestID
	id.fill()
	wh := w.Header()
	wh[headerRequestID] = []string{string(id.uuid[:])}
	wh[headerID2] = []string{string(id.id2[:])}
	if s.cfg.Metrics != nil && r.Method == http.MethodGet && r.URL.Path == "/metrics" {
		s.cfg.Metrics.ServeHTTP(w, r)
		return
	}
	enc := awsproto.EncodingOf(r.Header.Get("Content-Type"))
	target := r.Header.Get("X-Amz-Target")
	t := s.routes.Load()
	req := Request{
		Ctx:        r.Context(),
		Method:     r.Method,
		Path:       r.URL.Path,
		RawQuery:   r.URL.RawQuery,
		Header:     r.Header.Get,
		RemoteAddr: r.RemoteAddr,
	}
	if len(t.heads) > 0 && !isHealth(r.Method, r.URL.Path) {
		if _, stream, _ := t.match(r.Method, r.URL.Path, target); stream {
			s.serveStreamRoute(w, r, &req, t, target, enc, &id)
			return
		}
	}
	body, buf, err := s.readBody(r)
	if errors.Is(err, errTooLarge) {
		s.writeH2(w, r, s.errs.tooLarge.in(enc), nil, nil)
		return
	}
	if err != nil {
		return // the client reset the stream; nobody to answer
	}
	req.Body = body
	resp := s.dispatch(&req, t, target, enc, &id)
	putBody(buf)
	s.writeH2(w, r, resp, nil, nil)
}

// serveStreamRoute runs a stream route: the body is left unread for the
// handler and its Stream, which may read it while writing. The stream's
// context ends when a body read fails (the client went away mid-upload) as
// well as when the response does.
func (s *Server) serveStreamRoute(w http.ResponseWriter, r *http.Request, req *Request, t *routeTable, target string, enc awsproto.Encoding, id *requestID) {
	rc := http.NewResponseController(w)
	// HTTP/1.1 in net/http is half duplex unless told otherwise: it would
	// discard the unread body before sending the response's headers.
	// HTTP/2 always is full duplex and says nil.
	rc.EnableFullDuplex()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	req.BodyStream = &bodyStream{r: r.Body, cancel: cancel}
	// Shutdown ends the stream's context, but a handler blocked reading a
	// body the client does not send would not see it: a read deadline in
	// the past ends that read.
	defer context.AfterFunc(s.streamCtx, func() { rc.SetReadDeadline(time.Now()) })()
	resp := s.dispatch(req, t, target, enc, id)
	s.writeH2(w, r, resp, ctx, cancel)
}

// bodyStream is Request.BodyStream on net/http: a failed read other than
// the end of the body means the client is gone, which ends the stream.
type bodyStream struct {
	r      io.Reader
	cancel context.CancelFunc
}

func (b *bodyStream) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.cancel()
	}
	return n, err
}

// writeH2 writes resp. ctx and cancel, when set, are the context a Stream
// runs under; otherwise one is derived from the request's.
func (s *Server) writeH2(w http.ResponseWriter, r *http.Request, resp *Response, ctx context.Context, cancel context.CancelFunc) {
	h := w.Header()
	for k, v := range resp.Header {
		if !skipHeader(k) {
			h[k] = []string{v} // as the handler spells it, like the fasthttp path
		}
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // no sniffing: the HTTP/1.1 path sends none either
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	if resp.Stream == nil {
		h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
		w.WriteHeader(status)
		w.Write(resp.Body)
		if resp.Done != nil {
			resp.Done()
		}
		return
	}
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	if ctx == nil {
		ctx, cancel = context.WithCancel(r.Context()) // ends when the client resets the stream
	}
	defer context.AfterFunc(s.streamCtx, cancel)()
	if rc.Flush() != nil {
		cancel()
	}
	s.runStream(ctx, cancel, resp, &h2Stream{w: w, rc: rc, cancel: cancel})
}

// h2Stream is the StreamWriter over an HTTP/2 response.
type h2Stream struct {
	w      io.Writer
	rc     *http.ResponseController
	cancel context.CancelFunc
}

func (h *h2Stream) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	if err != nil {
		h.cancel()
	}
	return n, err
}

func (h *h2Stream) Flush() error {
	err := h.rc.Flush()
	if err != nil {
		h.cancel()
	}
	return err
}

var errTooLarge = errors.New("router: request body too large")

// bodyPool recycles HTTP/2 request body buffers, as fasthttp does its own.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// maxPooledBody keeps the odd huge body from pinning memory in the pool.
const maxPooledBody = 1 << 20

// readBody reads the whole body, refusing more than MaxBodyBytes. The
// returned buffer goes back with putBody once the handler is done.
func (s *Server) readBody(r *http.Request) ([]byte, *[]byte, error) {
	if r.ContentLength == 0 {
		return nil, nil, nil
	}
	if r.ContentLength > int64(s.maxBody) {
		return nil, nil, errTooLarge
	}
	bp := bodyPool.Get().(*[]byte)
	b := (*bp)[:0]
	if cl := int(r.ContentLength); cl > 0 {
		// net/http's HTTP/2 server rejects bodies that disagree with
		// Content-Length, so reading exactly that much is reading it all.
		b = slices.Grow(b, cl)[:cl]
		_, err := io.ReadFull(r.Body, b)
		*bp = b
		if err != nil {
			putBody(bp)
			return nil, nil, err
		}
		return b, bp, nil
	}
	for {
		if len(b) == cap(b) {
			b = slices.Grow(b, len(b))
		}
		n, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		*bp = b
		if len(b) > s.maxBody {
			putBody(bp)
			return nil, nil, errTooLarge
		}
		if err == io.EOF {
			return b, bp, nil
		}
		if err != nil {
			putBody(bp)
			return nil, nil, err
		}
	}
}

func putBody(bp *[]byte) {
	if bp != nil && cap(*bp) <= maxPooledBody {
		*bp = (*bp)[:0]
		bodyPool.Put(bp)
	}
}

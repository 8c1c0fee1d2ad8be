package router

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/kinesin/kinesin/router/awsproto"
)

// h2Handler adapts net/http, which serves the HTTP/2 connections, to
// Handler. It is a separate type so Server exports no ServeHTTP.
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
	body, buf, err := s.readBody(r)
	if errors.Is(err, errTooLarge) {
		s.writeH2(w, r, s.errs.tooLarge.in(enc))
		return
	}
	if err != nil {
		return // the client reset the stream; nobody to answer
	}
	req := Request{
		Ctx:        r.Context(),
		Method:     r.Method,
		Path:       r.URL.Path,
		RawQuery:   r.URL.RawQuery,
		Header:     r.Header.Get,
		Body:       body,
		RemoteAddr: r.RemoteAddr,
	}
	resp := s.dispatch(&req, r.Header.Get("X-Amz-Target"), enc, &id)
	putBody(buf)
	s.writeH2(w, r, resp)
}

func (s *Server) writeH2(w http.ResponseWriter, r *http.Request, resp *Response) {
	h := w.Header()
	for k, v := range resp.Header {
		if !skipHeader(k) {
			h.Set(k, v)
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
	ctx, cancel := context.WithCancel(r.Context()) // ends when the client resets the stream
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

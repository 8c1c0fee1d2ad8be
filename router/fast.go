package router

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/kinesin/kinesin/router/awsproto"
)

// fastReq is a pooled Request for the HTTP/1.1 hot path. Its Header func is
// bound once per pooled object, so building a Request allocates nothing.
type fastReq struct {
	req Request
	ctx *fasthttp.RequestCtx
}

func (f *fastReq) header(name string) string { return b2s(f.ctx.Request.Header.Peek(name)) }

var fastReqPool = sync.Pool{New: func() any {
	f := new(fastReq)
	f.req.Header = f.header
	return f
}}

// serveFast adapts fasthttp to Handler. The Request's strings alias
// fasthttp's buffers, which the Handler contract allows (valid until the
// handler returns).
func (s *Server) serveFast(ctx *fasthttp.RequestCtx) {
	var id requestID
	id.fill()
	setFastIDs(ctx, &id)
	uri := ctx.URI()
	if s.fastMetrics != nil && ctx.IsGet() && string(uri.PathOriginal()) == "/metrics" {
		s.fastMetrics(ctx)
		return
	}
	f := fastReqPool.Get().(*fastReq)
	f.ctx = ctx
	r := &f.req
	r.Ctx = s.hardCtx
	r.Method = b2s(ctx.Method())
	r.Path = decodePath(b2s(uri.PathOriginal()))
	r.RawQuery = b2s(uri.QueryString())
	r.Body = ctx.PostBody()
	r.RemoteAddr = remoteOf(ctx.Conn())
	enc := awsproto.EncodingOf(b2s(ctx.Request.Header.ContentType()))
	resp := s.dispatch(r, s.routes.Load(), b2s(ctx.Request.Header.Peek("X-Amz-Target")), enc, &id)
	*r = Request{Header: r.Header}
	f.ctx = nil
	fastReqPool.Put(f)
	s.writeFast(ctx, resp)
}

// fastError answers requests fasthttp could not read, AWS-shaped.
func (s *Server) fastError(ctx *fasthttp.RequestCtx, err error) {
	var id requestID
	id.fill()
	setFastIDs(ctx, &id)
	if c := ownConn(ctx.Conn()); c != nil {
		c.linger.Store(true) // fasthttp closes after this answer, maybe with input unread
	}
	enc := awsproto.EncodingOf(b2s(ctx.Request.Header.ContentType()))
	var small *fasthttp.ErrSmallBuffer
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		s.writeFast(ctx, s.errs.tooLarge.in(enc))
	case errors.As(err, &small):
		s.writeFast(ctx, s.errs.headersTooLarge.in(enc))
	default:
		s.log.Debug("router: malformed HTTP/1.1 request", "remote", remoteOf(ctx.Conn()), "err", err)
		s.writeFast(ctx, s.errs.malformed.in(enc))
	}
}

func setFastIDs(ctx *fasthttp.RequestCtx, id *requestID) {
	h := &ctx.Response.Header
	h.DisableNormalizing() // send header names as AWS spells them
	h.SetBytesV(headerRequestID, id.uuid[:])
	h.SetBytesV(headerID2, id.id2[:])
}

func (s *Server) writeFast(ctx *fasthttp.RequestCtx, resp *Response) {
	status := resp.Status
	if status == 0 {
		status = fasthttp.StatusOK
	}
	ctx.SetStatusCode(status)
	for k, v := range resp.Header {
		if !skipHeader(k) {
			ctx.Response.Header.Set(k, v)
		}
	}
	if resp.Stream == nil {
		// fasthttp writes after this returns and has no hook for "written",
		// so the body is copied into its pooled buffer and Done runs now.
		ctx.Response.SetBody(resp.Body)
		if resp.Done != nil {
			resp.Done()
		}
		return
	}
	sctx, cancel := context.WithCancel(s.streamCtx)
	// Send the status and headers at once, as HTTP/2 does: a stream that
	// stays quiet (a log follower, an idle subscription) must still tell
	// the client it was accepted.
	ctx.Response.ImmediateHeaderFlush = true
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		s.runStream(sctx, cancel, resp, &fastStream{w: w, cancel: cancel})
	})
}

// fastStream is the StreamWriter over fasthttp's chunked body writer. Its
// Flush hands the bytes to the connection's goroutine, which writes and
// flushes each chunk at once. A failure means the client is gone, so it
// cancels the stream's context as the contract promises.
type fastStream struct {
	w      *bufio.Writer
	cancel context.CancelFunc
}

func (f *fastStream) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err != nil {
		f.cancel()
	}
	return n, err
}

func (f *fastStream) Flush() error {
	err := f.w.Flush()
	if err != nil {
		f.cancel()
	}
	return err
}

// decodePath percent-decodes like net/url does for net/http's URL.Path,
// so both transports hand handlers the same Path; fasthttp's own Path()
// also collapses dot segments and slashes, which net/http does not.
func decodePath(p string) string {
	if strings.IndexByte(p, '%') < 0 {
		return p
	}
	if d, err := url.PathUnescape(p); err == nil {
		return d
	}
	return p
}

// b2s views b as a string without copying; only for bytes that outlive the
// string's use.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// fastLogger sends fasthttp's connection-level complaints to slog at Debug:
// they are about misbehaving clients, not about the server.
type fastLogger struct{ log *slog.Logger }

func (l fastLogger) Printf(format string, args ...any) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug("router: http/1.1: " + fmt.Sprintf(format, args...))
	}
}

package router

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
)

// Config configures a Server.
type Config struct {
	// Listen is the HOST:PORT to listen on; port 0 picks a free port (see
	// Server.Addr).
	Listen string
	// TLSCert and TLSKey are PEM files. When set, the port also speaks TLS
	// (plain HTTP keeps working on it).
	TLSCert, TLSKey string
	// TLSSelfSigned enables TLS with a certificate generated in memory for
	// localhost, 127.0.0.1 and ::1, for development and tests.
	TLSSelfSigned bool
	// MaxBodyBytes caps request bodies; larger ones get 413. Default 16 MiB.
	MaxBodyBytes int
	// Logger receives panics and connection errors; nil discards them.
	Logger *slog.Logger
	// Metrics, when set, is served at GET /metrics.
	Metrics http.Handler
}

// DefaultMaxBodyBytes is the request body cap when Config.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 16 << 20

// Timeouts. A connection must show its first bytes (and finish a TLS
// handshake) within sniffTimeout, so idle sockets cannot pile up; an
// HTTP/1.1 request must arrive whole within readTimeout; keep-alive
// connections are closed after idleTimeout without a request. Nothing
// bounds writes, since event streams stay open for minutes.
const (
	sniffTimeout = 10 * time.Second
	readTimeout  = 60 * time.Second
	idleTimeout  = 2 * time.Minute
)

// Server is the HTTP tier: one listener whose connections are sniffed and
// handed to fasthttp (HTTP/1.1, plain or TLS) or to net/http (HTTP/2, h2c
// with prior knowledge or TLS with ALPN "h2"; and HTTP/1.1 connections that
// open with a request for a stream route, see HandleStreamPath).
type Server struct {
	cfg     Config
	log     *slog.Logger
	maxBody int
	errs    tierErrors
	routes  atomic.Pointer[routeTable]
	ready   atomic.Bool

	fast        *fasthttp.Server
	fastMetrics fasthttp.RequestHandler
	h2          *http.Server
	h1          *http.Server // HTTP/1.1 connections of stream routes

	// streamCtx ends every Response.Stream when shutdown starts; hardCtx is
	// Request.Ctx and ends when shutdown gives up waiting.
	streamCtx, hardCtx    context.Context
	stopStreams, stopHard context.CancelFunc

	// Set by Start before the goroutines that read them.
	ln                 net.Listener
	tlsConf            *tls.Config
	fastLn, h2Ln, h1Ln *chanListener
	fastServed         chan struct{} // closed when fasthttp's Serve returns

	mu                    sync.Mutex // serializes Start, Shutdown and route writes; guards below
	conns                 map[*conn]struct{}
	started, shuttingDown bool

	serving                sync.WaitGroup // accept loop and the three Serve loops
	shutdownOnce, hardOnce sync.Once
}

// New builds a Server; nothing listens until Start.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, log: cfg.Logger, maxBody: cfg.MaxBodyBytes, conns: map[*conn]struct{}{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	s.errs = newTierErrors(s.maxBody)
	s.routes.Store(&routeTable{targets: map[string]Handler{}})
	s.streamCtx, s.stopStreams = context.WithCancel(context.Background())
	s.hardCtx, s.stopHard = context.WithCancel(context.Background())
	if cfg.Metrics != nil {
		s.fastMetrics = fasthttpadaptor.NewFastHTTPHandler(cfg.Metrics)
	}
	s.fast = &fasthttp.Server{
		Handler:                      s.serveFast,
		ErrorHandler:                 s.fastError,
		MaxRequestBodySize:           s.maxBody,
		ReadBufferSize:               16 << 10, // room for SigV4 headers with session tokens
		ReadTimeout:                  readTimeout,
		IdleTimeout:                  idleTimeout,
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true,
		DisablePreParseMultipartForm: true,
		CloseOnShutdown:              true,
		Logger:                       fastLogger{s.log},
	}
	var protos http.Protocols
	protos.SetHTTP2(true)
	protos.SetUnencryptedHTTP2(true)
	s.h2 = &http.Server{
		Handler:     h2Handler{s},
		Protocols:   &protos,
		IdleTimeout: idleTimeout,
		ErrorLog:    slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext: func(net.Listener) context.Context { return s.hardCtx },
	}
	var h1 http.Protocols
	h1.SetHTTP1(true)
	s.h1 = &http.Server{
		Handler:   h2Handler{s},
		Protocols: &h1,
		// No ReadTimeout: a stream route's body flows as long as the
		// producer sends.
		ReadHeaderTimeout: readTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    16 << 10, // as fasthttp's ReadBufferSize
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return s.hardCtx },
	}
	return s
}

// SetReady flips GET /health between 503 (starting, draining) and 200.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// Start listens and serves in background goroutines.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.shuttingDown {
		return errors.New("router: server already started or shut down")
	}
	if s.cfg.Listen == "" {
		return errors.New("router: Config.Listen is empty")
	}
	tlsConf, err := s.cfg.tlsConfig()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("router: listen: %w", err)
	}
	s.started, s.ln, s.tlsConf = true, ln, tlsConf
	s.fastLn, s.h2Ln, s.h1Ln = newChanListener(ln.Addr()), newChanListener(ln.Addr()), newChanListener(ln.Addr())
	s.fastServed = make(chan struct{})
	s.serving.Add(4)
	go s.acceptLoop()
	go func() {
		defer s.serving.Done()
		defer close(s.fastServed)
		if err := s.fast.Serve(s.fastLn); err != nil {
			s.log.Error("router: http/1.1 server stopped", "err", err)
		}
	}()
	go func() {
		defer s.serving.Done()
		if err := s.h2.Serve(s.h2Ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("router: http/2 server stopped", "err", err)
		}
	}()
	go func() {
		defer s.serving.Done()
		if err := s.h1.Serve(s.h1Ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("router: http/1.1 stream server stopped", "err", err)
		}
	}()
	s.log.Info("router: listening", "addr", ln.Addr().String(), "tls", tlsConf != nil)
	return nil
}

// Addr is the address actually listened on, "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Shutdown stops accepting connections, ends every event stream (their
// contexts are cancelled) and waits for in-flight requests. When ctx ends
// first it closes every connection, cancels the requests' contexts and
// returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	started := s.started
	s.shuttingDown = true
	s.mu.Unlock()
	s.ready.Store(false)
	if !started {
		return nil
	}
	s.shutdownOnce.Do(func() {
		s.ln.Close()
		s.stopStreams()
		s.closeSniffing()
	})

	// fasthttp's Shutdown polls every 100ms until its Serve loop is gone,
	// so end that loop first; it only accepts from fastLn.
	s.fastLn.Close()
	select {
	case <-s.fastServed:
	case <-ctx.Done():
	}
	errc := make(chan error, 3)
	go func() { errc <- s.fast.ShutdownWithContext(ctx) }()
	go func() { errc <- s.h2.Shutdown(ctx) }()
	go func() { errc <- s.h1.Shutdown(ctx) }()
	var err error
	for range 3 {
		if e := <-errc; e != nil && err == nil {
			err = e
		}
	}
	s.h2Ln.Close()
	s.h1Ln.Close()
	if ctx.Err() != nil {
		s.forceClose()
		return ctx.Err()
	}
	s.serving.Wait()
	s.hardOnce.Do(s.stopHard)
	return err
}

// forceClose ends what a graceful shutdown could not.
func (s *Server) forceClose() {
	s.hardOnce.Do(s.stopHard)
	s.h2.Close()
	s.h1.Close()
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
		c.Conn.Close() // also ends a lingerClose under way
	}
}

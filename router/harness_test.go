package router

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinesin/kinesin/router/awsproto"
)

// transport is one way a client reaches the single port.
type transport struct {
	name  string
	https bool
	proto string // resp.Proto expected
	alpn  string // ALPN expected over TLS
	rt    func() *http.Transport
}

func transports() []transport {
	insecure := func(alpn ...string) *tls.Config {
		return &tls.Config{InsecureSkipVerify: true, NextProtos: alpn}
	}
	protos := func(set func(*http.Protocols)) *http.Protocols {
		var p http.Protocols
		set(&p)
		return &p
	}
	return []transport{
		{"http1", false, "HTTP/1.1", "", func() *http.Transport {
			return &http.Transport{Protocols: protos(func(p *http.Protocols) { p.SetHTTP1(true) })}
		}},
		{"h2c", false, "HTTP/2.0", "", func() *http.Transport {
			return &http.Transport{Protocols: protos(func(p *http.Protocols) { p.SetUnencryptedHTTP2(true) })}
		}},
		{"tls-h2", true, "HTTP/2.0", "h2", func() *http.Transport {
			return &http.Transport{
				Protocols:       protos(func(p *http.Protocols) { p.SetHTTP2(true) }),
				TLSClientConfig: insecure(),
			}
		}},
		{"tls-http1", true, "HTTP/1.1", "http/1.1", func() *http.Transport {
			return &http.Transport{
				Protocols:       protos(func(p *http.Protocols) { p.SetHTTP1(true) }),
				TLSClientConfig: insecure("http/1.1"),
			}
		}},
	}
}

// harness is one server (TLS on, so plain and TLS share its port) and a
// client of one transport.
type harness struct {
	t      *testing.T
	srv    *Server
	tr     transport
	client *http.Client
	base   string
	logs   *syncBuffer
}

// forEachTransport runs test against a fresh server per transport.
func forEachTransport(t *testing.T, cfg Config, setup func(*Server), test func(t *testing.T, h *harness)) {
	for _, tr := range transports() {
		t.Run(tr.name, func(t *testing.T) {
			h := newHarness(t, cfg, tr)
			if setup != nil {
				setup(h.srv)
			}
			test(t, h)
		})
	}
}

func newHarness(t *testing.T, cfg Config, tr transport) *harness {
	t.Helper()
	logs := &syncBuffer{}
	cfg.Listen = "127.0.0.1:0"
	cfg.TLSSelfSigned = true
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := New(cfg)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	rt := tr.rt()
	h := &harness{t: t, srv: srv, tr: tr, client: &http.Client{Transport: rt}, logs: logs}
	h.base = "http://" + srv.Addr()
	if tr.https {
		h.base = "https://" + srv.Addr()
	}
	t.Cleanup(func() {
		rt.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return h
}

// reply is a received response with its body read.
type reply struct {
	*http.Response
	body []byte
}

// do sends one request; headers are name, value pairs.
func (h *harness) do(method, path string, body []byte, headers ...string) reply {
	h.t.Helper()
	resp := h.open(method, path, bytes.NewReader(body), headers...)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return reply{resp, b}
}

// open sends a request and returns the response with its body unread.
func (h *harness) open(method, path string, body io.Reader, headers ...string) *http.Response {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	h.t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, method, h.base+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	h.checkCommon(resp)
	return resp
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// checkCommon checks what every response carries, whatever the transport.
func (h *harness) checkCommon(resp *http.Response) {
	h.t.Helper()
	if resp.Proto != h.tr.proto {
		h.t.Errorf("proto = %s, want %s", resp.Proto, h.tr.proto)
	}
	if h.tr.https && (resp.TLS == nil || resp.TLS.NegotiatedProtocol != h.tr.alpn) {
		h.t.Errorf("TLS state %+v, want ALPN %q", resp.TLS, h.tr.alpn)
	}
	if id := resp.Header.Get(headerRequestID); !uuidV4.MatchString(id) {
		h.t.Errorf("x-amzn-RequestId = %q, want a UUID v4", id)
	}
	if resp.Header.Get(headerID2) == "" {
		h.t.Error("x-amz-id-2 missing")
	}
	if _, err := http.ParseTime(resp.Header.Get("Date")); err != nil {
		h.t.Errorf("Date: %v", err)
	}
	if s := resp.Header.Get("Server"); s != "" {
		h.t.Errorf("Server = %q, want none", s)
	}
}

// wantAWSError checks an AWS JSON or CBOR error body.
func wantAWSError(t *testing.T, r reply, status int, enc awsproto.Encoding, code string) {
	t.Helper()
	if r.StatusCode != status {
		t.Errorf("status = %d, want %d (body %q)", r.StatusCode, status, r.body)
	}
	if ct := r.Header.Get("Content-Type"); ct != enc.ContentType() {
		t.Errorf("Content-Type = %q, want %q", ct, enc.ContentType())
	}
	var e struct {
		Type    string `json:"__type" cbor:"__type"`
		Message string `json:"message" cbor:"message"`
	}
	if err := enc.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	if e.Type != code {
		t.Errorf("__type = %q, want %q (body %q)", e.Type, code, r.body)
	}
}

// echo answers with the Request as the handler saw it.
type echoed struct {
	Name, Method, Path, RawQuery, Target, Test, ContentType, Body, RemoteAddr string
	HasCtx                                                                    bool
}

func echo(name string) HandlerFunc {
	return func(r *Request) *Response {
		b, _ := json.Marshal(echoed{
			Name: name, Method: r.Method, Path: r.Path, RawQuery: r.RawQuery,
			Target: r.Header("X-Amz-Target"), Test: r.Header("x-test"), ContentType: r.Header("Content-Type"),
			Body: string(r.Body), RemoteAddr: r.RemoteAddr, HasCtx: r.Ctx != nil,
		})
		return &Response{Header: map[string]string{"Content-Type": "application/json", "X-Echo": name}, Body: b}
	}
}

func decodeEcho(t *testing.T, r reply) echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("echo body %q (status %d): %v", r.body, r.StatusCode, err)
	}
	return e
}

// checkFor polls cond until it holds or the time is up; tests wait on
// conditions this way, never with a bare sleep.
func checkFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// recv waits for a value or fails the test.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

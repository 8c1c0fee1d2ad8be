package router

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/kinesin/kinesin/router/awsproto"
)

func TestTargetRoute(t *testing.T) {
	var done atomic.Int32
	setup := func(s *Server) {
		s.HandleTarget("Kinesis_20131202", HandlerFunc(func(r *Request) *Response {
			resp := echo("kinesis")(r)
			resp.Done = func() { done.Add(1) }
			return resp
		}))
		s.HandleTarget("Firehose_20150804", echo("firehose"))
	}
	forEachTransport(t, Config{}, setup, func(t *testing.T, h *harness) {
		done.Store(0)
		r := h.do("POST", "/?a=b%20c", []byte(`{"StreamName":"s"}`),
			"X-Amz-Target", "Kinesis_20131202.PutRecord", "Content-Type", awsproto.ContentTypeJSON, "X-Test", "hello")
		if r.StatusCode != 200 || r.Header.Get("X-Echo") != "kinesis" || r.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("status %d headers %v", r.StatusCode, r.Header)
		}
		if r.ContentLength != int64(len(r.body)) {
			t.Errorf("Content-Length %d for a body of %d", r.ContentLength, len(r.body))
		}
		got := decodeEcho(t, r)
		if !strings.HasPrefix(got.RemoteAddr, "127.0.0.1:") {
			t.Errorf("RemoteAddr = %q", got.RemoteAddr)
		}
		got.RemoteAddr = ""
		want := echoed{Name: "kinesis", Method: "POST", Path: "/", RawQuery: "a=b%20c", Target: "Kinesis_20131202.PutRecord",
			Test: "hello", ContentType: awsproto.ContentTypeJSON, Body: `{"StreamName":"s"}`, HasCtx: true}
		if got != want {
			t.Errorf("handler saw %+v\nwant %+v", got, want)
		}
		checkFor(t, 5*time.Second, "Done", func() bool { return done.Load() == 1 })

		r2 := h.do("POST", "/", nil, "X-Amz-Target", "Firehose_20150804.PutRecordBatch")
		if e := decodeEcho(t, r2); e.Name != "firehose" {
			t.Errorf("Firehose target went to %q", e.Name)
		}
		if r.Header.Get(headerRequestID) == r2.Header.Get(headerRequestID) {
			t.Error("two requests share a request id")
		}
	})
}

func TestRESTRoute(t *testing.T) {
	setup := func(s *Server) {
		s.HandlePath("GET", "/2015-03-31/functions", echo("functions"))
		s.HandlePath("POST", "/2015-03-31/functions", echo("create"))
		s.HandlePath("", "/2015-03-31/functions/special", echo("special"))
	}
	cases := []struct {
		method, path   string
		name, wantPath string
		wantQuery      string
	}{
		{"GET", "/2015-03-31/functions", "functions", "/2015-03-31/functions", ""},
		{"GET", "/2015-03-31/functions/", "functions", "/2015-03-31/functions/", ""},
		{"POST", "/2015-03-31/functions", "create", "/2015-03-31/functions", ""},
		{"GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Af/invocations?Qualifier=%241&x", "functions",
			"/2015-03-31/functions/arn:aws:lambda:f/invocations", "Qualifier=%241&x"},
		{"DELETE", "/2015-03-31/functions/special/x", "special", "/2015-03-31/functions/special/x", ""},
		{"GET", "/2015-03-31/functions/special", "special", "/2015-03-31/functions/special", ""},
	}
	forEachTransport(t, Config{}, setup, func(t *testing.T, h *harness) {
		for _, c := range cases {
			got := decodeEcho(t, h.do(c.method, c.path, nil))
			if got.Name != c.name || got.Method != c.method || got.Path != c.wantPath || got.RawQuery != c.wantQuery {
				t.Errorf("%s %s: handler %q saw %s %q ? %q", c.method, c.path, got.Name, got.Method, got.Path, got.RawQuery)
			}
		}
		for _, miss := range []struct{ method, path string }{
			{"GET", "/2015-03-31/functionsX"},
			{"DELETE", "/2015-03-31/functions"},
			{"GET", "/"},
			{"PUT", "/nope"},
		} {
			r := h.do(miss.method, miss.path, nil)
			wantAWSError(t, r, 404, awsproto.JSON, "UnknownOperationException")
			if string(r.body) != `{"__type":"UnknownOperationException"}` {
				t.Errorf("%s %s: body %q", miss.method, miss.path, r.body)
			}
		}
	})
}

func TestHealth(t *testing.T) {
	forEachTransport(t, Config{}, nil, func(t *testing.T, h *harness) {
		if r := h.do("GET", "/health", nil); r.StatusCode != 503 {
			t.Errorf("before SetReady: %d %q", r.StatusCode, r.body)
		}
		h.srv.SetReady(true)
		r := h.do("GET", "/health", nil)
		if r.StatusCode != 200 || string(r.body) != `{"status":"ok"}` || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("ready: %d %q %v", r.StatusCode, r.body, r.Header)
		}
		h.srv.SetReady(false)
		if r := h.do("GET", "/health", nil); r.StatusCode != 503 {
			t.Errorf("after SetReady(false): %d", r.StatusCode)
		}
	})
}

func TestMetrics(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		io.WriteString(w, "kinesin_up 1\n")
	})
	forEachTransport(t, Config{Metrics: metrics}, nil, func(t *testing.T, h *harness) {
		r := h.do("GET", "/metrics", nil)
		if r.StatusCode != 200 || string(r.body) != "kinesin_up 1\n" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("metrics: %d %q %v", r.StatusCode, r.body, r.Header)
		}
	})
}

// TestStream proves Flush reaches the client: the handler writes chunk i+1
// only after the client has read chunk i, so a Flush that only buffered
// would deadlock until the request's deadline.
func TestStream(t *testing.T) {
	forEachTransport(t, Config{}, nil, func(t *testing.T, h *harness) {
		ack := make(chan struct{})
		done := make(chan struct{})
		h.srv.HandlePath("GET", "/stream", HandlerFunc(func(r *Request) *Response {
			return &Response{
				Header: map[string]string{"Content-Type": "application/vnd.amazon.eventstream"},
				Stream: func(ctx context.Context, w StreamWriter) {
					for i := range 3 {
						fmt.Fprintf(w, "chunk-%d\n", i)
						if err := w.Flush(); err != nil {
							t.Errorf("flush %d: %v", i, err)
							return
						}
						select {
						case <-ack:
						case <-ctx.Done():
							t.Errorf("stream context ended early: %v", ctx.Err())
							return
						}
					}
				},
				Done: func() { close(done) },
			}
		}))
		resp := h.open("GET", "/stream", nil)
		defer resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.amazon.eventstream" {
			t.Fatalf("status %d headers %v", resp.StatusCode, resp.Header)
		}
		br := bufio.NewReader(resp.Body)
		for i := range 3 {
			line, err := br.ReadString('\n')
			if err != nil || line != fmt.Sprintf("chunk-%d\n", i) {
				t.Fatalf("chunk %d: %q, %v", i, line, err)
			}
			ack <- struct{}{}
		}
		if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
			t.Errorf("after the last chunk: %q, %v", rest, err)
		}
		recv(t, done, "Done after the stream")
	})
}

func TestPanic(t *testing.T) {
	setup := func(s *Server) {
		s.HandleTarget("Boom_1", HandlerFunc(func(*Request) *Response { panic("boom value") }))
		s.HandlePath("GET", "/stream-boom", HandlerFunc(func(*Request) *Response {
			return &Response{Stream: func(context.Context, StreamWriter) { panic("stream boom") }}
		}))
		s.HandlePath("GET", "/ok", echo("ok"))
	}
	forEachTransport(t, Config{}, setup, func(t *testing.T, h *harness) {
		for _, enc := range []awsproto.Encoding{awsproto.JSON, awsproto.CBOR} {
			r := h.do("POST", "/", []byte{}, "X-Amz-Target", "Boom_1.Op", "Content-Type", enc.ContentType())
			wantAWSError(t, r, 500, enc, "InternalFailure")
			if enc == awsproto.JSON && string(r.body) != `{"__type":"InternalFailure"}` {
				t.Errorf("body %q", r.body)
			}
		}
		logs := h.logs.String()
		for _, want := range []string{"level=ERROR", "handler panic", "boom value", "goroutine ", "Boom_1.Op"} {
			if !strings.Contains(logs, want) {
				t.Errorf("log lacks %q:\n%s", want, logs)
			}
		}
		// A stream that panics after the headers went out just ends.
		resp := h.open("GET", "/stream-boom", nil)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		checkFor(t, 5*time.Second, "stream panic logged", func() bool { return strings.Contains(h.logs.String(), "stream boom") })

		if r := h.do("GET", "/ok", nil); r.StatusCode != 200 {
			t.Errorf("after panics: %d", r.StatusCode)
		}
	})
}

func TestUnknownOperation(t *testing.T) {
	setup := func(s *Server) { s.HandleTarget("Kinesis_20131202", echo("kinesis")) }
	cases := []struct {
		name, target string
		enc          awsproto.Encoding
	}{
		{"unknown prefix", "Nope_20200101.Op", awsproto.JSON},
		{"unknown prefix cbor", "Nope_20200101.Op", awsproto.CBOR},
		{"no operation", "Kinesis_20131202", awsproto.JSON},
		{"empty operation", "Kinesis_20131202.", awsproto.CBOR},
		{"no target", "", awsproto.JSON},
	}
	forEachTransport(t, Config{}, setup, func(t *testing.T, h *harness) {
		for _, c := range cases {
			r := h.do("POST", "/", []byte(`{}`), "X-Amz-Target", c.target, "Content-Type", c.enc.ContentType())
			wantAWSError(t, r, 400, c.enc, "UnknownOperationException")
			if c.enc == awsproto.JSON && string(r.body) != `{"__type":"UnknownOperationException"}` {
				t.Errorf("%s: body %q", c.name, r.body)
			}
		}
	})
}

func TestBodyTooLarge(t *testing.T) {
	const limit = 1024
	setup := func(s *Server) { s.HandleTarget("Kinesis_20131202", echo("kinesis")) }
	forEachTransport(t, Config{MaxBodyBytes: limit}, setup, func(t *testing.T, h *harness) {
		post := func(body io.Reader, enc awsproto.Encoding) reply {
			t.Helper()
			resp := h.open("POST", "/", body, "X-Amz-Target", "Kinesis_20131202.PutRecord", "Content-Type", enc.ContentType())
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			return reply{resp, b}
		}
		if r := post(bytes.NewReader(make([]byte, limit)), awsproto.JSON); r.StatusCode != 200 {
			t.Errorf("body at the limit: %d %q", r.StatusCode, r.body)
		}
		wantAWSError(t, post(bytes.NewReader(make([]byte, limit+1)), awsproto.JSON), 413, awsproto.JSON, "SerializationException")
		wantAWSError(t, post(bytes.NewReader(make([]byte, 1<<20)), awsproto.CBOR), 413, awsproto.CBOR, "SerializationException")
		// Unknown length (chunked in HTTP/1.1): the limit holds while reading.
		unknown := iotest.HalfReader(bytes.NewReader(make([]byte, 4*limit)))
		wantAWSError(t, post(unknown, awsproto.JSON), 413, awsproto.JSON, "SerializationException")
		if r := post(iotest.HalfReader(bytes.NewReader(make([]byte, limit/2))), awsproto.JSON); r.StatusCode != 200 {
			t.Errorf("small body of unknown length: %d %q", r.StatusCode, r.body)
		}
	})
}

func TestShutdownEndsStreams(t *testing.T) {
	forEachTransport(t, Config{}, nil, func(t *testing.T, h *harness) {
		ended := make(chan error, 1)
		done := make(chan struct{})
		h.srv.HandlePath("GET", "/stream", HandlerFunc(func(r *Request) *Response {
			return &Response{
				Stream: func(ctx context.Context, w StreamWriter) {
					io.WriteString(w, "hello\n")
					w.Flush()
					<-ctx.Done()
					ended <- ctx.Err()
				},
				Done: func() { close(done) },
			}
		}))
		resp := h.open("GET", "/stream", nil)
		defer resp.Body.Close()
		br := bufio.NewReader(resp.Body)
		if line, err := br.ReadString('\n'); line != "hello\n" {
			t.Fatalf("first line %q, %v", line, err)
		}
		shut := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			shut <- h.srv.Shutdown(ctx)
		}()
		if err := recv(t, ended, "stream context cancelled"); !errors.Is(err, context.Canceled) {
			t.Errorf("stream ended with %v", err)
		}
		recv(t, done, "Done")
		io.Copy(io.Discard, br) // the response ends
		if err := recv(t, shut, "Shutdown"); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if c, err := net.Dial("tcp", h.srv.Addr()); err == nil {
			c.Close()
			t.Error("still accepting after Shutdown")
		}
	})
}

// TestShutdownWaitsForRequests: a request in flight when Shutdown starts
// still gets its answer, and Shutdown returns once it has.
func TestShutdownWaitsForRequests(t *testing.T) {
	forEachTransport(t, Config{}, nil, func(t *testing.T, h *harness) {
		entered, release := make(chan struct{}), make(chan struct{})
		h.srv.HandlePath("GET", "/slow", HandlerFunc(func(r *Request) *Response {
			close(entered)
			<-release
			return echo("slow")(r)
		}))
		replies := make(chan reply, 1)
		go func() { replies <- h.do("GET", "/slow", nil) }()
		recv(t, entered, "handler entered")
		shut := make(chan error, 1)
		go func() { shut <- h.srv.Shutdown(context.Background()) }()
		checkFor(t, 5*time.Second, "listener closed", func() bool {
			c, err := net.Dial("tcp", h.srv.Addr())
			if err == nil {
				c.Close()
			}
			return err != nil
		})
		select {
		case err := <-shut:
			t.Fatalf("Shutdown returned %v with a request in flight", err)
		default:
		}
		close(release)
		if r := recv(t, replies, "reply"); r.StatusCode != 200 {
			t.Errorf("in-flight request: %d", r.StatusCode)
		}
		if err := recv(t, shut, "Shutdown"); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
}

// TestShutdownDeadline: when the context ends first, Shutdown cancels the
// requests' contexts, closes their connections and says so.
func TestShutdownDeadline(t *testing.T) {
	forEachTransport(t, Config{}, nil, func(t *testing.T, h *harness) {
		entered, cancelled := make(chan struct{}), make(chan struct{})
		h.srv.HandlePath("GET", "/stuck", HandlerFunc(func(r *Request) *Response {
			close(entered)
			<-r.Ctx.Done()
			close(cancelled)
			return &Response{}
		}))
		failed := make(chan error, 1)
		go func() {
			resp, err := h.client.Get(h.base + "/stuck")
			if err == nil {
				resp.Body.Close()
				err = fmt.Errorf("got %s", resp.Status)
			}
			failed <- err
		}()
		recv(t, entered, "handler entered")
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := h.srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown = %v, want DeadlineExceeded", err)
		}
		recv(t, cancelled, "request context cancelled")
		if err := recv(t, failed, "client error"); err == nil {
			t.Error("client got an answer from a forced shutdown")
		}
	})
}

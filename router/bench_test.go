package router

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/kinesin/kinesin/router/awsproto"
)

// trivial is the cheapest possible service: a fixed answer, so the
// benchmarks measure the tier.
var trivial = HandlerFunc(func(*Request) *Response { return trivialResp })

var trivialResp = &Response{Header: map[string]string{"Content-Type": awsproto.ContentTypeJSON}, Body: []byte(`{}`)}

var benchBody = bytes.Repeat([]byte("x"), 100)

// fastCtx is a request as fasthttp would hand it to serveFast, on a conn
// of ours, for measuring the adapter without the network.
func fastCtx(t testing.TB) *fasthttp.RequestCtx {
	c1, c2 := net.Pipe()
	t.Cleanup(func() { c1.Close(); c2.Close() })
	ctx := new(fasthttp.RequestCtx)
	ctx.Init2(&conn{Conn: c1, remote: "127.0.0.1:1"}, nil, false)
	ctx.Request.Header.SetMethod("POST")
	ctx.Request.SetRequestURI("/")
	ctx.Request.Header.Set("X-Amz-Target", "Bench_1.PutRecord")
	ctx.Request.Header.SetContentType(awsproto.ContentTypeJSON)
	ctx.Request.SetBody(benchBody)
	return ctx
}

// TestServeFastAllocs guards the hot path: routing a JSON-RPC request
// through the HTTP/1.1 adapter allocates nothing.
func TestServeFastAllocs(t *testing.T) {
	s := New(Config{})
	s.HandleTarget("Bench_1", trivial)
	ctx := fastCtx(t)
	allocs := testing.AllocsPerRun(1000, func() {
		ctx.Response.Reset()
		s.serveFast(ctx)
	})
	if ctx.Response.StatusCode() != 200 || string(ctx.Response.Body()) != "{}" {
		t.Fatalf("response %d %q", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	if allocs != 0 {
		t.Errorf("serveFast allocates %.1f times per request", allocs)
	}
}

// BenchmarkServeFast is the adapter alone: ids, routing, Request, response.
func BenchmarkServeFast(b *testing.B) {
	s := New(Config{})
	s.HandleTarget("Bench_1", trivial)
	ctx := fastCtx(b)
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		s.serveFast(ctx)
	}
}

// BenchmarkHTTP1Target is a JSON-RPC call over loopback with a fasthttp
// client: the whole tier, parsing and syscalls included (client costs too).
func BenchmarkHTTP1Target(b *testing.B) {
	srv := benchServer(b)
	client := &fasthttp.HostClient{Addr: srv.Addr(), MaxConns: 64}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.Header.SetMethod("POST")
		req.SetRequestURI("http://" + srv.Addr() + "/")
		req.Header.Set("X-Amz-Target", "Bench_1.PutRecord")
		req.Header.SetContentType(awsproto.ContentTypeJSON)
		req.SetBody(benchBody)
		for pb.Next() {
			if err := client.Do(req, resp); err != nil || resp.StatusCode() != 200 {
				b.Fatalf("%v %d", err, resp.StatusCode())
			}
		}
	})
}

// BenchmarkH2CTarget is the same call over HTTP/2 cleartext with net/http's
// client, for comparison.
func BenchmarkH2CTarget(b *testing.B) {
	srv := benchServer(b)
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &protos}
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}
	url := "http://" + srv.Addr() + "/"
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(benchBody))
			req.Header.Set("X-Amz-Target", "Bench_1.PutRecord")
			req.Header.Set("Content-Type", awsproto.ContentTypeJSON)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatal(resp.Status)
			}
		}
	})
}

func benchServer(b *testing.B) *Server {
	srv := New(Config{Listen: "127.0.0.1:0"})
	srv.HandleTarget("Bench_1", trivial)
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Shutdown(context.Background()) })
	return srv
}

// replayConn is a connection whose client has sent req, for measuring the
// sniffer without the network.
type replayConn struct {
	net.Conn
	req []byte
}

func (r *replayConn) Read(p []byte) (int, error) { return copy(p, r.req), nil }

// BenchmarkSniff is the sniffer's cost per connection on the fasthttp
// path, with and without stream routes registered (a JSON-RPC POST shares
// its method with the stream route, so it reads on until the path differs).
func BenchmarkSniff(b *testing.B) {
	streams := New(Config{})
	streams.HandleStreamPath("POST", "/putMedia", trivial)
	for _, c := range []struct {
		name string
		s    *Server
	}{{"no stream routes", New(Config{})}, {"stream routes", streams}} {
		b.Run(c.name, func(b *testing.B) {
			t := c.s.routes.Load()
			rc := &replayConn{req: []byte("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: Kinesis_20131202.PutRecord\r\n")}
			b.ReportAllocs()
			for b.Loop() {
				sc := conn{Conn: rc}
				if p, err := sc.sniff(t); p != protoHTTP1 || err != nil {
					b.Fatal(p, err)
				}
			}
		})
	}
}

// BenchmarkHTTP1TargetStreamRoutes is BenchmarkHTTP1Target with a stream
// route registered: JSON-RPC calls must stay on fasthttp, as fast.
func BenchmarkHTTP1TargetStreamRoutes(b *testing.B) {
	srv := benchServer(b)
	srv.HandleStreamPath("POST", "/putMedia", trivial)
	client := &fasthttp.HostClient{Addr: srv.Addr(), MaxConns: 64}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.Header.SetMethod("POST")
		req.SetRequestURI("http://" + srv.Addr() + "/")
		req.Header.Set("X-Amz-Target", "Bench_1.PutRecord")
		req.Header.SetContentType(awsproto.ContentTypeJSON)
		req.SetBody(benchBody)
		for pb.Next() {
			if err := client.Do(req, resp); err != nil || resp.StatusCode() != 200 {
				b.Fatalf("%v %d", err, resp.StatusCode())
			}
		}
	})
}

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
	"net/http/httptrace"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/kinesin/kinesin/internal/videoclient"
	"github.com/kinesin/kinesin/router/awsproto"
)

// lineEcho is a stream route that answers each line of the body as soon as
// it has read it, so a client that waits for the echo of one line before
// sending the next only gets through over a full-duplex connection.
func lineEcho(t *testing.T, ended chan<- error) HandlerFunc {
	return func(r *Request) *Response {
		if r.Body != nil || r.BodyStream == nil {
			t.Errorf("stream route: Body %q, BodyStream %v", r.Body, r.BodyStream)
			return &Response{Status: 500}
		}
		body := r.BodyStream
		return &Response{
			Header: map[string]string{"Content-Type": "text/plain"},
			Stream: func(ctx context.Context, w StreamWriter) {
				br := bufio.NewReader(body)
				for {
					line, err := br.ReadString('\n')
					if err == io.EOF {
						io.WriteString(w, "end\n")
						w.Flush()
						if ended != nil {
							ended <- nil
						}
						return
					}
					if err != nil {
						if ended != nil {
							<-ctx.Done() // a failed read ends the stream's context
							ended <- err
						}
						return
					}
					io.WriteString(w, "echo "+line)
					if w.Flush() != nil {
						return
					}
				}
			},
		}
	}
}

// upload starts a request whose body is written through the returned
// pipe; cancel abandons it.
func (h *harness) upload(path string) (*io.PipeWriter, *http.Response, *bufio.Reader, context.CancelFunc) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	h.t.Cleanup(cancel)
	pr, pw := io.Pipe()
	h.t.Cleanup(func() { pw.Close() })
	req, err := http.NewRequestWithContext(ctx, "POST", h.base+path, pr)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "video/webm")
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
	h.t.Cleanup(func() { resp.Body.Close() })
	h.checkCommon(resp)
	return pw, resp, bufio.NewReader(resp.Body), cancel
}

func TestStreamRouteFullDuplex(t *testing.T) {
	setup := func(s *Server) {
		s.HandleStreamPath("POST", "/putMedia", lineEcho(t, nil))
		s.HandlePath("GET", "/ok", echo("ok"))
	}
	forEachTransport(t, Config{}, setup, func(t *testing.T, h *harness) {
		pw, resp, br, _ := h.upload("/putMedia")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain" {
			t.Fatalf("status %d headers %v", resp.StatusCode, resp.Header)
		}
		for i := range 3 {
			if _, err := fmt.Fprintf(pw, "line-%d\n", i); err != nil {
				t.Fatalf("write line %d: %v", i, err)
			}
			line, err := br.ReadString('\n')
			if err != nil || line != fmt.Sprintf("echo line-%d\n", i) {
				t.Fatalf("echo of line %d: %q, %v", i, line, err)
			}
		}
		pw.Close()
		if rest, err := io.ReadAll(br); err != nil || string(rest) != "end\n" {
			t.Fatalf("after the body: %q, %v", rest, err)
		}
		resp.Body.Close()

		// The connection serves the next request as usual.
		var reused bool
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused },
		})
		req, _ := http.NewRequestWithContext(ctx, "GET", h.base+"/ok?x=1", nil)
		resp2, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp2.Body)
		resp2.Body.Close()
		h.checkCommon(resp2)
		if got := decodeEcho(t, reply{resp2, b}); got.Name != "ok" || got.RawQuery != "x=1" || resp2.ContentLength != int64(len(b)) {
			t.Errorf("second request: %+v, Content-Length %d", got, resp2.ContentLength)
		}
		if !reused {
			t.Error("the second request did not reuse the connection")
		}
	})
}

// TestStreamRouteRaw speaks HTTP/1.1 by hand: the request line that picks
// net/http, a chunked body echoed chunk by chunk, and a keep-alive request
// for a normal route after it.
func TestStreamRouteRaw(t *testing.T) {
	h := newHarness(t, Config{}, transports()[0])
	h.srv.HandleStreamPath("POST", "/putMedia", lineEcho(t, nil))
	h.srv.HandlePath("POST", "/describeStream", echo("describe"))
	c, err := net.Dial("tcp", h.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "POST /putMedia HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Transfer-Encoding") != "" || len(resp.TransferEncoding) != 1 {
		t.Fatalf("status %d, transfer encoding %v", resp.StatusCode, resp.TransferEncoding)
	}
	body := bufio.NewReader(resp.Body)
	for i := range 2 {
		line := fmt.Sprintf("frame-%d\n", i)
		fmt.Fprintf(c, "%x\r\n%s\r\n", len(line), line)
		if got, err := body.ReadString('\n'); got != "echo "+line {
			t.Fatalf("echo %d: %q, %v", i, got, err)
		}
	}
	io.WriteString(c, "0\r\n\r\n")
	if rest, err := io.ReadAll(body); err != nil || string(rest) != "end\n" {
		t.Fatalf("end: %q, %v", rest, err)
	}
	io.WriteString(c, "POST /describeStream HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}")
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if got := decodeEcho(t, reply{resp, b}); got.Name != "describe" || got.Body != "{}" {
		t.Errorf("keep-alive request: %+v", got)
	}
}

// TestStreamRouteAfterFastRequest: a stream route requested later on a
// connection fasthttp serves still works, with the body read first.
func TestStreamRouteAfterFastRequest(t *testing.T) {
	h := newHarness(t, Config{}, transports()[0])
	h.srv.HandleStreamPath("POST", "/putMedia", lineEcho(t, nil))
	h.srv.HandlePath("GET", "/ok", echo("ok"))
	if r := h.do("GET", "/ok", nil); r.StatusCode != 200 {
		t.Fatalf("first request: %d", r.StatusCode)
	}
	var reused bool
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused },
	})
	req, _ := http.NewRequestWithContext(ctx, "POST", h.base+"/putMedia", strings.NewReader("a\nb\n"))
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "echo a\necho b\nend\n" || !reused {
		t.Errorf("got %q (connection reused: %v)", b, reused)
	}
}

// TestStreamRouteBodyLimit: MaxBodyBytes does not apply to stream routes.
func TestStreamRouteBodyLimit(t *testing.T) {
	const limit = 1024
	setup := func(s *Server) {
		s.HandleStreamPath("PUT", "/upload", HandlerFunc(func(r *Request) *Response {
			n, err := io.Copy(io.Discard, r.BodyStream)
			if err != nil {
				return &Response{Status: 400, Body: []byte(err.Error())}
			}
			return &Response{Body: []byte(strconv.FormatInt(n, 10))}
		}))
	}
	forEachTransport(t, Config{MaxBodyBytes: limit}, setup, func(t *testing.T, h *harness) {
		const size = 256 << 10
		for name, body := range map[string]func() io.Reader{
			"with length":    func() io.Reader { return bytes.NewReader(make([]byte, size)) },
			"unknown length": func() io.Reader { return iotest.HalfReader(bytes.NewReader(make([]byte, size))) },
		} {
			resp := h.open("PUT", "/upload/x", body())
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || string(b) != strconv.Itoa(size) {
				t.Errorf("%s: %d %q %v", name, resp.StatusCode, b, err)
			}
		}
	})
}

// TestStreamRouteClientGone: a client that goes away mid-upload ends the
// body read with an error and the stream's context.
func TestStreamRouteClientGone(t *testing.T) {
	ended := make(chan error, 1)
	setup := func(s *Server) { s.HandleStreamPath("POST", "/putMedia", lineEcho(t, ended)) }
	forEachTransport(t, Config{}, setup, func(t *testing.T, h *harness) {
		pw, _, br, cancel := h.upload("/putMedia")
		io.WriteString(pw, "first\n")
		if line, err := br.ReadString('\n'); line != "echo first\n" {
			t.Fatalf("echo: %q, %v", line, err)
		}
		// Go's HTTP/2 client resets the stream once its body read fails.
		pw.CloseWithError(errors.New("producer gone"))
		cancel()
		if err := recv(t, ended, "stream end"); err == nil {
			t.Error("the body read ended without an error")
		}
	})
}

// TestStreamRouteClientGoneRaw drops the TCP connection in the middle of a
// chunk.
func TestStreamRouteClientGoneRaw(t *testing.T) {
	ended := make(chan error, 1)
	h := newHarness(t, Config{}, transports()[0])
	h.srv.HandleStreamPath("POST", "/putMedia", lineEcho(t, ended))
	c, err := net.Dial("tcp", h.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "POST /putMedia HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(resp.Body).ReadString('\n'); line != "echo first\n" {
		t.Fatalf("echo: %q, %v", line, err)
	}
	io.WriteString(c, "100\r\nhalf a chunk")
	c.Close()
	if err := recv(t, ended, "stream end"); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("body read ended with %v, want unexpected EOF", err)
	}
}

// TestStreamRouteShutdown: shutdown ends a stream route's stream even
// while its handler waits for body bytes that do not come.
func TestStreamRouteShutdown(t *testing.T) {
	ended := make(chan error, 1)
	setup := func(s *Server) { s.HandleStreamPath("POST", "/putMedia", lineEcho(t, ended)) }
	forEachTransport(t, Config{}, setup, func(t *testing.T, h *harness) {
		pw, _, br, _ := h.upload("/putMedia")
		io.WriteString(pw, "first\n")
		if line, err := br.ReadString('\n'); line != "echo first\n" {
			t.Fatalf("echo: %q, %v", line, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := recv(t, ended, "stream end"); err == nil {
			t.Error("the body read ended without an error")
		}
	})
}

// TestStreamRoutePanic: a stream route's handler panic is a 500 like any
// other's, on the connection net/http serves.
func TestStreamRoutePanic(t *testing.T) {
	setup := func(s *Server) {
		s.HandleStreamPath("POST", "/putMedia", HandlerFunc(func(*Request) *Response { panic("stream route boom") }))
	}
	forEachTransport(t, Config{}, setup, func(t *testing.T, h *harness) {
		r := h.do("POST", "/putMedia", []byte("x"), "Content-Type", "application/json")
		if r.StatusCode != 500 || string(r.body) != `{"__type":"InternalFailure"}` {
			t.Errorf("%d %q", r.StatusCode, r.body)
		}
		if !strings.Contains(h.logs.String(), "stream route boom") {
			t.Error("panic not logged")
		}
	})
}

func TestHandleStreamPathArgs(t *testing.T) {
	s := New(Config{})
	for name, f := range map[string]func(){
		"no method":  func() { s.HandleStreamPath("", "/x", echo("x")) },
		"no slash":   func() { s.HandleStreamPath("POST", "x", echo("x")) },
		"no handler": func() { s.HandleStreamPath("POST", "/x", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
	// A plain route registered over a stream route replaces it.
	s.HandleStreamPath("POST", "/x", echo("x"))
	if t1 := s.routes.Load(); len(t1.heads) != 1 || t1.heads[0] != "POST /x" {
		t.Errorf("heads %q", t1.heads)
	}
	s.HandlePath("POST", "/x", echo("x"))
	if t2 := s.routes.Load(); len(t2.heads) != 0 || t2.headMax != 0 {
		t.Errorf("heads %q after HandlePath", t2.heads)
	}
}

// TestStreamRouteVideoClient runs a PutMedia-like stream route against the
// data-plane client the CLI uses, after a normal call on the same client
// left an idle connection (fasthttp's) behind.
func TestStreamRouteVideoClient(t *testing.T) {
	for _, tr := range []transport{transports()[0], transports()[1]} {
		t.Run(tr.name, func(t *testing.T) {
			h := newHarness(t, Config{}, tr)
			h.srv.HandlePath("POST", "/describeStream", HandlerFunc(func(r *Request) *Response {
				return &Response{Header: map[string]string{"Content-Type": "application/json"}, Body: []byte(`{"StreamInfo":{"StreamName":"cam"}}`)}
			}))
			h.srv.HandleStreamPath("POST", "/putMedia", HandlerFunc(func(r *Request) *Response {
				if r.Header("x-amzn-stream-name") != "cam" {
					return &Response{Status: 404}
				}
				body := r.BodyStream
				return &Response{Stream: func(ctx context.Context, w StreamWriter) {
					br := bufio.NewReader(body)
					for tc := 0; ; tc++ {
						if _, err := br.ReadString('\n'); err != nil {
							return
						}
						fmt.Fprintf(w, `{"EventType":"PERSISTED","FragmentTimecode":%d,"FragmentNumber":"%d"}`+"\n", tc, 1000+tc)
						w.Flush()
					}
				}}
			}))
			c := &videoclient.Client{Endpoint: h.base, HTTP: h.client}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var out struct{ StreamInfo struct{ StreamName string } }
			if err := c.Call(ctx, "describeStream", map[string]string{"StreamName": "cam"}, &out); err != nil || out.StreamInfo.StreamName != "cam" {
				t.Fatalf("describeStream: %+v, %v", out, err)
			}
			pr, pw := io.Pipe()
			defer pw.Close()
			acks, err := c.PutMedia(ctx, videoclient.PutMediaInput{StreamName: "cam", Body: pr})
			if err != nil {
				t.Fatal(err)
			}
			defer acks.Close()
			for i := range 3 {
				io.WriteString(pw, "cluster\n")
				ack, err := acks.Next()
				if err != nil || ack.FragmentTimecode != int64(i) || ack.FragmentNumber != strconv.Itoa(1000+i) {
					t.Fatalf("ack %d: %+v, %v", i, ack, err)
				}
			}
			pw.Close()
			if _, err := acks.Next(); err != io.EOF {
				t.Errorf("end: %v", err)
			}
		})
	}
}

// TestRoutesBesideStreamRoutes: with stream routes registered, other
// requests are served as before on every transport, and on a connection
// net/http serves because it opened with a stream route the body limit
// still holds for normal routes.
func TestRoutesBesideStreamRoutes(t *testing.T) {
	const limit = 1024
	setup := func(s *Server) {
		s.HandleStreamPath("POST", "/putMedia", lineEcho(t, nil))
		s.HandleTarget("Kinesis_20131202", echo("kinesis"))
		s.HandlePath("POST", "/putMediaX", echo("x"))
	}
	forEachTransport(t, Config{MaxBodyBytes: limit}, setup, func(t *testing.T, h *harness) {
		r := h.do("POST", "/", []byte(`{}`), "X-Amz-Target", "Kinesis_20131202.PutRecord", "Content-Type", "application/x-amz-json-1.1")
		if got := decodeEcho(t, r); got.Name != "kinesis" || got.Body != "{}" || !strings.HasPrefix(got.RemoteAddr, "127.0.0.1:") {
			t.Errorf("JSON-RPC call: %+v", got)
		}
		if got := decodeEcho(t, h.do("POST", "/putMediaX", []byte("b"))); got.Name != "x" || got.Body != "b" {
			t.Errorf("neighbour path: %+v", got)
		}
	})

	h := newHarness(t, Config{MaxBodyBytes: limit}, transports()[0])
	setup(h.srv)
	c, err := net.Dial("tcp", h.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	io.WriteString(c, "POST /putMedia HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\na\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "echo a\nend\n" {
		t.Fatalf("stream route: %q", b)
	}
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.PutRecord\r\nContent-Length: %d\r\n\r\n%s", limit+1, make([]byte, limit+1))
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	wantAWSError(t, reply{resp, b}, 413, awsproto.JSON, "SerializationException")
}

package httpendpoint

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kinesin/kinesin/sinks/dest"
)

const testARN = "arn:aws:firehose:us-east-1:000000000000:deliverystream/web"

// call is one request an endpoint received.
type call struct {
	method, path string
	header       http.Header
	body         []byte // as sent (compressed when gzip)
}

// endpoint is a user's HTTP endpoint: it records every request and answers
// as reply says (reply gets the 1-based request number).
type endpoint struct {
	mu    sync.Mutex
	calls []call
	reply func(n int, w http.ResponseWriter, r *http.Request, c call)
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := call{method: r.Method, path: r.URL.RequestURI(), header: r.Header.Clone(), body: body}
	e.mu.Lock()
	e.calls = append(e.calls, c)
	n := len(e.calls)
	e.mu.Unlock()
	if e.reply == nil {
		ack(w, c)
		return
	}
	e.reply(n, w, r, c)
}

func (e *endpoint) got() []call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]call(nil), e.calls...)
}

// ack answers as a well-behaved endpoint does.
func ack(w http.ResponseWriter, c call) {
	answer(w, http.StatusOK, fmt.Sprintf(`{"requestId":%q,"timestamp":%d}`, c.header.Get("X-Amz-Firehose-Request-Id"), time.Now().UnixMilli()))
}

func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func serve(t *testing.T, e *endpoint, tlsServer bool) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(e)
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake errors are what some tests cause
	if tlsServer {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

func config(url string, edit ...func(*Config)) Config {
	c := Config{
		EndpointConfiguration: &EndpointConfiguration{Url: ptr(url), Name: ptr("test endpoint")},
		S3Configuration:       json.RawMessage(`{"BucketARN":"arn:aws:s3:::backup","RoleARN":"arn:aws:iam::000000000000:role/firehose"}`),
	}
	for _, f := range edit {
		f(&c)
	}
	return c
}

func retrySeconds(n int64) func(*Config) {
	return func(c *Config) { c.RetryOptions = &RetryOptions{DurationInSeconds: ptr(n)} }
}

// newDest builds a destination whose "seconds" are milliseconds.
func newDest(t *testing.T, c Config, s Settings) *Destination {
	t.Helper()
	d, err := NewWith(c, dest.Options{Stream: "web", StreamARN: testARN, TimeUnit: time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}, s)
	if err != nil {
		t.Fatalf("NewWith: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func batch(data ...string) dest.Batch {
	now := time.Now()
	b := dest.Batch{Oldest: now}
	for i, s := range data {
		b.Records = append(b.Records, dest.Record{ID: fmt.Sprint("r", i), Data: []byte(s), Arrival: now})
	}
	return b
}

// decodeBody checks the request body's shape and answers its records.
func decodeBody(t *testing.T, raw []byte, wantID string) []string {
	t.Helper()
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, raw)
	}
	if len(members) != 3 || members["requestId"] == nil || members["timestamp"] == nil || members["records"] == nil {
		t.Fatalf("body members = %s, want exactly requestId, timestamp, records", raw)
	}
	var body struct {
		RequestID string `json:"requestId"`
		Timestamp int64  `json:"timestamp"`
		Records   []map[string]string
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	if body.RequestID != wantID {
		t.Errorf("body requestId %q, header %q", body.RequestID, wantID)
	}
	if age := time.Since(time.UnixMilli(body.Timestamp)); age < 0 || age > time.Minute {
		t.Errorf("timestamp %d is not milliseconds since the epoch of now", body.Timestamp)
	}
	var out []string
	for _, r := range body.Records {
		if len(r) != 1 {
			t.Errorf("record %v: want only data", r)
		}
		b, err := base64.StdEncoding.DecodeString(r["data"])
		if err != nil {
			t.Errorf("record data %q: %v", r["data"], err)
		}
		out = append(out, string(b))
	}
	return out
}

func TestRequestShape(t *testing.T) {
	e := &endpoint{}
	srv := serve(t, e, true)
	d := newDest(t, config(srv.URL+"/ingest/v1?token=abc", func(c *Config) {
		c.EndpointConfiguration.AccessKey = ptr("secret-key")
	}), Settings{Client: srv.Client()})

	fs, err := d.Deliver(t.Context(), batch(`{"n":1}`, "", "hello world"))
	if err != nil || fs != nil {
		t.Fatalf("Deliver = %v, %v; want delivered", fs, err)
	}
	calls := e.got()
	if len(calls) != 1 {
		t.Fatalf("%d requests, want 1", len(calls))
	}
	c := calls[0]
	if c.method != http.MethodPost || c.path != "/ingest/v1?token=abc" {
		t.Errorf("request %s %s, want POST /ingest/v1?token=abc (URL sent as configured)", c.method, c.path)
	}
	id := c.header.Get("X-Amz-Firehose-Request-Id")
	want := map[string]string{
		"X-Amz-Firehose-Protocol-Version":  "1.0",
		"X-Amz-Firehose-Source-Arn":        testARN,
		"X-Amz-Firehose-Access-Key":        "secret-key",
		"Content-Type":                     "application/json",
		"User-Agent":                       "Amazon Kinesis Data Firehose Agent/1.0",
		"Content-Encoding":                 "",
		"X-Amz-Firehose-Common-Attributes": "",
		"Content-Length":                   fmt.Sprint(len(c.body)),
	}
	for k, v := range want {
		if got := c.header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if len(id) != 36 || strings.Count(id, "-") != 4 {
		t.Errorf("request id %q is not a UUID", id)
	}
	if got := decodeBody(t, c.body, id); strings.Join(got, "|") != `{"n":1}||hello world` {
		t.Errorf("records %q", got)
	}
}

func TestGzipAndCommonAttributes(t *testing.T) {
	e := &endpoint{}
	srv := serve(t, e, false)
	d := newDest(t, config(srv.URL, func(c *Config) {
		c.RequestConfiguration = &RequestConfiguration{ContentEncoding: ptr(EncodingGzip), CommonAttributes: []CommonAttribute{
			{AttributeName: ptr("deployment-context"), AttributeValue: ptr("pre-prod-gamma")},
			{AttributeName: ptr("device-types"), AttributeValue: ptr("")},
			{AttributeName: ptr(`quote"d`), AttributeValue: ptr("é")},
		}}
	}), Settings{})

	if fs, err := d.Deliver(t.Context(), batch("a", "bb")); err != nil || fs != nil {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	c := e.got()[0]
	if got := c.header.Get("Content-Encoding"); got != "gzip" {
		t.Errorf("Content-Encoding %q, want gzip", got)
	}
	if c.header.Get("X-Amz-Firehose-Access-Key") != "" || len(c.header.Values("X-Amz-Firehose-Access-Key")) != 0 {
		t.Error("access key header sent without an access key")
	}
	zr, err := gzip.NewReader(bytes.NewReader(c.body))
	if err != nil {
		t.Fatalf("body is not gzip: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeBody(t, plain, c.header.Get("X-Amz-Firehose-Request-Id")); strings.Join(got, "|") != "a|bb" {
		t.Errorf("records %q", got)
	}
	var attrs map[string]map[string]string
	raw := c.header.Get("X-Amz-Firehose-Common-Attributes")
	if err := json.Unmarshal([]byte(raw), &attrs); err != nil {
		t.Fatalf("common attributes header %q: %v", raw, err)
	}
	want := map[string]string{"deployment-context": "pre-prod-gamma", "device-types": "", `quote"d`: "é"}
	if len(attrs) != 1 || fmt.Sprint(attrs["commonAttributes"]) != fmt.Sprint(want) {
		t.Errorf("common attributes %v, want {commonAttributes: %v}", attrs, want)
	}
	if !strings.HasPrefix(raw, `{"commonAttributes":{"deployment-context":"pre-prod-gamma","device-types":""`) {
		t.Errorf("attributes not in configuration order: %s", raw)
	}
}

func TestRetriesKeepRequestID(t *testing.T) {
	e := &endpoint{reply: func(n int, w http.ResponseWriter, _ *http.Request, c call) {
		if n < 3 {
			answer(w, http.StatusServiceUnavailable, `{"requestId":"x","timestamp":1,"errorMessage":"later"}`)
			return
		}
		ack(w, c)
	}}
	srv := serve(t, e, false)
	d := newDest(t, config(srv.URL, retrySeconds(7200)), Settings{})
	if fs, err := d.Deliver(t.Context(), batch("one", "two")); err != nil || fs != nil {
		t.Fatalf("Deliver = %v, %v; want delivered on the third attempt", fs, err)
	}
	calls := e.got()
	if len(calls) != 3 {
		t.Fatalf("%d attempts, want 3", len(calls))
	}
	id := calls[0].header.Get("X-Amz-Firehose-Request-Id")
	for i, c := range calls {
		if got := c.header.Get("X-Amz-Firehose-Request-Id"); got != id {
			t.Errorf("attempt %d request id %q, want %q (stable across retries)", i+1, got, id)
		}
		if !bytes.Equal(c.body, calls[0].body) {
			t.Errorf("attempt %d sent another body", i+1)
		}
	}
	// A new batch gets a new id.
	if _, err := d.Deliver(t.Context(), batch("three")); err != nil {
		t.Fatal(err)
	}
	if got := e.got()[3].header.Get("X-Amz-Firehose-Request-Id"); got == id {
		t.Error("second batch reused the first batch's request id")
	}
}

func Test413IsPermanent(t *testing.T) {
	e := &endpoint{reply: func(_ int, w http.ResponseWriter, _ *http.Request, c call) {
		answer(w, http.StatusRequestEntityTooLarge, `{"requestId":"`+c.header.Get("X-Amz-Firehose-Request-Id")+`","timestamp":1,"errorMessage":"Payload too large"}`)
	}}
	srv := serve(t, e, false)
	d := newDest(t, config(srv.URL, retrySeconds(7200)), Settings{})
	b := batch("a", "b")
	fs, err := d.Deliver(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.got()); n != 1 {
		t.Errorf("%d attempts after a 413, want 1", n)
	}
	checkFailures(t, fs, b, CodeDestinationException, 1,
		"The following response was received from the endpoint destination. 413: {", "Payload too large")
}

func checkFailures(t *testing.T, fs []dest.Failure, b dest.Batch, code string, attempts int, contains ...string) {
	t.Helper()
	if len(fs) != len(b.Records) {
		t.Fatalf("%d failures, want one per record (%d)", len(fs), len(b.Records))
	}
	for i, f := range fs {
		if f.OutputType != "http-endpoint-failed" || f.ErrorCode != code || f.ID != b.Records[i].ID || !bytes.Equal(f.Data, b.Records[i].Data) {
			t.Errorf("failure %d = %+v, want %s for record %s", i, f, code, b.Records[i].ID)
		}
		if attempts > 0 && f.AttemptsMade != attempts {
			t.Errorf("failure %d AttemptsMade %d, want %d", i, f.AttemptsMade, attempts)
		}
		if f.AttemptEnding.IsZero() {
			t.Errorf("failure %d has no attempt ending time", i)
		}
		for _, s := range contains {
			if !strings.Contains(f.ErrorMessage, s) {
				t.Errorf("failure %d message %q does not contain %q", i, f.ErrorMessage, s)
			}
		}
	}
}

func TestInvalidResponsesAreRetried(t *testing.T) {
	tests := []struct {
		name  string
		reply func(w http.ResponseWriter, id string)
		code  string
		in    string
	}{
		{"requestId mismatch", func(w http.ResponseWriter, _ string) {
			answer(w, 200, `{"requestId":"someone-else","timestamp":1}`)
		}, CodeInvalidResponse, "has a requestId that does not match"},
		{"no timestamp", func(w http.ResponseWriter, id string) {
			answer(w, 200, `{"requestId":"`+id+`"}`)
		}, CodeInvalidResponse, "not recognized as valid JSON or has unexpected fields"},
		{"string timestamp", func(w http.ResponseWriter, id string) {
			answer(w, 200, `{"requestId":"`+id+`","timestamp":"1578090903599"}`)
		}, CodeInvalidResponse, "not recognized as valid JSON"},
		{"unexpected field", func(w http.ResponseWriter, id string) {
			answer(w, 200, `{"requestId":"`+id+`","timestamp":1,"status":"ok"}`)
		}, CodeInvalidResponse, "unexpected fields"},
		{"null requestId", func(w http.ResponseWriter, _ string) {
			answer(w, 200, `{"requestId": null}`)
		}, CodeInvalidResponse, `Raw response received: 200 {"requestId": null}`},
		{"empty 200", func(w http.ResponseWriter, _ string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
		}, CodeInvalidResponse, "not recognized as valid JSON"},
		{"not application/json", func(w http.ResponseWriter, id string) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, `{"requestId":"`+id+`","timestamp":1}`)
		}, CodeInvalidResponse, "content type application/json"},
		{"content-encoded", func(w http.ResponseWriter, id string) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "identity")
			_, _ = io.WriteString(w, `{"requestId":"`+id+`","timestamp":1}`)
		}, CodeInvalidResponse, "content-encoded"},
		{"202 is not 200", func(w http.ResponseWriter, id string) {
			answer(w, 202, `{"requestId":"`+id+`","timestamp":1}`)
		}, CodeDestinationException, "202: {"},
		{"500", func(w http.ResponseWriter, id string) {
			answer(w, 500, `{"requestId":"`+id+`","timestamp":1,"errorMessage":"Unable to deliver records due to unknown error."}`)
		}, CodeDestinationException, "500: {\"requestId\""},
		{"redirect not followed", func(w http.ResponseWriter, _ string) {
			w.Header().Set("Location", "/elsewhere")
			w.WriteHeader(http.StatusTemporaryRedirect)
		}, CodeDestinationException, "307: "},
		{"response over 1 MiB", func(w http.ResponseWriter, id string) {
			answer(w, 200, `{"requestId":"`+id+`","timestamp":1,"errorMessage":"`+strings.Repeat("x", 1<<20)+`"}`)
		}, CodeResponseTooLarge, "1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &endpoint{reply: func(_ int, w http.ResponseWriter, _ *http.Request, c call) {
				tt.reply(w, c.header.Get("X-Amz-Firehose-Request-Id"))
			}}
			srv := serve(t, e, false)
			// 200 ms of retries with 1 ms "seconds": several attempts (more
			// time where an attempt is slow, as a 1 MiB answer is under -race).
			retry := int64(200)
			if tt.code == CodeResponseTooLarge {
				retry = 2000
			}
			d := newDest(t, config(srv.URL, retrySeconds(retry)), Settings{ResponseTimeout: 30 * time.Second})
			b := batch("x")
			fs, err := d.Deliver(t.Context(), b)
			if err != nil {
				t.Fatal(err)
			}
			calls := e.got()
			if len(calls) < 2 {
				t.Errorf("%d attempts, want retries", len(calls))
			}
			for _, c := range calls {
				if c.path != "/" {
					t.Errorf("request to %s: redirect followed", c.path)
				}
			}
			checkFailures(t, fs, b, tt.code, len(calls), tt.in)
		})
	}
}

func TestMismatchThenMatch(t *testing.T) {
	e := &endpoint{reply: func(n int, w http.ResponseWriter, _ *http.Request, c call) {
		if n == 1 {
			answer(w, 200, `{"requestId":"stale","timestamp":1}`)
			return
		}
		ack(w, c)
	}}
	srv := serve(t, e, false)
	d := newDest(t, config(srv.URL, retrySeconds(7200)), Settings{})
	if fs, err := d.Deliver(t.Context(), batch("x")); err != nil || fs != nil {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	if n := len(e.got()); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	e := &endpoint{reply: func(_ int, w http.ResponseWriter, r *http.Request, c call) {
		select {
		case <-r.Context().Done(): // the client gave up
		case <-release:
		}
	}}
	srv := serve(t, e, false)
	defer close(release)
	// Retry duration 0: one attempt. The default response timeout is 180
	// "seconds" (180 ms here).
	d := newDest(t, config(srv.URL, retrySeconds(0)), Settings{})
	b := batch("slow")
	start := time.Now()
	fs, err := d.Deliver(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 180*time.Millisecond {
		t.Errorf("gave up after %s, before the 180-unit response timeout", took)
	}
	checkFailures(t, fs, b, CodeRequestTimeout, 1)

	// Settings.ResponseTimeout overrides it.
	d = newDest(t, config(srv.URL, retrySeconds(0)), Settings{ResponseTimeout: 20 * time.Millisecond})
	fs, err = d.Deliver(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	checkFailures(t, fs, b, CodeRequestTimeout, 1, "20ms")
}

func TestRetryDurationExhausted(t *testing.T) {
	e := &endpoint{reply: func(_ int, w http.ResponseWriter, _ *http.Request, c call) {
		answer(w, http.StatusInternalServerError, `{"requestId":"`+c.header.Get("X-Amz-Firehose-Request-Id")+`","timestamp":1,"errorMessage":"disk full"}`)
	}}
	srv := serve(t, e, false)
	d := newDest(t, config(srv.URL, retrySeconds(100)), Settings{})
	b := batch("a", "b", "c")
	start := time.Now()
	fs, err := d.Deliver(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("retried for %s with a 100 ms retry duration", took)
	}
	n := len(e.got())
	if n < 3 {
		t.Errorf("%d attempts in 100 units with backoff 1, 2, 4, … units: want at least 3", n)
	}
	checkFailures(t, fs, b, CodeDestinationException, n, `"errorMessage":"disk full"`)

	// The failure document is what the loop writes to the backup.
	doc, err := json.Marshal(fs[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(doc, &m)
	if m["errorCode"] != CodeDestinationException || m["rawData"] != base64.StdEncoding.EncodeToString([]byte("a")) || m["attemptsMade"] != float64(n) {
		t.Errorf("failure document %s", doc)
	}
}

func TestContextCancel(t *testing.T) {
	first := make(chan struct{})
	var once sync.Once
	e := &endpoint{reply: func(_ int, w http.ResponseWriter, _ *http.Request, c call) {
		once.Do(func() { close(first) })
		answer(w, 500, `{}`)
	}}
	srv := serve(t, e, false)
	d := newDest(t, config(srv.URL, retrySeconds(7200)), Settings{})
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-first
		cancel()
	}()
	fs, err := d.Deliver(ctx, batch("x"))
	if !errors.Is(err, context.Canceled) || fs != nil {
		t.Fatalf("Deliver = %v, %v; want context.Canceled and no failures", fs, err)
	}

	// Canceled while the endpoint is still answering.
	arrived := make(chan struct{})
	var once2 sync.Once
	hang := &endpoint{reply: func(_ int, _ http.ResponseWriter, r *http.Request, _ call) {
		once2.Do(func() { close(arrived) })
		<-r.Context().Done()
	}}
	srv2 := serve(t, hang, false)
	d2 := newDest(t, config(srv2.URL, retrySeconds(7200)), Settings{ResponseTimeout: time.Minute})
	ctx2, cancel2 := context.WithCancel(t.Context())
	go func() {
		<-arrived
		cancel2()
	}()
	if fs, err := d2.Deliver(ctx2, batch("x")); !errors.Is(err, context.Canceled) || fs != nil {
		t.Fatalf("Deliver = %v, %v; want context.Canceled", fs, err)
	}
}

func TestConnectionErrors(t *testing.T) {
	t.Run("nothing listening", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		d := newDest(t, config("http://"+addr+"/", retrySeconds(0)), Settings{})
		b := batch("x")
		fs, err := d.Deliver(t.Context(), b)
		if err != nil {
			t.Fatal(err)
		}
		checkFailures(t, fs, b, CodeConnectionFailed, 1)
	})
	t.Run("connection closed before answering", func(t *testing.T) {
		e := &endpoint{reply: func(_ int, w http.ResponseWriter, _ *http.Request, _ call) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}}
		srv := serve(t, e, false)
		d := newDest(t, config(srv.URL, retrySeconds(0)), Settings{})
		b := batch("x")
		fs, err := d.Deliver(t.Context(), b)
		if err != nil {
			t.Fatal(err)
		}
		checkFailures(t, fs, b, CodeConnectionReset, 1)
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		srv := serve(t, &endpoint{}, true)
		// System roots only; loading them can take longer than 180 ms.
		d := newDest(t, config(srv.URL, retrySeconds(0)), Settings{ResponseTimeout: 30 * time.Second})
		b := batch("x")
		fs, err := d.Deliver(t.Context(), b)
		if err != nil {
			t.Fatal(err)
		}
		checkFailures(t, fs, b, CodeSSLHandshakeFailure, 1)
	})
}

func TestEmptyBatchSendsNothing(t *testing.T) {
	e := &endpoint{}
	srv := serve(t, e, false)
	d := newDest(t, config(srv.URL), Settings{})
	if fs, err := d.Deliver(t.Context(), dest.Batch{}); err != nil || fs != nil {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	if n := len(e.got()); n != 0 {
		t.Errorf("%d requests for an empty batch", n)
	}
}

func TestNewRefusesInvalidConfig(t *testing.T) {
	_, err := New(Config{}, dest.Options{})
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "httpendpoint: ") {
		t.Fatalf("New(Config{}) = %v, want a wrapped *ConfigError", err)
	}
}

func TestRequestBody(t *testing.T) {
	recs := []dest.Record{{Data: []byte("hello")}, {Data: nil}, {Data: []byte{0, 255}}}
	got := string(requestBody(nil, "ed4acda5-034f-9f42-bba1-f29aea6d7d8f", 1578090901599, recs))
	want := `{"requestId":"ed4acda5-034f-9f42-bba1-f29aea6d7d8f","timestamp":1578090901599,"records":[{"data":"aGVsbG8="},{"data":""},{"data":"AP8="}]}`
	if got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

func TestQuote(t *testing.T) {
	long := strings.Repeat("é", maxRawInMessage) // 2 bytes each: cut inside a rune
	if q := quote([]byte(long)); !utf8.ValidString(q) || len(q) > maxRawInMessage+3 || !strings.HasPrefix(q, "éé") {
		t.Errorf("quote of a long answer: %d bytes, valid %v", len(q), utf8.ValidString(q))
	}
	if q := quote([]byte("a\xffb")); q != "a\uFFFDb" {
		t.Errorf("quote = %q", q)
	}
}

package splunk

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/sinks/dest"
)

func testConfig(endpoint, typ string) Config {
	return Config{
		HECEndpoint:     ptr(endpoint),
		HECEndpointType: ptr(typ),
		HECToken:        ptr("good-token"),
		S3Configuration: json.RawMessage(`{"RoleARN":"arn:aws:iam::123456789012:role/r","BucketARN":"arn:aws:s3:::b"}`),
	}
}

// newDest builds a destination whose "seconds" are milliseconds.
func newDest(t *testing.T, c Config) *Destination {
	t.Helper()
	d, err := New(c, dest.Options{Stream: "s", TimeUnit: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d.(*Destination)
}

func batch(datas ...string) dest.Batch {
	b := dest.Batch{Oldest: time.UnixMilli(1700000000000)}
	for i, s := range datas {
		b.Records = append(b.Records, dest.Record{ID: "4957719392811414733960077847108249239316413987720003584" + string(rune('0'+i)),
			Data: []byte(s), Arrival: time.UnixMilli(1700000000000 + int64(i))})
	}
	return b
}

func retryDuration(n int64) *RetryOptions { return &RetryOptions{DurationInSeconds: ptr(n)} }

func TestDeliverEvent(t *testing.T) {
	h := newFakeHEC(t)
	h.ackAfter = 2 // two polls answer false, the third true
	d := newDest(t, testConfig(h.srv.URL+"/", EndpointEvent))
	b := batch(`{"event":"first"}`, `{"time":1700000000.5,"event":{"k":1},"sourcetype":"_json"}`+"\n", `{"event":"third"}`)
	fs, err := d.Deliver(context.Background(), b)
	if err != nil || len(fs) != 0 {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	sends := h.sends()
	if len(sends) != 1 {
		t.Fatalf("%d sends, want 1", len(sends))
	}
	s := sends[0]
	want := `{"event":"first"}{"time":1700000000.5,"event":{"k":1},"sourcetype":"_json"}` + "\n" + `{"event":"third"}`
	if s.Path != pathEvent || string(s.Body) != want || s.Auth != "Splunk good-token" || s.Channel != d.Channel() {
		t.Fatalf("request = %+v\nbody %s", s, s.Body)
	}
	if !guidRe.MatchString(d.Channel()) {
		t.Fatalf("channel %q is not a GUID", d.Channel())
	}
	h.set(func(h *fakeHEC) {
		if h.ackPolls != 3 {
			t.Fatalf("%d ack polls, want 3", h.ackPolls)
		}
	})
	// The channel stays the same for the next batch, whose ack id is 1.
	if _, err := d.Deliver(context.Background(), batch(`{"event":"again"}`)); err != nil {
		t.Fatal(err)
	}
	sends = h.sends()
	h.set(func(h *fakeHEC) {
		if len(sends) != 2 || sends[1].Channel != s.Channel || h.nextAck[s.Channel] != 2 {
			t.Fatalf("second send %+v, next ack %d", sends, h.nextAck[s.Channel])
		}
	})
}

func TestDeliverRaw(t *testing.T) {
	h := newFakeHEC(t)
	d := newDest(t, testConfig(h.srv.URL, EndpointRaw))
	fs, err := d.Deliver(context.Background(), batch("line one\n", "not json at all", "\nline three\n"))
	if err != nil || len(fs) != 0 {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	s := h.sends()
	if len(s) != 1 || s[0].Path != pathRaw || string(s[0].Body) != "line one\nnot json at all\nline three\n" {
		t.Fatalf("sends = %+v", s)
	}
}

func TestDeliverEmptyBatch(t *testing.T) {
	h := newFakeHEC(t)
	d := newDest(t, testConfig(h.srv.URL, EndpointRaw))
	if fs, err := d.Deliver(context.Background(), dest.Batch{}); err != nil || fs != nil || len(h.sends()) != 0 {
		t.Fatalf("Deliver(empty) = %v, %v; sends %d", fs, err, len(h.sends()))
	}
}

func TestAckTimeoutThenRetry(t *testing.T) {
	h := newFakeHEC(t)
	h.ackNever[0] = true // the first send is never acknowledged
	c := testConfig(h.srv.URL, EndpointRaw)
	// The retry duration does not count the time spent waiting for the
	// acknowledgement: 50 "seconds" of retries after a 180 "second" wait.
	c.RetryOptions = retryDuration(50)
	d := newDest(t, c)
	start := time.Now()
	fs, err := d.Deliver(context.Background(), batch("a", "b"))
	if err != nil || len(fs) != 0 {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	if n := len(h.sends()); n != 2 {
		t.Fatalf("%d sends, want 2 (the batch again after the ack timeout)", n)
	}
	if el := time.Since(start); el < 180*time.Millisecond {
		t.Fatalf("delivered after %v, before the 180 ms ack timeout", el)
	}
}

func TestAckTimeoutGivesUp(t *testing.T) {
	h := newFakeHEC(t)
	h.ackAfter = -1
	c := testConfig(h.srv.URL, EndpointRaw)
	c.RetryOptions = retryDuration(0)
	d := newDest(t, c)
	b := batch("a", "b")
	fs, err := d.Deliver(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	checkFailures(t, fs, b, CodeAckTimeout, 1)
	if !strings.HasPrefix(fs[0].ErrorMessage, "Did not receive an acknowledgement from HEC before the HEC acknowledgement timeout expired.") {
		t.Fatalf("message %q", fs[0].ErrorMessage)
	}
}

// checkFailures checks one failure per record of b, in order, with code.
func checkFailures(t *testing.T, fs []dest.Failure, b dest.Batch, code string, minAttempts int) {
	t.Helper()
	if len(fs) != len(b.Records) {
		t.Fatalf("%d failures, want %d", len(fs), len(b.Records))
	}
	for i, f := range fs {
		r := b.Records[i]
		if f.OutputType != OutputType || f.ErrorCode != code || f.ErrorMessage != Messages[code] ||
			f.AttemptsMade < minAttempts || f.ID != r.ID || string(f.Data) != string(r.Data) || !f.Arrival.Equal(r.Arrival) ||
			f.Extra["EventId"] != r.ID+".0" || f.AttemptEnding.IsZero() {
			t.Fatalf("failure %d = %+v", i, f)
		}
	}
	doc, err := json.Marshal(fs[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(doc, &m)
	for _, k := range []string{"attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "rawData", "EventId"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("failure document %s lacks %s", doc, k)
		}
	}
}

func TestHECErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(h *fakeHEC, c *Config)
		data  string
		code  string
	}{
		{"invalid token", func(h *fakeHEC, c *Config) { c.HECToken = ptr("wrong") }, "x", CodeInvalidToken},
		{"disabled token", func(h *fakeHEC, c *Config) { h.tokens["good-token"] = tokenState{disabled: true, ack: true} }, "x", CodeDisabledToken},
		{"ack disabled", func(h *fakeHEC, c *Config) { h.tokens["good-token"] = tokenState{} }, "x", CodeDisabledAck},
		{"event not JSON", func(h *fakeHEC, c *Config) { c.HECEndpointType = ptr(EndpointEvent) }, "plain text", CodeInvalidDataFormat},
		{"event without event", func(h *fakeHEC, c *Config) { c.HECEndpointType = ptr(EndpointEvent) }, `{"time":1}`, CodeInvalidDataFormat},
		{"incorrect index", func(h *fakeHEC, c *Config) { h.failNext = []int{7} }, "x", CodeInvalidIndex},
		{"internal error", func(h *fakeHEC, c *Config) { h.failNext = []int{8} }, "x", CodeServerError},
		{"invalid channel", func(h *fakeHEC, c *Config) { h.failNext = []int{11} }, "x", CodeProxyWithoutStickySessions},
		{"not HEC", func(h *fakeHEC, c *Config) {
			h.hook = func(w http.ResponseWriter, r *http.Request) bool {
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte("<html>bad gateway</html>"))
				return true
			}
		}, "x", CodeServerError},
		{"no HEC at the path", func(h *fakeHEC, c *Config) { c.HECEndpoint = ptr(h.srv.URL + "/elsewhere") }, "x", CodeInvalidEndpoint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newFakeHEC(t)
			c := testConfig(h.srv.URL, EndpointRaw)
			c.RetryOptions = retryDuration(0)
			tc.setup(h, &c)
			d := newDest(t, c)
			b := batch(tc.data)
			fs, err := d.Deliver(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			checkFailures(t, fs, b, tc.code, 1)
		})
	}
}

func TestInvalidTokenRetried(t *testing.T) {
	h := newFakeHEC(t)
	c := testConfig(h.srv.URL, EndpointRaw)
	c.HECToken = ptr("wrong")
	c.RetryOptions = retryDuration(20)
	d := newDest(t, c)
	b := batch("x")
	fs, err := d.Deliver(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	checkFailures(t, fs, b, CodeInvalidToken, 2)
}

func TestBusyThenSuccess(t *testing.T) {
	h := newFakeHEC(t)
	h.failNext = []int{9, 9}
	c := testConfig(h.srv.URL, EndpointRaw)
	c.RetryOptions = retryDuration(10000)
	d := newDest(t, c)
	fs, err := d.Deliver(context.Background(), batch("a"))
	if err != nil || len(fs) != 0 {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	if n := len(h.sends()); n != 1 {
		t.Fatalf("%d accepted sends, want 1", n)
	}
}

func TestRetryDurationExhausted(t *testing.T) {
	h := newFakeHEC(t)
	h.hook = func(w http.ResponseWriter, r *http.Request) bool {
		h.answer(w, 9, nil)
		return true
	}
	c := testConfig(h.srv.URL, EndpointRaw)
	c.RetryOptions = retryDuration(40)
	d := newDest(t, c)
	b := batch("a", "b", "c")
	start := time.Now()
	fs, err := d.Deliver(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	checkFailures(t, fs, b, CodeServerError, 3)
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("gave up after %v", el)
	}
}

func TestConnectionErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	_ = ln.Close()

	closer := newFakeHEC(t)
	closer.hook = func(w http.ResponseWriter, r *http.Request) bool {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return true
	}
	for _, tc := range []struct{ endpoint, code string }{
		{refused, CodeInvalidEndpoint},
		{"not a url", CodeInvalidEndpoint},
		{closer.srv.URL, CodeConnectionClosed},
	} {
		c := testConfig(tc.endpoint, EndpointRaw)
		c.RetryOptions = retryDuration(0)
		d := newDest(t, c)
		b := batch("a")
		fs, err := d.Deliver(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		checkFailures(t, fs, b, tc.code, 1)
	}
}

func TestConnectionTimeout(t *testing.T) {
	h := newFakeHEC(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	h.hook = func(w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	}
	c := testConfig(h.srv.URL, EndpointRaw)
	c.RetryOptions = retryDuration(0)
	d := newDest(t, c)
	b := batch("a")
	fs, err := d.Deliver(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	checkFailures(t, fs, b, CodeConnectionTimeout, 1)
}

func TestDeliverContextCancel(t *testing.T) {
	h := newFakeHEC(t)
	h.ackAfter = -1
	ctx, cancel := context.WithCancel(context.Background())
	h.onSend = func(hecRequest) { cancel() }
	c := testConfig(h.srv.URL, EndpointRaw)
	c.HECAcknowledgmentTimeoutInSeconds = ptr(int64(600))
	d, err := New(c, dest.Options{TimeUnit: time.Second}) // real seconds: only the cancel ends it
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	start := time.Now()
	fs, err := d.Deliver(ctx, batch("a"))
	if !errors.Is(err, context.Canceled) || fs != nil {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("returned after %v", el)
	}
}

func TestEventID(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"49577193928114147339600778471082492393164139877200035842", "49577193928114147339600778471082492393164139877200035842.0"},
		{"4957:3", "4957.3"},
		{"a:b", "a:b.0"},
		{"", ".0"},
	} {
		if got := EventID(tc.id); got != tc.want {
			t.Errorf("EventID(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestAckPollOnOtherNode(t *testing.T) {
	// A load balancer without sticky sessions sends the ack poll to a node
	// that does not know the channel.
	h := newFakeHEC(t)
	h.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != pathAck {
			return false
		}
		h.answer(w, 11, nil)
		return true
	}
	c := testConfig(h.srv.URL, EndpointRaw)
	c.RetryOptions = retryDuration(0)
	d := newDest(t, c)
	b := batch("a")
	fs, err := d.Deliver(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	checkFailures(t, fs, b, CodeProxyWithoutStickySessions, 1)
}

func TestDeliverConcurrently(t *testing.T) {
	h := newFakeHEC(t)
	d := newDest(t, testConfig(h.srv.URL, EndpointRaw))
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			fs, err := d.Deliver(context.Background(), batch("r"+string(rune('a'+i))))
			if err == nil && len(fs) > 0 {
				err = errors.New(fs[0].ErrorCode)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := len(h.sends()); n != 8 {
		t.Fatalf("%d sends, want 8", n)
	}
}

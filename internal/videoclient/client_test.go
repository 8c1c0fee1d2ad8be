package videoclient

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeKVS plays AWS's side of the wire: REST-JSON operations, PutMedia
// answering each line of the body ("fragment") with acknowledgements as it
// reads it, and AWS-shaped errors.
type fakeKVS struct {
	t       *testing.T
	mu      sync.Mutex
	remotes map[string][]string // operation → RemoteAddr of each call
	headers http.Header         // of the last PutMedia
	chunked bool
}

func newFake(t *testing.T) (*fakeKVS, *Client) {
	f := &fakeKVS{t: t, remotes: map[string][]string{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, &Client{Endpoint: srv.URL + "/", HTTP: srv.Client()}
}

func (f *fakeKVS) remote(op string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.remotes[op]...)
}

func awsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("x-amzn-ErrorType", code+":http://internal.amazon.com/coral/com.amazonaws.kinesis.video/")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"Message": msg})
}

func (f *fakeKVS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.URL.Path, "/")
	f.mu.Lock()
	f.remotes[op] = append(f.remotes[op], r.RemoteAddr)
	f.mu.Unlock()
	if r.Method != http.MethodPost {
		awsError(w, 404, "UnknownOperationException", "")
		return
	}
	switch op {
	case "putMedia":
		f.putMedia(w, r)
	case "getDataEndpoint":
		var in struct{ StreamName, APIName string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || r.Header.Get("Content-Type") != "application/json" {
			awsError(w, 400, "InvalidArgumentException", fmt.Sprint(err))
			return
		}
		if in.StreamName != "cam" || in.APIName != "PUT_MEDIA" {
			awsError(w, 404, "ResourceNotFoundException", "Stream not found: "+in.StreamName)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"DataEndpoint":"http://data.example"}`)
	case "getMedia":
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "video/webm")
		w.Write(append([]byte("mkv:"), b...))
	case "getClip":
		w.Header().Set("Content-Type", "video/mp4")
		io.WriteString(w, "mp4 bytes")
	case "deleteStream":
		w.WriteHeader(200) // no body at all
	case "jsonRPCStyle":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(400)
		io.WriteString(w, `{"__type":"com.amazonaws#ClientLimitExceededException","message":"slow down"}`)
	case "gateway":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		io.WriteString(w, "<html>bad gateway</html>")
	default:
		awsError(w, 404, "UnknownOperationException", "")
	}
}

func (f *fakeKVS) putMedia(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.headers = r.Header.Clone()
	f.chunked = len(r.TransferEncoding) == 1 && r.TransferEncoding[0] == "chunked"
	f.mu.Unlock()
	if r.Header.Get("x-amzn-stream-name") == "missing" {
		awsError(w, 404, "ResourceNotFoundException", "Stream not found")
		return
	}
	rc := http.NewResponseController(w)
	if err := rc.EnableFullDuplex(); err != nil {
		f.t.Errorf("EnableFullDuplex: %v", err)
	}
	w.WriteHeader(200)
	rc.Flush()
	enc := json.NewEncoder(w)
	br := bufio.NewReader(r.Body)
	for tc := int64(0); ; tc += 2000 {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		if strings.TrimSpace(line) == "bad" {
			enc.Encode(map[string]any{"EventType": "ERROR", "FragmentTimecode": tc, "ErrorId": 4006})
			rc.Flush()
			continue
		}
		number := fmt.Sprintf("9134385233318150666908441974946778%012d", tc)
		for _, ev := range []string{EventBuffering, EventReceived, EventPersisted} {
			enc.Encode(map[string]any{"EventType": ev, "FragmentTimecode": tc, "FragmentNumber": number})
		}
		rc.Flush()
	}
}

func TestPutMediaFullDuplex(t *testing.T) {
	f, c := newFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	defer pw.Close()
	start := time.UnixMilli(1_700_000_000_250)
	acks, err := c.PutMedia(ctx, PutMediaInput{StreamName: "cam", ProducerStartTimestamp: start, Body: pr})
	if err != nil {
		t.Fatal(err)
	}
	defer acks.Close()
	// Each fragment's acknowledgements arrive before the next is sent.
	for i, frag := range []string{"cluster-1", "bad", "cluster-2"} {
		io.WriteString(pw, frag+"\n")
		want := []Ack{
			{EventType: EventBuffering, FragmentTimecode: int64(i) * 2000},
			{EventType: EventReceived, FragmentTimecode: int64(i) * 2000},
			{EventType: EventPersisted, FragmentTimecode: int64(i) * 2000},
		}
		if frag == "bad" {
			want = []Ack{{EventType: EventError, FragmentTimecode: 2000, ErrorId: 4006}}
		}
		for _, w := range want {
			got, err := acks.Next()
			if err != nil {
				t.Fatalf("fragment %d: %v", i, err)
			}
			if w.EventType != EventError {
				if !strings.HasPrefix(got.FragmentNumber, "9134385233318150666908441974946778") {
					t.Errorf("FragmentNumber %q", got.FragmentNumber)
				}
				w.FragmentNumber = got.FragmentNumber
			}
			if got != w {
				t.Errorf("fragment %d: ack %+v, want %+v", i, got, w)
			}
		}
	}
	pw.Close()
	if ack, err := acks.Next(); err != io.EOF {
		t.Errorf("after the body: %+v, %v; want io.EOF", ack, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, v := range map[string]string{
		"x-amzn-stream-name":              "cam",
		"x-amzn-fragment-timecode-type":   "ABSOLUTE",
		"x-amzn-producer-start-timestamp": "1700000000.250",
		"x-amzn-stream-arn":               "",
	} {
		if got := f.headers.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !f.chunked {
		t.Error("the body was not sent chunked")
	}
}

// TestPutMediaOwnConnection: a PutMedia never rides a connection another
// call left idle, and leaves none behind.
func TestPutMediaOwnConnection(t *testing.T) {
	f, c := newFake(t)
	ctx := context.Background()
	in := map[string]string{"StreamName": "cam", "APIName": "PUT_MEDIA"}
	for range 2 {
		if err := c.Call(ctx, "getDataEndpoint", in, nil); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		acks, err := c.PutMedia(ctx, PutMediaInput{StreamARN: "arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam/1", TimecodeType: "RELATIVE",
			Body: strings.NewReader("cluster\n")})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			if _, err := acks.Next(); err != nil {
				if err != io.EOF {
					t.Fatal(err)
				}
				break
			}
			n++
		}
		acks.Close()
		if n != 3 {
			t.Errorf("%d acks, want 3", n)
		}
	}
	calls, puts := f.remote("getDataEndpoint"), f.remote("putMedia")
	if calls[0] != calls[1] {
		t.Fatalf("calls did not reuse their connection (%v): the test proves nothing", calls)
	}
	if puts[0] == calls[0] || puts[1] == calls[0] || puts[0] == puts[1] {
		t.Errorf("PutMedia shared a connection: calls %v, puts %v", calls, puts)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.headers.Get("x-amzn-stream-arn") == "" || f.headers.Get("x-amzn-stream-name") != "" ||
		f.headers.Get("x-amzn-fragment-timecode-type") != "RELATIVE" {
		t.Errorf("headers %v", f.headers)
	}
}

func TestErrors(t *testing.T) {
	_, c := newFake(t)
	ctx := context.Background()
	_, putErr := c.PutMedia(ctx, PutMediaInput{StreamName: "missing", Body: strings.NewReader("x\n")})
	cases := []struct {
		name string
		err  error
		want APIError
	}{
		{"PutMedia", putErr, APIError{404, "ResourceNotFoundException", "Stream not found"}},
		{"Call", c.Call(ctx, "getDataEndpoint", map[string]string{"StreamName": "nope", "APIName": "PUT_MEDIA"}, nil),
			APIError{404, "ResourceNotFoundException", "Stream not found: nope"}},
		{"__type and message", c.Call(ctx, "jsonRPCStyle", nil, nil), APIError{400, "ClientLimitExceededException", "slow down"}},
		{"not JSON", c.Call(ctx, "gateway", nil, nil), APIError{502, "Bad Gateway", ""}},
		{"unknown", c.Call(ctx, "nope", nil, nil), APIError{404, "UnknownOperationException", ""}},
	}
	for _, tc := range cases {
		var e *APIError
		if !errors.As(tc.err, &e) || *e != tc.want {
			t.Errorf("%s: %v, want %+v", tc.name, tc.err, tc.want)
		}
	}
	if !IsCode(putErr, "ResourceNotFoundException") || IsCode(putErr, "Other") || IsCode(errors.New("x"), "x") {
		t.Error("IsCode")
	}
	if _, err := c.PutMedia(ctx, PutMediaInput{StreamName: "cam"}); err == nil {
		t.Error("PutMedia without a body succeeded")
	}
	unreachable := &Client{Endpoint: "http://127.0.0.1:1"}
	if err := unreachable.Call(ctx, "listStreams", nil, nil); err == nil || !strings.Contains(err.Error(), "listStreams") {
		t.Errorf("unreachable: %v", err)
	}
}

func TestCallAndRaw(t *testing.T) {
	_, c := newFake(t)
	ctx := context.Background()
	var out struct{ DataEndpoint string }
	if err := c.Call(ctx, "getDataEndpoint", map[string]string{"StreamName": "cam", "APIName": "PUT_MEDIA"}, &out); err != nil || out.DataEndpoint != "http://data.example" {
		t.Errorf("getDataEndpoint: %+v, %v", out, err)
	}
	if err := c.Call(ctx, "deleteStream", map[string]string{"StreamName": "cam"}, &out); err != nil {
		t.Errorf("empty answer: %v", err)
	}
	var clip struct{ X string }
	if err := c.Call(ctx, "getClip", nil, &clip); err != nil || clip.X != "" {
		t.Errorf("media answer into out: %+v, %v", clip, err)
	}
	resp, err := c.Raw(ctx, "getClip", map[string]any{"StreamName": "cam"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "mp4 bytes" || resp.Header.Get("Content-Type") != "video/mp4" {
		t.Errorf("Raw: %q %v", b, resp.Header)
	}
	if err := c.Call(ctx, "getDataEndpoint", func() {}, nil); err == nil {
		t.Error("an input JSON cannot encode was sent")
	}
}

func TestGetMedia(t *testing.T) {
	_, c := newFake(t)
	sel := StartSelector{StartSelectorType: "PRODUCER_TIMESTAMP", StartTimestamp: time.UnixMilli(1_700_000_000_500)}
	body, err := c.GetMedia(context.Background(), "cam", "", sel)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	b, _ := io.ReadAll(body)
	want := `mkv:{"StreamName":"cam","StartSelector":{"StartSelectorType":"PRODUCER_TIMESTAMP","StartTimestamp":1700000000.500}}`
	if string(b) != want {
		t.Errorf("sent %s\nwant %s", b, want)
	}
}

func TestStartSelectorJSON(t *testing.T) {
	cases := []struct {
		sel  StartSelector
		wire string
	}{
		{StartSelector{StartSelectorType: "NOW"}, `{"StartSelectorType":"NOW"}`},
		{StartSelector{StartSelectorType: "FRAGMENT_NUMBER", AfterFragmentNumber: "91343852333"}, `{"StartSelectorType":"FRAGMENT_NUMBER","AfterFragmentNumber":"91343852333"}`},
		{StartSelector{StartSelectorType: "SERVER_TIMESTAMP", StartTimestamp: time.UnixMilli(-1500)}, `{"StartSelectorType":"SERVER_TIMESTAMP","StartTimestamp":-1.500}`},
		{StartSelector{StartSelectorType: "CONTINUATION_TOKEN", ContinuationToken: "tok"}, `{"StartSelectorType":"CONTINUATION_TOKEN","ContinuationToken":"tok"}`},
	}
	for _, tc := range cases {
		b, err := json.Marshal(tc.sel)
		if err != nil || string(b) != tc.wire {
			t.Errorf("marshal %+v: %s, %v; want %s", tc.sel, b, err, tc.wire)
		}
		var back StartSelector
		if err := json.Unmarshal(b, &back); err != nil || !back.StartTimestamp.Equal(tc.sel.StartTimestamp) ||
			back.StartSelectorType != tc.sel.StartSelectorType || back.AfterFragmentNumber != tc.sel.AfterFragmentNumber ||
			back.ContinuationToken != tc.sel.ContinuationToken {
			t.Errorf("round trip of %s: %+v, %v", b, back, err)
		}
	}
	var s StartSelector
	if err := json.Unmarshal([]byte(`{"StartSelectorType":"PRODUCER_TIMESTAMP","StartTimestamp":"2023-11-14T22:13:20.5Z"}`), &s); err != nil ||
		s.StartTimestamp.UnixMilli() != 1_700_000_000_500 {
		t.Errorf("RFC 3339: %v %v", s.StartTimestamp, err)
	}
	for _, bad := range []string{`{"StartTimestamp":"yesterday"}`, `{"StartTimestamp":1e300}`, `{"StartTimestamp":true}`} {
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestFormatTimestamp(t *testing.T) {
	for ms, want := range map[int64]string{
		1_700_000_000_250: "1700000000.250",
		5:                 "0.005",
		0:                 "0.000",
		-1500:             "-1.500",
	} {
		if got := FormatTimestamp(time.UnixMilli(ms)); got != want {
			t.Errorf("%d: %q, want %q", ms, got, want)
		}
	}
}

func TestAckJSON(t *testing.T) {
	cases := []struct {
		in   string
		want Ack
		err  bool
	}{
		{`{"EventType":"PERSISTED","FragmentTimecode":1234,"FragmentNumber":"91343852333181432392682062607743920146264558000"}`,
			Ack{EventType: "PERSISTED", FragmentTimecode: 1234, FragmentNumber: "91343852333181432392682062607743920146264558000"}, false},
		{`{"EventType":"RECEIVED","FragmentTimecode":1,"FragmentNumber":91343852333181432392682062607743920146264558000}`,
			Ack{EventType: "RECEIVED", FragmentTimecode: 1, FragmentNumber: "91343852333181432392682062607743920146264558000"}, false},
		{`{"EventType":"ERROR","FragmentTimecode":5,"ErrorId":"4004"}`, Ack{EventType: "ERROR", FragmentTimecode: 5, ErrorId: 4004}, false},
		{`{"EventType":"ERROR","ErrorId":4006,"Extra":[1]}`, Ack{EventType: "ERROR", ErrorId: 4006}, false},
		{`{"EventType":"IDLE","FragmentNumber":null}`, Ack{EventType: "IDLE"}, false},
		{`{"EventType":"ERROR","ErrorId":"x"}`, Ack{}, true},
		{`{"FragmentTimecode":1.5}`, Ack{}, true},
		{`{"FragmentNumber":{}}`, Ack{}, true},
		{`[]`, Ack{}, true},
	}
	for _, tc := range cases {
		var a Ack
		err := json.Unmarshal([]byte(tc.in), &a)
		if (err != nil) != tc.err || (!tc.err && a != tc.want) {
			t.Errorf("%s: %+v, %v", tc.in, a, err)
		}
	}
	b, _ := json.Marshal(Ack{EventType: "BUFFERING", FragmentTimecode: 7})
	if string(b) != `{"EventType":"BUFFERING","FragmentTimecode":7}` {
		t.Errorf("marshal: %s", b)
	}
	if AckErrors[4004] != "FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS" {
		t.Error("AckErrors")
	}
}

func TestAckLineLimit(t *testing.T) {
	acks := newAckStream(io.NopCloser(strings.NewReader(`{"EventType":"` + strings.Repeat("x", maxAckLineBytes) + `"}`)))
	if _, err := acks.Next(); err == nil || !strings.Contains(err.Error(), "64 KiB") {
		t.Errorf("overlong line: %v", err)
	}
	acks = newAckStream(io.NopCloser(strings.NewReader(strings.Repeat(`{"EventType":"IDLE"}`+"\n", 5000))))
	for i := range 5000 {
		if a, err := acks.Next(); err != nil || a.EventType != EventIdle {
			t.Fatalf("ack %d: %+v, %v", i, a, err)
		}
	}
}

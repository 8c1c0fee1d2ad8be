package splunk

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeHEC is a Splunk HTTP Event Collector as Firehose meets it: event,
// raw and ack endpoints, token checks, channels required for indexer
// acknowledgement, acknowledgement ids per channel.
type fakeHEC struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	tokens   map[string]tokenState
	requests []hecRequest       // event and raw requests, in order
	nextAck  map[string]int64   // per channel
	polls    map[string]int     // ack polls per channel/id
	indexed  map[string]bool    // "channel/id" acknowledged
	ackAfter int                // polls before an ack id is true; <0 never
	ackNever map[int64]bool     // ack ids never acknowledged
	failNext []int              // HEC codes to answer the next sends with
	onSend   func(r hecRequest) // called for every accepted send
	ackPolls int                // ack requests seen
	hook     func(w http.ResponseWriter, r *http.Request) bool
}

type tokenState struct {
	disabled bool
	ack      bool
}

type hecRequest struct {
	Path    string
	Channel string
	Auth    string
	Body    []byte
}

var guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// hecAnswers are HEC's texts and HTTP statuses by code.
var hecAnswers = map[int]struct {
	status int
	text   string
}{
	0:  {200, "Success"},
	1:  {403, "Token disabled"},
	2:  {401, "Token is required"},
	3:  {401, "Invalid authorization"},
	4:  {403, "Invalid token"},
	5:  {400, "No data"},
	6:  {400, "Invalid data format"},
	7:  {400, "Incorrect index"},
	8:  {500, "Internal server error"},
	9:  {503, "Server is busy"},
	10: {400, "Data channel is missing"},
	11: {400, "Invalid data channel"},
	12: {400, "Event field is required"},
	13: {400, "Event field cannot be blank"},
	14: {400, "ACK is disabled"},
}

func newFakeHEC(t *testing.T) *fakeHEC {
	h := &fakeHEC{t: t, tokens: map[string]tokenState{"good-token": {ack: true}},
		nextAck: map[string]int64{}, polls: map[string]int{}, indexed: map[string]bool{}, ackNever: map[int64]bool{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *fakeHEC) answer(w http.ResponseWriter, code int, extra map[string]any) {
	a := hecAnswers[code]
	m := map[string]any{"text": a.text, "code": code}
	for k, v := range extra {
		m[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(a.status)
	_ = json.NewEncoder(w).Encode(m)
}

func (h *fakeHEC) serve(w http.ResponseWriter, r *http.Request) {
	if h.hook != nil && h.hook(w, r) {
		return
	}
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	auth := r.Header.Get("Authorization")
	if auth == "" {
		h.answer(w, 2, nil)
		return
	}
	token, ok := strings.CutPrefix(auth, "Splunk ")
	if !ok {
		h.answer(w, 3, nil)
		return
	}
	ts, ok := h.tokens[token]
	switch {
	case !ok:
		h.answer(w, 4, nil)
		return
	case ts.disabled:
		h.answer(w, 1, nil)
		return
	}
	channel := r.Header.Get("X-Splunk-Request-Channel")
	if channel == "" {
		channel = r.URL.Query().Get("channel")
	}
	if ts.ack || r.URL.Path == pathRaw {
		if channel == "" {
			h.answer(w, 10, nil)
			return
		}
		if !guidRe.MatchString(channel) {
			h.answer(w, 11, nil)
			return
		}
	}
	switch r.URL.Path {
	case pathEvent, pathRaw:
		h.send(w, r.URL.Path, channel, auth, body, ts)
	case pathAck:
		h.ack(w, channel, body, ts)
	default:
		http.NotFound(w, r)
	}
}

func (h *fakeHEC) send(w http.ResponseWriter, path, channel, auth string, body []byte, ts tokenState) {
	if len(h.failNext) > 0 {
		code := h.failNext[0]
		h.failNext = h.failNext[1:]
		h.answer(w, code, nil)
		return
	}
	if len(body) == 0 {
		h.answer(w, 5, nil)
		return
	}
	if path == pathEvent {
		dec := json.NewDecoder(bytes.NewReader(body))
		for i := 0; ; i++ {
			var ev map[string]json.RawMessage
			err := dec.Decode(&ev)
			if err == io.EOF {
				break
			}
			if err != nil {
				h.answer(w, 6, map[string]any{"invalid-event-number": i})
				return
			}
			e, ok := ev["event"]
			if !ok {
				h.answer(w, 12, map[string]any{"invalid-event-number": i})
				return
			}
			if s := strings.TrimSpace(string(e)); s == `""` || s == "null" {
				h.answer(w, 13, map[string]any{"invalid-event-number": i})
				return
			}
		}
	}
	req := hecRequest{Path: path, Channel: channel, Auth: auth, Body: body}
	h.requests = append(h.requests, req)
	if h.onSend != nil {
		h.onSend(req)
	}
	if !ts.ack {
		h.answer(w, 0, nil)
		return
	}
	id := h.nextAck[channel]
	h.nextAck[channel] = id + 1
	h.answer(w, 0, map[string]any{"ackId": id})
}

func (h *fakeHEC) ack(w http.ResponseWriter, channel string, body []byte, ts tokenState) {
	if !ts.ack {
		h.answer(w, 14, nil)
		return
	}
	h.ackPolls++
	var req struct {
		Acks []int64 `json:"acks"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Acks == nil {
		h.answer(w, 6, nil)
		return
	}
	out := map[string]bool{}
	for _, id := range req.Acks {
		key := channel + "/" + strconv.FormatInt(id, 10)
		h.polls[key]++
		known := id < h.nextAck[channel]
		if known && !h.ackNever[id] && h.ackAfter >= 0 && h.polls[key] > h.ackAfter {
			h.indexed[key] = true
		}
		out[strconv.FormatInt(id, 10)] = h.indexed[key]
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"acks": out})
}

func (h *fakeHEC) sends() []hecRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hecRequest(nil), h.requests...)
}

func (h *fakeHEC) set(f func(h *fakeHEC)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h)
}

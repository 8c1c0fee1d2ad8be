package opensearch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// bulkServer is an httptest server that speaks the _bulk API of
// OpenSearch / Elasticsearch: it parses the newline-delimited actions and
// documents of POST /_bulk, indexes them (by _index and _id, generating
// ids when none is given) and answers the documented response, with per
// item status and error. Hooks make it fail.
type bulkServer struct {
	*httptest.Server
	t *testing.T

	mu       sync.Mutex
	requests []bulkRequest                         // every _bulk request, parsed
	bodies   []string                              // and as sent
	docs     map[string]map[string]json.RawMessage // index → id → source
	nextID   int
	// whole, when set, may fail the whole request (status, body).
	whole func(n int) (int, string)
	// item, when set, may fail one document: n is the request number
	// (1-based); it answers status and error (nil error: indexed).
	item func(n int, a bulkAction) (int, map[string]any)
	// arrived is signalled (without blocking) when a request arrives.
	arrived chan struct{}
	// block, when set, holds every request until the client gives up.
	block bool
	stop  chan struct{} // closed when the test ends
}

type bulkAction struct {
	Op     string
	Index  string
	Type   string
	ID     string
	Source json.RawMessage
}

type bulkRequest struct {
	Actions []bulkAction
	Auth    string
}

func newBulkServer(t *testing.T) *bulkServer {
	s := &bulkServer{t: t, docs: map[string]map[string]json.RawMessage{}, arrived: make(chan struct{}, 100)}
	s.stop = make(chan struct{})
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	t.Cleanup(func() { close(s.stop) }) // runs first
	return s
}

func esError(status int, typ, reason string) (int, string) {
	b, _ := json.Marshal(map[string]any{
		"error":  map[string]any{"root_cause": []any{map[string]string{"type": typ, "reason": reason}}, "type": typ, "reason": reason},
		"status": status,
	})
	return status, string(b)
}

func (s *bulkServer) serve(w http.ResponseWriter, r *http.Request) {
	select {
	case s.arrived <- struct{}{}:
	default:
	}
	if s.block {
		io.Copy(io.Discard, r.Body) // then the server notices the client going away
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
		return
	}
	reply := func(status int, body string) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/_bulk" {
		reply(esError(405, "illegal_argument_exception", fmt.Sprintf("Incorrect HTTP method for uri [%s] and method [%s]", r.URL.Path, r.Method)))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-ndjson" && ct != "application/json" {
		reply(esError(406, "media_type_header_exception", "Content-Type header ["+ct+"] is not supported"))
		return
	}
	body, _ := io.ReadAll(r.Body)
	if len(body) == 0 || body[len(body)-1] != '\n' {
		reply(esError(400, "illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]"))
		return
	}
	lines := bytes.Split(body[:len(body)-1], []byte("\n"))
	var req bulkRequest
	req.Auth = r.Header.Get("Authorization")
	for i := 0; i < len(lines); i += 2 {
		var meta map[string]struct {
			Index string `json:"_index"`
			Type  string `json:"_type"`
			ID    string `json:"_id"`
		}
		if err := json.Unmarshal(lines[i], &meta); err != nil || len(meta) != 1 {
			reply(esError(400, "illegal_argument_exception", fmt.Sprintf("Malformed action/metadata line [%d], expected START_OBJECT", i+1)))
			return
		}
		if i+1 >= len(lines) {
			reply(esError(400, "action_request_validation_exception", "Validation Failed: 1: no requests added;"))
			return
		}
		for op, m := range meta {
			req.Actions = append(req.Actions, bulkAction{Op: op, Index: m.Index, Type: m.Type, ID: m.ID, Source: lines[i+1]})
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	s.bodies = append(s.bodies, string(body))
	n := len(s.requests)
	if s.whole != nil {
		if status, b := s.whole(n); status != 0 {
			reply(status, b)
			return
		}
	}
	items := make([]any, len(req.Actions))
	anyErr := false
	for i, a := range req.Actions {
		status, errObj := 0, map[string]any(nil)
		if s.item != nil {
			status, errObj = s.item(n, a)
		}
		if errObj == nil && !json.Valid(a.Source) {
			status, errObj = 400, map[string]any{"type": "mapper_parsing_exception", "reason": "failed to parse"}
		}
		id := a.ID
		if id == "" {
			s.nextID++
			id = "gen-" + strconv.Itoa(s.nextID)
		}
		if errObj != nil {
			anyErr = true
			items[i] = map[string]any{a.Op: map[string]any{"_index": a.Index, "_id": id, "status": status, "error": errObj}}
			continue
		}
		if s.docs[a.Index] == nil {
			s.docs[a.Index] = map[string]json.RawMessage{}
		}
		result, status := "created", 201
		if _, ok := s.docs[a.Index][id]; ok {
			result, status = "updated", 200
		}
		s.docs[a.Index][id] = a.Source
		items[i] = map[string]any{a.Op: map[string]any{"_index": a.Index, "_id": id, "_version": 1, "result": result,
			"_shards": map[string]int{"total": 2, "successful": 1, "failed": 0}, "_seq_no": 0, "_primary_term": 1, "status": status}}
	}
	b, _ := json.Marshal(map[string]any{"took": 3, "errors": anyErr, "items": items})
	reply(200, string(b))
}

func (s *bulkServer) snapshot() (reqs []bulkRequest, bodies []string, docs map[string]map[string]json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	docs = map[string]map[string]json.RawMessage{}
	for k, v := range s.docs {
		docs[k] = map[string]json.RawMessage{}
		for id, src := range v {
			docs[k][id] = src
		}
	}
	return append([]bulkRequest(nil), s.requests...), append([]string(nil), s.bodies...), docs
}

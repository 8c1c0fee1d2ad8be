package opensearch

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/sinks/dest"
)

var t0 = time.Date(2016, 2, 25, 13, 0, 0, 0, time.UTC)

func testConfig(endpoint string) Config {
	return Config{
		RoleARN:         ptr("arn:aws:iam::000000000000:role/firehose"),
		ClusterEndpoint: ptr(endpoint),
		IndexName:       ptr("myindex"),
		S3Configuration: json.RawMessage(`{"BucketARN":"arn:aws:s3:::b","RoleARN":"arn:aws:iam::000000000000:role/firehose"}`),
		RetryOptions:    &RetryOptions{DurationInSeconds: ptr[int64](300)},
	}
}

func newTestDest(t *testing.T, c Config) *Destination {
	t.Helper()
	d, err := newDestination(c, dest.Options{Stream: "s", TimeUnit: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func recs(data ...string) dest.Batch {
	var b dest.Batch
	for i, d := range data {
		b.Records = append(b.Records, dest.Record{ID: "id-" + string(rune('a'+i)), Data: []byte(d), Arrival: t0.Add(time.Duration(i) * time.Hour)})
	}
	if len(b.Records) > 0 {
		b.Oldest = b.Records[0].Arrival
	}
	return b
}

func TestDeliverNDJSON(t *testing.T) {
	s := newBulkServer(t)
	c := testConfig(s.URL)
	c.TypeName = ptr("_doc")
	c.IndexRotationPeriod = ptr(OneHour)
	d := newTestDest(t, c)
	fs, err := d.Deliver(context.Background(), recs(`{"n":1}`+"\n", "{\n  \"n\": 2\n}", `{"s":"a\nb"}`))
	if err != nil || len(fs) != 0 {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	_, bodies, docs := s.snapshot()
	want := `{"index":{"_index":"myindex-2016-02-25-13","_type":"_doc","_id":"id-a"}}` + "\n" + `{"n":1}` + "\n" +
		`{"index":{"_index":"myindex-2016-02-25-14","_type":"_doc","_id":"id-b"}}` + "\n" + `{"n":2}` + "\n" +
		`{"index":{"_index":"myindex-2016-02-25-15","_type":"_doc","_id":"id-c"}}` + "\n" + `{"s":"a\nb"}` + "\n"
	if len(bodies) != 1 || bodies[0] != want {
		t.Fatalf("bodies:\n%q\nwant\n%q", bodies, want)
	}
	if string(docs["myindex-2016-02-25-14"]["id-b"]) != `{"n":2}` {
		t.Fatalf("docs = %v", docs)
	}
}

func TestNoDocumentIDAndNoType(t *testing.T) {
	s := newBulkServer(t)
	c := testConfig(s.URL)
	c.DocumentIdOptions = &DocumentIDOptions{DefaultDocumentIdFormat: ptr(NoDocumentID)}
	c.IndexRotationPeriod = ptr(NoRotation)
	d := newTestDest(t, c)
	if fs, err := d.Deliver(context.Background(), recs(`{"n":1}`)); err != nil || len(fs) != 0 {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	_, bodies, _ := s.snapshot()
	if want := `{"index":{"_index":"myindex"}}` + "\n" + `{"n":1}` + "\n"; bodies[0] != want {
		t.Fatalf("body %q, want %q", bodies[0], want)
	}
}

func TestPartialFailureRetried(t *testing.T) {
	s := newBulkServer(t)
	s.item = func(n int, a bulkAction) (int, map[string]any) {
		switch {
		case a.ID == "id-b" && n == 1:
			return 429, map[string]any{"type": "es_rejected_execution_exception", "reason": "rejected execution of coordinating operation"}
		case a.ID == "id-b" && n == 2:
			return 503, map[string]any{"type": "unavailable_shards_exception", "reason": "primary shard is not active"}
		}
		return 0, nil
	}
	d := newTestDest(t, testConfig(s.URL))
	b := recs(`{"n":1}`, `{"n":2}`, `{"n":3}`)
	fs, err := d.Deliver(context.Background(), b)
	if err != nil || len(fs) != 0 {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	reqs, _, docs := s.snapshot()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	// Only the failed document is sent again, with the same id.
	for _, r := range reqs[1:] {
		if len(r.Actions) != 1 || r.Actions[0].ID != "id-b" || string(r.Actions[0].Source) != `{"n":2}` {
			t.Fatalf("retry request %+v", r)
		}
	}
	if n := len(docs["myindex-2016-02-25"]); n != 3 {
		t.Fatalf("%d documents indexed, want 3: %v", n, docs)
	}
}

func TestIDsStableAcrossDeliveries(t *testing.T) {
	// A whole batch delivered twice (the loop redelivers after a crash or a
	// cancelled Deliver) replaces its documents instead of duplicating them.
	s := newBulkServer(t)
	d := newTestDest(t, testConfig(s.URL))
	b := recs(`{"n":1}`, `{"n":2}`)
	b.Records[1].ID = "" // no id: a digest, still stable
	for range 2 {
		if fs, err := d.Deliver(context.Background(), b); err != nil || len(fs) != 0 {
			t.Fatalf("Deliver = %v, %v", fs, err)
		}
	}
	reqs, _, docs := s.snapshot()
	if reqs[0].Actions[1].ID == "" || reqs[0].Actions[1].ID != reqs[1].Actions[1].ID {
		t.Fatalf("ids %q %q", reqs[0].Actions[1].ID, reqs[1].Actions[1].ID)
	}
	if n := len(docs["myindex-2016-02-25"]); n != 2 {
		t.Fatalf("%d documents, want 2", n)
	}
}

func TestMappingErrorFailsAtOnce(t *testing.T) {
	s := newBulkServer(t)
	s.item = func(n int, a bulkAction) (int, map[string]any) {
		if strings.Contains(string(a.Source), `"x"`) {
			return 400, map[string]any{"type": "mapper_parsing_exception",
				"reason":    "failed to parse field [n] of type [long] in document with id '" + a.ID + "'. Preview of field's value: 'x'",
				"caused_by": map[string]any{"type": "illegal_argument_exception", "reason": `For input string: "x"`}}
		}
		return 0, nil
	}
	c := testConfig(s.URL)
	c.TypeName = ptr("_doc")
	d := newTestDest(t, c)
	fs, err := d.Deliver(context.Background(), recs(`{"n":1}`, `{"n":"x"}`))
	if err != nil || len(fs) != 1 {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	f := fs[0]
	if f.ID != "id-b" || f.OutputType != "AmazonOpenSearchService-failed" || f.ErrorCode != "400" || f.AttemptsMade != 1 ||
		!strings.HasPrefix(f.ErrorMessage, `{"caused_by":`) || !strings.Contains(f.ErrorMessage, `"type":"mapper_parsing_exception"`) {
		t.Fatalf("failure %+v", f)
	}
	if f.Extra["esDocumentId"] != "id-b" || f.Extra["esIndexName"] != "myindex-2016-02-25" || f.Extra["esTypeName"] != "_doc" {
		t.Fatalf("extra %v", f.Extra)
	}
	doc, _ := json.Marshal(f)
	for _, m := range []string{`"esDocumentId":"id-b"`, `"errorCode":"400"`, `"attemptsMade":1`, `"rawData":"eyJuIjoieCJ9"`} {
		if !strings.Contains(string(doc), m) {
			t.Fatalf("failure document %s lacks %s", doc, m)
		}
	}
	if reqs, _, _ := s.snapshot(); len(reqs) != 1 {
		t.Fatalf("%d requests, want 1 (no retry of a mapping error)", len(reqs))
	}
}

func TestRetryDurationExhausted(t *testing.T) {
	cases := []struct {
		name     string
		setup    func(*bulkServer) string // answers the endpoint
		code     string
		message  string
		kind     Kind
		outType  string
		attempts int // at least
	}{
		{"503 whole request", func(s *bulkServer) string {
			s.whole = func(int) (int, string) {
				return esError(503, "cluster_block_exception", "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];")
			}
			return s.URL
		}, "503", `"type":"cluster_block_exception"`, OpenSearchService, "AmazonOpenSearchService-failed", 2},
		{"429 document", func(s *bulkServer) string {
			s.item = func(int, bulkAction) (int, map[string]any) {
				return 429, map[string]any{"type": "es_rejected_execution_exception", "reason": "rejected"}
			}
			return s.URL
		}, "429", "es_rejected_execution_exception", Elasticsearch, "elasticsearch-failed", 2},
		{"connection refused", func(s *bulkServer) string {
			s.Close()
			return s.URL
		}, "OS.ConnectionFailed", "Unable to reach the cluster", OpenSearchService, "AmazonOpenSearchService-failed", 2},
		{"not a bulk response", func(s *bulkServer) string {
			s.whole = func(int) (int, string) { return 200, `{"acknowledged":true}` }
			return s.URL
		}, "ES.MalformedResponse", "no items", Elasticsearch, "elasticsearch-failed", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newBulkServer(t)
			c := testConfig(tc.setup(s))
			c.Kind = tc.kind
			c.RetryOptions.DurationInSeconds = ptr[int64](30) // 30 ms
			d := newTestDest(t, c)
			start := time.Now()
			fs, err := d.Deliver(context.Background(), recs(`{"n":1}`, `{"n":2}`))
			if err != nil || len(fs) != 2 {
				t.Fatalf("Deliver = %v, %v", fs, err)
			}
			if time.Since(start) < 30*time.Millisecond/2 {
				t.Fatalf("gave up after %v", time.Since(start))
			}
			for _, f := range fs {
				if f.ErrorCode != tc.code || !strings.Contains(f.ErrorMessage, tc.message) || f.OutputType != tc.outType ||
					f.AttemptsMade < tc.attempts || f.AttemptEnding.IsZero() {
					t.Fatalf("failure %+v", f)
				}
			}
		})
	}
}

func TestRetryDurationZeroIsOneAttempt(t *testing.T) {
	s := newBulkServer(t)
	s.whole = func(int) (int, string) { return esError(500, "exception", "boom") }
	c := testConfig(s.URL)
	c.RetryOptions.DurationInSeconds = ptr[int64](0)
	d := newTestDest(t, c)
	fs, err := d.Deliver(context.Background(), recs(`{"n":1}`))
	if err != nil || len(fs) != 1 || fs[0].AttemptsMade != 1 || fs[0].ErrorCode != "500" {
		t.Fatalf("Deliver = %+v, %v", fs, err)
	}
}

func TestNonJSONRecord(t *testing.T) {
	s := newBulkServer(t)
	d := newTestDest(t, testConfig(s.URL))
	fs, err := d.Deliver(context.Background(), recs(`{"n":1}`, "not json\n", `{"n":`))
	if err != nil || len(fs) != 2 {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	for i, f := range fs {
		if f.ErrorCode != "400" || !strings.Contains(f.ErrorMessage, "mapper_parsing_exception") || f.AttemptsMade != 0 ||
			f.Extra["esIndexName"] == nil || f.OutputType != "AmazonOpenSearchService-failed" {
			t.Fatalf("failure %d: %+v", i, f)
		}
	}
	reqs, _, _ := s.snapshot()
	if len(reqs) != 1 || len(reqs[0].Actions) != 1 {
		t.Fatalf("requests %+v", reqs)
	}
	// A batch of nothing but bad records sends nothing.
	if fs, err := d.Deliver(context.Background(), recs("x")); err != nil || len(fs) != 1 {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	if reqs, _, _ := s.snapshot(); len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
}

func TestContextCancel(t *testing.T) {
	t.Run("during request", func(t *testing.T) {
		s := newBulkServer(t)
		s.block = true
		d := newTestDest(t, testConfig(s.URL))
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-s.arrived; cancel() }()
		fs, err := d.Deliver(ctx, recs(`{"n":1}`))
		if !errors.Is(err, context.Canceled) || fs != nil {
			t.Fatalf("Deliver = %v, %v", fs, err)
		}
	})
	t.Run("during backoff", func(t *testing.T) {
		s := newBulkServer(t)
		s.whole = func(int) (int, string) { return esError(503, "x", "y") }
		c := testConfig(s.URL)
		c.RetryOptions.DurationInSeconds = ptr[int64](7200)
		d, err := newDestination(c, dest.Options{TimeUnit: time.Second}) // a 1 s backoff
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-s.arrived; cancel() }()
		start := time.Now()
		fs, err := d.Deliver(ctx, recs(`{"n":1}`))
		if !errors.Is(err, context.Canceled) || fs != nil || time.Since(start) > 5*time.Second {
			t.Fatalf("Deliver = %v, %v after %v", fs, err, time.Since(start))
		}
	})
}

func TestBasicAuthAndPathPrefix(t *testing.T) {
	s := newBulkServer(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/search/_bulk", func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/_bulk"
		s.serve(w, r)
	})
	s.Config.Handler = mux
	c := testConfig(strings.Replace(s.URL, "http://", "http://admin:s3cr%40t@", 1) + "/search/")
	d := newTestDest(t, c)
	if fs, err := d.Deliver(context.Background(), recs(`{"n":1}`)); err != nil || len(fs) != 0 {
		t.Fatalf("Deliver = %v, %v", fs, err)
	}
	reqs, _, _ := s.snapshot()
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth("admin", "s3cr@t")
	if reqs[0].Auth != req.Header.Get("Authorization") {
		t.Fatalf("Authorization %q", reqs[0].Auth)
	}
	if got := *c.Describe().ClusterEndpoint; strings.Contains(got, "s3cr") || !strings.Contains(got, "admin:") {
		t.Fatalf("described endpoint %q", got)
	}
}

func TestConcurrentDeliver(t *testing.T) {
	s := newBulkServer(t)
	d := newTestDest(t, testConfig(s.URL))
	done := make(chan error)
	for i := range 4 {
		go func() {
			b := recs(`{"n":1}`)
			b.Records[0].ID = "id-" + string(rune('0'+i))
			fs, err := d.Deliver(context.Background(), b)
			if err == nil && len(fs) != 0 {
				err = errors.New("failures")
			}
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if _, _, docs := s.snapshot(); len(docs["myindex-2016-02-25"]) != 4 {
		t.Fatalf("docs %v", docs)
	}
}

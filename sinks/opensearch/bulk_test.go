package opensearch

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestIndexName(t *testing.T) {
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	cases := []struct {
		period string
		t      string
		want   string
	}{
		// The example of AWS's index rotation page (arrival 2016-02-25T13:00:00Z).
		{NoRotation, "2016-02-25T13:00:00Z", "myindex"},
		{OneHour, "2016-02-25T13:00:00Z", "myindex-2016-02-25-13"},
		{OneDay, "2016-02-25T13:00:00Z", "myindex-2016-02-25"},
		{OneMonth, "2016-02-25T13:00:00Z", "myindex-2016-02"},
		// OneWeek by the stated US convention: weeks start on Sunday, week 1
		// holds January 1. 2016-01-01 is a Friday, so week 1 is Dec 27 - Jan
		// 2 and Feb 21-27 is week 9 (the page's table says w08, the ISO week).
		{OneWeek, "2016-02-25T13:00:00Z", "myindex-2016-w09"},
		{OneWeek, "2016-01-02T23:59:59Z", "myindex-2016-w01"}, // Saturday
		{OneWeek, "2016-01-03T00:00:00Z", "myindex-2016-w02"}, // Sunday
		{OneWeek, "2015-12-29T10:00:00Z", "myindex-2016-w01"}, // a December day of week 1
		{OneWeek, "2016-12-31T10:00:00Z", "myindex-2016-w53"}, // 2017-01-01 is a Sunday
		{OneWeek, "2017-01-01T00:00:00Z", "myindex-2017-w01"},
		{OneWeek, "2020-08-13T00:00:00Z", "myindex-2020-w33"}, // the page's 2020-w33
		// Times are taken in UTC.
		{OneHour, "2016-02-25T23:30:00-05:00", "myindex-2016-02-26-04"},
		{OneDay, "2016-02-29T23:59:59Z", "myindex-2016-02-29"},
		{OneMonth, "2016-12-31T23:59:59.999Z", "myindex-2016-12"},
		{"", "2016-02-25T13:00:00Z", "myindex"},
	}
	for _, c := range cases {
		if got := IndexName("myindex", c.period, at(c.t)); got != c.want {
			t.Errorf("IndexName(%s, %s) = %q, want %q", c.period, c.t, got, c.want)
		}
	}
}

func TestSingleLine(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a":1}`, `{"a":1}`},
		{"{\"a\": 1}\n", `{"a":1}`},
		{"{\r\n  \"a\": [1, 2],\n  \"b\": \"x\\ny\"\n}\n", `{"a":[1,2],"b":"x\ny"}`},
		{`"s"`, `"s"`},
		{"nope", ""},
		{`{"a":1}{"b":2}`, ""},
		{"", ""},
	}
	for _, c := range cases {
		got, err := singleLine([]byte(c.in))
		if (err != nil) != (c.want == "") || string(got) != c.want {
			t.Errorf("singleLine(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestDecodeBulkResponse(t *testing.T) {
	ok := `{"took":30,"errors":true,"items":[` +
		`{"index":{"_index":"i","_id":"1","_version":1,"result":"created","_shards":{"total":2,"successful":1,"failed":0},"status":201,"_seq_no":0,"_primary_term":1}},` +
		`{"index":{"_index":"i","_id":"2","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse"}}},` +
		`{"create":{"_index":"i","_id":"3","status":429,"error":"EsRejectedExecutionException[rejected]"}}]}`
	items, err := decodeBulkResponse([]byte(ok))
	if err != nil || len(items) != 3 {
		t.Fatalf("decode = %v, %v", items, err)
	}
	if items[0].failed() || items[0].ID != "1" || items[0].Index != "i" {
		t.Fatalf("item 0 %+v", items[0])
	}
	if !items[1].failed() || items[1].retryable() || items[1].message() != `{"type":"mapper_parsing_exception","reason":"failed to parse"}` {
		t.Fatalf("item 1 %+v %s", items[1], items[1].message())
	}
	if !items[2].retryable() || items[2].message() != "EsRejectedExecutionException[rejected]" {
		t.Fatalf("item 2 %+v", items[2])
	}
	for _, bad := range []string{``, `[]`, `{}`, `{"items":null}`, `{"items":[{}]}`, `{"items":[{"index":{},"create":{}}]}`,
		`{"items":[{"index":{"_id":"1"}}]}`, `{"items":[{"index":[]}]}`, `{"items":[{"index":{"status":"201"}}]}`} {
		if _, err := decodeBulkResponse([]byte(bad)); err == nil {
			t.Errorf("decode(%q) succeeded", bad)
		}
	}
}

func TestRequestError(t *testing.T) {
	_, body := esError(403, "security_exception", "no permissions for [indices:data/write/bulk]")
	if got := requestError([]byte(body)); !strings.HasPrefix(got, `{"reason":"no permissions`) || !strings.Contains(got, "security_exception") {
		t.Fatalf("requestError = %s", got)
	}
	if got := requestError([]byte("  Bad Gateway\n")); got != "Bad Gateway" {
		t.Fatalf("requestError = %q", got)
	}
	if got := requestError(bytes.Repeat([]byte("x"), 5000)); len(got) != 1024 {
		t.Fatalf("len %d", len(got))
	}
}

func FuzzDecodeBulkResponse(f *testing.F) {
	for _, s := range []string{
		`{"took":1,"errors":false,"items":[{"index":{"_index":"i","_id":"1","status":201}}]}`,
		`{"took":1,"errors":true,"items":[{"index":{"_index":"i","_id":"2","status":400,"error":{"type":"t","reason":"r"}}}]}`,
		`{"items":[{"delete":{"status":404,"error":null}}]}`,
		`{"items":[{"index":{"status":503,"error":"x"}},{"update":{"status":200}}]}`,
		`{"error":{"type":"x"},"status":500}`,
		`{"items":[{"index":{"status":1e99}}]}`,
		`{"items":[{}]}`,
		`{"items":[{"index":{"status":200,"error":""}}]}`,
		`null`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := decodeBulkResponse(body)
		if err != nil {
			if items != nil {
				t.Fatal("items with an error")
			}
			return
		}
		for _, it := range items {
			_ = it.failed()
			_ = it.retryable()
			if it.failed() && it.message() == "" {
				t.Fatalf("failed item %+v without a message", it)
			}
		}
		_ = requestError(body)
	})
}

package kinesis_test

import (
	"bytes"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

// cborCall sends one CBOR request as the Java SDKs and the KCL do and
// decodes the CBOR answer.
func cborCall(t *testing.T, url, op string, in any) (int, map[string]any) {
	t.Helper()
	body, err := cbor.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-cbor-1.1" {
		t.Fatalf("%s: content type %q", op, ct)
	}
	var out map[string]any
	if len(raw) > 0 {
		dm, _ := cbor.DecOptions{DefaultMapType: reflect.TypeOf(map[string]any{})}.DecMode()
		if err := dm.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: response is not CBOR: %v", op, err)
		}
	}
	return resp.StatusCode, out
}

func TestCBOR(t *testing.T) {
	s := testutil.Start(t, server.Config{})
	c := testutil.Kinesis(s.URL())
	url := s.URL()
	if code, out := cborCall(t, url, "CreateStream", map[string]any{"StreamName": "java", "ShardCount": 1}); code != 200 {
		t.Fatalf("create: %d %v", code, out)
	}
	testutil.WaitActive(t, c, "java")
	data := []byte{0, 1, 2, 0xff, 'h', 'i'}
	code, put := cborCall(t, url, "PutRecord", map[string]any{"StreamName": "java", "PartitionKey": "pk", "Data": data})
	if code != 200 || put["ShardId"] != "shardId-000000000000" {
		t.Fatalf("put: %d %v", code, put)
	}
	code, it := cborCall(t, url, "GetShardIterator", map[string]any{"StreamName": "java", "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"})
	if code != 200 {
		t.Fatalf("iterator: %d %v", code, it)
	}
	code, got := cborCall(t, url, "GetRecords", map[string]any{"ShardIterator": it["ShardIterator"]})
	if code != 200 {
		t.Fatalf("get: %d %v", code, got)
	}
	recs := got["Records"].([]any)
	rec := recs[0].(map[string]any)
	if !bytes.Equal(rec["Data"].([]byte), data) {
		t.Fatalf("Data is not the same byte string: %#v", rec["Data"])
	}
	if rec["SequenceNumber"] != put["SequenceNumber"] {
		t.Fatalf("sequence %v vs %v", rec["SequenceNumber"], put["SequenceNumber"])
	}
	// The Java SDKs write and read timestamps as epoch milliseconds under
	// tag 1 (where standard CBOR has seconds), so a standard decoder sees
	// a time whose "seconds" are our milliseconds.
	tagged, ok := rec["ApproximateArrivalTimestamp"].(time.Time)
	if !ok {
		t.Fatalf("timestamp decoded as %T %v", rec["ApproximateArrivalTimestamp"], rec["ApproximateArrivalTimestamp"])
	}
	ts := time.UnixMilli(tagged.Unix())
	if d := time.Since(ts); d < 0 || d > time.Minute {
		t.Fatalf("timestamp %v is not epoch milliseconds of now", tagged)
	}
	// Errors come back in CBOR too.
	code, e := cborCall(t, url, "DescribeStream", map[string]any{"StreamName": "missing"})
	if code != 400 || e["__type"] != "ResourceNotFoundException" {
		t.Fatalf("error: %d %v", code, e)
	}
	// AT_TIMESTAMP with a tag-1 millisecond timestamp, as the Java SDK sends.
	code, it = cborCall(t, url, "GetShardIterator", map[string]any{"StreamName": "java", "ShardId": "shardId-000000000000",
		"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": cbor.Tag{Number: 1, Content: ts.Add(-time.Second).UnixMilli()}})
	if code != 200 {
		t.Fatalf("AT_TIMESTAMP: %d %v", code, it)
	}
	if _, got = cborCall(t, url, "GetRecords", map[string]any{"ShardIterator": it["ShardIterator"]}); len(got["Records"].([]any)) != 1 {
		t.Fatalf("AT_TIMESTAMP read %v", got)
	}
}

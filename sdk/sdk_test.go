package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/runtime/wasm/abi"
)

func serveOn(t *testing.T, h any, kind int32, in []byte) (byte, []byte) {
	t.Helper()
	hd, err := newHandler(h)
	if err != nil {
		t.Fatal(err)
	}
	s := server{h: hd}
	out := s.serve(nil, kind, in)
	return out[0], out[1:]
}

func testEnvelope(data ...string) []byte {
	b := engine.Batch{Context: engine.BatchContext{ShardID: "shardId-1", StreamARN: "arn:s",
		Window: &engine.Window{Start: time.UnixMilli(1000), End: time.UnixMilli(2000)}, State: []byte(`{"n":"1"}`)}}
	for i, d := range data {
		b.Records = append(b.Records, engine.Record{SequenceNumber: string(rune('1' + i)), RecordID: "r" + string(rune('1'+i)), Data: []byte(d)})
	}
	return abi.AppendEnvelope(nil, &b)
}

func serveBatch(t *testing.T, h any, in []byte, n int) engine.BatchResult {
	t.Helper()
	status, body := serveOn(t, h, abi.KindBatch, in)
	if status != abi.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var res engine.BatchResult
	if err := abi.DecodeResult(body, n, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestBatchForm(t *testing.T) {
	res := serveBatch(t, upper, testEnvelope("ab", "", "c"), 3)
	if string(res.Records[0].Data) != "AB" || res.Records[1].Status != Dropped || string(res.Records[2].Data) != "C" {
		t.Fatalf("got %+v", res)
	}
}

func TestKinesisForm(t *testing.T) {
	h := func(_ context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		var resp events.KinesisEventResponse
		for _, r := range ev.Records {
			if string(r.Kinesis.Data) == "fail" && r.EventSourceArn == "arn:s" && strings.HasPrefix(r.EventID, "shardId-1:") {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
			}
		}
		return resp, nil
	}
	res := serveBatch(t, h, testEnvelope("ok", "fail"), 2)
	if len(res.Failed) != 1 || res.Failed[0] != "2" {
		t.Fatalf("got %+v", res)
	}
}

func TestFirehoseForm(t *testing.T) {
	h := func(_ context.Context, ev events.KinesisFirehoseEvent) (events.KinesisFirehoseResponse, error) {
		var resp events.KinesisFirehoseResponse
		for _, r := range ev.Records {
			out := events.KinesisFirehoseResponseRecord{RecordID: r.RecordID, Result: "Ok", Data: append(r.Data, '!')}
			if len(r.Data) == 0 {
				out.Result = "Dropped"
			}
			resp.Records = append(resp.Records, out)
		}
		return resp, nil
	}
	res := serveBatch(t, h, testEnvelope("x", ""), 2)
	if string(res.Records[0].Data) != "x!" || res.Records[1].Status != Dropped {
		t.Fatalf("got %+v", res)
	}
}

func TestTimeWindowForm(t *testing.T) {
	h := func(_ context.Context, ev events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error) {
		var resp events.KinesisTimeWindowEventResponse
		resp.State = map[string]string{"n": ev.State["n"] + "+", "end": ev.Window.End.UTC().Format(time.RFC3339)}
		return resp, nil
	}
	res := serveBatch(t, h, testEnvelope("x"), 1)
	var st map[string]string
	if err := json.Unmarshal(res.State, &st); err != nil || st["n"] != "1+" || st["end"] != "1970-01-01T00:00:02Z" {
		t.Fatalf("state %s: %v", res.State, err)
	}
}

func TestJSONForms(t *testing.T) {
	type in struct{ N int }
	for _, tc := range []struct {
		name    string
		h       any
		status  byte
		payload string
	}{
		{"ctx in out err", func(_ context.Context, v in) (in, error) { v.N++; return v, nil }, 0, `{"N":2}`},
		{"in out err", func(v in) (int, error) { return v.N, nil }, 0, `1`},
		{"error only", func() error { return errors.New("nope") }, 1, `{"errorMessage":"nope","errorType":"errorString"}`},
		{"nothing", func() {}, 0, `null`},
		{"panic", func() error { panic("oops") }, 1, `{"errorMessage":"oops","errorType":"string"}`},
	} {
		status, body := serveOn(t, tc.h, abi.KindJSON, []byte(`{"N":1}`))
		if status != tc.status || string(body) != tc.payload {
			t.Errorf("%s: got %d %s", tc.name, status, body)
		}
	}
	if _, err := newHandler(func(int, int) {}); err == nil {
		t.Error("accepted func(int, int)")
	}
	if _, err := newHandler(42); err == nil {
		t.Error("accepted a non-func")
	}
}

func TestBatchFormOnJSONEvents(t *testing.T) {
	status, body := serveOn(t, upper, abi.KindJSON, []byte(`{"Records":[{"eventID":"shardId-1:9","kinesis":{"sequenceNumber":"9","data":"YQ=="}}]}`))
	if status != 0 || string(body) != `{"batchItemFailures":[]}` {
		t.Fatalf("kinesis: %d %s", status, body)
	}
	status, body = serveOn(t, upper, abi.KindJSON, []byte(`{"invocationId":"i","records":[{"recordId":"r1","data":"YQ=="},{"recordId":"r2","data":""}]}`))
	if status != 0 || !strings.Contains(string(body), `{"recordId":"r1","result":"Ok","data":"QQ==","metadata"`) || !strings.Contains(string(body), `"result":"Dropped"`) {
		t.Fatalf("firehose: %d %s", status, body)
	}
}

func TestMalformedEnvelope(t *testing.T) {
	status, body := serveOn(t, upper, abi.KindBatch, []byte{1, 2, 3})
	if status != abi.StatusError || !strings.Contains(string(body), "malformed") {
		t.Fatalf("got %d %s", status, body)
	}
}

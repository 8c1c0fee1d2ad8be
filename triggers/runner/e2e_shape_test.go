package runner_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEventShape: records reach the function as Lambda's KinesisEvent
// ("Example Kinesis record event",
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html).
func TestEventShape(t *testing.T) {
	forKinds(t, func(t *testing.T, e *env, kind string) {
		stream := e.stream(t, "shape", 1)
		f := e.deploy(t, kind, map[string]string{"RAW": "1"})
		binary := []byte{0xff, 0x00, 'x', 0x80}
		before := time.Now()
		puts := e.putMany(t, stream, []entry{
			{Key: "key-a", Msg: msg{"id": "a"}},
			{Key: "key-b", Msg: msg{"id": "b", "text": "é\"\\"}},
			{Key: "key-c", Raw: binary},
		})
		after := time.Now()
		e.mapping(t, kinesisMapping(f, stream, 10))

		v := f.await(t, wait, "3 records", func(v []invocation) bool { return len(seen(v)) >= 3 })
		if len(v) != 1 {
			// They were stored by one request before the mapping started.
			t.Errorf("3 records stored together came in %d invocations, want 1:\n%s", len(v), dump(v))
		}
		var seqs, keys, data []string
		for _, inv := range v {
			if inv.Error != "" || len(inv.Failed) > 0 {
				t.Fatalf("invocation failed: %s", inv)
			}
			seqs, keys, data = append(seqs, inv.Seqs...), append(keys, inv.Keys...), append(data, inv.Data...)
			if inv.Shard != "shardId-000000000000" {
				t.Errorf("shard %q, want shardId-000000000000", inv.Shard)
			}
			if inv.EventSourceARN != streamARN(stream) {
				t.Errorf("eventSourceARN %q, want %q", inv.EventSourceARN, streamARN(stream))
			}
			if inv.Window != nil {
				t.Errorf("a mapping without TumblingWindowInSeconds sent a window: %s", inv)
			}
			want := map[string]any{
				"eventSource": "aws:kinesis", "eventVersion": "1.0", "eventName": "aws:kinesis:record",
				"eventID": "shardId-000000000000:" + inv.Seqs[0], "awsRegion": region,
				"eventSourceARN": streamARN(stream), "kinesisSchemaVersion": "1.0",
			}
			for k, w := range want {
				if inv.Fields[k] != w {
					t.Errorf("%s = %v, want %v", k, inv.Fields[k], w)
				}
			}
			// The WebAssembly batch ABI carries no role: kinesin's sdk
			// leaves invokeIdentityArn empty there.
			if arn, _ := inv.Fields["invokeIdentityArn"].(string); kind == kindLambda && !strings.HasPrefix(arn, "arn:aws:iam::"+account+":role/") {
				t.Errorf("invokeIdentityArn %q, want an IAM role ARN of account %s", arn, account)
			}
			ts, _ := inv.Fields["approximateArrivalTimestamp"].(float64)
			if at := time.Unix(0, int64(ts*1e9)); at.Before(before.Add(-time.Second)) || at.After(after.Add(time.Second)) {
				t.Errorf("approximateArrivalTimestamp %v not when the record was put (%v…%v)", at, before, after)
			}
		}
		var wantSeqs, wantKeys []string
		for _, p := range puts {
			wantSeqs, wantKeys = append(wantSeqs, p.Seq), append(wantKeys, p.Key)
		}
		if !slices.Equal(seqs, wantSeqs) || !slices.Equal(keys, wantKeys) {
			t.Errorf("got sequence numbers %v keys %v, want %v %v", seqs, keys, wantSeqs, wantKeys)
		}
		if len(data) == 3 && (data[0] != `{"id":"a"}` || data[1] != `{"id":"b","text":"é\"\\"}`) {
			t.Errorf("data %q", data[:2])
		}
		if kind == kindLambda {
			checkRawEvent(t, f.out+".raw", stream, puts, map[string][]byte{
				puts[0].Seq: []byte(`{"id":"a"}`), puts[1].Seq: []byte(`{"id":"b","text":"é\"\\"}`), puts[2].Seq: binary,
			})
		}
	})
}

// checkRawEvent checks the JSON the Lambda build received, key by key.
func checkRawEvent(t *testing.T, path, stream string, puts []put, data map[string][]byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("raw event: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("raw event %s: %v", raw, err)
	}
	if got := sortedKeys(ev); !slices.Equal(got, []string{"Records"}) {
		t.Errorf("event keys %v, want [Records]: %s", got, raw)
	}
	recs, _ := ev["Records"].([]any)
	if len(recs) == 0 {
		t.Fatalf("no Records: %s", raw)
	}
	bySeq := map[string]put{}
	for _, p := range puts {
		bySeq[p.Seq] = p
	}
	for _, r := range recs {
		rec, _ := r.(map[string]any)
		if got := sortedKeys(rec); !slices.Equal(got, []string{"awsRegion", "eventID", "eventName", "eventSource", "eventSourceARN", "eventVersion", "invokeIdentityArn", "kinesis"}) {
			t.Errorf("record keys %v: %s", got, raw)
		}
		k, _ := rec["kinesis"].(map[string]any)
		got := sortedKeys(k)
		got = slices.DeleteFunc(got, func(s string) bool { return s == "encryptionType" })
		if !slices.Equal(got, []string{"approximateArrivalTimestamp", "data", "kinesisSchemaVersion", "partitionKey", "sequenceNumber"}) {
			t.Errorf("kinesis keys %v: %s", got, raw)
		}
		seq, _ := k["sequenceNumber"].(string)
		p, ok := bySeq[seq]
		if !ok {
			t.Errorf("sequenceNumber %q was not put", seq)
			continue
		}
		if k["partitionKey"] != p.Key || k["kinesisSchemaVersion"] != "1.0" {
			t.Errorf("partitionKey %v kinesisSchemaVersion %v, want %s 1.0", k["partitionKey"], k["kinesisSchemaVersion"], p.Key)
		}
		b64, _ := k["data"].(string)
		if b, err := base64.StdEncoding.DecodeString(b64); err != nil || !bytes.Equal(b, data[seq]) {
			t.Errorf("data %q is not the base64 of %q (%v)", b64, data[seq], err)
		}
		n, ok := k["approximateArrivalTimestamp"].(json.Number)
		if f, err := n.Float64(); !ok || err != nil || time.Since(time.Unix(0, int64(f*1e9))) > time.Minute {
			t.Errorf("approximateArrivalTimestamp %v is not epoch seconds (a JSON number)", k["approximateArrivalTimestamp"])
		}
		want := map[string]string{
			"eventSource": "aws:kinesis", "eventVersion": "1.0", "eventName": "aws:kinesis:record",
			"eventID": p.Shard + ":" + seq, "awsRegion": region, "eventSourceARN": streamARN(stream),
		}
		for key, w := range want {
			if rec[key] != w {
				t.Errorf("%s = %v, want %q", key, rec[key], w)
			}
		}
		if arn, _ := rec["invokeIdentityArn"].(string); !strings.HasPrefix(arn, "arn:aws:iam::") {
			t.Errorf("invokeIdentityArn %q", arn)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

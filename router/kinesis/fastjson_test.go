package kinesis

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/kinesin/kinesin/router/awsproto"
	"github.com/kinesin/kinesin/router/shardstore"
)

var putRecordsSeeds = []string{
	`{"Records":[{"Data":"aGVsbG8=","PartitionKey":"k"}],"StreamName":"s"}`,
	`{"StreamName":"s","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","Records":[{"Data":"","PartitionKey":"a","ExplicitHashKey":"0"},{"PartitionKey":"b","Data":"AAEC"}]}`,
	` { "Records" : [ ] , "StreamName" : "x" } `,
	`{"Records":[{"Data":"aGVsbG8","PartitionKey":"k"}],"StreamName":"s"}`,
	`{"Records":[{"Data":"aGVs\nbG8=","PartitionKey":"k"}],"StreamName":"s"}`,
	`{"Records":[{"Data":"aGVsbG8=","PartitionKey":"k\u00e9"}],"StreamName":"s"}`,
	`{"Records":[{"Data":null,"PartitionKey":"k"}],"StreamName":"s"}`,
	`{"Records":[{"PartitionKey":"k"}],"StreamName":"s",}`,
	`{"Records":[{"Data":"aGVsbG8=","PartitionKey":"k"},],"StreamName":"s"}`,
	`{"Records":[{"Data":"aGVsbG8=","PartitionKey":"k","Extra":1}]}`,
	`{"Records":{}}`,
	`{}`,
	``,
	`{"Records":[{"Data":"aGVsbG8=","PartitionKey":"\xff"}],"StreamName":"s"}`,
}

// FuzzFastPutRecords checks the fast PutRecords decoder against
// encoding/json: whenever the fast path accepts a body, the generic
// decoder must accept it too and produce the same request.
func FuzzFastPutRecords(f *testing.F) {
	for _, s := range putRecordsSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast putRecordsIn
		if !fastPutRecords(body, &fast) {
			var slow putRecordsIn
			_ = awsproto.JSON.Unmarshal(body, &slow) // must not panic
			return
		}
		var slow putRecordsIn
		if err := json.Unmarshal(body, &slow); err != nil {
			t.Fatalf("fast path accepted what encoding/json refuses (%v): %q", err, body)
		}
		slow.hasRecords = slow.Records != nil
		norm := func(in *putRecordsIn) {
			for i := range in.Records {
				if in.Records[i].Data == nil {
					in.Records[i].Data = []byte{}
				}
				in.Records[i].Data = append([]byte{}, in.Records[i].Data...)
			}
		}
		norm(&fast)
		norm(&slow)
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("decoders disagree on %q:\nfast %+v\nslow %+v", body, fast, slow)
		}
	})
}

func TestFastEncodersMatchJSON(t *testing.T) {
	out := putRecordsOut{FailedRecordCount: 1, Records: []putRecordsResult{
		{SequenceNumber: "49600000000000000000000000000000000000000000000000000001", ShardId: "shardId-000000000001"},
		{ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard <x> & \"y\""},
	}}
	var a, b any
	want, _ := json.Marshal(out)
	_ = json.Unmarshal(want, &a)
	if err := json.Unmarshal(encodePutRecordsOut(&out), &b); err != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("PutRecords: %v\n%s\n%s", err, want, encodePutRecordsOut(&out))
	}
	next := "iter"
	st := &shardstore.Stream{Name: "s", EncryptionType: "KMS"}
	stored := []shardstore.StoredRecord{
		{Pos: shardstore.Position{Msg: 3, Index: 9}, Arrival: time.UnixMilli(1700000000123), Key: []byte("ké\n<"), Data: []byte{0, 1, 2, 250}},
		{Pos: shardstore.Position{Msg: 4, Index: 0}, Arrival: time.UnixMilli(1700000000999), Key: []byte("plain"), Data: []byte{}},
	}
	g := getRecordsOut{Records: (&Service{}).recordsOut(st, 7, stored), NextShardIterator: &next, MillisBehindLatest: 5,
		ChildShards: []childShard{{ShardId: "shardId-000000000002", ParentShards: []string{"shardId-000000000000"}, HashKeyRange: hashKeyRange{"0", "1"}}}}
	want, _ = json.Marshal(g)
	a, b = nil, nil
	_ = json.Unmarshal(want, &a)
	fast := encodeGetRecordsOut(&g, st, 7, stored)
	if err := json.Unmarshal(fast, &b); err != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("GetRecords: %v\n%s\n%s", err, want, fast)
	}
}

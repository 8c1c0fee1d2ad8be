package videotest_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/router/videostore"
	"github.com/kinesin/kinesin/triggers/mappings"
)

// TestFragmentsInOrder: a TRIM_HORIZON mapping gets every fragment stored
// before and after it was created exactly once, in order, in batches of at
// most BatchSize, each record shaped as docs/mappings.md says.
func TestFragmentsInOrder(t *testing.T) {
	e := newEnv(t)
	arn := e.videoStream(t, "cam1")
	before := e.appendFragments(t, "cam1", 3)
	fn := e.function(t, "order", nil)
	id := e.createMapping(t, fn, arn, map[string]any{"StartingPosition": "TRIM_HORIZON", "BatchSize": 2})
	if c := e.mapping(t, id); c.BatchSize != 2 || c.StartingPosition != "TRIM_HORIZON" || c.EventSourceArn != arn {
		t.Fatalf("mapping: %+v", c)
	}
	after := e.appendFragments(t, "cam1", 4)
	all := append(before, after...)
	e.awaitDelivered(t, fn, all)
	for _, inv := range e.calls(fn) {
		if len(inv.Records) == 0 || len(inv.Records) > 2 {
			t.Fatalf("a call with %d records (BatchSize 2)", len(inv.Records))
		}
	}
	// Every field of one record.
	got := e.calls(fn)[0].Records[0]
	f := all[0]
	kv := got.KinesisVideo
	switch {
	case got.EventSource != "kinesin:kinesisvideo", got.EventName != "kinesisvideo:Fragment", got.EventVersion != "1.0",
		got.AWSRegion != region, got.EventSourceARN != arn, got.EventID != f.Number:
		t.Fatalf("record: %+v", got)
	case kv.StreamName != "cam1", kv.FragmentNumber != f.Number, kv.DataEndpoint != endpoint,
		kv.FragmentSizeInBytes != f.Size || f.Size <= 0,
		kv.FragmentLengthInMilliseconds != f.Duration.Milliseconds() || f.Duration <= 0,
		kv.ProducerTimestamp != float64(f.ProducerTimestamp.UnixMilli())/1000,
		kv.ServerTimestamp != float64(f.ServerTimestamp.UnixMilli())/1000:
		t.Fatalf("kinesisVideo: %+v, fragment %+v", kv, f)
	}
	eventually(t, wait, "LastProcessingResult OK", func() bool {
		return e.mapping(t, id).LastProcessingResult == mappings.ResultOK
	})
	// The shard report: one "shard", the stream, checkpointed at the last.
	status, body := e.call("GET", mappings.ShardsPath+"/"+id+"/shards", nil)
	var out struct{ Shards []mappings.ShardStatus }
	if err := json.Unmarshal(body, &out); status != 200 || err != nil || len(out.Shards) != 1 {
		t.Fatalf("shards: %d %s", status, body)
	}
	eventually(t, wait, "checkpoint at the last fragment", func() bool {
		_, body := e.call("GET", mappings.ShardsPath+"/"+id+"/shards", nil)
		_ = json.Unmarshal(body, &out)
		s := out.Shards[0]
		return s.ShardID == "cam1" && s.Checkpoint == all[len(all)-1].Number && s.Stats.Records == int64(len(all))
	})
}

// TestStartingPositions: LATEST gets only fragments stored after the
// mapping was created; TRIM_HORIZON all of them; AT_TIMESTAMP those whose
// server timestamp is at or after it.
func TestStartingPositions(t *testing.T) {
	e := newEnv(t)
	arn := e.videoStream(t, "cam")
	old := e.appendFragments(t, "cam", 3)
	latest := e.function(t, "latest", nil)
	horizon := e.function(t, "horizon", nil)
	at := e.function(t, "at", nil)
	e.createMapping(t, latest, arn, map[string]any{"StartingPosition": "LATEST"})
	e.createMapping(t, horizon, arn, map[string]any{"StartingPosition": "TRIM_HORIZON"})
	e.createMapping(t, at, arn, map[string]any{"StartingPosition": "AT_TIMESTAMP",
		"StartingPositionTimestamp": float64(old[1].ServerTimestamp.UnixMilli()) / 1000})
	fresh := e.appendFragments(t, "cam", 2)
	e.awaitDelivered(t, latest, fresh)
	e.awaitDelivered(t, horizon, append(slices.Clone(old), fresh...))
	e.awaitDelivered(t, at, append(slices.Clone(old[1:]), fresh...))
}

// TestRestartResumes: a process that starts after the first stopped goes
// on from the checkpoint: nothing handled is delivered again.
func TestRestartResumes(t *testing.T) {
	e := newEnv(t)
	arn := e.videoStream(t, "cam")
	fn := e.function(t, "resume", nil)
	id := e.createMapping(t, fn, arn, map[string]any{"StartingPosition": "TRIM_HORIZON"})
	first := e.appendFragments(t, "cam", 3)
	e.awaitDelivered(t, fn, first)
	// A batch in flight when a process stops is delivered again (at least
	// once): stop once it is checkpointed.
	e.awaitCheckpoint(t, id, first[2].Number)
	e.first.Close()
	second := e.appendFragments(t, "cam", 3)
	e.process(t)
	e.awaitDelivered(t, fn, append(first, second...))
}

// TestTakeover: with two processes, one follows the stream; when it stops,
// the other takes the lease over and goes on from the checkpoint.
func TestTakeover(t *testing.T) {
	e := newEnv(t)
	arn := e.videoStream(t, "cam")
	fn := e.function(t, "takeover", nil)
	other := e.process(t)
	id := e.createMapping(t, fn, arn, map[string]any{"StartingPosition": "TRIM_HORIZON"})
	first := e.appendFragments(t, "cam", 2)
	e.awaitDelivered(t, fn, first)
	e.awaitCheckpoint(t, id, first[1].Number)
	owner := func() string {
		_, body := e.call("GET", mappings.ShardsPath+"/"+id+"/shards", nil)
		var out struct{ Shards []mappings.ShardStatus }
		_ = json.Unmarshal(body, &out)
		if len(out.Shards) != 1 {
			return ""
		}
		return out.Shards[0].Owner
	}
	was := owner()
	if was == "" {
		t.Fatal("no process holds the stream's lease")
	}
	// Stop whichever holds it.
	if was == "p1" {
		e.first.Close()
	} else {
		other.Close()
	}
	second := e.appendFragments(t, "cam", 3)
	e.awaitDelivered(t, fn, append(first, second...))
	if now := owner(); now == was || now == "" {
		t.Fatalf("owner %q after %q stopped", now, was)
	}
}

// onFailureRecord is the part of an on-failure record the tests read.
type onFailureRecord struct {
	RequestContext struct {
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		FunctionError string `json:"functionError"`
	} `json:"responseContext"`
	KinesisVideoBatchInfo struct {
		StreamArn           string `json:"streamArn"`
		StreamName          string `json:"streamName"`
		StartFragmentNumber string `json:"startFragmentNumber"`
		EndFragmentNumber   string `json:"endFragmentNumber"`
		BatchSize           int    `json:"batchSize"`
	} `json:"KinesisVideoBatchInfo"`
}

func decodeFailures(t *testing.T, recs [][]byte) []onFailureRecord {
	t.Helper()
	out := make([]onFailureRecord, len(recs))
	for i, b := range recs {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatalf("on-failure record %s: %v", b, err)
		}
	}
	return out
}

// TestFailingFunction: a function that fails is called 1+MaximumRetryAttempts
// times per batch, then the batch goes to the on-failure destination and
// the mapping goes on.
func TestFailingFunction(t *testing.T) {
	e := newEnv(t)
	arn := e.videoStream(t, "cam")
	dlq := e.kinesisStream(t, "dlq")
	fs := e.appendFragments(t, "cam", 3)
	fn := e.function(t, "failing", map[string]string{"FAIL": "1"})
	id := e.createMapping(t, fn, arn, map[string]any{
		"StartingPosition": "TRIM_HORIZON", "BatchSize": 3, "MaximumRetryAttempts": 1,
		"DestinationConfig": map[string]any{"OnFailure": map[string]any{"Destination": dlq}},
	})
	eventually(t, wait, "on-failure record", func() bool { return len(e.onFailure(dlq)) >= 1 })
	recs := decodeFailures(t, e.onFailure(dlq))
	r := recs[0]
	b := r.KinesisVideoBatchInfo
	if r.RequestContext.Condition != "RetryAttemptsExhausted" || r.RequestContext.ApproximateInvokeCount != 2 ||
		r.ResponseContext.FunctionError != "Unhandled" || b.StreamArn != arn || b.StreamName != "cam" ||
		b.StartFragmentNumber != fs[0].Number || b.EndFragmentNumber != fs[2].Number || b.BatchSize != 3 {
		t.Fatalf("on-failure record: %s", e.onFailure(dlq)[0])
	}
	want := append(numbers(fs), numbers(fs)...)
	if got := e.delivered(fn); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("calls: %v, want %v", got, want)
	}
	if c := e.mapping(t, id); c.LastProcessingResult != mappings.ResultFunctionError {
		t.Fatalf("LastProcessingResult %q", c.LastProcessingResult)
	}
	// The mapping went on: later fragments are delivered (and fail) too.
	more := e.appendFragments(t, "cam", 1)
	eventually(t, wait, "second on-failure record", func() bool { return len(e.onFailure(dlq)) >= 2 })
	if r := decodeFailures(t, e.onFailure(dlq))[1]; r.KinesisVideoBatchInfo.StartFragmentNumber != more[0].Number {
		t.Fatalf("second on-failure record: %s", e.onFailure(dlq)[1])
	}
}

// TestPartialBatchFailure: with ReportBatchItemFailures, the fragments
// before the one reported are done; it and the rest are retried, then given
// up on.
func TestPartialBatchFailure(t *testing.T) {
	e := newEnv(t)
	arn := e.videoStream(t, "cam")
	dlq := e.kinesisStream(t, "dlq")
	fs := e.appendFragments(t, "cam", 3)
	fn := e.function(t, "partial", map[string]string{"FAIL_IDS": fs[1].Number})
	e.createMapping(t, fn, arn, map[string]any{
		"StartingPosition": "TRIM_HORIZON", "BatchSize": 3, "MaximumRetryAttempts": 0,
		"FunctionResponseTypes": []string{"ReportBatchItemFailures"},
		"DestinationConfig":     map[string]any{"OnFailure": map[string]any{"Destination": dlq}},
	})
	eventually(t, wait, "on-failure record", func() bool { return len(e.onFailure(dlq)) >= 1 })
	b := decodeFailures(t, e.onFailure(dlq))[0].KinesisVideoBatchInfo
	if b.StartFragmentNumber != fs[1].Number || b.EndFragmentNumber != fs[2].Number || b.BatchSize != 2 {
		t.Fatalf("on-failure record: %s", e.onFailure(dlq)[0])
	}
	if got, want := e.delivered(fn), numbers(fs); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("calls: %v, want %v (one call, given up at once)", got, want)
	}
}

// TestFilter: filters apply to the event record.
func TestFilter(t *testing.T) {
	e := newEnv(t)
	arn := e.videoStream(t, "cam")
	fs := e.appendFragments(t, "cam", 4)
	fn := e.function(t, "filtered", nil)
	e.createMapping(t, fn, arn, map[string]any{
		"StartingPosition": "TRIM_HORIZON",
		"FilterCriteria": map[string]any{"Filters": []map[string]string{
			{"Pattern": `{"kinesisVideo":{"fragmentNumber":["` + fs[1].Number + `"]}}`},
			{"Pattern": `cel: data.eventID == "` + fs[3].Number + `"`},
		}},
	})
	e.awaitDelivered(t, fn, []videostore.Fragment{fs[1], fs[3]})
}

// TestStreamDeleted: a deleted stream stops the mapping's reader, which
// reports the stream missing, as for a deleted Kinesis stream.
func TestStreamDeleted(t *testing.T) {
	e := newEnv(t)
	arn := e.videoStream(t, "cam")
	fn := e.function(t, "deleted", nil)
	id := e.createMapping(t, fn, arn, map[string]any{"StartingPosition": "TRIM_HORIZON"})
	fs := e.appendFragments(t, "cam", 1)
	e.awaitDelivered(t, fn, fs)
	e.deleteVideoStream(t, "cam")
	eventually(t, wait, "LastProcessingResult stream not found", func() bool {
		return e.mapping(t, id).LastProcessingResult == mappings.ResultStreamNotFound
	})
	if c := e.mapping(t, id); c.State != mappings.StateEnabled {
		t.Fatalf("state %s", c.State)
	}
	_ = time.Second
}

// TestBatching: BatchSize defaults to 10; fragments already stored go in
// one call; with MaximumBatchingWindowInSeconds, fragments stored one by
// one within the window go in one call too.
func TestBatching(t *testing.T) {
	e := newEnv(t)
	arn := e.videoStream(t, "cam")
	stored := e.appendFragments(t, "cam", 12)
	fn := e.function(t, "batched", nil)
	id := e.createMapping(t, fn, arn, map[string]any{"StartingPosition": "TRIM_HORIZON"})
	if c := e.mapping(t, id); c.BatchSize != 10 || c.ParallelizationFactor != 1 || c.TumblingWindowInSeconds != 0 {
		t.Fatalf("defaults: %+v", c)
	}
	e.awaitDelivered(t, fn, stored)
	if calls := e.calls(fn); len(calls) != 2 || len(calls[0].Records) != 10 || len(calls[1].Records) != 2 {
		t.Fatalf("%d calls, want 10 then 2 records", len(calls))
	}

	windowed := e.function(t, "windowed", nil)
	id = e.createMapping(t, windowed, arn, map[string]any{"StartingPosition": "LATEST", "MaximumBatchingWindowInSeconds": 2})
	e.awaitOwner(t, id)
	var fs []videostore.Fragment
	for range 3 {
		fs = append(fs, e.appendFragments(t, "cam", 1)...)
	}
	e.awaitDelivered(t, windowed, fs)
	if calls := e.calls(windowed); len(calls) != 1 {
		t.Fatalf("%d calls, want the 3 fragments in one", len(calls))
	}
}

// awaitCheckpoint waits until mapping id's checkpoint is at fragment
// number.
func (e *env) awaitCheckpoint(t *testing.T, id, number string) {
	t.Helper()
	eventually(t, wait, "checkpoint at "+number, func() bool {
		_, body := e.call("GET", mappings.ShardsPath+"/"+id+"/shards", nil)
		var out struct{ Shards []mappings.ShardStatus }
		_ = json.Unmarshal(body, &out)
		return len(out.Shards) == 1 && out.Shards[0].Checkpoint == number
	})
}

// awaitOwner waits until some process follows mapping id's stream.
func (e *env) awaitOwner(t *testing.T, id string) {
	t.Helper()
	eventually(t, wait, "a process holds "+id, func() bool {
		_, body := e.call("GET", mappings.ShardsPath+"/"+id+"/shards", nil)
		var out struct{ Shards []mappings.ShardStatus }
		_ = json.Unmarshal(body, &out)
		return len(out.Shards) == 1 && out.Shards[0].Owner != ""
	})
}

// TestUpdateVideoMapping: UpdateEventSourceMapping refuses what makes no
// sense for video and applies the rest.
func TestUpdateVideoMapping(t *testing.T) {
	e := newEnv(t)
	arn := e.videoStream(t, "cam")
	fn := e.function(t, "updated", nil)
	id := e.createMapping(t, fn, arn, map[string]any{"StartingPosition": "LATEST"})
	eventually(t, wait, "Enabled", func() bool { return e.mapping(t, id).State == mappings.StateEnabled })
	for _, c := range []struct {
		body map[string]any
		msg  string
	}{
		{map[string]any{"ParallelizationFactor": 2}, "ParallelizationFactor must be 1 for a Kinesis Video stream event source: its fragments are read in order by a single reader."},
		{map[string]any{"TumblingWindowInSeconds": 1}, "TumblingWindowInSeconds is not supported for a Kinesis Video stream event source."},
		{map[string]any{"FilterCriteria": map[string]any{"Filters": []map[string]string{{"Pattern": `{"eventName":"x"}`}}}}, "Invalid filter pattern definition."},
	} {
		resp := e.serve("PUT", mappings.Path+"/"+id, c.body)
		var out struct{ Message string }
		_ = json.Unmarshal(resp.Body, &out)
		if resp.Status != 400 || out.Message != c.msg || resp.Header["X-Amzn-ErrorType"] != "InvalidParameterValueException" {
			t.Errorf("update %v: %d %v %s", c.body, resp.Status, resp.Header, resp.Body)
		}
	}
	status, body := e.call("PUT", mappings.Path+"/"+id, map[string]any{"BatchSize": 3,
		"FilterCriteria": map[string]any{"Filters": []map[string]string{{"Pattern": `{"kinesisVideo":{"streamName":["cam"]}}`}}}})
	if status != 202 {
		t.Fatalf("update: %d %s", status, body)
	}
	eventually(t, wait, "Enabled again", func() bool { return e.mapping(t, id).State == mappings.StateEnabled })
	e.awaitOwner(t, id)
	fs := e.appendFragments(t, "cam", 4)
	e.awaitDelivered(t, fn, fs)
	for _, inv := range e.calls(fn) {
		if len(inv.Records) > 3 {
			t.Fatalf("a call of %d records after BatchSize 3", len(inv.Records))
		}
	}
}

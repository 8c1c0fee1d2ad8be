package runner_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/kinesin/kinesin/internal/testutil"
)

// TestRetriesThenOnFailure: a batch whose invocation fails is retried as
// the same batch; after 1+MaximumRetryAttempts invocations Lambda writes an
// invocation record to the on-failure destination and goes on with the
// next records ("Error handling" and "Capturing discarded batches",
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html,
// https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html).
func TestRetriesThenOnFailure(t *testing.T) {
	forKinds(t, func(t *testing.T, e *env, kind string) {
		stream, dest := e.stream(t, "retry", 1), e.stream(t, "retry-dlq", 1)
		f := e.deploy(t, kind, nil)
		in := kinesisMapping(f, stream, 10)
		in.MaximumRetryAttempts = aws.Int32(2)
		in.DestinationConfig = onFailure(dest)
		e.mapping(t, in)
		batch := e.putMany(t, stream, []entry{
			{Key: "k", Msg: msg{"id": "ok-0"}}, {Key: "k", Msg: msg{"id": "ok-1"}},
			{Key: "k", Msg: msg{"id": "fail-0", "fail": true}}, {Key: "k", Msg: msg{"id": "ok-2"}},
		})
		f.await(t, wait, "the failing batch", func(v []invocation) bool { return seen(v)["fail-0"] > 0 })
		// Records put while the batch is retried are not added to it.
		later := e.putMany(t, stream, []entry{{Key: "k", Msg: msg{"id": "later-0"}}, {Key: "k", Msg: msg{"id": "later-1"}}})
		v := f.awaitIDs(t, "later-0", "later-1")
		fails := e.awaitFailures(t, dest, 1)

		var want []string
		for _, p := range batch {
			want = append(want, p.Seq)
		}
		var tries []invocation
		for _, inv := range v {
			if inv.has("fail-0") {
				tries = append(tries, inv)
				if !slices.Equal(inv.Seqs, want) {
					t.Errorf("the failing batch was sent as %v, want the same 4 records %v every time", inv.Seqs, want)
				}
			}
		}
		if len(tries) != 3 {
			t.Errorf("the failing batch was invoked %d times, want 3 (MaximumRetryAttempts 2):\n%s", len(tries), dump(v))
		}
		d := delivered(v)
		for _, id := range []string{"ok-0", "ok-1", "ok-2"} {
			if d[id] != 0 {
				t.Errorf("%s, part of the discarded batch, was delivered", id)
			}
		}
		if d["later-0"] != 1 || d["later-1"] != 1 {
			t.Errorf("later records delivered %d and %d times, want once", d["later-0"], d["later-1"])
		}
		if last := v[len(v)-1]; !last.has("later-1") || !seqLess(want[len(want)-1], later[0].Seq) {
			t.Errorf("later records did not come after the failed batch:\n%s", dump(v))
		}
		if len(fails) != 1 {
			t.Fatalf("%d on-failure records, want 1: %v", len(fails), fails)
		}
		r := fails[0]
		checkFailureRecord(t, r, f, stream, "RetryAttemptsExhausted", batch)
		if r.RequestContext.ApproximateInvokeCount != 3 {
			t.Errorf("approximateInvokeCount %d, want 3", r.RequestContext.ApproximateInvokeCount)
		}
		if rc := r.ResponseContext; rc.StatusCode != 200 || rc.ExecutedVersion != "$LATEST" || rc.FunctionError != "Unhandled" {
			t.Errorf("responseContext %+v, want statusCode 200, executedVersion $LATEST, functionError Unhandled", rc)
		}
	})
}

// TestBisectBatch: with BisectBatchOnFunctionError a failing batch is
// split in two and each half retried, down to the poison record alone;
// halving does not use up retries; only the poison record is discarded
// ("BisectBatchOnFunctionError",
// https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html).
func TestBisectBatch(t *testing.T) {
	t.Parallel()
	e := startEnv(t)
	stream, dest := e.stream(t, "bisect", 1), e.stream(t, "bisect-dlq", 1)
	f := e.deploy(t, kindLambda, nil)
	in := kinesisMapping(f, stream, 8)
	in.BisectBatchOnFunctionError = aws.Bool(true)
	in.MaximumRetryAttempts = aws.Int32(2)
	in.DestinationConfig = onFailure(dest)
	e.mapping(t, in)
	var entries []entry
	for i := range 8 {
		m := msg{"id": fmt.Sprintf("b-%d", i)}
		if i == 5 {
			m["fail"] = true
		}
		entries = append(entries, entry{Key: "k", Msg: m})
	}
	puts := e.putMany(t, stream, entries)
	fails := e.awaitFailures(t, dest, 1)
	e.putOne(t, stream, "k", msg{"id": "after"})
	good := []string{"b-0", "b-1", "b-2", "b-3", "b-4", "b-6", "b-7", "after"}
	v := f.awaitIDs(t, good...)

	var sizes []int
	for _, inv := range v {
		if inv.has("b-5") {
			sizes = append(sizes, len(inv.Seqs))
		}
	}
	if !slices.Equal(sizes, []int{8, 4, 2, 1, 1, 1}) {
		t.Errorf("batches holding the poison record had sizes %v, want [8 4 2 1 1 1] (halved to 1, then 1+2 tries):\n%s", sizes, dump(v))
	}
	// The good records reach the function in order.
	var order []string
	d := map[string]bool{}
	for _, inv := range v {
		if inv.Error != "" {
			continue
		}
		for _, id := range inv.ids() {
			if !d[id] {
				d[id] = true
				order = append(order, id)
			}
		}
	}
	if !slices.Equal(order, good) {
		t.Errorf("records succeeded in the order %v, want %v", order, good)
	}
	if len(fails) != 1 {
		t.Fatalf("%d on-failure records, want 1 for the poison record alone: %v", len(fails), fails)
	}
	checkFailureRecord(t, fails[0], f, stream, "RetryAttemptsExhausted", puts[5:6])
}

// TestMaximumRecordAge: a record older than MaximumRecordAgeInSeconds is
// not sent again (or at all); it goes to the on-failure destination with
// condition RecordAgeExceeded, and processing goes on. TriggerTimeUnit
// makes the minimum, 60 s, 600 ms.
func TestMaximumRecordAge(t *testing.T) {
	t.Parallel()
	e := startEnv(t)
	maxAge := 60 * unit

	t.Run("RetriedUntilTooOld", func(t *testing.T) {
		t.Parallel()
		stream, dest := e.stream(t, "age", 1), e.stream(t, "age-dlq", 1)
		f := e.deploy(t, kindLambda, nil)
		in := kinesisMapping(f, stream, 10)
		in.MaximumRecordAgeInSeconds = aws.Int32(60)
		in.MaximumRetryAttempts = aws.Int32(-1)
		in.DestinationConfig = onFailure(dest)
		e.mapping(t, in)
		p := e.putOne(t, stream, "k", msg{"id": "old", "fail": true})
		fails := e.awaitFailures(t, dest, 1)
		e.putOne(t, stream, "k", msg{"id": "next"})
		v := f.awaitIDs(t, "next")

		var tries []invocation
		for _, inv := range v {
			if inv.has("old") {
				tries = append(tries, inv)
			}
		}
		if len(tries) < 2 {
			t.Fatalf("the failing record was invoked %d times before it expired, want retries until it is %v old:\n%s", len(tries), maxAge, dump(v))
		}
		arrival := time.UnixMilli(tries[0].Arrivals[0])
		for _, inv := range tries {
			if at := time.Unix(0, inv.T0); at.After(arrival.Add(maxAge + 100*time.Millisecond)) {
				t.Errorf("the record was sent %v after it arrived, older than MaximumRecordAgeInSeconds (%v)", at.Sub(arrival), maxAge)
			}
		}
		if len(fails) != 1 {
			t.Fatalf("%d on-failure records, want 1: %v", len(fails), fails)
		}
		checkFailureRecord(t, fails[0], f, stream, "RecordAgeExceeded", []put{p})
		if ts, err := time.Parse(time.RFC3339Nano, fails[0].Timestamp); err == nil {
			if age := ts.Sub(arrival); age < maxAge-20*time.Millisecond || age > maxAge+3*time.Second {
				t.Errorf("the record was discarded %v after it arrived, want just after %v", age, maxAge)
			}
		}
	})

	t.Run("ExpiredBeforeFirstTry", func(t *testing.T) {
		t.Parallel()
		stream, dest := e.stream(t, "age-old", 1), e.stream(t, "age-old-dlq", 1)
		f := e.deploy(t, kindLambda, nil)
		p := e.putOne(t, stream, "k", msg{"id": "stale"})
		testutil.Eventually(t, 5*time.Second, "the record to get old", func() bool { return time.Since(p.At) > maxAge+50*time.Millisecond })
		in := kinesisMapping(f, stream, 10)
		in.MaximumRecordAgeInSeconds = aws.Int32(60)
		in.DestinationConfig = onFailure(dest)
		e.mapping(t, in)
		e.putOne(t, stream, "k", msg{"id": "fresh"})
		v := f.awaitIDs(t, "fresh")
		if n := seen(v)["stale"]; n != 0 {
			t.Errorf("a record older than MaximumRecordAgeInSeconds was sent %d times", n)
		}
		fails := e.awaitFailures(t, dest, 1)
		checkFailureRecord(t, fails[0], f, stream, "RecordAgeExceeded", []put{p})
	})
}

package runner_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestOrderAndCompleteness: on a stream of several shards every record
// reaches the function exactly once when nothing fails, in sequence order
// per shard, from the shard it was put in ("Lambda processes records from
// each shard in order",
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html).
func TestOrderAndCompleteness(t *testing.T) {
	forKinds(t, func(t *testing.T, e *env, kind string) {
		stream := e.stream(t, "order", 4)
		f := e.deploy(t, kind, nil)
		e.mapping(t, kinesisMapping(f, stream, 7))
		var puts []put
		for b := range 4 {
			var entries []entry
			for i := range 50 {
				n := b*50 + i
				entries = append(entries, entry{Key: fmt.Sprintf("key-%d", n%20), Msg: msg{"id": fmt.Sprintf("o-%d", n)}})
			}
			puts = append(puts, e.putMany(t, stream, entries)...)
		}
		v := f.awaitIDs(t, ids("o", 200)...)
		checkPerShard(t, v, puts, 7)
	})
}

// checkPerShard checks that every put record was delivered exactly once,
// from its shard, in order per shard, in invocations of at most batch
// records.
func checkPerShard(t *testing.T, v []invocation, puts []put, batch int) {
	t.Helper()
	want := map[string][]string{}
	shardOf := map[string]string{}
	for _, p := range puts {
		want[p.Shard] = append(want[p.Shard], p.Seq)
		shardOf[p.Seq] = p.Shard
	}
	if len(want) < 2 {
		t.Logf("records went to only %d shard(s)", len(want))
	}
	got := map[string][]string{}
	for _, inv := range byStart(v) {
		if inv.Error != "" || len(inv.Failed) > 0 {
			t.Errorf("invocation failed: %s", inv)
		}
		if len(inv.Seqs) > batch {
			t.Errorf("invocation of %d records, BatchSize %d", len(inv.Seqs), batch)
		}
		for _, s := range inv.Seqs {
			if shardOf[s] != inv.Shard {
				t.Errorf("record %s of %s delivered as one of %s", s, shardOf[s], inv.Shard)
			}
		}
		got[inv.Shard] = append(got[inv.Shard], inv.Seqs...)
	}
	for shard, w := range want {
		if !slices.Equal(got[shard], w) {
			t.Errorf("%s: delivered\n%v\nwant each record once, in order:\n%v", shard, got[shard], w)
		}
	}
	if t.Failed() {
		t.Logf("invocations:\n%s", dump(v))
	}
}

// TestParallelizationFactor: with ParallelizationFactor 4 a shard's
// batches run concurrently (up to 4 at once), every record is delivered,
// and records of one partition key stay in order: a batch holding a key's
// later record starts only after the batch holding its earlier record
// ended ("Configuring parallelization factor",
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-parallelization.html).
func TestParallelizationFactor(t *testing.T) {
	t.Parallel()
	e := startEnv(t)
	stream := e.stream(t, "parallel", 1)
	f := e.deploy(t, kindLambda, nil)
	in := kinesisMapping(f, stream, 5)
	in.ParallelizationFactor = aws.Int32(4)
	e.mapping(t, in)
	var puts []put
	const keys, perKey = 13, 12 // keys not a multiple of the factor
	for b := range 4 {
		var entries []entry
		for i := range keys * perKey / 4 {
			n := b*keys*perKey/4 + i
			entries = append(entries, entry{Key: fmt.Sprintf("key-%d", n%keys), Msg: msg{"id": fmt.Sprintf("p-%d", n), "sleepMs": 10}})
		}
		puts = append(puts, e.putMany(t, stream, entries)...)
	}
	all := ids("p", keys*perKey)
	v := f.awaitIDs(t, all...)
	if d := delivered(v); len(d) != len(all) {
		t.Errorf("%d distinct records delivered, want %d", len(d), len(all))
	} else {
		for id, n := range d {
			if n != 1 {
				t.Errorf("%s delivered %d times with no failures", id, n)
			}
		}
	}
	// Per key: sequence order across invocations, and no overlap between
	// the invocations holding consecutive records of a key.
	keyOf, seqOf := map[string]string{}, map[string]string{}
	for _, p := range puts {
		keyOf[p.ID], seqOf[p.ID] = p.Key, p.Seq
	}
	type at struct {
		seq    string
		t0, t1 int64
	}
	perKeyLog := map[string][]at{}
	for _, inv := range byStart(v) {
		for _, id := range inv.ids() {
			perKeyLog[keyOf[id]] = append(perKeyLog[keyOf[id]], at{seqOf[id], inv.T0, inv.T1})
		}
	}
	for k, recs := range perKeyLog {
		for i := 1; i < len(recs); i++ {
			a, b := recs[i-1], recs[i]
			if !seqLess(a.seq, b.seq) {
				t.Errorf("key %s: record %s delivered after %s", k, b.seq, a.seq)
			}
			if a.t0 != b.t0 && b.t0 < a.t1 {
				t.Errorf("key %s: the batch with %s started before the batch with %s ended", k, b.seq, a.seq)
			}
		}
	}
	// Concurrency: some batches overlapped, never more than 4.
	most := 0
	for _, a := range v {
		n := 0
		for _, b := range v {
			if b.T0 <= a.T0 && a.T0 < b.T1 {
				n++
			}
		}
		most = max(most, n)
	}
	if most < 2 || most > 4 {
		t.Errorf("at most %d invocations ran at once, want 2–4 with ParallelizationFactor 4:\n%s", most, dump(v))
	}
}

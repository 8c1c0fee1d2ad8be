package runner_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestRestartResumes: a server stopped while a mapping is mid-stream and
// started again on the same data dir goes on from the checkpoints: every
// record is delivered, none skipped, and only records of a batch in flight
// at the stop may come twice (at most one batch per shard).
func TestRestartResumes(t *testing.T) {
	t.Parallel()
	dir := dataDir(t)
	e1, stop1 := ownServer(t, dir)
	stream := e1.stream(t, "restart", 2)
	f := e1.deploy(t, kindLambda, nil)
	const batch = 10
	uuid := e1.mapping(t, kinesisMapping(f, stream, batch))

	putRange := func(e *env, from, to int) []put {
		var entries []entry
		for i := from; i < to; i++ {
			entries = append(entries, entry{Key: fmt.Sprintf("key-%d", i%10), Msg: msg{"id": fmt.Sprintf("r-%d", i), "sleepMs": 5}})
		}
		return e.putMany(t, stream, entries)
	}
	puts := putRange(e1, 0, 100)
	f.await(t, wait, "a first batch", func(v []invocation) bool { return len(v) > 0 })
	stop1()
	if n := len(delivered(f.invocations(t))); n == 100 {
		t.Logf("all 100 records were delivered before the stop; the restart resumes an idle mapping")
	}

	e2, _ := ownServer(t, dir)
	f.e = e2
	puts = append(puts, putRange(e2, 100, 200)...)
	v := f.awaitIDs(t, ids("r", 200)...)

	// Per shard: in order, and repeats only of one in-flight batch.
	seqShard := map[string]string{}
	for _, p := range puts {
		seqShard[p.Seq] = p.Shard
	}
	first := map[string][]string{}
	seenSeq := map[string]bool{}
	repeats := map[string]int{}
	for _, inv := range byStart(v) {
		for _, s := range inv.Seqs {
			if seenSeq[s] {
				repeats[inv.Shard]++
				continue
			}
			seenSeq[s] = true
			first[inv.Shard] = append(first[inv.Shard], s)
		}
	}
	for shard, seqs := range first {
		for i := 1; i < len(seqs); i++ {
			if !seqLess(seqs[i-1], seqs[i]) {
				t.Errorf("%s: %s delivered before %s", shard, seqs[i-1], seqs[i])
			}
		}
		if repeats[shard] > batch {
			t.Errorf("%s: %d records delivered again after the restart, more than the one batch (%d) in flight", shard, repeats[shard], batch)
		}
	}
	if t.Failed() {
		t.Logf("invocations:\n%s", dump(v))
	}
	e2.deleteMapping(t, uuid, true)
}

// TestSplitWhileRunning: a shard split while a mapping reads the stream and
// writers put records of many keys: every record is delivered, from the
// shard it was put in, and each key's records stay in order across the
// split, because children are read only after their parent is finished
// ("Lambda processes ... child shards after the parent shard",
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html).
func TestSplitWhileRunning(t *testing.T) {
	t.Parallel()
	e := startEnv(t)
	stream := e.stream(t, "split", 1)
	f := e.deploy(t, kindLambda, nil)
	e.mapping(t, kinesisMapping(f, stream, 25))

	const keys, total = 30, 300
	counter := map[string]int{}
	nOf := map[string]int{} // id → its place among its key's records
	var puts []put
	for b := 0; b < total/10; b++ {
		if b == 10 {
			if _, err := e.kin.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{
				StreamName: aws.String(stream), TargetShardCount: aws.Int32(2), ScalingType: ktypes.ScalingTypeUniformScaling,
			}); err != nil {
				t.Fatalf("UpdateShardCount: %v", err)
			}
		}
		var entries []entry
		for i := range 10 {
			n := b*10 + i
			key := fmt.Sprintf("key-%d", n%keys)
			counter[key]++
			nOf[fmt.Sprintf("s-%d", n)] = counter[key]
			entries = append(entries, entry{Key: key, Msg: msg{"id": fmt.Sprintf("s-%d", n), "n": counter[key]}})
		}
		puts = append(puts, e.putMany(t, stream, entries)...)
	}
	v := f.awaitIDs(t, ids("s", total)...)

	shardOf, keyOf := map[string]string{}, map[string]string{}
	parentRecs, childRecs := 0, 0
	for _, p := range puts {
		shardOf[p.ID], keyOf[p.ID] = p.Shard, p.Key
		if p.Shard == "shardId-000000000000" {
			parentRecs++
		} else {
			childRecs++
		}
	}
	if parentRecs == 0 || childRecs == 0 {
		t.Fatalf("%d records went to the parent and %d to its children; the split did not happen mid-stream", parentRecs, childRecs)
	}
	var parentEnd, childStart int64 = 0, 1 << 62
	last := map[string]int{}
	for _, inv := range byStart(v) {
		if inv.Error != "" {
			t.Errorf("invocation failed: %s", inv)
		}
		if inv.Shard == "shardId-000000000000" {
			parentEnd = max(parentEnd, inv.T1)
		} else {
			childStart = min(childStart, inv.T0)
		}
		for _, id := range inv.ids() {
			if shardOf[id] != inv.Shard {
				t.Errorf("%s was put in %s and delivered from %s", id, shardOf[id], inv.Shard)
			}
			k, n := keyOf[id], nOf[id]
			if n < last[k] {
				t.Errorf("key %s: record %d delivered after record %d", k, n, last[k])
			}
			last[k] = max(last[k], n)
		}
	}
	if childStart < parentEnd {
		t.Errorf("a child shard was invoked %v before the parent's last invocation ended", parentEnd-childStart)
	}
	if t.Failed() {
		t.Logf("invocations:\n%s", dump(v))
	}
}

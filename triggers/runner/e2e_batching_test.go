package runner_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestBatching: BatchSize caps the records of an invocation,
// MaximumBatchingWindowInSeconds 0 invokes as soon as records are there, a
// batching window gathers records up to BatchSize, and a batch stays under
// the 6 MB invocation payload ("Polling and batching streams",
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html).
func TestBatching(t *testing.T) {
	t.Parallel()
	e := startEnv(t)

	t.Run("BatchSize", func(t *testing.T) {
		t.Parallel()
		stream := e.stream(t, "batchsize", 1)
		f := e.deploy(t, kindLambda, nil)
		var entries []entry
		for _, id := range ids("r", 25) {
			entries = append(entries, entry{Key: "k", Msg: msg{"id": id}})
		}
		puts := e.putMany(t, stream, entries)
		e.mapping(t, kinesisMapping(f, stream, 10))
		v := f.awaitIDs(t, ids("r", 25)...)
		checkExactlyOnceInOrder(t, v, puts)
		var sizes []int
		for _, inv := range v {
			sizes = append(sizes, len(inv.Seqs))
			if len(inv.Seqs) > 10 {
				t.Errorf("an invocation of %d records with BatchSize 10", len(inv.Seqs))
			}
		}
		// All 25 were in the stream when the mapping started.
		if !slices.Equal(sizes, []int{10, 10, 5}) {
			t.Errorf("batch sizes %v, want [10 10 5]", sizes)
		}
	})

	t.Run("NoWindowIsImmediate", func(t *testing.T) {
		t.Parallel()
		stream := e.stream(t, "nowindow", 1)
		f := e.deploy(t, kindLambda, nil)
		in := kinesisMapping(f, stream, 100)
		in.MaximumBatchingWindowInSeconds = aws.Int32(0)
		e.mapping(t, in)
		var lat []time.Duration
		for i := range 5 {
			id := fmt.Sprintf("n-%d", i)
			start := time.Now()
			e.putOne(t, stream, "k", msg{"id": id})
			v := f.awaitIDs(t, id)
			for _, inv := range v {
				if inv.has(id) {
					lat = append(lat, time.Unix(0, inv.T0).Sub(start))
				}
			}
		}
		slices.Sort(lat)
		if lat[len(lat)/2] > 250*time.Millisecond || lat[len(lat)-1] > time.Second {
			t.Errorf("with no batching window records reached the function after %v; want them at once (push, not 1 s polling)", lat)
		}
	})

	t.Run("WindowGathersUpToBatchSize", func(t *testing.T) {
		t.Parallel()
		stream := e.stream(t, "window", 1)
		f := e.deploy(t, kindLambda, nil)
		in := kinesisMapping(f, stream, 10)
		in.MaximumBatchingWindowInSeconds = aws.Int32(1)
		e.mapping(t, in)
		var puts []put
		var beforeLastBatch time.Time
		for i, id := range ids("w", 35) {
			if i == 30 {
				beforeLastBatch = time.Now()
			}
			puts = append(puts, e.putOne(t, stream, "k", msg{"id": id}))
		}
		if d := puts[34].At.Sub(puts[0].At); d > 700*time.Millisecond {
			t.Skipf("35 puts took %v: too slow a machine to test a 1 s window", d)
		}
		v := f.awaitIDs(t, ids("w", 35)...)
		checkExactlyOnceInOrder(t, v, puts)
		var sizes []int
		for _, inv := range v {
			sizes = append(sizes, len(inv.Seqs))
		}
		if !slices.Equal(sizes, []int{10, 10, 10, 5}) {
			t.Errorf("35 records put one by one with BatchSize 10 and a 1 s window came in batches %v, want [10 10 10 5]", sizes)
		}
		last := v[len(v)-1]
		if at := time.Unix(0, last.T0); at.Before(beforeLastBatch.Add(950*time.Millisecond)) || at.After(puts[34].At.Add(3*time.Second)) {
			t.Errorf("the last, partial batch came %v after its first record was put, want about the 1 s window", at.Sub(beforeLastBatch))
		}
	})

	t.Run("SixMegabytes", func(t *testing.T) {
		if testing.Short() {
			t.Skip("puts 7 MB")
		}
		t.Parallel()
		stream := e.stream(t, "sixmb", 1)
		f := e.deploy(t, kindLambda, nil)
		pad := strings.Repeat("a", 1_000_000-40)
		var puts []put
		for i := range 7 {
			puts = append(puts, e.putOne(t, stream, "k", msg{"id": strconv.Itoa(i), "pad": pad}))
		}
		in := kinesisMapping(f, stream, 100)
		in.MaximumBatchingWindowInSeconds = aws.Int32(1)
		e.mapping(t, in)
		v := f.await(t, wait, "7 records of 1 MB", func(v []invocation) bool {
			n := 0
			for _, inv := range v {
				if inv.Error == "" {
					n += len(inv.Seqs)
				}
			}
			return n >= 7
		})
		var seqs []string
		for _, inv := range v {
			if inv.Error != "" {
				t.Errorf("invocation failed: %s", inv.Error)
			}
			size := 0
			for i, d := range inv.Data {
				n, _ := strconv.Atoi(strings.TrimPrefix(d, "len:"))
				size += n + len(inv.Keys[i])
			}
			if size > 6<<20 {
				t.Errorf("an invocation carried %d bytes of records, over Lambda's 6 MB payload", size)
			}
			seqs = append(seqs, inv.Seqs...)
		}
		var want []string
		for _, p := range puts {
			want = append(want, p.Seq)
		}
		if !slices.Equal(seqs, want) {
			t.Errorf("delivered %d records %v, want %v", len(seqs), seqs, want)
		}
	})
}

// checkExactlyOnceInOrder checks that the successful invocations carried
// exactly the records put, each once, in order (one shard).
func checkExactlyOnceInOrder(t *testing.T, v []invocation, puts []put) {
	t.Helper()
	var got, want []string
	for _, inv := range v {
		if inv.Error == "" {
			got = append(got, inv.Seqs...)
		}
	}
	for _, p := range puts {
		want = append(want, p.Seq)
	}
	if !slices.Equal(got, want) {
		t.Errorf("delivered sequence numbers\n%v\nwant each put once, in order:\n%v\ninvocations:\n%s", got, want, dump(v))
	}
}

package reader

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kinesin/kinesin/router/shardstore"
)

func data(b []shardstore.StoredRecord) []string {
	out := make([]string, len(b))
	for i, r := range b {
		out[i] = string(r.Data)
	}
	return out
}

func TestBatchSize(t *testing.T) {
	s, st := newStore(t, "size")
	appendN(t, s, st, 0, "k", "r", 0, 25)
	c := newCollector()
	run(t, s, st.Name, 0, shardstore.Position{}, Batcher{BatchSize: 10}, c.deliver)
	want := 0
	for _, n := range []int{10, 10, 5} {
		b := c.next(t)
		if len(b) != n {
			t.Fatalf("batch of %d, want %d: %v", len(b), n, data(b))
		}
		for _, r := range b {
			if got := string(r.Data); got != fmt.Sprint("r-", want) {
				t.Fatalf("got %s want r-%d", got, want)
			}
			want++
		}
	}
}

// A batch of exactly BatchSize records closes at once, not at the end of
// a (long) batching window.
func TestExactBatchSizeClosesBeforeWindow(t *testing.T) {
	s, st := newStore(t, "exact")
	c := newCollector()
	run(t, s, st.Name, 0, shardstore.Position{}, Batcher{BatchSize: 10, MaximumBatchingWindow: 300 * time.Second}, c.deliver)
	// Ten single-record appends, possibly seen over several reads.
	appendN(t, s, st, 0, "k", "r", 0, 10)
	b := c.next(t)
	if len(b) != 10 {
		t.Fatalf("batch of %d: %v", len(b), data(b))
	}
	appendN(t, s, st, 0, "k", "r", 10, 3)
	select {
	case b := <-c.c:
		t.Fatalf("partial batch delivered before the window: %v", data(b))
	default:
	}
}

func TestBatchingWindow(t *testing.T) {
	s, st := newStore(t, "window")
	c := newCollector()
	const window = 300 * time.Millisecond
	run(t, s, st.Name, 0, shardstore.Position{}, Batcher{BatchSize: 100, MaximumBatchingWindow: window}, c.deliver)
	t0 := time.Now()
	appendN(t, s, st, 0, "k", "r", 0, 3)
	b := c.next(t)
	if took := time.Since(t0); took < window {
		t.Fatalf("batch delivered after %v, before the %v window", took, window)
	}
	if len(b) != 3 {
		t.Fatalf("batch of %d: %v", len(b), data(b))
	}
	// The next batch gets a window of its own.
	t1 := time.Now()
	appendN(t, s, st, 0, "k", "r", 3, 2)
	b = c.next(t)
	if took := time.Since(t1); took < window || len(b) != 2 || string(b[0].Data) != "r-3" {
		t.Fatalf("second batch after %v: %v", took, data(b))
	}
}

func TestPayloadCap(t *testing.T) {
	s, st := newStore(t, "big")
	// Records of 1 MiB minus a little: six fit in 6 MiB, seven do not.
	payload := make([]byte, 1<<20-100)
	for i := range 13 {
		payload[0] = byte(i)
		if _, err := s.Append(context.Background(), st, 0, shardstore.AppendBatch(nil, []string{"k"}, [][]byte{payload})); err != nil {
			t.Fatal(err)
		}
	}
	c := newCollector()
	run(t, s, st.Name, 0, shardstore.Position{}, Batcher{BatchSize: 100}, c.deliver)
	seen := 0
	for _, n := range []int{6, 6, 1} {
		b := c.next(t)
		size := 0
		for _, r := range b {
			size += len(r.Key) + len(r.Data)
			if int(r.Data[0]) != seen {
				t.Fatalf("record %d out of order", r.Data[0])
			}
			seen++
		}
		if len(b) != n || size > MaxPayload {
			t.Fatalf("batch of %d records, %d bytes; want %d records ≤ %d", len(b), size, n, MaxPayload)
		}
	}
}

// Records appended after the reader caught up are pushed to it: the
// reader never polls, so delivery at all proves the wake-up works, and
// the latency is measured.
func TestPushedDelivery(t *testing.T) {
	s, st := newStore(t, "push")
	c := newCollector()
	run(t, s, st.Name, 0, shardstore.Position{}, Batcher{BatchSize: 100}, c.deliver)
	appendN(t, s, st, 0, "k", "r", 0, 1)
	c.next(t) // the reader is now caught up (or about to be)
	var worst time.Duration
	for i := 1; i <= 20; i++ {
		t0 := time.Now()
		appendN(t, s, st, 0, "k", "r", i, 1)
		b := c.next(t)
		lat := time.Since(t0)
		worst = max(worst, lat)
		if len(b) != 1 || string(b[0].Data) != fmt.Sprint("r-", i) {
			t.Fatalf("got %v", data(b))
		}
	}
	t.Logf("worst append→deliver latency over 20 records: %v", worst)
	if worst > 500*time.Millisecond {
		t.Fatalf("pushed delivery took %v", worst)
	}
}

// deliver may return an earlier position (partial failure): the records
// from there are read again.
func TestReRead(t *testing.T) {
	s, st := newStore(t, "reread")
	appendN(t, s, st, 0, "k", "r", 0, 10)
	batches := make(chan []string, 10)
	failed := false
	deliver := func(_ context.Context, b []shardstore.StoredRecord) (shardstore.Position, error) {
		batches <- data(b)
		if !failed {
			failed = true
			return b[3].Pos, nil // records 3… failed
		}
		return After(b), nil
	}
	run(t, s, st.Name, 0, shardstore.Position{}, Batcher{BatchSize: 5}, deliver)
	want := [][]string{
		{"r-0", "r-1", "r-2", "r-3", "r-4"},
		{"r-3", "r-4", "r-5", "r-6", "r-7"},
		{"r-8", "r-9"},
	}
	for _, w := range want {
		select {
		case got := <-batches:
			if fmt.Sprint(got) != fmt.Sprint(w) {
				t.Fatalf("got %v want %v", got, w)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no batch, want %v", w)
		}
	}
}

func TestDeliverErrorStops(t *testing.T) {
	s, st := newStore(t, "err")
	appendN(t, s, st, 0, "k", "r", 0, 2)
	boom := errors.New("boom")
	end, err := ReadShard(context.Background(), s, st.Name, 0, shardstore.Position{}, Batcher{}, func(context.Context, []shardstore.StoredRecord) (shardstore.Position, error) {
		return shardstore.Position{}, boom
	})
	if end || !errors.Is(err, boom) {
		t.Fatalf("end %v err %v", end, err)
	}
}

func TestValidate(t *testing.T) {
	for _, b := range []Batcher{{BatchSize: -1}, {BatchSize: MaxBatchSize*MaxParallelization + 1}, {MaximumBatchingWindow: 301 * time.Second}, {MaximumBatchingWindow: -1}, {MaxBytes: MaxPayload*MaxParallelization + 1}} {
		if b.Validate() == nil {
			t.Errorf("%+v accepted", b)
		}
	}
	for _, b := range []Batcher{{}, {BatchSize: 1}, {BatchSize: 10000, MaximumBatchingWindow: 300 * time.Second}} {
		if err := b.Validate(); err != nil {
			t.Errorf("%+v: %v", b, err)
		}
	}
}

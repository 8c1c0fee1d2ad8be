package lease

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/natstest"
)

// clock is a settable time source shared by the tables of a test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func tables(t *testing.T, owners ...string) ([]*Table, *clock) {
	t.Helper()
	js := natstest.JetStream(t)
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	var out []*Table
	for _, o := range owners {
		tb, err := Open(context.Background(), js, Options{Owner: o, TTL: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		tb.now = c.now
		out = append(out, tb)
	}
	return out, c
}

func TestLeaseLifecycle(t *testing.T) {
	ctx := context.Background()
	ts, clk := tables(t, "a", "b")
	a, b := ts[0], ts[1]

	la, ok, err := a.Acquire(ctx, "m.0")
	if err != nil || !ok {
		t.Fatalf("a acquires a free lease: ok %v err %v", ok, err)
	}
	if _, ok, err := b.Acquire(ctx, "m.0"); err != nil || ok {
		t.Fatalf("b takes a held lease: ok %v err %v", ok, err)
	}
	clk.t = clk.t.Add(9 * time.Second)
	if err := a.Renew(ctx, la); err != nil {
		t.Fatalf("renew: %v", err)
	}
	clk.t = clk.t.Add(9 * time.Second) // 18 s after acquiring, 9 after renewing
	if _, ok, _ := b.Acquire(ctx, "m.0"); ok {
		t.Fatal("b took a renewed lease")
	}
	clk.t = clk.t.Add(2 * time.Second) // expired
	lb, ok, err := b.Acquire(ctx, "m.0")
	if err != nil || !ok {
		t.Fatalf("b takes an expired lease: ok %v err %v", ok, err)
	}
	if err := a.Renew(ctx, la); !errors.Is(err, ErrLost) {
		t.Fatalf("a renews a lease b took: %v", err)
	}
	if err := a.Release(ctx, la); !errors.Is(err, ErrLost) {
		t.Fatalf("a releases a lease b took: %v", err)
	}
	st, err := a.Snapshot(ctx, "m.")
	if err != nil || st.Holders["m.0"] != "b" {
		t.Fatalf("snapshot %+v %v", st, err)
	}
	if err := b.Release(ctx, lb); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.Acquire(ctx, "m.0"); err != nil || !ok {
		t.Fatalf("a takes a released lease: ok %v err %v", ok, err)
	}
	if err := a.Remove(ctx, "m."); err != nil {
		t.Fatal(err)
	}
	if st, _ := b.Snapshot(ctx, "m."); len(st.Holders) != 0 {
		t.Fatalf("leases left after Remove: %v", st.Holders)
	}
}

func TestMembers(t *testing.T) {
	ctx := context.Background()
	ts, clk := tables(t, "a", "b", "c")
	for _, tb := range ts {
		if err := tb.Heartbeat(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := ts[0].Snapshot(ctx, "x."); st.Members != 3 {
		t.Fatalf("members %d, want 3", st.Members)
	}
	if err := ts[2].Leave(ctx); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(5 * time.Second)
	_ = ts[0].Heartbeat(ctx)
	if st, _ := ts[0].Snapshot(ctx, "x."); st.Members != 2 {
		t.Fatalf("members after leave %d, want 2", st.Members)
	}
	clk.t = clk.t.Add(6 * time.Second) // b's heartbeat expired
	if st, _ := ts[0].Snapshot(ctx, "x."); st.Members != 1 {
		t.Fatalf("members after b expired %d, want 1", st.Members)
	}
}

func TestFairShare(t *testing.T) {
	for _, c := range []struct{ n, members, want int }{{4, 2, 2}, {5, 2, 3}, {1, 3, 1}, {0, 2, 0}, {4, 0, 4}} {
		if got := FairShare(c.n, c.members); got != c.want {
			t.Errorf("FairShare(%d, %d) = %d, want %d", c.n, c.members, got, c.want)
		}
	}
}

package reader

import (
	"context"
	"errors"
	"testing"

	"github.com/kinesin/kinesin/router/shardstore"
)

func TestCheckpoints(t *testing.T) {
	nc := startNATS(t)
	ctx := context.Background()
	s, err := shardstore.Open(ctx, nc, shardstore.Options{Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cps, err := OpenCheckpoints(ctx, s.JetStream(), CheckpointOptions{Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	const m = "6f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
	if _, err := cps.Load(ctx, m, 0); !errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("load of nothing: %v", err)
	}
	cp, err := cps.Save(ctx, m, 0, Checkpoint{Position: shardstore.Position{Msg: 5, Index: 2}, StreamID: "abc"})
	if err != nil || cp.Revision == 0 {
		t.Fatalf("create: %+v %v", cp, err)
	}
	// A second creator loses.
	if _, err := cps.Save(ctx, m, 0, Checkpoint{Position: shardstore.Position{Msg: 1}}); !errors.Is(err, ErrCheckpointConflict) {
		t.Fatalf("second create: %v", err)
	}
	got, err := cps.Load(ctx, m, 0)
	if err != nil || got.Position != (shardstore.Position{Msg: 5, Index: 2}) || got.Finished || got.StreamID != "abc" || got.Revision != cp.Revision {
		t.Fatalf("load: %+v %v", got, err)
	}
	stale := got
	got.Position = shardstore.Position{Msg: 9}
	got, err = cps.Save(ctx, m, 0, got)
	if err != nil {
		t.Fatal(err)
	}
	// Saving from the stale revision is refused and changes nothing.
	stale.Position = shardstore.Position{Msg: 6}
	if _, err := cps.Save(ctx, m, 0, stale); !errors.Is(err, ErrCheckpointConflict) {
		t.Fatalf("stale save: %v", err)
	}
	if _, err := cps.Finish(ctx, m, 0, stale, shardstore.Position{Msg: 10}); !errors.Is(err, ErrCheckpointConflict) {
		t.Fatalf("stale finish: %v", err)
	}
	if again, _ := cps.Load(ctx, m, 0); again.Position.Msg != 9 {
		t.Fatalf("after stale save: %+v", again)
	}
	if _, err := cps.Finish(ctx, m, 0, got, shardstore.Position{Msg: 10}); err != nil {
		t.Fatal(err)
	}
	if _, err := cps.Save(ctx, m, 1, Checkpoint{Position: shardstore.Position{Msg: 3}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cps.Save(ctx, "other", 7, Checkpoint{Finished: true}); err != nil {
		t.Fatal(err)
	}
	fin, err := cps.Finished(ctx, m)
	if err != nil || len(fin) != 1 || !fin[0] {
		t.Fatalf("finished: %v %v", fin, err)
	}
	all, err := cps.All(ctx, m)
	if err != nil || len(all) != 2 || all[0].Position.Msg != 10 || all[1].Position.Msg != 3 {
		t.Fatalf("all: %+v %v", all, err)
	}
	if _, err := cps.Load(ctx, "bad.id", 0); err == nil {
		t.Fatal("bad mapping id accepted")
	}
	if err := cps.Delete(ctx, m); err != nil {
		t.Fatal(err)
	}
	if all, err := cps.All(ctx, m); err != nil || len(all) != 0 {
		t.Fatalf("after delete: %+v %v", all, err)
	}
	if _, err := cps.Load(ctx, "other", 7); err != nil {
		t.Fatalf("other mapping touched: %v", err)
	}
	// A deleted checkpoint may be created again.
	if _, err := cps.Save(ctx, m, 0, Checkpoint{}); err != nil {
		t.Fatalf("recreate: %v", err)
	}
}

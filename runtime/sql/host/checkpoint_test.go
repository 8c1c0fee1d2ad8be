package host

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/router/shardstore"
)

// TestCheckpointStore saves small snapshots inline and large ones in the
// object store, removes replaced objects, refuses a stale writer, and
// Delete removes it all.
func TestCheckpointStore(t *testing.T) {
	ctx := context.Background()
	js := natstest.JetStream(t)
	s, err := newCPStore(ctx, js, "app.one")
	if err != nil {
		t.Fatal(err)
	}
	if cp, err := s.load(ctx); err != nil || cp != nil {
		t.Fatalf("empty store: %v %v", cp, err)
	}
	big := bytes.Repeat([]byte("state"), inlineLimit/2)
	in := map[string]*inputState{"1.1": {Source: "in", StreamID: "x", Shards: map[int]shardState{3: {Position: shardstore.Position{Msg: 7, Index: 2}, Finished: true}}, Rowtime: []int64{5}}}
	prev := ""
	for i, snap := range [][]byte{[]byte("small"), big, bytes.Repeat([]byte("other"), inlineLimit/2), []byte("small again")} {
		cp := &checkpoint{RunID: "r", Version: 2, Clock: int64(i), Inputs: in, Snapshot: snap}
		if err := s.save(ctx, cp, prev); err != nil {
			t.Fatal(err)
		}
		prev = cp.Object
		if (len(snap) > inlineLimit) != (cp.Object != "") {
			t.Fatalf("snapshot of %d bytes stored as object %q", len(snap), cp.Object)
		}
		other, _ := newCPStore(ctx, js, "app.one")
		got, err := other.load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Snapshot, snap) || got.Clock != int64(i) || got.Inputs["1.1"].Shards[3].Position.Msg != 7 || !got.Inputs["1.1"].Shards[3].Finished {
			t.Fatalf("round trip %d: %+v", i, got)
		}
	}
	obj, err := js.ObjectStore(ctx, StateBucket)
	if err != nil {
		t.Fatal(err)
	}
	if infos, err := obj.List(ctx); !errors.Is(err, jetstream.ErrNoObjectsFound) {
		t.Fatalf("objects left after an inline checkpoint: %d %v", len(infos), err)
	}

	stale, _ := newCPStore(ctx, js, "app.one")
	stale.rev = 1
	if err := stale.save(ctx, &checkpoint{}, ""); !errors.Is(err, errCheckpointTaken) {
		t.Fatalf("stale save: %v", err)
	}

	if err := s.save(ctx, &checkpoint{Snapshot: big}, ""); err != nil {
		t.Fatal(err)
	}
	if err := Delete(ctx, js, "app.one"); err != nil {
		t.Fatal(err)
	}
	if cp, err := s.load(ctx); err != nil || cp != nil {
		t.Fatalf("after Delete: %v %v", cp, err)
	}
	if infos, err := obj.List(ctx); !errors.Is(err, jetstream.ErrNoObjectsFound) {
		t.Fatalf("objects left after Delete: %d %v", len(infos), err)
	}
}

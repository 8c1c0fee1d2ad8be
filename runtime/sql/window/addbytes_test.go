package window

import (
	"fmt"
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// TestAddBytes checks that Groups.AddBytes and Sessions.AddBytes group as
// Add does, across a checkpoint, and that AddBytes does not allocate for
// an existing group.
func TestAddBytes(t *testing.T) {
	tBig := eval.Type{Kind: eval.BigInt}
	type out struct {
		w    Window
		k, n string
	}
	run := func(bytes bool) []out {
		g := NewGroups([]AggSpec{spec(t, "SUM", tBig)})
		s := NewSessions([]AggSpec{spec(t, "SUM", tBig)}, 5)
		var got []out
		emit := func(w Window, kv, res []eval.Value) error {
			got = append(got, out{w, kv[0].String(), res[0].String()})
			return nil
		}
		var kb []byte
		for i := int64(0); i < 200; i++ {
			kv := []eval.Value{eval.BigIntValue(i % 3)}
			args := [][]eval.Value{{eval.BigIntValue(i)}}
			ts := i * 2
			if i%7 == 0 {
				ts += 9 // a gap for the sessions of some keys
			}
			var err error
			if bytes {
				kb = AppendKey(kb[:0], kv)
				if err = g.AddBytes(Tumble(ts, 10, 0), kb, kv, ts, args); err == nil {
					err = s.AddBytes(kb, kv, ts, args)
				}
			} else {
				if err = g.Add(Tumble(ts, 10, 0), KeyOf(kv), kv, ts, args); err == nil {
					err = s.Add(KeyOf(kv), kv, ts, args)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			if i == 100 { // checkpoint and restore mid-way
				gs, ss := g.AppendState(nil), s.AppendState(nil)
				g, s = NewGroups([]AggSpec{spec(t, "SUM", tBig)}), NewSessions([]AggSpec{spec(t, "SUM", tBig)}, 5)
				if _, err := g.ReadState(gs); err != nil {
					t.Fatal(err)
				}
				if _, err := s.ReadState(ss); err != nil {
					t.Fatal(err)
				}
			}
			if err := g.Close(ts-10, emit); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(ts-10, emit); err != nil {
				t.Fatal(err)
			}
		}
		if g.Open() == 0 {
			t.Error("no open groups left")
		}
		return got
	}
	a, b := run(false), run(true)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("AddBytes differs from Add:\n%v\n%v", a, b)
	}
	g := NewGroups([]AggSpec{spec(t, "SUM", tBig)})
	kv := []eval.Value{eval.BigIntValue(1)}
	kb := AppendKey(nil, kv)
	args := [][]eval.Value{{eval.BigIntValue(1)}}
	w := Tumble(5, 10, 0)
	if err := g.AddBytes(w, kb, kv, 5, args); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = g.AddBytes(w, kb, kv, 5, args) }); n != 0 {
		t.Errorf("AddBytes allocates %v times for an existing group", n)
	}
}

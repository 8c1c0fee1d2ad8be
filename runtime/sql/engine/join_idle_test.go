package engine

import (
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// TestJoinIdleSide checks that a stream-to-stream join of two inputs does
// not hold one side's rows forever while the other side is idle: Advance's
// clock bounds them by the OVER range.
func TestJoinIdleSide(t *testing.T) {
	cols := []Column{{"K", eval.Type{Kind: eval.BigInt}}}
	p, err := Compile(`CREATE OR REPLACE STREAM o (k BIGINT, n BIGINT);
CREATE OR REPLACE PUMP p AS INSERT INTO o
    SELECT STREAM a.k, b.k FROM a OVER (RANGE INTERVAL '10' SECOND PRECEDING)
    JOIN b OVER (RANGE INTERVAL '10' SECOND PRECEDING) ON a.k = b.k;`,
		Options{Inputs: []Input{{Name: "a", Columns: cols}, {Name: "b", Columns: cols}}})
	if err != nil {
		t.Fatal(err)
	}
	var out []Row
	in, err := p.Start(nil, func(_ string, r Row) error {
		out = append(out, Row{r.Time, append(eval.Row(nil), r.Values...)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var js *joinState
	for _, s := range in.stateful {
		if j, ok := s.(*joinState); ok {
			js = j
		}
	}
	if js == nil {
		t.Fatal("no join state")
	}
	const base = int64(1767225600000)
	for i := int64(0); i < 1000; i++ {
		if err := in.Push(0, Row{Time: base + i*100, Values: eval.Row{eval.BigIntValue(i % 7)}}); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			if err := in.Advance(base + i*100); err != nil {
				t.Fatal(err)
			}
		}
	}
	// 10 s of rows at 10 per second, plus the row exactly at the edge.
	if n := js.l.Len(); n > 101 {
		t.Errorf("the idle side lets the other hold %d rows, want at most 101", n)
	}
	// A row of the idle side still matches the other side's rows in range.
	now := base + 999*100
	if err := in.Push(1, Row{Time: now, Values: eval.Row{eval.BigIntValue(3)}}); err != nil {
		t.Fatal(err)
	}
	want := 0
	for i := int64(0); i < 1000; i++ {
		if i%7 == 3 && base+i*100 > now-10000 { // (t - range, t]
			want++
		}
	}
	if len(out) != want {
		t.Errorf("got %d joined rows, want %d", len(out), want)
	}
}

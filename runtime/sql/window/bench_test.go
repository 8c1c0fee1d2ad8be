package window

import (
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// benchKeys are n single-column keys and their values.
func benchKeys(n int) ([]Key, [][]eval.Value) {
	keys := make([]Key, n)
	kvs := make([][]eval.Value, n)
	for i := range keys {
		kvs[i] = []eval.Value{big(int64(i * 7919))}
		keys[i] = KeyOf(kvs[i])
	}
	return keys, kvs
}

func BenchmarkKeyOf(b *testing.B) {
	kv := []eval.Value{big(123456), eval.Str("some-bidder"), eval.TimestampMillis(1700000000000)}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendKey(buf[:0], kv)
	}
}

// BenchmarkGroupsAdd adds rows to existing groups (one tumbling window,
// 1000 keys): the per-row cost of GROUP BY.
func BenchmarkGroupsAdd(b *testing.B) {
	aggs := []AggSpec{spec(b, "COUNT"), spec(b, "SUM", tBig), spec(b, "MAX", tBig)}
	g := NewGroups(aggs)
	keys, kvs := benchKeys(1000)
	w := Window{0, 10000}
	args := [][]eval.Value{nil, {big(5)}, {big(5)}}
	for i := range keys {
		_ = g.Add(w, keys[i], kvs[i], 1, args)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		args[1][0].I = int64(i)
		if err := g.Add(w, keys[i%1000], kvs[i%1000], 1, args); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkGroupsHop is Nexmark q5's shape: COUNT(*) per auction over
// HOP(10 s, 2 s), one row per millisecond, windows closing as time passes.
func BenchmarkGroupsHop(b *testing.B) {
	g := NewGroups([]AggSpec{spec(b, "COUNT")})
	keys, kvs := benchKeys(1000)
	emit := func(Window, []eval.Value, []eval.Value) error { return nil }
	b.ReportAllocs()
	var t int64
	for b.Loop() {
		k := int(uint64(t*2654435761) % 1000)
		Hop(t, 10000, 2000, func(w Window) { _ = g.Add(w, keys[k], kvs[k], t, nil) })
		if t%1000 == 0 {
			_ = g.Close(t, emit)
		}
		t++
	}
}

// BenchmarkGroupsTumble is Nexmark q7's shape: MAX(price) over TUMBLE(10 s).
func BenchmarkGroupsTumble(b *testing.B) {
	g := NewGroups([]AggSpec{spec(b, "MAX", tBig)})
	kv := []eval.Value{}
	k := KeyOf(kv)
	emit := func(Window, []eval.Value, []eval.Value) error { return nil }
	args := [][]eval.Value{{big(0)}}
	b.ReportAllocs()
	var t int64
	for b.Loop() {
		args[0][0].I = t * 31 % 1000
		_ = g.Add(Tumble(t, 10000, 0), k, kv, t, args)
		if t%1000 == 0 {
			_ = g.Close(t, emit)
		}
		t++
	}
}

func benchSliding(b *testing.B, aggs []AggSpec, rangeMs int64, rows int) {
	s := NewSliding(aggs, rangeMs, rows)
	keys, _ := benchKeys(100)
	row := eval.Row{big(1), eval.Str("x")}
	v := []eval.Value{big(1)}
	args := make([][]eval.Value, len(aggs))
	for i, a := range aggs {
		if len(a.ArgTypes) > 0 {
			args[i] = v
		}
	}
	b.ReportAllocs()
	var t int64
	for b.Loop() {
		v[0].I = t % 97
		if _, _, err := s.Push(keys[t%100], t, row, args); err != nil {
			b.Fatal(err)
		}
		t++
	}
}

// BenchmarkSlidingPush: RANGE 1 s frames (about 10 rows each in 100
// partitions) with removable aggregates.
func BenchmarkSlidingPush(b *testing.B) {
	benchSliding(b, []AggSpec{spec(b, "COUNT"), spec(b, "SUM", tBig), spec(b, "AVG", tBig), spec(b, "MAX", tBig)}, 1000, -1)
}

func BenchmarkSlidingPushRows(b *testing.B) {
	benchSliding(b, []AggSpec{spec(b, "SUM", tBig), spec(b, "MIN", tBig)}, 0, 10)
}

// BenchmarkSlidingPushRecompute: a non-removable aggregate recomputed over
// each frame a row leaves.
func BenchmarkSlidingPushRecompute(b *testing.B) {
	benchSliding(b, []AggSpec{notRemovable(spec(b, "MAX", tBig))}, 1000, -1)
}

func BenchmarkStaggerAdd(b *testing.B) {
	s := NewStagger([]AggSpec{spec(b, "COUNT"), spec(b, "SUM", tBig)}, 60000)
	keys, kvs := benchKeys(1000)
	emit := func(Window, []eval.Value, []eval.Value) error { return nil }
	args := [][]eval.Value{nil, {big(3)}}
	b.ReportAllocs()
	var t int64
	for b.Loop() {
		k := t % 1000
		_ = s.Add(keys[k], kvs[k], t, args)
		if t%1000 == 0 {
			_ = s.Close(t, emit)
		}
		t++
	}
}

// BenchmarkSessionsAdd is Nexmark q11's shape: COUNT(*) per bidder
// session with a 10 s gap.
func BenchmarkSessionsAdd(b *testing.B) {
	s := NewSessions([]AggSpec{spec(b, "COUNT")}, 10000)
	keys, kvs := benchKeys(1000)
	emit := func(Window, []eval.Value, []eval.Value) error { return nil }
	b.ReportAllocs()
	var t int64
	for b.Loop() {
		k := int(uint64(t*2654435761) % 1000)
		_ = s.Add(keys[k], kvs[k], t, nil)
		if t%1000 == 0 {
			_ = s.Close(t, emit)
		}
		t++
	}
}

// BenchmarkJoinBuffer adds a row, matches one and evicts as time passes
// (Nexmark q8's shape on a 10 s range).
func BenchmarkJoinBuffer(b *testing.B) {
	j := NewJoinBuffer(10000)
	keys, _ := benchKeys(1000)
	row := eval.Row{big(1), eval.Str("name"), eval.Str("city")}
	b.ReportAllocs()
	var t int64
	n := 0
	for b.Loop() {
		j.Add(keys[t%1000], t, row)
		_ = j.Match(keys[(t*7)%1000], t, func(eval.Row, int64) error { n++; return nil })
		if t%1000 == 0 {
			j.Evict(t - 10000)
		}
		t++
	}
}

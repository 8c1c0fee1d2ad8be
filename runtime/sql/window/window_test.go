package window

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/agg"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

var (
	tBig = eval.Type{Kind: eval.BigInt}
	tDbl = eval.Type{Kind: eval.Double}
)

func spec(t testing.TB, name string, args ...eval.Type) AggSpec {
	t.Helper()
	f := agg.Lookup(name)
	if f == nil {
		t.Fatalf("no aggregate %s", name)
	}
	return AggSpec{Func: f, ArgTypes: args, Consts: make([]*eval.Value, len(args))}
}

// notRemovable is f without Remove, to exercise recomputation.
func notRemovable(s AggSpec) AggSpec {
	f := *s.Func
	f.Name += "_NR"
	f.Removable = false
	s.Func = &f
	return s
}

func big(v int64) eval.Value { return eval.BigIntValue(v) }

// emission is one emitted row, printed.
type emission string

func collect(out *[]emission) func(w Window, keyVals, results []eval.Value) error {
	return func(w Window, keyVals, results []eval.Value) error {
		*out = append(*out, emission(fmt.Sprintf("[%d,%d) %s -> %s", w.Start, w.End, vals(keyVals), vals(results))))
		return nil
	}
}

func vals(vs []eval.Value) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, ",")
}

func eqEmissions(t *testing.T, got []emission, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d emissions %q, want %d %q", len(got), got, len(want), want)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("emission %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestKeyOf(t *testing.T) {
	ts := eval.TimestampMillis(2 * 86400000)
	date := eval.Value{Kind: eval.Date, I: 2}
	chr := func(s string) eval.Value { return eval.Value{Kind: eval.Char, S: s} }
	tests := []struct {
		name  string
		a, b  []eval.Value
		equal bool
	}{
		{"nulls", []eval.Value{eval.NullValue}, []eval.Value{{Kind: eval.Null}}, true},
		{"null vs zero", []eval.Value{eval.NullValue}, []eval.Value{eval.Int(0)}, false},
		{"null vs empty", []eval.Value{eval.NullValue}, []eval.Value{eval.Str("")}, false},
		{"int kinds", []eval.Value{eval.Int(7)}, []eval.Value{big(7)}, true},
		{"decimal scale", []eval.Value{eval.DecimalValue(70, 1)}, []eval.Value{eval.Int(7)}, true},
		{"decimal differs", []eval.Value{eval.DecimalValue(71, 1)}, []eval.Value{eval.Int(7)}, false},
		{"negative zero", []eval.Value{eval.DoubleValue(math.Copysign(0, -1))}, []eval.Value{eval.DoubleValue(0)}, true},
		{"nan", []eval.Value{eval.DoubleValue(math.NaN())}, []eval.Value{eval.DoubleValue(-math.NaN())}, true},
		{"char pad", []eval.Value{chr("ab  ")}, []eval.Value{chr("ab")}, true},
		{"varchar no pad", []eval.Value{eval.Str("ab ")}, []eval.Value{eval.Str("ab")}, false},
		{"date timestamp", []eval.Value{date}, []eval.Value{ts}, true},
		{"split strings", []eval.Value{eval.Str("a"), eval.Str("bc")}, []eval.Value{eval.Str("ab"), eval.Str("c")}, false},
		{"null position", []eval.Value{eval.NullValue, eval.Int(1)}, []eval.Value{eval.Int(1), eval.NullValue}, false},
		{"string vs binary", []eval.Value{eval.Str("x")}, []eval.Value{{Kind: eval.Varbinary, S: "x"}}, false},
		{"bools", []eval.Value{eval.Bool(true)}, []eval.Value{eval.Bool(false)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := KeyOf(tc.a) == KeyOf(tc.b); got != tc.equal {
				t.Errorf("KeyOf(%v) == KeyOf(%v) is %v", tc.a, tc.b, got)
			}
			if string(AppendKey(nil, tc.a)) != string(KeyOf(tc.a)) {
				t.Error("AppendKey differs from KeyOf")
			}
		})
	}
}

func TestTumble(t *testing.T) {
	tests := []struct {
		t, size, offset int64
		want            Window
	}{
		{0, 10, 0, Window{0, 10}},
		{9, 10, 0, Window{0, 10}},
		{10, 10, 0, Window{10, 20}}, // a row at a window's End is in the next one
		{-1, 10, 0, Window{-10, 0}},
		{-10, 10, 0, Window{-10, 0}},
		{12, 10, 5, Window{5, 15}},
		{4, 10, 5, Window{-5, 5}},
		{7, 0, 0, Window{7, 7}},
	}
	for _, tc := range tests {
		if got := Tumble(tc.t, tc.size, tc.offset); got != tc.want {
			t.Errorf("Tumble(%d, %d, %d) = %v, want %v", tc.t, tc.size, tc.offset, got, tc.want)
		}
	}
}

func TestHop(t *testing.T) {
	tests := []struct {
		t, size, slide int64
		want           []Window
	}{
		{5, 10, 2, []Window{{-4, 6}, {-2, 8}, {0, 10}, {2, 12}, {4, 14}}},
		{10, 10, 2, []Window{{2, 12}, {4, 14}, {6, 16}, {8, 18}, {10, 20}}},
		{10, 10, 10, []Window{{10, 20}}},
		{3, 10, 4, []Window{{-4, 6}, {0, 10}}},
		{4, 10, 4, []Window{{-4, 6}, {0, 10}, {4, 14}}},
		{6, 10, 4, []Window{{0, 10}, {4, 14}}},
		{1, 2, 5, []Window{{0, 2}}},
		{3, 2, 5, nil}, // between windows when slide > size
		{-3, 4, 2, []Window{{-6, -2}, {-4, 0}}},
		{1, 0, 1, nil},
	}
	for _, tc := range tests {
		var got []Window
		Hop(tc.t, tc.size, tc.slide, func(w Window) { got = append(got, w) })
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("Hop(%d, %d, %d) = %v, want %v", tc.t, tc.size, tc.slide, got, tc.want)
		}
		for _, w := range got {
			if tc.t < w.Start || tc.t >= w.End {
				t.Errorf("Hop(%d, ...) gave %v, which does not hold it", tc.t, w)
			}
		}
	}
}

func TestGroupsTumbling(t *testing.T) {
	g := NewGroups([]AggSpec{spec(t, "COUNT"), spec(t, "SUM", tBig), spec(t, "MIN", tBig)})
	add := func(ts int64, key eval.Value, v int64) {
		t.Helper()
		w := Tumble(ts, 10, 0)
		kv := []eval.Value{key}
		if err := g.Add(w, KeyOf(kv), kv, ts, [][]eval.Value{nil, {big(v)}, {big(v)}}); err != nil {
			t.Fatal(err)
		}
	}
	add(1, eval.Str("b"), 5)
	add(2, eval.Str("a"), 3)
	add(3, eval.NullValue, 1)
	add(4, eval.Str("b"), 2)
	add(5, eval.NullValue, 4)
	add(10, eval.Str("a"), 9) // exactly at the first window's End: next window
	add(25, eval.Str("c"), 1)
	if g.Open() != 5 {
		t.Fatalf("Open = %d, want 5", g.Open())
	}
	var out []emission
	if err := g.Close(9, collect(&out)); err != nil {
		t.Fatal(err)
	}
	eqEmissions(t, out)
	if err := g.Close(10, collect(&out)); err != nil { // End <= upTo closes
		t.Fatal(err)
	}
	eqEmissions(t, out,
		"[0,10) b -> 2,7,2",
		"[0,10) a -> 1,3,3",
		"[0,10) NULL -> 2,5,1")
	out = nil
	if err := g.Close(100, collect(&out)); err != nil {
		t.Fatal(err)
	}
	eqEmissions(t, out, "[10,20) a -> 1,9,9", "[20,30) c -> 1,1,1")
	if g.Open() != 0 {
		t.Fatalf("Open = %d after closing all", g.Open())
	}
	// A closed window's group is forgotten: a new row starts over.
	add(3, eval.Str("b"), 1)
	out = nil
	_ = g.Close(10, collect(&out))
	eqEmissions(t, out, "[0,10) b -> 1,1,1")
}

func TestGroupsHop(t *testing.T) {
	g := NewGroups([]AggSpec{spec(t, "COUNT")})
	kv := []eval.Value{eval.Int(1)}
	k := KeyOf(kv)
	for _, ts := range []int64{1, 3, 4, 9} {
		Hop(ts, 6, 3, func(w Window) {
			if err := g.Add(w, k, kv, ts, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
	var out []emission
	if err := g.Close(100, collect(&out)); err != nil {
		t.Fatal(err)
	}
	eqEmissions(t, out,
		"[-3,3) 1 -> 1",
		"[0,6) 1 -> 3",
		"[3,9) 1 -> 2",
		"[6,12) 1 -> 1",
		"[9,15) 1 -> 1")
}

func TestGroupsCloseError(t *testing.T) {
	g := NewGroups([]AggSpec{spec(t, "COUNT")})
	for i := int64(0); i < 3; i++ {
		kv := []eval.Value{eval.Int(i)}
		_ = g.Add(Window{0, 10}, KeyOf(kv), kv, 1, nil)
	}
	n := 0
	err := g.Close(10, func(Window, []eval.Value, []eval.Value) error {
		n++
		if n == 2 {
			return fmt.Errorf("boom")
		}
		return nil
	})
	if err == nil || g.Open() != 2 {
		t.Fatalf("err %v, open %d; want an error and 2 groups left", err, g.Open())
	}
	var out []emission
	_ = g.Close(10, collect(&out))
	eqEmissions(t, out, "[0,10) 1 -> 1", "[0,10) 2 -> 1")
}

func TestStagger(t *testing.T) {
	// AWS's stagger window example: PARTITION BY FLOOR(EVENT_TIME TO
	// MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' MINUTE, by ROWTIME.
	const min = 60000
	at := func(h, m, s int64) int64 { return (h*3600 + m*60 + s) * 1000 }
	s := NewStagger([]AggSpec{spec(t, "COUNT", eval.Type{Kind: eval.Varchar})}, min)
	rows := []struct{ rowtime, event int64 }{
		{at(11, 0, 20), at(11, 0, 10)},
		{at(11, 0, 30), at(11, 0, 20)},
		{at(11, 1, 5), at(11, 0, 55)},
		{at(11, 1, 15), at(11, 1, 5)},
	}
	var out []emission
	for _, r := range rows {
		if err := s.Close(r.rowtime, collect(&out)); err != nil {
			t.Fatal(err)
		}
		kv := []eval.Value{eval.TimestampMillis(Tumble(r.event, min, 0).Start), eval.Str("AMZN")}
		if err := s.Add(KeyOf(kv), kv, r.rowtime, [][]eval.Value{{eval.Str("AMZN")}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(at(11, 1, 20)-1, collect(&out)); err != nil {
		t.Fatal(err)
	}
	eqEmissions(t, out)
	if err := s.Close(at(11, 1, 20), collect(&out)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(at(11, 2, 15), collect(&out)); err != nil {
		t.Fatal(err)
	}
	eqEmissions(t, out,
		fmt.Sprintf("[%d,%d) 1970-01-01 11:00:00,AMZN -> 3", at(11, 0, 20), at(11, 1, 20)),
		fmt.Sprintf("[%d,%d) 1970-01-01 11:01:00,AMZN -> 1", at(11, 1, 15), at(11, 2, 15)))
}

func TestStaggerBoundaries(t *testing.T) {
	s := NewStagger([]AggSpec{spec(t, "COUNT"), spec(t, "MAX", tBig)}, 10)
	kv := []eval.Value{eval.Str("k")}
	k := KeyOf(kv)
	other := []eval.Value{eval.NullValue}
	for _, r := range []struct {
		key []eval.Value
		t   int64
	}{{kv, 100}, {kv, 109}, {other, 105}, {kv, 95}, {kv, 110}, {kv, 111}} {
		if err := s.Add(KeyOf(r.key), r.key, r.t, [][]eval.Value{nil, {big(r.t)}}); err != nil {
			t.Fatal(err)
		}
	}
	_ = k
	if s.Open() != 3 {
		t.Fatalf("Open = %d, want 3", s.Open())
	}
	var out []emission
	_ = s.Close(1000, collect(&out))
	eqEmissions(t, out,
		"[100,110) k -> 3,109", // 95 is late and joins the open window; 110 is its End
		"[105,115) NULL -> 1,105",
		"[110,120) k -> 2,111")
}

func TestSessions(t *testing.T) {
	type row struct {
		key string
		t   int64
	}
	tests := []struct {
		name  string
		rows  []row
		close int64
		want  []string
	}{
		{"extend", []row{{"a", 0}, {"a", 5}, {"a", 14}}, 100, []string{"[0,24) a -> 3,14"}},
		{"gap boundary", []row{{"a", 0}, {"a", 10}}, 100, []string{"[0,10) a -> 1,0", "[10,20) a -> 1,10"}},
		{"not yet", []row{{"a", 0}, {"a", 5}}, 14, nil},
		{"exactly at end", []row{{"a", 0}, {"a", 5}}, 15, []string{"[0,15) a -> 2,5"}},
		{"keys", []row{{"a", 0}, {"b", 1}, {"a", 3}}, 100, []string{"[1,11) b -> 1,1", "[0,13) a -> 2,3"}},
		{"merge", []row{{"a", 0}, {"a", 18}, {"a", 9}}, 100, []string{"[0,28) a -> 3,18"}},
		{"merge three", []row{{"a", 0}, {"a", 15}, {"a", 30}, {"a", 8}, {"a", 22}}, 100, []string{"[0,40) a -> 5,30"}},
		{"touching", []row{{"a", 0}, {"a", 20}, {"a", 10}}, 100, []string{"[0,10) a -> 1,0", "[10,20) a -> 1,10", "[20,30) a -> 1,20"}},
		{"extend back", []row{{"a", 20}, {"a", 12}}, 100, []string{"[12,30) a -> 2,20"}},
		{"late alone", []row{{"a", 20}, {"a", 5}}, 100, []string{"[5,15) a -> 1,5", "[20,30) a -> 1,20"}},
		{"same end order", []row{{"b", 0}, {"a", 0}}, 100, []string{"[0,10) b -> 1,0", "[0,10) a -> 1,0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSessions([]AggSpec{spec(t, "COUNT"), spec(t, "MAX", tBig)}, 10)
			for _, r := range tc.rows {
				kv := []eval.Value{eval.Str(r.key)}
				if err := s.Add(KeyOf(kv), kv, r.t, [][]eval.Value{nil, {big(r.t)}}); err != nil {
					t.Fatal(err)
				}
			}
			var out []emission
			if err := s.Close(tc.close, collect(&out)); err != nil {
				t.Fatal(err)
			}
			eqEmissions(t, out, tc.want...)
		})
	}
}

func TestSessionsExtendedWhileQueued(t *testing.T) {
	s := NewSessions([]AggSpec{spec(t, "COUNT")}, 10)
	a, b := []eval.Value{eval.Str("a")}, []eval.Value{eval.Str("b")}
	_ = s.Add(KeyOf(a), a, 0, nil)
	_ = s.Add(KeyOf(b), b, 5, nil)
	_ = s.Add(KeyOf(a), a, 9, nil) // a now ends at 19, after b (15)
	var out []emission
	_ = s.Close(15, collect(&out))
	eqEmissions(t, out, "[5,15) b -> 1")
	_ = s.Close(19, collect(&out))
	eqEmissions(t, out, "[5,15) b -> 1", "[0,19) a -> 2")
	if s.Open() != 0 {
		t.Fatalf("Open = %d", s.Open())
	}
}

func TestSlidingRange(t *testing.T) {
	s := NewSliding([]AggSpec{spec(t, "COUNT"), spec(t, "SUM", tBig), notRemovable(spec(t, "MIN", tBig))}, 10, -1)
	type step struct {
		key  string
		t    int64
		want string
	}
	steps := []step{
		{"a", 0, "1,0,0"},
		{"a", 5, "2,5,0"},
		{"a", 10, "3,15,0"}, // t-range = 0 is in the frame
		{"b", 10, "1,10,10"},
		{"a", 11, "3,26,5"}, // 0 left: [1, 11]
		{"a", 21, "2,32,11"},
		{"a", 21, "3,53,11"}, // same time: RANGE peers
		{"a", 40, "1,40,40"},
	}
	for i, st := range steps {
		res, frame, err := s.Push(Key(st.key), st.t, eval.Row{eval.Str(st.key), big(st.t)}, [][]eval.Value{nil, {big(st.t)}, {big(st.t)}})
		if err != nil {
			t.Fatal(err)
		}
		if got := vals(res); got != st.want {
			t.Errorf("step %d (%s at %d): %s, want %s", i, st.key, st.t, got, st.want)
		}
		if frame.Time(frame.Len()-1) != st.t || frame.Row(frame.Len() - 1)[1].I != st.t {
			t.Errorf("step %d: current row is not last in the frame", i)
		}
	}
	if s.Partitions() != 2 {
		t.Fatalf("Partitions = %d", s.Partitions())
	}
	s.Expire(20) // b's newest 10 < 20-10 is false: kept
	if s.Partitions() != 2 {
		t.Fatalf("Partitions = %d after Expire(20)", s.Partitions())
	}
	s.Expire(21)
	if s.Partitions() != 1 {
		t.Fatalf("Partitions = %d after Expire(21), want 1", s.Partitions())
	}
}

func TestSlidingRows(t *testing.T) {
	s := NewSliding([]AggSpec{spec(t, "COUNT"), spec(t, "SUM", tBig), notRemovable(spec(t, "MAX", tBig))}, 0, 2)
	want := []string{"1,1,1", "2,3,2", "3,6,3", "3,9,4", "3,12,5"}
	for i := int64(1); i <= 5; i++ {
		res, frame, err := s.Push("k", i*1000, eval.Row{big(i)}, [][]eval.Value{nil, {big(i)}, {big(i)}})
		if err != nil {
			t.Fatal(err)
		}
		if got := vals(res); got != want[i-1] {
			t.Errorf("row %d: %s, want %s", i, got, want[i-1])
		}
		var rows []string
		for j := 0; j < frame.Len(); j++ {
			rows = append(rows, frame.Row(j)[0].String())
		}
		if first := max(1, i-2); rows[0] != fmt.Sprint(first) {
			t.Errorf("row %d: frame %v", i, rows)
		}
	}
	s.Expire(1 << 40) // ROWS partitions are not expired
	if s.Partitions() != 1 {
		t.Fatal("ROWS partition expired")
	}
	// ROWS CURRENT ROW
	s = NewSliding([]AggSpec{spec(t, "COUNT")}, 0, 0)
	for i := int64(0); i < 3; i++ {
		res, _, _ := s.Push("k", 0, nil, [][]eval.Value{nil})
		if res[0].I != 1 {
			t.Fatalf("ROWS 0: count %d", res[0].I)
		}
	}
}

func TestSlidingArgCount(t *testing.T) {
	s := NewSliding([]AggSpec{spec(t, "SUM", tBig)}, 10, -1)
	if _, _, err := s.Push("k", 0, nil, nil); err == nil {
		t.Fatal("missing arguments accepted")
	}
}

func TestJoinBuffer(t *testing.T) {
	j := NewJoinBuffer(10)
	for _, r := range []struct {
		k string
		t int64
	}{{"a", 0}, {"b", 3}, {"a", 5}, {"a", 10}, {"a", 12}} {
		j.Add(Key(r.k), r.t, eval.Row{eval.Str(r.k), big(r.t)})
	}
	match := func(k string, t0 int64) string {
		var got []string
		_ = j.Match(Key(k), t0, func(row eval.Row, rt int64) error {
			if row[1].I != rt {
				t.Errorf("row %v at %d", row, rt)
			}
			got = append(got, fmt.Sprint(rt))
			return nil
		})
		return strings.Join(got, " ")
	}
	if got := match("a", 10); got != "0 5 10" { // both ends included
		t.Errorf("Match(a, 10) = %q", got)
	}
	if got := match("a", 11); got != "5 10" {
		t.Errorf("Match(a, 11) = %q", got)
	}
	if got := match("c", 11); got != "" {
		t.Errorf("Match(c, 11) = %q", got)
	}
	j.Evict(5)
	if j.Len() != 3 || match("a", 12) != "5 10 12" || match("b", 3) != "" {
		t.Errorf("after Evict(5): len %d, a %q, b %q", j.Len(), match("a", 12), match("b", 3))
	}
	j.Evict(100)
	if j.Len() != 0 || len(j.parts) != 0 {
		t.Errorf("after Evict(100): %d rows, %d keys", j.Len(), len(j.parts))
	}
	err := fmt.Errorf("stop")
	j.Add("x", 1, nil)
	j.Add("x", 2, nil)
	n := 0
	if got := j.Match("x", 2, func(eval.Row, int64) error { n++; return err }); got != err || n != 1 {
		t.Errorf("Match error = %v after %d calls", got, n)
	}
}

func TestWatermark(t *testing.T) {
	w := Watermark{Delay: 5, Lateness: 3}
	if w.Current() != math.MinInt64 || w.Late(math.MinInt64) {
		t.Fatal("fresh watermark")
	}
	w.Observe(100)
	w.Observe(90)
	if w.Current() != 95 {
		t.Fatalf("Current = %d", w.Current())
	}
	if w.Late(92) || !w.Late(91) {
		t.Errorf("Late(92) = %v, Late(91) = %v", w.Late(92), w.Late(91))
	}
	b := w.AppendState(nil)
	var w2 Watermark
	if rest, err := w2.ReadState(b); err != nil || len(rest) != 0 || w2.Current() != 100 {
		t.Fatalf("ReadState: %v, rest %d, current %d", err, len(rest), w2.Current())
	}
	w3 := Watermark{Delay: math.MaxInt64}
	w3.Observe(-10)
	if w3.Current() != math.MinInt64 {
		t.Errorf("saturation: %d", w3.Current())
	}
}

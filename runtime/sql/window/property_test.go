package window

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

func slidingAggs(t testing.TB) []AggSpec {
	return []AggSpec{
		spec(t, "COUNT"),
		spec(t, "COUNT", tBig),
		spec(t, "SUM", tBig),
		spec(t, "MIN", tBig),
		spec(t, "MAX", tBig),
		notRemovable(spec(t, "MAX", tBig)),
		notRemovable(spec(t, "SUM", tBig)),
		spec(t, "FIRST_VALUE", tBig),
		spec(t, "LAST_VALUE", tBig),
	}
}

type testRow struct {
	key string
	t   int64
	v   eval.Value
}

func randomRows(r *rand.Rand, n int) []testRow {
	rows := make([]testRow, n)
	var t int64
	for i := range rows {
		t += int64(r.Intn(4)) // ties are common
		v := big(int64(r.Intn(21) - 10))
		if r.Intn(6) == 0 {
			v = eval.Value{Kind: eval.Null}
		}
		rows[i] = testRow{key: fmt.Sprint(r.Intn(3)), t: t, v: v}
	}
	return rows
}

func rowArgs(aggs []AggSpec, v eval.Value) [][]eval.Value {
	args := make([][]eval.Value, len(aggs))
	for i, a := range aggs {
		if len(a.ArgTypes) > 0 {
			args[i] = []eval.Value{v}
		}
	}
	return args
}

// TestSlidingBruteForce compares Sliding with recomputing every frame.
func TestSlidingBruteForce(t *testing.T) {
	aggs := slidingAggs(t)
	for seed := int64(0); seed < 40; seed++ {
		r := rand.New(rand.NewSource(seed))
		rangeMs, rows := int64(r.Intn(12)), -1
		if seed%2 == 1 {
			rows = r.Intn(6)
		}
		s := NewSliding(aggs, rangeMs, rows)
		hist := map[string][]testRow{}
		for i, row := range randomRows(r, 300) {
			hist[row.key] = append(hist[row.key], row)
			res, frame, err := s.Push(Key(row.key), row.t, eval.Row{row.v, big(int64(i))}, rowArgs(aggs, row.v))
			if err != nil {
				t.Fatal(err)
			}
			h := hist[row.key]
			var want []testRow
			for j, hr := range h {
				if (rows >= 0 && j >= len(h)-1-rows) || (rows < 0 && hr.t >= row.t-rangeMs) {
					want = append(want, hr)
				}
			}
			if frame.Len() != len(want) {
				t.Fatalf("seed %d row %d: frame of %d rows, want %d", seed, i, frame.Len(), len(want))
			}
			for ai, a := range aggs {
				acc := a.newAcc(false)
				for _, w := range want {
					if err := acc.Add(w.t, rowArgs(aggs, w.v)[ai]); err != nil {
						t.Fatal(err)
					}
				}
				if got, exp := res[ai].String(), acc.Result().String(); got != exp {
					t.Fatalf("seed %d (range %d rows %d) row %d %s: %s, want %s", seed, rangeMs, rows, i, a.Func.Name, got, exp)
				}
			}
			for j := range want {
				if frame.Time(j) != want[j].t || frame.Row(j)[0].String() != want[j].v.String() {
					t.Fatalf("seed %d row %d: frame row %d differs", seed, i, j)
				}
			}
			if r.Intn(10) == 0 {
				s.Expire(row.t)
			}
		}
	}
}

// driver feeds rows to one structure and records what it emits; snapshot
// and restore swap it for a copy restored from its state.
type driver interface {
	add(row testRow) error
	close(upTo int64) error
	out() []string
	state() []byte
	restore(b []byte) error
}

type emitLog struct{ lines []string }

func (l *emitLog) emit(w Window, keyVals, results []eval.Value) error {
	l.lines = append(l.lines, fmt.Sprintf("[%d,%d) %s -> %s", w.Start, w.End, vals(keyVals), vals(results)))
	return nil
}
func (l *emitLog) out() []string { return l.lines }

type groupsDriver struct {
	emitLog
	g         *Groups
	size, hop int64
	aggs      []AggSpec
}

func (d *groupsDriver) add(r testRow) error {
	kv := []eval.Value{eval.Str(r.key)}
	var err error
	Hop(r.t, d.size, d.hop, func(w Window) {
		if err == nil {
			err = d.g.Add(w, KeyOf(kv), kv, r.t, rowArgs(d.aggs, r.v))
		}
	})
	return err
}
func (d *groupsDriver) close(upTo int64) error { return d.g.Close(upTo, d.emit) }
func (d *groupsDriver) state() []byte          { return d.g.AppendState([]byte("prefix")) }
func (d *groupsDriver) restore(b []byte) error {
	d.g = NewGroups(d.aggs)
	return restoreInto(d.g, b)
}

type staggerDriver struct {
	emitLog
	s    *Stagger
	aggs []AggSpec
}

func (d *staggerDriver) add(r testRow) error {
	kv := []eval.Value{eval.Str(r.key)}
	return d.s.Add(KeyOf(kv), kv, r.t, rowArgs(d.aggs, r.v))
}
func (d *staggerDriver) close(upTo int64) error { return d.s.Close(upTo, d.emit) }
func (d *staggerDriver) state() []byte          { return d.s.AppendState([]byte("prefix")) }
func (d *staggerDriver) restore(b []byte) error {
	d.s = NewStagger(d.aggs, 7)
	return restoreInto(d.s, b)
}

type sessionsDriver struct {
	emitLog
	s    *Sessions
	aggs []AggSpec
}

func (d *sessionsDriver) add(r testRow) error {
	kv := []eval.Value{eval.Str(r.key)}
	return d.s.Add(KeyOf(kv), kv, r.t, rowArgs(d.aggs, r.v))
}
func (d *sessionsDriver) close(upTo int64) error { return d.s.Close(upTo, d.emit) }
func (d *sessionsDriver) state() []byte          { return d.s.AppendState([]byte("prefix")) }
func (d *sessionsDriver) restore(b []byte) error {
	d.s = NewSessions(d.aggs, 3)
	return restoreInto(d.s, b)
}

type slidingDriver struct {
	emitLog
	s    *Sliding
	aggs []AggSpec
	rng  int64
	rows int
}

func (d *slidingDriver) add(r testRow) error {
	res, frame, err := d.s.Push(Key(r.key), r.t, eval.Row{r.v}, rowArgs(d.aggs, r.v))
	if err != nil {
		return err
	}
	d.lines = append(d.lines, fmt.Sprintf("%s@%d %s frame %d first %s", r.key, r.t, vals(res), frame.Len(), frame.Row(0)[0]))
	return nil
}
func (d *slidingDriver) close(upTo int64) error { d.s.Expire(upTo); return nil }
func (d *slidingDriver) state() []byte          { return d.s.AppendState([]byte("prefix")) }
func (d *slidingDriver) restore(b []byte) error {
	d.s = NewSliding(d.aggs, d.rng, d.rows)
	return restoreInto(d.s, b)
}

type joinDriver struct {
	emitLog
	j *JoinBuffer
}

func (d *joinDriver) add(r testRow) error {
	err := d.j.Match(Key(r.key), r.t, func(row eval.Row, rt int64) error {
		d.lines = append(d.lines, fmt.Sprintf("%s@%d ~ %s@%d", r.key, r.t, row[0], rt))
		return nil
	})
	d.j.Add(Key(r.key), r.t, eval.Row{r.v})
	return err
}
func (d *joinDriver) close(upTo int64) error { d.j.Evict(upTo - 6); return nil }
func (d *joinDriver) state() []byte          { return d.j.AppendState([]byte("prefix")) }
func (d *joinDriver) restore(b []byte) error {
	d.j = NewJoinBuffer(5)
	return restoreInto(d.j, b)
}

type stateful interface {
	AppendState(b []byte) []byte
	ReadState(b []byte) ([]byte, error)
}

func restoreInto(s stateful, b []byte) error {
	rest, err := s.ReadState(b[len("prefix"):])
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%d bytes left", len(rest))
	}
	return nil
}

func addOnlyAggs(t testing.TB) []AggSpec {
	return []AggSpec{spec(t, "COUNT"), spec(t, "SUM", tBig), spec(t, "MIN", tBig), spec(t, "MAX", tBig), spec(t, "FIRST_VALUE", tBig), spec(t, "AVG", tDbl)}
}

func drivers(t testing.TB) map[string]func() driver {
	aggs := addOnlyAggs(t)
	sl := slidingAggs(t)
	return map[string]func() driver{
		"groups tumble": func() driver { return &groupsDriver{g: NewGroups(aggs), size: 5, hop: 5, aggs: aggs} },
		"groups hop":    func() driver { return &groupsDriver{g: NewGroups(aggs), size: 6, hop: 2, aggs: aggs} },
		"stagger":       func() driver { return &staggerDriver{s: NewStagger(aggs, 7), aggs: aggs} },
		"sessions":      func() driver { return &sessionsDriver{s: NewSessions(aggs, 3), aggs: aggs} },
		"sliding range": func() driver { return &slidingDriver{s: NewSliding(sl, 6, -1), aggs: sl, rng: 6, rows: -1} },
		"sliding rows":  func() driver { return &slidingDriver{s: NewSliding(sl, 0, 3), aggs: sl, rows: 3} },
		"join":          func() driver { return &joinDriver{j: NewJoinBuffer(5)} },
	}
}

// script is rows with some out of order (sessions merge) and closes.
func script(seed int64) (rows []testRow, closes map[int]int64) {
	r := rand.New(rand.NewSource(seed))
	rows = randomRows(r, 200)
	for i := range rows {
		if rows[i].v.IsNull() {
			rows[i].v = big(int64(i)) // AVG over DOUBLE args wants numbers; keep values non-NULL
		}
		rows[i].v = big(rows[i].v.I)
	}
	for i := 0; i < len(rows)/10; i++ { // a few late rows
		j := r.Intn(len(rows))
		rows[j].t -= int64(r.Intn(8))
	}
	closes = map[int]int64{}
	for i := range rows {
		if r.Intn(8) == 0 {
			closes[i] = rows[i].t - 4
		}
	}
	return rows, closes
}

func run(t *testing.T, d driver, rows []testRow, closes map[int]int64, snapAt int) driver {
	t.Helper()
	for i, row := range rows {
		if i == snapAt {
			b := d.state()
			if err := d.restore(b); err != nil {
				t.Fatalf("restore at %d: %v", i, err)
			}
		}
		if err := d.add(row); err != nil {
			t.Fatal(err)
		}
		if upTo, ok := closes[i]; ok {
			if err := d.close(upTo); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := d.close(1 << 40); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestStateRoundTrip snapshots each structure mid-stream, restores a new
// one from the snapshot and checks it goes on emitting the same.
func TestStateRoundTrip(t *testing.T) {
	for name, mk := range drivers(t) {
		t.Run(name, func(t *testing.T) {
			for seed := int64(1); seed <= 5; seed++ {
				rows, closes := script(seed)
				want := run(t, mk(), rows, closes, -1).out()
				if len(want) == 0 {
					t.Fatal("nothing emitted")
				}
				for _, at := range []int{0, 1, 37, 100, 199} {
					got := run(t, mk(), rows, closes, at).out()
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("seed %d, restored at row %d:\n got %q\nwant %q", seed, at, got, want)
					}
				}
			}
		})
	}
}

func TestReadStateRefusesOthers(t *testing.T) {
	aggs := addOnlyAggs(t)
	g := NewGroups(aggs)
	b := NewStagger(aggs, 7).AppendState(nil)
	if _, err := g.ReadState(b); err == nil {
		t.Error("Groups read a Stagger state")
	}
	if _, err := NewGroups(aggs[:2]).ReadState(g.AppendState(nil)); err == nil {
		t.Error("Groups read a state of other aggregates")
	}
	if _, err := NewSliding(slidingAggs(t), 5, -1).ReadState(NewSliding(slidingAggs(t), 6, -1).AppendState(nil)); err == nil {
		t.Error("Sliding read a state of another range")
	}
}

// FuzzReadState feeds bytes to every decoder: none may panic, and what one
// accepts must encode and decode again.
func FuzzReadState(f *testing.F) {
	for _, mk := range drivers(f) {
		rows, closes := script(3)
		d := mk()
		for i, row := range rows[:120] {
			_ = d.add(row)
			if upTo, ok := closes[i]; ok {
				_ = d.close(upTo)
			}
		}
		f.Add(d.state()[len("prefix"):])
	}
	w := Watermark{}
	w.Observe(42)
	f.Add(w.AppendState(nil))
	f.Add([]byte{})
	f.Add([]byte{'G', 1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	aggs := addOnlyAggs(f)
	sl := slidingAggs(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, s := range []stateful{NewGroups(aggs), NewStagger(aggs, 7), NewSessions(aggs, 3),
			NewSliding(sl, 6, -1), NewSliding(sl, 0, 3), NewJoinBuffer(5), &Watermark{}} {
			if _, err := s.ReadState(b); err != nil {
				continue
			}
			again := s.AppendState(nil)
			if _, err := s.ReadState(again); err != nil {
				t.Fatalf("%T: re-encoded state refused: %v", s, err)
			}
			exercise(s, aggs, sl)
		}
	})
}

// exercise runs a restored structure a little: a decoded state must not
// make later calls panic.
func exercise(s stateful, aggs, sl []AggSpec) {
	emit := func(Window, []eval.Value, []eval.Value) error { return nil }
	kv := []eval.Value{eval.Str("0")}
	for _, t := range []int64{-5, 0, 3, 100} {
		switch s := s.(type) {
		case *Groups:
			_ = s.Add(Tumble(t, 5, 0), KeyOf(kv), kv, t, rowArgs(aggs, big(t)))
			_ = s.Close(t, emit)
		case *Stagger:
			_ = s.Add(KeyOf(kv), kv, t, rowArgs(aggs, big(t)))
			_ = s.Close(t, emit)
		case *Sessions:
			_ = s.Add(KeyOf(kv), kv, t, rowArgs(aggs, big(t)))
			_ = s.Close(t, emit)
		case *Sliding:
			_, _, _ = s.Push("0", t, eval.Row{big(t)}, rowArgs(sl, big(t)))
			s.Expire(t)
		case *JoinBuffer:
			_ = s.Match("0", t, func(eval.Row, int64) error { return nil })
			s.Add("0", t, nil)
			s.Evict(t)
		}
	}
	switch s := s.(type) {
	case *Groups:
		_ = s.Close(1<<40, emit)
	case *Stagger:
		_ = s.Close(1<<40, emit)
	case *Sessions:
		_ = s.Close(1<<40, emit)
	}
}

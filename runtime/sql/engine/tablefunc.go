package engine

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/kinesin/kinesin/runtime/sql/agg"
	"github.com/kinesin/kinesin/runtime/sql/window"

	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/hotspots"
	"github.com/kinesin/kinesin/runtime/sql/parser"
	"github.com/kinesin/kinesin/runtime/sql/rcf"
)

func appendVarint(b []byte, v int64) []byte { return binary.AppendVarint(b, v) }

func readVarint(b []byte) (int64, []byte, error) {
	v, n := binary.Varint(b)
	if n <= 0 {
		return 0, nil, errors.New("engine: corrupt state")
	}
	return v, b[n:], nil
}

// planTableFunction plans TABLE(F(CURSOR(SELECT STREAM ...), args)):
// RANDOM_CUT_FOREST, RANDOM_CUT_FOREST_WITH_EXPLANATION and HOTSPOTS
// (window table functions are planned by the select reading them).
func (pl *planner) planTableFunction(tf *parser.TableFunction) (*source, error) {
	call := tf.Call
	name := call.Name.Name
	if isWindowTVF(tf) {
		return pl.planWindowTVF(tf)
	}
	switch name {
	case "RANDOM_CUT_FOREST", "RANDOM_CUT_FOREST_WITH_EXPLANATION", "HOTSPOTS":
	case "TOP_K_ITEMS_TUMBLING", "COUNT_DISTINCT_ITEMS_TUMBLING":
		return pl.planSketch(tf)
	default:
		return nil, errAt(call, "unknown table function %s", name)
	}
	if len(call.Args) == 0 {
		return nil, errAt(call, "%s needs CURSOR(SELECT STREAM ...) as its first argument", name)
	}
	cur, ok := call.Args[0].(*parser.CursorExpr)
	if !ok {
		return nil, errAt(call.Args[0], "%s needs CURSOR(SELECT STREAM ...) as its first argument", name)
	}
	qcols, qout, err := pl.planQuery(cur.Query)
	if err != nil {
		return nil, err
	}
	alias := ""
	if tf.Alias != nil {
		alias = tf.Alias.Name
	}
	base, err := derivedSource(qcols, qout, alias, nil, cur)
	if err != nil {
		return nil, err
	}
	var numeric []int
	var names []string
	for i, c := range base.cols {
		if i > 0 && c.Name != "" && c.Type.Kind.IsNumeric() {
			numeric = append(numeric, i)
			names = append(names, c.Name)
		}
	}
	if len(numeric) == 0 {
		return nil, errAt(cur, "%s needs numeric columns in its input", name)
	}
	args := call.Args[1:]
	num := func(i int, def float64, what string) (float64, error) {
		if i >= len(args) {
			return def, nil
		}
		return constFloat(args[i], what)
	}
	cols := append([]eval.Column(nil), base.cols...)
	out := &outlet{}
	wide := make(eval.Row, 0, len(cols)+2)
	rec := make([]float64, len(numeric))
	features := func(row eval.Row) []float64 {
		for k, i := range numeric {
			v := row[i]
			if v.IsNull() {
				rec[k] = 0
			} else {
				rec[k] = v.Float()
			}
			if math.IsNaN(rec[k]) || math.IsInf(rec[k], 0) {
				rec[k] = 0
			}
		}
		return rec
	}
	switch name {
	case "RANDOM_CUT_FOREST", "RANDOM_CUT_FOREST_WITH_EXPLANATION":
		explain := name == "RANDOM_CUT_FOREST_WITH_EXPLANATION"
		var c rcf.Config
		c.Dims = len(numeric)
		c.Seed = 1
		vals := []*int{&c.Trees, &c.SampleSize, &c.TimeDecay, &c.ShingleSize}
		what := []string{"numberOfTrees", "subSampleSize", "timeDecay", "shingleSize"}
		for i, p := range vals {
			f, err := num(i, 0, what[i])
			if err != nil {
				return nil, err
			}
			*p = int(f)
		}
		directional := false
		if explain && len(args) > 4 {
			v := constValue(args[4])
			if v == nil || v.Kind != eval.Boolean {
				return nil, errAt(args[4], "withDirectionality must be TRUE or FALSE")
			}
			directional = v.Bool()
		}
		forest, err := rcf.New(c)
		if err != nil {
			return nil, errAt(call, "%v", err)
		}
		hist := &replay{dims: len(numeric), limit: rcfReplay, reset: func() error {
			f, err := rcf.New(c)
			forest = f
			return err
		}, feed: func(r []float64) error { _, err := forest.Score(r); return err }}
		pl.in.stateful = append(pl.in.stateful, hist)
		cols = append(cols, eval.Column{Qualifier: alias, Name: "ANOMALY_SCORE", Type: eval.Type{Kind: eval.Double}})
		if explain {
			cols = append(cols, eval.Column{Qualifier: alias, Name: "ANOMALY_EXPLANATION", Type: eval.Type{Kind: eval.Varchar, Len: 20480}})
		}
		base.out.next = func(t int64, row eval.Row) error {
			wide = append(wide[:0], row...)
			hist.add(features(row))
			if !explain {
				s, err := forest.Score(features(row))
				if err != nil {
					return err
				}
				wide = append(wide, eval.DoubleValue(s))
				return out.send(t, wide)
			}
			ex, err := forest.ScoreWithExplanation(features(row))
			if err != nil {
				return err
			}
			js, err := ex.JSON(names, directional)
			if err != nil {
				return err
			}
			wide = append(wide, eval.DoubleValue(ex.Score), eval.Str(js))
			return out.send(t, wide)
		}
	case "HOTSPOTS":
		var c hotspots.Config
		c.Dims = len(numeric)
		ws, err := num(0, 0, "windowSize")
		if err != nil {
			return nil, err
		}
		c.WindowSize = int(ws)
		if c.ScanRadius, err = num(1, 0, "scanRadius"); err != nil {
			return nil, err
		}
		mp, err := num(2, 0, "minimumNumberOfPointsInAHotspot")
		if err != nil {
			return nil, err
		}
		c.MinPoints = int(mp)
		d, err := hotspots.New(c)
		if err != nil {
			return nil, errAt(call, "%v", err)
		}
		hist := &replay{dims: len(numeric), limit: c.WindowSize, reset: func() error {
			nd, err := hotspots.New(c)
			d = nd
			return err
		}, feed: func(r []float64) error { _, err := d.Add(append([]float64(nil), r...)); return err }}
		pl.in.stateful = append(pl.in.stateful, hist)
		cols = append(cols, eval.Column{Qualifier: alias, Name: "HOTSPOTS_RESULT", Type: eval.Type{Kind: eval.Varchar}})
		base.out.next = func(t int64, row eval.Row) error {
			hist.add(features(row))
			hs, err := d.Add(append([]float64(nil), features(row)...))
			if err != nil {
				return err
			}
			wide = append(append(wide[:0], row...), eval.Str(hotspots.JSON(hs)))
			return out.send(t, wide)
		}
	}
	return &source{cols: cols, out: out}, nil
}

// sketchState is the state of TOP_K_ITEMS_TUMBLING and
// COUNT_DISTINCT_ITEMS_TUMBLING: the open window and its sketch.
type sketchState struct {
	open  *bool
	win   *window.Window
	state interface {
		AppendState([]byte) []byte
		ReadState([]byte) ([]byte, error)
	}
}

func (s *sketchState) appendState(b []byte) []byte {
	if !*s.open {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, s.win.Start)
	b = binary.AppendVarint(b, s.win.End)
	return s.state.AppendState(b)
}

func (s *sketchState) readState(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, errors.New("engine: corrupt sketch state")
	}
	*s.open = b[0] == 1
	b = b[1:]
	if !*s.open {
		return b, nil
	}
	var err error
	if s.win.Start, b, err = readVarint(b); err != nil {
		return nil, err
	}
	if s.win.End, b, err = readVarint(b); err != nil {
		return nil, err
	}
	return s.state.ReadState(b)
}

// planSketch plans TOP_K_ITEMS_TUMBLING(CURSOR(...), 'column', K,
// windowSize) and COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(...), 'column',
// windowSize): tumbling windows of windowSize seconds of ROWTIME; when a
// window closes, the K most frequent values of the column with their
// counts (ITEM_COUNT), most frequent first, or the estimated number of
// distinct values (NUMBER_OF_DISTINCT_ITEMS). The rows' ROWTIME is the
// window's end.
func (pl *planner) planSketch(tf *parser.TableFunction) (*source, error) {
	call := tf.Call
	name := call.Name.Name
	topK := name == "TOP_K_ITEMS_TUMBLING"
	want := 3
	if topK {
		want = 4
	}
	if len(call.Args) != want {
		return nil, errAt(call, "%s takes %d arguments", name, want)
	}
	cur, ok := call.Args[0].(*parser.CursorExpr)
	if !ok {
		return nil, errAt(call.Args[0], "%s needs CURSOR(SELECT STREAM ...) as its first argument", name)
	}
	qcols, qout, err := pl.planQuery(cur.Query)
	if err != nil {
		return nil, err
	}
	base, err := derivedSource(qcols, qout, "", nil, cur)
	if err != nil {
		return nil, err
	}
	colName, err := constString(call.Args[1], "the column name")
	if err != nil {
		return nil, err
	}
	col := -1
	for i, c := range base.cols {
		if i > 0 && c.Name == colName {
			col = i
		}
	}
	if col < 0 {
		for i, c := range base.cols {
			if i > 0 && col < 0 && equalFold(c.Name, colName) {
				col = i
			}
		}
	}
	if col < 0 {
		return nil, errAt(call.Args[1], "the cursor has no column %s", colName)
	}
	var k int64
	if topK {
		if k, err = constInt(call.Args[2], "K"); err != nil {
			return nil, err
		}
		if k < 1 || k > 100000 {
			return nil, errAt(call.Args[2], "K must be between 1 and 100000")
		}
	}
	size, err := constInt(call.Args[len(call.Args)-1], "windowSize")
	if err != nil {
		return nil, err
	}
	if size < 1 || size > 3600 {
		return nil, errAt(call.Args[len(call.Args)-1], "windowSize must be between 1 and 3600 seconds")
	}
	alias := ""
	if tf.Alias != nil {
		alias = tf.Alias.Name
	}
	cols := []eval.Column{{Qualifier: alias, Name: "ROWTIME", Type: eval.Type{Kind: eval.Timestamp, NotNull: true}}}
	if topK {
		ct := base.cols[col].Type
		ct.NotNull = false
		cols = append(cols, eval.Column{Qualifier: alias, Name: base.cols[col].Name, Type: ct},
			eval.Column{Qualifier: alias, Name: "ITEM_COUNT", Type: eval.Type{Kind: eval.BigInt}})
	} else {
		cols = append(cols, eval.Column{Qualifier: alias, Name: "NUMBER_OF_DISTINCT_ITEMS", Type: eval.Type{Kind: eval.BigInt}})
	}
	out := &outlet{}
	var open bool
	var win window.Window
	var tk *agg.TopK
	var dc *agg.DistinctCounter
	st := &sketchState{open: &open, win: &win}
	if topK {
		tk = agg.NewTopK(int(k))
		st.state = tk
	} else {
		dc = agg.NewDistinctCounter()
		st.state = dc
	}
	buf := make(eval.Row, len(cols))
	closeUpTo := func(t int64) error {
		if !open || win.End > t {
			return nil
		}
		open = false
		buf[0] = eval.TimestampMillis(win.End)
		if topK {
			items := tk.Items()
			tk.Reset()
			for _, it := range items {
				buf[1], buf[2] = it.Value, eval.BigIntValue(it.Count)
				if err := out.send(win.End, buf); err != nil {
					return err
				}
			}
			return nil
		}
		buf[1] = eval.BigIntValue(dc.Count())
		dc.Reset()
		return out.send(win.End, buf)
	}
	base.out.next = func(t int64, row eval.Row) error {
		if err := closeUpTo(t); err != nil {
			return err
		}
		if !open {
			win, open = window.Tumble(t, size*1000, 0), true
		}
		v := row[col]
		if topK {
			tk.Add(v)
		} else if !v.IsNull() {
			dc.Add(v)
		}
		return nil
	}
	pl.in.stateful = append(pl.in.stateful, st)
	pl.in.advancers = append(pl.in.advancers, closeUpTo)
	return &source{cols: cols, out: out}, nil
}

// rcfReplay is how many recent records a random cut forest's snapshot
// keeps: the forest has no state codec, so a restore builds a new forest
// (same seed) and feeds it these records again. Up to this many records
// the restored forest is the same as the one that was stopped; beyond, it
// has learnt from the most recent ones.
const rcfReplay = 20000

// replay keeps the last records of a model without a state codec (random
// cut forests, hotspot windows) and rebuilds the model from them.
type replay struct {
	dims, limit int
	recs        [][]float64 // ring
	first       int
	reset       func() error
	feed        func([]float64) error
}

func (r *replay) add(rec []float64) {
	if len(r.recs) < r.limit {
		r.recs = append(r.recs, append([]float64(nil), rec...))
		return
	}
	copy(r.recs[r.first], rec)
	r.first = (r.first + 1) % len(r.recs)
}

func (r *replay) appendState(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(r.recs)))
	for i := range r.recs {
		for _, f := range r.recs[(r.first+i)%len(r.recs)] {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
		}
	}
	return b
}

func (r *replay) readState(b []byte) ([]byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(r.limit) || uint64(len(b)-k) < n*uint64(r.dims)*8 {
		return nil, errors.New("engine: corrupt model state")
	}
	b = b[k:]
	if err := r.reset(); err != nil {
		return nil, err
	}
	r.recs, r.first = r.recs[:0], 0
	for i := uint64(0); i < n; i++ {
		rec := make([]float64, r.dims)
		for j := range rec {
			rec[j] = math.Float64frombits(binary.LittleEndian.Uint64(b))
			b = b[8:]
		}
		if err := r.feed(rec); err != nil {
			return nil, err
		}
		r.recs = append(r.recs, rec)
	}
	return b, nil
}

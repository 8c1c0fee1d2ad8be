package window

import (
	"encoding/binary"

	"github.com/kinesin/kinesin/runtime/sql/agg"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// Groups are tumbling or hopping windows per (window, key): GROUP BY with
// STEP/FLOOR(ROWTIME ...) and Flink TUMBLE/HOP. The caller assigns a row to
// its window(s) (Tumble, Hop) and adds it to each.
type Groups struct {
	aggs    []AggSpec
	m       map[Window]map[Key]*group // by window, then key
	n       int                       // groups held
	q       endQueue[*group]
	results []eval.Value
	// the inner map of the window last added to (rows come in runs of
	// the same windows)
	lastW   Window
	lastMap map[Key]*group
}

type group struct {
	w       Window
	key     Key
	keyVals []eval.Value
	accs    []agg.Accumulator
}

// NewGroups answers empty groups computing aggs.
func NewGroups(aggs []AggSpec) *Groups {
	return &Groups{aggs: aggs, m: make(map[Window]map[Key]*group), results: make([]eval.Value, len(aggs))}
}

// window answers the groups of window w (made when make is set).
func (g *Groups) window(w Window, make_ bool) map[Key]*group {
	if g.lastMap != nil && g.lastW == w {
		return g.lastMap
	}
	m := g.m[w]
	if m == nil {
		if !make_ {
			return nil
		}
		m = make(map[Key]*group)
		g.m[w] = m
	}
	g.lastW, g.lastMap = w, m
	return m
}

// AddBytes is Add with the key as bytes: no allocation when the group
// exists.
func (g *Groups) AddBytes(w Window, key []byte, keyVals []eval.Value, t int64, args [][]eval.Value) error {
	m := g.window(w, true)
	gr := m[Key(key)] // no allocation for the lookup
	if gr == nil {
		return g.Add(w, Key(key), keyVals, t, args)
	}
	return g.addTo(gr, t, args)
}

func (g *Groups) addTo(gr *group, t int64, args [][]eval.Value) error {
	for i, a := range gr.accs {
		if err := a.Add(t, argsOf(args, i)); err != nil {
			return addErr(g.aggs[i], err)
		}
	}
	return nil
}

// Add adds a row at time t to the group of window w and key; keyVals are
// the key's values (copied when the group is new) and args[i] are
// aggregate i's arguments. A group whose window was already closed is
// opened again and closes on the next Close: holding late rows back is the
// caller's business (Watermark).
func (g *Groups) Add(w Window, key Key, keyVals []eval.Value, t int64, args [][]eval.Value) error {
	m := g.window(w, true)
	gr := m[key]
	if gr == nil {
		gr = &group{w: w, key: key, keyVals: append([]eval.Value(nil), keyVals...), accs: newAccs(g.aggs, true)}
		m[key] = gr
		g.n++
		g.q.push(w.End, gr)
	}
	return g.addTo(gr, t, args)
}

// Close emits, then forgets, every group whose window End <= upTo, ordered
// by End and then by the order of the groups' first rows. results[i] is
// aggregate i's result; keyVals and results are valid only during emit.
// When emit fails, Close stops and that group and the rest stay open.
func (g *Groups) Close(upTo int64, emit func(w Window, keyVals, results []eval.Value) error) error {
	for {
		end, ok := g.q.next(upTo)
		if !ok {
			return nil
		}
		bucket := g.q.take()
		for i, gr := range bucket {
			for j, a := range gr.accs {
				g.results[j] = a.Result()
			}
			if err := emit(gr.w, gr.keyVals, g.results); err != nil {
				g.q.putBack(end, bucket[i:])
				return err
			}
			g.remove(gr)
		}
		g.q.recycle(bucket)
	}
}

func (g *Groups) remove(gr *group) {
	m := g.m[gr.w]
	delete(m, gr.key)
	g.n--
	if len(m) == 0 {
		delete(g.m, gr.w)
		if g.lastMap != nil && g.lastW == gr.w {
			g.lastMap = nil
		}
	}
}

// Open answers the number of groups held.
func (g *Groups) Open() int { return g.n }

// AppendState appends the open groups (windows, keys, accumulator states)
// to b.
func (g *Groups) AppendState(b []byte) []byte {
	b = appendHeader(b, stateGroups)
	b = appendAggNames(b, g.aggs)
	b = binary.AppendUvarint(b, uint64(g.n))
	g.q.each(func(_ int64, gr *group) {
		b = binary.AppendVarint(b, gr.w.Start)
		b = binary.AppendVarint(b, gr.w.End)
		b = appendString(b, string(gr.key))
		b = appendValues(b, gr.keyVals)
		b = appendAccs(b, gr.accs)
	})
	return b
}

// ReadState replaces the groups with the state at the front of b and
// answers the rest of b.
func (g *Groups) ReadState(b []byte) ([]byte, error) {
	r := &reader{b: b}
	r.header(stateGroups)
	r.aggNames(g.aggs)
	n := r.count(3)
	m := make(map[Window]map[Key]*group)
	var q endQueue[*group]
	for i := 0; i < n && r.err == nil; i++ {
		gr := &group{}
		gr.w.Start = r.varint()
		gr.w.End = r.varint()
		gr.key = Key(r.str())
		gr.keyVals = r.values()
		gr.accs = r.accs(g.aggs, true)
		if r.err != nil {
			break
		}
		if _, dup := m[gr.w][gr.key]; dup {
			r.fail("duplicate group")
			break
		}
		if m[gr.w] == nil {
			m[gr.w] = make(map[Key]*group)
		}
		m[gr.w][gr.key] = gr
		q.push(gr.w.End, gr)
	}
	rest, err := r.done()
	if err != nil {
		return nil, err
	}
	cnt := 0
	for _, wm := range m {
		cnt += len(wm)
	}
	g.m, g.q, g.n, g.lastMap = m, q, cnt, nil
	return rest, nil
}

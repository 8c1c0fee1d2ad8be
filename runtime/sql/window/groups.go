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
	m       map[groupKey]*group
	q       endQueue[*group]
	results []eval.Value
}

type groupKey struct {
	w Window
	k Key
}

type group struct {
	w       Window
	key     Key
	keyVals []eval.Value
	accs    []agg.Accumulator
}

// NewGroups answers empty groups computing aggs.
func NewGroups(aggs []AggSpec) *Groups {
	return &Groups{aggs: aggs, m: make(map[groupKey]*group), results: make([]eval.Value, len(aggs))}
}

// Add adds a row at time t to the group of window w and key; keyVals are
// the key's values (copied when the group is new) and args[i] are
// aggregate i's arguments. A group whose window was already closed is
// opened again and closes on the next Close: holding late rows back is the
// caller's business (Watermark).
func (g *Groups) Add(w Window, key Key, keyVals []eval.Value, t int64, args [][]eval.Value) error {
	gr := g.m[groupKey{w, key}]
	if gr == nil {
		gr = &group{w: w, key: key, keyVals: append([]eval.Value(nil), keyVals...), accs: newAccs(g.aggs, true)}
		g.m[groupKey{w, key}] = gr
		g.q.push(w.End, gr)
	}
	for i, a := range gr.accs {
		if err := a.Add(t, argsOf(args, i)); err != nil {
			return addErr(g.aggs[i], err)
		}
	}
	return nil
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
			delete(g.m, groupKey{gr.w, gr.key})
		}
		g.q.recycle(bucket)
	}
}

// Open answers the number of groups held.
func (g *Groups) Open() int { return len(g.m) }

// AppendState appends the open groups (windows, keys, accumulator states)
// to b.
func (g *Groups) AppendState(b []byte) []byte {
	b = appendHeader(b, stateGroups)
	b = appendAggNames(b, g.aggs)
	b = binary.AppendUvarint(b, uint64(len(g.m)))
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
	m := make(map[groupKey]*group, n)
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
		if _, dup := m[groupKey{gr.w, gr.key}]; dup {
			r.fail("duplicate group")
			break
		}
		m[groupKey{gr.w, gr.key}] = gr
		q.push(gr.w.End, gr)
	}
	rest, err := r.done()
	if err != nil {
		return nil, err
	}
	g.m, g.q = m, q
	return rest, nil
}

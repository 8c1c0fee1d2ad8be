package window

import (
	"encoding/binary"

	"github.com/kinesin/kinesin/runtime/sql/agg"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// Stagger is WINDOWED BY STAGGER(PARTITION BY ... RANGE INTERVAL ...): per
// key, a window opens at the time t of the key's first row and closes at
// t+size (AWS: "windows open when the first event matching the partition
// key arrives ... close based on the age specified, which is measured from
// the time when the window opened"). Later rows of the key with a time
// before the open window's End join it — a row with a time before the
// window's Start too (a late row still belongs to the key's open window);
// a row at or after End opens the key's next window, the previous one
// waiting for Close. The emitted window is [first row's time, +size).
type Stagger struct {
	aggs    []AggSpec
	size    int64
	open    map[Key]*swin // the newest window of each key
	q       endQueue[*swin]
	n       int
	results []eval.Value
}

type swin struct {
	w       Window
	key     Key
	keyVals []eval.Value
	accs    []agg.Accumulator
}

// NewStagger answers stagger windows of size milliseconds computing aggs.
func NewStagger(aggs []AggSpec, size int64) *Stagger {
	return &Stagger{aggs: aggs, size: size, open: make(map[Key]*swin), results: make([]eval.Value, len(aggs))}
}

// Add adds a row of key at time t; keyVals are the key's values (copied
// when a window opens) and args[i] aggregate i's arguments.
func (s *Stagger) Add(key Key, keyVals []eval.Value, t int64, args [][]eval.Value) error {
	sw := s.open[key]
	if sw == nil || t >= sw.w.End {
		sw = &swin{w: Window{t, t + s.size}, key: key, keyVals: append([]eval.Value(nil), keyVals...), accs: newAccs(s.aggs, true)}
		s.open[key] = sw
		s.q.push(sw.w.End, sw)
		s.n++
	}
	for i, a := range sw.accs {
		if err := a.Add(t, argsOf(args, i)); err != nil {
			return addErr(s.aggs[i], err)
		}
	}
	return nil
}

// Close emits, then forgets, every window with End <= upTo, by End and
// then by the order the windows opened. keyVals and results are valid only
// during emit. When emit fails, Close stops and that window and the rest
// stay open.
func (s *Stagger) Close(upTo int64, emit func(w Window, keyVals, results []eval.Value) error) error {
	for {
		end, ok := s.q.next(upTo)
		if !ok {
			return nil
		}
		bucket := s.q.take()
		for i, sw := range bucket {
			for j, a := range sw.accs {
				s.results[j] = a.Result()
			}
			if err := emit(sw.w, sw.keyVals, s.results); err != nil {
				s.q.putBack(end, bucket[i:])
				return err
			}
			if s.open[sw.key] == sw {
				delete(s.open, sw.key)
			}
			s.n--
		}
		s.q.recycle(bucket)
	}
}

// Open answers the number of windows held.
func (s *Stagger) Open() int { return s.n }

// AppendState appends the windows (keys, accumulator states) to b.
func (s *Stagger) AppendState(b []byte) []byte {
	b = appendHeader(b, stateStagger)
	b = appendAggNames(b, s.aggs)
	b = binary.AppendVarint(b, s.size)
	b = binary.AppendUvarint(b, uint64(s.n))
	s.q.each(func(_ int64, sw *swin) {
		b = binary.AppendVarint(b, sw.w.Start)
		b = binary.AppendVarint(b, sw.w.End)
		b = appendString(b, string(sw.key))
		b = appendValues(b, sw.keyVals)
		b = appendAccs(b, sw.accs)
	})
	return b
}

// ReadState replaces the windows with the state at the front of b and
// answers the rest of b.
func (s *Stagger) ReadState(b []byte) ([]byte, error) {
	r := &reader{b: b}
	r.header(stateStagger)
	r.aggNames(s.aggs)
	if size := r.varint(); r.err == nil && size != s.size {
		r.fail("state window size %d, want %d", size, s.size)
	}
	n := r.count(3)
	open := make(map[Key]*swin, n)
	var q endQueue[*swin]
	for i := 0; i < n && r.err == nil; i++ {
		sw := &swin{}
		sw.w.Start = r.varint()
		sw.w.End = r.varint()
		sw.key = Key(r.str())
		sw.keyVals = r.values()
		sw.accs = r.accs(s.aggs, true)
		if r.err != nil {
			break
		}
		// Windows come in End order; a key's newest is its last.
		if o := open[sw.key]; o == nil || o.w.End <= sw.w.End {
			open[sw.key] = sw
		}
		q.push(sw.w.End, sw)
	}
	rest, err := r.done()
	if err != nil {
		return nil, err
	}
	s.open, s.q, s.n = open, q, n
	return rest, nil
}

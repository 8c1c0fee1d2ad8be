package window

import (
	"container/heap"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/kinesin/kinesin/runtime/sql/agg"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// Sessions are per-key session windows with an inactivity gap (Flink
// SESSION): a row at t stands for [t, t+gap), and a key's rows whose
// intervals overlap form one session [first, last+gap). A row that
// bridges two sessions merges them.
//
// Accumulators cannot be merged, so a session keeps the times and
// arguments of its rows (not whole rows); a merge rebuilds the merged
// session's accumulators by adding its rows again in time order (ties in
// arrival order). Rows in time order never merge sessions.
type Sessions struct {
	aggs    []AggSpec
	gap     int64
	stride  int
	strides []int
	offsets []int
	keys    map[Key][]*session // sessions of a key, by Start
	h       sessionHeap
	seq     uint64
	results []eval.Value
}

type session struct {
	key         Key
	keyVals     []eval.Value
	start, last int64
	seq         uint64 // order of the session's first row
	times       []int64
	args        []eval.Value // stride values per row
	accs        []agg.Accumulator
	// heap entry: the End the heap orders the session by (<= its End)
	hEnd int64
	hIdx int
}

func (s *session) end(gap int64) int64 { return s.last + gap }

// NewSessions answers session windows with the given gap computing aggs.
func NewSessions(aggs []AggSpec, gap int64) *Sessions {
	s := &Sessions{aggs: aggs, gap: gap, keys: make(map[Key][]*session), strides: make([]int, len(aggs)), offsets: make([]int, len(aggs)), results: make([]eval.Value, len(aggs))}
	for i, a := range aggs {
		s.strides[i] = len(a.ArgTypes)
		s.offsets[i] = s.stride
		s.stride += len(a.ArgTypes)
	}
	return s
}

func (s *Sessions) rowArgs(ss *session, row, i int) []eval.Value {
	off := row*s.stride + s.offsets[i]
	return ss.args[off : off+s.strides[i] : off+s.strides[i]]
}

// AddBytes is Add with the key as bytes: the key's string is made only
// for a key without open sessions.
func (s *Sessions) AddBytes(key []byte, keyVals []eval.Value, t int64, args [][]eval.Value) error {
	if list := s.keys[Key(key)]; len(list) > 0 {
		return s.add(list[0].key, list, keyVals, t, args)
	}
	return s.add(Key(key), nil, keyVals, t, args)
}

// Add adds a row of key at time t, merging the sessions it bridges;
// keyVals are the key's values (copied when a session opens) and args[i]
// aggregate i's arguments (len(AggSpec.ArgTypes) values).
func (s *Sessions) Add(key Key, keyVals []eval.Value, t int64, args [][]eval.Value) error {
	return s.add(key, s.keys[key], keyVals, t, args)
}

// add is Add given the key's open sessions (s.keys[key]).
func (s *Sessions) add(key Key, list []*session, keyVals []eval.Value, t int64, args [][]eval.Value) error {
	for i, n := range s.strides {
		if len(argsOf(args, i)) != n {
			return addErr(s.aggs[i], errArgs(len(argsOf(args, i)), n))
		}
	}
	// The sessions the row's [t, t+gap) overlaps are contiguous in list.
	lo := sort.Search(len(list), func(i int) bool { return t < list[i].end(s.gap) })
	hi := lo
	for hi < len(list) && list[hi].start < t+s.gap {
		hi++
	}
	switch {
	case hi == lo: // a new session
		ss := &session{key: key, keyVals: append([]eval.Value(nil), keyVals...), start: t, last: t, seq: s.seq, accs: newAccs(s.aggs, true)}
		s.seq++
		if err := s.addRow(ss, t, args); err != nil {
			return err
		}
		list = append(list, nil)
		copy(list[lo+1:], list[lo:])
		list[lo] = ss
		s.keys[key] = list
		ss.hEnd = ss.end(s.gap)
		heap.Push(&s.h, ss)
		return nil
	case hi == lo+1: // extends one session
		ss := list[lo]
		if err := s.addRow(ss, t, args); err != nil {
			return err
		}
		ss.start, ss.last = min(ss.start, t), max(ss.last, t)
		return nil
	}
	// Merge list[lo:hi] into the oldest session (first-row order).
	into := list[lo]
	for _, o := range list[lo+1 : hi] {
		if o.seq < into.seq {
			into = o
		}
	}
	type rowRef struct {
		ss  *session
		row int
	}
	var refs []rowRef
	for _, o := range list[lo:hi] {
		for r := range o.times {
			refs = append(refs, rowRef{o, r})
		}
	}
	sort.SliceStable(refs, func(a, b int) bool { return refs[a].ss.times[refs[a].row] < refs[b].ss.times[refs[b].row] })
	merged := &session{key: into.key, keyVals: into.keyVals, seq: into.seq, start: t, last: t, accs: into.accs,
		times: make([]int64, 0, len(refs)+1), args: make([]eval.Value, 0, (len(refs)+1)*s.stride)}
	for i := range merged.accs {
		merged.accs[i] = renew(s.aggs[i], merged.accs[i], true)
	}
	for _, ref := range refs {
		s.addRowArgs(merged, ref.ss, ref.row)
	}
	for _, o := range list[lo:hi] {
		merged.start, merged.last = min(merged.start, o.start), max(merged.last, o.last)
		heap.Remove(&s.h, o.hIdx)
	}
	if err := s.addRow(merged, t, args); err != nil {
		// The merge stands without the row.
		s.place(key, list, lo, hi, merged)
		return err
	}
	s.place(key, list, lo, hi, merged)
	return nil
}

// place replaces list[lo:hi] with merged.
func (s *Sessions) place(key Key, list []*session, lo, hi int, merged *session) {
	list[lo] = merged
	list = append(list[:lo+1], list[hi:]...)
	s.keys[key] = list
	merged.hEnd = merged.end(s.gap)
	heap.Push(&s.h, merged)
}

func (s *Sessions) addRow(ss *session, t int64, args [][]eval.Value) error {
	for i, a := range ss.accs {
		if err := a.Add(t, argsOf(args, i)); err != nil {
			// Take the row back from the accumulators before i.
			s.rebuildExcept(ss, i)
			return addErr(s.aggs[i], err)
		}
	}
	ss.times = append(ss.times, t)
	for i := range s.aggs {
		ss.args = append(ss.args, argsOf(args, i)...)
	}
	return nil
}

// rebuildExcept rebuilds accumulators [0, failed) from the session's rows.
func (s *Sessions) rebuildExcept(ss *session, failed int) {
	for i := 0; i < failed; i++ {
		ss.accs[i] = renew(s.aggs[i], ss.accs[i], true)
		for r, t := range ss.times {
			_ = ss.accs[i].Add(t, s.rowArgs(ss, r, i))
		}
	}
}

// addRowArgs adds a kept row of src to dst (a merge). The accumulators took
// the row once, so they take it again; should one refuse it now, the row
// is left out of dst's kept rows.
func (s *Sessions) addRowArgs(dst, src *session, row int) {
	t := src.times[row]
	for i, a := range dst.accs {
		if a.Add(t, s.rowArgs(src, row, i)) != nil {
			return
		}
	}
	dst.times = append(dst.times, t)
	off := row * s.stride
	dst.args = append(dst.args, src.args[off:off+s.stride]...)
}

// Close emits, then forgets, every session with last+gap <= upTo, by End
// and then by the order of the sessions' first rows; w is [first row's
// time, last row's time + gap). keyVals and results are valid only during
// emit. When emit fails, Close stops and that session and the rest stay.
func (s *Sessions) Close(upTo int64, emit func(w Window, keyVals, results []eval.Value) error) error {
	for len(s.h) > 0 && s.h[0].hEnd <= upTo {
		ss := s.h[0]
		if e := ss.end(s.gap); e != ss.hEnd { // extended since it was queued
			ss.hEnd = e
			heap.Fix(&s.h, 0)
			continue
		}
		for i, a := range ss.accs {
			s.results[i] = a.Result()
		}
		if err := emit(Window{ss.start, ss.end(s.gap)}, ss.keyVals, s.results); err != nil {
			return err
		}
		heap.Pop(&s.h)
		list := s.keys[ss.key]
		for i, o := range list {
			if o == ss {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(s.keys, ss.key)
		} else {
			s.keys[ss.key] = list
		}
	}
	return nil
}

// Open answers the number of sessions held.
func (s *Sessions) Open() int { return len(s.h) }

// AppendState appends the sessions (keys and the times and arguments of
// their rows) to b. ReadState rebuilds the accumulators by adding the rows
// again in the same order, which gives the same state.
func (s *Sessions) AppendState(b []byte) []byte {
	b = appendHeader(b, stateSessions)
	b = appendAggNames(b, s.aggs)
	b = binary.AppendVarint(b, s.gap)
	b = binary.AppendUvarint(b, s.seq)
	b = binary.AppendUvarint(b, uint64(len(s.h)))
	for _, ss := range s.h {
		b = appendString(b, string(ss.key))
		b = appendValues(b, ss.keyVals)
		b = binary.AppendVarint(b, ss.start)
		b = binary.AppendVarint(b, ss.last)
		b = binary.AppendUvarint(b, ss.seq)
		b = binary.AppendUvarint(b, uint64(len(ss.times)))
		for _, t := range ss.times {
			b = binary.AppendVarint(b, t)
		}
		for _, v := range ss.args {
			b = agg.AppendValue(b, v)
		}
	}
	return b
}

// ReadState replaces the sessions with the state at the front of b and
// answers the rest of b.
func (s *Sessions) ReadState(b []byte) ([]byte, error) {
	r := &reader{b: b}
	r.header(stateSessions)
	r.aggNames(s.aggs)
	if gap := r.varint(); r.err == nil && gap != s.gap {
		r.fail("state gap %d, want %d", gap, s.gap)
	}
	seq := r.uvarint()
	n := r.count(6)
	keys := make(map[Key][]*session)
	h := make(sessionHeap, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		ss := &session{key: Key(r.str()), keyVals: r.values(), start: r.varint(), last: r.varint(), seq: r.uvarint()}
		rows := r.count(1)
		if r.err != nil {
			break
		}
		ss.times = make([]int64, rows)
		for j := range ss.times {
			ss.times[j] = r.varint()
		}
		if s.stride > 0 {
			if rows > len(r.b)/s.stride {
				r.fail("row count %d exceeds the data", rows)
				break
			}
			ss.args = make([]eval.Value, rows*s.stride)
			for j := range ss.args {
				ss.args[j] = r.value()
			}
		}
		if r.err != nil {
			break
		}
		if ss.last < ss.start || rows == 0 {
			r.fail("bad session")
			break
		}
		ss.accs = newAccs(s.aggs, true)
		for row, t := range ss.times {
			for k, a := range ss.accs {
				if err := a.Add(t, s.rowArgs(ss, row, k)); err != nil {
					r.fail("replaying %s: %v", s.aggs[k].Func.Name, err)
				}
			}
		}
		ss.hEnd = ss.end(s.gap)
		ss.hIdx = len(h)
		h = append(h, ss)
		keys[ss.key] = append(keys[ss.key], ss)
	}
	rest, err := r.done()
	if err != nil {
		return nil, err
	}
	for _, list := range keys {
		sort.Slice(list, func(i, j int) bool { return list[i].start < list[j].start })
		for i := 1; i < len(list); i++ {
			if list[i].start < list[i-1].end(s.gap) {
				return nil, fmt.Errorf("%w: overlapping sessions", ErrState)
			}
		}
	}
	heap.Init(&h)
	s.keys, s.h, s.seq = keys, h, seq
	return rest, nil
}

type sessionHeap []*session

func (h sessionHeap) Len() int { return len(h) }
func (h sessionHeap) Less(i, j int) bool {
	if h[i].hEnd != h[j].hEnd {
		return h[i].hEnd < h[j].hEnd
	}
	return h[i].seq < h[j].seq
}
func (h sessionHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].hIdx, h[j].hIdx = i, j
}
func (h *sessionHeap) Push(x any) {
	ss := x.(*session)
	ss.hIdx = len(*h)
	*h = append(*h, ss)
}
func (h *sessionHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return x
}

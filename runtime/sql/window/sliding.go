package window

import (
	"encoding/binary"
	"fmt"

	"github.com/kinesin/kinesin/runtime/sql/agg"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// Sliding is agg(...) OVER (PARTITION BY ... RANGE INTERVAL ... PRECEDING |
// ROWS n PRECEDING). The frame of a row is the rows of its partition with
// time in the closed interval [t-rangeMs, t], both ends included (RANGE;
// rangeMs 0 is the rows with the same time), or the n previous rows of the
// partition and the row itself (ROWS; rows = -1 when RANGE). rangeMs is
// this package's bound, not the SQL interval: the engine maps SQL's
// RANGE INTERVAL 'n' PRECEDING, (t-n, t], to rangeMs = n-1 ms, and RANGE
// CURRENT ROW to 0.
//
// Rows are expected in non-decreasing time per partition (ROWTIME is). A
// row older than its partition's newest is framed as if it had the newest
// time: the frame is [newest-rangeMs, newest].
type Sliding struct {
	aggs    []AggSpec
	rangeMs int64
	rows    int
	strides []int // number of arguments of each aggregate
	offsets []int // where each aggregate's arguments start in slot.args
	stride  int   // their sum: the arguments kept per row
	parts   map[Key]*partition
	// partitions by the order of their last row (oldest first), for Expire
	head, tail *partition
	results    []eval.Value
}

type slot struct {
	t    int64
	row  eval.Row
	args []eval.Value // the aggregates' arguments, concatenated
}

type partition struct {
	key        Key
	ring       []slot
	first, n   int
	newest     int64
	accs       []agg.Accumulator
	prev, next *partition
}

// Frame is the rows of a frame, oldest first; the current row is last.
type Frame interface {
	Len() int
	Row(i int) eval.Row
	Time(i int) int64
}

func (p *partition) Len() int           { return p.n }
func (p *partition) at(i int) *slot     { return &p.ring[(p.first+i)%len(p.ring)] }
func (p *partition) Row(i int) eval.Row { return p.at(i).row }
func (p *partition) Time(i int) int64   { return p.at(i).t }

// NewSliding answers a sliding window computing aggs over frames of
// rangeMs milliseconds (rows = -1) or of rows preceding rows (rangeMs is
// then ignored).
func NewSliding(aggs []AggSpec, rangeMs int64, rows int) *Sliding {
	s := &Sliding{aggs: aggs, rangeMs: rangeMs, rows: rows, parts: make(map[Key]*partition),
		strides: make([]int, len(aggs)), offsets: make([]int, len(aggs)), results: make([]eval.Value, len(aggs))}
	if rows < 0 {
		s.rows = -1
	}
	for i, a := range aggs {
		s.strides[i] = len(a.ArgTypes)
		s.offsets[i] = s.stride
		s.stride += len(a.ArgTypes)
	}
	return s
}

func (s *Sliding) unlink(p *partition) {
	if p.prev != nil {
		p.prev.next = p.next
	} else {
		s.head = p.next
	}
	if p.next != nil {
		p.next.prev = p.prev
	} else {
		s.tail = p.prev
	}
	p.prev, p.next = nil, nil
}

func (s *Sliding) linkLast(p *partition) {
	p.prev = s.tail
	if s.tail != nil {
		s.tail.next = p
	} else {
		s.head = p
	}
	s.tail = p
}

// argsAt answers aggregate i's arguments in a slot.
func (s *Sliding) argsAt(sl *slot, i int) []eval.Value {
	off := s.offsets[i]
	return sl.args[off : off+s.strides[i] : off+s.strides[i]]
}

// Push adds a row of the partition key at time t (keeping a copy of its
// values for LAG/NTH_VALUE), evicts the rows that left the frame and
// answers the aggregates over the new frame. results and frame are valid
// until the next Push. args[i] are aggregate i's arguments and must have
// len(AggSpec.ArgTypes) values.
func (s *Sliding) Push(key Key, t int64, row eval.Row, args [][]eval.Value) ([]eval.Value, Frame, error) {
	for i, n := range s.strides {
		if len(argsOf(args, i)) != n {
			return nil, nil, fmt.Errorf("window: %s: got %d arguments, want %d", s.aggs[i].Func.Name, len(argsOf(args, i)), n)
		}
	}
	p := s.parts[key]
	if p == nil {
		p = &partition{key: key, newest: t, accs: newAccs(s.aggs, false)}
		s.parts[key] = p
		s.linkLast(p)
	} else if s.tail != p {
		s.unlink(p)
		s.linkLast(p)
	}
	if t > p.newest {
		p.newest = t
	}
	// Evict what leaves the frame, undoing removable aggregates.
	evicted := 0
	for p.n > 0 {
		sl := p.at(0)
		if s.rows >= 0 {
			if p.n <= s.rows {
				break
			}
		} else if sl.t >= p.newest-s.rangeMs {
			break
		}
		for i, a := range p.accs {
			if s.aggs[i].Func.Removable {
				if err := a.Remove(sl.t, s.argsAt(sl, i)); err != nil {
					return nil, nil, addErr(s.aggs[i], err)
				}
			}
		}
		p.first = (p.first + 1) % len(p.ring)
		p.n--
		evicted++
	}
	if p.n == 0 {
		p.first = 0
	}
	// Append the row.
	if p.n == len(p.ring) {
		p.grow()
	}
	sl := p.at(p.n)
	p.n++
	sl.t = t
	sl.row = append(sl.row[:0], row...)
	sl.args = sl.args[:0]
	for i := range s.aggs {
		sl.args = append(sl.args, argsOf(args, i)...)
	}
	// Update the aggregates.
	for i, a := range p.accs {
		var err error
		if evicted > 0 && !s.aggs[i].Func.Removable {
			a = renew(s.aggs[i], a, false)
			p.accs[i] = a
			err = s.replay(p, i, p.n)
		} else {
			err = a.Add(t, s.argsAt(sl, i))
		}
		if err != nil {
			s.reject(p, i)
			return nil, nil, addErr(s.aggs[i], err)
		}
		s.results[i] = a.Result()
	}
	return s.results, p, nil
}

// replay adds the first n rows of p's frame to aggregate i.
func (s *Sliding) replay(p *partition, i, n int) error {
	for j := 0; j < n; j++ {
		fs := p.at(j)
		if err := p.accs[i].Add(fs.t, s.argsAt(fs, i)); err != nil {
			return err
		}
	}
	return nil
}

// reject drops the newest row of p after aggregate failed refused it: the
// aggregates before failed took it and give it back. (The rows the new
// row pushed out of a ROWS frame stay out.)
func (s *Sliding) reject(p *partition, failed int) {
	last := p.at(p.n - 1)
	for j := 0; j < failed; j++ {
		if s.aggs[j].Func.Removable {
			if p.accs[j].Remove(last.t, s.argsAt(last, j)) == nil {
				continue
			}
		}
		p.accs[j] = renew(s.aggs[j], p.accs[j], false)
		_ = s.replay(p, j, p.n-1)
	}
	p.n--
}

func (p *partition) grow() {
	n := 2 * len(p.ring)
	if n < 4 {
		n = 4
	}
	ring := make([]slot, n)
	for i := 0; i < p.n; i++ {
		ring[i] = *p.at(i)
	}
	p.ring, p.first = ring, 0
}

// Expire forgets the partitions whose newest row is older than
// upTo-rangeMs: their frames are empty by then. It only applies to RANGE
// frames (a ROWS frame keeps its rows however old). Partitions are visited
// in the order of their last row, and Expire stops at the first one still
// live, which is exact when rows arrive in time order (ROWTIME).
func (s *Sliding) Expire(upTo int64) {
	if s.rows >= 0 {
		return
	}
	for p := s.head; p != nil && p.newest < upTo-s.rangeMs; p = s.head {
		s.unlink(p)
		delete(s.parts, p.key)
	}
}

// Partitions answers the number of partitions held.
func (s *Sliding) Partitions() int { return len(s.parts) }

// AppendState appends the partitions (rows of their frames and accumulator
// states) to b.
func (s *Sliding) AppendState(b []byte) []byte {
	b = appendHeader(b, stateSliding)
	b = appendAggNames(b, s.aggs)
	b = binary.AppendVarint(b, s.rangeMs)
	b = binary.AppendVarint(b, int64(s.rows))
	b = binary.AppendUvarint(b, uint64(len(s.parts)))
	for p := s.head; p != nil; p = p.next {
		b = appendString(b, string(p.key))
		b = binary.AppendVarint(b, p.newest)
		b = binary.AppendUvarint(b, uint64(p.n))
		for i := 0; i < p.n; i++ {
			sl := p.at(i)
			b = binary.AppendVarint(b, sl.t)
			b = appendValues(b, sl.row)
			for _, v := range sl.args {
				b = agg.AppendValue(b, v)
			}
		}
		b = appendAccs(b, p.accs)
	}
	return b
}

// ReadState replaces the partitions with the state at the front of b and
// answers the rest of b.
func (s *Sliding) ReadState(b []byte) ([]byte, error) {
	r := &reader{b: b}
	r.header(stateSliding)
	r.aggNames(s.aggs)
	if rg, rows := r.varint(), r.varint(); r.err == nil && (rg != s.rangeMs || rows != int64(s.rows)) {
		r.fail("state frame (range %d, rows %d) differs from (range %d, rows %d)", rg, rows, s.rangeMs, s.rows)
	}
	n := r.count(3)
	parts := make(map[Key]*partition, n)
	var head, tail *partition
	for i := 0; i < n && r.err == nil; i++ {
		p := &partition{key: Key(r.str()), newest: r.varint()}
		p.n = r.count(3)
		if r.err != nil {
			break
		}
		p.ring = make([]slot, p.n)
		for j := range p.ring {
			sl := &p.ring[j]
			sl.t = r.varint()
			sl.row = r.values()
			if s.stride > 0 {
				sl.args = make([]eval.Value, s.stride)
				for k := range sl.args {
					sl.args[k] = r.value()
				}
			}
		}
		p.accs = r.accs(s.aggs, false)
		if r.err != nil {
			break
		}
		if _, dup := parts[p.key]; dup {
			r.fail("duplicate partition")
			break
		}
		parts[p.key] = p
		p.prev = tail
		if tail != nil {
			tail.next = p
		} else {
			head = p
		}
		tail = p
	}
	rest, err := r.done()
	if err != nil {
		return nil, err
	}
	s.parts, s.head, s.tail = parts, head, tail
	return rest, nil
}

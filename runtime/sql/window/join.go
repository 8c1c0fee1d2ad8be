package window

import (
	"encoding/binary"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// JoinBuffer keeps a stream's rows for a time range: the side of a
// stream-to-stream join "JOIN s OVER (RANGE INTERVAL ... PRECEDING)" that
// rows of the other stream are matched against. Rows are kept per key in
// arrival order; Evict drops them oldest-arrived first.
type JoinBuffer struct {
	rangeMs int64
	parts   map[Key]*jpart
	// every row held, in arrival order, for Evict
	order  []jref
	of, on int // ring start and length of order
	// slab is where row copies are cut from (one allocation for many
	// rows; a block is freed once all its rows are gone), free the
	// emptied partitions kept for reuse with their rings and row buffers.
	slab []eval.Value
	free []*jpart
}

// maxFree bounds the emptied partitions a buffer keeps for reuse.
const maxFree = 1024

type jref struct {
	p *jpart
	t int64
}

type jrow struct {
	t   int64
	row eval.Row
}

type jpart struct {
	key      Key
	ring     []jrow
	first, n int
}

func (p *jpart) at(i int) *jrow { return &p.ring[(p.first+i)%len(p.ring)] }

// NewJoinBuffer answers an empty buffer matching rows within rangeMs.
func NewJoinBuffer(rangeMs int64) *JoinBuffer {
	return &JoinBuffer{rangeMs: rangeMs, parts: make(map[Key]*jpart)}
}

// Add keeps a copy of row, of key and time t.
func (j *JoinBuffer) Add(key Key, t int64, row eval.Row) {
	p := j.parts[key]
	if p == nil {
		if n := len(j.free); n > 0 {
			p = j.free[n-1]
			j.free[n-1] = nil
			j.free = j.free[:n-1]
			p.key, p.first, p.n = key, 0, 0
		} else {
			p = &jpart{key: key}
		}
		j.parts[key] = p
	}
	if p.n == len(p.ring) {
		ring := make([]jrow, max(4, 2*len(p.ring)))
		for i := 0; i < p.n; i++ {
			ring[i] = *p.at(i)
		}
		p.ring, p.first = ring, 0
	}
	r := p.at(p.n)
	p.n++
	r.t = t
	if cap(r.row) >= len(row) {
		r.row = append(r.row[:0], row...)
	} else {
		if len(j.slab) < len(row) {
			j.slab = make([]eval.Value, max(4096, 64*len(row)))
		}
		r.row = j.slab[:len(row):len(row)]
		j.slab = j.slab[len(row):]
		copy(r.row, row)
	}
	if j.on == len(j.order) {
		order := make([]jref, max(16, 2*len(j.order)))
		for i := 0; i < j.on; i++ {
			order[i] = j.order[(j.of+i)%len(j.order)]
		}
		j.order, j.of = order, 0
	}
	j.order[(j.of+j.on)%len(j.order)] = jref{p, t}
	j.on++
}

// Match calls each, oldest first, with the rows of key with time in the
// closed [t-rangeMs, t] (the engine passes n-1 ms for SQL's (t-n, t]); rt
// is the row's time. The row is valid only during each.
// An error from each stops Match and is answered.
func (j *JoinBuffer) Match(key Key, t int64, each func(row eval.Row, rt int64) error) error {
	p := j.parts[key]
	if p == nil {
		return nil
	}
	lo := t - j.rangeMs
	for i := 0; i < p.n; i++ {
		r := p.at(i)
		if r.t >= lo && r.t <= t {
			if err := each(r.row, r.t); err != nil {
				return err
			}
		}
	}
	return nil
}

// Evict drops the rows older than before, oldest-arrived first: it stops
// at the first row arrived that is not older (exact when rows arrive in
// time order; Match never answers a row out of range either way).
func (j *JoinBuffer) Evict(before int64) {
	for j.on > 0 {
		ref := &j.order[j.of]
		if ref.t >= before {
			return
		}
		p := ref.p
		*ref = jref{}
		j.of = (j.of + 1) % len(j.order)
		j.on--
		r := p.at(0)
		clear(r.row) // drop references (strings) the row held
		r.row = r.row[:0]
		p.first = (p.first + 1) % len(p.ring)
		p.n--
		if p.n == 0 {
			delete(j.parts, p.key)
			if len(j.free) < maxFree {
				p.key = ""
				j.free = append(j.free, p)
			}
		}
	}
}

// Len answers the number of rows held.
func (j *JoinBuffer) Len() int { return j.on }

// AppendState appends the rows held, in arrival order, to b.
func (j *JoinBuffer) AppendState(b []byte) []byte {
	b = appendHeader(b, stateJoin)
	b = binary.AppendVarint(b, j.rangeMs)
	b = binary.AppendUvarint(b, uint64(j.on))
	seen := make(map[*jpart]int, len(j.parts))
	for i := 0; i < j.on; i++ {
		ref := j.order[(j.of+i)%len(j.order)]
		k := seen[ref.p]
		seen[ref.p] = k + 1
		r := ref.p.at(k)
		b = appendString(b, string(ref.p.key))
		b = binary.AppendVarint(b, r.t)
		b = appendValues(b, r.row)
	}
	return b
}

// ReadState replaces the rows with the state at the front of b and
// answers the rest of b.
func (j *JoinBuffer) ReadState(b []byte) ([]byte, error) {
	r := &reader{b: b}
	r.header(stateJoin)
	if rg := r.varint(); r.err == nil && rg != j.rangeMs {
		r.fail("state range %d, want %d", rg, j.rangeMs)
	}
	n := r.count(3)
	fresh := NewJoinBuffer(j.rangeMs)
	for i := 0; i < n && r.err == nil; i++ {
		key, t, row := Key(r.str()), r.varint(), r.values()
		if r.err == nil {
			fresh.Add(key, t, row)
		}
	}
	rest, err := r.done()
	if err != nil {
		return nil, err
	}
	*j = *fresh
	return rest, nil
}

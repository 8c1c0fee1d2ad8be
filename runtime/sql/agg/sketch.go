package agg

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// hashKey is a fixed 64-bit hash of an equality key (FNV-1a, then the
// MurmurHash3 finaliser so every bit depends on every input bit, which
// HyperLogLog's register index and rank need). Fixed, not seeded per
// process, so sketch snapshots stay valid after a restart.
func hashKey(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

const (
	hllP       = 14
	hllM       = 1 << hllP
	exactLimit = 10000
)

// DistinctCounter estimates the number of distinct non-NULL values added
// (COUNT_DISTINCT_ITEMS_TUMBLING). Up to 10,000 distinct values it counts
// exactly, as the reference says the function does; past that it switches
// to HyperLogLog with 2^14 registers (about 0.8% standard error; linear
// counting below 2.5·2^14, the raw estimate above).
type DistinctCounter struct {
	exact map[uint64]struct{}
	reg   []uint8 // nil while exact
	key   []byte
}

// NewDistinctCounter makes an empty counter.
func NewDistinctCounter() *DistinctCounter {
	return &DistinctCounter{exact: map[uint64]struct{}{}}
}

// Add counts v (NULLs are not items).
func (d *DistinctCounter) Add(v eval.Value) {
	if v.IsNull() {
		return
	}
	d.key = appendKey(d.key[:0], v)
	h := hashKey(d.key)
	if d.reg != nil {
		d.addHash(h)
		return
	}
	d.exact[h] = struct{}{}
	if len(d.exact) > exactLimit {
		d.reg = make([]uint8, hllM)
		for h := range d.exact {
			d.addHash(h)
		}
		clear(d.exact)
	}
}

func (d *DistinctCounter) addHash(h uint64) {
	i := h >> (64 - hllP)
	rank := uint8(bits.LeadingZeros64(h<<hllP|1<<(hllP-1)) + 1)
	if rank > d.reg[i] {
		d.reg[i] = rank
	}
}

// Count answers the number of distinct values (exact up to 10,000).
func (d *DistinctCounter) Count() int64 {
	if d.reg == nil {
		return int64(len(d.exact))
	}
	var sum float64
	zeros := 0
	for _, r := range d.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	const m = float64(hllM)
	alpha := 0.7213 / (1 + 1.079/m)
	e := alpha * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return int64(math.Round(e))
}

// Reset empties the counter for the next window.
func (d *DistinctCounter) Reset() {
	if d.exact == nil {
		d.exact = map[uint64]struct{}{}
	}
	clear(d.exact)
	d.reg = nil
}

// AppendState appends the counter's state.
func (d *DistinctCounter) AppendState(b []byte) []byte {
	if d.reg != nil {
		b = append(b, 1)
		return append(b, d.reg...)
	}
	b = append(b, 0)
	hs := make([]uint64, 0, len(d.exact))
	for h := range d.exact {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	b = binary.AppendUvarint(b, uint64(len(hs)))
	for _, h := range hs {
		b = binary.LittleEndian.AppendUint64(b, h)
	}
	return b
}

// ReadState restores the state from the front of b and answers the rest.
func (d *DistinctCounter) ReadState(b []byte) ([]byte, error) {
	d.Reset()
	r := reader{b: b}
	switch r.byte() {
	case 0:
		n := r.count(8)
		if n > exactLimit {
			r.fail("distinct counter holds %d exact items", n)
		}
		for range n {
			d.exact[r.u64()] = struct{}{}
		}
	case 1:
		reg := r.bytes(hllM)
		if r.err == nil {
			d.reg = slices.Clone(reg)
		}
	default:
		r.fail("bad distinct counter mode")
	}
	if r.err != nil {
		d.Reset()
	}
	return r.b, r.err
}

// Item is a value and how often it occurred (an upper bound for TopK).
type Item struct {
	Value eval.Value
	Count int64
}

// TopK keeps the k most frequent non-NULL values (TOP_K_ITEMS_TUMBLING)
// with the space-saving algorithm (Metwally, Agrawal, El Abbadi, 2005):
// a fixed number of counters; a new value takes over the least counter
// and inherits its count. It keeps max(4k, 256) counters, so every value
// occurring more than N/(4k) times in N values is kept, and the counts of
// values never evicted are exact.
type TopK struct {
	k    int
	cap  int
	heap []topEntry     // min-heap by (count, newest first)
	pos  map[string]int // key -> index in heap
	seq  int64
	key  []byte
}

type topEntry struct {
	key   string
	v     eval.Value
	count int64
	seq   int64 // when the value first took its counter
}

// NewTopK makes an empty TopK answering the k most frequent values.
func NewTopK(k int) *TopK {
	k = max(k, 1)
	return &TopK{k: k, cap: max(4*k, 256), pos: map[string]int{}}
}

// less orders the heap: the least count first, and among equal counts the
// newest counter (so older values, seen first, stay).
func (t *TopK) less(i, j int) bool {
	a, b := &t.heap[i], &t.heap[j]
	if a.count != b.count {
		return a.count < b.count
	}
	return a.seq > b.seq
}

func (t *TopK) swap(i, j int) {
	t.heap[i], t.heap[j] = t.heap[j], t.heap[i]
	t.pos[t.heap[i].key] = i
	t.pos[t.heap[j].key] = j
}

func (t *TopK) down(i int) {
	n := len(t.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && t.less(r, l) {
			c = r
		}
		if !t.less(c, i) {
			return
		}
		t.swap(i, c)
		i = c
	}
}

func (t *TopK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !t.less(i, p) {
			return
		}
		t.swap(i, p)
		i = p
	}
}

// Add counts one occurrence of v (NULLs are not items).
func (t *TopK) Add(v eval.Value) {
	if v.IsNull() {
		return
	}
	t.key = appendKey(t.key[:0], v)
	if i, ok := t.pos[string(t.key)]; ok {
		t.heap[i].count++
		t.down(i)
		return
	}
	t.seq++
	if len(t.heap) < t.cap {
		e := topEntry{key: string(t.key), v: v, count: 1, seq: t.seq}
		t.heap = append(t.heap, e)
		t.pos[e.key] = len(t.heap) - 1
		t.up(len(t.heap) - 1)
		return
	}
	least := &t.heap[0]
	delete(t.pos, least.key)
	*least = topEntry{key: string(t.key), v: v, count: least.count + 1, seq: t.seq}
	t.pos[least.key] = 0
	t.down(0)
}

// Items answers at most k values, most frequent first (ties: the value
// seen first first).
func (t *TopK) Items() []Item {
	es := slices.Clone(t.heap)
	slices.SortFunc(es, func(a, b topEntry) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	es = es[:min(len(es), t.k)]
	out := make([]Item, len(es))
	for i, e := range es {
		out[i] = Item{Value: e.v, Count: e.count}
	}
	return out
}

// Reset empties the TopK for the next window.
func (t *TopK) Reset() {
	t.heap = t.heap[:0]
	clear(t.pos)
	t.seq = 0
}

// AppendState appends the TopK's counters.
func (t *TopK) AppendState(b []byte) []byte {
	b = binary.AppendVarint(b, t.seq)
	b = binary.AppendUvarint(b, uint64(len(t.heap)))
	for _, e := range t.heap {
		b = AppendValue(b, e.v)
		b = binary.AppendVarint(b, e.count)
		b = binary.AppendVarint(b, e.seq)
	}
	return b
}

// ReadState restores the counters from the front of b and answers the rest.
func (t *TopK) ReadState(b []byte) ([]byte, error) {
	t.Reset()
	r := reader{b: b}
	t.seq = r.varint()
	n := r.count(3)
	if n > t.cap {
		r.fail("top-k state holds %d counters, more than %d", n, t.cap)
	}
	for range n {
		v := r.value()
		count, seq := r.varint(), r.varint()
		if r.err != nil {
			break
		}
		key := string(appendKey(nil, v))
		if _, dup := t.pos[key]; dup || v.IsNull() {
			r.fail("bad top-k counter")
			break
		}
		t.heap = append(t.heap, topEntry{key: key, v: v, count: count, seq: seq})
		t.pos[key] = len(t.heap) - 1
	}
	if r.err != nil {
		t.Reset()
		return r.b, r.err
	}
	for i := len(t.heap)/2 - 1; i >= 0; i-- { // re-heapify whatever order came
		t.down(i)
	}
	return r.b, nil
}

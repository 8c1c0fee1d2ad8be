package agg

import (
	"encoding/binary"
	"slices"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// distinctAcc feeds its inner accumulator each distinct non-NULL value
// once: a multiset of the values in the group or frame, keyed by their
// equality encoding (appendKey); the inner accumulator sees a value's first
// Add and, when the last copy leaves, its Remove.
type distinctAcc struct {
	inner Accumulator
	seen  map[string]int64
	key   []byte
}

func newDistinct(inner Accumulator) *distinctAcc {
	return &distinctAcc{inner: inner, seen: map[string]int64{}}
}

func (d *distinctAcc) Add(t int64, args []eval.Value) error {
	if args[0].IsNull() {
		return nil
	}
	d.key = appendKey(d.key[:0], args[0])
	if c, ok := d.seen[string(d.key)]; ok {
		d.seen[string(d.key)] = c + 1
		return nil
	}
	if err := d.inner.Add(t, args); err != nil {
		return err
	}
	d.seen[string(d.key)] = 1
	return nil
}

func (d *distinctAcc) Remove(t int64, args []eval.Value) error {
	if args[0].IsNull() {
		return nil
	}
	d.key = appendKey(d.key[:0], args[0])
	c, ok := d.seen[string(d.key)]
	switch {
	case !ok:
		return nil
	case c > 1:
		d.seen[string(d.key)] = c - 1
		return nil
	}
	delete(d.seen, string(d.key))
	return d.inner.Remove(t, args)
}

func (d *distinctAcc) Result() eval.Value { return d.inner.Result() }

func (d *distinctAcc) AppendState(b []byte) []byte {
	b = d.inner.AppendState(b)
	keys := make([]string, 0, len(d.seen))
	for k := range d.seen {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic snapshots
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendVarint(b, d.seen[k])
	}
	return b
}

func (d *distinctAcc) ReadState(b []byte) ([]byte, error) {
	b, err := d.inner.ReadState(b)
	if err != nil {
		return b, err
	}
	r := reader{b: b}
	n := r.count(3)
	clear(d.seen)
	for range n {
		k := r.bytes(r.count(1))
		c := r.varint()
		if r.err != nil {
			break
		}
		d.seen[string(k)] = c
	}
	return r.b, r.err
}

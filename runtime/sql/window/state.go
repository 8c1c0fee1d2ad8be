package window

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/kinesin/kinesin/runtime/sql/agg"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// State encodings start with a tag byte naming the structure and a version,
// then uvarints/varints, values in agg.AppendValue's codec, and each
// accumulator's state framed by a uvarint length (so a decoder never reads
// past its accumulator).
const (
	stateGroups   byte = 'G'
	stateSessions byte = 'S'
	stateStagger  byte = 'T'
	stateSliding  byte = 'L'
	stateJoin     byte = 'J'
	stateWater    byte = 'W'
	stateVersion  byte = 1
)

// ErrState is wrapped by every ReadState error.
var ErrState = errors.New("window: bad state")

func appendHeader(b []byte, tag byte) []byte { return append(b, tag, stateVersion) }

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendValues(b []byte, vs []eval.Value) []byte {
	b = binary.AppendUvarint(b, uint64(len(vs)))
	for _, v := range vs {
		b = agg.AppendValue(b, v)
	}
	return b
}

func appendAccs(b []byte, accs []agg.Accumulator) []byte {
	for _, a := range accs {
		mark := len(b)
		b = append(b, 0, 0, 0, 0)
		b = a.AppendState(b)
		binary.BigEndian.PutUint32(b[mark:], uint32(len(b)-mark-4))
	}
	return b
}

// reader decodes state; the first error sticks and later reads answer zero.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrState, fmt.Sprintf(format, args...))
	}
}

func (r *reader) header(tag byte) {
	if len(r.b) < 2 || r.b[0] != tag {
		r.fail("not a %q state", tag)
		return
	}
	if r.b[1] != stateVersion {
		r.fail("version %d not supported", r.b[1])
		return
	}
	r.b = r.b[2:]
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("truncated")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("truncated")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a count of items that each take at least min bytes, so a
// corrupt count cannot make the decoder allocate more than the input.
func (r *reader) count(min int) int {
	n := r.uvarint()
	if min < 1 {
		min = 1
	}
	if r.err == nil && n > uint64(len(r.b)/min) {
		r.fail("count %d exceeds the data", n)
		return 0
	}
	return int(n)
}

func (r *reader) bool() bool { return r.uvarint() != 0 }

func (r *reader) str() string {
	n := r.count(1)
	if r.err != nil {
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) value() eval.Value {
	if r.err != nil {
		return eval.Value{}
	}
	v, rest, err := agg.ReadValue(r.b)
	if err != nil {
		r.fail("value: %v", err)
		return eval.Value{}
	}
	r.b = rest
	return v
}

func (r *reader) values() []eval.Value {
	n := r.count(1)
	if r.err != nil || n == 0 {
		return nil
	}
	vs := make([]eval.Value, n)
	for i := range vs {
		vs[i] = r.value()
	}
	return vs
}

// accs reads the states of one accumulator per spec.
func (r *reader) accs(aggs []AggSpec, addOnly bool) []agg.Accumulator {
	if r.err != nil {
		return nil
	}
	accs := newAccs(aggs, addOnly)
	for i, a := range accs {
		if len(r.b) < 4 {
			r.fail("truncated accumulator")
			return nil
		}
		n := int(binary.BigEndian.Uint32(r.b))
		if n > len(r.b)-4 {
			r.fail("accumulator state exceeds the data")
			return nil
		}
		sub := r.b[4 : 4+n]
		rest, err := readAccState(a, sub)
		if err != nil {
			r.fail("%s: %v", aggs[i].Func.Name, err)
			return nil
		}
		if len(rest) != 0 {
			r.fail("%s: %d bytes left in its state", aggs[i].Func.Name, len(rest))
			return nil
		}
		r.b = r.b[4+n:]
	}
	return accs
}

// readAccState guards against a decoder that panics on corrupt input.
func readAccState(a agg.Accumulator, b []byte) (rest []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("corrupt state (%v)", p)
		}
	}()
	return a.ReadState(b)
}

func (r *reader) done() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	return r.b, nil
}

// checkAggs writes the aggregate names so a state restored into structures
// planned for other aggregates is refused.
func appendAggNames(b []byte, aggs []AggSpec) []byte {
	b = binary.AppendUvarint(b, uint64(len(aggs)))
	for _, a := range aggs {
		b = appendString(b, a.Func.Name)
	}
	return b
}

func (r *reader) aggNames(aggs []AggSpec) {
	n := r.count(1)
	if r.err != nil {
		return
	}
	if n != len(aggs) {
		r.fail("state has %d aggregates, want %d", n, len(aggs))
		return
	}
	for _, a := range aggs {
		if s := r.str(); r.err == nil && s != a.Func.Name {
			r.fail("state has aggregate %s, want %s", s, a.Func.Name)
		}
	}
}

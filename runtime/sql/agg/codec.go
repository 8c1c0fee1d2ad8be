package agg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// errShort is wrapped by every state decoding error caused by truncated input.
var errShort = errors.New("agg: state is truncated")

// AppendValue appends v's encoding to b: a kind byte, then the kind's
// payload (varints for integers, datetimes and intervals, the IEEE bits of
// REAL and DOUBLE, a length-prefixed string for CHAR, VARCHAR and
// VARBINARY). ReadValue answers exactly v again.
func AppendValue(b []byte, v eval.Value) []byte {
	b = append(b, byte(v.Kind))
	switch v.Kind {
	case eval.Null:
	case eval.Boolean:
		if v.I != 0 {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	case eval.TinyInt, eval.SmallInt, eval.Integer, eval.BigInt, eval.Date, eval.Time, eval.Timestamp:
		b = binary.AppendVarint(b, v.I)
	case eval.Decimal, eval.IntervalDayTime, eval.IntervalYearMonth:
		b = append(b, byte(v.Aux))
		b = binary.AppendVarint(b, v.I)
	case eval.Real, eval.Double:
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.F))
	case eval.Char, eval.Varchar, eval.Varbinary:
		b = binary.AppendUvarint(b, uint64(len(v.S)))
		b = append(b, v.S...)
	}
	return b
}

// ReadValue decodes a value AppendValue wrote at the front of b and answers
// it and the rest of b.
func ReadValue(b []byte) (eval.Value, []byte, error) {
	r := reader{b: b}
	v := r.value()
	if r.err != nil {
		return eval.NullValue, b, r.err
	}
	return v, r.b, nil
}

// reader decodes state; the first error sticks and later reads answer zero.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("agg: "+format, args...)
	}
}

func (r *reader) short() {
	if r.err == nil {
		r.err = errShort
	}
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.short()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bool() bool {
	switch r.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail("bad boolean in state")
	return false
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("bad varint in state")
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad uvarint in state")
		return 0
	}
	r.b = r.b[n:]
	return x
}

// count reads a length that must not exceed the bytes left divided by min,
// the least encoded size of one element (so corrupt input cannot make a
// huge allocation).
func (r *reader) count(min int) int {
	n := r.uvarint()
	if r.err != nil {
		return 0
	}
	if min < 1 {
		min = 1
	}
	if n > uint64(len(r.b)/min) {
		r.fail("count %d exceeds the state's size", n)
		return 0
	}
	return int(n)
}

func (r *reader) u64() uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.short()
		return 0
	}
	x := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return x
}

func (r *reader) f64() float64 { return math.Float64frombits(r.u64()) }

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.short()
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) value() eval.Value {
	k := eval.Kind(r.byte())
	if r.err != nil {
		return eval.NullValue
	}
	v := eval.Value{Kind: k}
	switch k {
	case eval.Null:
	case eval.Boolean:
		if r.bool() {
			v.I = 1
		}
	case eval.TinyInt, eval.SmallInt, eval.Integer, eval.BigInt, eval.Date, eval.Time, eval.Timestamp:
		v.I = r.varint()
	case eval.Decimal:
		v.Aux = int8(r.byte())
		if v.Aux < 0 || v.Aux > 18 {
			r.fail("bad DECIMAL scale %d", v.Aux)
		}
		v.I = r.varint()
	case eval.IntervalDayTime, eval.IntervalYearMonth:
		v.Aux = int8(r.byte())
		if v.Aux < eval.UnitYear || v.Aux > eval.UnitSecond {
			r.fail("bad interval unit %d", v.Aux)
		}
		v.I = r.varint()
	case eval.Real, eval.Double:
		v.F = r.f64()
	case eval.Char, eval.Varchar, eval.Varbinary:
		n := r.uvarint()
		if r.err == nil && n > uint64(len(r.b)) {
			r.short()
		}
		if r.err == nil {
			v.S = string(r.b[:n])
			r.b = r.b[n:]
		}
	default:
		r.fail("bad value kind %d", k)
	}
	if r.err != nil {
		return eval.NullValue
	}
	return v
}

func appendF64(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func appendBool(b []byte, x bool) []byte {
	if x {
		return append(b, 1)
	}
	return append(b, 0)
}

// appendKey appends an encoding of v under which values SQL considers equal
// (GROUP BY, DISTINCT) encode equally: integers of any width and DECIMALs
// with an integral value as BIGINT, DECIMALs without trailing zeros, -0.0
// as 0.0, one NaN, CHAR without trailing blanks as VARCHAR, intervals
// without their unit.
func appendKey(b []byte, v eval.Value) []byte {
	switch v.Kind {
	case eval.TinyInt, eval.SmallInt, eval.Integer:
		v.Kind = eval.BigInt
	case eval.Decimal:
		for v.Aux > 0 && v.I%10 == 0 {
			v.I /= 10
			v.Aux--
		}
		if v.Aux == 0 {
			v.Kind = eval.BigInt
		}
	case eval.Real, eval.Double:
		v.Kind = eval.Double
		if v.F == 0 {
			v.F = 0
		} else if math.IsNaN(v.F) {
			v.F = math.NaN()
		}
	case eval.Char:
		v.Kind = eval.Varchar
		v.S = strings.TrimRight(v.S, " ")
	case eval.IntervalDayTime, eval.IntervalYearMonth:
		v.Aux = 0
	}
	return AppendValue(b, v)
}

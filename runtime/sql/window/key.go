package window

import (
	"encoding/binary"
	"math"
	"strings"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// Key is a group or partition key: the encoded key values, usable as a map
// key. Equal SQL values give equal keys: NULLs equal each other (as GROUP BY
// groups them), integers and decimals of equal value are equal whatever
// their kind or scale, CHAR values ignore trailing blanks, a DATE equals the
// TIMESTAMP of its midnight, and -0.0 equals 0.0 (all NaNs are one key).
// REAL and DOUBLE values equal only each other: a key column has one type,
// so an INTEGER 1 and a DOUBLE 1.0 never meet in one GROUP BY.
type Key string

// Tags of the key encoding; kinds that compare equal share a tag.
const (
	tagNull byte = iota
	tagBool
	tagExact // integers and decimals: varint unscaled, then the scale
	tagFloat
	tagString
	tagBinary
	tagInstant // DATE and TIMESTAMP as milliseconds
	tagTime
	tagIntervalDT
	tagIntervalYM
)

// KeyOf encodes key values as a Key.
func KeyOf(vals []eval.Value) Key {
	var buf [64]byte
	return Key(AppendKey(buf[:0], vals))
}

// AppendKey appends the encoding KeyOf uses to b, so a caller can look a
// key up in a map without allocating (m[Key(b)] is not copied by Go).
func AppendKey(b []byte, vals []eval.Value) []byte {
	for _, v := range vals {
		b = appendKeyValue(b, v)
	}
	return b
}

func appendKeyValue(b []byte, v eval.Value) []byte {
	switch v.Kind {
	case eval.Null:
		return append(b, tagNull)
	case eval.Boolean:
		if v.I != 0 {
			return append(b, tagBool, 1)
		}
		return append(b, tagBool, 0)
	case eval.TinyInt, eval.SmallInt, eval.Integer, eval.BigInt:
		b = append(b, tagExact)
		b = binary.AppendVarint(b, v.I)
		return append(b, 0)
	case eval.Decimal:
		u, scale := v.I, v.Aux
		for scale > 0 && u%10 == 0 {
			u /= 10
			scale--
		}
		b = append(b, tagExact)
		b = binary.AppendVarint(b, u)
		return append(b, byte(scale))
	case eval.Real, eval.Double:
		f := v.F
		switch {
		case f == 0:
			f = 0
		case math.IsNaN(f):
			f = math.NaN()
		}
		b = append(b, tagFloat)
		return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
	case eval.Char, eval.Varchar:
		s := v.S
		if v.Kind == eval.Char {
			s = strings.TrimRight(s, " ")
		}
		b = append(b, tagString)
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	case eval.Varbinary:
		b = append(b, tagBinary)
		b = binary.AppendUvarint(b, uint64(len(v.S)))
		return append(b, v.S...)
	case eval.Date:
		b = append(b, tagInstant)
		return binary.AppendVarint(b, v.I*86400000)
	case eval.Timestamp:
		b = append(b, tagInstant)
		return binary.AppendVarint(b, v.I)
	case eval.Time:
		b = append(b, tagTime)
		return binary.AppendVarint(b, v.I)
	case eval.IntervalDayTime:
		b = append(b, tagIntervalDT)
		return binary.AppendVarint(b, v.I)
	case eval.IntervalYearMonth:
		b = append(b, tagIntervalYM)
		return binary.AppendVarint(b, v.I)
	}
	// Unknown kinds: tag by kind so they at least group with themselves.
	b = append(b, 0xF0+byte(v.Kind&0x0F))
	b = binary.AppendVarint(b, v.I)
	b = binary.AppendUvarint(b, uint64(len(v.S)))
	return append(b, v.S...)
}

package udf

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/kinesin/kinesin/internal/jsonenc"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

const msPerDay = 86400000

// appendArgs appends the JSON array of args to b.
func appendArgs(b []byte, args []eval.Value) []byte {
	b = append(b, '[')
	for i, v := range args {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendValue(b, v)
	}
	return append(b, ']')
}

// appendValue appends v as JSON, as the package documentation lists.
func appendValue(b []byte, v eval.Value) []byte {
	switch v.Kind {
	case eval.Boolean:
		if v.I != 0 {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case eval.TinyInt, eval.SmallInt, eval.Integer, eval.BigInt, eval.IntervalDayTime, eval.IntervalYearMonth:
		return strconv.AppendInt(b, v.I, 10)
	case eval.Decimal:
		return appendDecimal(b, v.I, int(v.Aux))
	case eval.Real:
		return appendFloat(b, v.F, 32)
	case eval.Double:
		return appendFloat(b, v.F, 64)
	case eval.Char, eval.Varchar:
		return jsonenc.AppendString(b, v.S)
	case eval.Varbinary:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, []byte(v.S))
		return append(b, '"')
	case eval.Date:
		b = append(b, '"')
		b = appendDate(b, time.UnixMilli(v.I*msPerDay).UTC())
		return append(b, '"')
	case eval.Time:
		b = append(b, '"')
		b = appendClock(b, v.I)
		return append(b, '"')
	case eval.Timestamp:
		t := time.UnixMilli(v.I).UTC()
		b = append(b, '"')
		b = appendDate(b, t)
		b = append(b, ' ')
		b = appendClock(b, floorMod(v.I, msPerDay))
		return append(b, '"')
	}
	return append(b, "null"...)
}

// appendDecimal writes unscaled·10^-scale with exactly scale decimals.
func appendDecimal(b []byte, u int64, scale int) []byte {
	if scale <= 0 {
		return strconv.AppendInt(b, u, 10)
	}
	var tmp [24]byte
	digits := strconv.AppendUint(tmp[:0], absU64(u), 10)
	if u < 0 {
		b = append(b, '-')
	}
	if len(digits) <= scale {
		b = append(b, '0', '.')
		for range scale - len(digits) {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	b = append(b, digits[:len(digits)-scale]...)
	b = append(b, '.')
	return append(b, digits[len(digits)-scale:]...)
}

func absU64(i int64) uint64 {
	if i < 0 {
		return uint64(-(i + 1)) + 1 // MinInt64 too
	}
	return uint64(i)
}

// appendFloat writes f in the shortest form that reads back as the same
// float of that size: plain decimals, exponents below 1e-6 and from 1e21
// (as JavaScript and encoding/json print numbers).
func appendFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	n := len(b)
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' { // 1e-07 → 1e-7
		if m := len(b); m-n >= 4 && b[m-4] == 'e' && b[m-3] == '-' && b[m-2] == '0' {
			b[m-2] = b[m-1]
			b = b[:m-1]
		}
	}
	return b
}

// appendDate writes t's date as yyyy-MM-dd.
func appendDate(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		b = strconv.AppendInt(b, int64(y), 10)
	} else {
		b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	}
	return append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

// appendClock writes ms milliseconds of a day as HH:mm:ss.SSS.
func appendClock(b []byte, ms int64) []byte {
	ms = floorMod(ms, msPerDay)
	h, m, s, f := ms/3600000, ms/60000%60, ms/1000%60, ms%1000
	return append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':',
		byte('0'+s/10), byte('0'+s%10), '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
}

func floorMod(a, n int64) int64 {
	m := a % n
	if m < 0 {
		m += n
	}
	return m
}

// Errors of decodeAnswer (wrapped by ConvertError).
var (
	errNotJSON = errors.New("not a JSON value")
	errNoType  = errors.New("a JSON object or array converts only to CHAR or VARCHAR")
)

// decodeAnswer converts a function's JSON answer to type t.
func decodeAnswer(b []byte, t eval.Type) (eval.Value, error) {
	b = trimSpace(b)
	if len(b) == 0 {
		return eval.NullValue, errNotJSON
	}
	switch c := b[0]; {
	case c == 'n':
		if string(b) != "null" {
			return eval.NullValue, errNotJSON
		}
		return eval.NullValue, nil
	case c == 't' || c == 'f':
		var v eval.Value
		switch string(b) {
		case "true":
			v = eval.Bool(true)
		case "false":
			v = eval.Bool(false)
		default:
			return eval.NullValue, errNotJSON
		}
		if t.Kind == eval.Boolean {
			return v, nil
		}
		return eval.Cast(v, t)
	case c == '"':
		s, err := unquote(b)
		if err != nil {
			return eval.NullValue, err
		}
		return fromString(s, t)
	case c == '-' || c >= '0' && c <= '9':
		isInt, ok := scanNumber(b)
		if !ok {
			return eval.NullValue, errNotJSON
		}
		return fromNumber(b, isInt, t)
	case c == '{' || c == '[':
		if !json.Valid(b) {
			return eval.NullValue, errNotJSON
		}
		if !t.Kind.IsString() {
			return eval.NullValue, errNoType
		}
		return eval.Cast(eval.Str(string(b)), t)
	}
	return eval.NullValue, errNotJSON
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// unquote reads a JSON string that is the whole of b.
func unquote(b []byte) (string, error) {
	plain := true
	i := 1
	for ; i < len(b); i++ {
		c := b[i]
		if c == '"' {
			break
		}
		if c == '\\' {
			plain = false
			i++ // skip the escaped byte; encoding/json checks the rest
			continue
		}
		if c < 0x20 {
			return "", errNotJSON
		}
		if c >= utf8.RuneSelf {
			plain = false
		}
	}
	if i != len(b)-1 {
		return "", errNotJSON
	}
	if plain {
		return string(b[1:i]), nil
	}
	if utf8.Valid(b) && !containsByte(b, '\\') {
		return string(b[1:i]), nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", errNotJSON
	}
	return s, nil
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// scanNumber checks that b is exactly one JSON number and reports whether
// it is an integer literal (no fraction, no exponent).
func scanNumber(b []byte) (isInt, ok bool) {
	i, n := 0, len(b)
	if i < n && b[i] == '-' {
		i++
	}
	switch {
	case i < n && b[i] == '0':
		i++
	case i < n && b[i] >= '1' && b[i] <= '9':
		for i < n && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false, false
	}
	isInt = true
	if i < n && b[i] == '.' {
		isInt = false
		i++
		start := i
		for i < n && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return false, false
		}
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		isInt = false
		i++
		if i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < n && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return false, false
		}
	}
	return isInt, i == n
}

// fromNumber converts a JSON number (valid, the whole of b) to t.
func fromNumber(b []byte, isInt bool, t eval.Type) (eval.Value, error) {
	switch k := t.Kind; {
	case k == eval.Double || k == eval.Real:
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return eval.NullValue, fmt.Errorf("%s is out of range", b)
		}
		if k == eval.Real {
			return eval.RealValue(f), nil
		}
		return eval.DoubleValue(f), nil
	case k.IsInteger() && isInt:
		if i, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			if v := (eval.Value{Kind: k, I: i}); fits(v) {
				return v, nil
			}
		}
	case k == eval.Timestamp || k == eval.Date || k == eval.Time:
		ms, err := millis(b, isInt)
		if err != nil {
			return eval.NullValue, err
		}
		return eval.Cast(eval.TimestampMillis(ms), t)
	case k == eval.IntervalDayTime || k == eval.IntervalYearMonth:
		n, err := millis(b, isInt)
		if err != nil {
			return eval.NullValue, err
		}
		unit := eval.UnitSecond
		if k == eval.IntervalYearMonth {
			unit = eval.UnitMonth
		}
		return eval.Value{Kind: k, I: n, Aux: unit}, nil
	case k == eval.Boolean || k == eval.Varbinary:
		return eval.NullValue, fmt.Errorf("cannot CAST a number to %s", t)
	}
	// CAST from the literal text: exact for DECIMAL, rounding for
	// integers, the text itself for CHAR and VARCHAR.
	return eval.Cast(eval.Str(string(b)), t)
}

// fits reports whether an integer value is in its kind's range.
func fits(v eval.Value) bool {
	switch v.Kind {
	case eval.TinyInt:
		return v.I >= math.MinInt8 && v.I <= math.MaxInt8
	case eval.SmallInt:
		return v.I >= math.MinInt16 && v.I <= math.MaxInt16
	case eval.Integer:
		return v.I >= math.MinInt32 && v.I <= math.MaxInt32
	}
	return true
}

// millis reads an integer count (milliseconds, months); a fraction rounds.
func millis(b []byte, isInt bool) (int64, error) {
	if isInt {
		if i, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			return i, nil
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if f = math.Round(f); err != nil || f >= 9.2e18 || f <= -9.2e18 {
		return 0, fmt.Errorf("%s is out of range", b)
	}
	return int64(f), nil
}

// fromString converts a JSON string's value to t.
func fromString(s string, t eval.Type) (eval.Value, error) {
	switch t.Kind {
	case eval.Varchar:
		if t.Len == 0 {
			return eval.Str(s), nil
		}
	case eval.Varbinary:
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return eval.NullValue, fmt.Errorf("VARBINARY wants base64: %v", err)
		}
		return eval.Cast(eval.Value{Kind: eval.Varbinary, S: string(raw)}, t)
	case eval.Double, eval.Real:
		// The strings the event uses for what JSON numbers cannot be.
		f := 0.0
		switch s {
		case "NaN":
			f = math.NaN()
		case "Infinity":
			f = math.Inf(1)
		case "-Infinity":
			f = math.Inf(-1)
		default:
			return eval.Cast(eval.Str(s), t)
		}
		return eval.Value{Kind: t.Kind, F: f}, nil
	case eval.Timestamp:
		v, err := eval.Cast(eval.Str(s), t)
		if err != nil {
			if ts, err2 := time.Parse(time.RFC3339Nano, s); err2 == nil {
				return eval.TimestampMillis(ts.UnixMilli()), nil
			}
		}
		return v, err
	}
	return eval.Cast(eval.Str(s), t)
}

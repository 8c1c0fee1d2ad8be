package records

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// Conversions follow the developer guide's "Mapping JSON Data Types to SQL
// Data Types"; CSV fields convert as JSON strings do. A conversion that
// fails is a coercion error (the row goes to error_stream).

var errNoConv = fmt.Errorf("no conversion")

// fromBool converts a JSON true/false.
func fromBool(t eval.Type, b bool) (eval.Value, error) {
	var one int64
	if b {
		one = 1
	}
	switch k := t.Kind; {
	case k.IsInteger():
		return eval.Value{Kind: k, I: one}, nil
	case k == eval.Decimal:
		if t.Len-t.Scale < 1 && b {
			return eval.NullValue, fmt.Errorf("true does not fit %s", t)
		}
		return eval.DecimalValue(one*pow10[t.Scale], int8(t.Scale)), nil
	case k == eval.Real || k == eval.Double:
		return eval.Value{Kind: k, F: float64(one)}, nil
	case k == eval.Boolean:
		return eval.Bool(b), nil
	case k.IsString():
		if b {
			return fitString(t, "true"), nil
		}
		return fitString(t, "false"), nil
	case k == eval.Varbinary:
		return eval.Value{Kind: eval.Varbinary, S: string(rune(one))}, nil
	}
	return eval.NullValue, fmt.Errorf("cannot convert a boolean to %s", t)
}

// fromNumber converts a JSON number literal.
func fromNumber(t eval.Type, lit string) (eval.Value, error) {
	switch k := t.Kind; {
	case k.IsNumeric():
		return parseNumeric(t, lit)
	case k == eval.Boolean:
		n, ok := scanNumber(lit)
		if !ok {
			return eval.NullValue, fmt.Errorf("invalid number %q", lit)
		}
		return eval.Bool(!n.zero()), nil
	case k.IsString():
		return fitString(t, lit), nil
	}
	return eval.NullValue, fmt.Errorf("cannot convert number %s to %s", lit, t)
}

// fromString converts a JSON string value or a CSV field.
func fromString(t eval.Type, s string) (eval.Value, error) {
	switch k := t.Kind; {
	case k.IsString():
		return fitString(t, s), nil
	case k.IsNumeric():
		return parseNumeric(t, strings.TrimSpace(s))
	case k == eval.Boolean:
		return eval.Bool(strings.EqualFold(strings.TrimSpace(s), "true")), nil
	case k == eval.Varbinary:
		b, err := parseBinary(s)
		if err != nil {
			return eval.NullValue, err
		}
		if t.Len > 0 && len(b) > t.Len {
			b = b[:t.Len]
		}
		return eval.Value{Kind: eval.Varbinary, S: b}, nil
	case k == eval.Timestamp:
		ms, ok := parseTimestamp(s)
		if !ok {
			return eval.NullValue, fmt.Errorf("invalid TIMESTAMP '%s'", s)
		}
		return eval.TimestampMillis(ms), nil
	case k == eval.Date:
		ms, ok := parseTimestamp(s)
		if !ok {
			return eval.NullValue, fmt.Errorf("invalid DATE '%s'", s)
		}
		return eval.Value{Kind: eval.Date, I: floorDiv(ms, msPerDay)}, nil
	case k == eval.Time:
		ms, ok := parseTimeOfDay(strings.TrimSpace(s))
		if !ok {
			ts, ok2 := parseTimestamp(s)
			if !ok2 {
				return eval.NullValue, fmt.Errorf("invalid TIME '%s'", s)
			}
			ms = ts - floorDiv(ts, msPerDay)*msPerDay
		}
		return eval.Value{Kind: eval.Time, I: ms}, nil
	}
	return eval.NullValue, fmt.Errorf("cannot convert a string to %s", t)
}

// fromText converts a JSON object or array (its compacted source text).
func fromText(t eval.Type, text string) (eval.Value, error) {
	if t.Kind.IsString() {
		return fitString(t, compactJSON(text)), nil
	}
	return eval.NullValue, fmt.Errorf("cannot convert a JSON %s to %s", map[bool]string{true: "object", false: "array"}[strings.HasPrefix(text, "{")], t)
}

// fitString truncates s to the type's length (no error, as AWS documents)
// and pads CHAR(n) with blanks.
func fitString(t eval.Type, s string) eval.Value {
	if t.Len > 0 {
		if len(s) > t.Len { // byte length bounds rune count
			if n := utf8.RuneCountInString(s); n > t.Len {
				i, c := 0, 0
				for i = range s {
					if c == t.Len {
						break
					}
					c++
				}
				s = s[:i]
			}
		}
		if t.Kind == eval.Char {
			if n := utf8.RuneCountInString(s); n < t.Len {
				s += strings.Repeat(" ", t.Len-n)
			}
		}
	}
	return eval.Value{Kind: t.Kind, S: s}
}

// parseBinary reads a binary literal X'3F67A23A' (the developer guide's
// form) or, failing that, base64 (the SQL reference's data types table
// maps BINARY to a BASE64-encoded JSON string).
func parseBinary(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && (s[0] == 'X' || s[0] == 'x') && s[1] == '\'' && s[len(s)-1] == '\'' {
		b, err := hex.DecodeString(s[2 : len(s)-1])
		if err != nil {
			return "", fmt.Errorf("invalid binary literal %q", s)
		}
		return string(b), nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("invalid binary value %q (want X'hex' or base64)", s)
	}
	return string(b), nil
}

// number is a scanned decimal literal: digits (no sign, no point) times
// 10^exp, negated when neg.
type number struct {
	neg    bool
	digits string // leading zeros possible; never empty
	frac   int    // digits after the point (part of digits)
	exp    int    // exponent
}

func (n number) zero() bool {
	for i := 0; i < len(n.digits); i++ {
		if n.digits[i] != '0' {
			return false
		}
	}
	return true
}

// scanNumber reads [+-]digits[.digits][(e|E)[+-]digits] (also "5." and
// ".5"), the JSON number grammar made lenient for strings and CSV fields.
func scanNumber(s string) (number, bool) {
	var n number
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		n.neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intEnd := i
	var fracDigits string
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		fracDigits = s[fs:i]
	}
	if intEnd == start && fracDigits == "" {
		return n, false
	}
	if fracDigits == "" {
		n.digits = s[start:intEnd]
	} else if intEnd == start {
		n.digits = fracDigits
	} else {
		n.digits = s[start:intEnd] + fracDigits // allocates only for fractions
	}
	n.frac = len(fracDigits)
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		es := i
		e := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if e < 100000 {
				e = e*10 + int(s[i]-'0')
			}
			i++
		}
		if i == es {
			return n, false
		}
		if eneg {
			e = -e
		}
		n.exp = e
	}
	if i != len(s) {
		return n, false
	}
	return n, true
}

var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// scaled answers n's value times 10^scale as an int64, or ok=false when it
// has non-zero digits below that scale or does not fit 18 digits.
func (n number) scaled(scale int) (int64, bool) {
	shift := n.exp - n.frac + scale // value*10^scale = digits * 10^shift
	d := n.digits
	for len(d) > 1 && d[0] == '0' {
		d = d[1:]
	}
	if shift < 0 {
		if -shift >= len(d) {
			for i := 0; i < len(d); i++ {
				if d[i] != '0' {
					return 0, false
				}
			}
			return 0, true
		}
		cut := len(d) + shift
		for i := cut; i < len(d); i++ {
			if d[i] != '0' {
				return 0, false
			}
		}
		d = d[:cut]
		shift = 0
	}
	if d == "0" {
		return 0, true
	}
	if len(d)+shift > 18 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(d); i++ {
		v = v*10 + int64(d[i]-'0')
	}
	v *= pow10[shift]
	if n.neg {
		v = -v
	}
	return v, true
}

// parseNumeric converts a number literal to a numeric type: exactly for
// integer and DECIMAL targets (a value that needs rounding or does not fit
// is an error: "converting 123.4 to INT ... fails"), nearest for REAL and
// DOUBLE.
func parseNumeric(t eval.Type, lit string) (eval.Value, error) {
	n, ok := scanNumber(lit)
	if !ok {
		return eval.NullValue, fmt.Errorf("invalid number '%s'", lit)
	}
	switch t.Kind {
	case eval.Real, eval.Double:
		bits := 64
		if t.Kind == eval.Real {
			bits = 32
		}
		f, err := strconv.ParseFloat(lit, bits)
		if err != nil || math.IsInf(f, 0) {
			return eval.NullValue, fmt.Errorf("%s does not fit %s", lit, t)
		}
		return eval.Value{Kind: t.Kind, F: f}, nil
	case eval.Decimal:
		v, ok := n.scaled(t.Scale)
		if !ok || (t.Len > 0 && t.Len <= 18 && (v >= pow10[t.Len] || v <= -pow10[t.Len])) {
			return eval.NullValue, fmt.Errorf("%s does not fit %s", lit, t)
		}
		return eval.DecimalValue(v, int8(t.Scale)), nil
	}
	v, ok := n.scaled(0)
	lo, hi := intRange(t.Kind)
	if !ok || v < lo || v > hi {
		return eval.NullValue, fmt.Errorf("%s does not fit %s", lit, t)
	}
	return eval.Value{Kind: t.Kind, I: v}, nil
}

func intRange(k eval.Kind) (int64, int64) {
	switch k {
	case eval.TinyInt:
		return math.MinInt8, math.MaxInt8
	case eval.SmallInt:
		return math.MinInt16, math.MaxInt16
	case eval.Integer:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

const msPerDay = 86400000

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// digitsAt reads exactly n digits at s[i:].
func digitsAt(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for j := i; j < i+n; j++ {
		c := s[j]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// parseTimeOfDay reads HH:mm[:ss[.fraction]] (fraction digits beyond
// milliseconds are cut) and answers milliseconds of the day.
func parseTimeOfDay(s string) (int64, bool) {
	ms, n, ok := scanTime(s, 0)
	return ms, ok && n == len(s)
}

func scanTime(s string, i int) (ms int64, end int, ok bool) {
	h, ok1 := digitsAt(s, i, 2)
	if !ok1 || i+2 >= len(s) || s[i+2] != ':' {
		return 0, i, false
	}
	m, ok2 := digitsAt(s, i+3, 2)
	if !ok2 || h > 23 || m > 59 {
		return 0, i, false
	}
	i += 5
	sec, frac := 0, 0
	if i < len(s) && s[i] == ':' {
		var ok3 bool
		if sec, ok3 = digitsAt(s, i+1, 2); !ok3 || sec > 59 {
			return 0, i, false
		}
		i += 3
		if i < len(s) && s[i] == '.' {
			i++
			fs := i
			scale := 100
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				frac += int(s[i]-'0') * scale
				scale /= 10
				i++
			}
			if i == fs {
				return 0, i, false
			}
		}
	}
	return int64(h)*3600000 + int64(m)*60000 + int64(sec)*1000 + int64(frac), i, true
}

// parseTimestamp reads the datetime strings AWS's examples use:
// yyyy-MM-dd, yyyy-MM-dd HH:mm:ss[.f...] ("1992-02-14 18:35:44.0") and the
// ISO 8601 form with T ("2018-05-09T12:50:41.337510"), optionally followed
// by Z or a ±HH:mm / ±HHmm offset, which converts the time to UTC.
func parseTimestamp(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	y, ok1 := digitsAt(s, 0, 4)
	if !ok1 || len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	mo, ok2 := digitsAt(s, 5, 2)
	d, ok3 := digitsAt(s, 8, 2)
	if !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return 0, false
	}
	ms := daysFromCivil(y, mo, d) * msPerDay
	i := 10
	if i < len(s) && (s[i] == ' ' || s[i] == 'T' || s[i] == 't') {
		t, end, ok := scanTime(s, i+1)
		if !ok {
			return 0, false
		}
		ms += t
		i = end
	}
	if i < len(s) {
		switch c := s[i]; {
		case (c == 'Z' || c == 'z') && i+1 == len(s):
		case c == '+' || c == '-':
			h, ok := digitsAt(s, i+1, 2)
			if !ok {
				return 0, false
			}
			j := i + 3
			if j < len(s) && s[j] == ':' {
				j++
			}
			m, ok := digitsAt(s, j, 2)
			if !ok || j+2 != len(s) || h > 23 || m > 59 {
				return 0, false
			}
			off := int64(h)*3600000 + int64(m)*60000
			if c == '+' {
				ms -= off
			} else {
				ms += off
			}
		default:
			return 0, false
		}
	}
	return ms, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil answers the days since 1970-01-01 of a proleptic Gregorian date.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// compactJSON removes the white space outside strings (AWS's example
// answers an array's text without the spaces of the record).
func compactJSON(s string) string {
	has := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			has = true
			break
		}
	}
	if !has {
		return s
	}
	b := make([]byte, 0, len(s))
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if in {
			b = append(b, c)
			if c == '\\' && i+1 < len(s) {
				i++
				b = append(b, s[i])
			} else if c == '"' {
				in = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			in = true
		}
		b = append(b, c)
	}
	return string(b)
}

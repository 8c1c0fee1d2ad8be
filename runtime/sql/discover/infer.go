package discover

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf8"
)

// kind is what one sampled value looks like.
type kind uint8

const (
	kNull   kind = iota
	kString      // a string (JSON) or a field that is no number or boolean (CSV)
	kText        // a JSON array or too deeply nested object, kept as source text
	kBool
	kInt    // fits INTEGER (32 bits)
	kBigint // fits BIGINT (64 bits)
	kReal   // a number that fits REAL (float32 range)
	kDouble // a number beyond REAL's range
)

type value struct {
	kind kind
	text string
}

// typeAcc accumulates the kinds and longest text seen in one column.
type typeAcc struct {
	seen   [kDouble + 1]bool
	maxLen int // in characters
}

func (a *typeAcc) add(v value) {
	a.seen[v.kind] = true
	if v.kind == kNull {
		return
	}
	if n := utf8.RuneCountInString(v.text); n > a.maxLen {
		a.maxLen = n
	}
}

// sqlType resolves the column's type with the widening rules:
// INTEGER < BIGINT < REAL < DOUBLE among numbers (BIGINT with REAL gives
// DOUBLE, which holds both without loss of range); booleans alone give
// BOOLEAN; any string, array or mix of booleans and numbers gives VARCHAR
// sized over the text of every value; a column seen only as null gives the
// smallest VARCHAR.
func (a *typeAcc) sqlType() string {
	s := a.seen
	num := s[kInt] || s[kBigint] || s[kReal] || s[kDouble]
	switch {
	case s[kString] || s[kText] || s[kBool] && num || !s[kBool] && !num:
		return varchar(a.maxLen)
	case s[kBool]:
		return "BOOLEAN"
	case s[kDouble] || s[kReal] && s[kBigint]:
		return "DOUBLE"
	case s[kReal]:
		return "REAL"
	case s[kBigint]:
		return "BIGINT"
	default:
		return "INTEGER"
	}
}

// varchar sizes a VARCHAR as AWS's documented discoveries show: the
// longest value rounded up to a power of two, at least 4 (AK → VARCHAR(4),
// ShortTons → VARCHAR(16), ElectricGeneratorsElectricUtilities →
// VARCHAR(64)).
func varchar(n int) string {
	size := 4
	if n > 4 {
		size = 1 << bits.Len(uint(n-1))
	}
	return "VARCHAR(" + strconv.Itoa(size) + ")"
}

// classifyNumber classifies a number literal (JSON number grammar, or the
// CSV one of isNumber).
func classifyNumber(lit string) kind {
	if !strings.ContainsAny(lit, ".eE") {
		if i, err := strconv.ParseInt(lit, 10, 64); err == nil {
			if i >= math.MinInt32 && i <= math.MaxInt32 {
				return kInt
			}
			return kBigint
		}
	}
	if _, err := strconv.ParseFloat(lit, 32); err == nil {
		return kReal
	}
	return kDouble
}

// isNumber reports whether s is a plain decimal number: [+-]digits[.digits][e[+-]digits],
// also .5 and 5. (no hex, no Inf/NaN, no underscores).
func isNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// classifyField classifies a CSV field.
func classifyField(s string) kind {
	switch {
	case s == "":
		return kNull
	case isNumber(s):
		return classifyNumber(strings.TrimPrefix(s, "+"))
	case strings.EqualFold(s, "true") || strings.EqualFold(s, "false"):
		return kBool
	}
	return kString
}

// fits reports whether text converts to sqlType; ParsedInputRecords shows
// null where it does not.
func fits(text, sqlType string) bool {
	switch sqlType {
	case "BOOLEAN":
		return strings.EqualFold(text, "true") || strings.EqualFold(text, "false")
	case "INTEGER", "BIGINT", "REAL", "DOUBLE":
		if !isNumber(text) {
			return false
		}
		k := classifyNumber(strings.TrimPrefix(text, "+"))
		switch sqlType {
		case "INTEGER":
			return k == kInt
		case "BIGINT":
			return k == kInt || k == kBigint
		case "REAL":
			return k != kDouble
		}
		return true
	}
	return true
}

package rcf

import (
	"fmt"
	"strconv"
	"strings"
)

// JSON renders the ANOMALY_EXPLANATION column: an object with one member
// per input column, named as the column, in column order. Each member holds
// ATTRIBUTION_SCORE and, when withDirectionality, STRENGTH and DIRECTION.
// Numbers are written as JSON strings, as AWS's output shows them.
func (e Explanation) JSON(names []string, withDirectionality bool) (string, error) {
	if len(names) != len(e.Columns) {
		return "", fmt.Errorf("rcf: explanation has %d columns, got %d names", len(e.Columns), len(names))
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, a := range e.Columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(names[i]))
		b.WriteString(":{")
		if withDirectionality {
			b.WriteString(`"DIRECTION":"`)
			b.WriteString(a.Direction)
			b.WriteString(`","STRENGTH":"`)
			b.WriteString(formatNumber(a.Strength))
			b.WriteString(`",`)
		}
		b.WriteString(`"ATTRIBUTION_SCORE":"`)
		b.WriteString(formatNumber(a.Score))
		b.WriteString(`"}`)
	}
	b.WriteByte('}')
	return b.String(), nil
}

// formatNumber writes a double as Java's Double.toString does for the
// ranges these scores take (always a fraction part: 0.0, 1.25, 3.0E-5).
func formatNumber(v float64) string {
	if v != 0 && (v < 1e-3 || v >= 1e7) {
		s := strconv.FormatFloat(v, 'E', -1, 64)
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		exp = strings.TrimPrefix(exp, "+")
		if strings.HasPrefix(exp, "-") {
			exp = "-" + strings.TrimLeft(exp[1:], "0")
		} else {
			exp = strings.TrimLeft(exp, "0")
		}
		return mant + "E" + exp
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

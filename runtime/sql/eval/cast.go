package eval

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/kinesin/kinesin/runtime/sql/parser"
)

// castAllowed is the reference's table of valid conversions (CAST page).
func castAllowed(from, to Kind) bool {
	switch {
	case from == Null || from == to:
		return true
	case from.IsNumeric():
		return to.IsNumeric() || to.IsString()
	case from.IsString():
		return to != Varbinary && to != IntervalYearMonth
	case from == Date:
		return to.IsString() || to == Timestamp
	case from == Time:
		return to.IsString() || to == Timestamp
	case from == Timestamp:
		return to.IsString() || to == Date || to == Time
	case from == IntervalDayTime:
		return to == BigInt || to == Decimal || to.IsString()
	case from == IntervalYearMonth:
		return to.IsString() || to == BigInt || to == Decimal
	case from == Boolean:
		return to.IsString()
	}
	return false
}

func (c *compiler) cast(n *parser.CastExpr, x expr, t Type) (expr, error) {
	if !castAllowed(x.t.Kind, t.Kind) {
		return expr{}, errAt(n, "cannot CAST %s to %s", x.t, t)
	}
	return expr{t: t, eval: func(r Row) (Value, error) {
		v, err := x.eval(r)
		if err != nil || v.IsNull() {
			return NullValue, err
		}
		out, err := castValue(v, t)
		if err != nil {
			return NullValue, errAt(n, "%v", err)
		}
		return out, nil
	}}, nil
}

// castValue converts a non-NULL value to type t.
func castValue(v Value, t Type) (Value, error) {
	if v.IsNull() {
		return v, nil
	}
	switch {
	case t.Kind.IsString():
		s := v.String()
		if t.Len > 0 {
			n := len([]rune(s))
			if n > t.Len {
				if !v.Kind.IsString() {
					return NullValue, fmt.Errorf("%s value '%s' does not fit %s", v.Kind, s, t)
				}
				s = string([]rune(s)[:t.Len])
			} else if t.Kind == Char && n < t.Len {
				s += strings.Repeat(" ", t.Len-n)
			}
		}
		return Value{Kind: t.Kind, S: s}, nil
	case t.Kind.IsNumeric():
		return castNumber(v, t)
	case t.Kind == Boolean:
		if v.Kind == Boolean {
			return v, nil
		}
		switch strings.ToUpper(strings.TrimSpace(v.S)) {
		case "TRUE":
			return Bool(true), nil
		case "FALSE":
			return Bool(false), nil
		case "UNKNOWN":
			return NullValue, nil
		}
		return NullValue, fmt.Errorf("cannot CAST '%s' to BOOLEAN", v.S)
	case t.Kind == Date || t.Kind == Time || t.Kind == Timestamp:
		switch v.Kind {
		case Char, Varchar:
			return parseDatetime(t.Kind.String(), v.S)
		case Date:
			if t.Kind == Timestamp {
				return TimestampMillis(v.I * msPerDay), nil
			}
		case Time:
			if t.Kind == Timestamp {
				return TimestampMillis(v.I), nil
			}
		case Timestamp:
			switch t.Kind {
			case Date:
				return Value{Kind: Date, I: floorDiv(v.I, msPerDay)}, nil
			case Time:
				return Value{Kind: Time, I: floorMod(v.I, msPerDay)}, nil
			}
		}
		if v.Kind == t.Kind {
			return v, nil
		}
	case t.Kind == IntervalDayTime:
		if v.Kind == IntervalDayTime {
			return v, nil
		}
		if v.Kind.IsString() {
			return parseInterval(v.S, parser.IntervalQualifier{Start: "DAY", End: "SECOND"})
		}
	case t.Kind == Varbinary:
		if v.Kind == Varbinary {
			if t.Len > 0 && len(v.S) > t.Len {
				v.S = v.S[:t.Len]
			}
			return v, nil
		}
	}
	return NullValue, fmt.Errorf("cannot CAST %s to %s", v.Kind, t)
}

func castNumber(v Value, t Type) (Value, error) {
	switch v.Kind {
	case Char, Varchar:
		s := strings.TrimSpace(v.S)
		p, err := parseNumber(strings.TrimPrefix(s, "+"))
		if strings.HasPrefix(s, "-") {
			p, err = parseNumber(s[1:])
			if err == nil {
				if p.Kind == Double {
					p.F = -p.F
				} else {
					p.I = -p.I
				}
			}
		}
		if err != nil || s == "" || strings.HasPrefix(s, "--") {
			return NullValue, fmt.Errorf("cannot CAST '%s' to %s", v.S, t)
		}
		v = p
	case Boolean:
		return NullValue, fmt.Errorf("cannot CAST BOOLEAN to %s", t)
	case IntervalDayTime:
		u := unitMillis[v.Aux]
		if v.Aux < UnitDay {
			u = 1
		}
		if t.Kind == Decimal {
			r := new(big.Rat).SetFrac64(v.I, u)
			return ratToDecimal(r, t.Scale)
		}
		v = Value{Kind: BigInt, I: v.I / u}
	case IntervalYearMonth:
		n := v.I
		if v.Aux == UnitYear {
			n /= 12
		}
		v = Value{Kind: BigInt, I: n}
	}
	switch t.Kind {
	case Real:
		return RealValue(v.Float()), nil
	case Double:
		return DoubleValue(v.Float()), nil
	case Decimal:
		var r *big.Rat
		if v.Kind == Real || v.Kind == Double {
			if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
				return NullValue, fmt.Errorf("%w: cannot CAST %s to %s", ErrOverflow, v, t)
			}
			r = new(big.Rat)
			r.SetString(strconv.FormatFloat(v.F, 'g', -1, 64))
		}
		var d Value
		var err error
		if fast, ok := decCastFast(v, t.Scale); r == nil && ok {
			d = fast
		} else {
			if r == nil {
				r = v.bigRat()
			}
			if d, err = ratToDecimal(r, t.Scale); err != nil {
				return d, err
			}
		}
		if t.Len > 0 && t.Len < 18 {
			if lim := int64(math.Pow10(t.Len)); d.I >= lim || d.I <= -lim {
				return NullValue, fmt.Errorf("%w: %s does not fit %s", ErrOverflow, v, t)
			}
		}
		return d, nil
	}
	// Integer targets: approximate and decimal values are rounded (half
	// away from zero), as the reference's CAST page says ("Real numbers
	// ... are rounded when cast").
	var i int64
	switch v.Kind {
	case Real, Double:
		f := math.Round(v.F)
		if math.IsNaN(f) || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
			return NullValue, fmt.Errorf("%w: %s does not fit %s", ErrOverflow, v, t)
		}
		i = int64(f)
	case Decimal:
		d, err := ratToDecimal(v.bigRat(), 0)
		if err != nil {
			return d, err
		}
		i = d.I
	default:
		i = v.I
	}
	lo, hi := intRange(t.Kind)
	if i < lo || i > hi {
		return NullValue, fmt.Errorf("%w: %s does not fit %s", ErrOverflow, v, t)
	}
	return Value{Kind: t.Kind, I: i}, nil
}

func ratFloor(r *big.Rat) *big.Rat {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() < 0 {
		q.Sub(q, big.NewInt(1))
	}
	return new(big.Rat).SetInt(q)
}

package eval

// Decimal arithmetic on the unscaled int64 values, without math/big: the
// exact result rounded half away from zero to the target scale, as
// ratToDecimal answers it. Each function reports false when the fast path
// does not apply (an operand that is not DECIMAL or an integer, an
// intermediate overflow, a result out of DECIMAL's range); callers then
// take the math/big path, which answers the same value or the error.

var pow10 = [19]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

const maxUnscaled = 999999999999999999

// decParts answers v's unscaled value and scale when v is DECIMAL or an
// integer.
func decParts(v Value) (int64, int, bool) {
	switch v.Kind {
	case Decimal:
		if v.Aux < 0 {
			return 0, 0, false
		}
		return v.I, int(v.Aux), true
	case TinyInt, SmallInt, Integer, BigInt:
		return v.I, 0, true
	}
	return 0, 0, false
}

// rescale converts an unscaled value from one scale to another, rounding
// half away from zero.
func rescale(x int64, from, to int) (int64, bool) {
	if to >= from {
		d := to - from
		if d > 18 {
			return 0, false
		}
		return mul64(x, pow10[d])
	}
	d := from - to
	if d > 18 {
		return 0, false
	}
	p := pow10[d]
	q, r := x/p, x%p
	if r < 0 {
		r = -r
	}
	if 2*r >= p {
		if x < 0 {
			q--
		} else {
			q++
		}
	}
	return q, true
}

func decResult(x int64, scale int) (Value, bool) {
	if x > maxUnscaled || x < -maxUnscaled || scale > 127 {
		return Value{}, false
	}
	return DecimalValue(x, int8(scale)), true
}

// decArithFast computes a op b (+, -, *) to scale.
func decArithFast(op string, a, b Value, scale int) (Value, bool) {
	x, sa, ok := decParts(a)
	if !ok {
		return Value{}, false
	}
	y, sb, ok := decParts(b)
	if !ok {
		return Value{}, false
	}
	var z int64
	var s int
	switch op {
	case "+", "-":
		s = max(sa, sb)
		if x, ok = rescale(x, sa, s); !ok {
			return Value{}, false
		}
		if y, ok = rescale(y, sb, s); !ok {
			return Value{}, false
		}
		if op == "-" {
			if y == -y && y != 0 {
				return Value{}, false // MinInt64
			}
			y = -y
		}
		if z, ok = add64(x, y); !ok {
			return Value{}, false
		}
	case "*":
		s = sa + sb
		if z, ok = mul64(x, y); !ok {
			return Value{}, false
		}
	default:
		return Value{}, false
	}
	if z, ok = rescale(z, s, scale); !ok {
		return Value{}, false
	}
	return decResult(z, scale)
}

// decCastFast converts a DECIMAL or integer value to a DECIMAL of scale.
func decCastFast(v Value, scale int) (Value, bool) {
	x, s, ok := decParts(v)
	if !ok {
		return Value{}, false
	}
	if x, ok = rescale(x, s, scale); !ok {
		return Value{}, false
	}
	return decResult(x, scale)
}

// decCompareFast compares two DECIMAL or integer values.
func decCompareFast(a, b Value) (int, bool) {
	x, sa, ok := decParts(a)
	if !ok {
		return 0, false
	}
	y, sb, ok := decParts(b)
	if !ok {
		return 0, false
	}
	s := max(sa, sb)
	if x, ok = rescale(x, sa, s); !ok {
		return 0, false
	}
	if y, ok = rescale(y, sb, s); !ok {
		return 0, false
	}
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

package eval

import (
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/kinesin/kinesin/runtime/sql/datefmt"
	"github.com/kinesin/kinesin/runtime/sql/parser"
)

// strictCall builds an evaluator for a function that answers NULL when any
// argument is NULL (RETURNS NULL ON NULL INPUT) and f otherwise.
func strictCall(n parser.Node, args []expr, t Type, f func(vs []Value) (Value, error)) expr {
	// The argument slice is reused while no other evaluation holds it
	// (no allocation per row); a nested or concurrent evaluation of the
	// same call makes its own.
	var busy atomic.Bool
	buf := make([]Value, len(args))
	return expr{t: t, eval: func(r Row) (Value, error) {
		vs := buf
		if busy.CompareAndSwap(false, true) {
			defer busy.Store(false)
		} else {
			vs = make([]Value, len(args))
		}
		null := false
		for i, a := range args {
			v, err := a.eval(r)
			if err != nil {
				return v, err
			}
			null = null || v.IsNull()
			vs[i] = v
		}
		if null {
			return NullValue, nil
		}
		v, err := f(vs)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				err = errAt(n, "%v", err)
			}
			return NullValue, err
		}
		return v, nil
	}}
}

type argCheck func(Kind) bool

func isStr(k Kind) bool     { return k.IsString() }
func isNum(k Kind) bool     { return k.IsNumeric() }
func isInt(k Kind) bool     { return k.IsInteger() }
func isTS(k Kind) bool      { return k == Timestamp }
func isDate(k Kind) bool    { return k == Date }
func isTime(k Kind) bool    { return k == Time }
func isAnyTime(k Kind) bool { return k.IsDatetime() }

func (c *compiler) args(n *parser.FuncCall, checks ...argCheck) ([]expr, error) {
	name := n.Name.Name
	if len(n.Args) != len(checks) {
		return nil, errAt(n, "%s takes %d arguments, not %d", name, len(checks), len(n.Args))
	}
	out := make([]expr, len(n.Args))
	for i, a := range n.Args {
		x, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		if x.t.Kind != Null && !checks[i](x.t.Kind) {
			return nil, errAt(a, "argument %d of %s has the wrong type %s", i+1, name, x.t)
		}
		out[i] = x
	}
	return out, nil
}

func (c *compiler) call(n *parser.FuncCall) (expr, error) {
	if n.Over != nil || n.Quantifier != "" || n.Star {
		return expr{}, errAt(n, "%s is an aggregate or windowed call, not a scalar expression", n.Name.Name)
	}
	name := n.Name.Name
	str := Type{Kind: Varchar}
	switch name {
	case "CHAR_LENGTH", "CHARACTER_LENGTH":
		a, err := c.args(n, isStr)
		if err != nil {
			return expr{}, err
		}
		return strictCall(n, a, Type{Kind: Integer}, func(v []Value) (Value, error) {
			return Int(int64(len([]rune(v[0].S)))), nil
		}), nil
	case "UPPER", "LOWER", "INITCAP":
		a, err := c.args(n, isStr)
		if err != nil {
			return expr{}, err
		}
		t := a[0].t
		t.NotNull = false
		return strictCall(n, a, t, func(v []Value) (Value, error) {
			out := v[0]
			switch name {
			case "UPPER":
				out.S = strings.ToUpper(out.S)
			case "LOWER":
				out.S = strings.ToLower(out.S)
			default:
				out.S = initcap(out.S)
			}
			return out, nil
		}), nil
	case "REGEX_REPLACE":
		return c.regexReplace(n)
	case "SUBSTRING":
		if len(n.Args) == 2 || len(n.Args) == 3 {
			s := &parser.Substring{Pos: n.Pos, X: n.Args[0], From: n.Args[1]}
			if len(n.Args) == 3 {
				s.For = n.Args[2]
			}
			return c.substring(s)
		}
		return expr{}, errAt(n, "SUBSTRING takes 2 or 3 arguments")
	case "ABS":
		a, err := c.args(n, func(k Kind) bool { return isNum(k) || k.IsInterval() })
		if err != nil {
			return expr{}, err
		}
		return strictCall(n, a, a[0].t, func(v []Value) (Value, error) {
			x := v[0]
			switch {
			case x.Kind == Real || x.Kind == Double:
				x.F = math.Abs(x.F)
			case x.I < 0:
				if x.I == math.MinInt64 || x.Kind.IsInteger() && x.I == func() int64 { lo, _ := intRange(x.Kind); return lo }() {
					return NullValue, fmt.Errorf("%w: ABS(%s)", ErrOverflow, x)
				}
				x.I = -x.I
			}
			return x, nil
		}), nil
	case "CEIL", "CEILING", "FLOOR":
		a, err := c.args(n, isNum)
		if err != nil {
			return expr{}, err
		}
		ceil := name != "FLOOR"
		return strictCall(n, a, a[0].t, func(v []Value) (Value, error) {
			x := v[0]
			switch x.Kind {
			case Real, Double:
				if ceil {
					x.F = math.Ceil(x.F)
				} else {
					x.F = math.Floor(x.F)
				}
			case Decimal:
				r := x.bigRat()
				if ceil {
					r.Neg(ratFloor(r.Neg(r)))
				} else {
					r = ratFloor(r)
				}
				return ratToDecimal(r, int(x.Aux))
			}
			return x, nil
		}), nil
	case "EXP", "LN", "LOG10", "SQRT":
		a, err := c.args(n, isNum)
		if err != nil {
			return expr{}, err
		}
		return strictCall(n, a, Type{Kind: Double}, func(v []Value) (Value, error) {
			x := v[0].Float()
			var f float64
			switch name {
			case "EXP":
				f = math.Exp(x)
			case "LN":
				if x <= 0 {
					return NullValue, fmt.Errorf("cannot take logarithm of %s", v[0])
				}
				f = math.Log(x)
			case "LOG10":
				if x <= 0 {
					return NullValue, fmt.Errorf("cannot take logarithm of %s", v[0])
				}
				f = math.Log10(x)
			case "SQRT":
				if x < 0 {
					return NullValue, fmt.Errorf("cannot take square root of %s", v[0])
				}
				f = math.Sqrt(x)
			}
			return DoubleValue(f), nil
		}), nil
	case "POWER":
		a, err := c.args(n, isNum, isNum)
		if err != nil {
			return expr{}, err
		}
		return strictCall(n, a, Type{Kind: Double}, func(v []Value) (Value, error) {
			x, y := v[0].Float(), v[1].Float()
			if x == 0 && y < 0 {
				return NullValue, fmt.Errorf("cannot raise 0 to a negative power")
			}
			f := math.Pow(x, y)
			if math.IsNaN(f) {
				return NullValue, fmt.Errorf("cannot raise negative number %s to fractional power %s", v[0], v[1])
			}
			return DoubleValue(f), nil
		}), nil
	case "MOD":
		// The reference: integer arguments only (scale 0); a zero divisor
		// raises a divide-by-zero error.
		scale0 := func(k Kind) bool { return isInt(k) || k == Decimal }
		a, err := c.args(n, scale0, scale0)
		if err != nil {
			return expr{}, err
		}
		for i, x := range a {
			if x.t.Kind == Decimal && x.t.Scale != 0 {
				return expr{}, errAt(n.Args[i], "MOD supports only arguments of scale 0, not %s", x.t)
			}
		}
		k := numericResult(a[0].t.Kind, a[1].t.Kind)
		if k == Null {
			k = Integer
		}
		t := Type{Kind: k}
		if k == Decimal {
			t.Len = 18
		}
		return strictCall(n, a, t, func(v []Value) (Value, error) {
			for i := range v {
				if v[i].Kind == Decimal && v[i].Aux != 0 {
					return NullValue, fmt.Errorf("MOD supports only arguments of scale 0, not %s", v[i])
				}
			}
			return numArith("%", k, 0, v[0], v[1])
		}), nil
	case "COALESCE":
		if len(n.Args) == 0 {
			return expr{}, errAt(n, "COALESCE needs at least one argument")
		}
		xs := make([]expr, len(n.Args))
		for i, a := range n.Args {
			var err error
			if xs[i], err = c.compile(a); err != nil {
				return expr{}, err
			}
		}
		t, err := commonType(xs)
		if err != nil {
			return expr{}, errAt(n, "COALESCE: %v", err)
		}
		return expr{t: t, eval: func(r Row) (Value, error) {
			for _, x := range xs {
				v, err := x.eval(r)
				if err != nil {
					return v, err
				}
				if !v.IsNull() {
					return coerce(v, t)
				}
			}
			return NullValue, nil
		}}, nil
	case "NULLIF":
		if len(n.Args) != 2 {
			return expr{}, errAt(n, "NULLIF takes 2 arguments")
		}
		a, err := c.compile(n.Args[0])
		if err != nil {
			return expr{}, err
		}
		b, err := c.compile(n.Args[1])
		if err != nil {
			return expr{}, err
		}
		if err := comparable(a.t, b.t); err != nil {
			return expr{}, errAt(n, "NULLIF: %v", err)
		}
		t := a.t
		t.NotNull = false
		return expr{t: t, eval: func(r Row) (Value, error) {
			x, err := a.eval(r)
			if err != nil || x.IsNull() {
				return x, err
			}
			y, err := b.eval(r)
			if err != nil {
				return y, err
			}
			if !y.IsNull() {
				if c, err := Compare(x, y); err == nil && c == 0 {
					return NullValue, nil
				}
			}
			return x, nil
		}}, nil
	case "TSDIFF":
		tsOrInt := func(k Kind) bool { return isTS(k) || isInt(k) }
		a, err := c.args(n, tsOrInt, tsOrInt)
		if err != nil {
			return expr{}, err
		}
		return strictCall(n, a, Type{Kind: BigInt}, func(v []Value) (Value, error) {
			d, ok := add64(v[1].I, -v[0].I)
			if !ok {
				return NullValue, ErrOverflow
			}
			return BigIntValue(d), nil
		}), nil
	case "TO_TIMESTAMP":
		a, err := c.args(n, isInt)
		if err != nil {
			return expr{}, err
		}
		return strictCall(n, a, Type{Kind: Timestamp}, func(v []Value) (Value, error) {
			return TimestampMillis(v[0].I), nil
		}), nil
	case "UNIX_TIMESTAMP":
		a, err := c.args(n, isTS)
		if err != nil {
			return expr{}, err
		}
		return strictCall(n, a, Type{Kind: BigInt}, func(v []Value) (Value, error) {
			return BigIntValue(v[0].I), nil
		}), nil
	case "CHAR_TO_TIMESTAMP", "CHAR_TO_DATE", "CHAR_TO_TIME":
		return c.charTo(n)
	case "TIMESTAMP_TO_CHAR", "DATE_TO_CHAR", "TIME_TO_CHAR":
		check := map[string]argCheck{"TIMESTAMP_TO_CHAR": isTS, "DATE_TO_CHAR": isDate, "TIME_TO_CHAR": isTime}[name]
		a, err := c.args(n, isStr, check)
		if err != nil {
			return expr{}, err
		}
		df, err := constFormat(a[0])
		if err != nil {
			return expr{}, errAt(n.Args[0], "%v", err)
		}
		return expr{t: str, eval: func(r Row) (Value, error) {
			fv, err := a[0].eval(r)
			if err != nil {
				return fv, err
			}
			tv, err := a[1].eval(r)
			if err != nil {
				return tv, err
			}
			if tv.IsNull() {
				// The reference: "If the input is null, the output will be
				// the string "null"."
				return Str("null"), nil
			}
			if fv.IsNull() {
				return NullValue, nil
			}
			f := df
			if f == nil {
				if f, err = datefmt.Parse(fv.S); err != nil {
					return NullValue, errAt(n, "%v", err)
				}
			}
			return Str(f.Format(time.UnixMilli(toMillis(tv)))), nil
		}}, nil
	}
	if c.scope.Funcs != nil {
		if f, ok := c.scope.Funcs(name); ok {
			return c.userCall(n, f)
		}
	}
	return expr{}, errAt(n, "unknown function %s", name)
}

// userCall compiles a call of a user function: arguments are converted to
// the parameter types, the result to the return type.
func (c *compiler) userCall(n *parser.FuncCall, f *Func) (expr, error) {
	name := n.Name.Name
	if len(n.Args) != len(f.Params) {
		return expr{}, errAt(n, "%s takes %d arguments, not %d", name, len(f.Params), len(n.Args))
	}
	args := make([]expr, len(n.Args))
	for i, a := range n.Args {
		x, err := c.compile(a)
		if err != nil {
			return expr{}, err
		}
		if !castAllowed(x.t.Kind, f.Params[i].Kind) {
			return expr{}, errAt(a, "argument %d of %s has the wrong type %s (want %s)", i+1, name, x.t, f.Params[i])
		}
		args[i] = x
	}
	ret := f.Returns
	ret.NotNull = false
	return expr{t: ret, eval: func(r Row) (Value, error) {
		var buf [8]Value
		vs := buf[:0]
		if len(args) > len(buf) {
			vs = make([]Value, 0, len(args))
		}
		for i, a := range args {
			v, err := a.eval(r)
			if err != nil {
				return v, err
			}
			if !v.IsNull() && (v.Kind != f.Params[i].Kind || f.Params[i].Len > 0 || v.Kind == Decimal) {
				if v, err = castValue(v, f.Params[i]); err != nil {
					return NullValue, errAt(n.Args[i], "%v", err)
				}
			}
			vs = append(vs, v)
		}
		out, err := f.Call(vs)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				err = errAt(n, "%s: %v", name, err)
			}
			return NullValue, err
		}
		if !out.IsNull() && (out.Kind != ret.Kind || ret.Len > 0 || out.Kind == Decimal) {
			if out, err = castValue(out, ret); err != nil {
				return NullValue, errAt(n, "%s: %v", name, err)
			}
		}
		return out, nil
	}}, nil
}

func constFormat(x expr) (*datefmt.Format, error) {
	if x.konst == nil || x.konst.IsNull() {
		return nil, nil
	}
	return datefmt.Parse(x.konst.S)
}

func (c *compiler) charTo(n *parser.FuncCall) (expr, error) {
	a, err := c.args(n, isStr, isStr)
	if err != nil {
		return expr{}, err
	}
	df, err := constFormat(a[0])
	if err != nil {
		return expr{}, errAt(n.Args[0], "%v", err)
	}
	kind := map[string]Kind{"CHAR_TO_TIMESTAMP": Timestamp, "CHAR_TO_DATE": Date, "CHAR_TO_TIME": Time}[n.Name.Name]
	return strictCall(n, a, Type{Kind: kind}, func(v []Value) (Value, error) {
		f := df
		if f == nil {
			var err error
			if f, err = datefmt.Parse(v[0].S); err != nil {
				return NullValue, err
			}
		}
		t, err := f.Parse(v[1].S)
		if err != nil {
			return NullValue, err
		}
		ms := t.UnixMilli()
		switch kind {
		case Date:
			return Value{Kind: Date, I: floorDiv(ms, msPerDay)}, nil
		case Time:
			return Value{Kind: Time, I: floorMod(ms, msPerDay)}, nil
		}
		return TimestampMillis(ms), nil
	}), nil
}

// initcap upper-cases the first character of each space-delimited word
// and lower-cases the others, as the reference defines INITCAP (so in
// "3a-b" only the "3" starts a word).
func initcap(s string) string {
	rs := []rune(s)
	start := true
	for i, r := range rs {
		switch {
		case r == ' ':
			start = true
			continue
		case start:
			rs[i] = unicode.ToUpper(r)
		default:
			rs[i] = unicode.ToLower(r)
		}
		start = false
	}
	return string(rs)
}

// javaReplacement converts a java.util.regex replacement ($1, \$) to Go's
// Expand template syntax.
func javaReplacement(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 >= len(s) {
				return "", fmt.Errorf("character to be escaped is missing")
			}
			i++
			if s[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(s[i])
			}
		case '$':
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j == i+1 {
				return "", fmt.Errorf("illegal group reference")
			}
			b.WriteString("${" + s[i+1:j] + "}")
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func (c *compiler) regexReplace(n *parser.FuncCall) (expr, error) {
	a, err := c.args(n, isStr, isStr, isStr, isInt, isInt)
	if err != nil {
		return expr{}, err
	}
	cache := &regexCache{}
	return strictCall(n, a, Type{Kind: Varchar, Len: 65535}, func(v []Value) (Value, error) {
		orig := []rune(v[0].S)
		start, occ := v[3].I, v[4].I
		if start < 1 {
			return NullValue, fmt.Errorf("REGEX_REPLACE startPosition %d is less than 1", start)
		}
		if occ < 0 {
			return NullValue, fmt.Errorf("REGEX_REPLACE occurrence %d is negative", occ)
		}
		if start > int64(len(orig)) {
			return Str(v[0].S), nil
		}
		re, err := cache.get(v[1].S)
		if err != nil {
			return NullValue, err
		}
		tmpl, err := javaReplacement(v[2].S)
		if err != nil {
			return NullValue, err
		}
		head, tail := string(orig[:start-1]), string(orig[start-1:])
		var b []byte
		last, count := 0, int64(0)
		for _, m := range re.FindAllStringSubmatchIndex(tail, -1) {
			count++
			if occ != 0 && count != occ {
				continue
			}
			b = append(b, tail[last:m[0]]...)
			b = re.ExpandString(b, tmpl, tail, m)
			last = m[1]
			if occ != 0 {
				break
			}
		}
		b = append(b, tail[last:]...)
		return Str(head + string(b)), nil
	}), nil
}

// substring is SUBSTRING(x FROM a [FOR b]) (positions in characters,
// 1-based, as the standard defines them for out-of-range starts) and
// SUBSTRING(x SIMILAR p ESCAPE e).
func (c *compiler) substring(n *parser.Substring) (expr, error) {
	if n.Similar {
		return c.substringSimilar(n)
	}
	if from, err := c.compile(n.From); err == nil && from.t.Kind.IsString() {
		return c.substringRegex(n)
	}
	parts := []parser.Expr{n.X, n.From}
	checks := []argCheck{func(k Kind) bool { return isStr(k) || k == Varbinary }, isInt}
	if n.For != nil {
		parts = append(parts, n.For)
		checks = append(checks, isInt)
	}
	a, err := c.args(&parser.FuncCall{Pos: n.Pos, Name: parser.Ident{Name: "SUBSTRING"}, Args: parts}, checks...)
	if err != nil {
		return expr{}, err
	}
	t := Type{Kind: Varchar, Len: a[0].t.Len}
	if a[0].t.Kind == Varbinary {
		t.Kind = Varbinary
	}
	return strictCall(n, a, t, func(v []Value) (Value, error) {
		var rs []rune
		bin := v[0].Kind == Varbinary
		size := int64(len(v[0].S))
		if !bin {
			rs = []rune(v[0].S)
			size = int64(len(rs))
		}
		s := v[1].I
		e := int64(math.MaxInt64)
		if len(v) == 3 {
			if v[2].I < 0 {
				return NullValue, fmt.Errorf("substring error: negative length %d", v[2].I)
			}
			if s > 0 && v[2].I > math.MaxInt64-s {
				e = math.MaxInt64
			} else {
				e = s + v[2].I
			}
		}
		lo, hi := max(s, 1), min(e, size+1)
		if hi <= lo {
			return Value{Kind: t.Kind}, nil
		}
		if bin {
			return Value{Kind: Varbinary, S: v[0].S[lo-1 : hi-1]}, nil
		}
		return Str(string(rs[lo-1 : hi-1])), nil
	}), nil
}

func (c *compiler) trim(n *parser.TrimExpr) (expr, error) {
	parts := []parser.Expr{n.X}
	checks := []argCheck{isStr}
	if n.Chars != nil {
		parts = append(parts, n.Chars)
		checks = append(checks, isStr)
	}
	a, err := c.args(&parser.FuncCall{Pos: n.Pos, Name: parser.Ident{Name: "TRIM"}, Args: parts}, checks...)
	if err != nil {
		return expr{}, err
	}
	side := n.Side
	if side == "" {
		side = "BOTH"
	}
	return strictCall(n, a, Type{Kind: Varchar, Len: a[0].t.Len}, func(v []Value) (Value, error) {
		ch := " "
		if len(v) == 2 {
			if len([]rune(v[1].S)) != 1 {
				return NullValue, fmt.Errorf("invalid trim character '%s': it must be one character", v[1].S)
			}
			ch = v[1].S
		}
		s := v[0].S
		if side != "TRAILING" {
			for strings.HasPrefix(s, ch) {
				s = s[len(ch):]
			}
		}
		if side != "LEADING" {
			for strings.HasSuffix(s, ch) {
				s = s[:len(s)-len(ch)]
			}
		}
		return Str(s), nil
	}), nil
}

func (c *compiler) position(n *parser.PositionExpr) (expr, error) {
	a, err := c.args(&parser.FuncCall{Pos: n.Pos, Name: parser.Ident{Name: "POSITION"}, Args: []parser.Expr{n.Sub, n.X}}, isStr, isStr)
	if err != nil {
		return expr{}, err
	}
	return strictCall(n, a, Type{Kind: Integer}, func(v []Value) (Value, error) {
		i := strings.Index(v[1].S, v[0].S)
		if i < 0 {
			return Int(0), nil
		}
		return Int(int64(len([]rune(v[1].S[:i]))) + 1), nil
	}), nil
}

func (c *compiler) overlay(n *parser.OverlayExpr) (expr, error) {
	parts := []parser.Expr{n.X, n.With, n.From}
	checks := []argCheck{isStr, isStr, isInt}
	if n.For != nil {
		parts = append(parts, n.For)
		checks = append(checks, isInt)
	}
	a, err := c.args(&parser.FuncCall{Pos: n.Pos, Name: parser.Ident{Name: "OVERLAY"}, Args: parts}, checks...)
	if err != nil {
		return expr{}, err
	}
	return strictCall(n, a, Type{Kind: Varchar}, func(v []Value) (Value, error) {
		x, w := []rune(v[0].S), []rune(v[1].S)
		start := v[2].I
		var prefix []rune
		if start < 1 {
			// The reference's deviation from SQL:2008: (1 - start)
			// characters of the replacement are prepended and the rest
			// overlaid from position 1.
			k := min(1-start, int64(len(w)))
			prefix, w = w[:k], w[k:]
		}
		length := int64(len(w))
		if len(v) == 4 {
			if v[3].I < 0 {
				return NullValue, fmt.Errorf("OVERLAY length %d is negative", v[3].I)
			}
			length = v[3].I
			if start < 1 {
				length = max(0, length-(1-start))
			}
		}
		if start < 1 {
			start = 1
		}
		// OVERLAY(x PLACING w FROM s FOR l) = SUBSTRING(x FROM 1 FOR s-1) || w || SUBSTRING(x FROM s+l).
		head := x[:min(start-1, int64(len(x)))]
		var tail []rune
		if end := start - 1 + length; end < int64(len(x)) {
			tail = x[end:]
		}
		return Str(string(prefix) + string(head) + string(w) + string(tail)), nil
	}), nil
}

// substringSimilar is SUBSTRING(x SIMILAR p ESCAPE e).
func (c *compiler) substringSimilar(n *parser.Substring) (expr, error) {
	parts := []parser.Expr{n.X, n.From}
	if n.Escape == nil {
		return expr{}, errAt(n, "SUBSTRING(x SIMILAR p) needs ESCAPE")
	}
	parts = append(parts, n.Escape)
	a, err := c.args(&parser.FuncCall{Pos: n.Pos, Name: parser.Ident{Name: "SUBSTRING"}, Args: parts}, isStr, isStr, isStr)
	if err != nil {
		return expr{}, err
	}
	cache := &regexCache{}
	return strictCall(n, a, Type{Kind: Varchar, Len: a[0].t.Len}, func(v []Value) (Value, error) {
		esc, err := escapeRune(v[2])
		if err != nil {
			return NullValue, err
		}
		src, err := SubstringSimilarRegexp(v[1].S, esc)
		if err != nil {
			return NullValue, err
		}
		re, err := cache.get(src)
		if err != nil {
			return NullValue, err
		}
		m := re.FindStringSubmatch(v[0].S)
		if m == nil {
			return NullValue, nil
		}
		return Str(m[1]), nil
	}), nil
}

// substringRegex is SUBSTRING(x FROM regex [FOR length]), the reference's
// regular-expression form: the first match of the (Java-style) regular
// expression, at most length characters of it.
func (c *compiler) substringRegex(n *parser.Substring) (expr, error) {
	parts := []parser.Expr{n.X, n.From}
	checks := []argCheck{isStr, isStr}
	if n.For != nil {
		parts = append(parts, n.For)
		checks = append(checks, isInt)
	}
	a, err := c.args(&parser.FuncCall{Pos: n.Pos, Name: parser.Ident{Name: "SUBSTRING"}, Args: parts}, checks...)
	if err != nil {
		return expr{}, err
	}
	cache := &regexCache{}
	return strictCall(n, a, Type{Kind: Varchar, Len: a[0].t.Len}, func(v []Value) (Value, error) {
		re, err := cache.get(v[1].S)
		if err != nil {
			return NullValue, err
		}
		m := re.FindString(v[0].S)
		if m == "" && !re.MatchString(v[0].S) {
			return NullValue, nil
		}
		if len(v) == 3 {
			if v[2].I < 0 {
				return NullValue, fmt.Errorf("substring error: negative length %d", v[2].I)
			}
			if rs := []rune(m); int64(len(rs)) > v[2].I {
				m = string(rs[:v[2].I])
			}
		}
		return Str(m), nil
	}), nil
}

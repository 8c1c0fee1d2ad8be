package eval

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/runtime/sql/parser"
)

// Row is one row of values, indexed as the Scope's columns.
type Row []Value

// Evaluator computes an expression's value over a row.
type Evaluator func(row Row) (Value, error)

// Column is a column visible to an expression. Qualifier is the stream or
// correlation name ("" when the column cannot be qualified). Names are
// compared exactly: the parser upper-cases unquoted identifiers, so
// unquoted references match columns declared unquoted, and quoted ones
// match exactly.
type Column struct {
	Qualifier string
	Name      string
	Type      Type
}

// Scope resolves column references and carries the evaluation context.
type Scope struct {
	Columns []Column
	// Clock answers the time the query started: the reference sets
	// CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_DATE, CURRENT_TIME and
	// LOCALTIME once, when the query first executes, so the planner should
	// answer a constant. nil means the time of Compile.
	Clock func() time.Time
	// RowTime answers CURRENT_ROW_TIMESTAMP, the one that differs per row
	// (the time the row is processed); nil means time.Now at evaluation.
	RowTime func() time.Time
	// Subst, when set, is asked about every expression before it is
	// compiled: ok means the expression has already been computed and is
	// read from column col of the row (a GROUP BY key, an aggregate or a
	// windowed call the planner computes itself).
	Subst func(e parser.Expr) (col int, ok bool)
	// Extern, when set, is asked about every expression after Subst: ok
	// means the planner compiles the expression itself (log-parser row
	// fields, LAG, ...); err is a compile error.
	Extern func(e parser.Expr) (ev Evaluator, t Type, ok bool, err error)
	// Funcs resolves functions the evaluator does not know (CREATE
	// FUNCTION, Wasm user functions) by name as the parser stores it.
	Funcs func(name string) (*Func, bool)
}

// Func is a user scalar function: SQL CREATE FUNCTION or an external
// (Wasm) function. Arguments are converted to Params before Call; the
// result is converted to Returns.
type Func struct {
	Params  []Type
	Returns Type
	// Call computes the result; args is only valid during the call.
	Call func(args []Value) (Value, error)
}

// Cast converts v to type t as CAST does (NULL stays NULL).
func Cast(v Value, t Type) (Value, error) { return castValue(v, t) }

// CastAllowed reports whether CAST from kind from to kind to is valid.
func CastAllowed(from, to Kind) bool { return castAllowed(from, to) }

// Error is a compile or evaluation error at an expression's position.
type Error struct {
	Line, Col int
	Msg       string
	Err       error // the cause, when there is one (ErrOverflow, ...)
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// Unwrap answers the cause.
func (e *Error) Unwrap() error { return e.Err }

func errAt(n parser.Node, format string, args ...any) error {
	p := n.Position()
	out := &Error{Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...)}
	for _, a := range args {
		if err, ok := a.(error); ok {
			out.Err = err
			break
		}
	}
	return out
}

// ErrOverflow is wrapped by arithmetic overflow errors at evaluation time.
var ErrOverflow = errors.New("numeric overflow")

// Resolve finds a column by its name parts (name, or qualifier.name).
func (s *Scope) Resolve(parts []parser.Ident) (int, Type, error) {
	var qual, name string
	switch len(parts) {
	case 1:
		name = parts[0].Name
	case 2:
		qual, name = parts[0].Name, parts[1].Name
	default:
		return 0, Type{}, fmt.Errorf("column reference with %d parts is not supported", len(parts))
	}
	found := -1
	for i, c := range s.Columns {
		if c.Name != name || (qual != "" && c.Qualifier != qual) {
			continue
		}
		if found >= 0 {
			return 0, Type{}, fmt.Errorf("column %s is ambiguous", name)
		}
		found = i
	}
	if found < 0 {
		if qual != "" {
			return 0, Type{}, fmt.Errorf("column %s.%s not found", qual, name)
		}
		return 0, Type{}, fmt.Errorf("column %s not found", name)
	}
	return found, s.Columns[found].Type, nil
}

// expr is a compiled expression: its static type and its evaluator.
type expr struct {
	t    Type
	eval Evaluator
	// konst is set when the expression is a literal (patterns and formats
	// are precompiled then).
	konst *Value
}

// Compile type-checks e against scope and returns its evaluator and type.
// Errors carry the line:col of the offending node.
func Compile(e parser.Expr, scope *Scope) (Evaluator, Type, error) {
	if scope == nil {
		scope = &Scope{}
	}
	c := compiler{scope: scope}
	x, err := c.compile(e)
	if err != nil {
		return nil, Type{}, err
	}
	return x.eval, x.t, nil
}

type compiler struct{ scope *Scope }

func constant(v Value, t Type) expr {
	vv := v
	return expr{t: t, konst: &vv, eval: func(Row) (Value, error) { return vv, nil }}
}

func (c *compiler) compile(e parser.Expr) (expr, error) {
	if c.scope.Subst != nil {
		if i, ok := c.scope.Subst(e); ok {
			if i < 0 || i >= len(c.scope.Columns) {
				return expr{}, errAt(e, "substituted column %d out of range", i)
			}
			t := c.scope.Columns[i].Type
			return expr{t: t, eval: func(r Row) (Value, error) {
				if i >= len(r) {
					return NullValue, fmt.Errorf("eval: row has %d columns, column %d wanted", len(r), i)
				}
				return r[i], nil
			}}, nil
		}
	}
	if c.scope.Extern != nil {
		ev, t, ok, err := c.scope.Extern(e)
		if err != nil {
			return expr{}, err
		}
		if ok {
			return expr{t: t, eval: ev}, nil
		}
	}
	switch n := e.(type) {
	case *parser.Literal:
		return c.literal(n)
	case *parser.TypedLiteral:
		v, err := parseDatetime(n.Type, n.Value)
		if err != nil {
			return expr{}, errAt(n, "%v", err)
		}
		return constant(v, Type{Kind: v.Kind, NotNull: true}), nil
	case *parser.IntervalLit:
		v, err := parseInterval(n.Value, n.Qualifier)
		if err != nil {
			return expr{}, errAt(n, "%v", err)
		}
		return constant(v, Type{Kind: v.Kind, Unit: v.Aux, NotNull: true}), nil
	case *parser.ColumnRef:
		i, t, err := c.scope.Resolve(n.Parts)
		if err != nil {
			return expr{}, errAt(n, "%v", err)
		}
		return expr{t: t, eval: func(r Row) (Value, error) {
			if i >= len(r) {
				return NullValue, fmt.Errorf("eval: row has %d columns, column %d wanted", len(r), i)
			}
			return r[i], nil
		}}, nil
	case *parser.Unary:
		return c.unary(n)
	case *parser.Binary:
		return c.binary(n)
	case *parser.IsExpr:
		return c.isExpr(n)
	case *parser.Between:
		return c.between(n)
	case *parser.InExpr:
		return c.in(n)
	case *parser.LikeExpr:
		return c.like(n)
	case *parser.CaseExpr:
		return c.caseExpr(n)
	case *parser.CastExpr:
		x, err := c.compile(n.X)
		if err != nil {
			return expr{}, err
		}
		t, err := TypeOf(n.Type.Name, n.Type.Args)
		if err != nil {
			return expr{}, errAt(n, "%v", err)
		}
		return c.cast(n, x, t)
	case *parser.FuncCall:
		return c.call(n)
	case *parser.StepExpr:
		return c.step(n)
	case *parser.FloorCeil:
		return c.floorCeilTo(n)
	case *parser.Substring:
		return c.substring(n)
	case *parser.TrimExpr:
		return c.trim(n)
	case *parser.PositionExpr:
		return c.position(n)
	case *parser.OverlayExpr:
		return c.overlay(n)
	case *parser.ExtractExpr:
		return c.extract(n)
	case *parser.Niladic:
		return c.niladic(n)
	case *parser.IntervalCast:
		return c.intervalCast(n)
	}
	return expr{}, errAt(e, "%s is not a scalar expression the evaluator supports", describeNode(e))
}

func describeNode(e parser.Expr) string {
	s := fmt.Sprintf("%T", e)
	return strings.TrimPrefix(s, "*parser.")
}

func (c *compiler) literal(n *parser.Literal) (expr, error) {
	switch n.Kind {
	case parser.LitNull:
		return constant(NullValue, Type{Kind: Null}), nil
	case parser.LitBool:
		return constant(Bool(n.Value == "TRUE"), Type{Kind: Boolean, NotNull: true}), nil
	case parser.LitString:
		return constant(Value{Kind: Char, S: n.Value}, Type{Kind: Char, Len: len([]rune(n.Value)), NotNull: true}), nil
	}
	v, err := parseNumber(n.Value)
	if err != nil {
		return expr{}, errAt(n, "%v", err)
	}
	t := Type{Kind: v.Kind, NotNull: true}
	if v.Kind == Decimal {
		t.Len, t.Scale = 18, int(v.Aux)
	}
	return constant(v, t), nil
}

// parseNumber types a numeric literal as SQL does: integers are INTEGER (or
// BIGINT when too large), with a point DECIMAL, with an exponent DOUBLE.
func parseNumber(s string) (Value, error) {
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return NullValue, fmt.Errorf("invalid number %s", s)
		}
		return DoubleValue(f), nil
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		frac := s[i+1:]
		u, err := strconv.ParseInt(s[:i]+frac, 10, 64)
		if err != nil || len(frac) > 18 {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return NullValue, fmt.Errorf("invalid number %s", s)
			}
			return DoubleValue(f), nil
		}
		return DecimalValue(u, int8(len(frac))), nil
	}
	u, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return NullValue, fmt.Errorf("numeric literal %s out of range", s)
	}
	if u > math.MaxInt32 {
		return BigIntValue(u), nil
	}
	return Int(u), nil
}

func (c *compiler) unary(n *parser.Unary) (expr, error) {
	x, err := c.compile(n.X)
	if err != nil {
		return expr{}, err
	}
	switch n.Op {
	case "NOT":
		if x.t.Kind != Boolean && x.t.Kind != Null {
			return expr{}, errAt(n, "NOT needs a BOOLEAN operand, not %s", x.t)
		}
		return expr{t: Type{Kind: Boolean}, eval: func(r Row) (Value, error) {
			v, err := x.eval(r)
			if err != nil || v.IsNull() {
				return v, err
			}
			return Bool(v.I == 0), nil
		}}, nil
	case "+":
		if !x.t.Kind.IsNumeric() && !x.t.Kind.IsInterval() && x.t.Kind != Null {
			return expr{}, errAt(n, "unary + needs a number, not %s", x.t)
		}
		return x, nil
	case "-":
		if !x.t.Kind.IsNumeric() && !x.t.Kind.IsInterval() && x.t.Kind != Null {
			return expr{}, errAt(n, "unary - needs a number or interval, not %s", x.t)
		}
		return expr{t: x.t, eval: func(r Row) (Value, error) {
			v, err := x.eval(r)
			if err != nil || v.IsNull() {
				return v, err
			}
			switch {
			case v.Kind == Real || v.Kind == Double:
				v.F = -v.F
			default:
				lo, _ := intRange(v.Kind)
				if v.I == lo && v.Kind != Decimal && !v.Kind.IsInterval() || v.I == math.MinInt64 {
					return NullValue, errAt(n, "%s: -%s", ErrOverflow, v)
				}
				v.I = -v.I
			}
			return v, nil
		}}, nil
	}
	return expr{}, errAt(n, "unknown unary operator %s", n.Op)
}

func (c *compiler) binary(n *parser.Binary) (expr, error) {
	l, err := c.compile(n.L)
	if err != nil {
		return expr{}, err
	}
	r, err := c.compile(n.R)
	if err != nil {
		return expr{}, err
	}
	switch n.Op {
	case "AND", "OR":
		for _, x := range []expr{l, r} {
			if x.t.Kind != Boolean && x.t.Kind != Null {
				return expr{}, errAt(n, "%s needs BOOLEAN operands, not %s", n.Op, x.t)
			}
		}
		and := n.Op == "AND"
		return expr{t: Type{Kind: Boolean}, eval: func(row Row) (Value, error) {
			a, err := l.eval(row)
			if err != nil {
				return a, err
			}
			// Short-circuit: FALSE AND x is FALSE, TRUE OR x is TRUE.
			if !a.IsNull() && (a.I != 0) != and {
				return a, nil
			}
			b, err := r.eval(row)
			if err != nil {
				return b, err
			}
			if !b.IsNull() && (b.I != 0) != and {
				return b, nil
			}
			if a.IsNull() || b.IsNull() {
				return NullValue, nil
			}
			return Bool(and), nil
		}}, nil
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		if err := comparable(l.t, r.t); err != nil {
			return expr{}, errAt(n, "%v", err)
		}
		op := n.Op
		return expr{t: Type{Kind: Boolean}, eval: func(row Row) (Value, error) {
			a, err := l.eval(row)
			if err != nil {
				return a, err
			}
			b, err := r.eval(row)
			if err != nil || a.IsNull() || b.IsNull() {
				return NullValue, err
			}
			cmp, err := Compare(a, b)
			if err != nil {
				return NullValue, errAt(n, "%v", err)
			}
			return Bool(cmpHolds(op, cmp)), nil
		}}, nil
	case "||":
		return c.concat(n, l, r)
	case "+", "-", "*", "/", "%":
		return c.arith(n, n.Op, l, r)
	}
	return expr{}, errAt(n, "unknown operator %s", n.Op)
}

func cmpHolds(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "<>", "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// comparable checks statically that values of a and b can be compared.
func comparable(a, b Type) error {
	x, y := a.Kind, b.Kind
	switch {
	case x == Null || y == Null:
	case x.IsNumeric() && y.IsNumeric():
	case x.IsString() && y.IsString():
	case x == y:
	case (x == Date && y == Timestamp) || (x == Timestamp && y == Date):
	default:
		return fmt.Errorf("cannot compare %s with %s", a, b)
	}
	return nil
}

func (c *compiler) concat(n *parser.Binary, l, r expr) (expr, error) {
	okKind := func(k Kind) bool { return k == Null || k.IsString() || k == Varbinary }
	if !okKind(l.t.Kind) || !okKind(r.t.Kind) || (l.t.Kind == Varbinary) != (r.t.Kind == Varbinary) && l.t.Kind != Null && r.t.Kind != Null {
		return expr{}, errAt(n, "|| needs two character strings or two binary strings, not %s and %s", l.t, r.t)
	}
	kind := Varchar
	if l.t.Kind == Varbinary || r.t.Kind == Varbinary {
		kind = Varbinary
	} else if l.t.Kind == Char && r.t.Kind == Char {
		kind = Char
	}
	t := Type{Kind: kind}
	if l.t.Len > 0 && r.t.Len > 0 {
		t.Len = l.t.Len + r.t.Len
	}
	return expr{t: t, eval: func(row Row) (Value, error) {
		a, err := l.eval(row)
		if err != nil {
			return a, err
		}
		b, err := r.eval(row)
		if err != nil || a.IsNull() || b.IsNull() {
			return NullValue, err
		}
		return Value{Kind: kind, S: a.S + b.S}, nil
	}}, nil
}

// numericResult is the type of arithmetic on two numeric types: the wider
// integer kind; DECIMAL when either is DECIMAL and neither approximate;
// REAL for two REALs (or REAL and an exact type); DOUBLE otherwise.
func numericResult(a, b Kind) Kind {
	if a == Null {
		a = b
	}
	if b == Null {
		b = a
	}
	switch {
	case a == Double || b == Double:
		return Double
	case a == Real || b == Real:
		return Real
	case a == Decimal || b == Decimal:
		return Decimal
	}
	return max(a, b, TinyInt)
}

func (c *compiler) arith(n parser.Node, op string, l, r expr) (expr, error) {
	lk, rk := l.t.Kind, r.t.Kind
	if (lk.IsNumeric() || lk == Null) && (rk.IsNumeric() || rk == Null) {
		k := numericResult(lk, rk)
		if lk == Null && rk == Null {
			k = Integer
		}
		t := Type{Kind: k}
		if k == Decimal {
			t.Len, t.Scale = 18, decimalScale(op, l.t, r.t)
		}
		return binaryNull(l, r, t, func(a, b Value) (Value, error) {
			v, err := numArith(op, k, t.Scale, a, b)
			if err != nil {
				return v, errAt(n, "%v", err)
			}
			return v, nil
		}), nil
	}
	// Datetime and interval arithmetic.
	switch {
	case (op == "+" || op == "-") && lk.IsDatetime() && rk.IsInterval():
		return binaryNull(l, r, l.t, func(a, b Value) (Value, error) { return addInterval(a, b, op == "-") }), nil
	case op == "+" && lk.IsInterval() && rk.IsDatetime():
		return binaryNull(l, r, r.t, func(a, b Value) (Value, error) { return addInterval(b, a, false) }), nil
	case (op == "+" || op == "-") && lk.IsInterval() && lk == rk:
		t := l.t
		t.Unit = max(l.t.Unit, r.t.Unit)
		return binaryNull(l, r, t, func(a, b Value) (Value, error) {
			if op == "-" {
				b.I = -b.I
			}
			s, ok := add64(a.I, b.I)
			if !ok {
				return NullValue, errAt(n, "%v: interval arithmetic", ErrOverflow)
			}
			return Value{Kind: a.Kind, Aux: t.Unit, I: s}, nil
		}), nil
	case (op == "*" || op == "/") && lk.IsInterval() && rk.IsNumeric(),
		op == "*" && lk.IsNumeric() && rk.IsInterval():
		iv, swap := l, false
		if rk.IsInterval() {
			iv, swap = r, true
		}
		return binaryNull(l, r, iv.t, func(a, b Value) (Value, error) {
			if swap {
				a, b = b, a
			}
			f := b.Float()
			var x float64
			if op == "*" {
				x = float64(a.I) * f
			} else {
				if f == 0 {
					return NullValue, errAt(n, "division by zero")
				}
				x = float64(a.I) / f
			}
			if math.IsNaN(x) || math.Abs(x) > 9e18 {
				return NullValue, errAt(n, "%v: interval arithmetic", ErrOverflow)
			}
			if op == "/" {
				// Intervals are whole milliseconds; division truncates as
				// integer division does (so (ROWTIME - epoch) SECOND / 10
				// steps exactly every 10 seconds).
				return Value{Kind: a.Kind, Aux: a.Aux, I: int64(math.Trunc(x))}, nil
			}
			return Value{Kind: a.Kind, Aux: a.Aux, I: int64(math.Round(x))}, nil
		}), nil
	case op == "-" && lk.IsDatetime() && lk == rk:
		return expr{}, errAt(n, "subtracting %s values needs an interval qualifier: (a - b) DAY TO SECOND", lk)
	}
	return expr{}, errAt(n, "cannot apply %s to %s and %s", op, l.t, r.t)
}

func decimalScale(op string, a, b Type) int {
	sa, sb := scaleOf(a), scaleOf(b)
	switch op {
	case "*":
		return min(sa+sb, 18)
	case "/":
		return min(max(sa, sb, 6), 18)
	}
	return max(sa, sb)
}

func scaleOf(t Type) int {
	if t.Kind == Decimal {
		return t.Scale
	}
	return 0
}

// binaryNull builds an evaluator that answers NULL when either operand is
// NULL and f otherwise.
func binaryNull(l, r expr, t Type, f func(a, b Value) (Value, error)) expr {
	return expr{t: t, eval: func(row Row) (Value, error) {
		a, err := l.eval(row)
		if err != nil {
			return a, err
		}
		b, err := r.eval(row)
		if err != nil || a.IsNull() || b.IsNull() {
			return NullValue, err
		}
		return f(a, b)
	}}
}

func add64(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0) || b == 0
}

func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

func numArith(op string, k Kind, scale int, a, b Value) (Value, error) {
	switch k {
	case Real, Double:
		x, y := a.Float(), b.Float()
		var f float64
		switch op {
		case "+":
			f = x + y
		case "-":
			f = x - y
		case "*":
			f = x * y
		case "/":
			if y == 0 {
				return NullValue, errors.New("division by zero")
			}
			f = x / y
		case "%":
			if y == 0 {
				return NullValue, errors.New("division by zero")
			}
			f = math.Mod(x, y)
		}
		if k == Real {
			return RealValue(f), nil
		}
		return DoubleValue(f), nil
	case Decimal:
		if v, ok := decArithFast(op, a, b, scale); ok {
			return v, nil
		}
		x, y := a.bigRat(), b.bigRat()
		z := new(big.Rat)
		switch op {
		case "+":
			z.Add(x, y)
		case "-":
			z.Sub(x, y)
		case "*":
			z.Mul(x, y)
		case "/", "%":
			if y.Sign() == 0 {
				return NullValue, errors.New("division by zero")
			}
			z.Quo(x, y)
			if op == "%" {
				q := new(big.Int).Quo(z.Num(), z.Denom())
				z.Sub(x, new(big.Rat).Mul(new(big.Rat).SetInt(q), y))
			}
		}
		return ratToDecimal(z, scale)
	}
	x, y := a.I, b.I
	var v int64
	ok := true
	switch op {
	case "+":
		v, ok = add64(x, y)
	case "-":
		if y == math.MinInt64 {
			ok = false
		} else {
			v, ok = add64(x, -y)
		}
	case "*":
		v, ok = mul64(x, y)
	case "/", "%":
		if y == 0 {
			return NullValue, errors.New("division by zero")
		}
		if x == math.MinInt64 && y == -1 {
			ok = false
		} else if op == "/" {
			v = x / y
		} else {
			v = x % y
		}
	}
	lo, hi := intRange(k)
	if !ok || v < lo || v > hi {
		return NullValue, fmt.Errorf("%w: %s %s %s overflows %s", ErrOverflow, a, op, b, k)
	}
	return Value{Kind: k, I: v}, nil
}

// ratToDecimal rounds r half away from zero to scale digits.
func ratToDecimal(r *big.Rat, scale int) (Value, error) {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	x := new(big.Rat).Mul(r, new(big.Rat).SetInt(p))
	num, den := x.Num(), x.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2)).Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() || q.CmpAbs(big.NewInt(999999999999999999)) > 0 {
		return NullValue, fmt.Errorf("%w: DECIMAL value out of range", ErrOverflow)
	}
	return DecimalValue(q.Int64(), int8(scale)), nil
}

func (c *compiler) isExpr(n *parser.IsExpr) (expr, error) {
	x, err := c.compile(n.X)
	if err != nil {
		return expr{}, err
	}
	if n.What != "NULL" && x.t.Kind != Boolean && x.t.Kind != Null {
		return expr{}, errAt(n, "IS %s needs a BOOLEAN operand, not %s", n.What, x.t)
	}
	what, not := n.What, n.Not
	return expr{t: Type{Kind: Boolean, NotNull: true}, eval: func(r Row) (Value, error) {
		v, err := x.eval(r)
		if err != nil {
			return NullValue, err
		}
		var b bool
		switch what {
		case "NULL", "UNKNOWN":
			b = v.IsNull()
		case "TRUE":
			b = !v.IsNull() && v.I != 0
		case "FALSE":
			b = !v.IsNull() && v.I == 0
		}
		return Bool(b != not), nil
	}}, nil
}

func (c *compiler) between(n *parser.Between) (expr, error) {
	x, err := c.compile(n.X)
	if err != nil {
		return expr{}, err
	}
	lo, err := c.compile(n.Lo)
	if err != nil {
		return expr{}, err
	}
	hi, err := c.compile(n.Hi)
	if err != nil {
		return expr{}, err
	}
	for _, y := range []expr{lo, hi} {
		if err := comparable(x.t, y.t); err != nil {
			return expr{}, errAt(n, "%v", err)
		}
	}
	not := n.Not
	return expr{t: Type{Kind: Boolean}, eval: func(r Row) (Value, error) {
		v, err := x.eval(r)
		if err != nil {
			return v, err
		}
		a, err := lo.eval(r)
		if err != nil {
			return a, err
		}
		b, err := hi.eval(r)
		if err != nil {
			return b, err
		}
		// x BETWEEN a AND b is x >= a AND x <= b, in three-valued logic.
		ge, le := tri(v, a, func(c int) bool { return c >= 0 }), tri(v, b, func(c int) bool { return c <= 0 })
		res := and3(ge, le)
		if not {
			res = not3(res)
		}
		return res, nil
	}}, nil
}

func tri(a, b Value, f func(int) bool) Value {
	if a.IsNull() || b.IsNull() {
		return NullValue
	}
	c, err := Compare(a, b)
	if err != nil {
		return NullValue
	}
	return Bool(f(c))
}

func and3(a, b Value) Value {
	if (!a.IsNull() && a.I == 0) || (!b.IsNull() && b.I == 0) {
		return Bool(false)
	}
	if a.IsNull() || b.IsNull() {
		return NullValue
	}
	return Bool(true)
}

func not3(a Value) Value {
	if a.IsNull() {
		return a
	}
	return Bool(a.I == 0)
}

func (c *compiler) in(n *parser.InExpr) (expr, error) {
	if n.Query != nil {
		return expr{}, errAt(n, "IN (subquery) is not a scalar expression the evaluator supports")
	}
	x, err := c.compile(n.X)
	if err != nil {
		return expr{}, err
	}
	list := make([]expr, len(n.List))
	for i, e := range n.List {
		if list[i], err = c.compile(e); err != nil {
			return expr{}, err
		}
		if err := comparable(x.t, list[i].t); err != nil {
			return expr{}, errAt(e, "%v", err)
		}
	}
	not := n.Not
	return expr{t: Type{Kind: Boolean}, eval: func(r Row) (Value, error) {
		v, err := x.eval(r)
		if err != nil || v.IsNull() {
			return NullValue, err
		}
		sawNull := false
		for _, e := range list {
			w, err := e.eval(r)
			if err != nil {
				return w, err
			}
			if w.IsNull() {
				sawNull = true
				continue
			}
			if c, err := Compare(v, w); err == nil && c == 0 {
				return Bool(!not), nil
			}
		}
		if sawNull {
			return NullValue, nil
		}
		return Bool(not), nil
	}}, nil
}

func (c *compiler) caseExpr(n *parser.CaseExpr) (expr, error) {
	var op expr
	var err error
	if n.Operand != nil {
		if op, err = c.compile(n.Operand); err != nil {
			return expr{}, err
		}
	}
	conds := make([]expr, len(n.Whens))
	results := make([]expr, len(n.Whens), len(n.Whens)+1)
	for i, w := range n.Whens {
		if conds[i], err = c.compile(w.Cond); err != nil {
			return expr{}, err
		}
		if n.Operand != nil {
			if err := comparable(op.t, conds[i].t); err != nil {
				return expr{}, errAt(w.Cond, "%v", err)
			}
		} else if conds[i].t.Kind != Boolean && conds[i].t.Kind != Null {
			return expr{}, errAt(w.Cond, "WHEN condition must be BOOLEAN, not %s", conds[i].t)
		}
		if results[i], err = c.compile(w.Result); err != nil {
			return expr{}, err
		}
	}
	var els *expr
	if n.Else != nil {
		e, err := c.compile(n.Else)
		if err != nil {
			return expr{}, err
		}
		els = &e
		results = append(results, e)
	}
	t, err := commonType(results)
	if err != nil {
		return expr{}, errAt(n, "CASE results: %v", err)
	}
	hasOp := n.Operand != nil
	return expr{t: t, eval: func(r Row) (Value, error) {
		var ov Value
		if hasOp {
			var err error
			if ov, err = op.eval(r); err != nil {
				return ov, err
			}
		}
		for i, cnd := range conds {
			v, err := cnd.eval(r)
			if err != nil {
				return v, err
			}
			hit := false
			if hasOp {
				if !ov.IsNull() && !v.IsNull() {
					cmp, err := Compare(ov, v)
					hit = err == nil && cmp == 0
				}
			} else {
				hit = !v.IsNull() && v.I != 0
			}
			if hit {
				v, err := results[i].eval(r)
				if err != nil {
					return v, err
				}
				return coerce(v, t)
			}
		}
		if els == nil {
			return NullValue, nil
		}
		v, err := els.eval(r)
		if err != nil {
			return v, err
		}
		return coerce(v, t)
	}}, nil
}

// commonType is the type CASE and COALESCE results are converted to.
func commonType(xs []expr) (Type, error) {
	t := Type{Kind: Null}
	for _, x := range xs {
		u := x.t
		switch {
		case u.Kind == Null:
		case t.Kind == Null:
			t = u
		case t.Kind.IsNumeric() && u.Kind.IsNumeric():
			k := numericResult(t.Kind, u.Kind)
			if k == Decimal {
				t = Type{Kind: Decimal, Len: 18, Scale: max(scaleOf(t), scaleOf(u))}
			} else {
				t = Type{Kind: k}
			}
		case t.Kind.IsString() && u.Kind.IsString():
			if t.Kind != u.Kind || t.Len != u.Len {
				t = Type{Kind: Varchar, Len: max(t.Len, u.Len)}
			}
		case t.Kind == u.Kind:
		default:
			return Type{}, fmt.Errorf("incompatible types %s and %s", t, u)
		}
	}
	t.NotNull = false
	return t, nil
}

// coerce converts v to the common type t (numeric widening, CHAR to VARCHAR).
func coerce(v Value, t Type) (Value, error) {
	if v.IsNull() || v.Kind == t.Kind {
		if v.Kind == Decimal && t.Kind == Decimal && int(v.Aux) != t.Scale {
			if d, ok := decCastFast(v, t.Scale); ok {
				return d, nil
			}
			return ratToDecimal(v.bigRat(), t.Scale)
		}
		return v, nil
	}
	switch {
	case t.Kind.IsNumeric():
		return castValue(v, t)
	case t.Kind == Varchar && v.Kind == Char:
		v.Kind = Varchar
	}
	return v, nil
}

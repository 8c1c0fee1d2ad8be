package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/logparse"
	"github.com/kinesin/kinesin/runtime/sql/parser"
)

// walk calls f on e and, while f answers true, on its subexpressions (not
// into subqueries).
func walk(e parser.Expr, f func(parser.Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	switch n := e.(type) {
	case *parser.Unary:
		walk(n.X, f)
	case *parser.Binary:
		walk(n.L, f)
		walk(n.R, f)
	case *parser.IsExpr:
		walk(n.X, f)
	case *parser.Between:
		walk(n.X, f)
		walk(n.Lo, f)
		walk(n.Hi, f)
	case *parser.InExpr:
		walk(n.X, f)
		for _, x := range n.List {
			walk(x, f)
		}
	case *parser.LikeExpr:
		walk(n.X, f)
		walk(n.Pattern, f)
		walk(n.Escape, f)
	case *parser.CaseExpr:
		walk(n.Operand, f)
		for _, w := range n.Whens {
			walk(w.Cond, f)
			walk(w.Result, f)
		}
		walk(n.Else, f)
	case *parser.CastExpr:
		walk(n.X, f)
	case *parser.FuncCall:
		for _, a := range n.Args {
			walk(a, f)
		}
	case *parser.StepExpr:
		walk(n.X, f)
		walk(n.By, f)
	case *parser.FloorCeil:
		walk(n.X, f)
	case *parser.Substring:
		walk(n.X, f)
		walk(n.From, f)
		walk(n.For, f)
		walk(n.Escape, f)
	case *parser.TrimExpr:
		walk(n.Chars, f)
		walk(n.X, f)
	case *parser.OverlayExpr:
		walk(n.X, f)
		walk(n.With, f)
		walk(n.From, f)
		walk(n.For, f)
	case *parser.PositionExpr:
		walk(n.Sub, f)
		walk(n.X, f)
	case *parser.ExtractExpr:
		walk(n.X, f)
	case *parser.NamedArg:
		walk(n.Value, f)
	case *parser.FieldAccess:
		walk(n.X, f)
	case *parser.IntervalCast:
		walk(n.X, f)
	}
}

// isRowtime reports whether e is a reference to ROWTIME (qualified or not).
func isRowtime(e parser.Expr) bool {
	c, ok := e.(*parser.ColumnRef)
	return ok && len(c.Parts) > 0 && c.Parts[len(c.Parts)-1].Name == "ROWTIME"
}

// constValue evaluates an expression without column references, or answers nil.
func constValue(e parser.Expr) *eval.Value {
	cst := true
	walk(e, func(x parser.Expr) bool {
		switch x.(type) {
		case *parser.ColumnRef, *parser.Niladic, *parser.Star, *parser.SubqueryExpr:
			cst = false
		case *parser.FuncCall:
			if x.(*parser.FuncCall).Over != nil {
				cst = false
			}
		}
		return cst
	})
	if !cst {
		return nil
	}
	ev, _, err := eval.Compile(e, &eval.Scope{})
	if err != nil {
		return nil
	}
	v, err := ev(nil)
	if err != nil {
		return nil
	}
	return &v
}

func constInt(e parser.Expr, what string) (int64, error) {
	v := constValue(e)
	if v == nil || !v.Kind.IsNumeric() {
		return 0, errAt(e, "%s must be a constant number", what)
	}
	if v.Kind.IsInteger() {
		return v.I, nil
	}
	return int64(v.Float()), nil
}

func constFloat(e parser.Expr, what string) (float64, error) {
	v := constValue(e)
	if v == nil || !v.Kind.IsNumeric() {
		return 0, errAt(e, "%s must be a constant number", what)
	}
	return v.Float(), nil
}

// intervalMillis answers the length of a constant day-time interval.
func intervalMillis(e parser.Expr, what string) (int64, error) {
	v := constValue(e)
	if v == nil || v.Kind != eval.IntervalDayTime {
		return 0, errAt(e, "%s must be a constant day-time interval (INTERVAL '10' SECOND)", what)
	}
	if v.I <= 0 {
		return 0, errAt(e, "%s must be positive", what)
	}
	return v.I, nil
}

func constString(e parser.Expr, what string) (string, error) {
	v := constValue(e)
	if v == nil || !v.Kind.IsString() {
		return "", errAt(e, "%s must be a constant string", what)
	}
	return v.S, nil
}

// ---- log parsing functions: they answer a row (COLUMN1, ...) ----

var rowFuncs = map[string]bool{
	"REGEX_LOG_PARSE": true, "FAST_REGEX_LOG_PARSER": true, "FIXED_COLUMN_LOG_PARSE": true,
	"VARIABLE_COLUMN_LOG_PARSE": true, "SYS_LOG_PARSE": true, "W3C_LOG_PARSE": true,
}

func isRowFunc(e parser.Expr) (*parser.FuncCall, bool) {
	f, ok := e.(*parser.FuncCall)
	if ok && f.Over == nil && rowFuncs[f.Name.Name] {
		return f, true
	}
	return nil, false
}

// rowFunc is a compiled log-parsing call.
type rowFunc struct {
	call  *parser.FuncCall
	input eval.Evaluator
	cols  []logparse.Column
	types []eval.Type
	parse func(string) (*logparse.Row, error)
	// memo of the last parse, so that several fields of one call parse once.
	lastIn  string
	lastRow *logparse.Row
	lastErr error
	valid   bool
}

func compileRowFunc(n *parser.FuncCall, scope *eval.Scope) (*rowFunc, error) {
	name := n.Name.Name
	arg := func(i int) parser.Expr {
		if i < len(n.Args) {
			return n.Args[i]
		}
		return nil
	}
	str := func(i int, what string) (string, error) {
		if arg(i) == nil {
			return "", nil
		}
		return constString(arg(i), what)
	}
	if len(n.Args) == 0 {
		return nil, errAt(n, "%s needs arguments", name)
	}
	in, t, err := eval.Compile(n.Args[0], scope)
	if err != nil {
		return nil, err
	}
	if !t.Kind.IsString() && t.Kind != eval.Null {
		return nil, errAt(n.Args[0], "%s needs a character string to parse, not %s", name, t)
	}
	rf := &rowFunc{call: n, input: in}
	bad := func(err error) error { return errAt(n, "%s: %v", name, err) }
	nargs := func(lo, hi int) error {
		if len(n.Args) < lo || len(n.Args) > hi {
			return errAt(n, "%s takes %d to %d arguments, not %d", name, lo, hi, len(n.Args))
		}
		return nil
	}
	switch name {
	case "REGEX_LOG_PARSE", "FAST_REGEX_LOG_PARSER":
		if err := nargs(2, 3); err != nil {
			return nil, err
		}
		pat, err := str(1, "the pattern")
		if err != nil {
			return nil, err
		}
		cols, err := str(2, "the column list")
		if err != nil {
			return nil, err
		}
		if name == "REGEX_LOG_PARSE" {
			p, err := logparse.CompileRegexLogParse(pat, cols)
			if err != nil {
				return nil, bad(err)
			}
			rf.cols, rf.parse = p.Columns(), p.Parse
		} else {
			p, err := logparse.CompileFastRegexLogParse(pat, cols)
			if err != nil {
				return nil, bad(err)
			}
			rf.cols, rf.parse = p.Columns(), p.Parse
		}
	case "FIXED_COLUMN_LOG_PARSE":
		if err := nargs(2, 2); err != nil {
			return nil, err
		}
		spec, err := str(1, "the column descriptions")
		if err != nil {
			return nil, err
		}
		p, err := logparse.CompileFixedColumnLogParse(spec)
		if err != nil {
			return nil, bad(err)
		}
		rf.cols, rf.parse = p.Columns(), p.Parse
	case "VARIABLE_COLUMN_LOG_PARSE":
		if err := nargs(3, 5); err != nil {
			return nil, err
		}
		var cols string
		if v := constValue(arg(1)); v != nil && v.Kind.IsNumeric() {
			cols = strconv.FormatInt(int64(v.Float()), 10)
		} else if cols, err = str(1, "the columns"); err != nil {
			return nil, err
		}
		delim, err := str(2, "the delimiter")
		if err != nil {
			return nil, err
		}
		esc, err := str(3, "the escape character")
		if err != nil {
			return nil, err
		}
		quote, err := str(4, "the quote character")
		if err != nil {
			return nil, err
		}
		p, err := logparse.CompileVariableColumnLogParse(cols, delim, esc, quote)
		if err != nil {
			return nil, bad(err)
		}
		rf.cols, rf.parse = p.Columns(), p.Parse
	case "SYS_LOG_PARSE":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		r, _ := logparse.SysLogParse("Jan  1 00:00:00 x")
		if r != nil {
			rf.cols = r.Columns
		} else {
			rf.cols = []logparse.Column{{Name: "COLUMN1", Type: logparse.Type{Name: "TIMESTAMP"}}, {Name: "COLUMN2", Type: logparse.Varchar1024}}
		}
		rf.parse = logparse.SysLogParse
	case "W3C_LOG_PARSE":
		if err := nargs(2, 2); err != nil {
			return nil, err
		}
		f, err := str(1, "the log format")
		if err != nil {
			return nil, err
		}
		p, err := logparse.CompileW3CLogParse(f)
		if err != nil {
			return nil, bad(err)
		}
		rf.cols, rf.parse = p.Columns(), p.Parse
	}
	for _, c := range rf.cols {
		var args []int
		if c.Type.Precision > 0 {
			args = append(args, c.Type.Precision)
			if c.Type.Name == "DECIMAL" {
				args = append(args, c.Type.Scale)
			}
		}
		t, err := eval.TypeOf(c.Type.Name, args)
		if err != nil {
			t = eval.Type{Kind: eval.Varchar}
		}
		rf.types = append(rf.types, t)
	}
	return rf, nil
}

// field answers the index of a field of the row, or -1.
func (rf *rowFunc) field(name string) int {
	for i, c := range rf.cols {
		if c.Name == name {
			return i
		}
	}
	for i, c := range rf.cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// eval parses the row's input (once per distinct input in a row) and
// answers the parsed row, nil for NULL.
func (rf *rowFunc) eval(row eval.Row) (*logparse.Row, error) {
	v, err := rf.input(row)
	if err != nil {
		return nil, err
	}
	if v.IsNull() {
		return nil, nil
	}
	if rf.valid && rf.lastIn == v.S {
		return rf.lastRow, rf.lastErr
	}
	r, err := rf.parse(v.S)
	if err != nil {
		p := rf.call.Position()
		err = &eval.Error{Line: p.Line, Col: p.Col, Msg: fmt.Sprintf("%s: %v", rf.call.Name.Name, err), Err: err}
	}
	rf.lastIn, rf.lastRow, rf.lastErr, rf.valid = v.S, r, err, true
	return r, err
}

// value converts field i of a parsed row to a SQL value.
func (rf *rowFunc) value(r *logparse.Row, i int) (eval.Value, error) {
	if r == nil || i >= len(r.Values) || r.Values[i] == nil {
		return eval.NullValue, nil
	}
	t := rf.types[i]
	switch x := r.Values[i].(type) {
	case string:
		if t.Kind.IsString() {
			return eval.Value{Kind: t.Kind, S: x}, nil
		}
		return eval.Cast(eval.Str(x), t)
	case int64:
		if t.Kind.IsInteger() {
			return eval.Value{Kind: t.Kind, I: x}, nil
		}
		return eval.Cast(eval.BigIntValue(x), t)
	case float64:
		if t.Kind == eval.Real {
			return eval.RealValue(x), nil
		}
		return eval.DoubleValue(x), nil
	case bool:
		return eval.Bool(x), nil
	case time.Time:
		ms := x.UnixMilli()
		switch t.Kind {
		case eval.Date:
			return eval.Value{Kind: eval.Date, I: floorDiv(ms, 86400000)}, nil
		case eval.Time:
			return eval.Value{Kind: eval.Time, I: ms - floorDiv(ms, 86400000)*86400000}, nil
		}
		return eval.TimestampMillis(ms), nil
	}
	return eval.Str(fmt.Sprint(r.Values[i])), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

var quotedUpper = regexp.MustCompile(`"([A-Z_][A-Z0-9_$#]*)"`)

// exprKey is an expression's text for matching select items with GROUP BY
// keys and calls with their computed columns: "ROWTIME" and ROWTIME are
// the same name.
func exprKey(e parser.Expr) string {
	return quotedUpper.ReplaceAllString(e.String(), "$1")
}

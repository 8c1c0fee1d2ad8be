package eval

import (
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/parser"
)

func TestScopeHooks(t *testing.T) {
	twice := &Func{Params: []Type{{Kind: Double}}, Returns: Type{Kind: Double},
		Call: func(a []Value) (Value, error) { return DoubleValue(2 * a[0].F), nil }}
	scope := &Scope{
		Columns: []Column{{Name: "X", Type: Type{Kind: Integer}}, {Name: "", Type: Type{Kind: BigInt}}},
		Funcs: func(name string) (*Func, bool) {
			if name == "TWICE" {
				return twice, true
			}
			return nil, false
		},
	}
	scope.Subst = func(e parser.Expr) (int, bool) {
		if c, ok := e.(*parser.FuncCall); ok && c.Name.Name == "COUNT" {
			return 1, true
		}
		return 0, false
	}
	scope.Extern = func(e parser.Expr) (Evaluator, Type, bool, error) {
		if c, ok := e.(*parser.ColumnRef); ok && c.Parts[0].Name == "SEVEN" {
			return func(Row) (Value, error) { return Int(7), nil }, Type{Kind: Integer}, true, nil
		}
		return nil, Type{}, false, nil
	}
	row := Row{Int(3), BigIntValue(10)}
	for _, tc := range []struct{ expr, want string }{
		{"COUNT(*) + x", "13"},
		{"TWICE(x)", "6.0"},
		{"seven * 2", "14"},
		{"FLOOR((INTERVAL '75' SECOND) TO MINUTE)", "+0 00:01:00"},
		{"(TIMESTAMP '1970-01-01 00:00:19.999' - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10", "+0 00:00:01.999"},
	} {
		e, err := parser.ParseExpr(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		ev, _, err := Compile(e, scope)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		v, err := ev(row)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		if v.String() != tc.want {
			t.Errorf("%s = %s, want %s", tc.expr, v, tc.want)
		}
	}
	if _, _, err := Compile(mustExpr(t, "TWICE(1, 2)"), scope); err == nil {
		t.Error("TWICE(1, 2) compiled")
	}
}

func mustExpr(t *testing.T, s string) parser.Expr {
	t.Helper()
	e, err := parser.ParseExpr(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

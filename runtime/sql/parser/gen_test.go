package parser

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// seed is 1 unless GENSEED is set; try other seeds with
// GENSEED=n go test -run Generated.
func seed() uint64 {
	n, _ := strconv.ParseUint(os.Getenv("GENSEED"), 10, 64)
	return n + 1
}

// gen builds random trees of the shapes the printer must handle, including
// operator nestings that need parentheses.
type gen struct{ r *rand.Rand }

func (g gen) pick(n int) int { return g.r.IntN(n) }

func (g gen) ident() Ident {
	names := []Ident{{Name: "A"}, {Name: "PRICE"}, {Name: "TICKER_SYMBOL"}, {Name: "mixed Case", Quoted: true},
		{Name: "SELECT", Quoted: true}, {Name: `q"uote`, Quoted: true}, {Name: "ROWTIME"}}
	return names[g.pick(len(names))]
}

func (g gen) lit() Expr {
	switch g.pick(6) {
	case 0:
		return &Literal{Kind: LitNumber, Value: []string{"0", "1", "2.5", "1e3", ".5"}[g.pick(5)]}
	case 1:
		return &Literal{Kind: LitString, Value: []string{"", "x", "it's", "--", "/*"}[g.pick(5)]}
	case 2:
		return &Literal{Kind: LitBool, Value: "TRUE"}
	case 3:
		return &Literal{Kind: LitNull, Value: "NULL"}
	case 4:
		return &IntervalLit{Value: "10", Qualifier: IntervalQualifier{Start: "SECOND"}}
	default:
		return &TypedLiteral{Type: "TIMESTAMP", Value: "2024-01-01 00:00:00"}
	}
}

func (g gen) col() Expr {
	parts := []Ident{g.ident()}
	if g.pick(3) == 0 {
		parts = append(parts, g.ident())
	}
	return &ColumnRef{Parts: parts}
}

var binOps = []string{"OR", "AND", "=", "<>", "<", "<=", ">", ">=", "||", "+", "-", "*", "/", "%"}

func (g gen) expr(depth int) Expr {
	if depth <= 0 {
		if g.pick(2) == 0 {
			return g.lit()
		}
		return g.col()
	}
	d := depth - 1
	switch g.pick(22) {
	case 0, 1, 2, 3:
		return &Binary{Op: binOps[g.pick(len(binOps))], L: g.expr(d), R: g.expr(d)}
	case 4:
		return &Unary{Op: []string{"-", "+", "NOT"}[g.pick(3)], X: g.expr(d)}
	case 5:
		return &IsExpr{X: g.expr(d), Not: g.pick(2) == 0, What: []string{"NULL", "TRUE", "FALSE", "UNKNOWN"}[g.pick(4)]}
	case 6:
		return &Between{X: g.expr(d), Lo: g.expr(d), Hi: g.expr(d), Not: g.pick(2) == 0}
	case 7:
		in := &InExpr{X: g.expr(d), Not: g.pick(2) == 0}
		if g.pick(4) == 0 {
			in.Query = g.query(d)
		} else {
			in.List = []Expr{g.expr(d), g.expr(d)}
		}
		return in
	case 8:
		lk := &LikeExpr{X: g.expr(d), Not: g.pick(2) == 0, Similar: g.pick(2) == 0, Pattern: g.expr(d)}
		if g.pick(2) == 0 {
			lk.Escape = g.expr(d)
		}
		return lk
	case 9:
		c := &CaseExpr{Whens: []WhenClause{{g.expr(d), g.expr(d)}}}
		if g.pick(2) == 0 {
			c.Operand = g.expr(d)
		}
		if g.pick(2) == 0 {
			c.Else = g.expr(d)
		}
		return c
	case 10:
		return &CastExpr{X: g.expr(d), Type: DataType{Name: "VARCHAR", Args: []int{8}}}
	case 11:
		f := &FuncCall{Name: Ident{Name: []string{"AVG", "F", "LEFT"}[g.pick(3)]}}
		switch g.pick(4) {
		case 0:
			f.Star = true
		case 1:
			f.Quantifier = "DISTINCT"
			f.Args = []Expr{g.expr(d)}
		default:
			f.Args = []Expr{g.expr(d), g.expr(d)}
		}
		if g.pick(3) == 0 {
			f.Over = g.window(d)
		}
		return f
	case 12:
		return &StepExpr{X: g.expr(d), By: g.expr(d)}
	case 13:
		return &FloorCeil{Func: "FLOOR", X: g.expr(d), Unit: "MINUTE"}
	case 14:
		s := &Substring{X: g.expr(d), From: g.expr(d)}
		if g.pick(2) == 0 {
			s.Similar = true
			s.Escape = g.expr(d)
		} else {
			s.For = g.expr(d)
		}
		return s
	case 15:
		t := &TrimExpr{X: g.expr(d)}
		if g.pick(2) == 0 {
			t.Side = "LEADING"
		}
		if g.pick(2) == 0 {
			t.Chars = g.expr(d)
		}
		return t
	case 16:
		return &PositionExpr{Sub: g.expr(d), X: g.expr(d)}
	case 17:
		return &FieldAccess{X: g.expr(d), Field: g.ident()}
	case 18:
		return &IntervalCast{X: g.expr(d), Qualifier: IntervalQualifier{Start: "DAY", End: "SECOND"}}
	case 19:
		return &SubqueryExpr{Query: g.query(d)}
	case 20:
		return &Niladic{Name: "CURRENT_ROW_TIMESTAMP"}
	default:
		return &OverlayExpr{X: g.expr(d), With: g.expr(d), From: g.expr(d)}
	}
}

func (g gen) window(depth int) *WindowSpec {
	if g.pick(2) == 0 {
		r := g.ident()
		return &WindowSpec{Ref: &r}
	}
	w := &WindowSpec{PartitionBy: []Expr{g.expr(depth)}}
	if g.pick(2) == 0 {
		w.OrderBy = []OrderItem{{Expr: g.expr(depth), Desc: true}}
	}
	w.Frame = &Frame{Unit: "RANGE", Start: FrameBound{Kind: "PRECEDING", Offset: g.expr(depth)}}
	return w
}

func (g gen) table(depth int) TableExpr {
	var t TableExpr
	switch g.pick(3) {
	case 0:
		a := g.ident()
		t = &TableRef{Name: ObjectName{g.ident()}, Alias: &a}
	case 1:
		a := g.ident()
		t = &DerivedTable{Query: g.query(depth - 1), Alias: &a, AliasColumns: []Ident{g.ident()}}
	default:
		t = &TableFunction{Wrapped: true, Call: &FuncCall{Name: Ident{Name: "RANDOM_CUT_FOREST"},
			Args: []Expr{&CursorExpr{Query: g.query(depth - 1)}}}}
	}
	if g.pick(3) == 0 {
		r := &TableRef{Name: ObjectName{g.ident()}, Over: g.window(depth - 1)}
		return &Join{Kind: JoinKind(g.pick(4)), L: t, R: r, On: g.expr(depth - 1)}
	}
	return t
}

func (g gen) query(depth int) Query {
	if depth < 0 {
		depth = 0
	}
	s := &Select{Stream: g.pick(2) == 0, Items: []SelectItem{{Expr: g.expr(depth)}}}
	if g.pick(2) == 0 {
		a := g.ident()
		s.Items = append(s.Items, SelectItem{Expr: g.expr(depth), Alias: &a})
	}
	if depth > 0 {
		s.From = g.table(depth - 1)
	}
	if g.pick(2) == 0 {
		s.Where = g.expr(depth)
	}
	if g.pick(3) == 0 {
		s.GroupBy = []Expr{g.expr(depth)}
	}
	if g.pick(4) == 0 {
		s.OrderBy = []OrderItem{{Expr: g.expr(depth)}}
	}
	if depth > 0 && g.pick(4) == 0 {
		return &SetOp{Op: []string{"UNION", "EXCEPT", "INTERSECT"}[g.pick(3)], All: g.pick(2) == 0, L: s, R: g.query(depth - 1)}
	}
	return s
}

func TestRoundTripGenerated(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(seed(), 2))}
	for i := 0; i < 3000; i++ {
		roundTrip(t, g.expr(4), parseExprNode)
	}
	for i := 0; i < 500; i++ {
		roundTrip(t, g.query(3), parseStmtNode)
	}
}

// TestAmbiguousParensCost guards the memoised query-or-expression attempts
// against exponential time on nested ((SELECT ...) ...) input.
func TestAmbiguousParensCost(t *testing.T) {
	inputs := []string{
		strings.Repeat("((SELECT ", 60) + "1" + strings.Repeat(") + 1)", 60),
		strings.Repeat("x IN ((SELECT ", 60) + "1" + strings.Repeat(") UNION SELECT 2)", 60),
		strings.Repeat("((SELECT ((SELECT ", 30) + "1" + strings.Repeat(") + 1) FROM s) + 1)", 30),
	}
	for _, in := range inputs {
		start := time.Now()
		ParseExpr(in)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("parsing %d bytes took %v", len(in), d)
		}
	}
}

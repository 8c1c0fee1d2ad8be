package parser

import (
	"strconv"
	"strings"
)

// Format prints n as SQL. With fullParens every operator expression is
// parenthesised, which shows the tree's structure (the golden tests use it);
// otherwise parentheses appear only where precedence needs them.
func Format(n Node, fullParens bool) string {
	p := printer{full: fullParens}
	p.node(n)
	return p.b.String()
}

type printer struct {
	b    strings.Builder
	full bool
}

func (p *printer) w(ss ...string) {
	for _, s := range ss {
		p.b.WriteString(s)
	}
}

// Precedence levels, lowest first.
const (
	precOr = iota + 1
	precAnd
	precNot
	precCmp
	precConcat
	precAdd
	precMul
	precUnary
	precPrimary
)

func binaryPrec(op string) int {
	switch op {
	case "OR":
		return precOr
	case "AND":
		return precAnd
	case "=", "<>", "<", "<=", ">", ">=":
		return precCmp
	case "||":
		return precConcat
	case "+", "-":
		return precAdd
	default: // * / %
		return precMul
	}
}

func exprPrec(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		return binaryPrec(e.Op)
	case *Unary:
		if e.Op == "NOT" {
			return precNot
		}
		return precUnary
	case *IsExpr, *Between, *InExpr, *LikeExpr:
		return precCmp
	}
	return precPrimary
}

func (p *printer) node(n Node) {
	switch n := n.(type) {
	case Stmt:
		p.stmt(n)
	case Expr:
		p.expr(n, 0)
	case TableExpr:
		p.table(n)
	}
}

func (p *printer) ident(id Ident) {
	if id.Quoted {
		p.w(`"`, strings.ReplaceAll(id.Name, `"`, `""`), `"`)
		return
	}
	p.w(id.Name)
}

func (p *printer) idents(ids []Ident, sep string) {
	for i, id := range ids {
		if i > 0 {
			p.w(sep)
		}
		p.ident(id)
	}
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (p *printer) dataType(t DataType) {
	p.w(t.Name)
	if len(t.Args) > 0 {
		p.w("(")
		for i, a := range t.Args {
			if i > 0 {
				p.w(", ")
			}
			p.w(strconv.Itoa(a))
		}
		p.w(")")
	}
}

func (p *printer) description(d *string) {
	if d != nil {
		p.w(" DESCRIPTION ", quote(*d))
	}
}

func (p *printer) orReplace(or bool) {
	p.w("CREATE ")
	if or {
		p.w("OR REPLACE ")
	}
}

func (p *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *CreateStream:
		p.orReplace(s.OrReplace)
		p.w("STREAM ")
		p.idents(s.Name, ".")
		p.w(" (")
		for i, c := range s.Columns {
			if i > 0 {
				p.w(", ")
			}
			p.ident(c.Name)
			p.w(" ")
			p.dataType(c.Type)
			if c.NotNull {
				p.w(" NOT NULL")
			}
		}
		p.w(")")
		p.description(s.Description)
	case *CreateView:
		p.orReplace(s.OrReplace)
		p.w("VIEW ")
		p.idents(s.Name, ".")
		if len(s.Columns) > 0 {
			p.w(" (")
			p.idents(s.Columns, ", ")
			p.w(")")
		}
		p.description(s.Description)
		p.w(" AS ")
		p.query(s.Query)
	case *CreatePump:
		p.orReplace(s.OrReplace)
		p.w("PUMP ")
		p.idents(s.Name, ".")
		if s.Stopped {
			p.w(" STOPPED")
		}
		p.description(s.Description)
		p.w(" AS ")
		if s.Insert != nil {
			p.stmt(s.Insert)
		}
	case *CreateFunction:
		p.orReplace(s.OrReplace)
		p.w("FUNCTION ")
		p.idents(s.Name, ".")
		p.w("(")
		for i, a := range s.Params {
			if i > 0 {
				p.w(", ")
			}
			p.ident(a.Name)
			p.w(" ")
			p.dataType(a.Type)
		}
		p.w(") RETURNS ")
		p.dataType(s.Returns)
		if s.Language != "" {
			p.w(" LANGUAGE ", s.Language)
		}
		if s.Deterministic != nil {
			if *s.Deterministic {
				p.w(" DETERMINISTIC")
			} else {
				p.w(" NOT DETERMINISTIC")
			}
		}
		if s.DataAccess != "" {
			p.w(" ", s.DataAccess)
		}
		if s.OnNull != "" {
			p.w(" ", s.OnNull)
		}
		if s.Body == nil {
			p.w(" EXTERNAL NAME ", quote(s.External))
			break
		}
		p.w(" RETURN ")
		p.expr(s.Body, 0)
	case *Insert:
		p.w("INSERT INTO ")
		p.idents(s.Target, ".")
		if len(s.Columns) > 0 {
			p.w(" (")
			p.idents(s.Columns, ", ")
			p.w(")")
		}
		p.w(" ")
		p.query(s.Query)
	case Query:
		p.query(s)
	}
}

func setPrec(op string) int {
	if op == "INTERSECT" {
		return 2
	}
	return 1
}

func (p *printer) query(q Query) {
	switch q := q.(type) {
	case *Select:
		p.selectStmt(q)
	case *SetOp:
		p.setOperand(q.L, setPrec(q.Op))
		p.w(" ", q.Op)
		if q.All {
			p.w(" ALL")
		}
		p.w(" ")
		p.setOperand(q.R, setPrec(q.Op)+1)
		if len(q.OrderBy) > 0 {
			p.w(" ORDER BY ")
			p.orderBy(q.OrderBy)
		}
	case nil:
	}
}

func (p *printer) setOperand(q Query, min int) {
	paren := false
	switch q := q.(type) {
	case *SetOp:
		paren = setPrec(q.Op) < min || len(q.OrderBy) > 0
	case *Select:
		paren = len(q.OrderBy) > 0
	}
	if paren {
		p.w("(")
	}
	p.query(q)
	if paren {
		p.w(")")
	}
}

func (p *printer) exprList(es []Expr) {
	for i, e := range es {
		if i > 0 {
			p.w(", ")
		}
		p.expr(e, 0)
	}
}

func (p *printer) orderBy(items []OrderItem) {
	for i, o := range items {
		if i > 0 {
			p.w(", ")
		}
		p.expr(o.Expr, 0)
		if o.Desc {
			p.w(" DESC")
		}
		if o.Nulls != "" {
			p.w(" NULLS ", o.Nulls)
		}
	}
}

func (p *printer) selectStmt(s *Select) {
	p.w("SELECT ")
	if s.Stream {
		p.w("STREAM ")
	}
	if s.Quantifier != "" {
		p.w(s.Quantifier, " ")
	}
	for i, it := range s.Items {
		if i > 0 {
			p.w(", ")
		}
		p.expr(it.Expr, 0)
		if it.Alias != nil {
			p.w(" AS ")
			p.ident(*it.Alias)
		}
	}
	if s.From != nil {
		p.w(" FROM ")
		p.table(s.From)
	}
	if s.Where != nil {
		p.w(" WHERE ")
		p.expr(s.Where, 0)
	}
	if s.Stagger != nil {
		p.w(" WINDOWED BY STAGGER (PARTITION BY ")
		p.exprList(s.Stagger.PartitionBy)
		p.w(" RANGE ")
		p.expr(s.Stagger.Range, precConcat)
		p.w(")")
	}
	if len(s.GroupBy) > 0 {
		p.w(" GROUP BY ")
		p.exprList(s.GroupBy)
	}
	if s.Having != nil {
		p.w(" HAVING ")
		p.expr(s.Having, 0)
	}
	for i, wd := range s.Windows {
		if i == 0 {
			p.w(" WINDOW ")
		} else {
			p.w(", ")
		}
		p.ident(wd.Name)
		p.w(" AS (")
		p.windowBody(&wd.Spec)
		p.w(")")
	}
	if len(s.OrderBy) > 0 {
		p.w(" ORDER BY ")
		p.orderBy(s.OrderBy)
	}
}

func (p *printer) windowBody(w *WindowSpec) {
	var parts []func()
	if w.Ref != nil {
		parts = append(parts, func() { p.ident(*w.Ref) })
	}
	if len(w.PartitionBy) > 0 {
		parts = append(parts, func() { p.w("PARTITION BY "); p.exprList(w.PartitionBy) })
	}
	if len(w.OrderBy) > 0 {
		parts = append(parts, func() { p.w("ORDER BY "); p.orderBy(w.OrderBy) })
	}
	if w.Frame != nil {
		parts = append(parts, func() {
			p.w(w.Frame.Unit, " ")
			if w.Frame.End != nil {
				p.w("BETWEEN ")
				p.bound(w.Frame.Start)
				p.w(" AND ")
				p.bound(*w.Frame.End)
			} else {
				p.bound(w.Frame.Start)
			}
		})
	}
	for i, f := range parts {
		if i > 0 {
			p.w(" ")
		}
		f()
	}
}

func (p *printer) bound(b FrameBound) {
	if b.Offset != nil {
		p.expr(b.Offset, precConcat)
		p.w(" ")
	}
	p.w(b.Kind)
}

func (p *printer) over(w *WindowSpec) {
	if w == nil {
		return
	}
	p.w(" OVER ")
	if w.Ref != nil && len(w.PartitionBy) == 0 && len(w.OrderBy) == 0 && w.Frame == nil {
		p.ident(*w.Ref)
		return
	}
	p.w("(")
	p.windowBody(w)
	p.w(")")
}

func (p *printer) alias(a *Ident, cols []Ident) {
	if a != nil {
		p.w(" AS ")
		p.ident(*a)
		if len(cols) > 0 {
			p.w(" (")
			p.idents(cols, ", ")
			p.w(")")
		}
	}
}

func (p *printer) table(t TableExpr) {
	switch t := t.(type) {
	case *TableRef:
		p.idents(t.Name, ".")
		p.over(t.Over)
		p.alias(t.Alias, t.AliasColumns)
	case *DerivedTable:
		p.w("(")
		p.query(t.Query)
		p.w(")")
		p.over(t.Over)
		p.alias(t.Alias, t.AliasColumns)
	case *TableFunction:
		if t.Wrapped {
			p.w("TABLE(")
			p.expr(t.Call, 0)
			p.w(")")
		} else {
			p.expr(t.Call, 0)
		}
		p.alias(t.Alias, t.AliasColumns)
	case *Join:
		p.table(t.L)
		if t.Kind == JoinComma {
			p.w(", ")
		} else {
			p.w(" ")
			if t.Natural {
				p.w("NATURAL ")
			}
			p.w(t.Kind.String(), " ")
		}
		// Joins are left-deep; a join on the right needs parentheses,
		// which this grammar does not have, so it never occurs from Parse.
		p.table(t.R)
		if t.On != nil {
			p.w(" ON ")
			p.expr(t.On, 0)
		}
		if len(t.Using) > 0 {
			p.w(" USING (")
			p.idents(t.Using, ", ")
			p.w(")")
		}
	}
}

func (p *printer) qualifier(q IntervalQualifier) {
	p.w(q.Start)
	if q.Precision > 0 {
		p.w("(", strconv.Itoa(q.Precision), ")")
	}
	if q.End != "" {
		p.w(" TO ", q.End)
	}
}

// expr prints e; min is the lowest precedence that may appear without
// parentheses in this position.
func (p *printer) expr(e Expr, min int) {
	prec := exprPrec(e)
	paren := prec < min || (p.full && prec < precPrimary)
	if paren {
		p.w("(")
	}
	p.exprInner(e)
	if paren {
		p.w(")")
	}
}

func (p *printer) exprInner(e Expr) {
	switch e := e.(type) {
	case *Literal:
		switch e.Kind {
		case LitString:
			p.w(quote(e.Value))
		default:
			p.w(e.Value)
		}
	case *TypedLiteral:
		p.w(e.Type, " ", quote(e.Value))
	case *IntervalLit:
		p.w("INTERVAL ", quote(e.Value), " ")
		p.qualifier(e.Qualifier)
	case *ColumnRef:
		p.idents(e.Parts, ".")
	case *Star:
		for _, q := range e.Qualifier {
			p.ident(q)
			p.w(".")
		}
		p.w("*")
	case *Unary:
		if e.Op == "NOT" {
			p.w("NOT ")
			p.expr(e.X, precNot)
			return
		}
		p.w(e.Op)
		var sub printer
		sub.full = p.full
		sub.expr(e.X, precUnary)
		s := sub.b.String()
		if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
			p.w(" ")
		}
		p.w(s)
	case *Binary:
		prec := binaryPrec(e.Op)
		p.expr(e.L, prec)
		p.w(" ", e.Op, " ")
		p.expr(e.R, prec+1)
	case *IsExpr:
		p.expr(e.X, precCmp)
		p.w(" IS ")
		if e.Not {
			p.w("NOT ")
		}
		p.w(e.What)
	case *Between:
		p.expr(e.X, precCmp)
		p.not(e.Not)
		p.w(" BETWEEN ")
		p.expr(e.Lo, precConcat)
		p.w(" AND ")
		p.expr(e.Hi, precConcat)
	case *InExpr:
		p.expr(e.X, precCmp)
		p.not(e.Not)
		p.w(" IN (")
		if e.Query != nil {
			p.query(e.Query)
		} else {
			p.exprList(e.List)
		}
		p.w(")")
	case *LikeExpr:
		p.expr(e.X, precCmp)
		p.not(e.Not)
		if e.Similar {
			p.w(" SIMILAR TO ")
		} else {
			p.w(" LIKE ")
		}
		p.expr(e.Pattern, precConcat)
		if e.Escape != nil {
			p.w(" ESCAPE ")
			p.expr(e.Escape, precConcat)
		}
	case *CaseExpr:
		p.w("CASE")
		if e.Operand != nil {
			p.w(" ")
			p.expr(e.Operand, 0)
		}
		for _, wc := range e.Whens {
			p.w(" WHEN ")
			p.expr(wc.Cond, 0)
			p.w(" THEN ")
			p.expr(wc.Result, 0)
		}
		if e.Else != nil {
			p.w(" ELSE ")
			p.expr(e.Else, 0)
		}
		p.w(" END")
	case *CastExpr:
		p.w("CAST(")
		p.expr(e.X, 0)
		p.w(" AS ")
		p.dataType(e.Type)
		p.w(")")
	case *FuncCall:
		p.ident(e.Name)
		p.w("(")
		if e.Quantifier != "" {
			p.w(e.Quantifier, " ")
		}
		if e.Star {
			p.w("*")
		} else {
			p.exprList(e.Args)
		}
		p.w(")")
		if e.NullTreatment != "" {
			p.w(" ", e.NullTreatment)
		}
		p.over(e.Over)
	case *StepExpr:
		p.w("STEP(")
		p.expr(e.X, 0)
		p.w(" BY ")
		p.expr(e.By, 0)
		p.w(")")
	case *FloorCeil:
		// An operand ending in an interval unit would take the TO as
		// its own (INTERVAL '1' DAY TO HOUR), so it gets parentheses.
		var sub printer
		sub.full = p.full
		sub.expr(e.X, 0)
		x := sub.b.String()
		for u := range unitOrder {
			if strings.HasSuffix(x, " "+u) || strings.HasSuffix(x, ")"+u) || strings.HasSuffix(x, ") "+u) {
				x = "(" + x + ")"
				break
			}
		}
		p.w(e.Func, "(", x, " TO ", e.Unit, ")")
	case *Substring:
		p.w("SUBSTRING(")
		p.expr(e.X, 0)
		if e.Similar {
			// A LIKE in the pattern would take the ESCAPE as its own.
			p.w(" SIMILAR ")
			p.expr(e.From, precConcat)
			if e.Escape != nil {
				p.w(" ESCAPE ")
				p.expr(e.Escape, precConcat)
			}
		} else {
			p.w(" FROM ")
			p.expr(e.From, 0)
			if e.For != nil {
				p.w(" FOR ")
				p.expr(e.For, 0)
			}
		}
		p.w(")")
	case *TrimExpr:
		p.w("TRIM(")
		if e.Side != "" || e.Chars != nil {
			if e.Side != "" {
				p.w(e.Side, " ")
			}
			if e.Chars != nil {
				p.expr(e.Chars, 0)
				p.w(" ")
			}
			p.w("FROM ")
		}
		p.expr(e.X, 0)
		p.w(")")
	case *PositionExpr:
		p.w("POSITION(")
		p.expr(e.Sub, precConcat)
		p.w(" IN ")
		p.expr(e.X, 0)
		p.w(")")
	case *OverlayExpr:
		p.w("OVERLAY(")
		p.expr(e.X, 0)
		p.w(" PLACING ")
		p.expr(e.With, 0)
		p.w(" FROM ")
		p.expr(e.From, 0)
		if e.For != nil {
			p.w(" FOR ")
			p.expr(e.For, 0)
		}
		p.w(")")
	case *ExtractExpr:
		p.w("EXTRACT(", e.Unit, " FROM ")
		p.expr(e.X, 0)
		p.w(")")
	case *Niladic:
		p.w(e.Name)
	case *CursorExpr:
		p.w("CURSOR(")
		p.query(e.Query)
		p.w(")")
	case *SubqueryExpr:
		p.w("(")
		p.query(e.Query)
		p.w(")")
	case *ExistsExpr:
		p.w("EXISTS (")
		p.query(e.Query)
		p.w(")")
	case *DescriptorExpr:
		p.w("DESCRIPTOR(")
		p.idents(e.Cols, ", ")
		p.w(")")
	case *TableArg:
		p.w("TABLE ")
		if e.Query != nil {
			p.w("(")
			p.query(e.Query)
			p.w(")")
		} else {
			p.idents(e.Name, ".")
		}
		switch len(e.PartitionBy) {
		case 0:
		case 1:
			// A key that prints with a leading '(' would read as a list.
			var sub printer
			sub.full = p.full
			sub.expr(e.PartitionBy[0], 0)
			key := sub.b.String()
			if strings.HasPrefix(key, "(") {
				key = "(" + key + ")"
			}
			p.w(" PARTITION BY ", key)
		default:
			p.w(" PARTITION BY (")
			p.exprList(e.PartitionBy)
			p.w(")")
		}
	case *NamedArg:
		p.ident(e.Name)
		p.w(" => ")
		p.expr(e.Value, 0)
	case *FieldAccess:
		switch e.X.(type) {
		case *ColumnRef, *Star, *Literal, *TypedLiteral, *IntervalLit:
			p.w("(")
			p.expr(e.X, 0)
			p.w(")")
		default:
			p.expr(e.X, precPrimary)
		}
		p.w(".")
		p.ident(e.Field)
	case *IntervalCast:
		p.w("(")
		p.exprInner(e.X)
		p.w(") ")
		p.qualifier(e.Qualifier)
	}
}

func (p *printer) not(not bool) {
	if not {
		p.w(" NOT")
	}
}

package parser

import (
	"fmt"
	"strconv"
	"strings"
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 200

// reserved words cannot be bare identifiers (column names, implicit
// aliases); quote them to use them as names.
var reserved = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`ALL AND AS BETWEEN BY CASE CAST CREATE CROSS CURRENT_DATE
		CURRENT_ROW_TIMESTAMP CURRENT_TIME CURRENT_TIMESTAMP DISTINCT ELSE END ESCAPE EXCEPT EXISTS
		FALSE FROM FULL GROUP HAVING IN INNER INSERT INTERSECT INTERVAL INTO IS JOIN LEFT LIKE
		LOCALTIME LOCALTIMESTAMP NATURAL NOT NULL ON OR ORDER OUTER OVER PARTITION RIGHT SELECT
		SIMILAR STREAM TABLE THEN TRUE UNION UNKNOWN USING VALUES WHEN WHERE WINDOW WINDOWED WITH`) {
		reserved[w] = true
	}
}

var niladics = map[string]bool{
	"CURRENT_ROW_TIMESTAMP": true, "CURRENT_TIMESTAMP": true, "CURRENT_DATE": true,
	"CURRENT_TIME": true, "LOCALTIME": true, "LOCALTIMESTAMP": true,
}

// intervalUnits maps accepted interval units (with Flink's plurals) to
// their canonical names.
var intervalUnits = map[string]string{
	"YEAR": "YEAR", "MONTH": "MONTH", "DAY": "DAY", "HOUR": "HOUR", "MINUTE": "MINUTE", "SECOND": "SECOND",
	"YEARS": "YEAR", "MONTHS": "MONTH", "DAYS": "DAY", "HOURS": "HOUR", "MINUTES": "MINUTE", "SECONDS": "SECOND",
}

// timeUnits are the units of FLOOR/CEIL ... TO and EXTRACT.
var timeUnits = map[string]bool{
	"MILLENNIUM": true, "CENTURY": true, "DECADE": true, "YEAR": true, "QUARTER": true, "MONTH": true,
	"WEEK": true, "DAY": true, "DOW": true, "DOY": true, "HOUR": true, "MINUTE": true, "SECOND": true,
	"MILLISECOND": true, "MICROSECOND": true, "EPOCH": true,
}

// Parse parses an application: statements separated by ';'.
func Parse(src string) (stmts []Stmt, err error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	defer p.recover(&err)
	for {
		for p.acceptOp(";") {
		}
		if p.peek().Kind == TokEOF {
			return stmts, nil
		}
		stmts = append(stmts, p.statement())
		if p.peek().Kind != TokEOF {
			p.expectOp(";")
		}
	}
}

// ParseStmt parses exactly one statement (a trailing ';' is allowed).
func ParseStmt(src string) (Stmt, error) {
	stmts, err := Parse(src)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, &Error{Line: 1, Col: 1, Msg: fmt.Sprintf("expected one statement, found %d", len(stmts))}
	}
	return stmts[0], nil
}

// ParseExpr parses one expression.
func ParseExpr(src string) (e Expr, err error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	defer p.recover(&err)
	e = p.expr()
	if t := p.peek(); t.Kind != TokEOF {
		p.failAt(t, "expected end of expression")
	}
	return e, nil
}

type parser struct {
	toks  []Token
	i     int
	depth int
	// tried memoises queryInParens by token index so that each position is
	// attempted once, keeping nested attempts from going exponential.
	tried map[int]attempt
}

type attempt struct {
	q   Query
	end int
}

// queryInParens is called just after a '(' in an expression position. When
// the parentheses hold a query that itself starts with '(' — such as
// ((SELECT ...) UNION ALL SELECT ...) — it parses the query and the closing
// ')'. A parenthesised expression such as ((SELECT 1) + 1) fails that
// attempt and is left to the caller.
func (p *parser) queryInParens() (q Query, ok bool) {
	if !p.isOp("(") {
		return nil, false
	}
	j := p.i
	for j < len(p.toks) && p.toks[j].Kind == TokOp && p.toks[j].Text == "(" {
		j++
	}
	if j >= len(p.toks) || p.toks[j].Kind != TokIdent || p.toks[j].Text != "SELECT" {
		return nil, false
	}
	start, depth := p.i, p.depth
	if a, seen := p.tried[start]; seen {
		if a.q == nil {
			return nil, false
		}
		p.i = a.end
		return a.q, true
	}
	if p.tried == nil {
		p.tried = map[int]attempt{}
	}
	defer func() {
		if r := recover(); r != nil {
			if _, isBail := r.(bailout); !isBail {
				panic(r)
			}
			p.i, p.depth = start, depth
			q, ok = nil, false
		}
		p.tried[start] = attempt{q: q, end: p.i}
	}()
	q = p.query()
	p.expectOp(")")
	return q, true
}

type bailout struct{ err *Error }

func newParser(src string) (*parser, error) {
	toks, err := Lex(src)
	if err != nil {
		return nil, err
	}
	return &parser{toks: toks}, nil
}

func (p *parser) recover(err *error) {
	if r := recover(); r != nil {
		b, ok := r.(bailout)
		if !ok {
			panic(r)
		}
		*err = b.err
	}
}

func (p *parser) peek() Token { return p.toks[p.i] }

func (p *parser) peekN(n int) Token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() Token {
	t := p.toks[p.i]
	if t.Kind != TokEOF {
		p.i++
	}
	return t
}

func describe(t Token) string {
	switch t.Kind {
	case TokEOF:
		return "end of input"
	case TokIdent:
		if reserved[t.Text] {
			return "keyword " + t.Text
		}
		return "identifier " + t.Raw
	case TokQIdent:
		return "identifier " + strconv.Quote(t.Text)
	case TokString:
		s := t.Text
		if len(s) > 20 {
			s = s[:20] + "..."
		}
		return "string " + quote(s)
	case TokNumber:
		return "number " + t.Text
	default:
		return "'" + t.Text + "'"
	}
}

func (p *parser) fail(pos Pos, format string, args ...any) {
	panic(bailout{&Error{Line: pos.Line, Col: pos.Col, Msg: fmt.Sprintf(format, args...)}})
}

// failAt reports "want, found <token>" at the token.
func (p *parser) failAt(t Token, want string) {
	p.fail(t.Pos, "%s, found %s", want, describe(t))
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail(p.peek().Pos, "nesting too deep (more than %d levels)", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) isKw(kw string) bool {
	t := p.peek()
	return t.Kind == TokIdent && t.Text == kw
}

func (p *parser) isKwN(n int, kw string) bool {
	t := p.peekN(n)
	return t.Kind == TokIdent && t.Text == kw
}

func (p *parser) acceptKw(kw string) bool {
	if p.isKw(kw) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectKw(kws ...string) Token {
	var first Token
	for i, kw := range kws {
		t := p.peek()
		if !p.isKw(kw) {
			p.failAt(t, "expected "+kw)
		}
		if i == 0 {
			first = t
		}
		p.next()
	}
	return first
}

func (p *parser) isOp(op string) bool {
	t := p.peek()
	return t.Kind == TokOp && t.Text == op
}

func (p *parser) acceptOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectOp(op string) Token {
	t := p.peek()
	if !p.isOp(op) {
		p.failAt(t, "expected '"+op+"'")
	}
	return p.next()
}

// identifier reads a name; what names it in the error message.
func (p *parser) identifier(what string) Ident {
	t := p.peek()
	switch {
	case t.Kind == TokQIdent:
		p.next()
		return Ident{Pos: t.Pos, Name: t.Text, Quoted: true}
	case t.Kind == TokIdent && !reserved[t.Text]:
		p.next()
		return Ident{Pos: t.Pos, Name: t.Text}
	}
	p.failAt(t, "expected "+what)
	return Ident{}
}

func (p *parser) isIdentifier() bool {
	t := p.peek()
	return t.Kind == TokQIdent || t.Kind == TokIdent && !reserved[t.Text]
}

func (p *parser) objectName(what string) ObjectName {
	n := ObjectName{p.identifier(what)}
	for p.isOp(".") {
		p.next()
		n = append(n, p.identifier(what))
	}
	return n
}

func (p *parser) stringLit(what string) string {
	t := p.peek()
	if t.Kind != TokString {
		p.failAt(t, "expected "+what)
	}
	p.next()
	return t.Text
}

func (p *parser) intLit(what string) int {
	t := p.peek()
	if t.Kind == TokNumber {
		if n, err := strconv.Atoi(t.Text); err == nil && n >= 0 {
			p.next()
			return n
		}
	}
	p.failAt(t, "expected "+what)
	return 0
}

// ---- statements ----

func (p *parser) statement() Stmt {
	t := p.peek()
	switch {
	case p.isKw("CREATE"):
		return p.create()
	case p.isKw("INSERT"):
		return p.insert()
	case p.isKw("SELECT"), p.isOp("("):
		return p.query()
	}
	p.failAt(t, "expected CREATE, INSERT or SELECT")
	return nil
}

func (p *parser) create() Stmt {
	start := p.expectKw("CREATE").Pos
	or := false
	if p.acceptKw("OR") {
		p.expectKw("REPLACE")
		or = true
	}
	t := p.peek()
	switch {
	case p.acceptKw("STREAM"):
		s := &CreateStream{Pos: start, OrReplace: or, Name: p.objectName("stream name")}
		p.expectOp("(")
		for {
			c := ColumnDef{Name: p.identifier("column name")}
			c.Type = p.dataType()
			if p.acceptKw("NOT") {
				p.expectKw("NULL")
				c.NotNull = true
			} else if p.acceptKw("NULL") {
				// nullable is the default
			}
			s.Columns = append(s.Columns, c)
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
		s.Description = p.description()
		return s
	case p.acceptKw("VIEW"):
		v := &CreateView{Pos: start, OrReplace: or, Name: p.objectName("view name")}
		if p.acceptOp("(") {
			v.Columns = p.identList("column name")
			p.expectOp(")")
		}
		v.Description = p.description()
		p.expectKw("AS")
		v.Query = p.query()
		return v
	case p.acceptKw("PUMP"):
		s := &CreatePump{Pos: start, OrReplace: or, Name: p.objectName("pump name")}
		s.Stopped = p.acceptKw("STOPPED")
		s.Description = p.description()
		p.expectKw("AS")
		s.Insert = p.insert()
		return s
	case p.acceptKw("FUNCTION"):
		return p.createFunction(start, or)
	}
	p.failAt(t, "expected STREAM, PUMP, VIEW or FUNCTION after CREATE")
	return nil
}

func (p *parser) description() *string {
	if p.acceptKw("DESCRIPTION") {
		s := p.stringLit("description string")
		return &s
	}
	return nil
}

func (p *parser) identList(what string) []Ident {
	ids := []Ident{p.identifier(what)}
	for p.acceptOp(",") {
		ids = append(ids, p.identifier(what))
	}
	return ids
}

func (p *parser) createFunction(start Pos, or bool) Stmt {
	f := &CreateFunction{Pos: start, OrReplace: or, Name: p.objectName("function name")}
	p.expectOp("(")
	if !p.isOp(")") {
		for {
			f.Params = append(f.Params, Param{Name: p.identifier("parameter name"), Type: p.dataType()})
			if !p.acceptOp(",") {
				break
			}
		}
	}
	p.expectOp(")")
	p.expectKw("RETURNS")
	f.Returns = p.dataType()
	for {
		t := p.peek()
		switch {
		case p.acceptKw("LANGUAGE"):
			lt := p.peek()
			switch {
			case p.acceptKw("SQL"):
				f.Language = "SQL"
			case p.acceptKw("WASM"):
				f.Language = "WASM"
			default:
				p.failAt(lt, "expected SQL or WASM after LANGUAGE")
			}
		case p.acceptKw("EXTERNAL"):
			p.expectKw("NAME")
			f.External = p.stringLit("external function name")
		case p.acceptKw("DETERMINISTIC"):
			b := true
			f.Deterministic = &b
		case p.isKw("NOT") && p.isKwN(1, "DETERMINISTIC"):
			p.next()
			p.next()
			b := false
			f.Deterministic = &b
		case p.acceptKw("CONTAINS"):
			p.expectKw("SQL")
			f.DataAccess = "CONTAINS SQL"
		case p.acceptKw("READS"):
			p.expectKw("SQL", "DATA")
			f.DataAccess = "READS SQL DATA"
		case p.acceptKw("NO"):
			p.expectKw("SQL")
			f.DataAccess = "NO SQL"
		case p.acceptKw("MODIFIES"):
			p.expectKw("SQL", "DATA")
			f.DataAccess = "MODIFIES SQL DATA"
		case p.isKw("RETURNS") && p.isKwN(1, "NULL"):
			p.next()
			p.expectKw("NULL", "ON", "NULL", "INPUT")
			f.OnNull = "RETURNS NULL ON NULL INPUT"
		case p.acceptKw("CALLED"):
			p.expectKw("ON", "NULL", "INPUT")
			f.OnNull = "CALLED ON NULL INPUT"
		case p.isKw("RETURN") && (f.Language == "WASM" || f.External != ""):
			p.failAt(t, "an EXTERNAL NAME function is LANGUAGE WASM and has no RETURN body")
		case p.acceptKw("RETURN"):
			f.Body = p.expr()
			if f.Language == "" {
				f.Language = "SQL"
			}
			return f
		case p.peek().Kind == TokEOF || p.isOp(";"):
			switch {
			case f.Language == "WASM" && f.External == "":
				p.failAt(t, "LANGUAGE WASM needs EXTERNAL NAME 'function'")
			case f.External != "" && f.Language != "WASM":
				p.failAt(t, "EXTERNAL NAME needs LANGUAGE WASM")
			case f.Language != "WASM":
				p.failAt(t, "expected RETURN or a function option (LANGUAGE, DETERMINISTIC, CONTAINS SQL, ...)")
			}
			return f
		default:
			p.failAt(t, "expected RETURN or a function option (LANGUAGE, DETERMINISTIC, CONTAINS SQL, ...)")
		}
	}
}

func (p *parser) insert() *Insert {
	start := p.expectKw("INSERT").Pos
	p.expectKw("INTO")
	in := &Insert{Pos: start, Target: p.objectName("stream name")}
	// A '(' here is a column list unless it opens a query.
	if p.isOp("(") && !p.isKwN(1, "SELECT") && !p.isOpN(1, "(") {
		p.next()
		in.Columns = p.identList("column name")
		p.expectOp(")")
	}
	in.Query = p.query()
	return in
}

func (p *parser) isOpN(n int, op string) bool {
	t := p.peekN(n)
	return t.Kind == TokOp && t.Text == op
}

// ---- types ----

func (p *parser) dataType() DataType {
	t := p.peek()
	if t.Kind != TokIdent {
		p.failAt(t, "expected a data type")
	}
	dt := DataType{Pos: t.Pos}
	p.next()
	switch t.Text {
	case "VARCHAR", "CHAR", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "REAL", "FLOAT", "DECIMAL",
		"BOOLEAN", "DATE", "TIME", "TIMESTAMP", "VARBINARY", "BINARY", "NUMERIC":
		dt.Name = t.Text
	case "INT":
		dt.Name = "INTEGER"
	case "DEC":
		dt.Name = "DECIMAL"
	case "DOUBLE":
		p.acceptKw("PRECISION")
		dt.Name = "DOUBLE"
	case "CHARACTER":
		if p.acceptKw("VARYING") {
			dt.Name = "VARCHAR"
		} else {
			dt.Name = "CHAR"
		}
	default:
		p.failAt(t, "expected a data type")
	}
	if p.acceptOp("(") {
		dt.Args = append(dt.Args, p.intLit("type length or precision"))
		if p.acceptOp(",") {
			dt.Args = append(dt.Args, p.intLit("type scale"))
		}
		p.expectOp(")")
	}
	return dt
}

// ---- queries ----

// query parses set operations over query terms: UNION/EXCEPT bind looser
// than INTERSECT, all left-associative.
func (p *parser) query() Query {
	p.enter()
	defer p.leave()
	l := p.queryIntersect()
	for p.isKw("UNION") || p.isKw("EXCEPT") {
		t := p.next()
		all := p.acceptKw("ALL")
		if !all {
			p.acceptKw("DISTINCT")
		}
		l = &SetOp{Pos: t.Pos, Op: t.Text, All: all, L: l, R: p.queryIntersect()}
	}
	if p.isKw("ORDER") {
		t := p.next()
		p.expectKw("BY")
		items := p.orderItems()
		switch q := l.(type) {
		case *Select:
			if q.OrderBy != nil {
				p.fail(t.Pos, "ORDER BY given twice for the same query")
			}
			q.OrderBy = items
		case *SetOp:
			if q.OrderBy != nil {
				p.fail(t.Pos, "ORDER BY given twice for the same query")
			}
			q.OrderBy = items
		}
	}
	return l
}

func (p *parser) queryIntersect() Query {
	l := p.queryPrimary()
	for p.isKw("INTERSECT") {
		t := p.next()
		all := p.acceptKw("ALL")
		if !all {
			p.acceptKw("DISTINCT")
		}
		l = &SetOp{Pos: t.Pos, Op: t.Text, All: all, L: l, R: p.queryPrimary()}
	}
	return l
}

func (p *parser) queryPrimary() Query {
	if p.isOp("(") {
		p.next()
		q := p.query()
		p.expectOp(")")
		return q
	}
	return p.selectStmt()
}

func (p *parser) selectStmt() *Select {
	start := p.expectKw("SELECT").Pos
	s := &Select{Pos: start}
	s.Stream = p.acceptKw("STREAM")
	if p.acceptKw("DISTINCT") {
		s.Quantifier = "DISTINCT"
	} else if p.acceptKw("ALL") {
		s.Quantifier = "ALL"
	}
	for {
		it := SelectItem{Expr: p.selectExpr()}
		if p.acceptKw("AS") {
			a := p.identifier("alias")
			it.Alias = &a
		} else if p.isIdentifier() {
			a := p.identifier("alias")
			it.Alias = &a
		}
		s.Items = append(s.Items, it)
		if !p.acceptOp(",") {
			break
		}
	}
	if p.acceptKw("FROM") {
		s.From = p.fromClause()
	}
	if p.acceptKw("WHERE") {
		s.Where = p.expr()
	}
	if p.isKw("WINDOWED") {
		t := p.next()
		p.expectKw("BY", "STAGGER")
		p.expectOp("(")
		p.expectKw("PARTITION", "BY")
		st := &Stagger{Pos: t.Pos, PartitionBy: p.exprList()}
		p.expectKw("RANGE")
		st.Range = p.binary(precConcat)
		p.expectOp(")")
		s.Stagger = st
	}
	if p.acceptKw("GROUP") {
		p.expectKw("BY")
		s.GroupBy = p.exprList()
	}
	if p.acceptKw("HAVING") {
		s.Having = p.expr()
	}
	if p.acceptKw("WINDOW") {
		for {
			wd := WindowDef{Name: p.identifier("window name")}
			p.expectKw("AS")
			p.expectOp("(")
			wd.Spec = p.windowBody(p.peek().Pos)
			p.expectOp(")")
			s.Windows = append(s.Windows, wd)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	// ORDER BY is parsed by query, so that after a set operation it
	// orders the whole result.
	return s
}

// selectExpr is an expression or a star (*, s.*).
func (p *parser) selectExpr() Expr {
	t := p.peek()
	if p.acceptOp("*") {
		return &Star{Pos: t.Pos}
	}
	return p.expr()
}

func (p *parser) exprList() []Expr {
	es := []Expr{p.expr()}
	for p.acceptOp(",") {
		es = append(es, p.expr())
	}
	return es
}

func (p *parser) orderItems() []OrderItem {
	var items []OrderItem
	for {
		o := OrderItem{Expr: p.expr()}
		if p.acceptKw("DESC") {
			o.Desc = true
		} else {
			p.acceptKw("ASC")
		}
		if p.acceptKw("NULLS") {
			t := p.peek()
			switch {
			case p.acceptKw("FIRST"):
				o.Nulls = "FIRST"
			case p.acceptKw("LAST"):
				o.Nulls = "LAST"
			default:
				p.failAt(t, "expected FIRST or LAST")
			}
		}
		items = append(items, o)
		if !p.acceptOp(",") {
			return items
		}
	}
}

// windowBody parses the inside of OVER ( ... ) or WINDOW w AS ( ... ).
func (p *parser) windowBody(pos Pos) WindowSpec {
	w := WindowSpec{Pos: pos}
	if p.isIdentifier() && !p.isKw("PARTITION") && !p.isKw("ORDER") && !p.isKw("ROWS") && !p.isKw("RANGE") {
		r := p.identifier("window name")
		w.Ref = &r
	}
	if p.acceptKw("PARTITION") {
		p.expectKw("BY")
		w.PartitionBy = p.exprList()
	}
	if p.acceptKw("ORDER") {
		p.expectKw("BY")
		w.OrderBy = p.orderItems()
	}
	if p.isKw("ROWS") || p.isKw("RANGE") {
		f := &Frame{Unit: p.next().Text}
		if p.acceptKw("BETWEEN") {
			f.Start = p.frameBound()
			p.expectKw("AND")
			e := p.frameBound()
			f.End = &e
		} else {
			f.Start = p.frameBound()
		}
		w.Frame = f
	}
	return w
}

func (p *parser) frameBound() FrameBound {
	switch {
	case p.isKw("UNBOUNDED"):
		p.next()
		t := p.peek()
		if p.acceptKw("PRECEDING") {
			return FrameBound{Kind: "UNBOUNDED PRECEDING"}
		}
		if p.acceptKw("FOLLOWING") {
			return FrameBound{Kind: "UNBOUNDED FOLLOWING"}
		}
		p.failAt(t, "expected PRECEDING or FOLLOWING")
	case p.isKw("CURRENT") && p.isKwN(1, "ROW"):
		p.next()
		p.next()
		return FrameBound{Kind: "CURRENT ROW"}
	}
	b := FrameBound{Offset: p.binary(precConcat)}
	t := p.peek()
	switch {
	case p.acceptKw("PRECEDING"):
		b.Kind = "PRECEDING"
	case p.acceptKw("FOLLOWING"):
		b.Kind = "FOLLOWING"
	default:
		p.failAt(t, "expected PRECEDING or FOLLOWING")
	}
	return b
}

// over parses OVER name or OVER ( spec ) after the OVER keyword.
func (p *parser) overSpec() *WindowSpec {
	t := p.peek()
	if p.acceptOp("(") {
		w := p.windowBody(t.Pos)
		p.expectOp(")")
		return &w
	}
	r := p.identifier("window name or '('")
	return &WindowSpec{Pos: t.Pos, Ref: &r}
}

// ---- FROM ----

func (p *parser) fromClause() TableExpr {
	l := p.tablePrimary()
	for {
		t := p.peek()
		var kind JoinKind
		natural := p.acceptKw("NATURAL")
		switch {
		case !natural && p.acceptOp(","):
			l = &Join{Pos: t.Pos, Kind: JoinComma, L: l, R: p.tablePrimary()}
			continue
		case p.acceptKw("JOIN"):
			kind = JoinInner
		case p.acceptKw("INNER"):
			p.expectKw("JOIN")
			kind = JoinInner
		case p.acceptKw("LEFT"):
			p.acceptKw("OUTER")
			p.expectKw("JOIN")
			kind = JoinLeft
		case p.acceptKw("RIGHT"):
			p.acceptKw("OUTER")
			p.expectKw("JOIN")
			kind = JoinRight
		case p.acceptKw("FULL"):
			p.acceptKw("OUTER")
			p.expectKw("JOIN")
			kind = JoinFull
		case p.acceptKw("CROSS"):
			p.expectKw("JOIN")
			kind = JoinCross
		default:
			if natural {
				p.failAt(p.peek(), "expected JOIN after NATURAL")
			}
			return l
		}
		if natural && kind == JoinCross {
			p.fail(t.Pos, "NATURAL CROSS JOIN is not a join")
		}
		j := &Join{Pos: t.Pos, Kind: kind, Natural: natural, L: l, R: p.tablePrimary()}
		if kind != JoinCross && !natural {
			ot := p.peek()
			switch {
			case p.acceptKw("ON"):
				j.On = p.expr()
			case p.acceptKw("USING"):
				p.expectOp("(")
				j.Using = p.identList("column name")
				p.expectOp(")")
			default:
				p.failAt(ot, "expected ON or USING after the joined stream")
			}
		}
		l = j
	}
}

// tableAlias parses [AS] alias [(columns)].
func (p *parser) tableAlias() (*Ident, []Ident) {
	if !p.acceptKw("AS") && !p.isIdentifier() {
		return nil, nil
	}
	a := p.identifier("alias")
	var cols []Ident
	if p.acceptOp("(") {
		cols = p.identList("column name")
		p.expectOp(")")
	}
	return &a, cols
}

func (p *parser) tableOver() *WindowSpec {
	if p.acceptKw("OVER") {
		return p.overSpec()
	}
	return nil
}

func (p *parser) tablePrimary() TableExpr {
	p.enter()
	defer p.leave()
	t := p.peek()
	switch {
	case p.isKw("TABLE"):
		p.next()
		p.expectOp("(")
		call := p.tableFuncCall()
		p.expectOp(")")
		f := &TableFunction{Pos: t.Pos, Call: call, Wrapped: true}
		f.Alias, f.AliasColumns = p.tableAlias()
		return f
	case p.isOp("("):
		p.next()
		if !p.isKw("SELECT") && !p.isOp("(") {
			p.failAt(p.peek(), "expected a query after '(' in FROM")
		}
		q := p.query()
		p.expectOp(")")
		d := &DerivedTable{Pos: t.Pos, Query: q}
		d.Over = p.tableOver()
		d.Alias, d.AliasColumns = p.tableAlias()
		return d
	case p.isIdentifier() && p.isOpN(1, "("):
		call := p.tableFuncCall()
		f := &TableFunction{Pos: t.Pos, Call: call}
		f.Alias, f.AliasColumns = p.tableAlias()
		return f
	case p.isIdentifier():
		r := &TableRef{Pos: t.Pos, Name: p.objectName("stream name")}
		r.Over = p.tableOver()
		r.Alias, r.AliasColumns = p.tableAlias()
		return r
	}
	p.failAt(t, "expected a stream, table, subquery or TABLE(...) in FROM")
	return nil
}

func (p *parser) tableFuncCall() *FuncCall {
	t := p.peek()
	name := p.identifier("table function name")
	if !p.isOp("(") {
		p.failAt(p.peek(), "expected '(' after table function name")
	}
	return p.funcCall(t.Pos, name)
}

// ---- expressions ----

func (p *parser) expr() Expr {
	p.enter()
	defer p.leave()
	return p.binary(precOr)
}

// binary parses an expression whose operators bind at least as tightly as min.
func (p *parser) binary(min int) Expr {
	switch {
	case min <= precOr:
		l := p.binary(precAnd)
		for p.isKw("OR") {
			t := p.next()
			l = &Binary{Pos: t.Pos, Op: "OR", L: l, R: p.binary(precAnd)}
		}
		return l
	case min <= precAnd:
		l := p.binary(precNot)
		for p.isKw("AND") {
			t := p.next()
			l = &Binary{Pos: t.Pos, Op: "AND", L: l, R: p.binary(precNot)}
		}
		return l
	case min <= precNot:
		if p.isKw("NOT") {
			t := p.next()
			p.enter()
			defer p.leave()
			return &Unary{Pos: t.Pos, Op: "NOT", X: p.binary(precNot)}
		}
		return p.binary(precCmp)
	case min <= precCmp:
		return p.comparison()
	case min <= precConcat:
		return p.leftAssoc(precConcat, "||")
	case min <= precAdd:
		return p.leftAssoc(precAdd, "+", "-")
	case min <= precMul:
		return p.leftAssoc(precMul, "*", "/", "%")
	default:
		return p.unary()
	}
}

func (p *parser) leftAssoc(prec int, ops ...string) Expr {
	l := p.binary(prec + 1)
	for {
		t := p.peek()
		if t.Kind != TokOp || !contains(ops, t.Text) {
			return l
		}
		p.next()
		l = &Binary{Pos: t.Pos, Op: t.Text, L: l, R: p.binary(prec + 1)}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) comparison() Expr {
	l := p.binary(precConcat)
	for {
		t := p.peek()
		if t.Kind == TokOp {
			switch t.Text {
			case "=", "<>", "!=", "<", "<=", ">", ">=":
				p.next()
				op := t.Text
				if op == "!=" {
					op = "<>"
				}
				l = &Binary{Pos: t.Pos, Op: op, L: l, R: p.binary(precConcat)}
				continue
			}
			return l
		}
		if t.Kind != TokIdent {
			return l
		}
		if t.Text == "IS" {
			p.next()
			is := &IsExpr{Pos: t.Pos, X: l, Not: p.acceptKw("NOT")}
			wt := p.peek()
			switch {
			case p.acceptKw("NULL"), p.acceptKw("TRUE"), p.acceptKw("FALSE"), p.acceptKw("UNKNOWN"):
				is.What = wt.Text
			default:
				p.failAt(wt, "expected NULL, TRUE, FALSE or UNKNOWN after IS")
			}
			l = is
			continue
		}
		not := false
		if t.Text == "NOT" {
			n := p.peekN(1)
			if n.Kind != TokIdent || (n.Text != "BETWEEN" && n.Text != "IN" && n.Text != "LIKE" && n.Text != "SIMILAR") {
				return l
			}
			p.next()
			not = true
		}
		kt := p.peek()
		switch {
		case p.acceptKw("BETWEEN"):
			b := &Between{Pos: kt.Pos, X: l, Not: not}
			p.acceptKw("ASYMMETRIC")
			b.Lo = p.binary(precConcat)
			p.expectKw("AND")
			b.Hi = p.binary(precConcat)
			l = b
		case p.acceptKw("IN"):
			in := &InExpr{Pos: kt.Pos, X: l, Not: not}
			p.expectOp("(")
			if p.isKw("SELECT") {
				in.Query = p.query()
				p.expectOp(")")
			} else if q, ok := p.queryInParens(); ok {
				in.Query = q
			} else {
				in.List = p.exprList()
				p.expectOp(")")
			}
			l = in
		case p.acceptKw("LIKE"):
			l = p.like(kt.Pos, l, not, false)
		case p.isKw("SIMILAR") && (not || p.isKwN(1, "TO")):
			// SIMILAR without TO belongs to SUBSTRING(x SIMILAR p).
			p.next()
			p.expectKw("TO")
			l = p.like(kt.Pos, l, not, true)
		default:
			return l
		}
	}
}

func (p *parser) like(pos Pos, x Expr, not, similar bool) Expr {
	lk := &LikeExpr{Pos: pos, X: x, Not: not, Similar: similar, Pattern: p.binary(precConcat)}
	if p.acceptKw("ESCAPE") {
		lk.Escape = p.binary(precConcat)
	}
	return lk
}

func (p *parser) unary() Expr {
	t := p.peek()
	if t.Kind == TokOp && (t.Text == "-" || t.Text == "+") {
		p.next()
		p.enter()
		defer p.leave()
		return &Unary{Pos: t.Pos, Op: t.Text, X: p.unary()}
	}
	return p.postfix(p.primary())
}

// postfix applies .field to expressions that are not plain names.
func (p *parser) postfix(e Expr) Expr {
	switch e.(type) {
	case *ColumnRef, *Star, *Literal, *TypedLiteral, *IntervalLit:
		return e
	}
	for p.isOp(".") {
		t := p.next()
		e = &FieldAccess{Pos: t.Pos, X: e, Field: p.identifier("field name")}
	}
	return e
}

func (p *parser) intervalQualifier() IntervalQualifier {
	t := p.peek()
	u, ok := intervalUnits[t.Text]
	if t.Kind != TokIdent || !ok {
		p.failAt(t, "expected an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)")
	}
	p.next()
	q := IntervalQualifier{Start: u}
	if p.acceptOp("(") {
		q.Precision = p.intLit("interval precision")
		if q.Precision == 0 {
			p.fail(t.Pos, "interval precision must be positive")
		}
		p.expectOp(")")
	}
	if p.acceptKw("TO") {
		et := p.peek()
		e, ok := intervalUnits[et.Text]
		if et.Kind != TokIdent || !ok {
			p.failAt(et, "expected an interval unit after TO")
		}
		if !validRange(q.Start, e) {
			p.fail(et.Pos, "invalid interval qualifier %s TO %s", q.Start, e)
		}
		p.next()
		q.End = e
	}
	return q
}

var unitOrder = map[string]int{"YEAR": 0, "MONTH": 1, "DAY": 2, "HOUR": 3, "MINUTE": 4, "SECOND": 5}

// validRange reports whether start TO end is a SQL interval qualifier:
// YEAR TO MONTH, or a coarser to a finer unit among DAY, HOUR, MINUTE, SECOND.
func validRange(start, end string) bool {
	s, e := unitOrder[start], unitOrder[end]
	if s <= 1 {
		return s == 0 && e == 1
	}
	return e > s
}

func (p *parser) primary() Expr {
	t := p.peek()
	switch t.Kind {
	case TokNumber:
		p.next()
		return &Literal{Pos: t.Pos, Kind: LitNumber, Value: t.Text}
	case TokString:
		p.next()
		return &Literal{Pos: t.Pos, Kind: LitString, Value: t.Text}
	case TokOp:
		if t.Text == "(" {
			p.next()
			if p.isKw("SELECT") {
				q := p.query()
				p.expectOp(")")
				return &SubqueryExpr{Pos: t.Pos, Query: q}
			}
			var e Expr
			if q, ok := p.queryInParens(); ok {
				e = &SubqueryExpr{Pos: t.Pos, Query: q}
			} else {
				e = p.expr()
				p.expectOp(")")
			}
			if n := p.peek(); n.Kind == TokIdent && intervalUnits[n.Text] == n.Text {
				return &IntervalCast{Pos: t.Pos, X: e, Qualifier: p.intervalQualifier()}
			}
			for p.isOp(".") {
				dt := p.next()
				e = &FieldAccess{Pos: dt.Pos, X: e, Field: p.identifier("field name")}
			}
			return e
		}
		p.failAt(t, "expected an expression")
	case TokQIdent:
		return p.nameOrCall()
	case TokEOF:
		p.failAt(t, "expected an expression")
	}
	// Keyword-led forms.
	switch t.Text {
	case "NULL":
		p.next()
		return &Literal{Pos: t.Pos, Kind: LitNull, Value: "NULL"}
	case "TRUE", "FALSE":
		p.next()
		return &Literal{Pos: t.Pos, Kind: LitBool, Value: t.Text}
	case "TIMESTAMP", "DATE", "TIME":
		if p.peekN(1).Kind == TokString {
			p.next()
			return &TypedLiteral{Pos: t.Pos, Type: t.Text, Value: p.next().Text}
		}
	case "INTERVAL":
		p.next()
		neg := ""
		if p.acceptOp("-") {
			neg = "-"
		}
		v := p.stringLit("interval value string ('10')")
		if neg != "" {
			if strings.HasPrefix(v, "-") {
				v = v[1:]
			} else {
				v = "-" + v
			}
		}
		return &IntervalLit{Pos: t.Pos, Value: v, Qualifier: p.intervalQualifier()}
	case "CASE":
		return p.caseExpr()
	case "CAST":
		p.next()
		p.expectOp("(")
		c := &CastExpr{Pos: t.Pos, X: p.expr()}
		p.expectKw("AS")
		c.Type = p.dataType()
		p.expectOp(")")
		return c
	case "EXISTS":
		p.next()
		p.expectOp("(")
		q := p.query()
		p.expectOp(")")
		return &ExistsExpr{Pos: t.Pos, Query: q}
	case "TABLE":
		p.next()
		ta := &TableArg{Pos: t.Pos}
		if p.acceptOp("(") {
			ta.Query = p.query()
			p.expectOp(")")
		} else {
			ta.Name = p.objectName("table name")
		}
		if p.acceptKw("PARTITION") {
			// One key, or a parenthesised list: the keys are followed by
			// the table function's other arguments.
			p.expectKw("BY")
			if p.acceptOp("(") {
				ta.PartitionBy = p.exprList()
				p.expectOp(")")
			} else {
				ta.PartitionBy = []Expr{p.expr()}
			}
		}
		return ta
	}
	if niladics[t.Text] {
		p.next()
		return &Niladic{Pos: t.Pos, Name: t.Text}
	}
	if p.isOpN(1, "(") {
		switch t.Text {
		case "STEP", "FLOOR", "CEIL", "CEILING", "SUBSTRING", "TRIM", "POSITION", "EXTRACT", "CURSOR", "DESCRIPTOR", "OVERLAY":
			return p.special()
		}
		// Function call; of the reserved words only LEFT and RIGHT (the
		// string functions) name functions.
		if reserved[t.Text] && t.Text != "LEFT" && t.Text != "RIGHT" {
			p.failAt(t, "expected an expression")
		}
		p.next()
		return p.funcCall(t.Pos, Ident{Pos: t.Pos, Name: t.Text})
	}
	if reserved[t.Text] {
		p.failAt(t, "expected an expression")
	}
	return p.nameOrCall()
}

// nameOrCall parses a (qualified) column name, qualified star or a call of
// a quoted function name.
func (p *parser) nameOrCall() Expr {
	t := p.peek()
	first := p.identifier("an expression")
	if p.isOp("(") {
		return p.funcCall(t.Pos, first)
	}
	parts := []Ident{first}
	for p.isOp(".") {
		p.next()
		if st := p.peek(); p.acceptOp("*") {
			return &Star{Pos: st.Pos, Qualifier: parts}
		}
		parts = append(parts, p.identifier("column name after '.'"))
	}
	return &ColumnRef{Pos: t.Pos, Parts: parts}
}

// funcCall parses (args) [IGNORE|RESPECT NULLS] [OVER ...] after a name.
func (p *parser) funcCall(pos Pos, name Ident) *FuncCall {
	p.enter()
	defer p.leave()
	p.expectOp("(")
	f := &FuncCall{Pos: pos, Name: name}
	if p.isOp("*") && p.isOpN(1, ")") {
		p.next()
		f.Star = true
	} else if !p.isOp(")") {
		if p.acceptKw("DISTINCT") {
			f.Quantifier = "DISTINCT"
		} else if p.acceptKw("ALL") {
			f.Quantifier = "ALL"
		}
		for {
			f.Args = append(f.Args, p.argument())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	p.expectOp(")")
	if p.isKw("IGNORE") || p.isKw("RESPECT") {
		k := p.next()
		p.expectKw("NULLS")
		f.NullTreatment = k.Text + " NULLS"
	}
	if p.acceptKw("OVER") {
		f.Over = p.overSpec()
	}
	return f
}

func (p *parser) argument() Expr {
	t := p.peek()
	if (t.Kind == TokIdent || t.Kind == TokQIdent) && p.isOpN(1, "=>") {
		name := Ident{Pos: t.Pos, Name: t.Text, Quoted: t.Kind == TokQIdent}
		p.next()
		p.next()
		return &NamedArg{Pos: t.Pos, Name: name, Value: p.expr()}
	}
	if p.isOp("*") {
		p.next()
		return &Star{Pos: t.Pos}
	}
	return p.expr()
}

func (p *parser) timeUnit(what string) string {
	t := p.peek()
	if t.Kind != TokIdent || !timeUnits[t.Text] {
		if u, ok := intervalUnits[t.Text]; ok && t.Kind == TokIdent {
			p.next()
			return u
		}
		p.failAt(t, "expected "+what)
	}
	p.next()
	return t.Text
}

// special parses the functions with keyword syntax inside the parentheses.
func (p *parser) special() Expr {
	p.enter()
	defer p.leave()
	t := p.next()
	p.expectOp("(")
	var e Expr
	switch t.Text {
	case "STEP":
		s := &StepExpr{Pos: t.Pos, X: p.expr()}
		p.expectKw("BY")
		s.By = p.expr()
		e = s
	case "FLOOR", "CEIL", "CEILING":
		x := p.expr()
		if !p.acceptKw("TO") {
			// Plain numeric FLOOR(x) / CEIL(x).
			p.expectOp(")")
			return p.finishCall(&FuncCall{Pos: t.Pos, Name: Ident{Pos: t.Pos, Name: t.Text}, Args: []Expr{x}})
		}
		e = &FloorCeil{Pos: t.Pos, Func: t.Text, X: x, Unit: p.timeUnit("a time unit after TO (SECOND, MINUTE, HOUR, DAY, ...)")}
	case "SUBSTRING":
		x := p.expr()
		switch {
		case p.acceptKw("FROM"):
			s := &Substring{Pos: t.Pos, X: x, From: p.expr()}
			if p.acceptKw("FOR") {
				s.For = p.expr()
			}
			e = s
		case p.acceptKw("SIMILAR"):
			s := &Substring{Pos: t.Pos, X: x, Similar: true, From: p.expr()}
			if p.acceptKw("ESCAPE") {
				s.Escape = p.expr()
			}
			e = s
		default:
			args := []Expr{x}
			for p.acceptOp(",") {
				args = append(args, p.expr())
			}
			p.expectOp(")")
			return p.finishCall(&FuncCall{Pos: t.Pos, Name: Ident{Pos: t.Pos, Name: t.Text}, Args: args})
		}
	case "TRIM":
		tr := &TrimExpr{Pos: t.Pos}
		if p.isKw("BOTH") || p.isKw("LEADING") || p.isKw("TRAILING") {
			tr.Side = p.next().Text
			if !p.acceptKw("FROM") {
				tr.Chars = p.expr()
				p.expectKw("FROM")
			}
			tr.X = p.expr()
		} else if p.acceptKw("FROM") {
			tr.X = p.expr()
		} else {
			x := p.expr()
			if p.acceptKw("FROM") {
				tr.Chars = x
				tr.X = p.expr()
			} else {
				tr.X = x
			}
		}
		e = tr
	case "POSITION":
		pe := &PositionExpr{Pos: t.Pos, Sub: p.binary(precConcat)}
		p.expectKw("IN")
		pe.X = p.expr()
		e = pe
	case "OVERLAY":
		o := &OverlayExpr{Pos: t.Pos, X: p.expr()}
		p.expectKw("PLACING")
		o.With = p.expr()
		p.expectKw("FROM")
		o.From = p.expr()
		if p.acceptKw("FOR") {
			o.For = p.expr()
		}
		e = o
	case "EXTRACT":
		ex := &ExtractExpr{Pos: t.Pos, Unit: p.timeUnit("a time unit (YEAR, MONTH, DAY, HOUR, ...)")}
		p.expectKw("FROM")
		ex.X = p.expr()
		e = ex
	case "CURSOR":
		e = &CursorExpr{Pos: t.Pos, Query: p.query()}
	case "DESCRIPTOR":
		e = &DescriptorExpr{Pos: t.Pos, Cols: p.identList("column name")}
	}
	p.expectOp(")")
	return e
}

// finishCall parses what may follow the parentheses of a call.
func (p *parser) finishCall(f *FuncCall) Expr {
	if p.isKw("IGNORE") || p.isKw("RESPECT") {
		k := p.next()
		p.expectKw("NULLS")
		f.NullTreatment = k.Text + " NULLS"
	}
	if p.acceptKw("OVER") {
		f.Over = p.overSpec()
	}
	return f
}

func (p *parser) caseExpr() Expr {
	p.enter()
	defer p.leave()
	t := p.expectKw("CASE")
	c := &CaseExpr{Pos: t.Pos}
	if !p.isKw("WHEN") {
		c.Operand = p.expr()
	}
	for p.acceptKw("WHEN") {
		w := WhenClause{Cond: p.expr()}
		p.expectKw("THEN")
		w.Result = p.expr()
		c.Whens = append(c.Whens, w)
	}
	if len(c.Whens) == 0 {
		p.failAt(p.peek(), "expected WHEN")
	}
	if p.acceptKw("ELSE") {
		c.Else = p.expr()
	}
	p.expectKw("END")
	return c
}

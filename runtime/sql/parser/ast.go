package parser

// Node is any syntax tree node. String prints it as SQL that parses back to
// an equal tree.
type Node interface {
	Position() Pos
	String() string
}

// Stmt is a top-level statement of an application.
type Stmt interface {
	Node
	stmtNode()
}

// Query is a SELECT or a set operation (UNION ALL, ...). Queries are also
// statements (an ad hoc query).
type Query interface {
	Stmt
	queryNode()
}

// Expr is a value expression.
type Expr interface {
	Node
	exprNode()
}

// TableExpr is an item of a FROM clause.
type TableExpr interface {
	Node
	tableNode()
}

// Ident is an identifier. Unquoted identifiers are stored upper-cased.
type Ident struct {
	Pos
	Name   string
	Quoted bool
}

// ObjectName is a possibly qualified name: "schema"."stream".
type ObjectName []Ident

// DataType is a SQL type such as VARCHAR(32) or DECIMAL(10,2). Name is the
// canonical upper-case name (DOUBLE PRECISION is DOUBLE, CHARACTER VARYING
// is VARCHAR, CHARACTER is CHAR).
type DataType struct {
	Pos
	Name string
	Args []int
}

// ColumnDef is a column of CREATE STREAM.
type ColumnDef struct {
	Name    Ident
	Type    DataType
	NotNull bool
}

// CreateStream is CREATE [OR REPLACE] STREAM name (columns) [DESCRIPTION '...'].
type CreateStream struct {
	Pos
	OrReplace   bool
	Name        ObjectName
	Columns     []ColumnDef
	Description *string
}

// CreateView is CREATE [OR REPLACE] VIEW name [(columns)] [DESCRIPTION '...'] AS query.
type CreateView struct {
	Pos
	OrReplace   bool
	Name        ObjectName
	Columns     []Ident
	Description *string
	Query       Query
}

// CreatePump is CREATE [OR REPLACE] PUMP name [STOPPED] [DESCRIPTION '...'] AS INSERT INTO ...
type CreatePump struct {
	Pos
	OrReplace   bool
	Name        ObjectName
	Stopped     bool
	Description *string
	Insert      *Insert
}

// Param is a parameter of CREATE FUNCTION.
type Param struct {
	Name Ident
	Type DataType
}

// CreateFunction is CREATE [OR REPLACE] FUNCTION name(params) RETURNS type
// LANGUAGE SQL [options] RETURN expr, or kinesin's external function
// LANGUAGE WASM [options] EXTERNAL NAME 'function[:qualifier]' (no body),
// which calls a kinesin function once per row. Options are printed in a
// fixed order.
type CreateFunction struct {
	Pos
	OrReplace     bool
	Name          ObjectName
	Params        []Param
	Returns       DataType
	Language      string // SQL
	Deterministic *bool  // nil when not stated
	DataAccess    string // "", "CONTAINS SQL", "READS SQL DATA", "NO SQL", "MODIFIES SQL DATA"
	OnNull        string // "", "RETURNS NULL ON NULL INPUT", "CALLED ON NULL INPUT"
	External      string // LANGUAGE WASM: the function called
	Body          Expr   // nil for LANGUAGE WASM
}

// Insert is INSERT INTO target [(columns)] query.
type Insert struct {
	Pos
	Target  ObjectName
	Columns []Ident
	Query   Query
}

// SelectItem is an item of a select list; Expr may be a *Star.
type SelectItem struct {
	Expr  Expr
	Alias *Ident
}

// OrderItem is an item of ORDER BY (or of a window's ORDER BY).
type OrderItem struct {
	Expr  Expr
	Desc  bool
	Nulls string // "", "FIRST", "LAST"
}

// FrameBound is one end of a window frame. Kind is "PRECEDING" or
// "FOLLOWING" (with Offset), "CURRENT ROW", "UNBOUNDED PRECEDING" or
// "UNBOUNDED FOLLOWING".
type FrameBound struct {
	Kind   string
	Offset Expr
}

// Frame is ROWS|RANGE start, or ROWS|RANGE BETWEEN start AND end.
type Frame struct {
	Unit  string // "ROWS" or "RANGE"
	Start FrameBound
	End   *FrameBound
}

// WindowSpec is a window specification: OVER W1, OVER (PARTITION BY ... RANGE
// INTERVAL '1' MINUTE PRECEDING), or the body of a WINDOW clause entry.
// A spec with only Ref prints as OVER ref.
type WindowSpec struct {
	Pos
	Ref         *Ident
	PartitionBy []Expr
	OrderBy     []OrderItem
	Frame       *Frame
}

// WindowDef is an entry of the WINDOW clause: name AS (spec).
type WindowDef struct {
	Name Ident
	Spec WindowSpec
}

// Stagger is WINDOWED BY STAGGER (PARTITION BY ... RANGE interval).
type Stagger struct {
	Pos
	PartitionBy []Expr
	Range       Expr
}

// Select is SELECT [STREAM] [DISTINCT|ALL] items [FROM ...] [WHERE ...]
// [WINDOWED BY STAGGER(...)] [GROUP BY ...] [HAVING ...] [WINDOW ...]
// [ORDER BY ...].
type Select struct {
	Pos
	Stream     bool
	Quantifier string // "", "DISTINCT", "ALL"
	Items      []SelectItem
	From       TableExpr
	Where      Expr
	Stagger    *Stagger
	GroupBy    []Expr
	Having     Expr
	Windows    []WindowDef
	OrderBy    []OrderItem
}

// SetOp is L UNION|EXCEPT|INTERSECT [ALL] R [ORDER BY ...]; an ORDER BY
// after the last operand orders the whole set operation.
type SetOp struct {
	Pos
	Op      string
	All     bool
	L, R    Query
	OrderBy []OrderItem
}

// TableRef is a stream, table or view in FROM, optionally windowed for a
// stream-to-stream join: "Trades" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t.
type TableRef struct {
	Pos
	Name  ObjectName
	Over  *WindowSpec
	Alias *Ident
	// AliasColumns renames the columns: FROM s AS t (a, b).
	AliasColumns []Ident
}

// DerivedTable is a parenthesised query in FROM.
type DerivedTable struct {
	Pos
	Query        Query
	Over         *WindowSpec
	Alias        *Ident
	AliasColumns []Ident
}

// TableFunction is a table function in FROM: TABLE(f(args)) when Wrapped,
// or f(args) (Flink style TUMBLE(TABLE t, DESCRIPTOR(c), INTERVAL ...)).
type TableFunction struct {
	Pos
	Call         *FuncCall
	Wrapped      bool
	Alias        *Ident
	AliasColumns []Ident
}

// JoinKind is the kind of a join.
type JoinKind int

// Join kinds. JoinComma is the old-style FROM a, b.
const (
	JoinInner JoinKind = iota
	JoinLeft
	JoinRight
	JoinFull
	JoinCross
	JoinComma
)

func (k JoinKind) String() string {
	return [...]string{"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "CROSS JOIN", ","}[k]
}

// Join is L [NATURAL] kind R [ON cond | USING (cols)].
type Join struct {
	Pos
	Kind    JoinKind
	Natural bool
	L, R    TableExpr
	On      Expr
	Using   []Ident
}

// LitKind is the kind of a Literal.
type LitKind int

// Literal kinds.
const (
	LitNumber LitKind = iota
	LitString
	LitBool
	LitNull
)

// Literal is a number (Value as written), string (Value unescaped),
// boolean (TRUE/FALSE) or NULL.
type Literal struct {
	Pos
	Kind  LitKind
	Value string
}

// TypedLiteral is TIMESTAMP '...', DATE '...' or TIME '...'.
type TypedLiteral struct {
	Pos
	Type  string
	Value string
}

// IntervalQualifier is the unit of an interval: SECOND, DAY TO HOUR,
// MINUTE(3) (Precision 0 when absent).
type IntervalQualifier struct {
	Start     string
	Precision int
	End       string
}

// IntervalLit is INTERVAL 'value' qualifier.
type IntervalLit struct {
	Pos
	Value     string
	Qualifier IntervalQualifier
}

// ColumnRef is a possibly qualified column name: price, s.ROWTIME, "S"."ROWTIME".
type ColumnRef struct {
	Pos
	Parts []Ident
}

// Star is * or qualifier.* in a select list or argument list.
type Star struct {
	Pos
	Qualifier []Ident
}

// Unary is -x, +x or NOT x.
type Unary struct {
	Pos
	Op string
	X  Expr
}

// Binary is L op R; Op is one of OR AND = <> < <= > >= || + - * / %.
type Binary struct {
	Pos
	Op   string
	L, R Expr
}

// IsExpr is X IS [NOT] NULL|TRUE|FALSE|UNKNOWN.
type IsExpr struct {
	Pos
	X    Expr
	Not  bool
	What string
}

// Between is X [NOT] BETWEEN Lo AND Hi.
type Between struct {
	Pos
	X, Lo, Hi Expr
	Not       bool
}

// InExpr is X [NOT] IN (list) or X [NOT] IN (query).
type InExpr struct {
	Pos
	X     Expr
	Not   bool
	List  []Expr
	Query Query
}

// LikeExpr is X [NOT] LIKE pattern [ESCAPE e] or X [NOT] SIMILAR TO pattern [ESCAPE e].
type LikeExpr struct {
	Pos
	X       Expr
	Not     bool
	Similar bool
	Pattern Expr
	Escape  Expr
}

// WhenClause is WHEN cond THEN result.
type WhenClause struct {
	Cond, Result Expr
}

// CaseExpr is CASE [operand] WHEN ... THEN ... [ELSE ...] END.
type CaseExpr struct {
	Pos
	Operand Expr
	Whens   []WhenClause
	Else    Expr
}

// CastExpr is CAST(X AS type).
type CastExpr struct {
	Pos
	X    Expr
	Type DataType
}

// FuncCall is a function call: name([DISTINCT|ALL] args) or name(*),
// optionally with IGNORE|RESPECT NULLS and an OVER window.
type FuncCall struct {
	Pos
	Name          Ident
	Quantifier    string // "", "DISTINCT", "ALL"
	Star          bool   // COUNT(*)
	Args          []Expr
	NullTreatment string // "", "IGNORE NULLS", "RESPECT NULLS"
	Over          *WindowSpec
}

// StepExpr is STEP(X BY interval), the tumbling-window grouping function.
type StepExpr struct {
	Pos
	X, By Expr
}

// FloorCeil is FLOOR(X TO unit) or CEIL(X TO unit) (Func FLOOR, CEIL or CEILING).
type FloorCeil struct {
	Pos
	Func string
	X    Expr
	Unit string
}

// Substring is SUBSTRING(X FROM from [FOR length]) or, when Similar,
// SUBSTRING(X SIMILAR from [ESCAPE escape]).
type Substring struct {
	Pos
	X, From, For Expr
	Similar      bool
	Escape       Expr
}

// TrimExpr is TRIM([BOTH|LEADING|TRAILING] [chars] FROM X) or TRIM(X).
type TrimExpr struct {
	Pos
	Side  string
	Chars Expr
	X     Expr
}

// OverlayExpr is OVERLAY(X PLACING With FROM From [FOR For]).
type OverlayExpr struct {
	Pos
	X, With, From, For Expr
}

// PositionExpr is POSITION(Sub IN X).
type PositionExpr struct {
	Pos
	Sub, X Expr
}

// ExtractExpr is EXTRACT(unit FROM X).
type ExtractExpr struct {
	Pos
	Unit string
	X    Expr
}

// Niladic is a parameterless keyword function: CURRENT_ROW_TIMESTAMP,
// CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME, LOCALTIME, LOCALTIMESTAMP.
type Niladic struct {
	Pos
	Name string
}

// CursorExpr is CURSOR(query), the input of a table function.
type CursorExpr struct {
	Pos
	Query Query
}

// SubqueryExpr is a scalar (query).
type SubqueryExpr struct {
	Pos
	Query Query
}

// ExistsExpr is EXISTS (query).
type ExistsExpr struct {
	Pos
	Query Query
}

// DescriptorExpr is DESCRIPTOR(col, ...), naming the time column of a
// Flink-style window table function.
type DescriptorExpr struct {
	Pos
	Cols []Ident
}

// TableArg is a table argument of a table function: TABLE name or
// TABLE (query), optionally PARTITION BY keys (SESSION windows).
type TableArg struct {
	Pos
	Name        ObjectName
	Query       Query
	PartitionBy []Expr
}

// NamedArg is name => value in a function's arguments.
type NamedArg struct {
	Pos
	Name  Ident
	Value Expr
}

// FieldAccess is X.field on an expression that is not a plain name, for
// instance a row returned by REGEX_LOG_PARSE(...).COLUMN1.
type FieldAccess struct {
	Pos
	X     Expr
	Field Ident
}

// IntervalCast is (X) qualifier, the datetime difference as an interval:
// (ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND.
type IntervalCast struct {
	Pos
	X         Expr
	Qualifier IntervalQualifier
}

func (*CreateStream) stmtNode()   {}
func (*CreateView) stmtNode()     {}
func (*CreatePump) stmtNode()     {}
func (*CreateFunction) stmtNode() {}
func (*Insert) stmtNode()         {}
func (*Select) stmtNode()         {}
func (*SetOp) stmtNode()          {}
func (*Select) queryNode()        {}
func (*SetOp) queryNode()         {}

func (*TableRef) tableNode()      {}
func (*DerivedTable) tableNode()  {}
func (*TableFunction) tableNode() {}
func (*Join) tableNode()          {}

func (*Literal) exprNode()        {}
func (*TypedLiteral) exprNode()   {}
func (*IntervalLit) exprNode()    {}
func (*ColumnRef) exprNode()      {}
func (*Star) exprNode()           {}
func (*Unary) exprNode()          {}
func (*Binary) exprNode()         {}
func (*IsExpr) exprNode()         {}
func (*Between) exprNode()        {}
func (*InExpr) exprNode()         {}
func (*LikeExpr) exprNode()       {}
func (*CaseExpr) exprNode()       {}
func (*CastExpr) exprNode()       {}
func (*FuncCall) exprNode()       {}
func (*StepExpr) exprNode()       {}
func (*FloorCeil) exprNode()      {}
func (*Substring) exprNode()      {}
func (*TrimExpr) exprNode()       {}
func (*PositionExpr) exprNode()   {}
func (*OverlayExpr) exprNode()    {}
func (*ExtractExpr) exprNode()    {}
func (*Niladic) exprNode()        {}
func (*CursorExpr) exprNode()     {}
func (*SubqueryExpr) exprNode()   {}
func (*ExistsExpr) exprNode()     {}
func (*DescriptorExpr) exprNode() {}
func (*TableArg) exprNode()       {}
func (*NamedArg) exprNode()       {}
func (*FieldAccess) exprNode()    {}
func (*IntervalCast) exprNode()   {}

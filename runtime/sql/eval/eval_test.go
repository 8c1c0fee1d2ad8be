package eval

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/sql/parser"
)

var testScope = &Scope{
	Columns: []Column{
		{Qualifier: "S", Name: "ROWTIME", Type: Type{Kind: Timestamp}},
		{Qualifier: "S", Name: "TICKER_SYMBOL", Type: Type{Kind: Varchar, Len: 4}},
		{Qualifier: "S", Name: "PRICE", Type: Type{Kind: Double}},
		{Qualifier: "S", Name: "QTY", Type: Type{Kind: Integer}},
		{Qualifier: "S", Name: "N", Type: Type{Kind: Integer}},
		{Qualifier: "S", Name: "lower", Type: Type{Kind: Varchar}},
		{Qualifier: "S", Name: "SECTOR", Type: Type{Kind: Varchar, Len: 16}},
		{Qualifier: "S", Name: "CHANGE_TIME", Type: Type{Kind: BigInt}},
	},
	Clock:   func() time.Time { return time.Date(2024, 2, 29, 13, 14, 15, 0, time.UTC) },
	RowTime: func() time.Time { return time.Date(2024, 3, 1, 0, 0, 1, 0, time.UTC) },
}

var testRow = Row{
	TimestampMillis(time.Date(2004, 9, 26, 11, 23, 45, 678e6, time.UTC).UnixMilli()),
	Str("AMZN"),
	DoubleValue(84.5),
	Int(7),
	NullValue,
	Str("quoted"),
	Str("TECHNOLOGY"),
	BigIntValue(1480636800000),
}

func eval(t *testing.T, src string) (Value, error) {
	t.Helper()
	e, err := parser.ParseExpr(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	f, _, err := Compile(e, testScope)
	if err != nil {
		return NullValue, err
	}
	return f(testRow)
}

// TestExpressions is the golden table: expression → printed value (or
// "error: substring").
func TestExpressions(t *testing.T) {
	tests := []struct{ expr, want string }{
		// Literals and columns.
		{"1", "1"}, {"1.50", "1.50"}, {"1e3", "1000.0"}, {"'x'", "x"}, {"NULL", "NULL"},
		{"TRUE", "TRUE"}, {"ticker_symbol", "AMZN"}, {"s.price", "84.5"}, {`"lower"`, "quoted"},
		{"ROWTIME", "2004-09-26 11:23:45.678"}, {"lower", "error: column LOWER not found"},
		{"t.price", "error: column T.PRICE not found"}, {"S.ROWTIME", "2004-09-26 11:23:45.678"}, {`"S"."ROWTIME"`, "2004-09-26 11:23:45.678"},
		{`"s".ROWTIME`, "error: not found"}, {"EXTRACT(SECOND FROM TIMESTAMP '1969-12-31 23:59:59.250')", "59.250"},
		// Arithmetic and widening.
		{"1 + 2 * 3", "7"}, {"7 / 2", "3"}, {"-7 / 2", "-3"}, {"7 % 3", "1"}, {"7.0 / 2", "3.500000"},
		{"1.5 + 1", "2.5"}, {"0.1 + 0.2", "0.3"}, {"1.25 * 2.5", "3.125"}, {"price * 2", "169.0"},
		{"qty + 1.5", "8.5"}, {"qty + n", "NULL"}, {"CAST(1 AS REAL) / 4", "0.25"},
		{"2147483647 + 1", "error: numeric overflow"}, {"CAST(127 AS TINYINT) + CAST(1 AS TINYINT)", "error: numeric overflow"},
		{"9223372036854775807 + 1", "error: numeric overflow"}, {"-(CAST(-2147483648 AS INTEGER))", "error: numeric overflow"},
		{"1 / 0", "error: division by zero"}, {"1.0 / 0", "error: division by zero"}, {"1e0 / 0", "error: division by zero"},
		{"1 + 'a'", "error: cannot apply + to INTEGER and CHAR(1)"},
		// Three-valued logic.
		{"TRUE AND NULL", "NULL"}, {"FALSE AND NULL", "FALSE"}, {"TRUE OR NULL", "TRUE"}, {"FALSE OR NULL", "NULL"},
		{"NOT NULL", "NULL"}, {"NOT (1 = 1)", "FALSE"}, {"n = 1", "NULL"}, {"n IS NULL", "TRUE"}, {"qty IS NOT NULL", "TRUE"},
		{"(n = 1) IS UNKNOWN", "TRUE"}, {"(1 = 1) IS TRUE", "TRUE"}, {"(1 = 2) IS NOT FALSE", "FALSE"},
		{"1 AND TRUE", "error: AND needs BOOLEAN operands"},
		// Comparisons.
		{"1 = 1.0", "TRUE"}, {"2 > 1.5e0", "TRUE"}, {"'a' < 'b'", "TRUE"}, {"'a ' = 'a'", "TRUE"}, {"ticker_symbol <> 'AMZN'", "FALSE"},
		{"1 = 'a'", "error: cannot compare"}, {"DATE '2004-09-26' < ROWTIME", "TRUE"},
		{"qty BETWEEN 1 AND 10", "TRUE"}, {"qty NOT BETWEEN 1 AND 10", "FALSE"}, {"qty BETWEEN n AND 5", "FALSE"},
		{"qty BETWEEN n AND 10", "NULL"}, {"qty IN (1, 7)", "TRUE"}, {"qty IN (1, 2)", "FALSE"}, {"qty IN (1, NULL)", "NULL"},
		{"qty NOT IN (1, NULL)", "NULL"}, {"qty NOT IN (1, 2)", "TRUE"}, {"n IN (1)", "NULL"},
		// LIKE and SIMILAR TO.
		{"'abc' LIKE 'a%'", "TRUE"}, {"'abc' LIKE 'a_c'", "TRUE"}, {"'abc' LIKE 'A%'", "FALSE"}, {"'a.c' LIKE 'a.c'", "TRUE"},
		{"'abc' LIKE 'a.c'", "FALSE"}, {"'10%' LIKE '10!%' ESCAPE '!'", "TRUE"}, {"'100' LIKE '10!%' ESCAPE '!'", "FALSE"},
		{"'a\nb' LIKE 'a_b'", "TRUE"}, {"'abc' NOT LIKE 'b%'", "TRUE"}, {"CAST(n AS VARCHAR(3)) LIKE '%'", "NULL"},
		{"'abc' LIKE 'a!' ESCAPE '!'", "error: invalid escape sequence"}, {"'a' LIKE 'a' ESCAPE 'xy'", "error: invalid escape character"},
		{"'abd' SIMILAR TO 'ab(c|d)'", "TRUE"}, {"'abbb' SIMILAR TO 'ab+'", "TRUE"}, {"'a.b' SIMILAR TO 'a.b'", "TRUE"},
		{"'axb' SIMILAR TO 'a.b'", "FALSE"}, {"'a1' SIMILAR TO '[a-c][0-9]'", "TRUE"}, {"'d1' SIMILAR TO '[^a-c]_'", "TRUE"},
		{"'aaa' SIMILAR TO 'a{2,3}'", "TRUE"}, {"'a+' SIMILAR TO 'a#+' ESCAPE '#'", "TRUE"}, {"'x7' SIMILAR TO '[[:ALPHA:]][[:DIGIT:]]'", "TRUE"},
		{"'$^' SIMILAR TO '$^'", "TRUE"}, {"'ab' SIMILAR TO '(ab'", "error: unbalanced"},
		// Concatenation, CASE, COALESCE, NULLIF.
		{"'a' || 'b' || ticker_symbol", "abAMZN"}, {"'a' || n", "error: || needs"}, {"'a' || CAST(NULL AS VARCHAR(2))", "NULL"},
		{"CASE WHEN qty > 5 THEN 'big' ELSE 'small' END", "big"}, {"CASE qty WHEN 1 THEN 'one' WHEN 7 THEN 'seven' END", "seven"},
		{"CASE qty WHEN 1 THEN 'one' END", "NULL"}, {"CASE WHEN n = 1 THEN 1 ELSE 2.5 END", "2.5"}, {"CASE WHEN TRUE THEN 1 ELSE 'x' END", "error: CASE results"},
		{"COALESCE(n, qty, 3)", "7"}, {"COALESCE(n, NULL)", "NULL"}, {"COALESCE(n, 1.5)", "1.5"}, {"NULLIF(qty, 7)", "NULL"}, {"NULLIF(qty, 8)", "7"},
		{"NULLIF(n, 8)", "NULL"},
		// CAST (the reference's CAST page examples and conversions table).
		{"CAST(DATE '2008-08-23' AS VARCHAR(10))", "2008-08-23"}, {"CAST(DATE '2008-08-23' AS VARCHAR(9))", "error: does not fit"},
		{"CAST(DATE '2008-08-23' AS CHAR(12)) || '|'", "2008-08-23  |"}, {"CAST('2008-08-23 12:34:56' AS TIMESTAMP)", "2008-08-23 12:34:56"},
		{"CAST(TIMESTAMP '2008-08-23 12:34:56' AS DATE)", "2008-08-23"}, {"CAST(TIMESTAMP '2008-08-23 12:34:56' AS TIME)", "12:34:56"},
		{"CAST(DATE '2008-08-23' AS TIMESTAMP)", "2008-08-23 00:00:00"}, {"CAST(' 12 ' AS INTEGER)", "12"}, {"CAST('-1.5' AS DECIMAL(5,2))", "-1.50"},
		{"CAST('x' AS INTEGER)", "error: cannot CAST 'x' to INTEGER"}, {"CAST(2.7 AS INTEGER)", "3"}, {"CAST(-2.7e0 AS BIGINT)", "-3"}, {"CAST(-1.5 AS INTEGER)", "-2"}, {"CAST(2.4 AS SMALLINT)", "2"},
		{"CAST(300 AS TINYINT)", "error: numeric overflow"}, {"CAST(1.005 AS DECIMAL(5,2))", "1.01"}, {"CAST(12345 AS DECIMAL(4,0))", "error: numeric overflow"},
		{"CAST(price AS VARCHAR(10))", "84.5"}, {"CAST(1e10 AS VARCHAR(20))", "1.0E10"}, {"CAST(TRUE AS VARCHAR(5))", "TRUE"},
		{"CAST('true' AS BOOLEAN)", "TRUE"}, {"CAST(1 AS BOOLEAN)", "error: cannot CAST INTEGER to BOOLEAN"}, {"CAST(DATE '2008-08-23' AS INTEGER)", "error: cannot CAST"},
		{"CAST('abcdef' AS VARCHAR(3))", "abc"}, {"CAST(INTERVAL '3' HOUR AS BIGINT)", "3"}, {"CAST(n AS VARCHAR(3))", "NULL"},
		{"CAST('2008-02-30' AS DATE)", "error: invalid DATE"}, {"CAST('12:34' AS TIME)", "12:34:00"},
		// Datetime and interval operators (the reference's examples 1-6).
		{"INTERVAL '1' DAY + INTERVAL '3' DAY", "+4"}, {"INTERVAL '1' DAY + INTERVAL '3 4' DAY TO HOUR", "+4 04"},
		{"INTERVAL '1' DAY - INTERVAL '3 4' DAY TO HOUR", "-2 04"}, {"INTERVAL '1' YEAR + INTERVAL '3-4' YEAR TO MONTH", "+4-04"},
		{"2 * INTERVAL '3 4' DAY TO HOUR", "+6 08"}, {"INTERVAL '3 4' DAY TO HOUR / 2", "+1 14"},
		{"TIMESTAMP '2004-09-26 11:23:45' + INTERVAL '1' HOUR", "2004-09-26 12:23:45"},
		{"DATE '2004-01-31' + INTERVAL '1' MONTH", "2004-02-29"}, {"TIMESTAMP '2004-09-26 00:00:00' - INTERVAL '1-1' YEAR TO MONTH", "2003-08-26 00:00:00"},
		{"(TIMESTAMP '2004-09-26 11:23:45' - TIMESTAMP '2004-09-26 11:20:00') SECOND", "+0 00:03:45"},
		{"CAST((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND AS BIGINT)", "1096197825"},
		{"(DATE '2004-09-26' - DATE '2004-01-01') MONTH", "+0-08"}, {"ROWTIME - ROWTIME", "error: needs an interval qualifier"},
		{"INTERVAL '-1 02:03:04.5' DAY TO SECOND", "-1 02:03:04.500"}, {"INTERVAL '1 25' DAY TO HOUR", "error: invalid interval"},
		// Niladic functions read the clock.
		{"CURRENT_TIMESTAMP", "2024-02-29 13:14:15"}, {"LOCALTIMESTAMP", "2024-02-29 13:14:15"}, {"CURRENT_DATE", "2024-02-29"},
		{"CURRENT_TIME", "13:14:15"}, {"CURRENT_ROW_TIMESTAMP", "2024-03-01 00:00:01"},
	}
	for _, tt := range tests {
		got, err := eval(t, tt.expr)
		s := got.String()
		if err != nil {
			s = "error: " + err.Error()
		}
		if strings.HasPrefix(tt.want, "error: ") {
			if err == nil || !strings.Contains(s, strings.TrimPrefix(tt.want, "error: ")) {
				t.Errorf("%s = %s, want %s", tt.expr, s, tt.want)
			}
			continue
		}
		if s != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, s, tt.want)
		}
	}
}

func TestErrorPositions(t *testing.T) {
	e, err := parser.ParseExpr("1 +\n  nosuch")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Compile(e, testScope)
	var pe *Error
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Col != 3 {
		t.Fatalf("err = %v, want an *Error at 2:3", err)
	}
	_, err = eval(t, "2147483647 + qty")
	if !errors.Is(err, ErrOverflow) {
		t.Errorf("overflow error %v does not wrap ErrOverflow", err)
	}
}

func TestCompileTypes(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"qty + 1", "INTEGER"}, {"qty + CAST(1 AS BIGINT)", "BIGINT"}, {"qty + 1.5", "DECIMAL(18,1)"}, {"qty + price", "DOUBLE"},
		{"CAST(1 AS REAL) + 1", "REAL"}, {"ticker_symbol || 'x'", "VARCHAR(5)"}, {"qty > 1", "BOOLEAN"},
		{"CHAR_LENGTH(ticker_symbol)", "INTEGER"}, {"ROWTIME + INTERVAL '1' SECOND", "TIMESTAMP"}, {"UNIX_TIMESTAMP(ROWTIME)", "BIGINT"},
	}
	for _, tt := range tests {
		e, err := parser.ParseExpr(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		_, typ, err := Compile(e, testScope)
		if err != nil || typ.String() != tt.want {
			t.Errorf("type of %s = %v (%v), want %s", tt.expr, typ, err, tt.want)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	e, err := parser.ParseExpr("price * qty > 100 AND ticker_symbol LIKE 'A%' AND ROWTIME < TIMESTAMP '2005-01-01 00:00:00' + INTERVAL '1' DAY")
	if err != nil {
		b.Fatal(err)
	}
	f, _, err := Compile(e, testScope)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if v, err := f(testRow); err != nil || !v.Bool() {
			b.Fatal(v, err)
		}
	}
}

func TestResolveAmbiguous(t *testing.T) {
	s := &Scope{Columns: []Column{{Qualifier: "A", Name: "X", Type: Type{Kind: Integer}}, {Qualifier: "B", Name: "X", Type: Type{Kind: Integer}}}}
	for src, want := range map[string]string{"x": "ambiguous", "a.x": "", "b.x": "", "c.x": "not found"} {
		e, err := parser.ParseExpr(src)
		if err != nil {
			t.Fatal(err)
		}
		f, _, err := Compile(e, s)
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", src, err)
				continue
			}
			if v, err := f(Row{Int(1), Int(2)}); err != nil || (src == "a.x") != (v.I == 1) {
				t.Errorf("%s = %v, %v", src, v, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %q", src, err, want)
		}
	}
}

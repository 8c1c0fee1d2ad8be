package parser

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the parser's output")

// render is what a golden file records for an application: each statement
// fully parenthesised (so precedence is visible), or the error.
func render(src string) string {
	stmts, err := Parse(src)
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	var b strings.Builder
	for i, s := range stmts {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(Format(s, true))
		b.WriteString(";\n")
	}
	return b.String()
}

func renderExpr(src string) string {
	e, err := ParseExpr(src)
	if err != nil {
		return "error: " + err.Error()
	}
	return Format(e, true)
}

// lineCases reads a file of one case per line; blank lines and lines
// starting with # are skipped.
func lineCases(t testing.TB, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		cases = append(cases, l)
	}
	return cases
}

func goldenPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".golden"
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	gp := goldenPath(path)
	if *update {
		if err := os.WriteFile(gp, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(gp)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the parser's output (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", gp, got, want)
	}
}

func TestGoldenApplications(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.sql")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := render(string(src))
			// Only files named error_* may fail to parse.
			if strings.HasPrefix(got, "error:") != strings.HasPrefix(filepath.Base(f), "error_") {
				t.Errorf("%s: %s", f, got)
			}
			checkGolden(t, f, got)
		})
	}
}

func TestGoldenExprs(t *testing.T) {
	var b strings.Builder
	for _, c := range lineCases(t, "testdata/exprs.txt") {
		b.WriteString(c + "\n=> " + renderExpr(c) + "\n\n")
	}
	checkGolden(t, "testdata/exprs.txt", b.String())
}

func TestGoldenErrors(t *testing.T) {
	var b strings.Builder
	for _, c := range lineCases(t, "testdata/errors.txt") {
		src := strings.ReplaceAll(c, `\n`, "\n")
		_, err := Parse(src)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%q: want a *Error, got %v", c, err)
			continue
		}
		b.WriteString(c + "\n=> " + err.Error() + "\n\n")
	}
	checkGolden(t, "testdata/errors.txt", b.String())
}

// stripPos zeroes every Pos in a tree so trees compare by structure.
func stripPos(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			stripPos(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(Pos{}) {
			if v.CanSet() {
				v.Set(reflect.Zero(v.Type()))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			stripPos(v.Field(i))
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			stripPos(v.Index(i))
		}
	}
}

// roundTrip checks that printing n (both ways) and parsing the text back
// gives an equal tree, and that printing is stable.
func roundTrip(t testing.TB, n Node, parse func(string) (Node, error)) {
	t.Helper()
	stripPos(reflect.ValueOf(n))
	for _, full := range []bool{false, true} {
		text := Format(n, full)
		back, err := parse(text)
		if err != nil {
			t.Fatalf("printed form does not parse: %v\n%s", err, text)
		}
		stripPos(reflect.ValueOf(back))
		if !reflect.DeepEqual(n, back) {
			t.Fatalf("round trip changed the tree at %s:\n printed: %s\n again:   %s", treeDiff(reflect.ValueOf(n), reflect.ValueOf(back), "root"), text, Format(back, full))
		}
		if again := Format(back, full); again != text {
			t.Fatalf("printing is not stable:\n%s\n%s", text, again)
		}
	}
}

// treeDiff names the first place where two trees differ.
func treeDiff(a, b reflect.Value, path string) string {
	if a.IsValid() != b.IsValid() {
		return path + " (missing)"
	}
	if !a.IsValid() {
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s (%s vs %s)", path, a.Type(), b.Type())
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() != b.IsNil() {
			return path + " (nil vs non-nil)"
		}
		if a.IsNil() {
			return ""
		}
		return treeDiff(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := treeDiff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return fmt.Sprintf("%s (len %d nil=%v vs len %d nil=%v)", path, a.Len(), a.IsNil(), b.Len(), b.IsNil())
		}
		for i := 0; i < a.Len(); i++ {
			if d := treeDiff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return fmt.Sprintf("%s (%v vs %v)", path, a.Interface(), b.Interface())
		}
		return ""
	}
}

func parseStmtNode(s string) (Node, error) { return ParseStmt(s) }
func parseExprNode(s string) (Node, error) { return ParseExpr(s) }

func TestRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.sql")
	for _, f := range files {
		src, _ := os.ReadFile(f)
		stmts, err := Parse(string(src))
		if err != nil {
			continue
		}
		for _, s := range stmts {
			roundTrip(t, s, parseStmtNode)
		}
	}
	for _, c := range lineCases(t, "testdata/exprs.txt") {
		if e, err := ParseExpr(c); err == nil {
			roundTrip(t, e, parseExprNode)
		}
	}
}

func TestIdentifiers(t *testing.T) {
	tests := []struct {
		src  string
		want Ident
	}{
		{"price", Ident{Name: "PRICE"}},
		{"Price_2", Ident{Name: "PRICE_2"}},
		{`"price"`, Ident{Name: "price", Quoted: true}},
		{`"a""b"`, Ident{Name: `a"b`, Quoted: true}},
		{`"SELECT"`, Ident{Name: "SELECT", Quoted: true}},
	}
	for _, tt := range tests {
		e, err := ParseExpr(tt.src)
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		c, ok := e.(*ColumnRef)
		if !ok || len(c.Parts) != 1 {
			t.Fatalf("%s: got %#v", tt.src, e)
		}
		got := c.Parts[0]
		got.Pos = Pos{}
		if got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.src, got, tt.want)
		}
	}
}

func TestLexPositions(t *testing.T) {
	toks, err := Lex("SELECT STREAM\n  \"a\", -- c\n 'x''y' /* z\n */ 1.5e3 || <>")
	if err != nil {
		t.Fatal(err)
	}
	want := []Token{
		{Kind: TokIdent, Text: "SELECT", Pos: Pos{1, 1}, Raw: "SELECT"},
		{Kind: TokIdent, Text: "STREAM", Pos: Pos{1, 8}, Raw: "STREAM"},
		{Kind: TokQIdent, Text: "a", Pos: Pos{2, 3}},
		{Kind: TokOp, Text: ",", Pos: Pos{2, 6}},
		{Kind: TokString, Text: "x'y", Pos: Pos{3, 2}},
		{Kind: TokNumber, Text: "1.5e3", Pos: Pos{4, 5}},
		{Kind: TokOp, Text: "||", Pos: Pos{4, 11}},
		{Kind: TokOp, Text: "<>", Pos: Pos{4, 14}},
		{Kind: TokEOF, Pos: Pos{4, 16}},
	}
	if !reflect.DeepEqual(toks, want) {
		t.Errorf("got  %v\nwant %v", toks, want)
	}
}

func TestStatementPositions(t *testing.T) {
	stmts, err := Parse("CREATE STREAM \"a\" (x INT);\n\n  SELECT STREAM x FROM \"a\";")
	if err != nil {
		t.Fatal(err)
	}
	if got := stmts[1].Position(); got != (Pos{3, 3}) {
		t.Errorf("second statement at %v, want 3:3", got)
	}
	sel := stmts[1].(*Select)
	if got := sel.Items[0].Expr.Position(); got != (Pos{3, 17}) {
		t.Errorf("select item at %v, want 3:17", got)
	}
}

func TestNestingLimit(t *testing.T) {
	deep := strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000)
	_, err := ParseExpr(deep)
	var pe *Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "nesting too deep") {
		t.Fatalf("got %v", err)
	}
	if _, err := ParseExpr(strings.Repeat("-", 10000) + "1"); err == nil {
		t.Fatal("deep unary minus accepted")
	}
	if _, err := ParseExpr(strings.Repeat("NOT ", 10000) + "TRUE"); err == nil {
		t.Fatal("deep NOT accepted")
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.sql")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	for _, name := range []string{"testdata/exprs.txt", "testdata/errors.txt"} {
		for _, c := range lineCases(f, name) {
			f.Add(strings.ReplaceAll(c, `\n`, "\n"))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := Parse(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error is %T, not *Error", err)
			}
		} else {
			for _, s := range stmts {
				roundTrip(t, s, parseStmtNode)
			}
		}
		if e, err := ParseExpr(src); err == nil {
			roundTrip(t, e, parseExprNode)
		}
	})
}

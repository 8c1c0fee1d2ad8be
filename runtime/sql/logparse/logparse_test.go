package logparse

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func ts(y, mo, d, h, mi, s int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
}

// check compares a row with the expected values (nil want = NULL row) and,
// when names is not nil, the column names and types.
func check(t *testing.T, name string, got *Row, err error, want []any, cols []string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: error %v", name, err)
	}
	if want == nil {
		if got != nil {
			t.Fatalf("%s: got %#v, want NULL", name, got.Values)
		}
		return
	}
	if got == nil {
		t.Fatalf("%s: got NULL, want %#v", name, want)
	}
	if !reflect.DeepEqual(got.Values, want) {
		t.Fatalf("%s: got %#v, want %#v", name, got.Values, want)
	}
	if cols != nil {
		var have []string
		for _, c := range got.Columns {
			have = append(have, c.Name+" "+c.Type.String())
		}
		if !reflect.DeepEqual(have, cols) {
			t.Fatalf("%s: columns %q, want %q", name, have, cols)
		}
	}
}

func TestRegexLogParse(t *testing.T) {
	v1024 := []string{"COLUMN1 VARCHAR(1024)", "COLUMN2 VARCHAR(1024)"}
	for _, c := range []struct {
		name, input, pattern, columns string
		want                          []any
		cols                          []string
	}{
		// AWS Example 1: letter E and the character after it, then R and the rest.
		{"aws example 1 ENERGY", "ENERGY", ".*([E].).*([R].*)", "", []any{"EN", "RGY"}, v1024},
		{"aws example 1 HEALTHCARE", "HEALTHCARE", ".*([E].).*([R].*)", "", []any{"EA", "RE"}, v1024},
		{"aws example 1 no R", "TECHNOLOGY", ".*([E].).*([R].*)", "", nil, nil},
		{"aws example 1 no E", "FINANCIAL", ".*([E].).*([R].*)", "", nil, nil},
		{"greedy as Java", "a-b-c", "(.*)-(.*)", "", []any{"a-b", "c"}, v1024},
		{"reluctant as Java", "a-b-c", "(.*?)-(.*)", "", []any{"a", "b-c"}, v1024},
		{"whole input must match", "xx 12 yy", `(\d+)`, "", nil, nil},
		{"optional group NULL", "ab", "(a)(c)?b", "", []any{"a", nil}, v1024},
		{"java posix class", "ab12", `(\p{Alpha}+)([\p{Digit}x]+)`, "", []any{"ab", "12"}, v1024},
		{"java negated posix class", "ab 12", `(\P{Space}+) (.*)`, "", []any{"ab", "12"}, v1024},
		{"no groups", "abc", "abc", "", []any{}, []string(nil)},
		{"typed columns", "12 abc", `(\d+) (\w+)`, "N INTEGER, W VARCHAR(2)", []any{int64(12), "ab"},
			[]string{"N INTEGER", "W VARCHAR(2)"}},
		{"quoted column name", "x", "(x)", `"lower" VARCHAR(3)`, []any{"x"}, []string{"lower VARCHAR(3)"}},
		{"more columns than groups", "x", "(x)", "A, B", []any{"x", nil}, nil},
		{"timestamp column", "2024-01-02 03:04:05 up", `(\S+ \S+) (\w+)`, "T TIMESTAMP, S VARCHAR(8)",
			[]any{ts(2024, 1, 2, 3, 4, 5), "up"}, nil},
	} {
		r, err := RegexLogParse(c.input, c.pattern, c.columns)
		check(t, c.name, r, err, c.want, c.cols)
	}
	// truncation to VARCHAR(1024)
	long := strings.Repeat("x", 2000)
	r, err := RegexLogParse(long, "(.*)", "")
	check(t, "truncate", r, err, []any{long[:1024]}, nil)

	for _, c := range []struct{ pattern, columns string }{
		{`(a)\1`, ""},           // back-reference
		{`(?=a)a`, ""},          // lookahead
		{`(a`, ""},              // unbalanced
		{`(a)`, "A TYPE"},       // incomplete type
		{`(a)`, "A BLOB"},       // unknown type
		{`(a)`, "A, A"},         // duplicate
		{`(a)`, "A VARCHAR(x)"}, // bad length
	} {
		if _, err := CompileRegexLogParse(c.pattern, c.columns); err == nil {
			t.Errorf("CompileRegexLogParse(%q, %q): no error", c.pattern, c.columns)
		}
	}
	if _, err := RegexLogParse("abc", "(abc)", "N INTEGER"); err == nil {
		t.Error("conversion of abc to INTEGER: no error")
	}
}

func TestFastRegexLogParse(t *testing.T) {
	for _, c := range []struct {
		name, input, pattern string
		want                 []any
	}{
		// The reference's First FRLP Example (COLUMN2 differs from the
		// documented 'a_little_lamb', which cannot match: see doc.go).
		{"first example", "Mary_had_a_little_lamb", "(.*)_(._.*)_.*", []any{"Mary_had", "a_little"}},
		// "If the Fast Regex pattern had omitted the final asterisk, no results would be obtained."
		{"first example without final asterisk", "Mary_had_a_little_lamb", "(.*)_(._.*)_.", nil},
		// Example A: no backtracking, no row.
		{"example A", "Mary_had_a_little_lamb", "(.*)_+(._.*)", nil},
		// Example B: the '+' is superfluous.
		{"example B", "Mary____had_a_little_lamb", "(.*)_+(.*)", []any{"Mary", "had_a_little_lamb"}},
		// Example C: <Alpha> is a fixed-length delimiter.
		{"example C", "Mary____had_a_little_lamb", "(.*)_+(<Alpha>.*)", []any{"Mary", "had_a_little_lamb"}},
		{"lazy first group", "a=b=c", "(.*)=(.*)", []any{"a", "b=c"}},
		{"quoted string literal", "k:=v", `(.*)":="(.*)`, []any{"k", "v"}},
		{"any string @", "abc", "a(@)", []any{"bc"}},
		{"empty language #", "abc", "(#)", nil},
		{"named digit", "id42x", "id(<Digit>+)x", []any{"42"}},
		{"class and range", "ab12", "([a-z]+)([0-9]+)", []any{"ab", "12"}},
		{"negated class", "key value", "([^ ]*) (.*)", []any{"key", "value"}},
		{"escape is literal", "d", `(\d)`, []any{"d"}},
		{"counted", "abc123", "(.{3})(.*)", []any{"abc", "123"}},
		{"fixed only", "abc", "(a)b(c)", []any{"a", "c"}},
		{"fixed mismatch", "abd", "(a)b(c)", nil},
		{"leftover input", "abcd", "(a)b(c)", nil},
		{"empty group", "ab", "a()b", []any{""}},
		{"top-level union", "b", "(a)|(b)", []any{nil, "b"}},
		{"quantified group", "ababx", "(ab)*(x)", []any{"abab", "x"}},
		{"clf-like", `1.2.3.4 - - [x] "GET / HTTP/1.0" 200 5`, `(.*) (.*) (.*) \[(.*)\] \"(.*)\" (.*) (.*)`,
			[]any{"1.2.3.4", "-", "-", "x", "GET / HTTP/1.0", "200", "5"}},
	} {
		r, err := FastRegexLogParse(c.input, c.pattern, "")
		check(t, c.name, r, err, c.want, nil)
	}
	r, err := FastRegexLogParse("7 x", "(.*) (.*)", "N INTEGER, S VARCHAR(4)")
	check(t, "typed", r, err, []any{int64(7), "x"}, []string{"N INTEGER", "S VARCHAR(4)"})
	p, err := CompileFastRegexLogParse("(.*)_(.*)", "")
	if err != nil {
		t.Fatal(err)
	}
	if cols := p.Columns(); len(cols) != 2 || cols[1].Name != "COLUMN2" || cols[1].Type != Varchar1024 {
		t.Fatalf("columns %+v", cols)
	}
	for _, pat := range []string{"(a", "a)", "[a", "a&b", "<1-5>", "<Nope>", `a\`, "a{2", "a{x}", `"abc`, "*"} {
		if _, err := CompileFastRegexLogParse(pat, ""); err == nil {
			t.Errorf("CompileFastRegexLogParse(%q): no error", pat)
		}
	}
}

func TestFixedColumnLogParse(t *testing.T) {
	const line = "ab   00042 3.5 10/Oct/2000:13:55:36 true"
	spec := `NAME TYPE VARCHAR(5) START 0 FOR 5, N TYPE INTEGER START 5 FOR 5, ` +
		`R TYPE DOUBLE START 11 FOR 3, "when" TYPE TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss' START 15 FOR 20, ` +
		`B TYPE BOOLEAN START 36, MISSING TYPE VARCHAR(3) START 100`
	r, err := FixedColumnLogParse(line, spec)
	check(t, "fixed", r, err, []any{"ab   ", int64(42), 3.5, ts(2000, 10, 10, 13, 55, 36), true, nil},
		[]string{"NAME VARCHAR(5)", "N INTEGER", "R DOUBLE", "when TIMESTAMP", "B BOOLEAN", "MISSING VARCHAR(3)"})

	// the reference's format-string example
	r, err = FixedColumnLogParse("[10/Oct/2000:13:55:36]", `"name" TYPE TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss' START 1 FOR 20`)
	check(t, "aws format example", r, err, []any{ts(2000, 10, 10, 13, 55, 36)}, nil)

	r, err = FixedColumnLogParse("12", "A TYPE INTEGER START 0 FOR 5, D TYPE DATE START 0 FOR 1")
	if err == nil {
		t.Fatalf("date from '1': %v", r.Values)
	}
	r, err = FixedColumnLogParse("2024-03-04 05:06:07", `D TYPE DATE 'yyyy-MM-dd HH:mm:ss' START 0, T TYPE TIME 'yyyy-MM-dd HH:mm:ss' START 0`)
	check(t, "date and time parts", r, err, []any{ts(2024, 3, 4, 0, 0, 0), ts(1970, 1, 1, 5, 6, 7)}, nil)
	r, err = FixedColumnLogParse("  7  ", "A TYPE SMALLINT START 0, D TYPE DECIMAL(5,2) START 5")
	check(t, "trim and end", r, err, []any{int64(7), nil}, []string{"A SMALLINT", "D DECIMAL(5,2)"})
	if _, err := FixedColumnLogParse("", "A TYPE VARCHAR(2) NOT NULL START 0"); err == nil {
		t.Error("NOT NULL missing: no error")
	}
	for _, spec := range []string{
		"A VARCHAR(2) START 0",             // TYPE missing
		"A TYPE VARCHAR(2)",                // START missing
		"A TYPE VARCHAR(2) START x",        // bad number
		"A TYPE INTEGER 'yyyy' START 0",    // format on non-date
		"A TYPE VARCHAR(2) START 0 FOR",    // FOR without length
		"A TYPE VARCHAR(2) START 0,",       // trailing comma
		"A TYPE VARCHAR START 0",           // VARCHAR without length
		"A TYPE INTEGER(3) START 0",        // length on INTEGER
		"A TYPE VARCHAR(2) START 0 ; drop", // junk
		"",
	} {
		if _, err := CompileFixedColumnLogParse(spec); err == nil {
			t.Errorf("CompileFixedColumnLogParse(%q): no error", spec)
		}
	}
}

func TestVariableColumnLogParse(t *testing.T) {
	three := []string{"COLUMN1 VARCHAR(1024)", "COLUMN2 VARCHAR(1024)", "COLUMN3 VARCHAR(1024)"}
	for _, c := range []struct {
		name, input, columns, delim, escape, quote string
		want                                       []any
		cols                                       []string
	}{
		// the reference: with ',' and '\', "a,b" is two fields, "a\,b" one.
		{"aws a,b", "a,b", "2", ",", `\`, "", []any{"a", "b"}, nil},
		{"aws escaped", `a\,b`, "2", ",", `\`, "", []any{"a,b", nil}, nil},
		{"tab u&'\\0009'", "x\ty\tz", "3", "\t", "", "", []any{"x", "y", "z"}, three},
		{"quoted delimiter", `"a,b",c`, "2", ",", "", `"`, []any{"a,b", "c"}, nil},
		{"begin and end quote", `[a,b],c`, "2", ",", "", "[]", []any{"a,b", "c"}, nil},
		{"begin quote ends too", `[a,b[,c`, "2", ",", "", "[]", []any{"a,b", "c"}, nil},
		{"aws timestamp format in list", "x|10/Oct/2000:13:55:36", `A TYPE VARCHAR(2), "name" TYPE TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss'`, "|", "", "",
			[]any{"x", ts(2000, 10, 10, 13, 55, 36)}, []string{"A VARCHAR(2)", "name TIMESTAMP"}},
		{"multi-char delimiter", "a::b::c", "3", "::", "", "", []any{"a", "b", "c"}, nil},
		{"fewer fields", "a", "3", ",", "", "", []any{"a", nil, nil}, nil},
		{"extra fields dropped", "a,b,c,d", "2", ",", "", "", []any{"a", "b"}, nil},
		{"empty fields", ",,", "3", ",", "", "", []any{"", "", ""}, nil},
		{"typed list", "1,2.5,x", "A TYPE INTEGER, B TYPE REAL, C TYPE VARCHAR(4)", ",", "", "",
			[]any{int64(1), float64(float32(2.5)), "x"}, []string{"A INTEGER", "B REAL", "C VARCHAR(4)"}},
		{"empty numeric is NULL", "1,,x", "A TYPE INTEGER, B TYPE BIGINT, C TYPE CHAR(1)", ",", "", "",
			[]any{int64(1), nil, "x"}, []string{"A INTEGER", "B BIGINT", "C CHAR(1)"}},
		{"char padded", "x", "C TYPE CHAR(3)", ",", "", "", []any{"x  "}, []string{"C CHAR(3)"}},
	} {
		r, err := VariableColumnLogParse(c.input, c.columns, c.delim, c.escape, c.quote)
		check(t, c.name, r, err, c.want, c.cols)
	}
	for _, c := range [][4]string{
		{"2", "", "", ""},
		{"0", ",", "", ""},
		{"A INTEGER", ",", "", ""},
		{"2", ",", "", "abc"},
	} {
		if _, err := CompileVariableColumnLogParse(c[0], c[1], c[2], c[3]); err == nil {
			t.Errorf("CompileVariableColumnLogParse(%q): no error", c)
		}
	}
	if _, err := VariableColumnLogParse("x", "A TYPE INTEGER", ",", "", ""); err == nil {
		t.Error("x as INTEGER: no error")
	}
}

func TestSysLogParse(t *testing.T) {
	cols := []string{"COLUMN1 TIMESTAMP", "COLUMN2 VARCHAR(1024)"}
	r, err := SysLogParse("Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")
	check(t, "rfc3164", r, err, []any{ts(1970, 10, 11, 22, 14, 15), "mymachine su: 'su root' failed for lonvick on /dev/pts/8"}, cols)
	r, err = SysLogParseYear("Jan  2 03:04:05 host msg", 2024)
	check(t, "padded day", r, err, []any{ts(2024, 1, 2, 3, 4, 5), "host msg"}, cols)
	r, err = SysLogParse("Jan 02 03:04:05")
	check(t, "no message", r, err, []any{ts(1970, 1, 2, 3, 4, 5), ""}, nil)
	for _, bad := range []string{"", "not a syslog line at all", "Foo 12 03:04:05 x", "Jan 12 03:04:05x"} {
		r, err := SysLogParse(bad)
		check(t, bad, r, err, nil, nil)
	}
}

func TestW3CLogParse(t *testing.T) {
	const clf = `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`
	const when = "[10/Oct/2000:13:55:36 -0700]"
	commonCols := []string{"COLUMN1 VARCHAR(1024)", "COLUMN2 VARCHAR(1024)", "COLUMN3 VARCHAR(1024)",
		"COLUMN4 VARCHAR(1024)", "COLUMN5 VARCHAR(1024)", "COLUMN6 INTEGER", "COLUMN7 BIGINT"}
	for _, c := range []struct {
		name, input, format string
		want                []any
		cols                []string
	}{
		// The reference's Example 1 (COMMON) and its two input rows.
		{"aws example 1 John", `192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pb.gif HTTP/1.1" 304 0`, "COMMON",
			[]any{"192.168.254.30", "-", "John", "[24/May/2004:22:01:02 -0700]", "GET /icons/apache_pb.gif HTTP/1.1", int64(304), int64(0)}, commonCols},
		{"aws example 1 Jane", `192.168.254.30 - Jane [24/May/2004:22:01:02 -0700] "GET /icons/small/dir.gif HTTP/1.1" 304 0`, "COMMON",
			[]any{"192.168.254.30", "-", "Jane", "[24/May/2004:22:01:02 -0700]", "GET /icons/small/dir.gif HTTP/1.1", int64(304), int64(0)}, commonCols},
		// W3C Customized Formats: the same by specifiers; [%t] drops the brackets.
		{"aws customized", `192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pb.gif HTTP/1.1" 304 0`, `%h %l %u %t "%r" %>s %b`,
			[]any{"192.168.254.30", "-", "John", "[24/May/2004:22:01:02 -0700]", "GET /icons/apache_pb.gif HTTP/1.1", int64(304), int64(0)}, commonCols},
		{"aws [%t] note", `192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pb.gif HTTP/1.1" 304 0`, `%h %l %u [%t] "%r" %>s %b`,
			[]any{"192.168.254.30", "-", "John", "24/May/2004:22:01:02 -0700", "GET /icons/apache_pb.gif HTTP/1.1", int64(304), int64(0)}, nil},
		{"COMMON", clf, "COMMON", []any{"127.0.0.1", "-", "frank", when, "GET /apache_pb.gif HTTP/1.0", int64(200), int64(2326)}, commonCols},
		{"common lower case", clf, " common ", []any{"127.0.0.1", "-", "frank", when, "GET /apache_pb.gif HTTP/1.0", int64(200), int64(2326)}, nil},
		{"COMMON no bytes", `h - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.0" 304 -`, "COMMON",
			[]any{"h", "-", "-", "[10/Oct/2000:13:55:36 +0000]", "GET / HTTP/1.0", int64(304), nil}, nil},
		{"COMMON WITH VHOST", "www.example.com " + clf, "COMMON WITH VHOST",
			[]any{"www.example.com", "127.0.0.1", "-", "frank", when, "GET /apache_pb.gif HTTP/1.0", int64(200), int64(2326)}, nil},
		{"NCSA EXTENDED", clf + ` "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`, "NCSA EXTENDED",
			[]any{"127.0.0.1", "-", "frank", when, "GET /apache_pb.gif HTTP/1.0", int64(200), int64(2326),
				"http://www.example.com/start.html", "Mozilla/4.08 [en] (Win98; I ;Nav)"}, nil},
		{"REFERER", "http://www.example.com/ ---> /index.html", "REFERER", []any{"http://www.example.com/", "/index.html"},
			[]string{"COLUMN1 VARCHAR(1024)", "COLUMN2 VARCHAR(1024)"}},
		{"AGENT", "Mozilla/5.0 (X11; Linux x86_64)", "AGENT", []any{"Mozilla/5.0 (X11; Linux x86_64)"}, nil},
		{"IIS", "192.168.114.201, -, 03/20/05, 7:55:20, W3SVC2, SALES1, 172.21.13.45, 4502, 163, 3223, 200, 0, GET, /DeptLogo.gif, -,", "IIS",
			[]any{"192.168.114.201", "-", "03/20/05", "7:55:20", "W3SVC2", "SALES1", "172.21.13.45", int64(4502), int64(163), int64(3223),
				int64(200), int64(0), "GET", "/DeptLogo.gif", "-"}, nil},
		{"custom apache", `x 12 "/a b" 34`, `%h %D "%U" %{X-Header}i`, []any{"x", int64(12), "/a b", "34"}, nil},
		{"custom modifiers", `404 100%`, `%!200,304s %>b%%`, []any{int64(404), int64(100)}, nil},
		{"W3C extended fields", "2002-05-24 20:18:01 172.224.24.114 GET /Default.htm 200",
			"#Fields: date time c-ip cs-method cs-uri-stem sc-status",
			[]any{"2002-05-24", "20:18:01", "172.224.24.114", "GET", "/Default.htm", "200"}, nil},
		{"not the format", "garbage", "COMMON", nil, nil},
	} {
		r, err := W3CLogParse(c.input, c.format)
		check(t, c.name, r, err, c.want, c.cols)
	}
	if _, err := W3CLogParse(`h - - [t] "r" x 1`, "COMMON"); err == nil {
		t.Error("bad status: no error")
	}
	for _, f := range []string{"%", "%{x", "%Q", "#Fields:"} {
		if _, err := CompileW3CLogParse(f); err == nil {
			t.Errorf("CompileW3CLogParse(%q): no error", f)
		}
	}
}

package logparse

import "testing"

// checkRow fails when a row's shape is inconsistent.
func checkRow(t *testing.T, r *Row) {
	t.Helper()
	if r != nil && len(r.Values) != len(r.Columns) {
		t.Fatalf("%d values for %d columns", len(r.Values), len(r.Columns))
	}
}

func FuzzRegexLogParse(f *testing.F) {
	f.Add(".*([E].).*([R].*)", "", "ENERGY")
	f.Add(`(\d+) (\w+)`, "N INTEGER, W VARCHAR(2)", "12 abc")
	f.Add(`(a)\1`, "", "aa")
	f.Add(`(.*)`, `"x" TIMESTAMP 'yyyy'`, "2024")
	f.Fuzz(func(t *testing.T, pattern, columns, input string) {
		p, err := CompileRegexLogParse(pattern, columns)
		if err != nil {
			return
		}
		r, _ := p.Parse(input)
		checkRow(t, r)
	})
}

func FuzzFastRegexLogParse(f *testing.F) {
	f.Add("(.*)_(._.*)_.*", "", "Mary_had_a_little_lamb")
	f.Add("(.*)_+(<Alpha>.*)", "", "Mary____had_a_little_lamb")
	f.Add(`(.*)":="(@)|(#)`, "A, B INTEGER", "k:=v")
	f.Add("([^ ]{2,5})+(x?)", "", "abcdex")
	f.Fuzz(func(t *testing.T, pattern, columns, input string) {
		p, err := CompileFastRegexLogParse(pattern, columns)
		if err != nil {
			return
		}
		r, _ := p.Parse(input)
		checkRow(t, r)
	})
}

func FuzzFixedColumnLogParse(f *testing.F) {
	f.Add(`A TYPE VARCHAR(5) START 0 FOR 5, "b" TYPE TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss' START 5`, "abcde10/Oct/2000:13:55:36")
	f.Add("N TYPE DECIMAL(5,2) NOT NULL START 2 FOR 4", "xx1.25")
	f.Add("D TYPE DATE START 0, T TYPE TIME START 11", "2024-01-02 03:04:05")
	f.Fuzz(func(t *testing.T, spec, input string) {
		p, err := CompileFixedColumnLogParse(spec)
		if err != nil {
			return
		}
		r, _ := p.Parse(input)
		checkRow(t, r)
	})
}

func FuzzVariableColumnLogParse(f *testing.F) {
	f.Add("3", ",", `\`, `"`, `a,"b,c",d\,e`)
	f.Add("A TYPE INTEGER, B TYPE BOOLEAN", "::", "", "[]", "1::[true]")
	f.Fuzz(func(t *testing.T, columns, delim, escape, quote, input string) {
		p, err := CompileVariableColumnLogParse(columns, delim, escape, quote)
		if err != nil {
			return
		}
		r, _ := p.Parse(input)
		checkRow(t, r)
	})
}

func FuzzSysLogParse(f *testing.F) {
	f.Add("Oct 11 22:14:15 mymachine su: 'su root' failed")
	f.Add("Jan  2 03:04:05 host msg")
	f.Fuzz(func(t *testing.T, msg string) {
		r, err := SysLogParse(msg)
		if err == nil && r != nil && len(r.Values) != 2 {
			t.Fatalf("values %v", r.Values)
		}
	})
}

func FuzzW3CLogParse(f *testing.F) {
	f.Add("COMMON", `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`)
	f.Add("IIS", "1.2.3.4, -, 03/20/05, 7:55:20, W3SVC2, S, 1.2.3.5, 1, 2, 3, 200, 0, GET, /, -,")
	f.Add(`%!200,304s %>b%% %{X}i %[Y]o %{%H}t`, "200 1% a b c")
	f.Add("#Fields: date time c-ip", "2002-05-24 20:18:01 1.2.3.4")
	f.Fuzz(func(t *testing.T, format, input string) {
		p, err := CompileW3CLogParse(format)
		if err != nil {
			return
		}
		r, _ := p.Parse(input)
		checkRow(t, r)
	})
}

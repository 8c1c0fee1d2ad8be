package postgres

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kinesin/kinesin/sinks/dest"
)

func TestParseCopyOptions(t *testing.T) {
	base := CopyOptions{Delimiter: '|', Quote: '"', Null: `\N`}
	with := func(f func(*CopyOptions)) CopyOptions { o := base; f(&o); return o }
	for _, tc := range []struct {
		in   string
		want CopyOptions
		code string // error code when the options are refused
	}{
		{in: "", want: base},
		{in: "json 'auto'", want: with(func(o *CopyOptions) { o.Format = JSON })},
		{in: "JSON AS 'auto ignorecase';", want: with(func(o *CopyOptions) { o.Format = JSON })},
		{in: "format as json 'auto' gzip", want: with(func(o *CopyOptions) { o.Format = JSON; o.Ignored = []string{"GZIP"} })},
		{in: "FORMAT JSON 'auto' timeformat 'auto' dateformat 'YYYY-MM-DD'", want: with(func(o *CopyOptions) {
			o.Format, o.TimeFormat, o.DateFormat = JSON, "auto", "YYYY-MM-DD"
		})},
		{in: "csv", want: with(func(o *CopyOptions) { o.Format, o.Delimiter = CSV, ',' })},
		{in: "format as csv quote as '''' delimiter ';' ignoreheader 1", want: with(func(o *CopyOptions) {
			o.Format, o.Delimiter, o.Quote, o.IgnoreHeader = CSV, ';', '\'', 1
		})},
		{in: `delimiter '\t' escape removequotes null as '\\N' emptyasnull blanksasnull truncatecolumns trimblanks fillrecord ignoreblanklines`,
			want: with(func(o *CopyOptions) {
				o.Delimiter, o.Null = '\t', `\N`
				o.Escape, o.RemoveQuotes, o.EmptyAsNull, o.BlanksAsNull = true, true, true, true
				o.TruncateColumns, o.TrimBlanks, o.FillRecord, o.IgnoreBlankLines = true, true, true, true
			})},
		{in: `delimiter '\174'`, want: with(func(o *CopyOptions) { o.Delimiter = '|' })},
		{in: "delimiter ',' maxerror 10 acceptinvchars as '?' compupdate off statupdate on lzop region 'us-east-1' encoding utf8 noload",
			want: with(func(o *CopyOptions) {
				o.Delimiter, o.NoLoad = ',', true
				o.Ignored = []string{"MAXERROR", "ACCEPTINVCHARS", "COMPUPDATE", "STATUPDATE", "LZOP", "REGION"}
			})},
		{in: "timeformat 'epochmillisecs'", want: with(func(o *CopyOptions) { o.TimeFormat = "epochmillisecs" })},
		{in: "json 's3://bucket/paths.json'", code: CodeIncorrectCopyOptions},
		{in: "json 'noshred'", code: CodeIncorrectCopyOptions},
		{in: "fixedwidth 'a:1'", code: CodeIncorrectCopyOptions},
		{in: "format as parquet", code: CodeIncorrectCopyOptions},
		{in: "json 'auto' csv", code: CodeIncorrectCopyOptions},
		{in: "json 'auto' delimiter ','", code: CodeIncorrectCopyOptions},
		{in: "csv escape", code: CodeIncorrectCopyOptions},
		{in: "delimiter 'ab'", code: CodeIncorrectCopyOptions},
		{in: "csv quote ','", code: CodeIncorrectCopyOptions},
		{in: "encoding utf16", code: CodeIncorrectCopyOptions},
		{in: "json", code: CodeSyntaxError},
		{in: "delimiter", code: CodeSyntaxError},
		{in: "delimiter ,", code: CodeSyntaxError},
		{in: "ignoreheader x", code: CodeSyntaxError},
		{in: "delimiter '|", code: CodeSyntaxError},
		{in: "frobnicate", code: CodeSyntaxError},
		{in: "'auto'", code: CodeSyntaxError},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCopyOptions(tc.in)
			if tc.code != "" {
				var oe *optionError
				if !errors.As(err, &oe) || oe.code != tc.code {
					t.Fatalf("error %v, want code %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// FuzzParseCopyOptions: never panics; refusals are option errors; what is
// accepted is consistent.
func FuzzParseCopyOptions(f *testing.F) {
	for _, s := range []string{"json 'auto'", "format as csv quote as '''' delimiter ';'", `delimiter '\t' escape null as '\\N'`,
		"acceptinvchars as", "compupdate", "delimiter '\\", "'", "csv quote", "json as"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseCopyOptions(s)
		if err != nil {
			var oe *optionError
			if !errors.As(err, &oe) || (oe.code != CodeSyntaxError && oe.code != CodeIncorrectCopyOptions) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if o.Delimiter == 0 || o.Delimiter == '\n' || o.Delimiter == '\r' || (o.Format == CSV && o.Delimiter == o.Quote) || o.IgnoreHeader < 0 {
			t.Fatalf("%q accepted as %+v", s, o)
		}
	})
}

func textTable() *table {
	return &table{cols: []column{{name: "a", kind: kindChar, maxLen: 3}, {name: "b", kind: kindOther}, {name: "c", kind: kindTimestamp}}}
}

func copyText(t *testing.T, options string, records ...string) (string, error) {
	t.Helper()
	o, err := ParseCopyOptions(options)
	if err != nil {
		t.Fatal(err)
	}
	var b dest.Batch
	for _, r := range records {
		b.Records = append(b.Records, dest.Record{ID: "x", Data: []byte(r)})
	}
	var rows *batchRows
	if o.Format == JSON {
		rows, err = buildJSON(b, textTable(), nil, &o)
	} else {
		rows, err = buildText(b, textTable(), nil, &o)
	}
	if err != nil {
		return "", err
	}
	return rows.buf.String(), nil
}

func TestBuildRows(t *testing.T) {
	for _, tc := range []struct {
		options string
		records []string
		want    string
	}{
		{"", []string{"x|1|2024-01-01"}, "x\t1\t2024-01-01\n"},
		{"", []string{"x|1|2024-01-01\nyy||\n"}, "x\t1\t2024-01-01\nyy\t\\N\t\\N\n"},
		{"", []string{`a\b|\N|  `}, "a\\\\b\t\\N\t\\N\n"},
		{"escape", []string{`a\|b|1\` + "\n" + `0|`}, "a|b\t1\\n0\t\\N\n"},
		{"removequotes delimiter ','", []string{`"a,b",2,`}, "a,b\t2\t\\N\n"},
		{"truncatecolumns trimblanks", []string{"abcdef|1|", "é é |2|"}, "abc\t1\t\\N\né é\t2\t\\N\n"},
		{"emptyasnull", []string{"|1|"}, "\\N\t1\t\\N\n"},
		{"blanksasnull", []string{"  |1|", "|2|"}, "\\N\t1\t\\N\n\t2\t\\N\n"},
		{"fillrecord", []string{"x"}, "x\t\\N\t\\N\n"},
		{"ignoreblanklines ignoreheader 1", []string{"h|h|h", "", "x|1|"}, "x\t1\t\\N\n"},
		{"timeformat 'epochsecs'", []string{"x|1|1700000000.5"}, "x\t1\t2023-11-14 22:13:20.5Z\n"},
		{"timeformat 'epochmillisecs'", []string{"x|1|1700000000500"}, "x\t1\t2023-11-14 22:13:20.5Z\n"},
		{"csv", []string{"\"a\nb\",\"1\",\"\"\r\n", "\"q\"\"\",,"}, "a\\nb\t1\t\\N\nq\"\t\\N\t\\N\n"},
		{"csv null as 'NULL'", []string{`NULL,"NULL",`}, "\\N\tNULL\t\\N\n"},
		{"json 'auto'", []string{`{"A":"tab\there","b":{"k":1},"c":1700000000}`, `{"a":null,"b":[1,"x"],"c":"2024-01-01T00:00:00Z"}`},
			"tab\\there\t{\"k\":1}\t2023-11-14 22:13:20Z\n\\N\t[1,\"x\"]\t2024-01-01T00:00:00Z\n"},
	} {
		t.Run(tc.options+" "+strings.Join(tc.records, "+"), func(t *testing.T) {
			got, err := copyText(t, tc.options, tc.records...)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		options string
		records []string
		err     string
	}{
		{"", []string{"x|1"}, "Delimiter not found"},
		{"", []string{"x|1|2|3"}, "Extra column(s) found"},
		{"csv", []string{`"open`}, "unterminated quoted field"},
		{"removequotes", []string{`"open`}, "unterminated quoted field"},
		{"", []string{"a\x00|1|"}, "NUL"},
		{"timeformat 'epochsecs'", []string{"x|1|soon"}, "not an epoch number"},
		{"json 'auto'", []string{`{"a":1} [`}, "invalid JSON object"},
		{"json 'auto'", []string{`"s"`}, "invalid JSON object"},
	} {
		t.Run("error "+tc.options+" "+strings.Join(tc.records, "+"), func(t *testing.T) {
			_, err := copyText(t, tc.options, tc.records...)
			var le *loadError
			if !errors.As(err, &le) || le.code != CodeDataLoadFailed || !strings.Contains(le.cause, tc.err) {
				t.Fatalf("error %v, want DataLoadFailed with %q", err, tc.err)
			}
		})
	}
}

// FuzzBuildRows: any batch of records, read as text, CSV or JSON, either
// fails with a data error or gives COPY text of whole rows with the
// table's number of fields and no raw control characters.
func FuzzBuildRows(f *testing.F) {
	f.Add("", "a|b|c\n")
	f.Add("csv", "\"a\"\"\",b,\"c\nd\"\n")
	f.Add("escape removequotes fillrecord", "\"x|y\"|\\\n|\n")
	f.Add("json 'auto'", `{"a":"x","B":[1],"c":12}{"a":null}`)
	f.Add("csv quote as '''' ignoreheader 2 ignoreblanklines", "h\n\n'a''',b,c")
	f.Fuzz(func(t *testing.T, options, data string) {
		o, err := ParseCopyOptions(options)
		if err != nil {
			return
		}
		b := dest.Batch{Records: []dest.Record{{ID: "1", Data: []byte(data)}, {ID: "2", Data: []byte(data)}}}
		var rows *batchRows
		if o.Format == JSON {
			rows, err = buildJSON(b, textTable(), nil, &o)
		} else {
			rows, err = buildText(b, textTable(), nil, &o)
		}
		if err != nil {
			var le *loadError
			if !errors.As(err, &le) || le.code != CodeDataLoadFailed {
				t.Fatalf("error %v", err)
			}
			return
		}
		out := rows.buf.String()
		lines := strings.Split(out, "\n")
		if out != "" && lines[len(lines)-1] != "" || len(lines)-1 != len(rows.record) {
			t.Fatalf("%d rows for %d records: %q", len(lines)-1, len(rows.record), out)
		}
		for _, l := range lines[:len(lines)-1] {
			if n := strings.Count(l, "\t") + 1; n != len(rows.cols) || strings.ContainsAny(l, "\r\x00") {
				t.Fatalf("row %q: %d fields for %d columns", l, n, len(rows.cols))
			}
		}
	})
}

package discover

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func recs(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, r := range s {
		out[i] = []byte(r)
	}
	return out
}

type col struct{ name, typ, mapping string }

func cols(s *SourceSchema) []col {
	var out []col
	for _, c := range s.RecordColumns {
		m := ""
		if c.Mapping != nil {
			m = *c.Mapping
		}
		out = append(out, col{c.Name, c.SqlType, m})
	}
	return out
}

func rows(p [][]*string) [][]any {
	var out [][]any
	for _, r := range p {
		var row []any
		for _, v := range r {
			if v == nil {
				row = append(row, nil)
			} else {
				row = append(row, *v)
			}
		}
		out = append(out, row)
	}
	return out
}

// AWS's "Using the Schema Discovery Feature on Static Data" example, whose
// documented response this must reproduce.
func TestDiscoverAWSCSVExample(t *testing.T) {
	data := "year,month,state,producer_type,energy_source,units,consumption\r\n" +
		"2001,1,AK,TotalElectricPowerIndustry,Coal,ShortTons,47615\r\n" +
		"2001,1,AK,ElectricGeneratorsElectricUtilities,Coal,ShortTons,16535\r\n" +
		"2001,1,AK,CombinedHeatandPowerElectricPower,Coal,ShortTons,22890\r\n" +
		"2001,1,AL,TotalElectricPowerIndustry,Coal,ShortTons,3020601\r\n" +
		"2001,1,AL,ElectricGeneratorsElectricUtilities,Coal,ShortTons,2987681"
	res, err := Discover(recs(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"InputSchema":{"RecordColumns":[` +
		`{"Name":"COL_year","SqlType":"INTEGER"},{"Name":"COL_month","SqlType":"INTEGER"},` +
		`{"Name":"state","SqlType":"VARCHAR(4)"},{"Name":"producer_type","SqlType":"VARCHAR(64)"},` +
		`{"Name":"energy_source","SqlType":"VARCHAR(4)"},{"Name":"units","SqlType":"VARCHAR(16)"},` +
		`{"Name":"consumption","SqlType":"INTEGER"}],"RecordEncoding":"UTF-8",` +
		`"RecordFormat":{"MappingParameters":{"CSVMappingParameters":{"RecordColumnDelimiter":",","RecordRowDelimiter":"\r\n"}},"RecordFormatType":"CSV"}},` +
		`"ParsedInputRecords":[[null,null,"state","producer_type","energy_source","units",null],` +
		`["2001","1","AK","TotalElectricPowerIndustry","Coal","ShortTons","47615"],` +
		`["2001","1","AK","ElectricGeneratorsElectricUtilities","Coal","ShortTons","16535"],` +
		`["2001","1","AK","CombinedHeatandPowerElectricPower","Coal","ShortTons","22890"],` +
		`["2001","1","AL","TotalElectricPowerIndustry","Coal","ShortTons","3020601"],` +
		`["2001","1","AL","ElectricGeneratorsElectricUtilities","Coal","ShortTons","2987681"]],` +
		`"RawInputRecords":[` + string(mustJSON(t, data)) + `]}`
	if got := string(mustJSON(t, res)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDiscoverJSON(t *testing.T) {
	for _, tc := range []struct {
		name    string
		records []string
		cols    []col
		rows    [][]any
	}{{
		// The getting-started demo stream (stock ticker).
		name: "stock ticker",
		records: []string{
			`{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51}`,
			`{"TICKER_SYMBOL":"AAPL","SECTOR":"TECHNOLOGY","CHANGE":1.26,"PRICE":121.9}`,
			`{"TICKER_SYMBOL":"WAS","SECTOR":"RETAIL","CHANGE":-3,"PRICE":10}`,
		},
		cols: []col{
			{"TICKER_SYMBOL", "VARCHAR(4)", "$.TICKER_SYMBOL"},
			{"SECTOR", "VARCHAR(16)", "$.SECTOR"},
			{"CHANGE", "REAL", "$.CHANGE"},
			{"PRICE", "REAL", "$.PRICE"},
		},
		rows: [][]any{
			{"QXZ", "HEALTHCARE", "-0.05", "84.51"},
			{"AAPL", "TECHNOLOGY", "1.26", "121.9"},
			{"WAS", "RETAIL", "-3", "10"},
		},
	}, {
		name:    "integers widen to BIGINT, bigint with real to DOUBLE",
		records: []string{`{"a":1,"b":1,"c":1}`, `{"a":2,"b":3000000000,"c":3000000000}`, `{"c":0.5}`},
		cols:    []col{{"a", "INTEGER", "$.a"}, {"b", "BIGINT", "$.b"}, {"c", "DOUBLE", "$.c"}},
		rows:    [][]any{{"1", "1", "1"}, {"2", "3000000000", "3000000000"}, {nil, nil, "0.5"}},
	}, {
		name:    "huge number is DOUBLE",
		records: []string{`{"x":1e300}`, `{"x":2}`},
		cols:    []col{{"x", "DOUBLE", "$.x"}},
		rows:    [][]any{{"1e300"}, {"2"}},
	}, {
		name:    "booleans, mixed kinds, nulls",
		records: []string{`{"ok":true,"m":1,"n":null,"s":"x"}`, `{"ok":false,"m":"abcdefgh","n":null,"s":null}`},
		cols: []col{
			{"ok", "BOOLEAN", "$.ok"},
			{"m", "VARCHAR(8)", "$.m"},
			{"n", "VARCHAR(4)", "$.n"},
			{"s", "VARCHAR(4)", "$.s"},
		},
		rows: [][]any{{"true", "1", nil, "x"}, {"false", "abcdefgh", nil, nil}},
	}, {
		name:    "bool and number mix is VARCHAR",
		records: []string{`{"v":true}`, `{"v":12345}`},
		cols:    []col{{"v", "VARCHAR(8)", "$.v"}},
		rows:    [][]any{{"true"}, {"12345"}},
	}, {
		name:    "nested objects flatten, arrays keep source text",
		records: []string{`{"customerName":"John Doe","address":{"city":"Anytown","zip":{"code":"12345"}},"orders":[{"orderId":"23284"}, {"orderId":"63122"}]}`},
		cols: []col{
			{"customerName", "VARCHAR(8)", "$.customerName"},
			{"city", "VARCHAR(8)", "$.address.city"},
			{"code", "VARCHAR(8)", "$.address.zip.code"},
			{"orders", "VARCHAR(64)", "$.orders[0:]"},
		},
		rows: [][]any{{"John Doe", "Anytown", "12345", `[{"orderId":"23284"},{"orderId":"63122"}]`}},
	}, {
		name:    "leaf name collision uses the path",
		records: []string{`{"id":1,"user":{"id":"u1"},"item":{"id":"i1"}}`},
		cols: []col{
			{"id", "INTEGER", "$.id"},
			{"user_id", "VARCHAR(4)", "$.user.id"},
			{"item_id", "VARCHAR(4)", "$.item.id"},
		},
		rows: [][]any{{"1", "u1", "i1"}},
	}, {
		name:    "column naming (AWS's examples)",
		records: []string{`{"USER":"a","USER@DOMAIN":"b","@@":"c","timestamp":"d","1st":"e","my key":"f","it's":"g"}`},
		cols: []col{
			{"COL_USER", "VARCHAR(4)", "$.USER"},
			{"COL_USERDOMAIN", "VARCHAR(4)", "$['USER@DOMAIN']"},
			{"COL_2", "VARCHAR(4)", "$['@@']"},
			{"COL_timestamp", "VARCHAR(4)", "$.timestamp"},
			{"COL_1st", "VARCHAR(4)", "$.1st"},
			{"COL_mykey", "VARCHAR(4)", "$['my key']"},
			{"COL_its", "VARCHAR(4)", `$['it\'s']`},
		},
		rows: [][]any{{"a", "b", "c", "d", "e", "f", "g"}},
	}, {
		name:    "long names are cut to 100",
		records: []string{`{"` + strings.Repeat("a", 120) + `":1}`},
		cols:    []col{{"COL_" + strings.Repeat("a", 96), "INTEGER", "$." + strings.Repeat("a", 120)}},
		rows:    [][]any{{"1"}},
	}, {
		name:    "several objects in one record, missing keys",
		records: []string{"{\"a\":\"x\"}\n{\"b\":2}\n", `{"a":"yyyyy","b":3}`},
		cols:    []col{{"a", "VARCHAR(8)", "$.a"}, {"b", "INTEGER", "$.b"}},
		rows:    [][]any{{"x", nil}, {nil, "2"}, {"yyyyy", "3"}},
	}, {
		name:    "timestamps stay VARCHAR (AWS makes users change the type)",
		records: []string{`{"EVENT_TIME":"2018-05-09T12:50:41.337510","TICKER":"AAPL"}`},
		cols:    []col{{"EVENT_TIME", "VARCHAR(32)", "$.EVENT_TIME"}, {"TICKER", "VARCHAR(4)", "$.TICKER"}},
		rows:    [][]any{{"2018-05-09T12:50:41.337510", "AAPL"}},
	}, {
		name:    "a minority of non-JSON samples is ignored",
		records: []string{`{"a":1}`, `{"a":2}`, `garbage`},
		cols:    []col{{"a", "INTEGER", "$.a"}},
		rows:    [][]any{{"1"}, {"2"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Discover(recs(tc.records...), Options{})
			if err != nil {
				t.Fatal(err)
			}
			f := res.InputSchema.RecordFormat
			if f.RecordFormatType != FormatJSON || f.MappingParameters.JSONMappingParameters.RecordRowPath != "$" || *res.InputSchema.RecordEncoding != "UTF-8" {
				t.Errorf("format = %+v", f)
			}
			if got := cols(res.InputSchema); !reflect.DeepEqual(got, tc.cols) {
				t.Errorf("columns\n got %q\nwant %q", got, tc.cols)
			}
			if got := rows(res.ParsedInputRecords); !reflect.DeepEqual(got, tc.rows) {
				t.Errorf("rows\n got %q\nwant %q", got, tc.rows)
			}
			if !reflect.DeepEqual(res.RawInputRecords, tc.records) {
				t.Errorf("raw = %q", res.RawInputRecords)
			}
		})
	}
}

func TestDiscoverCSV(t *testing.T) {
	for _, tc := range []struct {
		name     string
		records  []string
		col, row string
		cols     []col
		rows     [][]any
	}{{
		name:    "no header, one row per record",
		records: []string{"Smith,John,1\n", "Doe,Jane,20000000000\n"},
		col:     ",", row: "\n",
		cols: []col{{"COL_1", "VARCHAR(8)", ""}, {"COL_2", "VARCHAR(4)", ""}, {"COL_3", "BIGINT", ""}},
		rows: [][]any{{"Smith", "John", "1"}, {"Doe", "Jane", "20000000000"}},
	}, {
		name:    "pipe delimited with header and reals",
		records: []string{"name|price|ok\na|1.5|true\nb|2|FALSE"},
		col:     "|", row: "\n",
		cols: []col{{"name", "VARCHAR(4)", ""}, {"price", "REAL", ""}, {"ok", "BOOLEAN", ""}},
		rows: [][]any{{"name", nil, nil}, {"a", "1.5", "true"}, {"b", "2", "FALSE"}},
	}, {
		name:    "quoted fields",
		records: []string{`"Doe, Jane",7`, `"say ""hi""",8`},
		col:     ",", row: "\n",
		cols: []col{{"COL_1", "VARCHAR(16)", ""}, {"COL_2", "INTEGER", ""}},
		rows: [][]any{{"Doe, Jane", "7"}, {`say "hi"`, "8"}},
	}, {
		name:    "ragged rows are padded or cut to the usual count",
		records: []string{"a;1\nb;2\nc;3\nd;4\ne\nf;5;x\ng;6\nh;7\ni;8\nj;9"},
		col:     ";", row: "\n",
		cols: []col{{"COL_1", "VARCHAR(4)", ""}, {"COL_2", "INTEGER", ""}},
		rows: [][]any{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", nil}, {"f", "5"}, {"g", "6"}, {"h", "7"}, {"i", "8"}, {"j", "9"}},
	}, {
		name:    "plain log lines are one column",
		records: []string{"GET /index.html 200", "POST /login 302"},
		col:     ",", row: "\n",
		cols: []col{{"COL_1", "VARCHAR(32)", ""}},
		rows: [][]any{{"GET /index.html 200"}, {"POST /login 302"}},
	}, {
		name:    "one-column text containing commas picks an absent delimiter",
		records: []string{"a,b", "c"},
		col:     "\t", row: "\n",
		cols: []col{{"COL_1", "VARCHAR(4)", ""}},
		rows: [][]any{{"a,b"}, {"c"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Discover(recs(tc.records...), Options{})
			if err != nil {
				t.Fatal(err)
			}
			f := res.InputSchema.RecordFormat
			if f.RecordFormatType != FormatCSV {
				t.Fatalf("format %q", f.RecordFormatType)
			}
			if p := f.MappingParameters.CSVMappingParameters; p.RecordColumnDelimiter != tc.col || p.RecordRowDelimiter != tc.row {
				t.Errorf("delimiters %q %q", p.RecordColumnDelimiter, p.RecordRowDelimiter)
			}
			if got := cols(res.InputSchema); !reflect.DeepEqual(got, tc.cols) {
				t.Errorf("columns\n got %q\nwant %q", got, tc.cols)
			}
			if got := rows(res.ParsedInputRecords); !reflect.DeepEqual(got, tc.rows) {
				t.Errorf("rows\n got %q\nwant %q", got, tc.rows)
			}
		})
	}
}

func TestDiscoverProcessed(t *testing.T) {
	res, err := Discover(recs("raw bytes"), Options{Processed: recs(`{"a":"b"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.InputSchema.RecordFormat.RecordFormatType != FormatJSON ||
		!reflect.DeepEqual(res.ProcessedInputRecords, []string{`{"a":"b"}`}) ||
		!reflect.DeepEqual(res.RawInputRecords, []string{"raw bytes"}) {
		t.Errorf("got %+v", res)
	}
}

func TestDiscoverUnable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		records [][]byte
		msg     string
	}{
		{"no records", nil, msgNoRecords},
		{"blank records", recs("", " \n "), msgNoSchema},
		{"invalid UTF-8", [][]byte{{0xff, 0xfe, 0x00}}, msgNoSchema},
		{"empty objects", recs("{}", "{}"), msgNoSchema},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Discover(tc.records, Options{})
			var e *UnableToDetectSchemaException
			if !errors.As(err, &e) {
				t.Fatalf("err = %v", err)
			}
			if e.Message != tc.msg || e.ErrorCode() != "UnableToDetectSchemaException" || len(e.RawInputRecords) != len(tc.records) {
				t.Errorf("got %+v", e)
			}
		})
	}
}

func TestVarchar(t *testing.T) {
	for n, want := range map[int]string{0: "VARCHAR(4)", 2: "VARCHAR(4)", 4: "VARCHAR(4)", 5: "VARCHAR(8)", 9: "VARCHAR(16)", 35: "VARCHAR(64)", 64: "VARCHAR(64)", 65: "VARCHAR(128)"} {
		if got := varchar(n); got != want {
			t.Errorf("varchar(%d) = %s, want %s", n, got, want)
		}
	}
}

func FuzzDiscover(f *testing.F) {
	for _, s := range []string{
		`{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51}`,
		"year,month\r\n2001,1\r\n2002,2",
		`{"a":{"b":[1,2,{"c":null}]},"d":1e999}`,
		`"unterminated,1`,
		"a|b|c\n1|2|3",
		"\xef\xbb\xbf{\"x\":true}",
		"",
		"{\"a\":1}{\"a\":\"x\"}",
		"\xff",
	} {
		f.Add([]byte(s), []byte("x,y\n1,2"))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		res, err := Discover([][]byte{a, b}, Options{})
		if err != nil {
			var e *UnableToDetectSchemaException
			if !errors.As(err, &e) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		s := res.InputSchema
		if len(s.RecordColumns) == 0 || len(s.RecordColumns) > MaxColumns {
			t.Fatalf("%d columns", len(s.RecordColumns))
		}
		names := map[string]bool{}
		for _, c := range s.RecordColumns {
			if c.Name == "" || len(c.Name) > 110 || names[c.Name] || c.SqlType == "" {
				t.Fatalf("bad column %+v", c)
			}
			names[c.Name] = true
		}
		for _, r := range res.ParsedInputRecords {
			if len(r) != len(s.RecordColumns) {
				t.Fatalf("row of %d values for %d columns", len(r), len(s.RecordColumns))
			}
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
	})
}

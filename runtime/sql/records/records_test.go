package records

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// col is "NAME TYPE [MAPPING]" with TYPE free of blanks.
func jsonSchema(rowPath string, cols ...string) types.SourceSchema {
	s := types.SourceSchema{
		RecordEncoding: aws.String("UTF-8"),
		RecordFormat: &types.RecordFormat{RecordFormatType: types.RecordFormatTypeJson,
			MappingParameters: &types.MappingParameters{JSONMappingParameters: &types.JSONMappingParameters{RecordRowPath: aws.String(rowPath)}}},
	}
	for _, c := range cols {
		f := strings.SplitN(c, " ", 3)
		rc := types.RecordColumn{Name: aws.String(f[0]), SqlType: aws.String(f[1])}
		if len(f) > 2 {
			rc.Mapping = aws.String(f[2])
		}
		s.RecordColumns = append(s.RecordColumns, rc)
	}
	return s
}

func csvSchema(colDelim, rowDelim string, cols ...string) types.SourceSchema {
	s := jsonSchema("$", cols...)
	s.RecordFormat = &types.RecordFormat{RecordFormatType: types.RecordFormatTypeCsv,
		MappingParameters: &types.MappingParameters{CSVMappingParameters: &types.CSVMappingParameters{
			RecordColumnDelimiter: aws.String(colDelim), RecordRowDelimiter: aws.String(rowDelim)}}}
	return s
}

// parse answers the rows as "v1 | v2" strings (values with eval's String).
func parse(t *testing.T, p *Parser, data string) ([]string, error) {
	t.Helper()
	var out []string
	err := p.Parse([]byte(data), func(r eval.Row) error {
		var f []string
		for _, v := range r {
			f = append(f, v.String())
		}
		out = append(out, strings.Join(f, " | "))
		return nil
	})
	return out, err
}

// The developer guide's JSONPath example (made valid JSON: its
// streetAddress is written as an object).
const customer = `{
  "customerName":"John Doe",
  "address": { "streetAddress": { "number":"123", "street":"AnyStreet" }, "city":"Anytown" },
  "orders": [
    { "orderId":"23284", "itemName":"Widget", "itemPrice":"33.99" },
    { "orderId":"63122", "itemName":"Gadget", "itemPrice":"22.50" },
    { "orderId":"77284", "itemName":"Sprocket", "itemPrice":"12.00" }
  ]
}`

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name    string
		schema  types.SourceSchema
		data    string
		want    []string
		wantErr string // ERROR_NAME
	}{
		{"guide element", jsonSchema("$", "NAME VARCHAR(16) $.customerName"), customer, []string{"John Doe"}, ""},
		{"case sensitive", jsonSchema("$", "NAME VARCHAR(16) $.customername"), customer, []string{"NULL"}, ""},
		{"nested", jsonSchema("$", "CITY VARCHAR(16) $.address.city", "STREET VARCHAR(16) $.address.streetAddress.street"), customer,
			[]string{"Anytown | AnyStreet"}, ""},
		{"array in one row", jsonSchema("$", "ORDERS VARCHAR(1024) $.orders[0:]"), customer,
			[]string{`[{"orderId":"23284","itemName":"Widget","itemPrice":"33.99"},{"orderId":"63122","itemName":"Gadget","itemPrice":"22.50"},{"orderId":"77284","itemName":"Sprocket","itemPrice":"12.00"}]`}, ""},
		{"array flattened with repeated column", jsonSchema("$", "NAME VARCHAR(16) $.customerName", "ID INTEGER $.orders[0:].orderId", "PRICE DECIMAL(5,2) $.orders[0:].itemPrice"), customer,
			[]string{"John Doe | 23284 | 33.99", "John Doe | 63122 | 22.50", "John Doe | 77284 | 12.00"}, ""},
		{"flattened missing element", jsonSchema("$", "ID VARCHAR(8) $.orders[0:].itemId"), customer,
			[]string{"NULL", "NULL", "NULL"}, ""},
		{"flattened empty array", jsonSchema("$", "N VARCHAR(8) $.n", "ID VARCHAR(8) $.orders[0:].id"), `{"n":"x","orders":[]}`,
			[]string{"x | NULL"}, ""},
		{"flattened array absent", jsonSchema("$", "N VARCHAR(8) $.n", "ID VARCHAR(8) $.orders[0:].id"), `{"n":"x"}`,
			[]string{"x | NULL"}, ""},
		{"flatten plus second array as text", jsonSchema("$", "A INTEGER $.a[0:].v", "B VARCHAR(16) $.b[0:]"), `{"a":[{"v":1},{"v":2}],"b":[1, 2]}`,
			[]string{"1 | [1,2]", "2 | [1,2]"}, ""},
		{"array index", jsonSchema("$", "FIRST VARCHAR(8) $.orders[1].itemName", "X VARCHAR(8) $.orders[7].itemName"), customer,
			[]string{"Gadget | NULL"}, ""},
		{"bracket key", jsonSchema("$", "K INTEGER $['my key']", "Q INTEGER $[\"a.b\"]"), `{"my key": 4, "a.b": 5}`, []string{"4 | 5"}, ""},
		{"escaped key and value", jsonSchema("$", "K VARCHAR(8) $.k\""), `{"k\"":"a\nb\u00e9\ud83d\ude00"}`, []string{"a\nbé😀"}, ""},
		{"row path nested object", jsonSchema("$.data", "X INTEGER $.x", "Y INTEGER $.data.y"), `{"data":{"x":1,"y":2}}`, []string{"1 | 2"}, ""},
		{"row path array", jsonSchema("$.items[0:]", "X INTEGER $.x"), `{"items":[{"x":1},{"x":2},{"x":3}]}`, []string{"1", "2", "3"}, ""},
		{"row path array mapping repeats row path", jsonSchema("$.items[0:]", "X INTEGER $.items[0:].x"), `{"items":[{"x":1},{"x":2}]}`, []string{"1", "2"}, ""},
		{"top-level array", jsonSchema("$", "X INTEGER $.x"), `[{"x":1},{"x":2}]`, []string{"1", "2"}, ""},
		{"json lines", jsonSchema("$", "X INTEGER $.x"), "{\"x\":1}\n{\"x\":2}\n", []string{"1", "2"}, ""},
		{"whole row as text", jsonSchema("$", "ALL VARCHAR(64) $"), `{"a": 1, "b": [true, null]}`, []string{`{"a":1,"b":[true,null]}`}, ""},
		{"duplicate mapping", jsonSchema("$", "A INTEGER $.x", "B DOUBLE $.x"), `{"x":3}`, []string{"3 | 3.0"}, ""},
		{"skips unmapped", jsonSchema("$", "B INTEGER $.b"), `{"a":{"x":[1,{"y":"]}"}],"z":"\""},"b":7,"c":[[[]]]}`, []string{"7"}, ""},
		// errors
		{"not json", jsonSchema("$", "X INTEGER $.x"), `hello`, nil, ErrorNameParse},
		{"truncated", jsonSchema("$", "X INTEGER $.x"), `{"x":1`, nil, ErrorNameParse},
		{"empty", jsonSchema("$", "X INTEGER $.x"), ` `, nil, ErrorNameParse},
		{"bad number", jsonSchema("$", "X INTEGER $.x"), `{"x":01}`, nil, ErrorNameParse},
		{"row path matches nothing", jsonSchema("$.data", "X INTEGER $.x"), `{"x":1}`, nil, ErrorNameParse},
		{"coercion INTEGER from 123.4", jsonSchema("$", "X INTEGER $.x"), `{"x":123.4}`, nil, ErrorNameCoercion},
		{"coercion one flattened row", jsonSchema("$", "X INTEGER $.a[0:].x"), `{"a":[{"x":1},{"x":"q"},{"x":3}]}`, []string{"1", "3"}, ErrorNameCoercion},
		{"coercion TIMESTAMP from number", jsonSchema("$", "T TIMESTAMP $.t"), `{"t":1}`, nil, ErrorNameCoercion},
		{"coercion object to INTEGER", jsonSchema("$", "X INTEGER $.x"), `{"x":{}}`, nil, ErrorNameCoercion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewParser(tt.schema)
			if err != nil {
				t.Fatal(err)
			}
			checkParse(t, p, tt.data, tt.want, tt.wantErr)
		})
	}
}

// checkParse parses data with p and checks the rows (as parse prints them)
// and the error's name (wantErr "": no error).
func checkParse(t *testing.T, p *Parser, data string, want []string, wantErr string) {
	t.Helper()
	got, err := parse(t, p, data)
	if wantErr == "" && err != nil {
		t.Fatalf("error %v", err)
	}
	if wantErr != "" {
		var e *Error
		if !errors.As(err, &e) || e.Name != wantErr {
			t.Fatalf("error %v, want %s", err, wantErr)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestConvert(t *testing.T) {
	// Each case maps one JSON value (the record {"v": <json>}) to a type.
	tests := []struct {
		typ, json, want string // want "!" for a coercion error
	}{
		{"INTEGER", `null`, "NULL"},
		{"TIMESTAMP", `null`, "NULL"},
		// booleans
		{"INTEGER", `true`, "1"},
		{"DECIMAL(5,2)", `true`, "1.00"},
		{"DECIMAL(2,2)", `true`, "!"},
		{"DOUBLE", `false`, "0.0"},
		{"BOOLEAN", `true`, "TRUE"},
		{"VARCHAR(3)", `false`, "fal"},
		{"VARBINARY(1)", `true`, "01"},
		{"DATE", `true`, "!"},
		// numbers
		{"INTEGER", `67321`, "67321"},
		{"INTEGER", `123.4`, "!"},
		{"INTEGER", `12.00`, "12"},
		{"INTEGER", `1.5e1`, "15"},
		{"INTEGER", `2147483648`, "!"},
		{"BIGINT", `2147483648`, "2147483648"},
		{"TINYINT", `-128`, "-128"},
		{"TINYINT", `128`, "!"},
		{"SMALLINT", `-32769`, "!"},
		{"DECIMAL(5,2)", `123.45`, "123.45"},
		{"DECIMAL(5,2)", `1234.5`, "!"},
		{"DECIMAL(5,2)", `1.234`, "!"},
		{"DECIMAL(5,2)", `1.230`, "1.23"},
		{"DECIMAL(10,2)", `-7`, "-7.00"},
		{"DECIMAL(10,2)", `5e-1`, "0.50"},
		{"DOUBLE", `1e400`, "!"},
		{"DOUBLE", `35.61`, "35.61"},
		{"REAL", `1e39`, "!"},
		{"REAL", `0.1`, "0.1"},
		{"BOOLEAN", `0`, "FALSE"},
		{"BOOLEAN", `0.0e3`, "FALSE"},
		{"BOOLEAN", `-2.5`, "TRUE"},
		{"VARCHAR(8)", `1.50`, "1.50"},
		{"VARCHAR(2)", `12345`, "12"},
		{"VARBINARY(4)", `1`, "!"},
		{"TIMESTAMP", `1528898465`, "!"},
		// strings
		{"INTEGER", `" 42 "`, "42"},
		{"INTEGER", `"+42"`, "42"},
		{"INTEGER", `"4x"`, "!"},
		{"INTEGER", `""`, "!"},
		{"DOUBLE", `"33.99"`, "33.99"},
		{"DECIMAL(4,2)", `"33.99"`, "33.99"},
		{"BOOLEAN", `"TRUE"`, "TRUE"},
		{"BOOLEAN", `"yes"`, "FALSE"},
		{"VARCHAR(4)", `"AnyStreet"`, "AnyS"},
		{"VARCHAR(2)", `"éèê"`, "éè"},
		{"VARCHAR", `"unbounded"`, "unbounded"},
		{"CHAR(4)", `"ab"`, "ab  "},
		{"VARBINARY(8)", `"X'3F67A23A'"`, "3F67A23A"},
		{"VARBINARY(8)", `"P2eiOg=="`, "3F67A23A"},
		{"VARBINARY(8)", `"X'3F6'"`, "!"},
		{"TIMESTAMP", `"1992-02-14"`, "1992-02-14 00:00:00"},
		{"TIMESTAMP", `"1992-02-14 18:35:44.0"`, "1992-02-14 18:35:44"},
		{"TIMESTAMP", `"2018-05-09T12:50:41.337510"`, "2018-05-09 12:50:41.337"},
		{"TIMESTAMP", `"2018-05-09T12:50:41Z"`, "2018-05-09 12:50:41"},
		{"TIMESTAMP", `"2018-05-09T12:50:41+02:00"`, "2018-05-09 10:50:41"},
		{"TIMESTAMP", `"2018-05-09T00:10-0030"`, "2018-05-09 00:40:00"},
		{"TIMESTAMP", `"2018-02-30 00:00:00"`, "!"},
		{"TIMESTAMP", `"2018-05-09 24:00:00"`, "!"},
		{"TIMESTAMP", `"yesterday"`, "!"},
		{"DATE", `"2018-05-09"`, "2018-05-09"},
		{"DATE", `"2018-05-09T23:59:59"`, "2018-05-09"},
		{"TIME", `"12:50:41.5"`, "12:50:41.500"},
		{"TIME", `"2018-05-09 12:50"`, "12:50:00"},
		{"TIME", `"25:00"`, "!"},
		// objects and arrays
		{"VARCHAR(32)", `{"a": [1, "b c"]}`, `{"a":[1,"b c"]}`},
		{"VARCHAR(3)", `[1, 2]`, `[1,`},
		{"INTEGER", `[1]`, "!"},
		{"BOOLEAN", `{}`, "!"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.json, func(t *testing.T) {
			p, err := NewParser(jsonSchema("$", "V "+tt.typ+" $.v"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := parse(t, p, `{"v":`+tt.json+`}`)
			if tt.want == "!" {
				if !errors.Is(err, ErrCoercion) {
					t.Fatalf("got %v, %v; want a coercion error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseCSV(t *testing.T) {
	cols := []string{"LastName VARCHAR(16)", "FirstName VARCHAR(16)", "CustomerId INTEGER"}
	tests := []struct {
		name       string
		col, row   string
		data       string
		want       []string
		wantErr    string
		schemaCols []string
	}{
		{"guide example", ",", "\n", "Doe,John,67321\nRoe,Jane,67322\n", []string{"Doe | John | 67321", "Roe | Jane | 67322"}, "", nil},
		{"crlf", ",", "\n", "Doe,John,1\r\nRoe,Jane,2", []string{"Doe | John | 1", "Roe | Jane | 2"}, "", nil},
		{"crlf delimiter", ",", "\r\n", "Doe,John,1\r\nRoe,Jane,2\r\n", []string{"Doe | John | 1", "Roe | Jane | 2"}, "", nil},
		{"extra fields ignored", ",", "\n", "Doe,John,1,extra,more", []string{"Doe | John | 1"}, "", nil},
		{"missing fields null", ",", "\n", "Doe", []string{"Doe | NULL | NULL"}, "", nil},
		{"empty fields null", ",", "\n", ",,", []string{"NULL | NULL | NULL"}, "", nil},
		{"blank numbers", ",", "\n", "a,b, 7 ", []string{"a | b | 7"}, "", nil},
		{"quoted", ",", "\n", `"Doe, Jr.","Jo ""JJ""",3`, []string{`Doe, Jr. | Jo "JJ" | 3`}, "", nil},
		{"multi-char delimiters", "||", "$$", "a||b||1$$c||d||2", []string{"a | b | 1", "c | d | 2"}, "", nil},
		{"tab", "\t", "\n", "a\tb\t1\n\n", []string{"a | b | 1"}, "", nil},
		{"coercion", ",", "\n", "a,b,x\nc,d,4", []string{"c | d | 4"}, ErrorNameCoercion, nil},
		{"empty record", ",", "\n", "\n\n", nil, ErrorNameParse, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := cols
			if tt.schemaCols != nil {
				sc = tt.schemaCols
			}
			p, err := NewParser(csvSchema(tt.col, tt.row, sc...))
			if err != nil {
				t.Fatal(err)
			}
			checkParse(t, p, tt.data, tt.want, tt.wantErr)
		})
	}
}

func TestNewParserErrors(t *testing.T) {
	bad := func(s types.SourceSchema, f func(*types.SourceSchema)) types.SourceSchema { f(&s); return s }
	ok := jsonSchema("$", "X INTEGER $.x")
	tests := []struct {
		name   string
		schema types.SourceSchema
		want   string
	}{
		{"no columns", jsonSchema("$"), "no RecordColumns"},
		{"bad type", jsonSchema("$", "X VARCHAR(x) $.x"), "invalid SqlType"},
		{"injected type", jsonSchema("$", "X INTEGER,Y INTEGER $.x"), "invalid SqlType"},
		{"unknown type", jsonSchema("$", "X BLOB $.x"), "invalid SqlType"},
		{"big decimal", jsonSchema("$", "X DECIMAL(30,2) $.x"), "DECIMAL(30,2)"},
		{"no mapping", jsonSchema("$", "X INTEGER"), "no Mapping"},
		{"bad mapping", jsonSchema("$", "X INTEGER x"), "must start with $"},
		{"bad row path", jsonSchema("x", "X INTEGER $.x"), "RecordRowPath"},
		{"two levels", jsonSchema("$", "X INTEGER $.a[0:].b[0:].c"), "one level"},
		{"two arrays", jsonSchema("$", "X INTEGER $.a[0:].x", "Y INTEGER $.b[0:].y"), "only one array"},
		{"duplicate name", jsonSchema("$", "X INTEGER $.x", "X INTEGER $.y"), "duplicate"},
		{"encoding", bad(ok, func(s *types.SourceSchema) { s.RecordEncoding = aws.String("UTF-16") }), "UTF-16"},
		{"format", bad(ok, func(s *types.SourceSchema) { s.RecordFormat.RecordFormatType = "XML" }), "XML"},
		{"csv same delimiters", csvSchema(",", ",", "X INTEGER"), "same"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewParser(tt.schema)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSQLType(t *testing.T) {
	tests := []struct{ in, want string }{
		{"VARCHAR(8)", "VARCHAR(8)"},
		{"varchar(8)", "VARCHAR(8)"},
		{"CHARACTER VARYING(4)", "VARCHAR(4)"},
		{"CHAR(3)", "CHAR(3)"},
		{"DOUBLE", "DOUBLE"},
		{"DOUBLE PRECISION", "DOUBLE"},
		{"INT", "INTEGER"},
		{"INTEGER", "INTEGER"},
		{"TIMESTAMP", "TIMESTAMP"},
		{"DECIMAL(10,2)", "DECIMAL(10,2)"},
		{"DEC(5, 2)", "DECIMAL(5,2)"},
		{"NUMERIC", "DECIMAL(18,0)"},
		{"BOOLEAN", "BOOLEAN"},
		{"REAL", "REAL"},
		{"TINYINT", "TINYINT"},
		{"VARBINARY(4)", "VARBINARY(4)"},
	}
	for _, tt := range tests {
		got, err := SQLType(tt.in)
		if err != nil || got.String() != tt.want {
			t.Errorf("SQLType(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatter(t *testing.T) {
	cols := []engine.Column{
		{Name: "TICKER", Type: eval.Type{Kind: eval.Varchar, Len: 4}},
		{Name: "x", Type: eval.Type{Kind: eval.Double}},
		{Name: "N", Type: eval.Type{Kind: eval.Integer}},
		{Name: "D", Type: eval.Type{Kind: eval.Decimal, Len: 10, Scale: 2}},
		{Name: "T", Type: eval.Type{Kind: eval.Timestamp}},
		{Name: "B", Type: eval.Type{Kind: eval.Boolean}},
		{Name: "DT", Type: eval.Type{Kind: eval.Date}},
		{Name: "BIN", Type: eval.Type{Kind: eval.Varbinary}},
	}
	rows := []eval.Row{
		{eval.Str("AMZN"), eval.DoubleValue(35.61), eval.Int(-3), eval.DecimalValue(1250, 2),
			eval.TimestampMillis(1533154640000), eval.Bool(true), {Kind: eval.Date, I: 17744}, {Kind: eval.Varbinary, S: "\x3f\x67"}},
		{eval.Str("a\"b,\n"), eval.DoubleValue(1e7), eval.NullValue, eval.DecimalValue(-5, 2),
			eval.TimestampMillis(1533154640120), eval.Bool(false), eval.NullValue, eval.NullValue},
	}
	tests := []struct {
		format types.RecordFormatType
		want   []string
	}{
		{types.RecordFormatTypeJson, []string{
			`{"TICKER":"AMZN","x":35.61,"N":-3,"D":12.50,"T":"2018-08-01 20:17:20.0","B":true,"DT":"2018-08-01","BIN":"P2c="}`,
			`{"TICKER":"a\"b,\n","x":1.0E7,"N":null,"D":-0.05,"T":"2018-08-01 20:17:20.12","B":false,"DT":null,"BIN":null}`,
		}},
		{types.RecordFormatTypeCsv, []string{
			"AMZN,35.61,-3,12.50,2018-08-01 20:17:20.0,true,2018-08-01,P2c=\n",
			"\"a\"\"b,\n\",1.0E7,,-0.05,2018-08-01 20:17:20.12,false,,\n",
		}},
	}
	for _, tt := range tests {
		f, err := NewFormatter(types.DestinationSchema{RecordFormatType: tt.format}, cols)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			if got := string(f.Append(nil, r)); got != tt.want[i] {
				t.Errorf("%s row %d:\n got %s\nwant %s", tt.format, i, got, tt.want[i])
			}
		}
	}
	if _, err := NewFormatter(types.DestinationSchema{RecordFormatType: "XML"}, cols); err == nil {
		t.Error("XML accepted")
	}
}

// The formatter's JSON reads back through the parser.
func TestFormatParseRoundTrip(t *testing.T) {
	s := jsonSchema("$", "S VARCHAR(32) $.S", "D DOUBLE $.D", "T TIMESTAMP $.T", "B BOOLEAN $.B")
	p, err := NewParser(s)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := NewFormatter(types.DestinationSchema{RecordFormatType: types.RecordFormatTypeJson}, p.Columns())
	in := eval.Row{eval.Str("\u2028 \x01 \"é\" \\"), eval.DoubleValue(-1.25e-5), eval.TimestampMillis(-1), eval.Bool(true)}
	rec := f.Append(nil, in)
	got, err := parse(t, p, string(rec))
	if err != nil {
		t.Fatal(err)
	}
	want := "\u2028 \x01 \"é\" \\ | -1.25E-5 | 1969-12-31 23:59:59.999 | TRUE"
	if len(got) != 1 || got[0] != want {
		t.Fatalf("%s read back as %q", rec, got)
	}
}

func TestLoadReference(t *testing.T) {
	// The developer guide's TickerReference.csv, header line included.
	csv := "Ticker, Company\nAMZN,Amazon\nASD, SomeCompanyA\nMMB, SomeCompanyB\nWAS,  SomeCompanyC\n"
	rows, err := LoadReference([]byte(csv), csvSchema(",", "\n", "Ticker VARCHAR(4)", "Company VARCHAR(16)"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r[0].String()+"|"+r[1].String())
	}
	want := "Tick| Company,AMZN|Amazon,ASD| SomeCompanyA,MMB| SomeCompanyB,WAS|  SomeCompanyC"
	if strings.Join(got, ",") != want {
		t.Errorf("got %q", got)
	}

	// A typed column leaves the header line out.
	rows, err = LoadReference([]byte("id,n\n1,a\n2,b"), csvSchema(",", "\n", "ID INTEGER", "N VARCHAR(1)"))
	if err != nil || len(rows) != 2 || rows[1][0].I != 2 {
		t.Errorf("typed: %v, %v", rows, err)
	}

	rows, err = LoadReference([]byte("{\"t\":\"A\"}\n{\"t\":\"B\"}\n"), jsonSchema("$", "T VARCHAR(1) $.t"))
	if err != nil || len(rows) != 2 {
		t.Errorf("json: %v, %v", rows, err)
	}
	if _, err := LoadReference([]byte("{\"t\":"), jsonSchema("$", "T VARCHAR(1) $.t")); err == nil {
		t.Error("broken JSON accepted")
	}
	if rows, err := LoadReference(nil, jsonSchema("$", "T VARCHAR(1) $.t")); err != nil || len(rows) != 0 {
		t.Errorf("empty: %v, %v", rows, err)
	}
}

func TestEachErrorStops(t *testing.T) {
	p, _ := NewParser(jsonSchema("$", "X INTEGER $.x"))
	stop := errors.New("stop")
	n := 0
	err := p.Parse([]byte(`{"x":1}{"x":2}`), func(eval.Row) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("err %v after %d rows", err, n)
	}
	pc, _ := NewParser(csvSchema(",", "\n", "X INTEGER"))
	n = 0
	err = pc.Parse([]byte("1\n2"), func(eval.Row) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("csv: err %v after %d rows", err, n)
	}
}

func TestAppendTimestamp(t *testing.T) {
	for _, ms := range []int64{0, -1, 1, 951782400000, 951868799999, 4102444800000, -62135596800000, 253402300799999, 253402300800000, -62135596800001} {
		got := string(appendTimestamp(nil, ms))
		tm := time.UnixMilli(ms).UTC()
		want := tm.Format("2006-01-02 15:04:05") + "." + strings.TrimRight(fmt.Sprintf("%03d", tm.Nanosecond()/1e6), "0")
		if strings.HasSuffix(want, ".") {
			want += "0"
		}
		if got != want {
			t.Errorf("%d: %s, want %s", ms, got, want)
		}
		// And it reads back.
		if ms >= 0 && ms < 253402300800000 {
			back, ok := parseTimestamp(got)
			if !ok || back != ms {
				t.Errorf("%s read back as %d, %v", got, back, ok)
			}
		}
	}
}

// The developer guide's "JSON Input Schema Example" and "CSV Input Schema
// Example" (Mapping Streaming Source Elements to SQL Input Columns), as an
// API request carries them.
func TestAWSSchemaExamples(t *testing.T) {
	js := `{"RecordColumns":[
		{"SqlType":"VARCHAR(4)","Name":"TICKER_SYMBOL","Mapping":"$.TICKER_SYMBOL"},
		{"SqlType":"VARCHAR(16)","Name":"SECTOR","Mapping":"$.SECTOR"},
		{"SqlType":"TINYINT","Name":"CHANGE","Mapping":"$.CHANGE"},
		{"SqlType":"DECIMAL(5,2)","Name":"PRICE","Mapping":"$.PRICE"}],
		"RecordFormat":{"MappingParameters":{"JSONMappingParameters":{"RecordRowPath":"$"}},"RecordFormatType":"JSON"},
		"RecordEncoding":"UTF-8"}`
	var s types.SourceSchema
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		t.Fatal(err)
	}
	p, err := NewParser(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parse(t, p, `{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-2,"PRICE":84.51}`)
	if err != nil || len(got) != 1 || got[0] != "QXZ | HEALTHCARE | -2 | 84.51" {
		t.Fatalf("got %q, %v", got, err)
	}
	// A fractional CHANGE does not fit TINYINT: a coercion error, as AWS
	// documents for 123.4 to INT.
	if _, err := parse(t, p, `{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51}`); !errors.Is(err, ErrCoercion) {
		t.Fatalf("fractional TINYINT: %v", err)
	}

	cs := `{"RecordColumns":[
		{"SqlType":"VARCHAR(16)","Name":"LastName"},
		{"SqlType":"VARCHAR(16)","Name":"FirstName"},
		{"SqlType":"INTEGER","Name":"CustomerId"}],
		"RecordFormat":{"MappingParameters":{"CSVMappingParameters":{"RecordColumnDelimiter":",","RecordRowDelimiter":"\n"}},"RecordFormatType":"CSV"},
		"RecordEncoding":"UTF-8"}`
	s = types.SourceSchema{}
	if err := json.Unmarshal([]byte(cs), &s); err != nil {
		t.Fatal(err)
	}
	p, err = NewParser(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err = parse(t, p, "Doe,John,67321\n")
	if err != nil || len(got) != 1 || got[0] != "Doe | John | 67321" {
		t.Fatalf("csv got %q, %v", got, err)
	}
	if c := p.Columns(); c[0].Name != "LastName" || c[2].Type.Kind != eval.Integer {
		t.Fatalf("columns %v", c)
	}
}

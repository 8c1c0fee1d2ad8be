package convert

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// readBack opens a converted file with parquet-go's reader and returns its
// rows with pointers dereferenced, so values print plainly.
func readBack(t *testing.T, b []byte) (*parquet.File, []map[string]any) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	r := parquet.NewReader(f, f.Schema())
	defer r.Close()
	var rows []map[string]any
	for i := int64(0); i < f.NumRows(); i++ {
		m := map[string]any{}
		if err := r.Read(&m); err != nil {
			t.Fatalf("Read row %d: %v", i, err)
		}
		rows = append(rows, deref(m).(map[string]any))
	}
	return f, rows
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil
	}
	if rv.Type() == reflect.TypeFor[big.Float]() {
		bf := rv.Interface().(big.Float)
		return bf.Text('f', -1)
	}
	switch rv.Kind() {
	case reflect.Map:
		out := map[string]any{}
		for _, k := range rv.MapKeys() {
			out[fmt.Sprint(k.Interface())] = deref(rv.MapIndex(k).Interface())
		}
		return out
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return string(rv.Bytes())
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = deref(rv.Index(i).Interface())
		}
		return out
	}
	return rv.Interface()
}

func mustCompile(t *testing.T, cfg Config) *Converter {
	t.Helper()
	c, err := Compile(cfg)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return c
}

func convert(t *testing.T, c *Converter, recs ...string) ([]Failure, []map[string]any, *parquet.File) {
	t.Helper()
	in := make([][]byte, len(recs))
	for i, r := range recs {
		in[i] = []byte(r)
	}
	var buf bytes.Buffer
	failed, err := c.Convert(in, &buf)
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	if buf.Len() == 0 {
		return failed, nil, nil
	}
	f, rows := readBack(t, buf.Bytes())
	return failed, rows, f
}

var allTypes = []Column{
	{"s", "string"}, {"i", "int"}, {"big", "bigint"}, {"small", "smallint"}, {"tiny", "tinyint"},
	{"f", "float"}, {"d", "double"}, {"ok", "boolean"}, {"ts", "timestamp"}, {"dt", "date"},
	{"dec", "decimal(10,2)"}, {"dec9", "decimal(5,1)"}, {"dec30", "decimal(30,3)"}, {"bin", "binary"},
	{"arr", "array<int>"}, {"m", "map<string,bigint>"},
	{"st", "struct<name:string,tags:array<string>,inner:struct<x:double>>"},
	{"objs", "array<struct<k:int>>"},
}

func TestRoundTripAllTypes(t *testing.T) {
	c := mustCompile(t, Config{Schema: allTypes})
	failed, rows, f := convert(t, c,
		`{"S":"hello","I":-7,"Big":9007199254740993,"small":-300,"TINY":127,"f":1.5,"d":-2.25,"ok":true,`+
			`"ts":"2017-02-07T15:13:01.39256Z","dt":"2020-01-02","dec":"12.345","dec9":-3,"dec30":"123456789012345678901234.5",`+
			`"bin":"raw","arr":[1,null,3],"m":{"K":5,"n":null},`+
			`"st":{"NAME":"n","tags":["a","b"],"Inner":{"X":0.5}},"objs":[{"K":1},{"k":2}]}`,
		`{}`,
		`{"s":null,"arr":[],"m":{},"st":{}}`,
		`{"s":"a"}{"s":"b"}`,
	)
	if len(failed) != 0 {
		t.Fatalf("failed = %v", failed)
	}
	if len(rows) != 5 {
		t.Fatalf("got %d rows, want 5", len(rows))
	}
	want := map[string]string{
		"s": "hello", "i": "-7", "big": "9007199254740993", "small": "-300", "tiny": "127",
		"f": "1.5", "d": "-2.25", "ok": "true",
		"ts":   fmt.Sprint(time.Date(2017, 2, 7, 15, 13, 1, 392e6, time.UTC).UnixMilli()),
		"dt":   fmt.Sprint(time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC).Unix() / 86400),
		"dec":  "12.35",
		"dec9": "-3",
		"bin":  "raw",
		"arr":  "[1 <nil> 3]",
		"m":    "map[K:5 n:<nil>]",
		"st":   "map[inner:map[x:0.5] name:n tags:[a b]]",
		"objs": "[map[k:1] map[k:2]]",
	}
	for col, w := range want {
		if got := fmt.Sprint(rows[0][col]); got != w {
			t.Errorf("row 0 column %s = %s, want %s", col, got, w)
		}
	}
	// dec30 is a BINARY decimal; the reader hands it back as a number.
	if got := fmt.Sprint(rows[0]["dec30"]); got != "123456789012345678901234.5" {
		t.Errorf("dec30 = %s", got)
	}
	for _, col := range allTypes {
		if rows[1][col.Name] != nil {
			t.Errorf("row 1 (empty object) column %s = %v, want null", col.Name, rows[1][col.Name])
		}
	}
	if rows[2]["s"] != nil || fmt.Sprint(rows[2]["st"]) != "map[inner:<nil> name:<nil> tags:<nil>]" {
		t.Errorf("row 2 = %v", rows[2])
	}
	if rows[3]["s"] != "a" || rows[4]["s"] != "b" {
		t.Errorf("concatenated objects = %v, %v", rows[3]["s"], rows[4]["s"])
	}

	// Physical layout as Hive and Athena expect it.
	schema := f.Schema().String()
	for _, frag := range []string{
		"optional int32 i (INT(32,true))", "optional int64 big (INT(64,true))", "optional int32 tiny (INT(8,true))",
		"optional int32 small (INT(16,true))", "optional int64 dec (DECIMAL(10,2))", "optional int32 dec9 (DECIMAL(5,1))",
		"optional binary dec30 (DECIMAL(30,3))", "optional int32 dt (DATE)", "optional binary s (STRING)",
		"TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS)", "optional group arr (LIST)", "optional group m (MAP)",
	} {
		if !strings.Contains(schema, frag) {
			t.Errorf("schema lacks %q:\n%s", frag, schema)
		}
	}
}

func TestFailures(t *testing.T) {
	c := mustCompile(t, Config{Schema: allTypes})
	recs := []string{
		`{"s":"good"}`,
		`not json`,
		`[{"s":"x"}]`,
		`{"i":"abc"}`,
		`{"tiny":128}`,
		`{"i":1.5}`,
		`{"big":99999999999999999999}`,
		`{"ok":"yes"}`,
		`{"ts":"yesterday"}`,
		`{"dt":"2020-13-01"}`,
		`{"dec":"123456789.1"}`,
		`{"arr":5}`,
		`{"arr":["x"]}`,
		`{"st":"flat"}`,
		`{"m":[1]}`,
		`{"s":"ok"}{"i":"bad"}`,
		``,
		`{"s":"good2"} trailing`,
		`{"f":1e300}`,
		`{"bin":5}`,
	}
	failed, rows, _ := convert(t, c, recs...)
	var gotIdx []int
	for _, f := range failed {
		gotIdx = append(gotIdx, f.Index)
		if f.Code != ErrorCode || f.Message == "" {
			t.Errorf("failure %+v lacks code or message", f)
		}
	}
	wantIdx := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	if !reflect.DeepEqual(gotIdx, wantIdx) {
		t.Fatalf("failed indexes = %v, want %v", gotIdx, wantIdx)
	}
	if len(rows) != 1 || rows[0]["s"] != "good" {
		t.Fatalf("rows = %v, want only the good record", rows)
	}
	msgs := map[int]string{}
	for _, f := range failed {
		msgs[f.Index] = f.Message
	}
	for idx, frag := range map[int]string{
		1: "not valid JSON", 2: "not a JSON object", 3: `"abc" of column 'i' cannot be converted to int`,
		4: "to tinyint", 12: `column 'arr[0]'`, 13: "to struct<", 16: "empty",
	} {
		if !strings.Contains(msgs[idx], frag) {
			t.Errorf("failure %d message %q lacks %q", idx, msgs[idx], frag)
		}
	}
}

func TestAllFailedWritesNothing(t *testing.T) {
	c := mustCompile(t, Config{Schema: []Column{{"a", "int"}}})
	var buf bytes.Buffer
	failed, err := c.Convert([][]byte{[]byte("x")}, &buf)
	if err != nil || len(failed) != 1 || buf.Len() != 0 {
		t.Fatalf("failed=%v err=%v len=%d", failed, err, buf.Len())
	}
}

func TestKeyMatching(t *testing.T) {
	f := false
	tests := []struct {
		name string
		de   Deserializer
		rec  string
		want string // fmt of row[col] for cols Ab, a_b, ts
	}{
		{"case insensitive by default", Deserializer{}, `{"AB":"x","A.B":"y"}`, "x <nil> <nil>"},
		{"case sensitive", Deserializer{OpenX: &OpenXJSON{CaseInsensitive: &f}}, `{"AB":"x","Ab":"z"}`, "z <nil> <nil>"},
		{"case sensitive miss", Deserializer{OpenX: &OpenXJSON{CaseInsensitive: &f}}, `{"ab":"x"}`, "<nil> <nil> <nil>"},
		{"dots", Deserializer{OpenX: &OpenXJSON{ConvertDotsInJsonKeysToUnderscores: true}}, `{"A.b":"y"}`, "<nil> y <nil>"},
		{"mapping", Deserializer{OpenX: &OpenXJSON{ColumnToJsonKeyMappings: map[string]string{"ts": "timestamp"}}}, `{"Timestamp":"t"}`, "<nil> <nil> t"},
		{"hive lowercases", Deserializer{Hive: &HiveJSON{}}, `{"aB":"x"}`, "x <nil> <nil>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompile(t, Config{Schema: []Column{{"Ab", "string"}, {"a_b", "string"}, {"ts", "string"}}, Deserializer: tt.de})
			failed, rows, _ := convert(t, c, tt.rec)
			if len(failed) != 0 {
				t.Fatalf("failed: %v", failed)
			}
			got := fmt.Sprint(rows[0]["Ab"], " ", rows[0]["a_b"], " ", rows[0]["ts"])
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTimestamps(t *testing.T) {
	ms := func(y int, mo time.Month, d, h, mi, s, milli int) string {
		return fmt.Sprint(time.Date(y, mo, d, h, mi, s, milli*1e6, time.UTC).UnixMilli())
	}
	base := ms(2018, 2, 7, 19, 58, 48, 0)
	tests := []struct {
		name string
		de   Deserializer
		in   string
		want string // "" means conversion fails
	}{
		{"openx iso Z", Deserializer{}, `"2017-02-07T15:13:01.39256Z"`, ms(2017, 2, 7, 15, 13, 1, 392)},
		{"openx iso no fraction", Deserializer{}, `"2017-02-07T15:13:01Z"`, ms(2017, 2, 7, 15, 13, 1, 0)},
		{"openx space", Deserializer{}, `"2017-02-07 15:13:01.14"`, ms(2017, 2, 7, 15, 13, 1, 140)},
		{"openx space unpadded", Deserializer{}, `"2017-2-7 15:13:01"`, ms(2017, 2, 7, 15, 13, 1, 0)},
		{"openx epoch seconds", Deserializer{}, `1518033528`, base},
		{"openx epoch seconds string", Deserializer{}, `"1518033528"`, base},
		{"openx epoch millis", Deserializer{}, `1518033528123`, ms(2018, 2, 7, 19, 58, 48, 123)},
		{"openx float seconds", Deserializer{}, `1518033528.123`, ms(2018, 2, 7, 19, 58, 48, 123)},
		{"openx garbage", Deserializer{}, `"02/07/2017"`, ""},
		{"openx bool", Deserializer{}, `true`, ""},
		{"hive default", Deserializer{Hive: &HiveJSON{}}, `"2017-02-07 15:13:01.5"`, ms(2017, 2, 7, 15, 13, 1, 500)},
		{"hive default rejects iso", Deserializer{Hive: &HiveJSON{}}, `"2017-02-07T15:13:01Z"`, ""},
		{"hive millis", Deserializer{Hive: &HiveJSON{TimestampFormats: []string{"millis"}}}, `1518033528123`, ms(2018, 2, 7, 19, 58, 48, 123)},
		{"hive joda", Deserializer{Hive: &HiveJSON{TimestampFormats: []string{"millis", "dd/MM/yyyy HH:mm:ss"}}}, `"07/02/2017 15:13:01"`, ms(2017, 2, 7, 15, 13, 1, 0)},
		{"hive joda zone", Deserializer{Hive: &HiveJSON{TimestampFormats: []string{"yyyy-MM-dd'T'HH:mm:ssZZ"}}}, `"2017-02-07T17:13:01+02:00"`, ms(2017, 2, 7, 15, 13, 1, 0)},
		{"hive joda miss", Deserializer{Hive: &HiveJSON{TimestampFormats: []string{"dd/MM/yyyy"}}}, `"2017-02-07"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompile(t, Config{Schema: []Column{{"ts", "timestamp"}}, Deserializer: tt.de})
			failed, rows, _ := convert(t, c, `{"ts":`+tt.in+`}`)
			if tt.want == "" {
				if len(failed) != 1 {
					t.Fatalf("want a failure, got rows %v", rows)
				}
				return
			}
			if len(failed) != 0 {
				t.Fatalf("failed: %v", failed)
			}
			if got := fmt.Sprint(rows[0]["ts"]); got != tt.want {
				t.Fatalf("ts = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParquetSettings(t *testing.T) {
	tests := []struct {
		name  string
		p     Parquet
		codec format.CompressionCodec
	}{
		{"default snappy", Parquet{}, format.Snappy},
		{"snappy", Parquet{Compression: "SNAPPY"}, format.Snappy},
		{"gzip", Parquet{Compression: "GZIP"}, format.Gzip},
		{"uncompressed", Parquet{Compression: "UNCOMPRESSED"}, format.Uncompressed},
		{"v2 pages", Parquet{WriterVersion: "V2", PageSizeBytes: 64 << 10}, format.Snappy},
		{"dictionary", Parquet{EnableDictionaryCompression: true, BlockSizeBytes: 128 << 20, MaxPaddingBytes: 10}, format.Snappy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompile(t, Config{Schema: allTypes[:17], Parquet: tt.p})
			var recs []string
			for i := range 300 {
				recs = append(recs, fmt.Sprintf(`{"s":"v%d","i":%d,"arr":[%d],"m":{"k":%d},"st":{"name":"n%d"},"ts":%d,"dt":"2020-01-02","dec":"1.5","ok":true}`, i%7, i, i, i, i%3, 1518033528+i))
			}
			failed, rows, f := convert(t, c, recs...)
			if len(failed) != 0 || len(rows) != 300 {
				t.Fatalf("failed=%v rows=%d", failed, len(rows))
			}
			if rows[299]["s"] != "v5" || fmt.Sprint(rows[299]["i"]) != "299" || fmt.Sprint(rows[299]["st"]) != "map[inner:<nil> name:n2 tags:<nil>]" {
				t.Fatalf("row 299 = %v", rows[299])
			}
			codecs := map[format.CompressionCodec]bool{}
			for _, rg := range f.Metadata().RowGroups {
				for _, cc := range rg.Columns {
					codecs[cc.MetaData.Codec] = true
				}
			}
			if len(codecs) != 1 || !codecs[tt.codec] {
				t.Fatalf("codecs = %v, want only %v", codecs, tt.codec)
			}
		})
	}
}

func TestCompileValidation(t *testing.T) {
	_, err := Compile(Config{
		Schema: []Column{{"a", "int"}, {"A", "string"}, {"b c", "int"}, {"d", "array<"}, {"", "int"}},
		Deserializer: Deserializer{
			OpenX: &OpenXJSON{ColumnToJsonKeyMappings: map[string]string{"zz": "x", "a": " "}},
			Hive:  &HiveJSON{TimestampFormats: []string{"yyyy G", ""}},
		},
		Parquet: Parquet{Compression: "LZO", WriterVersion: "V3", BlockSizeBytes: 1, PageSizeBytes: 10, MaxPaddingBytes: -1},
	})
	if !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("err = %v, want ErrInvalidArgument", err)
	}
	for _, frag := range []string{
		"exactly one of OpenXJsonSerDe and HiveJsonSerDe",
		`TimestampFormats[0]: unsupported`, "TimestampFormats[1]",
		"BlockSizeBytes: 1 is below the minimum of 67108864",
		"PageSizeBytes: 10 is below the minimum of 65536",
		"MaxPaddingBytes: -1",
		`Compression: "LZO"`, `WriterVersion: "V3"`,
		`duplicate column "A"`, `Schema[2].Name`, `Schema[3].Type`, `Schema[4].Name`,
	} {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error lacks %q:\n%v", frag, err)
		}
	}
	if _, err := Compile(Config{}); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "at least one column") {
		t.Errorf("empty schema: %v", err)
	}
	_, err = Compile(Config{Schema: []Column{{"a", "int"}}, Deserializer: Deserializer{OpenX: &OpenXJSON{ColumnToJsonKeyMappings: map[string]string{"zz": "x"}}}})
	if err == nil || !strings.Contains(err.Error(), `"zz" is not a column`) {
		t.Errorf("unknown mapping column: %v", err)
	}
}

func TestExtension(t *testing.T) {
	if got := mustCompile(t, Config{Schema: []Column{{"a", "int"}}}).Extension(); got != ".parquet" {
		t.Fatalf("Extension = %q", got)
	}
}

func TestDecimalOf(t *testing.T) {
	tests := []struct {
		in   string
		p, s int
		want string // unscaled, "" = fails
	}{
		{"12.345", 10, 2, "1235"}, {"-12.345", 10, 2, "-1235"}, {"12.344", 10, 2, "1234"},
		{"1e2", 5, 0, "100"}, {"99999", 5, 0, "99999"}, {"100000", 5, 0, ""}, {"0.001", 3, 3, "1"},
		{"abc", 5, 0, ""}, {"", 5, 0, ""}, {"-0.5", 1, 0, "-1"},
	}
	for _, tt := range tests {
		got, ok := decimalOf(tt.in, tt.p, tt.s)
		gs := ""
		if ok {
			gs = got.String()
		}
		if gs != tt.want {
			t.Errorf("decimalOf(%q,%d,%d) = %q, want %q", tt.in, tt.p, tt.s, gs, tt.want)
		}
	}
}

// FuzzConvert feeds arbitrary records through a converter with every type:
// Convert must not fail or panic, and whatever it writes must read back with
// one row per converted object.
func FuzzConvert(f *testing.F) {
	for _, s := range []string{
		`{"s":"x","i":1,"arr":[1,2],"m":{"a":1},"st":{"name":"n","tags":["t"],"inner":{"x":1}}}`,
		`{"ts":"2017-02-07T15:13:01.39256Z","dt":"2020-01-02","dec":"1.23","dec30":"-1e20","bin":"b"}`,
		`{"a":1}{"a":2}`, `[1,2]`, `null`, `{"i":"x"}`, `{"objs":[{"k":null},null]}`, "", "{",
	} {
		f.Add([]byte(s))
	}
	c, err := Compile(Config{Schema: allTypes})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		var buf bytes.Buffer
		failed, err := c.Convert([][]byte{rec, []byte(`{"s":"anchor"}`)}, &buf)
		if err != nil {
			t.Fatalf("Convert: %v", err)
		}
		if len(failed) > 1 || len(failed) == 1 && failed[0].Index != 0 {
			t.Fatalf("failed = %v", failed)
		}
		_, rows := readBack(t, buf.Bytes())
		var ss []string
		for _, r := range rows {
			ss = append(ss, fmt.Sprint(r["s"]))
		}
		sort.Strings(ss)
		if len(rows) == 0 || rows[len(rows)-1]["s"] != "anchor" {
			t.Fatalf("anchor row missing: %v", ss)
		}
	})
}

func TestWideDecimalSigns(t *testing.T) {
	c := mustCompile(t, Config{Schema: []Column{{"d", "decimal(30,3)"}}})
	in := []string{"-1.5", "0", "128", "-128", "-0.001", "99999999999999999999999999.999", "-99999999999999999999999999.999"}
	var recs []string
	for _, v := range in {
		recs = append(recs, `{"d":"`+v+`"}`)
	}
	failed, rows, _ := convert(t, c, recs...)
	if len(failed) != 0 {
		t.Fatalf("failed: %v", failed)
	}
	for i, v := range in {
		want, _ := new(big.Rat).SetString(v)
		got, ok := new(big.Rat).SetString(fmt.Sprint(rows[i]["d"]))
		if !ok || got.Cmp(want) != 0 {
			t.Errorf("%s read back as %v", v, rows[i]["d"])
		}
	}
}

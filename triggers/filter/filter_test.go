package filter

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

type matchCase struct {
	name    string
	pattern []string
	data    string
	want    bool
}

// docCases come from the examples in AWS's Lambda event filtering docs (the
// comparison operator table, the Kinesis page and the notes under them),
// wrapped in "data" as Kinesis mappings require.
var docCases = []matchCase{
	// Null
	{"null/match", []string{`{"data":{"UserID":[null]}}`}, `{"UserID":null}`, true},
	{"null/string", []string{`{"data":{"UserID":[null]}}`}, `{"UserID":"u1"}`, false},
	{"null/missing", []string{`{"data":{"UserID":[null]}}`}, `{}`, false},
	{"null/empty-string", []string{`{"data":{"UserID":[null]}}`}, `{"UserID":""}`, false},
	// Empty
	{"empty/match", []string{`{"data":{"LastName":[""]}}`}, `{"LastName":""}`, true},
	{"empty/nonempty", []string{`{"data":{"LastName":[""]}}`}, `{"LastName":"Doe"}`, false},
	{"empty/null", []string{`{"data":{"LastName":[""]}}`}, `{"LastName":null}`, false},
	// Equals
	{"equals/match", []string{`{"data":{"Name":["Alice"]}}`}, `{"Name":"Alice"}`, true},
	{"equals/case", []string{`{"data":{"Name":["Alice"]}}`}, `{"Name":"alice"}`, false},
	// Equals (ignore case)
	{"ignore-case/upper", []string{`{"data":{"Name":[{"equals-ignore-case":"alice"}]}}`}, `{"Name":"ALICE"}`, true},
	{"ignore-case/mixed", []string{`{"data":{"Name":[{"equals-ignore-case":"alice"}]}}`}, `{"Name":"Alice"}`, true},
	{"ignore-case/other", []string{`{"data":{"Name":[{"equals-ignore-case":"alice"}]}}`}, `{"Name":"Alicia"}`, false},
	// And
	{"and/both", []string{`{"data":{"Location":["New York"],"Day":["Monday"]}}`}, `{"Location":"New York","Day":"Monday"}`, true},
	{"and/one", []string{`{"data":{"Location":["New York"],"Day":["Monday"]}}`}, `{"Location":"New York","Day":"Tuesday"}`, false},
	// Or
	{"or/credit", []string{`{"data":{"PaymentType":["Credit","Debit"]}}`}, `{"PaymentType":"Credit"}`, true},
	{"or/debit", []string{`{"data":{"PaymentType":["Credit","Debit"]}}`}, `{"PaymentType":"Debit"}`, true},
	{"or/cash", []string{`{"data":{"PaymentType":["Credit","Debit"]}}`}, `{"PaymentType":"Cash"}`, false},
	// Or (multiple fields)
	{"$or/location", []string{`{"data":{"$or":[{"Location":["New York"]},{"Day":["Monday"]}]}}`}, `{"Location":"New York","Day":"Friday"}`, true},
	{"$or/day", []string{`{"data":{"$or":[{"Location":["New York"]},{"Day":["Monday"]}]}}`}, `{"Location":"Boston","Day":"Monday"}`, true},
	{"$or/neither", []string{`{"data":{"$or":[{"Location":["New York"]},{"Day":["Monday"]}]}}`}, `{"Location":"Boston","Day":"Friday"}`, false},
	{"$or/top-level", []string{`{"$or":[{"data":{"Location":["New York"]}},{"data":{"Day":["Monday"]}}]}`}, `{"Day":"Monday"}`, true},
	// Not
	{"not/sunny", []string{`{"data":{"Weather":[{"anything-but":["Raining"]}]}}`}, `{"Weather":"Sunny"}`, true},
	{"not/raining", []string{`{"data":{"Weather":[{"anything-but":["Raining"]}]}}`}, `{"Weather":"Raining"}`, false},
	{"not/missing", []string{`{"data":{"Weather":[{"anything-but":["Raining"]}]}}`}, `{}`, false},
	// Numeric (equals)
	{"numeric=/100", []string{`{"data":{"Price":[{"numeric":["=",100]}]}}`}, `{"Price":100}`, true},
	{"numeric=/100.0", []string{`{"data":{"Price":[{"numeric":["=",100]}]}}`}, `{"Price":100.0}`, true},
	{"numeric=/1e2", []string{`{"data":{"Price":[{"numeric":["=",100]}]}}`}, `{"Price":1e2}`, true},
	{"numeric=/101", []string{`{"data":{"Price":[{"numeric":["=",100]}]}}`}, `{"Price":101}`, false},
	{"numeric=/string", []string{`{"data":{"Price":[{"numeric":["=",100]}]}}`}, `{"Price":"100"}`, false},
	// Numeric (range)
	{"range/10", []string{`{"data":{"Price":[{"numeric":[">",10,"<=",20]}]}}`}, `{"Price":10}`, false},
	{"range/10.5", []string{`{"data":{"Price":[{"numeric":[">",10,"<=",20]}]}}`}, `{"Price":10.5}`, true},
	{"range/20", []string{`{"data":{"Price":[{"numeric":[">",10,"<=",20]}]}}`}, `{"Price":20}`, true},
	{"range/20.1", []string{`{"data":{"Price":[{"numeric":[">",10,"<=",20]}]}}`}, `{"Price":20.1}`, false},
	// Exists / Does not exist
	{"exists/present", []string{`{"data":{"ProductName":[{"exists":true}]}}`}, `{"ProductName":"Widget"}`, true},
	{"exists/absent", []string{`{"data":{"ProductName":[{"exists":true}]}}`}, `{"Price":1}`, false},
	{"exists/null", []string{`{"data":{"ProductName":[{"exists":true}]}}`}, `{"ProductName":null}`, true},
	{"not-exists/absent", []string{`{"data":{"ProductName":[{"exists":false}]}}`}, `{"Price":1}`, true},
	{"not-exists/present", []string{`{"data":{"ProductName":[{"exists":false}]}}`}, `{"ProductName":"Widget"}`, false},
	// Exists only works on leaf nodes.
	{"exists/leaf", []string{`{"data":{"person":{"address":[{"exists":true}]}}}`}, `{"person":{"address":"Main St"}}`, true},
	{"exists/intermediate", []string{`{"data":{"person":[{"exists":true}]}}`}, `{"person":{"address":"Main St"}}`, false},
	// Begins with / Ends with
	{"prefix/us", []string{`{"data":{"Region":[{"prefix":"us-"}]}}`}, `{"Region":"us-east-1"}`, true},
	{"prefix/eu", []string{`{"data":{"Region":[{"prefix":"us-"}]}}`}, `{"Region":"eu-west-1"}`, false},
	{"suffix/png", []string{`{"data":{"FileName":[{"suffix":".png"}]}}`}, `{"FileName":"cat.png"}`, true},
	{"suffix/jpg", []string{`{"data":{"FileName":[{"suffix":".png"}]}}`}, `{"FileName":"cat.jpg"}`, false},
	// Numbers are compared on their string representation for exact match.
	{"number-text/300", []string{`{"data":{"n":[300]}}`}, `{"n":300}`, true},
	{"number-text/300.0", []string{`{"data":{"n":[300]}}`}, `{"n":300.0}`, false},
	{"number-text/3.0e2", []string{`{"data":{"n":[300]}}`}, `{"n":3.0e2}`, false},
	// Kinesis page: order type buy.
	{"kinesis/buy", []string{`{"data":{"order":{"type":["buy"]}}}`}, `{"record":12345,"order":{"type":"buy","stock":"ANYCO","quantity":1000}}`, true},
	{"kinesis/sell", []string{`{"data":{"order":{"type":["buy"]}}}`}, `{"record":12345,"order":{"type":"sell","stock":"ANYCO","quantity":1000}}`, false},
	// Kinesis: non-JSON data with a pattern on data properties is dropped.
	{"kinesis/non-json", []string{`{"data":{"order":{"type":["buy"]}}}`}, `order type buy`, false},
	{"kinesis/non-json-not-exists", []string{`{"data":{"x":[{"exists":false}]}}`}, `not json`, false},
}

var edgeCases = []matchCase{
	{"no-criteria", nil, `anything`, true},
	{"empty-pattern/json", []string{`{}`}, `{"a":1}`, true},
	{"empty-pattern/non-json", []string{`{}`}, "\x00\x01binary", true},
	{"filters-ored", []string{`{"data":{"a":["x"]}}`, `{"data":{"b":["y"]}}`}, `{"b":"y"}`, true},
	{"filters-ored/none", []string{`{"data":{"a":["x"]}}`, `{"data":{"b":["y"]}}`}, `{"a":"y","b":"x"}`, false},
	{"bool/true", []string{`{"data":{"ok":[true]}}`}, `{"ok":true}`, true},
	{"bool/false-vs-true", []string{`{"data":{"ok":[true]}}`}, `{"ok":false}`, false},
	{"bool/string", []string{`{"data":{"ok":[true]}}`}, `{"ok":"true"}`, false},
	{"bool/false", []string{`{"data":{"ok":[false]}}`}, `{"ok":false}`, true},
	{"string-vs-number", []string{`{"data":{"n":["5"]}}`}, `{"n":5}`, false},
	{"array/any-element", []string{`{"data":{"tags":["red"]}}`}, `{"tags":["blue","red"]}`, true},
	{"array/none", []string{`{"data":{"tags":["red"]}}`}, `{"tags":["blue","green"]}`, false},
	{"array/nested", []string{`{"data":{"tags":["red"]}}`}, `{"tags":[["blue"],["red"]]}`, true},
	{"array/empty-exists", []string{`{"data":{"tags":[{"exists":true}]}}`}, `{"tags":[]}`, false},
	{"array/empty-not-exists", []string{`{"data":{"tags":[{"exists":false}]}}`}, `{"tags":[]}`, true},
	{"array/numeric", []string{`{"data":{"v":[{"numeric":[">",10]}]}}`}, `{"v":[1,2,30]}`, true},
	{"array/objects-same-element", []string{`{"data":{"items":{"sku":["A"],"qty":[2]}}}`}, `{"items":[{"sku":"A","qty":1},{"sku":"B","qty":2}]}`, false},
	{"array/objects-match", []string{`{"data":{"items":{"sku":["A"],"qty":[2]}}}`}, `{"items":[{"sku":"B","qty":1},{"sku":"A","qty":2}]}`, true},
	{"array/top-level", []string{`{"data":{"a":["x"]}}`}, `[{"a":"y"},{"a":"x"}]`, true},
	{"json-scalar/not-exists", []string{`{"data":{"a":[{"exists":false}]}}`}, `42`, true},
	{"json-scalar/equals", []string{`{"data":{"a":["x"]}}`}, `"x"`, false},
	{"nested/deep", []string{`{"data":{"a":{"b":{"c":[1]}}}}`}, `{"a":{"b":{"c":1}}}`, true},
	{"nested/scalar-in-path", []string{`{"data":{"a":{"b":[1]}}}`}, `{"a":1}`, false},
	{"nested/not-exists-missing-parent", []string{`{"data":{"a":{"b":[{"exists":false}]}}}`}, `{}`, true},
	{"escapes/key-and-value", []string{`{"data":{"k\u00e9y":["v\"al"]}}`}, `{"k\u00e9y":"v\"al"}`, true},
	{"escapes/raw-utf8", []string{`{"data":{"kéy":["é"]}}`}, `{"k\u00e9y":"\u00e9"}`, true},
	{"escapes/surrogate", []string{`{"data":{"e":["😀"]}}`}, `{"e":"\ud83d\ude00"}`, true},
	{"prefix/number", []string{`{"data":{"a":[{"prefix":"1"}]}}`}, `{"a":123}`, false},
	{"prefix/empty", []string{`{"data":{"a":[{"prefix":""}]}}`}, `{"a":"x"}`, true},
	{"ignore-case/unicode", []string{`{"data":{"a":[{"equals-ignore-case":"straße"}]}}`}, `{"a":"STRAßE"}`, true},
	{"anything-but/value", []string{`{"data":{"a":[{"anything-but":"x"}]}}`}, `{"a":"y"}`, true},
	{"anything-but/number", []string{`{"data":{"a":[{"anything-but":[100,200]}]}}`}, `{"a":100.0}`, false},
	{"anything-but/number-other", []string{`{"data":{"a":[{"anything-but":[100,200]}]}}`}, `{"a":150}`, true},
	{"anything-but/array-any", []string{`{"data":{"a":[{"anything-but":["x"]}]}}`}, `{"a":["x","y"]}`, true},
	{"anything-but/array-all-excluded", []string{`{"data":{"a":[{"anything-but":["x"]}]}}`}, `{"a":["x","x"]}`, false},
	{"anything-but/prefix", []string{`{"data":{"a":[{"anything-but":{"prefix":"init"}}]}}`}, `{"a":"initial"}`, false},
	{"anything-but/prefix-other", []string{`{"data":{"a":[{"anything-but":{"prefix":"init"}}]}}`}, `{"a":"final"}`, true},
	{"anything-but/suffix", []string{`{"data":{"a":[{"anything-but":{"suffix":".tmp"}}]}}`}, `{"a":"x.tmp"}`, false},
	{"anything-but/ignore-case", []string{`{"data":{"a":[{"anything-but":{"equals-ignore-case":["X","Y"]}}]}}`}, `{"a":"y"}`, false},
	{"numeric/lt-ge", []string{`{"data":{"a":[{"numeric":["<",10,">=",0]}]}}`}, `{"a":0}`, true},
	{"numeric/lt-ge-out", []string{`{"data":{"a":[{"numeric":["<",10,">=",0]}]}}`}, `{"a":10}`, false},
	{"numeric/negative", []string{`{"data":{"a":[{"numeric":["<",0]}]}}`}, `{"a":-1.5e3}`, true},
	{"numeric/huge", []string{`{"data":{"a":[{"numeric":[">",1e300]}]}}`}, `{"a":1e400}`, true},
	{"values/mixed-or", []string{`{"data":{"a":["x",5,null,{"prefix":"p"}]}}`}, `{"a":"pq"}`, true},
	{"values/exists-or", []string{`{"data":{"a":[{"exists":false},"x"]}}`}, `{}`, true},
	{"duplicate-key/first-wins", []string{`{"data":{"a":["1"]}}`}, `{"a":"1","a":"2"}`, true},
	{"whitespace", []string{` { "data" : { "a" : [ "x" ] } } `}, " \n{ \"a\" :\t\"x\" }\r\n", true},
	{"invalid-json/trailing", []string{`{"data":{"a":["x"]}}`}, `{"a":"x"} x`, false},
	{"invalid-json/truncated", []string{`{"data":{"a":["x"]}}`}, `{"a":"x"`, false},
	// CEL extension.
	{"cel/map", []string{`cel:data.a == "x" && data.n > 3`}, `{"a":"x","n":4}`, true},
	{"cel/int-equality", []string{`cel:data.n == 4`}, `{"n":4}`, true},
	{"cel/double", []string{`cel:data.n > 3.5`}, `{"n":4}`, true},
	{"cel/missing-key-error", []string{`cel:data.missing == 1`}, `{"n":4}`, false},
	{"cel/has", []string{`cel:has(data.a) && data.a.startsWith("x")`}, `{"a":"xyz"}`, true},
	{"cel/bytes", []string{`cel:string(data).startsWith("hello")`}, `hello world`, true},
	{"cel/bytes-size", []string{`cel:size(data) == 3`}, "\xff\xfe\xfd", true},
	{"cel/non-bool-dyn", []string{`cel:data.a`}, `{"a":"x"}`, false},
	{"cel/dyn-bool", []string{`cel:data.ok`}, `{"ok":true}`, true},
	{"cel/list", []string{`cel:data.tags.exists(t, t == "red")`}, `{"tags":["blue","red"]}`, true},
	{"cel/or-with-rule", []string{`{"data":{"a":["x"]}}`, `cel:data.b == 2`}, `{"a":"y","b":2}`, true},
	{"cel/cost-under-limit", []string{`cel:data.l.all(x, data.l.all(y, data.l.all(z, x + y + z >= 0)))`}, `{"l":[1,1,1,1,1]}`, true},
	{"cel/cost-limit", []string{`cel:data.l.all(x, data.l.all(y, data.l.all(z, x + y + z >= 0)))`}, `{"l":[` + strings.Repeat("1,", 99) + `1]}`, false},
}

func TestMatch(t *testing.T) {
	for _, group := range []struct {
		name  string
		cases []matchCase
	}{{"aws-docs", docCases}, {"edge", edgeCases}} {
		t.Run(group.name, func(t *testing.T) {
			for _, tc := range group.cases {
				t.Run(tc.name, func(t *testing.T) {
					f, err := Compile(tc.pattern)
					if err != nil {
						t.Fatalf("Compile(%q): %v", tc.pattern, err)
					}
					if got := f.Match([]byte(tc.data)); got != tc.want {
						t.Errorf("Match(%q) with %q = %v, want %v", tc.data, tc.pattern, got, tc.want)
					}
				})
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	six := []string{`{}`, `{}`, `{}`, `{}`, `{}`, `{}`}
	long := `{"data":{"a":["` + strings.Repeat("x", MaxPatternLength) + `"]}}`
	cases := []struct {
		name     string
		criteria []string
		index    int
		reason   string // substring of Reason
	}{
		{"too-many", six, -1, ""},
		{"too-long", []string{`{}`, long}, 1, ""},
		{"not-json", []string{`{"data":`}, 0, "not valid JSON"},
		{"trailing", []string{`{"data":{"a":["x"]}} {}`}, 0, "trailing"},
		{"not-object", []string{`["data"]`}, 0, "JSON object"},
		{"metadata-key", []string{`{"partitionKey":["1"]}`}, 0, "only support filtering on the data key"},
		{"data-array", []string{`{"data":["x"]}`}, 0, `"data" must be a JSON object`},
		{"data-scalar", []string{`{"data":"x"}`}, 0, `"data" must be a JSON object`},
		{"data-empty", []string{`{"data":{}}`}, 0, "must not be empty"},
		{"scalar-value", []string{`{"data":{"a":"x"}}`}, 0, "object or an array"},
		{"empty-values", []string{`{"data":{"a":[]}}`}, 0, "must not be empty"},
		{"nested-array-value", []string{`{"data":{"a":[["x"]]}}`}, 0, "arrays are not allowed"},
		{"unknown-operator", []string{`{"data":{"a":[{"wildcard":"x*"}]}}`}, 0, "unsupported operator"},
		{"two-operators", []string{`{"data":{"a":[{"prefix":"x","suffix":"y"}]}}`}, 0, "exactly one key"},
		{"prefix-number", []string{`{"data":{"a":[{"prefix":1}]}}`}, 0, "takes a string"},
		{"exists-string", []string{`{"data":{"a":[{"exists":"yes"}]}}`}, 0, "true or false"},
		{"numeric-odd", []string{`{"data":{"a":[{"numeric":[">"]}]}}`}, 0, "operator/number pairs"},
		{"numeric-op", []string{`{"data":{"a":[{"numeric":["!=",1]}]}}`}, 0, "unsupported numeric operator"},
		{"numeric-two-lower", []string{`{"data":{"a":[{"numeric":[">",1,">=",2]}]}}`}, 0, "two lower bounds"},
		{"numeric-eq-range", []string{`{"data":{"a":[{"numeric":["=",1,"<",2]}]}}`}, 0, "cannot be combined"},
		{"numeric-inverted", []string{`{"data":{"a":[{"numeric":[">",5,"<",1]}]}}`}, 0, "lower bound must be less"},
		{"numeric-string", []string{`{"data":{"a":[{"numeric":[">","1"]}]}}`}, 0, "operator/number pairs"},
		{"numeric-overflow", []string{`{"data":{"a":[{"numeric":[">",1e400]}]}}`}, 0, "out of range"},
		{"anything-but-mixed", []string{`{"data":{"a":[{"anything-but":["x",1]}]}}`}, 0, "all strings or all numbers"},
		{"anything-but-empty", []string{`{"data":{"a":[{"anything-but":[]}]}}`}, 0, "must not be empty"},
		{"anything-but-bool", []string{`{"data":{"a":[{"anything-but":[true]}]}}`}, 0, "strings or numbers"},
		{"anything-but-exists", []string{`{"data":{"a":[{"anything-but":{"exists":true}}]}}`}, 0, "unsupported"},
		{"or-one-branch", []string{`{"data":{"$or":[{"a":["x"]}]}}`}, 0, "at least two"},
		{"or-not-array", []string{`{"data":{"$or":{"a":["x"]}}}`}, 0, "at least two"},
		{"or-top-metadata", []string{`{"$or":[{"data":{"a":["x"]}},{"eventName":["x"]}]}`}, 0, "data key"},
		{"cel-syntax", []string{`cel:data.a ==`}, 0, "cel"},
		{"cel-type", []string{`cel:1 + 1`}, 0, "must return bool"},
		{"cel-undeclared", []string{`cel:record.a == 1`}, 0, "undeclared"},
		{"cel-empty", []string{`cel:  `}, 0, "empty"},
		{"second-pattern", []string{`{"data":{"a":["x"]}}`, `{`}, 1, "not valid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Compile(tc.criteria)
			if err == nil {
				t.Fatalf("Compile(%q) = %v, want error", tc.criteria, f)
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is %T, want *Error", err, err)
			}
			if fe.Index != tc.index {
				t.Errorf("Index = %d, want %d (%v)", fe.Index, tc.index, err)
			}
			if fe.Code() != "InvalidParameterValueException" {
				t.Errorf("Code = %q", fe.Code())
			}
			if !strings.Contains(fe.Reason, tc.reason) {
				t.Errorf("Reason = %q, want it to contain %q", fe.Reason, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "filter: ") {
				t.Errorf("Error() = %q, want package prefix", err.Error())
			}
		})
	}
}

func TestCompileLimits(t *testing.T) {
	five := []string{`{}`, `{}`, `{}`, `{}`, `{}`}
	if _, err := Compile(five); err != nil {
		t.Errorf("five filters: %v", err)
	}
	// The limit counts characters, not bytes.
	exact := `{"data":{"a":["` + strings.Repeat("é", MaxPatternLength-len(`{"data":{"a":[""]}}`)) + `"]}}`
	if _, err := Compile([]string{exact}); err != nil {
		t.Errorf("pattern of exactly %d characters: %v", MaxPatternLength, err)
	}
	var fe *Error
	if _, err := Compile([]string{exact + " "}); !errors.As(err, &fe) || !strings.Contains(fe.Message, "length less than or equal to 4096") {
		t.Errorf("pattern of %d characters: %v", MaxPatternLength+1, err)
	}
}

func TestNilFilterMatches(t *testing.T) {
	var f *Filter
	if !f.Match([]byte("x")) {
		t.Error("nil filter should match every record")
	}
}

// TestParserAgreesWithEncodingJSON checks the record parser's notion of
// "valid JSON" against encoding/json on tricky inputs (the fuzz target does
// the same on random ones).
func TestParserAgreesWithEncodingJSON(t *testing.T) {
	inputs := []string{
		``, ` `, `{}`, `[]`, `0`, `-0`, `01`, `1.`, `.5`, `1e`, `1e+`, `1E-2`, `-`, `"\u12"`, `"\ud800"`,
		`"\x"`, "\"\t\"", `"\/"`, `{"a":}`, `{"a" 1}`, `{,}`, `[1,]`, `[1 2]`, `tru`, `nulll`, `{"a":1}}`,
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		"\"\xff\"",
	}
	var d doc
	for _, in := range inputs {
		if got, want := d.parse([]byte(in)), json.Valid([]byte(in)); got != want {
			t.Errorf("parse(%.40q) = %v, json.Valid = %v", in, got, want)
		}
	}
}

func TestMatchAllocations(t *testing.T) {
	f, err := Compile(benchPatterns)
	if err != nil {
		t.Fatal(err)
	}
	f.Match(benchRecord) // warm the pool
	if n := testing.AllocsPerRun(100, func() { f.Match(benchRecord) }); n > 1 {
		t.Errorf("Match allocates %.1f times per record, want at most 1", n)
	}
}

func ExampleCompile() {
	f, err := Compile([]string{
		`{"data":{"order":{"type":["buy"],"quantity":[{"numeric":[">=",100]}]}}}`,
		`cel:has(data.priority) && data.priority == "high"`,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Match([]byte(`{"order":{"type":"buy","quantity":1000}}`)))
	fmt.Println(f.Match([]byte(`{"order":{"type":"sell"},"priority":"high"}`)))
	fmt.Println(f.Match([]byte(`not JSON`)))
	// Output:
	// true
	// true
	// false
}

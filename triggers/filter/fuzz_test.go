package filter

import (
	"encoding/json"
	"testing"
)

// FuzzFilter compiles a random pattern and matches it against a random
// record: neither may panic, Match must be deterministic, and the record
// parser must agree with encoding/json on what is valid JSON.
func FuzzFilter(f *testing.F) {
	for _, group := range [][]matchCase{docCases, edgeCases} {
		for _, tc := range group {
			p := `{}`
			if len(tc.pattern) > 0 {
				p = tc.pattern[0]
			}
			f.Add(p, []byte(tc.data))
		}
	}
	f.Add(`{"data":{"a":[{"numeric":[">",0,"<",1]}]}}`, []byte(`{"a":[0.5,{"b":1}]}`))
	f.Add(`cel:data.size() > 0`, []byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, pattern string, data []byte) {
		var d doc
		if got, want := d.parse(data), json.Valid(data); got != want {
			t.Fatalf("parse(%q) = %v, json.Valid = %v", data, got, want)
		}
		flt, err := Compile([]string{pattern})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Compile error %T is not *Error", err)
			}
			return
		}
		if a, b := flt.Match(data), flt.Match(data); a != b {
			t.Fatalf("Match not deterministic for %q on %q", pattern, data)
		}
	})
}

package jsonenc

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzString checks that strings round-trip through AppendString, and that it writes what encoding/json writes (HTML escaping off).
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "abc", "a\"\\\n\x00", "é😀", "\xff\xfe", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := AppendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q: %s is not JSON: %v", s, b, err)
		}
		// Each invalid byte becomes U+FFFD, as encoding/json does.
		var want strings.Builder
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			want.WriteRune(r)
			i += n
		}
		wantS := want.String()
		if got != wantS {
			t.Fatalf("%q came back as %q", s, got)
		}
		var std bytes.Buffer
		enc := json.NewEncoder(&std)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if string(b)+"\n" != std.String() {
			t.Fatalf("%q: wrote %s, encoding/json writes %s", s, b, std.String())
		}
	})
}

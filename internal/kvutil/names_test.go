package kvutil

import (
	"strings"
	"testing"
)

func TestEscapeName(t *testing.T) {
	for _, tc := range []struct{ name, key string }{
		{"plain", "plain"},
		{"a.b", "a_db"},
		{"a_b", "a__b"},
		{"a_.d", "a___dd"},
		{".._", "_d_d__"},
	} {
		if k := EscapeName(tc.name); k != tc.key || UnescapeName(k) != tc.name {
			t.Errorf("%q → %q → %q, want key %q", tc.name, k, UnescapeName(k), tc.key)
		}
	}
}

func FuzzEscapeName(f *testing.F) {
	for _, s := range []string{"", "a.b", "x_d", "_._", "cam-1.front_door"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		k := EscapeName(name)
		if strings.Contains(k, ".") {
			t.Fatalf("key %q of %q holds a dot", k, name)
		}
		if got := UnescapeName(k); got != name {
			t.Fatalf("%q → %q → %q", name, k, got)
		}
	})
}

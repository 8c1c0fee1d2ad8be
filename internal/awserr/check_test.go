package awserr

import (
	"regexp"
	"testing"
)

func TestChecks(t *testing.T) {
	s := func(s string) *string { return &s }
	n := func(n int64) *int64 { return &n }
	re := regexp.MustCompile(`^[a-z]+$`)
	tests := []struct {
		name  string
		check func(v *Violations)
		want  string
	}{
		{"required missing", func(v *Violations) { v.Required(false, "a") },
			"1 validation error detected: Value null at 'a' failed to satisfy constraint: Member must not be null"},
		{"required there", func(v *Violations) { v.Required(true, "a") }, ""},
		{"nil passes", func(v *Violations) {
			v.Length(nil, "a", 1, 2)
			v.Match(nil, "a", re, "[a-z]+")
			v.Range(nil, "a", 1, 2)
			v.OneOf(nil, "a", "x")
			v.LengthHidden(nil, "a", 1, 2)
		}, ""},
		{"too short", func(v *Violations) { v.Length(s(""), "a", 1, 2) },
			"1 validation error detected: Value '' at 'a' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"too long in UTF-16 units", func(v *Violations) { v.Length(s("😀"), "a", 0, 1) },
			"1 validation error detected: Value '😀' at 'a' failed to satisfy constraint: Member must have length less than or equal to 1"},
		{"length within", func(v *Violations) { v.Length(s("éé"), "a", 1, 2) }, ""},
		{"pattern", func(v *Violations) { v.Match(s("A"), "a", re, "[a-z]+") },
			"1 validation error detected: Value 'A' at 'a' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"},
		{"range low and high", func(v *Violations) { v.Range(n(0), "a", 1, 5); v.Range(n(6), "b", 1, 5) },
			"2 validation errors detected: Value '0' at 'a' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '6' at 'b' failed to satisfy constraint: Member must have value less than or equal to 5"},
		{"enum", func(v *Violations) { v.OneOf(s("z"), "a", "x", "y") },
			"1 validation error detected: Value 'z' at 'a' failed to satisfy constraint: Member must satisfy enum value set: [x, y]"},
		{"hidden", func(v *Violations) { v.LengthHidden(s("secret"), "a", 0, 2) },
			"1 validation error detected: Value at 'a' failed to satisfy constraint: Member must have length less than or equal to 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Violations
			tt.check(&v)
			got := ""
			if err := v.Err(); err != nil {
				got = err.Message
			}
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

package eval

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kinesin/kinesin/runtime/sql/parser"
)

// likeNaive matches LIKE by recursion, as a reference for the translator.
func likeNaive(s, p []rune, esc rune) bool {
	if len(p) == 0 {
		return len(s) == 0
	}
	switch {
	case esc != 0 && p[0] == esc:
		return len(p) > 1 && len(s) > 0 && s[0] == p[1] && likeNaive(s[1:], p[2:], esc)
	case p[0] == '%':
		for i := 0; i <= len(s); i++ {
			if likeNaive(s[i:], p[1:], esc) {
				return true
			}
		}
		return false
	case p[0] == '_':
		return len(s) > 0 && likeNaive(s[1:], p[1:], esc)
	}
	return len(s) > 0 && s[0] == p[0] && likeNaive(s[1:], p[1:], esc)
}

func FuzzLike(f *testing.F) {
	for _, s := range [][2]string{{"abc", "a%"}, {"a.c", "a.c"}, {"10%", "10!%"}, {"a\nb", "a_b"}, {"(x)", "(%)"}, {"", "%%"}, {"é", "_"}, {"a!", "a!!"}} {
		f.Add(s[0], s[1], true)
		f.Add(s[0], s[1], false)
	}
	f.Fuzz(func(t *testing.T, s, p string, useEsc bool) {
		if !utf8.ValidString(s) || !utf8.ValidString(p) || len(p) > 64 || len(s) > 64 {
			return
		}
		var esc rune
		if useEsc {
			esc = '!'
		}
		src, err := LikeToRegexp(p, esc)
		if err != nil {
			return
		}
		re, err := regexp.Compile(src)
		if err != nil {
			t.Fatalf("LIKE %q translated to invalid regexp %q: %v", p, src, err)
		}
		if got, want := re.MatchString(s), likeNaive([]rune(s), []rune(p), esc); got != want {
			t.Fatalf("%q LIKE %q: regexp %q says %v, reference %v", s, p, src, got, want)
		}
	})
}

func FuzzSimilarTo(f *testing.F) {
	for _, p := range []string{"ab(c|d)", "a{2,3}", "[a-c][0-9]", "[^a-c]_", "a#+", "[[:ALPHA:]]%", "$^.\\", "(ab", "[]a]", "[a-]", "a{,2}", "((a|b)*c)+", "[\\]"} {
		f.Add("abc", p)
	}
	f.Fuzz(func(t *testing.T, s, p string) {
		if !utf8.ValidString(p) || len(p) > 64 {
			return
		}
		src, err := SimilarToRegexp(p, '#')
		if err != nil {
			return
		}
		re, err := compileRegexp(src)
		if err != nil {
			// Repetition limits and the like are reported, never a panic.
			if !strings.Contains(err.Error(), "repetition") && !strings.Contains(err.Error(), "too large") && !strings.Contains(err.Error(), "missing argument") && !strings.Contains(err.Error(), "invalid") {
				t.Fatalf("SIMILAR TO %q translated to invalid regexp %q: %v", p, src, err)
			}
			return
		}
		re.MatchString(s)
		// A pattern without metacharacters matches exactly itself.
		if !strings.ContainsAny(p, "_%|*+?{}()[]#") && !re.MatchString(p) {
			t.Fatalf("literal SIMILAR TO pattern %q does not match itself (regexp %q)", p, src)
		}
	})
}

// FuzzCompile compiles and evaluates arbitrary expressions: never a panic.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"1 + qty * 2", "CAST('2004-01-01' AS TIMESTAMP)", "'a' SIMILAR TO '(a|b)*'", "STEP(ROWTIME BY INTERVAL '1' SECOND)",
		"CHAR_TO_TIMESTAMP('yyyy', ticker_symbol)", "OVERLAY('x' PLACING 'y' FROM -5 FOR 2)", "SUBSTRING('abc' FROM -9223372036854775807 FOR 9223372036854775807)",
		"INTERVAL '99999999999' DAY * 1e300", "CAST(1e300 AS DECIMAL(18,2))", "-9223372036854775807 - 1", "ABS(-9223372036854775807 - 1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 256 {
			return
		}
		e, err := parser.ParseExpr(src)
		if err != nil {
			return
		}
		fn, _, err := Compile(e, testScope)
		if err != nil {
			return
		}
		_, _ = fn(testRow)
	})
}

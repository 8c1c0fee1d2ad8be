package logparse

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// maxPatternLen bounds a pattern's length (RE2 compiles in linear time, but
// there is no reason to accept megabyte patterns from SQL text).
const maxPatternLen = 64 << 10

// RegexParser is a compiled REGEX_LOG_PARSE call:
// the pattern and column list are compiled once, when the query is
// planned, and Parse runs per row. Safe for concurrent use.
type RegexParser struct {
	re      *regexp.Regexp
	columns []Column
}

// CompileRegexLogParse compiles REGEX_LOG_PARSE(input, pattern[, columns]).
// pattern is a Java regular expression; the subset RE2 shares with
// java.util.regex is accepted, plus Java's POSIX classes \p{Alpha} etc.
// (no back-references, lookaround, possessive
// quantifiers or atomic groups; those are errors). The pattern must match
// the whole input (Matcher.matches). columns is "" for COLUMN1..COLUMNn
// VARCHAR(1024), n being the number of capturing groups, or a list
// "name [type], ..." naming (and typing) the groups from the left.
func CompileRegexLogParse(pattern, columns string) (*RegexParser, error) {
	re, err := parseJavaRegex(pattern)
	if err != nil {
		return nil, fmt.Errorf("logparse: REGEX_LOG_PARSE: %w", err)
	}
	p, err := newRegexParser(re, columns)
	if err != nil {
		return nil, fmt.Errorf("logparse: REGEX_LOG_PARSE: %w", err)
	}
	return p, nil
}

// RegexLogParse is REGEX_LOG_PARSE(input, pattern[, columns]) compiled and
// run at once. A nil row is SQL NULL (the pattern did not match).
func RegexLogParse(input, pattern, columns string) (*Row, error) {
	p, err := CompileRegexLogParse(pattern, columns)
	if err != nil {
		return nil, err
	}
	return p.Parse(input)
}

// Columns answers the columns every row of this parser has.
func (p *RegexParser) Columns() []Column { return append([]Column(nil), p.columns...) }

// Parse matches input; it answers a nil row when the pattern does not match
// all of input. Groups that took part in no match (an optional group) are
// NULL; columns beyond the number of groups are NULL.
func (p *RegexParser) Parse(input string) (*Row, error) {
	m := p.re.FindStringSubmatchIndex(input)
	if m == nil {
		return nil, nil
	}
	row := &Row{Columns: p.columns, Values: make([]any, len(p.columns))}
	for i, c := range p.columns {
		g := i + 1
		present := 2*g+1 < len(m) && m[2*g] >= 0
		text := ""
		if present {
			text = input[m[2*g]:m[2*g+1]]
		}
		v, err := convert(text, present, c)
		if err != nil {
			return nil, err
		}
		row.Values[i] = v
	}
	return row, nil
}

func parseRE2(re string) (*syntax.Regexp, error) { return syntax.Parse(re, syntax.Perl) }

func parseJavaRegex(pattern string) (*syntax.Regexp, error) {
	if len(pattern) > maxPatternLen {
		return nil, fmt.Errorf("pattern longer than %d bytes", maxPatternLen)
	}
	re, err := syntax.Parse(translateJava(pattern), syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	return re, nil
}

func makeLazy(re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		re.Flags |= syntax.NonGreedy
	}
	for _, s := range re.Sub {
		makeLazy(s)
	}
}

func newRegexParser(re *syntax.Regexp, columns string) (*RegexParser, error) {
	groups := re.MaxCap()
	// anchor both ends: the pattern must account for the whole input
	anchored := "^(?:" + re.String() + ")$"
	compiled, err := regexp.Compile(anchored)
	if err != nil {
		return nil, fmt.Errorf("pattern: %w", err)
	}
	p := &RegexParser{re: compiled}
	if columns == "" {
		p.columns = columnN(groups, Varchar1024)
		return p, nil
	}
	spec, err := parseSpec(columns, specRegex)
	if err != nil {
		return nil, fmt.Errorf("columns %q: %w", columns, err)
	}
	for _, c := range spec {
		p.columns = append(p.columns, c.Column)
	}
	return p, nil
}

// javaPOSIX maps java.util.regex's POSIX character classes (\p{Name},
// US-ASCII only) to RE2's ASCII classes.
var javaPOSIX = map[string]string{
	"Lower": "lower", "Upper": "upper", "ASCII": "ascii", "Alpha": "alpha",
	"Digit": "digit", "Alnum": "alnum", "Punct": "punct", "Graph": "graph",
	"Print": "print", "Blank": "blank", "Cntrl": "cntrl", "XDigit": "xdigit",
	"Space": "space",
}

// translateJava rewrites the Java-only spellings RE2 lacks: \p{Alpha} and
// the other POSIX classes (and \P{..}, their negation), inside and outside
// character classes. Everything else is passed through for RE2 to judge.
func translateJava(p string) string {
	if !strings.Contains(p, `\p{`) && !strings.Contains(p, `\P{`) {
		return p
	}
	var b strings.Builder
	depth := 0 // character class nesting
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			if (p[i+1] == 'p' || p[i+1] == 'P') && i+2 < len(p) && p[i+2] == '{' {
				if end := strings.IndexByte(p[i+3:], '}'); end >= 0 {
					if cls, ok := javaPOSIX[strings.TrimPrefix(p[i+3:i+3+end], "Is")]; ok {
						neg := ""
						if p[i+1] == 'P' {
							neg = "^"
						}
						if depth > 0 {
							b.WriteString("[:" + neg + cls + ":]")
						} else {
							b.WriteString("[[:" + neg + cls + ":]]")
						}
						i += 3 + end
						continue
					}
				}
			}
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
			continue
		}
		switch {
		case c == '[':
			depth++
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteString("[^")
				i++
				if i+1 < len(p) && p[i+1] == ']' { // literal ']' first in class
					b.WriteString("]")
					i++
				}
				continue
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteString("[]")
				i++
				continue
			}
		case c == ']' && depth > 0:
			depth--
		}
		b.WriteByte(c)
	}
	return b.String()
}

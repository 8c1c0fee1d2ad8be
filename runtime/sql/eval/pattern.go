package eval

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"

	"github.com/kinesin/kinesin/runtime/sql/parser"
)

// LikeToRegexp translates a LIKE pattern to an anchored Go regular
// expression: _ matches one character, % any sequence; the escape
// character (escape, 0 for none) makes the next _, % or escape literal.
// Any other character after the escape is an error, as is a trailing one.
func LikeToRegexp(pattern string, escape rune) (string, error) {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case escape != 0 && r == escape:
			if i+1 >= len(rs) {
				return "", errors.New("invalid escape sequence: pattern ends with the escape character")
			}
			n := rs[i+1]
			if n != '_' && n != '%' && n != escape {
				return "", fmt.Errorf("invalid escape sequence %q", string([]rune{r, n}))
			}
			b.WriteString(regexp.QuoteMeta(string(n)))
			i++
		case r == '_':
			b.WriteString(".")
		case r == '%':
			b.WriteString(".*")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return b.String(), nil
}

// SimilarToRegexp translates a SIMILAR TO pattern (SQL:1999 regular
// expression) to an anchored Go regular expression. Metacharacters: _ %
// | * + ? {m[,[n]]} ( ) [ ] (bracket expressions with ranges, ^ negation
// and [:ALPHA:]-style classes); everything else, including . ^ $ and \, is
// literal. The escape character makes the next character literal.
func SimilarToRegexp(pattern string, escape rune) (string, error) {
	body, err := similarBody([]rune(pattern), escape)
	if err != nil {
		return "", err
	}
	return `(?s)\A(?:` + body + `)\z`, nil
}

// similarBody translates a SIMILAR TO pattern without anchors.
func similarBody(rs []rune, escape rune) (string, error) {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case escape != 0 && r == escape:
			if i+1 >= len(rs) {
				return "", errors.New("invalid escape sequence: pattern ends with the escape character")
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case r == '_':
			b.WriteString(".")
		case r == '%':
			b.WriteString(".*")
		case r == '|' || r == '*' || r == '+' || r == '?':
			b.WriteRune(r)
		case r == '(':
			depth++
			b.WriteString("(?:")
		case r == ')':
			if depth == 0 {
				return "", errors.New("unbalanced ) in SIMILAR TO pattern")
			}
			depth--
			b.WriteRune(')')
		case r == '{':
			j := i + 1
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == ',') {
				j++
			}
			if j >= len(rs) || rs[j] != '}' || j == i+1 || rs[i+1] == ',' {
				return "", errors.New("invalid repetition {…} in SIMILAR TO pattern")
			}
			b.WriteString(string(rs[i : j+1]))
			i = j
		case r == '[':
			j, cls, err := bracket(rs, i, escape)
			if err != nil {
				return "", err
			}
			b.WriteString(cls)
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if depth != 0 {
		return "", errors.New("unbalanced ( in SIMILAR TO pattern")
	}
	return b.String(), nil
}

var posixClasses = map[string]string{
	"ALPHA": `\p{L}`, "UPPER": `\p{Lu}`, "LOWER": `\p{Ll}`, "DIGIT": `0-9`, "ALNUM": `\p{L}0-9`,
	"SPACE": `\s`, "WHITESPACE": `\s`,
}

// bracket translates a bracket expression starting at rs[i] == '['; it
// answers the index of the closing ']'.
func bracket(rs []rune, i int, escape rune) (int, string, error) {
	var b strings.Builder
	b.WriteByte('[')
	j := i + 1
	if j < len(rs) && rs[j] == '^' {
		b.WriteByte('^')
		j++
	}
	first := true
	for ; j < len(rs); j++ {
		r := rs[j]
		switch {
		case r == ']' && !first:
			return j, b.String() + "]", nil
		case r == '[' && j+1 < len(rs) && rs[j+1] == ':':
			end := strings.Index(string(rs[j+2:]), ":]")
			if end < 0 {
				return 0, "", errors.New("invalid character class in SIMILAR TO pattern")
			}
			name := string(rs[j+2:])[:end]
			cls, ok := posixClasses[strings.ToUpper(name)]
			if !ok {
				return 0, "", fmt.Errorf("unknown character class [:%s:]", name)
			}
			b.WriteString(cls)
			j += 2 + len([]rune(name)) + 1
		case escape != 0 && r == escape:
			if j+1 >= len(rs) {
				return 0, "", errors.New("invalid escape sequence in SIMILAR TO pattern")
			}
			j++
			b.WriteString(regexp.QuoteMeta(string(rs[j])))
			if rs[j] == '-' {
				b.WriteString(`\-`)
			}
		case r == '-' && !first && j+1 < len(rs) && rs[j+1] != ']':
			b.WriteByte('-')
		case r == '\\' || r == '^' || r == '-' || r == '[' || r == ']':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		first = false
	}
	return 0, "", errors.New("unterminated [ in SIMILAR TO pattern")
}

// regexCache compiles non-constant patterns, remembering recent ones.
type regexCache struct {
	mu sync.Mutex
	m  map[string]*regexp.Regexp
}

func (c *regexCache) get(src string) (*regexp.Regexp, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if re, ok := c.m[src]; ok {
		return re, nil
	}
	re, err := compileRegexp(src)
	if err != nil {
		return nil, err
	}
	if c.m == nil || len(c.m) > 256 {
		c.m = map[string]*regexp.Regexp{}
	}
	c.m[src] = re
	return re, nil
}

// compileRegexp compiles with a bound on the program's size so untrusted
// patterns ({1000}{1000}) cannot blow up memory.
func compileRegexp(src string) (*regexp.Regexp, error) {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	if len(prog.Inst) > 100000 {
		return nil, errors.New("pattern too large")
	}
	return regexp.Compile(src)
}

func escapeRune(v Value) (rune, error) {
	rs := []rune(v.S)
	if len(rs) != 1 {
		return 0, fmt.Errorf("invalid escape character '%s': it must be one character", v.S)
	}
	return rs[0], nil
}

func (c *compiler) like(n *parser.LikeExpr) (expr, error) {
	x, err := c.compile(n.X)
	if err != nil {
		return expr{}, err
	}
	p, err := c.compile(n.Pattern)
	if err != nil {
		return expr{}, err
	}
	var esc *expr
	if n.Escape != nil {
		e, err := c.compile(n.Escape)
		if err != nil {
			return expr{}, err
		}
		esc = &e
	}
	for _, e := range []*expr{&x, &p, esc} {
		if e != nil && !e.t.Kind.IsString() && e.t.Kind != Null {
			return expr{}, errAt(n, "LIKE and SIMILAR TO need character strings, not %s", e.t)
		}
	}
	translate := LikeToRegexp
	if n.Similar {
		translate = SimilarToRegexp
	}
	var fixed *regexp.Regexp
	if p.konst != nil && !p.konst.IsNull() && (esc == nil || esc.konst != nil && !esc.konst.IsNull()) {
		var er rune
		if esc != nil {
			if er, err = escapeRune(*esc.konst); err != nil {
				return expr{}, errAt(n.Escape, "%v", err)
			}
		}
		src, err := translate(p.konst.S, er)
		if err != nil {
			return expr{}, errAt(n.Pattern, "%v", err)
		}
		if fixed, err = compileRegexp(src); err != nil {
			return expr{}, errAt(n.Pattern, "%v", err)
		}
	}
	cache := &regexCache{}
	not := n.Not
	return expr{t: Type{Kind: Boolean}, eval: func(r Row) (Value, error) {
		v, err := x.eval(r)
		if err != nil {
			return v, err
		}
		re := fixed
		if re == nil {
			pv, err := p.eval(r)
			if err != nil || pv.IsNull() {
				return NullValue, err
			}
			var er rune
			if esc != nil {
				ev, err := esc.eval(r)
				if err != nil || ev.IsNull() {
					return NullValue, err
				}
				if er, err = escapeRune(ev); err != nil {
					return NullValue, errAt(n, "%v", err)
				}
			}
			src, err := translate(pv.S, er)
			if err != nil {
				return NullValue, errAt(n, "%v", err)
			}
			if re, err = cache.get(src); err != nil {
				return NullValue, errAt(n, "%v", err)
			}
		}
		if v.IsNull() {
			return NullValue, nil
		}
		return Bool(re.MatchString(v.S) != not), nil
	}}, nil
}

// SubstringSimilarRegexp translates the pattern of SUBSTRING(x SIMILAR p
// ESCAPE e): p is three SIMILAR TO patterns separated by the escape
// character followed by a double quote; the whole string must match them
// in turn and the result is what the middle one matched (capture group 1).
func SubstringSimilarRegexp(pattern string, escape rune) (string, error) {
	if escape == 0 {
		return "", errors.New("SUBSTRING SIMILAR needs an escape character")
	}
	sep := string(escape) + `"`
	parts := strings.Split(pattern, sep)
	if len(parts) != 3 {
		return "", fmt.Errorf("SUBSTRING SIMILAR pattern must contain two %s separators", sep)
	}
	var bodies [3]string
	for i, p := range parts {
		b, err := similarBody([]rune(p), escape)
		if err != nil {
			return "", err
		}
		bodies[i] = b
	}
	// The first part matches as little as possible, as the standard says.
	return `(?s)\A(?U:` + bodies[0] + `)(` + bodies[1] + `)(?:` + bodies[2] + `)\z`, nil
}

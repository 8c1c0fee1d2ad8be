package logparse

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxFRNesting bounds parenthesis nesting in a Fast Regex pattern.
const maxFRNesting = 100

// frNode is one piece of a Fast Regex pattern translated to RE2 syntax.
type frNode struct {
	re    string   // self-contained RE2 fragment (no capturing groups)
	width int      // width in characters when fixed
	fixed bool     // matches only strings of one length
	group bool     // a top-level parenthetical expression: one output column
	inner []frNode // a group's top-level concatenation, when it may be split
}

// frPiece is one part of a lookahead: a whole item or an item's fixed prefix.
type frPiece struct {
	item   int
	prefix bool // the item's fixed prefix (its rest is matched by a later step)
}

// frStep matches the rest of one item lazily (a group) or greedily (text
// outside groups), followed by the fixed-length lookahead pieces.
type frStep struct {
	item   int // item whose rest this step matches; -1 for the initial lookahead
	re     *regexp.Regexp
	pieces []frPiece
}

// FastRegexParser is a compiled FAST_REGEX_LOG_PARSER call. Safe for
// concurrent use.
type FastRegexParser struct {
	items   []frNode
	steps   []frStep
	groups  []int // item index of each output column
	columns []Column
	whole   *regexp.Regexp // fallback for a pattern with a top-level '|'
}

// CompileFastRegexLogParse compiles FAST_REGEX_LOG_PARSER(input, pattern
// [, columns]) in the Fast Regex dialect the SQL reference documents (see
// doc.go). columns is "" for COLUMN1..COLUMNn VARCHAR(1024), n being the
// number of top-level parenthetical expressions, or a "name [type], ..."
// list as REGEX_LOG_PARSE takes.
func CompileFastRegexLogParse(pattern, columns string) (*FastRegexParser, error) {
	p, err := compileFR(pattern, columns)
	if err != nil {
		return nil, fmt.Errorf("logparse: FAST_REGEX_LOG_PARSER: %w", err)
	}
	return p, nil
}

// FastRegexLogParse is FAST_REGEX_LOG_PARSER(input, pattern[, columns])
// compiled and run at once.
func FastRegexLogParse(input, pattern, columns string) (*Row, error) {
	p, err := CompileFastRegexLogParse(pattern, columns)
	if err != nil {
		return nil, err
	}
	return p.Parse(input)
}

// Columns answers the columns every row of this parser has.
func (p *FastRegexParser) Columns() []Column { return append([]Column(nil), p.columns...) }

func compileFR(pattern, columns string) (*FastRegexParser, error) {
	if len(pattern) > maxPatternLen {
		return nil, fmt.Errorf("pattern longer than %d bytes", maxPatternLen)
	}
	fp := &frParser{src: pattern}
	alts, err := fp.union(0)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	if fp.pos < len(fp.src) {
		return nil, fmt.Errorf("pattern %q: unexpected %q at offset %d", pattern, fp.src[fp.pos], fp.pos)
	}
	p := &FastRegexParser{}
	if len(alts) > 1 {
		// A union at the top: no sequence of segments to evaluate one by
		// one; the whole pattern is matched lazily as one expression.
		var b strings.Builder
		b.WriteString("^(?:")
		ngroups := 0
		for i, alt := range alts {
			if i > 0 {
				b.WriteString("|")
			}
			for _, n := range alt {
				if n.group {
					b.WriteString("(" + n.re + ")")
					ngroups++
				} else {
					b.WriteString(n.re)
				}
			}
		}
		b.WriteString(")$")
		re, err := regexp.Compile(lazify(b.String()))
		if err != nil {
			return nil, err
		}
		p.whole = re
		return p, p.setColumns(ngroups, columns)
	}
	p.items = mergeOutside(alts[0])
	for i, it := range p.items {
		if it.group {
			p.groups = append(p.groups, i)
		}
	}
	if err := p.buildSteps(); err != nil {
		return nil, err
	}
	return p, p.setColumns(len(p.groups), columns)
}

func (p *FastRegexParser) setColumns(n int, columns string) error {
	if columns == "" {
		p.columns = columnN(n, Varchar1024)
		return nil
	}
	spec, err := parseSpec(columns, specRegex)
	if err != nil {
		return fmt.Errorf("columns %q: %w", columns, err)
	}
	for _, c := range spec {
		p.columns = append(p.columns, c.Column)
	}
	return nil
}

// mergeOutside joins consecutive atoms outside groups into one item, as
// the reference describes ("one [expression] for each expression outside a
// group"), keeping the atoms so a fixed-length prefix can be split off.
func mergeOutside(atoms []frNode) []frNode {
	var items []frNode
	for _, a := range atoms {
		if a.group {
			items = append(items, a)
			continue
		}
		if n := len(items); n > 0 && !items[n-1].group {
			items[n-1].inner = append(items[n-1].inner, a)
			continue
		}
		items = append(items, frNode{inner: []frNode{a}})
	}
	return items
}

// split answers an item's fixed-length prefix and the rest.
func split(it frNode) (prefix, rest []frNode) {
	atoms := it.inner
	if it.group && atoms == nil {
		atoms = []frNode{{re: it.re, width: it.width, fixed: it.fixed}}
	}
	i := 0
	for i < len(atoms) && atoms[i].fixed {
		i++
	}
	return atoms[:i], atoms[i:]
}

func joinRE(ns []frNode) string {
	var b strings.Builder
	for _, n := range ns {
		b.WriteString(n.re)
	}
	return b.String()
}

// lookahead builds the lookahead that follows position "from": every item
// from "from" on that is entirely fixed, and the fixed prefix of the first
// one that is not. It answers the regexp text (one capture per piece), the
// pieces, and the index of the item whose rest comes next (len(items) when
// none).
func (p *FastRegexParser) lookahead(from int) (string, []frPiece, int) {
	var b strings.Builder
	var pieces []frPiece
	j := from
	for ; j < len(p.items); j++ {
		prefix, rest := split(p.items[j])
		b.WriteString("(" + joinRE(prefix) + ")")
		pieces = append(pieces, frPiece{item: j, prefix: len(rest) > 0})
		if len(rest) > 0 {
			break
		}
	}
	return b.String(), pieces, j
}

func (p *FastRegexParser) buildSteps() error {
	la, pieces, next := p.lookahead(0)
	tail := ""
	if next == len(p.items) {
		tail = "$"
	}
	re, err := regexp.Compile("^" + la + tail)
	if err != nil {
		return err
	}
	p.steps = append(p.steps, frStep{item: -1, re: re, pieces: pieces})
	for k := next; k < len(p.items); {
		_, rest := split(p.items[k])
		restRE := joinRE(rest)
		if p.items[k].group {
			restRE = lazify(restRE)
		}
		la, pieces, j := p.lookahead(k + 1)
		tail := ""
		if j == len(p.items) {
			tail = "$"
		}
		re, err := regexp.Compile("^(" + restRE + ")" + la + tail)
		if err != nil {
			return err
		}
		p.steps = append(p.steps, frStep{item: k, re: re, pieces: pieces})
		k = j
	}
	return nil
}

// lazify makes every quantifier of an RE2 fragment lazy.
func lazify(re string) string {
	sre, err := parseRE2(re)
	if err != nil {
		return re
	}
	makeLazy(sre)
	return sre.String()
}

// Parse answers the row of input, or nil (NULL) when the pattern does not
// account for every character of input.
func (p *FastRegexParser) Parse(input string) (*Row, error) {
	texts := make([]string, 0, len(p.columns))
	present := make([]bool, 0, len(p.columns))
	if p.whole != nil {
		m := p.whole.FindStringSubmatchIndex(input)
		if m == nil {
			return nil, nil
		}
		for g := 1; 2*g < len(m); g++ {
			if m[2*g] >= 0 {
				texts, present = append(texts, input[m[2*g]:m[2*g+1]]), append(present, true)
			} else {
				texts, present = append(texts, ""), append(present, false)
			}
		}
	} else {
		start := make([]int, len(p.items))
		end := make([]int, len(p.items))
		pos := 0
		for _, st := range p.steps {
			m := st.re.FindStringSubmatchIndex(input[pos:])
			if m == nil {
				return nil, nil
			}
			g := 1
			if st.item >= 0 {
				end[st.item] = pos + m[3]
				g = 2
			}
			for _, pc := range st.pieces {
				s, e := pos+m[2*g], pos+m[2*g+1]
				start[pc.item] = s
				if !pc.prefix {
					end[pc.item] = e
				}
				g++
			}
			pos += m[1]
		}
		if pos != len(input) {
			return nil, nil
		}
		for _, it := range p.groups {
			texts, present = append(texts, input[start[it]:end[it]]), append(present, true)
		}
	}
	row := &Row{Columns: p.columns, Values: make([]any, len(p.columns))}
	for i, c := range p.columns {
		text, ok := "", false
		if i < len(texts) {
			text, ok = texts[i], present[i]
		}
		v, err := convert(text, ok, c)
		if err != nil {
			return nil, fmt.Errorf("logparse: FAST_REGEX_LOG_PARSER: %w", err)
		}
		row.Values[i] = v
	}
	return row, nil
}

// frParser reads the Fast Regex dialect:
//
//	union    := concat {'|' concat}
//	concat   := repeat {repeat}           ('&' intersection is not supported)
//	repeat   := simple {'?' | '*' | '+' | '{n}' | '{n,}' | '{n,m}'}
//	simple   := char | '\' char | '.' | '#' | '@' | '"' text '"' | '(' ')'
//	          | '(' union ')' | '[' ['^'] items ']' | '<' name '>'
type frParser struct {
	src string
	pos int
}

const frReserved = `|&?*+{}[].#@"()<>\`

var frNamed = map[string]string{
	"Digit":  `[0-9]`,
	"Upper":  `[A-Z]`,
	"Lower":  `[a-z]`,
	"ASCII":  `[\x00-\x7F]`,
	"Alpha":  `[a-zA-Z]`,
	"Alnum":  `[a-zA-Z0-9]`,
	"Punct":  `[!-/:-@\[-` + "`" + `{-~]`,
	"Blank":  `[ \t]`,
	"Space":  `[ \t\n\f\r\x0B]`,
	"Cntrl":  `[\x00-\x1F\x7F]`,
	"XDigit": `[0-9a-fA-F]`,
	"Print":  `[a-zA-Z0-9!-/:-@\[-` + "`" + `{-~]`,
	"Graph":  `[a-zA-Z0-9!-/:-@\[-` + "`" + `{-~]`,
}

func (fp *frParser) peek() byte {
	if fp.pos < len(fp.src) {
		return fp.src[fp.pos]
	}
	return 0
}

func (fp *frParser) union(depth int) ([][]frNode, error) {
	if depth > maxFRNesting {
		return nil, fmt.Errorf("parentheses nested deeper than %d", maxFRNesting)
	}
	var alts [][]frNode
	for {
		c, err := fp.concat(depth)
		if err != nil {
			return nil, err
		}
		alts = append(alts, c)
		if fp.peek() != '|' {
			return alts, nil
		}
		fp.pos++
	}
}

func (fp *frParser) concat(depth int) ([]frNode, error) {
	var atoms []frNode
	for fp.pos < len(fp.src) {
		c := fp.peek()
		if c == '|' || c == ')' {
			break
		}
		if c == '&' {
			return nil, fmt.Errorf("intersection '&' at offset %d is not supported", fp.pos)
		}
		n, err := fp.repeat(depth)
		if err != nil {
			return nil, err
		}
		atoms = append(atoms, n...)
	}
	return atoms, nil
}

// repeat reads an atom and its quantifiers. A fixed-width atom repeated
// at least n times is answered as two atoms, x{n} and the optional rest
// (x+ as x x*), as the reference's examples treat "_+" as "__*": the fixed
// part can then serve as a delimiter.
func (fp *frParser) repeat(depth int) ([]frNode, error) {
	n, err := fp.simple(depth)
	if err != nil {
		return nil, err
	}
	out := []frNode{n}
	for fp.pos < len(fp.src) {
		lo, hi, hasHi := 0, 0, false
		switch c := fp.peek(); c {
		case '?':
			lo, hi, hasHi = 0, 1, true
			fp.pos++
		case '*':
			fp.pos++
		case '+':
			lo = 1
			fp.pos++
		case '{':
			end := strings.IndexByte(fp.src[fp.pos:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unterminated '{' at offset %d", fp.pos)
			}
			body := fp.src[fp.pos+1 : fp.pos+end]
			var ok bool
			if lo, hi, hasHi, ok = parseBounds(body); !ok {
				return nil, fmt.Errorf("bad repetition {%s} at offset %d", body, fp.pos)
			}
			fp.pos += end + 1
		default:
			return out, nil
		}
		// quantify the atom read so far (all of out, as one expression)
		base := frNode{re: joinRE(out), width: 0, fixed: true}
		for _, a := range out {
			base.width += a.width
			base.fixed = base.fixed && a.fixed
		}
		re := "(?:" + base.re + ")"
		group := len(out) == 1 && out[0].group
		var opt string
		switch {
		case hasHi && hi == lo:
			opt = ""
		case hasHi:
			opt = fmt.Sprintf("{0,%d}", hi-lo)
		default:
			opt = "*"
		}
		if group || !base.fixed || lo == 0 {
			// one atom: a quantified group is one column over all repetitions
			q := fmt.Sprintf("{%d,%d}", lo, hi)
			if !hasHi {
				q = fmt.Sprintf("{%d,}", lo)
			}
			w := base.width * lo
			fixed := base.fixed && (hasHi && hi == lo || base.width == 0)
			out = []frNode{{re: re + q, width: w, fixed: fixed, group: group}}
			continue
		}
		fixedPart := frNode{re: fmt.Sprintf("%s{%d}", re, lo), width: base.width * lo, fixed: true}
		if opt == "" {
			out = []frNode{fixedPart}
			continue
		}
		out = []frNode{fixedPart, {re: re + opt}}
	}
	return out, nil
}

func parseBounds(body string) (lo, hi int, hasHi, ok bool) {
	los, his, comma := strings.Cut(body, ",")
	lo, err := strconv.Atoi(los)
	if err != nil || lo < 0 || lo > 1000 {
		return 0, 0, false, false
	}
	if !comma {
		return lo, lo, true, true
	}
	if his == "" {
		return lo, 0, false, true
	}
	hi, err = strconv.Atoi(his)
	if err != nil || hi < lo || hi > 1000 {
		return 0, 0, false, false
	}
	return lo, hi, true, true
}

func (fp *frParser) simple(depth int) (frNode, error) {
	c := fp.peek()
	start := fp.pos
	switch c {
	case '.':
		fp.pos++
		return frNode{re: `(?s:.)`, width: 1, fixed: true}, nil
	case '#':
		fp.pos++
		return frNode{re: `[^\x00-\x{10FFFF}]`}, nil
	case '@':
		fp.pos++
		return frNode{re: `(?s:.*)`}, nil
	case '"':
		end := strings.IndexByte(fp.src[fp.pos+1:], '"')
		if end < 0 {
			return frNode{}, fmt.Errorf("unterminated '\"' at offset %d", start)
		}
		s := fp.src[fp.pos+1 : fp.pos+1+end]
		fp.pos += end + 2
		return frNode{re: "(?:" + regexp.QuoteMeta(s) + ")", width: utf8.RuneCountInString(s), fixed: true}, nil
	case '(':
		fp.pos++
		alts, err := fp.union(depth + 1)
		if err != nil {
			return frNode{}, err
		}
		if fp.peek() != ')' {
			return frNode{}, fmt.Errorf("missing ')' for '(' at offset %d", start)
		}
		fp.pos++
		n := alternation(alts)
		if depth == 0 {
			n.group = true
			if len(alts) == 1 {
				n.inner = alts[0]
			}
		}
		return n, nil
	case '[':
		return fp.class()
	case '<':
		end := strings.IndexByte(fp.src[fp.pos:], '>')
		if end < 0 {
			return frNode{}, fmt.Errorf("unterminated '<' at offset %d", start)
		}
		name := fp.src[fp.pos+1 : fp.pos+end]
		fp.pos += end + 1
		if re, ok := frNamed[name]; ok {
			return frNode{re: re, width: 1, fixed: true}, nil
		}
		return frNode{}, fmt.Errorf("unsupported named pattern <%s> at offset %d", name, start)
	case '\\':
		fp.pos++
		if fp.pos >= len(fp.src) {
			return frNode{}, fmt.Errorf("pattern ends after '\\'")
		}
		r, size := utf8.DecodeRuneInString(fp.src[fp.pos:])
		fp.pos += size
		return frNode{re: regexp.QuoteMeta(string(r)), width: 1, fixed: true}, nil
	}
	if strings.IndexByte(frReserved, c) >= 0 {
		return frNode{}, fmt.Errorf("unexpected %q at offset %d", c, start)
	}
	r, size := utf8.DecodeRuneInString(fp.src[fp.pos:])
	fp.pos += size
	return frNode{re: regexp.QuoteMeta(string(r)), width: 1, fixed: true}, nil
}

func alternation(alts [][]frNode) frNode {
	var parts []string
	width, fixed := 0, true
	for i, alt := range alts {
		w, f := 0, true
		for _, a := range alt {
			w += a.width
			f = f && a.fixed
		}
		if i == 0 {
			width = w
		} else if w != width {
			fixed = false
		}
		fixed = fixed && f
		parts = append(parts, joinRE(alt))
	}
	return frNode{re: "(?:" + strings.Join(parts, "|") + ")", width: width, fixed: fixed}
}

func (fp *frParser) class() (frNode, error) {
	start := fp.pos
	fp.pos++ // '['
	var b strings.Builder
	b.WriteString("[")
	if fp.peek() == '^' {
		b.WriteString("^")
		fp.pos++
	}
	count := 0
	for {
		if fp.pos >= len(fp.src) {
			return frNode{}, fmt.Errorf("unterminated '[' at offset %d", start)
		}
		if fp.peek() == ']' && count > 0 {
			fp.pos++
			break
		}
		lo, err := fp.classChar()
		if err != nil {
			return frNode{}, err
		}
		b.WriteString(classEscape(lo))
		if fp.peek() == '-' && fp.pos+1 < len(fp.src) && fp.src[fp.pos+1] != ']' {
			fp.pos++
			hi, err := fp.classChar()
			if err != nil {
				return frNode{}, err
			}
			if hi < lo {
				return frNode{}, fmt.Errorf("bad range in '[' at offset %d", start)
			}
			b.WriteString("-" + classEscape(hi))
		}
		count++
	}
	b.WriteString("]")
	return frNode{re: b.String(), width: 1, fixed: true}, nil
}

func (fp *frParser) classChar() (rune, error) {
	if fp.peek() == '\\' {
		fp.pos++
	}
	if fp.pos >= len(fp.src) {
		return 0, fmt.Errorf("unterminated character class")
	}
	r, size := utf8.DecodeRuneInString(fp.src[fp.pos:])
	fp.pos += size
	return r, nil
}

func classEscape(r rune) string {
	if r < 0x20 || r == 0x7f || strings.ContainsRune(`\]^-[`, r) {
		return fmt.Sprintf(`\x{%x}`, r)
	}
	return string(r)
}

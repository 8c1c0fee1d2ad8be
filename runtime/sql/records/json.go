package records

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// node is a trie of the columns' JSONPaths below a row.
type node struct {
	cols    []int // columns whose value is this element
	keys    []string
	kids    []*node
	idx     []int
	idxKids []*node
	all     *node // the flattened array's elements ([0:] followed by more steps)
	allStep step
}

func (n *node) child(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.kids[i]
		}
	}
	return nil
}

func (n *node) indexChild(i int) *node {
	for j, k := range n.idx {
		if k == i {
			return n.idxKids[j]
		}
	}
	return nil
}

// buildJSON compiles the row path and the columns' mappings.
func (p *Parser) buildJSON(rowPath string, rcs []types.RecordColumn) error {
	var err error
	if p.rowPath, err = parsePath(rowPath); err != nil {
		return fmt.Errorf("records: RecordRowPath: %w", trimPrefix(err))
	}
	p.colRoot = &node{}
	var flatPath []step
	for c, rc := range rcs {
		if rc.Mapping == nil || *rc.Mapping == "" {
			return fmt.Errorf("records: column %q has no Mapping (required for JSON)", *rc.Name)
		}
		steps, err := parsePath(*rc.Mapping)
		if err != nil {
			return fmt.Errorf("records: column %q: %w", *rc.Name, trimPrefix(err))
		}
		// A mapping may repeat the row path ($.data.x under $.data); the
		// rest is relative to the row.
		if len(p.rowPath) > 0 && hasPrefix(steps, p.rowPath) {
			steps = steps[len(p.rowPath):]
		}
		// A final [0:] answers the whole array's text; one before other
		// steps flattens the array into rows.
		nAll := 0
		for i, s := range steps {
			if s.kind == stepAll && i < len(steps)-1 {
				if nAll++; nAll > 1 {
					return fmt.Errorf("records: column %q: only one level of dereferencing is supported in an array expression", *rc.Name)
				}
				if flatPath == nil {
					flatPath = steps[:i+1]
				} else if !equalSteps(flatPath, steps[:i+1]) {
					return fmt.Errorf("records: column %q: only one array can be flattened in a schema", *rc.Name)
				}
				p.flatCols = append(p.flatCols, c)
			}
		}
		n := p.colRoot
		for i, s := range steps {
			last := i == len(steps)-1
			switch {
			case s.kind == stepKey:
				k := n.child(s.key)
				if k == nil {
					k = &node{}
					n.keys = append(n.keys, s.key)
					n.kids = append(n.kids, k)
				}
				n = k
			case s.kind == stepIndex:
				k := n.indexChild(s.index)
				if k == nil {
					k = &node{}
					n.idx = append(n.idx, s.index)
					n.idxKids = append(n.idxKids, k)
				}
				n = k
			case last: // final [0:]: the array itself
			default:
				if n.all == nil {
					n.all = &node{}
					n.allStep = s
				}
				n = n.all
			}
		}
		n.cols = append(n.cols, c)
	}
	p.hasFlat = flatPath != nil
	return nil
}

func trimPrefix(err error) error {
	return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "records: "))
}

func hasPrefix(steps, prefix []step) bool {
	return len(steps) >= len(prefix) && equalSteps(steps[:len(prefix)], prefix)
}

func equalSteps(a, b []step) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].equal(b[i]) {
			return false
		}
	}
	return true
}

// maxDepth bounds JSON nesting.
const maxDepth = 512

// slot is a scanned JSON value: kind 0 (missing), 'n', 't', 'f', '0'
// (number), '"' (string), '{' or '['; s[start:end] is its text.
type slot struct {
	kind       byte
	esc        bool
	start, end int
}

type scanner struct {
	p        *Parser
	s        string
	i        int
	depth    int
	slots    []slot
	flat     int   // offset of the flattened array in the current row, -1 when none
	flatNode *node // the node holding that array
	nrows    int
	firstErr *Error
	each     func(eval.Row) error
}

var scanners = sync.Pool{New: func() any { return new(scanner) }}

func (p *Parser) parseJSON(data []byte, each func(eval.Row) error) error {
	sc := scanners.Get().(*scanner)
	defer scanners.Put(sc)
	*sc = scanner{p: p, s: string(data), slots: sc.slots[:0], each: each}
	if cap(sc.slots) < len(p.cols) {
		sc.slots = make([]slot, len(p.cols))
	}
	sc.slots = sc.slots[:len(p.cols)]
	sc.s = strings.TrimPrefix(sc.s, "\ufeff")
	values := 0
	for {
		sc.ws()
		if sc.i >= len(sc.s) {
			break
		}
		values++
		if err := sc.rows(p.rowPath); err != nil {
			return err
		}
	}
	if values == 0 {
		return parseError("the record is empty, not JSON")
	}
	if sc.firstErr != nil {
		return sc.firstErr
	}
	if sc.nrows == 0 {
		return parseError("the RecordRowPath matches nothing in the record")
	}
	return nil
}

func (sc *scanner) errAt(what string) error {
	return parseError("invalid JSON at offset %d: %s", sc.i, what)
}

func (sc *scanner) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// rows navigates the row path from the value at sc.i and parses each row.
func (sc *scanner) rows(steps []step) error {
	sc.ws()
	if sc.i >= len(sc.s) {
		return sc.errAt("unexpected end")
	}
	c := sc.s[sc.i]
	if len(steps) == 0 {
		if c == '[' { // an array of rows
			return sc.elements(func(int) error { return sc.row() })
		}
		return sc.row()
	}
	st := steps[0]
	switch {
	case st.kind == stepKey && c == '{':
		return sc.members(func(key string) error {
			if key == st.key {
				return sc.rows(steps[1:])
			}
			return sc.skip()
		})
	case st.kind != stepKey && c == '[':
		return sc.elements(func(i int) error {
			if st.kind == stepIndex && i == st.index || st.kind == stepAll && st.inRange(i) {
				return sc.rows(steps[1:])
			}
			return sc.skip()
		})
	}
	return sc.skip()
}

// open enters the object or array at sc.i, which end closes; empty: it
// was {} or [], and is consumed.
func (sc *scanner) open(end byte) (empty bool, err error) {
	sc.i++
	if sc.depth++; sc.depth > maxDepth {
		return false, sc.errAt("nested too deeply")
	}
	sc.ws()
	if sc.i < len(sc.s) && sc.s[sc.i] == end {
		sc.i++
		sc.depth--
		return true, nil
	}
	return false, nil
}

// members calls f with each member name of the object at sc.i; f consumes the value.
func (sc *scanner) members(f func(key string) error) error {
	if empty, err := sc.open('}'); empty || err != nil {
		return err
	}
	for {
		key, err := sc.key()
		if err != nil {
			return err
		}
		sc.ws()
		if sc.i >= len(sc.s) {
			return sc.errAt("unexpected end")
		}
		if err := f(key); err != nil {
			return err
		}
		if done, err := sc.next('}'); done || err != nil {
			return err
		}
	}
}

// object parses the object at sc.i against n's members (members without
// a closure: this is the hot path).
func (sc *scanner) object(n *node) error {
	if empty, err := sc.open('}'); empty || err != nil {
		return err
	}
	for {
		key, err := sc.key()
		if err != nil {
			return err
		}
		if k := n.child(key); k != nil {
			err = sc.value(k)
		} else {
			err = sc.skip()
		}
		if err != nil {
			return err
		}
		if done, err := sc.next('}'); done || err != nil {
			return err
		}
	}
}

// array parses the array at sc.i against n's index children.
func (sc *scanner) array(n *node) error {
	if empty, err := sc.open(']'); empty || err != nil {
		return err
	}
	for i := 0; ; i++ {
		var err error
		if k := n.indexChild(i); k != nil {
			err = sc.value(k)
		} else {
			err = sc.skip()
		}
		if err != nil {
			return err
		}
		if done, err := sc.next(']'); done || err != nil {
			return err
		}
	}
}

// elements calls f with each element index of the array at sc.i; f consumes the element.
func (sc *scanner) elements(f func(i int) error) error {
	if empty, err := sc.open(']'); empty || err != nil {
		return err
	}
	for i := 0; ; i++ {
		sc.ws()
		if sc.i >= len(sc.s) {
			return sc.errAt("unexpected end")
		}
		if err := f(i); err != nil {
			return err
		}
		if done, err := sc.next(']'); done || err != nil {
			return err
		}
	}
}

// key reads a member name and its colon.
func (sc *scanner) key() (string, error) {
	sc.ws()
	if sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
		return "", sc.errAt("expected a member name")
	}
	start := sc.i + 1
	esc, err := sc.str()
	if err != nil {
		return "", err
	}
	key := sc.s[start : sc.i-1]
	if esc {
		key = unescape(key)
	}
	sc.ws()
	if sc.i >= len(sc.s) || sc.s[sc.i] != ':' {
		return "", sc.errAt("expected ':'")
	}
	sc.i++
	return key, nil
}

// next reads the ',' between members or elements, or the closing bracket.
func (sc *scanner) next(close byte) (done bool, err error) {
	sc.ws()
	if sc.i >= len(sc.s) {
		return true, sc.errAt("unexpected end")
	}
	switch sc.s[sc.i] {
	case ',':
		sc.i++
		return false, nil
	case close:
		sc.i++
		sc.depth--
		return true, nil
	}
	return true, sc.errAt(fmt.Sprintf("expected ',' or '%c'", close))
}

// row parses the row value at sc.i into the columns and emits its rows.
func (sc *scanner) row() error {
	clear(sc.slots)
	sc.flat = -1
	if err := sc.value(sc.p.colRoot); err != nil {
		return err
	}
	if !sc.p.hasFlat || sc.flat < 0 {
		return sc.emit()
	}
	end, depth := sc.i, sc.depth
	sc.i = sc.flat
	n := sc.flatNode
	emitted := 0
	err := sc.elements(func(i int) error {
		if !n.allStep.inRange(i) {
			return sc.skip()
		}
		for _, c := range sc.p.flatCols {
			sc.slots[c] = slot{}
		}
		if err := sc.value(n.all); err != nil {
			return err
		}
		emitted++
		return sc.emit()
	})
	if err != nil {
		return err
	}
	if emitted == 0 {
		for _, c := range sc.p.flatCols {
			sc.slots[c] = slot{}
		}
		if err := sc.emit(); err != nil {
			return err
		}
	}
	sc.i, sc.depth = end, depth
	return nil
}

// emit converts the slots into a row and hands it on; a row with a value
// that does not convert is left out.
func (sc *scanner) emit() error {
	p := sc.p
	row := make(eval.Row, len(p.cols))
	for c, sl := range sc.slots {
		v, err := sc.convert(p.cols[c].Type, sl)
		if err != nil {
			if sc.firstErr == nil {
				sc.firstErr = p.convertErr(c, err)
			}
			sc.nrows++ // the row existed; it goes to error_stream
			return nil
		}
		row[c] = v
	}
	sc.nrows++
	return sc.each(row)
}

func (sc *scanner) convert(t eval.Type, sl slot) (eval.Value, error) {
	switch sl.kind {
	case 0, 'n':
		return eval.NullValue, nil
	case 't', 'f':
		return fromBool(t, sl.kind == 't')
	case '0':
		return fromNumber(t, sc.s[sl.start:sl.end])
	case '"':
		s := sc.s[sl.start+1 : sl.end-1]
		if sl.esc {
			s = unescape(s)
		}
		return fromString(t, s)
	}
	return fromText(t, sc.s[sl.start:sl.end])
}

// value parses the value at sc.i against the trie node n.
func (sc *scanner) value(n *node) error {
	sc.ws()
	if sc.i >= len(sc.s) {
		return sc.errAt("unexpected end")
	}
	start := sc.i
	var kind byte
	esc := false
	var err error
	switch c := sc.s[sc.i]; c {
	case '{':
		kind = '{'
		if len(n.keys) == 0 {
			err = sc.skip()
		} else {
			err = sc.object(n)
		}
	case '[':
		kind = '['
		if n.all != nil {
			sc.flat, sc.flatNode = start, n
		}
		if len(n.idx) == 0 {
			err = sc.skip()
		} else {
			err = sc.array(n)
		}
	case '"':
		kind = '"'
		esc, err = sc.str()
	case 't':
		kind = 't'
		err = sc.lit("true")
	case 'f':
		kind = 'f'
		err = sc.lit("false")
	case 'n':
		kind = 'n'
		err = sc.lit("null")
	default:
		kind = '0'
		err = sc.num()
	}
	if err != nil {
		return err
	}
	for _, c := range n.cols {
		sc.slots[c] = slot{kind: kind, esc: esc, start: start, end: sc.i}
	}
	return nil
}

// skip passes over the value at sc.i. Nested values are checked for
// balanced brackets and well-formed strings, not fully validated.
func (sc *scanner) skip() error {
	sc.ws()
	if sc.i >= len(sc.s) {
		return sc.errAt("unexpected end")
	}
	switch sc.s[sc.i] {
	case '"':
		_, err := sc.str()
		return err
	case 't':
		return sc.lit("true")
	case 'f':
		return sc.lit("false")
	case 'n':
		return sc.lit("null")
	case '{', '[':
		depth := 0
		for sc.i < len(sc.s) {
			switch sc.s[sc.i] {
			case '"':
				if _, err := sc.str(); err != nil {
					return err
				}
				continue
			case '{', '[':
				if depth++; sc.depth+depth > maxDepth {
					return sc.errAt("nested too deeply")
				}
			case '}', ']':
				if depth--; depth == 0 {
					sc.i++
					return nil
				}
			}
			sc.i++
		}
		return sc.errAt("unexpected end")
	}
	return sc.num()
}

// str passes over the string at sc.i and reports whether it has escapes.
func (sc *scanner) str() (esc bool, err error) {
	s := sc.s
	i := sc.i + 1
	for i < len(s) {
		switch s[i] {
		case '"':
			sc.i = i + 1
			return esc, nil
		case '\\':
			esc = true
			i += 2
			continue
		}
		i++
	}
	sc.i = len(s)
	return esc, sc.errAt("unterminated string")
}

func (sc *scanner) lit(word string) error {
	if !strings.HasPrefix(sc.s[sc.i:], word) {
		return sc.errAt("invalid literal")
	}
	sc.i += len(word)
	return nil
}

// num passes over a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (sc *scanner) num() error {
	s, i := sc.s, sc.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	d := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == d || s[d] == '0' && i-d > 1 {
		return sc.errAt("invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		f := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == f {
			return sc.errAt("invalid number")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		e := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == e {
			return sc.errAt("invalid number")
		}
	}
	sc.i = i
	return nil
}

// unescape decodes a JSON string's escapes; bad \u escapes become U+FFFD.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(s, i+1)
			if !ok {
				b.WriteRune(utf8.RuneError)
				continue
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if r2, ok := hex4(s, i+3); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							b.WriteRune(d)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default: // \" \\ \/ and anything else: the character itself
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

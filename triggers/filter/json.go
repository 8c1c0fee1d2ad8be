package filter

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// kind is the type of a parsed JSON value.
type kind uint8

const (
	kNull kind = iota
	kFalse
	kTrue
	kNumber
	kString
	kArray
	kObject
)

// maxDepth matches encoding/json's nesting limit, so "is this record JSON"
// agrees with json.Valid.
const maxDepth = 10000

// node is one JSON value in a doc's arena. Children of arrays and objects form
// a linked list (first, next) of indices into the same arena, so a parse
// allocates nothing once the arena has grown to the record's size.
type node struct {
	kind         kind
	inBuf        bool  // text lives in doc.buf (string had escapes), not in doc.in
	keyInBuf     bool  // likewise for key
	start, end   int32 // text: raw number, or unescaped string contents
	kstart, kend int32 // object member key (unescaped)
	first, next  int32 // first child, next sibling; -1 when none
}

// doc is a parsed record. It is reused across records through a sync.Pool.
type doc struct {
	in    []byte
	nodes []node
	buf   []byte // unescaped strings that contained escapes
	pos   int
	depth int
}

func (d *doc) text(n *node) []byte {
	if n.inBuf {
		return d.buf[n.start:n.end]
	}
	return d.in[n.start:n.end]
}

func (d *doc) key(n *node) []byte {
	if n.keyInBuf {
		return d.buf[n.kstart:n.kend]
	}
	return d.in[n.kstart:n.kend]
}

// str returns n's text as a string without copying; it is valid while d
// holds the same input and must not be retained.
func (d *doc) str(n *node) string {
	b := d.text(n)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (d *doc) float(n *node) float64 {
	f, _ := strconv.ParseFloat(d.str(n), 64) // range errors give ±Inf, which still compare
	return f
}

// child returns the index of the first member of object o named k, or -1.
func (d *doc) child(o int32, k string) int32 {
	if o < 0 || d.nodes[o].kind != kObject {
		return -1
	}
	for c := d.nodes[o].first; c >= 0; c = d.nodes[c].next {
		if string(d.key(&d.nodes[c])) == k {
			return c
		}
	}
	return -1
}

// parse parses in as one JSON text. It reports false when in is not valid
// JSON (RFC 8259; like encoding/json it does not check UTF-8 validity).
func (d *doc) parse(in []byte) bool {
	d.in, d.nodes, d.buf, d.pos, d.depth = in, d.nodes[:0], d.buf[:0], 0, 0
	d.ws()
	if _, ok := d.value(); !ok {
		return false
	}
	d.ws()
	return d.pos == len(d.in)
}

func (d *doc) ws() {
	for d.pos < len(d.in) {
		switch d.in[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *doc) add(k kind) int32 {
	d.nodes = append(d.nodes, node{kind: k, first: -1, next: -1})
	return int32(len(d.nodes) - 1)
}

func (d *doc) lit(s string, k kind) (int32, bool) {
	if len(d.in)-d.pos < len(s) || string(d.in[d.pos:d.pos+len(s)]) != s {
		return -1, false
	}
	d.pos += len(s)
	return d.add(k), true
}

func (d *doc) value() (int32, bool) {
	if d.pos >= len(d.in) {
		return -1, false
	}
	switch c := d.in[d.pos]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		i := d.add(kString)
		s, e, inBuf, ok := d.string()
		n := &d.nodes[i]
		n.start, n.end, n.inBuf = s, e, inBuf
		return i, ok
	case c == 't':
		return d.lit("true", kTrue)
	case c == 'f':
		return d.lit("false", kFalse)
	case c == 'n':
		return d.lit("null", kNull)
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return -1, false
}

func (d *doc) number() (int32, bool) {
	in, p := d.in, d.pos
	start := p
	if in[p] == '-' {
		p++
	}
	digits := func() bool {
		s := p
		for p < len(in) && in[p] >= '0' && in[p] <= '9' {
			p++
		}
		return p > s
	}
	switch {
	case p < len(in) && in[p] == '0':
		p++
	case !digits():
		return -1, false
	}
	if p < len(in) && in[p] == '.' {
		p++
		if !digits() {
			return -1, false
		}
	}
	if p < len(in) && (in[p] == 'e' || in[p] == 'E') {
		p++
		if p < len(in) && (in[p] == '+' || in[p] == '-') {
			p++
		}
		if !digits() {
			return -1, false
		}
	}
	d.pos = p
	i := d.add(kNumber)
	d.nodes[i].start, d.nodes[i].end = int32(start), int32(p)
	return i, true
}

// string scans a string at d.pos. Strings without escapes are returned as a
// range of the input; others are unescaped into d.buf.
func (d *doc) string() (start, end int32, inBuf, ok bool) {
	in := d.in
	p := d.pos + 1
	s := p
	for p < len(in) {
		c := in[p]
		if c == '"' {
			d.pos = p + 1
			return int32(s), int32(p), false, true
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return 0, 0, false, false
		}
		p++
	}
	if p >= len(in) {
		return 0, 0, false, false
	}
	bs := len(d.buf)
	d.buf = append(d.buf, in[s:p]...)
	for p < len(in) {
		c := in[p]
		switch {
		case c == '"':
			d.pos = p + 1
			return int32(bs), int32(len(d.buf)), true, true
		case c < 0x20:
			return 0, 0, false, false
		case c != '\\':
			d.buf = append(d.buf, c)
			p++
			continue
		}
		p++
		if p >= len(in) {
			return 0, 0, false, false
		}
		switch e := in[p]; e {
		case '"', '\\', '/':
			d.buf = append(d.buf, e)
		case 'b':
			d.buf = append(d.buf, '\b')
		case 'f':
			d.buf = append(d.buf, '\f')
		case 'n':
			d.buf = append(d.buf, '\n')
		case 'r':
			d.buf = append(d.buf, '\r')
		case 't':
			d.buf = append(d.buf, '\t')
		case 'u':
			r, ok := hex4(in, p+1)
			if !ok {
				return 0, 0, false, false
			}
			p += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(in, p+3); ok && p+2 < len(in) && in[p+1] == '\\' && in[p+2] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						p += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			d.buf = utf8.AppendRune(d.buf, r)
		default:
			return 0, 0, false, false
		}
		p++
	}
	return 0, 0, false, false
}

func hex4(in []byte, p int) (rune, bool) {
	if p+4 > len(in) {
		return 0, false
	}
	var r rune
	for _, c := range in[p : p+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func (d *doc) enter() bool {
	d.depth++
	return d.depth <= maxDepth
}

func (d *doc) array() (int32, bool) {
	if !d.enter() {
		return -1, false
	}
	i := d.add(kArray)
	d.pos++
	d.ws()
	if d.pos < len(d.in) && d.in[d.pos] == ']' {
		d.pos++
		d.depth--
		return i, true
	}
	prev := int32(-1)
	for {
		d.ws()
		c, ok := d.value()
		if !ok {
			return -1, false
		}
		if prev < 0 {
			d.nodes[i].first = c
		} else {
			d.nodes[prev].next = c
		}
		prev = c
		d.ws()
		if d.pos >= len(d.in) {
			return -1, false
		}
		switch d.in[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return i, true
		default:
			return -1, false
		}
	}
}

func (d *doc) object() (int32, bool) {
	if !d.enter() {
		return -1, false
	}
	i := d.add(kObject)
	d.pos++
	d.ws()
	if d.pos < len(d.in) && d.in[d.pos] == '}' {
		d.pos++
		d.depth--
		return i, true
	}
	prev := int32(-1)
	for {
		d.ws()
		if d.pos >= len(d.in) || d.in[d.pos] != '"' {
			return -1, false
		}
		ks, ke, kbuf, ok := d.string()
		if !ok {
			return -1, false
		}
		d.ws()
		if d.pos >= len(d.in) || d.in[d.pos] != ':' {
			return -1, false
		}
		d.pos++
		d.ws()
		c, ok := d.value()
		if !ok {
			return -1, false
		}
		n := &d.nodes[c]
		n.kstart, n.kend, n.keyInBuf = ks, ke, kbuf
		if prev < 0 {
			d.nodes[i].first = c
		} else {
			d.nodes[prev].next = c
		}
		prev = c
		d.ws()
		if d.pos >= len(d.in) {
			return -1, false
		}
		switch d.in[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return i, true
		default:
			return -1, false
		}
	}
}

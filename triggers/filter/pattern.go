package filter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// objPattern is a compiled JSON object of a filter pattern: every field must
// match (AND), and at least one branch of each "$or" must match.
type objPattern struct {
	fields []field
	ors    [][]*objPattern
}

// field is one key of an objPattern: either a nested object or a list of
// value matchers (ORed).
type field struct {
	key    string
	sub    *objPattern
	values []matcher
}

type op uint8

const (
	opString op = iota // exact string
	opNumber           // exact number, compared on its text as Lambda documents
	opTrue
	opFalse
	opNull
	opPrefix
	opSuffix
	opEqualsIgnoreCase
	opExists
	opNotExists
	opNumeric
	opAnythingBut
	opAnythingButPrefix
	opAnythingButSuffix
	opAnythingButIgnoreCase
)

type matcher struct {
	op     op
	s      string   // string operand
	strs   []string // anything-but strings (or ignore-case strings)
	nums   []float64
	lo, hi float64 // numeric bounds
	loIncl bool
	hiIncl bool
	hasLo  bool
	hasHi  bool
}

// patternError is a reason a pattern is invalid; Compile wraps it in *Error.
type patternError string

func (e patternError) Error() string { return string(e) }

func bad(format string, a ...any) error { return patternError(fmt.Sprintf(format, a...)) }

// compilePattern compiles one filter pattern. For a Kinesis record (kinesis
// true) its top-level keys may only be "data" (an object) and "$or"
// (branches following the same rule); for a whole record, any.
func compilePattern(src string, kinesis bool) (*objPattern, error) {
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, bad("pattern is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, bad("pattern has trailing data after the JSON object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, bad("pattern must be a JSON object")
	}
	return compileObj(m, kinesis)
}

func compileObj(m map[string]any, top bool) (*objPattern, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	p := &objPattern{}
	for _, k := range keys {
		v := m[k]
		if k == "$or" {
			list, ok := v.([]any)
			if !ok || len(list) < 2 {
				return nil, bad(`"$or" must be an array of at least two objects`)
			}
			branches := make([]*objPattern, 0, len(list))
			for _, b := range list {
				bm, ok := b.(map[string]any)
				if !ok || len(bm) == 0 {
					return nil, bad(`"$or" must be an array of non-empty objects`)
				}
				bp, err := compileObj(bm, top)
				if err != nil {
					return nil, err
				}
				branches = append(branches, bp)
			}
			p.ors = append(p.ors, branches)
			continue
		}
		if top && k != "data" {
			return nil, bad("Kinesis event source mappings only support filtering on the data key, not %q", k)
		}
		switch v := v.(type) {
		case map[string]any:
			if len(v) == 0 {
				return nil, bad("field %q: object must not be empty", k)
			}
			sub, err := compileObj(v, false)
			if err != nil {
				return nil, err
			}
			p.fields = append(p.fields, field{key: k, sub: sub})
		case []any:
			if top {
				return nil, bad(`the filter pattern for "data" must be a JSON object`)
			}
			if len(v) == 0 {
				return nil, bad("field %q: array of values must not be empty", k)
			}
			ms := make([]matcher, 0, len(v))
			for _, e := range v {
				mt, err := compileValue(k, e)
				if err != nil {
					return nil, err
				}
				ms = append(ms, mt)
			}
			p.fields = append(p.fields, field{key: k, values: ms})
		default:
			if top {
				return nil, bad(`the filter pattern for "data" must be a JSON object`)
			}
			return nil, bad("field %q: value must be an object or an array", k)
		}
	}
	return p, nil
}

func compileValue(k string, v any) (matcher, error) {
	switch v := v.(type) {
	case string:
		return matcher{op: opString, s: v}, nil
	case json.Number:
		if _, err := checkNumber(v); err != nil {
			return matcher{}, bad("field %q: %v", k, err)
		}
		return matcher{op: opNumber, s: string(v)}, nil
	case bool:
		if v {
			return matcher{op: opTrue}, nil
		}
		return matcher{op: opFalse}, nil
	case nil:
		return matcher{op: opNull}, nil
	case map[string]any:
		if len(v) != 1 {
			return matcher{}, bad("field %q: an operator object must have exactly one key", k)
		}
		for name, arg := range v {
			return compileOperator(k, name, arg)
		}
	}
	return matcher{}, bad("field %q: arrays are not allowed inside a list of values", k)
}

func checkNumber(n json.Number) (float64, error) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, fmt.Errorf("number %s is out of range", n)
	}
	return f, nil
}

func compileOperator(k, name string, arg any) (matcher, error) {
	switch name {
	case "prefix", "suffix", "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return matcher{}, bad("field %q: %q takes a string", k, name)
		}
		o := map[string]op{"prefix": opPrefix, "suffix": opSuffix, "equals-ignore-case": opEqualsIgnoreCase}[name]
		return matcher{op: o, s: s}, nil
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return matcher{}, bad("field %q: \"exists\" takes true or false", k)
		}
		if b {
			return matcher{op: opExists}, nil
		}
		return matcher{op: opNotExists}, nil
	case "numeric":
		return compileNumeric(k, arg)
	case "anything-but":
		return compileAnythingBut(k, arg)
	}
	return matcher{}, bad("field %q: unsupported operator %q", k, name)
}

func compileNumeric(k string, arg any) (matcher, error) {
	list, ok := arg.([]any)
	if !ok || (len(list) != 2 && len(list) != 4) {
		return matcher{}, bad("field %q: \"numeric\" takes one or two operator/number pairs", k)
	}
	m := matcher{op: opNumeric}
	for i := 0; i < len(list); i += 2 {
		o, ok1 := list[i].(string)
		n, ok2 := list[i+1].(json.Number)
		if !ok1 || !ok2 {
			return matcher{}, bad("field %q: \"numeric\" takes operator/number pairs", k)
		}
		f, err := checkNumber(n)
		if err != nil {
			return matcher{}, bad("field %q: %v", k, err)
		}
		switch o {
		case "=":
			if len(list) != 2 {
				return matcher{}, bad("field %q: \"=\" cannot be combined with another numeric operator", k)
			}
			m.lo, m.hi, m.loIncl, m.hiIncl, m.hasLo, m.hasHi = f, f, true, true, true, true
		case ">", ">=":
			if m.hasLo {
				return matcher{}, bad("field %q: \"numeric\" has two lower bounds", k)
			}
			m.lo, m.loIncl, m.hasLo = f, o == ">=", true
		case "<", "<=":
			if m.hasHi {
				return matcher{}, bad("field %q: \"numeric\" has two upper bounds", k)
			}
			m.hi, m.hiIncl, m.hasHi = f, o == "<=", true
		default:
			return matcher{}, bad("field %q: unsupported numeric operator %q", k, o)
		}
	}
	if len(list) == 4 && m.lo >= m.hi {
		return matcher{}, bad("field %q: \"numeric\" lower bound must be less than upper bound", k)
	}
	return m, nil
}

func compileAnythingBut(k string, arg any) (matcher, error) {
	switch a := arg.(type) {
	case string, json.Number:
		return compileAnythingBut(k, []any{a})
	case []any:
		if len(a) == 0 {
			return matcher{}, bad("field %q: \"anything-but\" list must not be empty", k)
		}
		m := matcher{op: opAnythingBut}
		for _, e := range a {
			switch e := e.(type) {
			case string:
				m.strs = append(m.strs, e)
			case json.Number:
				f, err := checkNumber(e)
				if err != nil {
					return matcher{}, bad("field %q: %v", k, err)
				}
				m.nums = append(m.nums, f)
			default:
				return matcher{}, bad("field %q: \"anything-but\" takes strings or numbers", k)
			}
		}
		if len(m.strs) > 0 && len(m.nums) > 0 {
			return matcher{}, bad("field %q: \"anything-but\" list must be all strings or all numbers", k)
		}
		return m, nil
	case map[string]any:
		if len(a) != 1 {
			return matcher{}, bad("field %q: \"anything-but\" object must have exactly one key", k)
		}
		for name, v := range a {
			switch name {
			case "prefix", "suffix":
				s, ok := v.(string)
				if !ok || s == "" {
					return matcher{}, bad("field %q: \"anything-but\" %q takes a non-empty string", k, name)
				}
				if name == "prefix" {
					return matcher{op: opAnythingButPrefix, s: s}, nil
				}
				return matcher{op: opAnythingButSuffix, s: s}, nil
			case "equals-ignore-case":
				m := matcher{op: opAnythingButIgnoreCase}
				switch v := v.(type) {
				case string:
					m.strs = []string{v}
				case []any:
					for _, e := range v {
						s, ok := e.(string)
						if !ok {
							return matcher{}, bad("field %q: \"anything-but\" \"equals-ignore-case\" takes strings", k)
						}
						m.strs = append(m.strs, s)
					}
				}
				if len(m.strs) == 0 {
					return matcher{}, bad("field %q: \"anything-but\" \"equals-ignore-case\" takes strings", k)
				}
				return m, nil
			}
			return matcher{}, bad("field %q: unsupported \"anything-but\" operator %q", k, name)
		}
	}
	return matcher{}, bad("field %q: \"anything-but\" takes a string, a number, a list or an operator object", k)
}

// refsData reports whether p inspects the record's data at all.
func (p *objPattern) refsData() bool { return len(p.fields) > 0 || len(p.ors) > 0 }

// match evaluates p against node n of d (n < 0: absent).
func (p *objPattern) match(d *doc, n int32) bool {
	if n >= 0 && d.nodes[n].kind == kArray {
		// An object pattern applied to an array matches when one element
		// matches as a whole, so sibling fields come from the same element.
		for c := d.nodes[n].first; c >= 0; c = d.nodes[c].next {
			if p.match(d, c) {
				return true
			}
		}
		// Fall through with "absent" so exists:false patterns still apply
		// to an array without matching elements.
		if d.nodes[n].first >= 0 {
			return false
		}
		n = -1
	}
	for i := range p.fields {
		f := &p.fields[i]
		c := d.child(n, f.key)
		if f.sub != nil {
			if !f.sub.match(d, c) {
				return false
			}
			continue
		}
		if !matchValues(f.values, d, c) {
			return false
		}
	}
	for _, branches := range p.ors {
		ok := false
		for _, b := range branches {
			if b.match(d, n) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchValues reports whether any matcher accepts any leaf at node c.
func matchValues(ms []matcher, d *doc, c int32) bool {
	has := hasLeaf(d, c)
	for i := range ms {
		m := &ms[i]
		switch m.op {
		case opExists:
			if has {
				return true
			}
		case opNotExists:
			if !has {
				return true
			}
		default:
			if has && anyLeaf(m, d, c) {
				return true
			}
		}
	}
	return false
}

// hasLeaf reports whether c is, or is an array containing, a scalar. Objects
// are not leaves: Lambda's exists only matches leaf nodes.
func hasLeaf(d *doc, c int32) bool {
	if c < 0 {
		return false
	}
	switch d.nodes[c].kind {
	case kObject:
		return false
	case kArray:
		for e := d.nodes[c].first; e >= 0; e = d.nodes[e].next {
			if hasLeaf(d, e) {
				return true
			}
		}
		return false
	}
	return true
}

func anyLeaf(m *matcher, d *doc, c int32) bool {
	n := &d.nodes[c]
	switch n.kind {
	case kObject:
		return false
	case kArray:
		for e := n.first; e >= 0; e = d.nodes[e].next {
			if anyLeaf(m, d, e) {
				return true
			}
		}
		return false
	}
	return m.leaf(d, n)
}

func (m *matcher) leaf(d *doc, n *node) bool {
	switch m.op {
	case opString:
		return n.kind == kString && string(d.text(n)) == m.s
	case opNumber:
		return n.kind == kNumber && string(d.text(n)) == m.s
	case opTrue:
		return n.kind == kTrue
	case opFalse:
		return n.kind == kFalse
	case opNull:
		return n.kind == kNull
	case opPrefix:
		return n.kind == kString && bytes.HasPrefix(d.text(n), []byte(m.s))
	case opSuffix:
		return n.kind == kString && bytes.HasSuffix(d.text(n), []byte(m.s))
	case opEqualsIgnoreCase:
		return n.kind == kString && strings.EqualFold(d.str(n), m.s)
	case opNumeric:
		if n.kind != kNumber {
			return false
		}
		f := d.float(n)
		if m.hasLo && (f < m.lo || (f == m.lo && !m.loIncl)) {
			return false
		}
		if m.hasHi && (f > m.hi || (f == m.hi && !m.hiIncl)) {
			return false
		}
		return true
	case opAnythingBut:
		switch n.kind {
		case kString:
			s := d.str(n)
			for _, x := range m.strs {
				if s == x {
					return false
				}
			}
		case kNumber:
			f := d.float(n)
			for _, x := range m.nums {
				if f == x {
					return false
				}
			}
		}
		return true
	case opAnythingButPrefix:
		return n.kind == kString && !bytes.HasPrefix(d.text(n), []byte(m.s))
	case opAnythingButSuffix:
		return n.kind == kString && !bytes.HasSuffix(d.text(n), []byte(m.s))
	case opAnythingButIgnoreCase:
		if n.kind != kString {
			return false
		}
		s := d.str(n)
		for _, x := range m.strs {
			if strings.EqualFold(s, x) {
				return false
			}
		}
		return true
	}
	return false
}

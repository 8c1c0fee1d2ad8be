package filter

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/google/cel-go/cel"

	"github.com/kinesin/kinesin/internal/celdata"
)

// Limits Lambda applies to FilterCriteria.
const (
	// MaxFilters is Lambda's default quota of filters per event source
	// mapping (it can be raised to 10 on request; kinesin does not).
	MaxFilters = 5
	// MaxPatternLength is the maximum length of one pattern, in characters.
	MaxPatternLength = 4096
	// CELPrefix marks a pattern as a kinesin CEL expression instead of a
	// Lambda filter rule.
	CELPrefix = "cel:"
)

// ErrorCode is the Lambda error code every *Error maps to on the wire.
const ErrorCode = "InvalidParameterValueException"

// Error is returned by Compile. Message is worded like Lambda's response
// message; Reason says what exactly is wrong, for logs and kinesin lint.
type Error struct {
	Index   int    // index of the offending pattern in the criteria, or -1
	Message string // Lambda-style message
	Reason  string // detail; may be empty
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("filter: ")
	if e.Index >= 0 {
		fmt.Fprintf(&b, "pattern %d: ", e.Index)
	}
	b.WriteString(e.Message)
	if e.Reason != "" {
		b.WriteString(" (")
		b.WriteString(e.Reason)
		b.WriteString(")")
	}
	return b.String()
}

// Code returns ErrorCode, so the wire error catalogue can branch on it.
func (e *Error) Code() string { return ErrorCode }

const msgInvalidPattern = "Invalid filter pattern definition."

// Filter is a compiled FilterCriteria. It is safe for concurrent use.
type Filter struct {
	patterns []*objPattern
	programs []cel.Program
	// matchAll is set when some pattern is "{}" (inspects nothing).
	matchAll bool
	// record: patterns apply to a whole event record (CompileRecord).
	record bool
}

// Compile compiles the Pattern strings of a FilterCriteria. Everything is
// compiled here, once, so that Match does no parsing of patterns or CEL.
// No criteria at all means no filtering: every record matches.
func Compile(criteria []string) (*Filter, error) { return compile(criteria, false) }

// CompileRecord compiles filters that apply to a whole event record, any
// of whose keys a pattern's top level may name, as Lambda's filters of
// SQS or DynamoDB records do: kinesin's video fragment events (Match gets
// the event record's JSON; CEL's data is that record).
func CompileRecord(criteria []string) (*Filter, error) { return compile(criteria, true) }

func compile(criteria []string, record bool) (*Filter, error) {
	if len(criteria) > MaxFilters {
		return nil, &Error{Index: -1, Message: fmt.Sprintf(
			"The number of filters (%d) exceeds the maximum allowed number of filters (%d).", len(criteria), MaxFilters)}
	}
	f := &Filter{record: record}
	for i, src := range criteria {
		if n := utf8.RuneCountInString(src); n > MaxPatternLength {
			return nil, &Error{Index: i, Message: fmt.Sprintf(
				"1 validation error detected: Value at 'filterCriteria.filters.%d.member.pattern' failed to satisfy constraint: Member must have length less than or equal to %d",
				i+1, MaxPatternLength)}
		}
		if expr, ok := strings.CutPrefix(src, CELPrefix); ok {
			prg, err := compileCEL(expr)
			if err != nil {
				return nil, &Error{Index: i, Message: msgInvalidPattern, Reason: err.Error()}
			}
			f.programs = append(f.programs, prg)
			continue
		}
		p, err := compilePattern(src, !record)
		if err != nil {
			return nil, &Error{Index: i, Message: msgInvalidPattern, Reason: err.Error()}
		}
		if !p.refsData() {
			f.matchAll = true
		}
		f.patterns = append(f.patterns, p)
	}
	if len(criteria) == 0 {
		f.matchAll = true
	}
	return f, nil
}

var docs = sync.Pool{New: func() any { return &doc{nodes: make([]node, 0, 64)} }}

// Match reports whether a Kinesis record whose (decoded) data is data passes
// the filter: whether at least one pattern matches. The data is parsed once,
// whatever the number of patterns. A nil *Filter matches everything.
func (f *Filter) Match(data []byte) bool {
	if f == nil || f.matchAll {
		return true
	}
	d := docs.Get().(*doc)
	defer func() {
		d.in = nil
		if cap(d.nodes) <= 1<<16 {
			docs.Put(d)
		}
	}()
	isJSON := d.parse(data)
	if isJSON {
		for _, p := range f.patterns {
			if (f.record && p.match(d, 0)) || (!f.record && p.matchTop(d, 0)) {
				return true
			}
		}
	}
	// Lambda drops a record whose data is not JSON when a pattern looks into
	// data; "{}" patterns are handled by matchAll.
	if len(f.programs) == 0 {
		return false
	}
	var v any
	if isJSON {
		v = d.toNative(0)
	} else {
		v = data
	}
	act := celdata.Activation{Data: v}
	for _, prg := range f.programs {
		out, _, err := prg.Eval(&act)
		if err != nil {
			continue
		}
		if b, ok := out.Value().(bool); ok && b {
			return true
		}
	}
	return false
}

// matchTop evaluates a top-level pattern (keys "data" and "$or") against the
// record whose parsed data is node root.
func (p *objPattern) matchTop(d *doc, root int32) bool {
	for i := range p.fields {
		// compileObj allows only "data" at the top, as an object.
		if !p.fields[i].sub.match(d, root) {
			return false
		}
	}
	for _, branches := range p.ors {
		ok := false
		for _, b := range branches {
			if b.matchTop(d, root) {
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

// toNative converts node n to the Go values CEL adapts: map[string]any,
// []any, string, int64 (integral numbers that fit), float64, bool, nil.
func (d *doc) toNative(n int32) any {
	nd := &d.nodes[n]
	switch nd.kind {
	case kNull:
		return nil
	case kTrue:
		return true
	case kFalse:
		return false
	case kString:
		return string(d.text(nd))
	case kNumber:
		return number(d.str(nd), d.float(nd))
	case kArray:
		l := []any{}
		for c := nd.first; c >= 0; c = d.nodes[c].next {
			l = append(l, d.toNative(c))
		}
		return l
	}
	m := map[string]any{}
	for c := nd.first; c >= 0; c = d.nodes[c].next {
		k := string(d.key(&d.nodes[c]))
		if _, dup := m[k]; !dup { // first occurrence wins, as in matching
			m[k] = d.toNative(c)
		}
	}
	return m
}

package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse validates data, the content of the pipeline file called name (used
// in messages only), against the section and field declarations. It reports
// every problem it finds as Errors, each with its line and YAML path.
func Parse(name string, data []byte) (*File, error) {
	p := &parser{name: name}
	f := &File{Name: name}
	if root := p.document(data); root != nil {
		p.top(f, root)
	}
	for _, check := range p.later {
		check(f)
	}
	if len(p.errs) > 0 {
		p.errs.sort()
		return nil, p.errs
	}
	return f, nil
}

type parser struct {
	name string
	errs Errors
	// later holds checks across sections, run once the whole file is
	// read (a section may refer to one written after it).
	later []func(*File)
}

func (p *parser) add(line int, path, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	p.errs = append(p.errs, &Error{File: p.name, Line: line, Path: path, Msg: msg})
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document returns the root node of the single YAML document in data, or
// nil when there is none or it does not parse.
func (p *parser) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if !errors.Is(err, io.EOF) {
			p.syntax(data, err)
		}
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		p.add(next.Line, "", "only one YAML document is allowed (found another after ---)")
	case !errors.Is(err, io.EOF):
		p.syntax(data, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

func (p *parser) syntax(data []byte, err error) {
	for _, msg := range strings.Split(err.Error(), "\n") {
		msg = strings.TrimSpace(msg)
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			p.add(problemLine(data, m[2], line), "", "%s", m[2])
		} else if msg != "" {
			p.add(0, "", "%s", strings.TrimPrefix(msg, "yaml: "))
		}
	}
}

// problemLine finds the line of a YAML syntax error. yaml.v3 reports the
// line where the enclosing collection starts (counted from 0), which is
// often far from the mistake; the first prefix of the file, in whole lines,
// that fails with the same message ends at the offending line. Beyond a few
// thousand lines the search costs too much and yaml.v3's line stands.
func problemLine(data []byte, msg string, reported int) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 2000 {
		return reported
	}
	end := 0
	for k, l := range lines {
		end += len(l)
		dec := yaml.NewDecoder(bytes.NewReader(data[:end]))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if err == nil {
				continue
			}
			if m := yamlLine.FindStringSubmatch(err.Error()); m != nil && m[2] == msg {
				return k + 1
			}
			break
		}
	}
	return reported
}

func (p *parser) top(f *File, root *yaml.Node) {
	root = deref(root)
	if isNull(root) {
		return
	}
	if root.Kind != yaml.MappingNode {
		p.add(root.Line, "", "the file must be a mapping of sections (%s), got %s", sectionNames(), describe(root))
		return
	}
	for _, kv := range p.pairs(root, "") {
		name := kv.key.Value
		sec := Lookup(name)
		switch {
		case sec == nil:
			p.add(kv.key.Line, name, "unknown section%s", suggest(name, sectionNamesList()))
		case !sec.Implemented():
			p.add(kv.key.Line, name, "not supported yet")
		default:
			p.section(f, sec, kv.val)
		}
	}
}

func (p *parser) section(f *File, sec *Section, n *yaml.Node) {
	n = deref(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, sec.Name, "must be a list, got %s", describe(n))
		return
	}
	var entries []*entry
	for i, item := range n.Content {
		if e := p.entry(sec, fmt.Sprintf("%s[%d]", sec.Name, i), item); e != nil {
			entries = append(entries, e)
		}
	}
	for _, e := range entries {
		sec.build(f, e)
	}
	if sec.finish != nil {
		sec.finish(f, entries)
	}
}

// entry is one validated list item of a section. Its values that failed
// validation are absent, their problems already reported.
type entry struct {
	p    *parser
	path string
	node *yaml.Node
	// written holds the known fields present in the file, valid or not.
	written map[string]pair
	// vals holds the valid values, defaults included.
	vals map[string]any
}

func (p *parser) entry(sec *Section, path string, n *yaml.Node) *entry {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, path, "must be a mapping with the fields %s, got %s", fieldNames(sec), describe(n))
		return nil
	}
	e := &entry{p: p, path: path, node: n, written: map[string]pair{}, vals: map[string]any{}}
	for _, kv := range p.pairs(n, path) {
		name := kv.key.Value
		f := sec.Field(name)
		if f == nil {
			p.add(kv.key.Line, path+"."+name, "unknown field%s", suggest(name, fieldNamesList(sec)))
			continue
		}
		e.written[name] = kv
		if v, ok := p.value(f, path+"."+name, kv.val); ok {
			e.vals[name] = v
		}
	}
	for i := range sec.Fields {
		f := &sec.Fields[i]
		if _, ok := e.written[f.Name]; ok {
			continue
		}
		switch {
		case f.Required:
			p.add(n.Line, path+"."+f.Name, "required field is missing")
		case f.Default != nil:
			e.vals[f.Name] = clone(f.Default)
		}
	}
	return e
}

func clone(v any) any {
	switch v := v.(type) {
	case map[string]string:
		return maps.Clone(v)
	case []string:
		return slices.Clone(v)
	}
	return v
}

// value decodes and checks n against f, reporting problems under path.
func (p *parser) value(f *Field, path string, n *yaml.Node) (any, bool) {
	n = deref(n)
	var v any
	ok := true
	switch f.Type {
	case String:
		if n.Kind != yaml.ScalarNode || isNull(n) {
			p.add(n.Line, path, "must be a string, got %s", describe(n))
			return nil, false
		}
		v = n.Value
	case Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			p.add(n.Line, path, "must be an integer, got %s", describe(n))
			return nil, false
		}
		if err := n.Decode(&i); err != nil {
			p.add(n.Line, path, "integer %s is out of range", n.Value)
			return nil, false
		}
		v = i
	case Enum:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || !slices.Contains(f.Enum, n.Value) {
			p.add(n.Line, path, "must be one of %s, got %s", strings.Join(f.Enum, ", "), describe(n))
			return nil, false
		}
		v = n.Value
	case StringMap:
		m, ok := p.stringMap(f, path, n)
		if !ok {
			return nil, false
		}
		v = m
	case Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			p.add(n.Line, path, "must be true or false, got %s", describe(n))
			return nil, false
		}
		v = b
	case StringList:
		// Items with problems are left out; the checks of the whole list
		// still run, so that every problem is reported at once.
		var l []string
		if l, ok = p.stringList(f, path, n); l == nil {
			return nil, false
		}
		v = l
	case Structure:
		if v, ok = p.shape(f.Shape, path, n); !ok {
			return nil, false
		}
	default:
		panic("pipeline: field " + f.Name + " has unknown type " + f.Type.String())
	}
	for _, c := range f.Checks {
		if msg := c.fn(v); msg != "" {
			p.add(n.Line, path, "%s", msg)
			ok = false
		}
	}
	return v, ok
}

func (p *parser) stringMap(f *Field, path string, n *yaml.Node) (map[string]string, bool) {
	m := map[string]string{}
	if isNull(n) {
		return m, true
	}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, path, "must be a mapping of strings to strings, got %s", describe(n))
		return nil, false
	}
	ok := true
	for _, kv := range p.pairs(n, path) {
		k, val := kv.key, deref(kv.val)
		kpath := path + "." + k.Value
		if isNull(k) || k.Value == "" {
			kpath = path + `[""]`
		}
		if val.Kind != yaml.ScalarNode {
			p.add(val.Line, kpath, "must be a string, got %s", describe(val))
			ok = false
			continue
		}
		s := val.Value
		if isNull(val) {
			s = ""
		}
		for _, c := range f.KeyChecks {
			if msg := c.fn(k.Value); msg != "" {
				p.add(k.Line, kpath, "key %s", msg)
				ok = false
			}
		}
		for _, c := range f.ValueChecks {
			if msg := c.fn(s); msg != "" {
				p.add(val.Line, kpath, "%s", msg)
				ok = false
			}
		}
		m[k.Value] = s
	}
	return m, ok
}

// stringList decodes a list of scalars, checking each item against
// f.ValueChecks; null is the empty list. When n is a list it returns the
// items that are strings, with ok false if some item has a problem.
func (p *parser) stringList(f *Field, path string, n *yaml.Node) ([]string, bool) {
	l := []string{}
	if isNull(n) {
		return l, true
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, path, "must be a list of strings, got %s", describe(n))
		return nil, false // nil: not a list at all
	}
	ok := true
	for i, item := range n.Content {
		item = deref(item)
		ipath := fmt.Sprintf("%s[%d]", path, i)
		if item.Kind == yaml.MappingNode || item.Kind == yaml.SequenceNode {
			// Most likely JSON written bare, which YAML reads as a flow
			// collection.
			p.add(item.Line, ipath, "must be a string, got %s (quote JSON: '{\"data\": …}')", describe(item))
			ok = false
			continue
		}
		if item.Kind != yaml.ScalarNode || isNull(item) {
			p.add(item.Line, ipath, "must be a string, got %s", describe(item))
			ok = false
			continue
		}
		for _, c := range f.ValueChecks {
			if msg := c.fn(item.Value); msg != "" {
				p.add(item.Line, ipath, "%s", msg)
				ok = false
			}
		}
		l = append(l, item.Value)
	}
	return l, ok
}

type pair struct{ key, val *yaml.Node }

// pairs returns the key/value pairs of mapping n, with YAML merge keys
// (<<: *anchor) expanded and duplicate keys reported. Keys are scalars.
func (p *parser) pairs(n *yaml.Node, path string) []pair {
	var out, merged []pair
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, p.merge(v, path)...)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			p.add(k.Line, path, "keys must be strings, got %s", describe(k))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			p.add(k.Line, join(path, k.Value), "duplicate key (first at line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, pair{k, v})
	}
	// Keys written in the mapping itself win over merged ones; of merged
	// mappings, the first one listed wins.
	for _, kv := range merged {
		if _, dup := seen[kv.key.Value]; !dup {
			seen[kv.key.Value] = kv.key.Line
			out = append(out, kv)
		}
	}
	return out
}

func (p *parser) merge(v *yaml.Node, path string) []pair {
	v = deref(v)
	switch v.Kind {
	case yaml.MappingNode:
		return p.pairs(v, path)
	case yaml.SequenceNode:
		var out []pair
		for _, m := range v.Content {
			if m = deref(m); m.Kind == yaml.MappingNode {
				out = append(out, p.pairs(m, path)...)
				continue
			}
			p.add(m.Line, join(path, "<<"), "must be a mapping or a list of mappings, got %s", describe(m))
		}
		return out
	}
	p.add(v.Line, join(path, "<<"), "must be a mapping or a list of mappings, got %s", describe(v))
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe renders what the user wrote, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		if n.ShortTag() == "!!str" {
			return strconv.Quote(n.Value)
		}
		return n.Value
	}
	return "an unexpected value"
}

// entry accessors for section builders. A value that failed validation
// reads as the zero value; its problem is already reported.

func (e *entry) str(name string) string {
	s, _ := e.vals[name].(string)
	return s
}

func (e *entry) int(name string) int {
	i, _ := e.vals[name].(int)
	return i
}

func (e *entry) strMap(name string) map[string]string {
	if m, ok := e.vals[name].(map[string]string); ok {
		return m
	}
	return map[string]string{}
}

func (e *entry) bool(name string) bool {
	b, _ := e.vals[name].(bool)
	return b
}

func (e *entry) strList(name string) []string {
	if l, ok := e.vals[name].([]string); ok {
		return l
	}
	return []string{}
}

// given reports whether the field is written in the file, valid or not.
func (e *entry) given(name string) bool {
	_, ok := e.written[name]
	return ok
}

// line is where the field's value is written, or where the entry starts.
func (e *entry) line(name string) int {
	if kv, ok := e.written[name]; ok {
		return deref(kv.val).Line
	}
	return e.node.Line
}

func (e *entry) errorf(field, format string, args ...any) {
	e.p.add(e.line(field), e.path+"."+field, format, args...)
}

func sectionNamesList() []string {
	names := make([]string, len(sections))
	for i, s := range sections {
		names[i] = s.Name
	}
	return names
}

func sectionNames() string { return strings.Join(sectionNamesList(), ", ") }

func fieldNamesList(s *Section) []string {
	names := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		names[i] = f.Name
	}
	return names
}

func fieldNames(s *Section) string { return strings.Join(fieldNamesList(s), ", ") }

// suggest returns "; did you mean X?" for the known name closest to name
// when it is a plausible typo, else the list of known names.
func suggest(name string, known []string) string {
	best, bestD := "", min(3, len(name))
	for _, k := range known {
		d := distance(strings.ToLower(name), k)
		if len(name) >= 3 && (strings.HasPrefix(k, name) || strings.HasPrefix(name, k)) {
			d = min(d, 2)
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return " (known: " + strings.Join(known, ", ") + ")"
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

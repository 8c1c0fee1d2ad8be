package pipeline

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// An AWS structure in the file (Type Structure) is checked against the
// aws-sdk-go-v2 type of that structure. The SDK names every exported field
// of its types exactly as AWS names the member (TestShapeNamesAreMembers
// pins that against the SDK's own schemas), so the file uses AWS's member
// names and the SDK type is the list of what exists, with the Go kind of
// each member and, for enums, the values AWS accepts.
//
// A parsed structure is kept as plain values — map[string]any keyed by
// member name, []any, string, int64, float64, bool and map[string]string —
// so that it can be compared with what the server describes and copied
// into the SDK's request types member by member.

var timeType = reflect.TypeFor[time.Time]()

// shapeMembers returns the member names of the SDK structure type t.
func shapeMembers(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && !f.Anonymous {
			names = append(names, f.Name)
		}
	}
	return names
}

// enumValues returns the values of an SDK enum type (one with a Values
// method), or nil.
func enumValues(t reflect.Type) []string {
	m, ok := t.MethodByName("Values")
	if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 {
		return nil
	}
	out := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
	vals := make([]string, out.Len())
	for i := range vals {
		vals[i] = out.Index(i).String()
	}
	return vals
}

// shape decodes n as a value of the SDK type t, reporting every problem
// under path. ok is false when something was reported.
func (p *parser) shape(t reflect.Type, path string, n *yaml.Node) (any, bool) {
	n = deref(n)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		p.add(n.Line, path, "timestamps are not supported here")
		return nil, false
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			p.add(n.Line, path, "must be a mapping of %s members, got %s", t.Name(), describe(n))
			return nil, false
		}
		m := map[string]any{}
		ok := true
		for _, kv := range p.pairs(n, path) {
			name := kv.key.Value
			x := extraOf(t, name)
			f, found := t.FieldByName(name)
			if x == nil && (!found || !f.IsExported() || f.Anonymous) {
				p.add(kv.key.Line, path+"."+name, "unknown member of %s%s", t.Name(), suggestMember(name, append(shapeMembers(t), extraNames(t)...)))
				ok = false
				continue
			}
			if isNull(deref(kv.val)) {
				continue // written but empty: the same as absent
			}
			var v any
			var vok bool
			if x != nil {
				v, vok = x.parse(p, path+"."+name, kv.val)
			} else {
				v, vok = p.shape(f.Type, path+"."+name, kv.val)
			}
			if !vok {
				ok = false
				continue
			}
			m[name] = v
		}
		return m, ok
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			p.add(n.Line, path, "must be a list, got %s", describe(n))
			return nil, false
		}
		l := []any{}
		ok := true
		for i, item := range n.Content {
			v, iok := p.shape(t.Elem(), fmt.Sprintf("%s[%d]", path, i), item)
			if !iok {
				ok = false
				continue
			}
			l = append(l, v)
		}
		return l, ok
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.String:
		if n.Kind != yaml.MappingNode {
			p.add(n.Line, path, "must be a mapping of strings to strings, got %s", describe(n))
			return nil, false
		}
		m := map[string]string{}
		ok := true
		for _, kv := range p.pairs(n, path) {
			val := deref(kv.val)
			if val.Kind != yaml.ScalarNode || isNull(val) {
				p.add(val.Line, path+"."+kv.key.Value, "must be a string, got %s", describe(val))
				ok = false
				continue
			}
			m[kv.key.Value] = val.Value
		}
		return m, ok
	case t.Kind() == reflect.String:
		if n.Kind != yaml.ScalarNode || isNull(n) {
			p.add(n.Line, path, "must be a string, got %s", describe(n))
			return nil, false
		}
		if vals := enumValues(t); vals != nil && !slices.Contains(vals, n.Value) {
			p.add(n.Line, path, "must be one of %s, got %s", strings.Join(vals, ", "), describe(n))
			return nil, false
		}
		return n.Value, true
	case t.Kind() == reflect.Int32 || t.Kind() == reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			p.add(n.Line, path, "must be an integer, got %s", describe(n))
			return nil, false
		}
		if err := n.Decode(&i); err != nil || (t.Kind() == reflect.Int32 && int64(int32(i)) != i) {
			p.add(n.Line, path, "integer %s is out of range", n.Value)
			return nil, false
		}
		return i, true
	case t.Kind() == reflect.Float64:
		var f float64
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") || n.Decode(&f) != nil {
			p.add(n.Line, path, "must be a number, got %s", describe(n))
			return nil, false
		}
		return f, true
	case t.Kind() == reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			p.add(n.Line, path, "must be true or false, got %s", describe(n))
			return nil, false
		}
		return b, true
	}
	p.add(n.Line, path, "members of Go type %s are not supported", t)
	return nil, false
}

// suggestMember is suggest for AWS's CamelCase member names, ignoring case.
func suggestMember(name string, known []string) string {
	best, bestD := "", min(3, len(name)/2)
	for _, k := range known {
		d := distance(strings.ToLower(name), strings.ToLower(k))
		if d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return " (members: " + strings.Join(known, ", ") + ")"
}

// fill stores v, a plain value as shape produces, into dst, a settable
// value of an SDK type. rename maps the top-level member names of v to the
// field names of dst (nil: the same names). Members dst lacks are an error
// naming them, except kinesin's extra members, which fill leaves to
// withExtras.
func fill(dst reflect.Value, v any, rename map[string]string) error {
	t := dst.Type()
	if t.Kind() == reflect.Pointer {
		if dst.IsNil() {
			dst.Set(reflect.New(t.Elem()))
		}
		return fill(dst.Elem(), v, rename)
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want a structure, got %T", t.Name(), v)
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			name := k
			if r, ok := rename[k]; ok {
				name = r
			}
			f := dst.FieldByName(name)
			if !f.IsValid() && extraOf(t, name) != nil {
				continue // sent by withExtras
			}
			if !f.IsValid() || !f.CanSet() {
				return fmt.Errorf("%s has no member %s", t.Name(), name)
			}
			if err := fill(f, m[k], nil); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("want a list, got %T", v)
		}
		s := reflect.MakeSlice(t, len(l), len(l))
		for i, item := range l {
			if err := fill(s.Index(i), item, nil); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		dst.Set(s)
	case reflect.Map:
		m, ok := v.(map[string]string)
		if !ok {
			return fmt.Errorf("want a mapping of strings, got %T", v)
		}
		dst.Set(reflect.ValueOf(maps.Clone(m)).Convert(t))
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string, got %T", v)
		}
		dst.SetString(s)
	case reflect.Int32, reflect.Int64:
		i, ok := v.(int64)
		if !ok {
			return fmt.Errorf("want an integer, got %T", v)
		}
		dst.SetInt(i)
	case reflect.Float64:
		switch n := v.(type) {
		case float64:
			dst.SetFloat(n)
		case int64:
			dst.SetFloat(float64(n))
		default:
			return fmt.Errorf("want a number, got %T", v)
		}
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("want true or false, got %T", v)
		}
		dst.SetBool(b)
	default:
		return fmt.Errorf("unsupported Go type %s", t)
	}
	return nil
}

// plain turns a value of an SDK type (a description the server answered)
// into plain values as shape produces them. Absent members (nil pointers,
// empty enums, nil lists) are left out; it returns nil for an absent value.
func plain(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return plain(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			return v.Interface().(time.Time).UTC().Format(time.RFC3339Nano)
		}
		m := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Anonymous {
				continue
			}
			if x := plain(v.Field(i)); x != nil {
				m[f.Name] = x
			}
		}
		return m
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		l := make([]any, v.Len())
		for i := range l {
			l[i] = plain(v.Index(i))
		}
		return l
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		m := map[string]string{}
		for _, k := range v.MapKeys() {
			m[k.String()] = v.MapIndex(k).String()
		}
		return m
	case reflect.String:
		if v.String() == "" && v.Type().Name() != "string" {
			return nil // an enum left empty
		}
		return v.String()
	case reflect.Int32, reflect.Int64, reflect.Int:
		return v.Int()
	case reflect.Float64:
		return v.Float()
	case reflect.Bool:
		return v.Bool()
	}
	return nil
}

// describedAs maps members of a destination configuration to the members
// of its description where AWS names them differently.
var describedAs = map[string]string{
	"S3Configuration":       "S3DestinationDescription",
	"S3BackupConfiguration": "S3BackupDescription",
	"VpcConfiguration":      "VpcConfigurationDescription",
}

// diffShape compares want (the file's members) with have (the server's
// description) and returns one "PATH HAVE → WANT" line per difference.
// Only what the file says is compared: AWS fills in defaults and merges an
// update into the existing configuration, so members the file leaves out
// are the server's to keep. Members the description never shows (secrets
// such as AccessKey or Password) cannot be compared and are skipped.
func diffShape(path string, want, have any) []string {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s %s → %s", path, renderPlain(have), renderPlain(want))}
		}
		var out []string
		for _, k := range slices.Sorted(maps.Keys(w)) {
			hv, found := h[k]
			if !found {
				if alt, ok := describedAs[k]; ok {
					hv, found = h[alt]
				}
			}
			if !found && isSecret(k) {
				continue
			}
			out = append(out, diffShape(path+"."+k, w[k], hv)...)
		}
		return out
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return []string{fmt.Sprintf("%s %s → %s", path, renderPlain(have), renderPlain(want))}
		}
		for i := range w {
			if len(diffShape("", w[i], h[i])) > 0 {
				return []string{fmt.Sprintf("%s %s → %s", path, renderPlain(have), renderPlain(want))}
			}
		}
		return nil
	case int64:
		switch h := have.(type) {
		case int64:
			if h == w {
				return nil
			}
		case float64:
			if h == float64(w) {
				return nil
			}
		}
	case float64:
		switch h := have.(type) {
		case float64:
			if h == w {
				return nil
			}
		case int64:
			if float64(h) == w {
				return nil
			}
		}
	case map[string]string:
		if h, ok := have.(map[string]string); ok && maps.Equal(h, w) {
			return nil
		}
	default:
		if want == have {
			return nil
		}
	}
	return []string{fmt.Sprintf("%s %s → %s", path, renderPlain(have), renderPlain(want))}
}

// isSecret names the members AWS leaves out of descriptions.
func isSecret(member string) bool {
	switch member {
	case "AccessKey", "Password", "HECToken", "PrivateKey", "KeyPassphrase":
		return true
	}
	return false
}

// renderPlain shows a plain value in a change line: strings as they are, the
// rest as JSON; absent as "none".
func renderPlain(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case string:
		if x == "" {
			return `""`
		}
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

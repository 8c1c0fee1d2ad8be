package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"gopkg.in/yaml.v3"

	"github.com/kinesin/kinesin/sinks/convert"
)

// Members kinesin's Firehose takes that AWS's model lacks. The SDK's types
// cannot carry them, so they are checked here, left out of the SDK's
// request types by fill, written into the serialized JSON body of the one
// call that sends them (withExtras), and read back from the raw JSON of
// DescribeDeliveryStream (describeDelivery) to be compared.

// extraMember is a member of an AWS structure that only kinesin has.
type extraMember struct {
	owner reflect.Type // the SDK type of the structure that holds it
	name  string
}

var extraMembers = []extraMember{
	// The table's columns, which AWS reads from the Glue table the
	// SchemaConfiguration names and kinesin reads from the configuration.
	{reflect.TypeFor[ftypes.SchemaConfiguration](), "Columns"},
}

// parse checks the member's value n as shape does.
func (x *extraMember) parse(p *parser, path string, n *yaml.Node) (any, bool) {
	switch x.name {
	case "Columns":
		return parseColumns(p, path, n)
	}
	p.add(deref(n).Line, path, "BUG: no parser for %s", x.name)
	return nil, false
}

// extraOf returns the extra member name of the SDK structure type t, or nil.
func extraOf(t reflect.Type, name string) *extraMember {
	for i := range extraMembers {
		if x := &extraMembers[i]; x.owner == t && x.name == name {
			return x
		}
	}
	return nil
}

// extraNames lists the extra members of the SDK structure type t.
func extraNames(t reflect.Type) []string {
	var names []string
	for _, x := range extraMembers {
		if x.owner == t {
			names = append(names, x.name)
		}
	}
	return names
}

// column is one entry of SchemaConfiguration.Columns as the file writes it
// (the members the router's schemaConfig takes).
type column struct {
	Name *string
	Type *string
}

// parseColumns checks SchemaConfiguration.Columns: a non-empty list of
// {Name, Type}, both required, names unique (ignoring case, as Hive's
// are) and Type a Hive type as Glue stores it.
func parseColumns(p *parser, path string, n *yaml.Node) (any, bool) {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, path, "must be a list of {Name, Type}, got %s", describe(n))
		return nil, false
	}
	if len(n.Content) == 0 {
		p.add(n.Line, path, "must list at least one column")
		return nil, false
	}
	cols := []any{}
	ok := true
	seen := map[string]int{}
	for i, item := range n.Content {
		item = deref(item)
		at := fmt.Sprintf("%s[%d]", path, i)
		c, cok := p.shape(reflect.TypeFor[column](), at, item)
		if !cok {
			ok = false
			continue
		}
		m := c.(map[string]any)
		cols = append(cols, m)
		name, hasName := m["Name"].(string)
		typ, hasType := m["Type"].(string)
		if !hasName {
			p.add(item.Line, at+".Name", "required member is missing")
			ok = false
		}
		if !hasType {
			p.add(item.Line, at+".Type", "required member is missing")
			ok = false
		}
		if hasName {
			line := memberLine(item, "Name")
			switch lname := strings.ToLower(name); {
			case name == "" || strings.ContainsAny(name, " \t\r\n."):
				p.add(line, at+".Name", "must be non-empty without whitespace or dots, got %q", name)
				ok = false
			case seen[lname] != 0:
				p.add(line, at+".Name", "column %q is listed twice (first at line %d)", name, seen[lname])
				ok = false
			default:
				seen[lname] = line
			}
		}
		if hasType {
			if _, err := convert.ParseType(typ); err != nil {
				p.add(memberLine(item, "Type"), at+".Type", "must be a Hive type: %s", strings.TrimPrefix(err.Error(), "convert: "))
				ok = false
			}
		}
	}
	return cols, ok
}

// memberLine is the line of member name's value in mapping n (n's own line
// when it has no such member).
func memberLine(n *yaml.Node, name string) int {
	if v := nodeAt(n, name); v != n {
		return v.Line
	}
	return n.Line
}

// extraValue is an extra member the file gives, at its path from the
// destination's configuration.
type extraValue struct {
	path  []string
	value any
}

// extrasIn returns the extra members in v, a plain value of the SDK type t
// as shape produces it. Only structures are followed (no extra member is
// inside a list).
func extrasIn(t reflect.Type, v any, path []string) []extraValue {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	m, ok := v.(map[string]any)
	if t.Kind() != reflect.Struct || !ok {
		return nil
	}
	var out []extraValue
	for _, k := range slices.Sorted(maps.Keys(m)) {
		p := append(slices.Clip(path), k)
		if extraOf(t, k) != nil {
			out = append(out, extraValue{p, m[k]})
			continue
		}
		if f, ok := t.FieldByName(k); ok {
			out = append(out, extrasIn(f.Type, m[k], p)...)
		}
	}
	return out
}

// renamed returns path with its first member renamed by names.
func renamed(path []string, names map[string]string) []string {
	if r, ok := names[path[0]]; ok {
		return append([]string{r}, path[1:]...)
	}
	return path
}

// setPath stores v in m at path, making the structures on the way.
func setPath(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// getPath returns the value at path in m.
func getPath(m map[string]any, path []string) (any, bool) {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// withExtras adds the file's extra members of destination kind to the
// JSON body of the one call it is passed to, under member (the call's
// member of the destination, such as ExtendedS3DestinationConfiguration)
// renamed by names; a destination only kinesin has is added whole (see
// ownConfig). Without extras it adds nothing.
func withExtras(d *DeliveryStream, kind *destKind, member string, names map[string]string) func(*firehose.Options) {
	var set []extraValue
	if kind.own() {
		set = ownConfig(d, member, names) // the whole destination is kinesin's
	} else {
		for _, x := range extrasIn(kind.config, d.Config, nil) {
			set = append(set, extraValue{append([]string{member}, renamed(x.path, names)...), x.value})
		}
	}
	if len(set) == 0 {
		return func(*firehose.Options) {}
	}
	return func(o *firehose.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Serialize.Insert(addMembers{set}, "OperationSerializer", middleware.After)
		})
	}
}

// addMembers rewrites a serialized JSON request body with members set.
type addMembers struct{ set []extraValue }

func (addMembers) ID() string { return "kinesin.AddMembers" }

func (m addMembers) HandleSerialize(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (
	middleware.SerializeOutput, middleware.Metadata, error,
) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok || req.GetStream() == nil {
		return middleware.SerializeOutput{}, middleware.Metadata{}, fmt.Errorf("pipeline: no JSON request body to add %s to", m.set[0].path[len(m.set[0].path)-1])
	}
	raw, err := io.ReadAll(req.GetStream())
	if err != nil {
		return middleware.SerializeOutput{}, middleware.Metadata{}, fmt.Errorf("pipeline: reading the request body: %w", err)
	}
	body := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers go back out as they were serialized
	if err := dec.Decode(&body); err != nil {
		return middleware.SerializeOutput{}, middleware.Metadata{}, fmt.Errorf("pipeline: decoding the request body: %w", err)
	}
	for _, x := range m.set {
		setPath(body, x.path, x.value)
	}
	raw, err = json.Marshal(body)
	if err != nil {
		return middleware.SerializeOutput{}, middleware.Metadata{}, fmt.Errorf("pipeline: encoding the request body: %w", err)
	}
	if in.Request, err = req.SetStream(bytes.NewReader(raw)); err != nil {
		return middleware.SerializeOutput{}, middleware.Metadata{}, fmt.Errorf("pipeline: setting the request body: %w", err)
	}
	return next.HandleSerialize(ctx, in)
}

// rawBody keeps a copy of the response body the deserializer decodes.
type rawBody struct{ dst *[]byte }

func (rawBody) ID() string { return "kinesin.RawBody" }

func (m rawBody) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	middleware.DeserializeOutput, middleware.Metadata, error,
) {
	out, md, err := next.HandleDeserialize(ctx, in)
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok || resp == nil || resp.Body == nil {
		return out, md, err
	}
	b, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if rerr != nil && err == nil {
		err = fmt.Errorf("pipeline: reading the response body: %w", rerr)
	}
	*m.dst = b
	return out, md, err
}

// keepRawBody stores the call's raw response body in dst.
func keepRawBody(dst *[]byte) func(*firehose.Options) {
	return func(o *firehose.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Deserialize.Insert(rawBody{dst}, "OperationDeserializer", middleware.After)
		})
	}
}

// withRawExtras returns have, the plain description of destination kind,
// with the extra members the file gives as the raw DescribeDeliveryStream
// answer shows them (absent when it has none).
func withRawExtras(d *DeliveryStream, kind *destKind, have any, raw []byte) (any, error) {
	extras := extrasIn(kind.config, d.Config, nil)
	if len(extras) == 0 {
		return have, nil
	}
	var answer struct {
		DeliveryStreamDescription struct {
			Destinations []map[string]any
		}
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return nil, fmt.Errorf("decoding DescribeDeliveryStream's answer: %w", err)
	}
	dests := answer.DeliveryStreamDescription.Destinations
	if len(dests) != 1 {
		return nil, errors.New("DescribeDeliveryStream's answer has no single destination")
	}
	desc, _ := dests[0][kind.describedAs].(map[string]any)
	h, ok := deepCopy(have).(map[string]any)
	if !ok {
		return have, nil
	}
	for _, x := range extras {
		p := renamed(x.path, describedAs)
		if v, ok := getPath(desc, p); ok && v != nil {
			setPath(h, p, v)
		}
	}
	return h, nil
}

// deepCopy copies the maps and lists of a plain value.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

package discover

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// maxDepth bounds object nesting; deeper objects are kept as source text.
const maxDepth = 32

type jsonCol struct {
	path  []string
	array bool
	acc   typeAcc
}

type jsonRow map[int]value

// jsonSchema collects the columns of JSON rows in first-seen order.
type jsonSchema struct {
	cols  []*jsonCol
	index map[string]int // mapping → column
	rows  []jsonRow
}

// parseJSONRows splits a sample into its top-level JSON objects (one row
// each). ok is false when the sample is not a sequence of objects.
func parseJSONRows(b []byte) (objs []json.RawMessage, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || firstByte(raw) != '{' {
			return nil, false
		}
		objs = append(objs, raw)
	}
	return objs, len(objs) > 0
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

func (s *jsonSchema) addRow(obj json.RawMessage) {
	row := jsonRow{}
	s.walk(obj, nil, 0, row)
	s.rows = append(s.rows, row)
}

func (s *jsonSchema) col(path []string, array bool) int {
	m := mapping(path, array)
	if i, ok := s.index[m]; ok {
		return i
	}
	s.cols = append(s.cols, &jsonCol{path: append([]string(nil), path...), array: array})
	s.index[m] = len(s.cols) - 1
	return len(s.cols) - 1
}

func (s *jsonSchema) walk(obj json.RawMessage, path []string, depth int, row jsonRow) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return
		}
		key, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return
		}
		p := append(path[:len(path):len(path)], key)
		var v value
		array := false
		switch firstByte(raw) {
		case '{':
			if depth+1 < maxDepth {
				s.walk(raw, p, depth+1, row)
				continue
			}
			v = value{kText, compact(raw)}
		case '[':
			v, array = value{kText, compact(raw)}, true
		case '"':
			var str string
			_ = json.Unmarshal(raw, &str)
			v = value{kString, str}
		case 't', 'f':
			v = value{kBool, string(bytes.TrimSpace(raw))}
		case 'n':
			v = value{kNull, ""}
		default:
			lit := string(bytes.TrimSpace(raw))
			v = value{classifyNumber(lit), lit}
		}
		i := s.col(p, array)
		s.cols[i].acc.add(v)
		row[i] = v
	}
}

func compact(raw []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// mapping is the JSONPath of a column: $.a.b, with bracket notation for
// keys that are not plain identifiers and [0:] for a whole array.
func mapping(path []string, array bool) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, k := range path {
		if plainKey(k) {
			b.WriteByte('.')
			b.WriteString(k)
		} else {
			b.WriteString("['")
			b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(k))
			b.WriteString("']")
		}
	}
	if array {
		b.WriteString("[0:]")
	}
	return b.String()
}

func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// result builds the JSON schema and the parsed rows.
func (s *jsonSchema) result() (*SourceSchema, [][]*string) {
	cols := s.cols
	if len(cols) > MaxColumns {
		cols = cols[:MaxColumns]
	}
	taken := map[string]bool{}
	rc := make([]RecordColumn, len(cols))
	types := make([]string, len(cols))
	for i, c := range cols {
		name := columnName(c.path[len(c.path)-1], i)
		if taken[name] && len(c.path) > 1 {
			name = columnName(strings.Join(c.path, "_"), i)
		}
		name = uniqueName(name, taken)
		taken[name] = true
		types[i] = c.acc.sqlType()
		rc[i] = RecordColumn{Mapping: ptr(mapping(c.path, c.array)), Name: name, SqlType: types[i]}
	}
	parsed := make([][]*string, len(s.rows))
	for r, row := range s.rows {
		out := make([]*string, len(cols))
		for i := range cols {
			if v, ok := row[i]; ok && v.kind != kNull && fits(v.text, types[i]) {
				out[i] = ptr(v.text)
			}
		}
		parsed[r] = out
	}
	return &SourceSchema{
		RecordColumns:  rc,
		RecordEncoding: ptr(Encoding),
		RecordFormat: &RecordFormat{
			RecordFormatType:  FormatJSON,
			MappingParameters: &MappingParameters{JSONMappingParameters: &JSONMappingParameters{RecordRowPath: "$"}},
		},
	}, parsed
}

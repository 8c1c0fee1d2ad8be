package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/gzip"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/uncompressed"
)

// ErrorOutputType is the value of !{firehose:error-output-type} for records
// that fail conversion.
const ErrorOutputType = "format-conversion-failed"

// ErrorCode is the error code kinesin puts in the error document of a record
// that failed conversion.
const ErrorCode = "DataFormatConversion.MalformedData"

// Failure is a record that could not be converted; it belongs in the error
// output, not in the Parquet file.
type Failure struct {
	Index   int    // index into the records passed to Convert
	Code    string // ErrorCode
	Message string
}

// Converter turns batches of JSON records into Parquet files. It is
// immutable after Compile and safe for concurrent use.
type Converter struct {
	columns   []compiledColumn
	schema    *parquet.Schema
	opts      []parquet.WriterOption
	caseFold  bool
	dots      bool
	tsLayouts []string // Hive TimestampFormats translated to Go layouts
	tsMillis  bool     // Hive "millis"
	hive      bool
}

type compiledColumn struct {
	name string // as declared; the Parquet column name
	key  string // normalised JSON key it reads
	typ  *Type
}

// Compile validates cfg, reporting every problem at once, and prepares a
// Converter. Validation errors wrap ErrInvalidArgument.
func Compile(cfg Config) (*Converter, error) {
	var bad invalidArgs
	c := &Converter{caseFold: true}
	d := cfg.Deserializer
	if d.OpenX != nil && d.Hive != nil {
		bad.addf("Deserializer: exactly one of OpenXJsonSerDe and HiveJsonSerDe must be set")
	}
	var mappings map[string]string
	switch {
	case d.Hive != nil:
		c.hive = true
		for i, f := range d.Hive.TimestampFormats {
			if strings.TrimSpace(f) == "" || len(f) > maxPatternLen {
				bad.addf("HiveJsonSerDe.TimestampFormats[%d]: must be 1 to %d characters and not blank", i, maxPatternLen)
				continue
			}
			if f == "millis" {
				c.tsMillis = true
				continue
			}
			l, err := jodaToGo(f)
			if err != nil {
				bad.addf("HiveJsonSerDe.TimestampFormats[%d]: %v", i, err)
				continue
			}
			c.tsLayouts = append(c.tsLayouts, l)
		}
	case d.OpenX != nil:
		if d.OpenX.CaseInsensitive != nil {
			c.caseFold = *d.OpenX.CaseInsensitive
		}
		c.dots = d.OpenX.ConvertDotsInJsonKeysToUnderscores
		mappings = d.OpenX.ColumnToJsonKeyMappings
		for k, v := range mappings {
			if k == "" || strings.ContainsAny(k, " \t\r\n") || len(k) > maxPatternLen {
				bad.addf("OpenXJsonSerDe.ColumnToJsonKeyMappings: key %q must be 1 to %d characters without whitespace", k, maxPatternLen)
			}
			if strings.TrimSpace(v) == "" || len(v) > maxPatternLen {
				bad.addf("OpenXJsonSerDe.ColumnToJsonKeyMappings[%q]: value must be 1 to %d characters and not blank", k, maxPatternLen)
			}
		}
	}

	p := cfg.Parquet
	if p.BlockSizeBytes != 0 && p.BlockSizeBytes < MinBlockSizeBytes {
		bad.addf("ParquetSerDe.BlockSizeBytes: %d is below the minimum of %d", p.BlockSizeBytes, MinBlockSizeBytes)
	}
	pageSize := DefaultPageSizeBytes
	if p.PageSizeBytes != 0 {
		if p.PageSizeBytes < MinPageSizeBytes {
			bad.addf("ParquetSerDe.PageSizeBytes: %d is below the minimum of %d", p.PageSizeBytes, MinPageSizeBytes)
		}
		pageSize = p.PageSizeBytes
	}
	if p.MaxPaddingBytes < 0 {
		bad.addf("ParquetSerDe.MaxPaddingBytes: %d is below the minimum of 0", p.MaxPaddingBytes)
	}
	var codec compress.Codec
	switch p.Compression {
	case "", "SNAPPY":
		codec = &snappy.Codec{}
	case "GZIP":
		codec = &gzip.Codec{Level: gzip.DefaultCompression}
	case "UNCOMPRESSED":
		codec = &uncompressed.Codec{}
	default:
		bad.addf("ParquetSerDe.Compression: %q is not one of UNCOMPRESSED, GZIP, SNAPPY", p.Compression)
	}
	pageVersion := 1
	switch p.WriterVersion {
	case "", "V1":
	case "V2":
		pageVersion = 2
	default:
		bad.addf("ParquetSerDe.WriterVersion: %q is not one of V1, V2", p.WriterVersion)
	}

	if len(cfg.Schema) == 0 {
		bad.addf("Schema: at least one column is required")
	}
	group := parquet.Group{}
	seen := map[string]bool{}
	for i, col := range cfg.Schema {
		if col.Name == "" || strings.ContainsAny(col.Name, " \t\r\n.") {
			bad.addf("Schema[%d].Name: %q must be non-empty without whitespace or dots", i, col.Name)
			continue
		}
		lname := strings.ToLower(col.Name)
		if seen[lname] {
			bad.addf("Schema[%d].Name: duplicate column %q", i, col.Name)
			continue
		}
		seen[lname] = true
		t, err := ParseType(col.Type)
		if err != nil {
			bad.addf("Schema[%d].Type: %v", i, err)
			continue
		}
		key := col.Name
		for mc, mk := range mappings {
			if strings.EqualFold(mc, col.Name) {
				key = mk
			}
		}
		c.columns = append(c.columns, compiledColumn{name: col.Name, key: c.normKey(key), typ: t})
		group[col.Name] = parquet.Optional(node(t, p.EnableDictionaryCompression))
	}
	for k := range mappings {
		if !seen[strings.ToLower(k)] {
			bad.addf("OpenXJsonSerDe.ColumnToJsonKeyMappings: %q is not a column of the schema", k)
		}
	}
	if err := bad.err(); err != nil {
		return nil, err
	}
	c.schema = parquet.NewSchema("firehose", group)
	c.opts = []parquet.WriterOption{
		c.schema,
		parquet.Compression(codec),
		parquet.PageBufferSize(pageSize),
		parquet.DataPageVersion(pageVersion),
	}
	return c, nil
}

// node maps a Hive type to a Parquet node the way Hive's Parquet writer does
// (lists and maps in the standard three-level layout).
func node(t *Type, dict bool) parquet.Node {
	leaf := func(n parquet.Node) parquet.Node {
		if dict {
			return parquet.Encoded(n, &parquet.RLEDictionary)
		}
		return n
	}
	switch t.Kind {
	case String:
		return leaf(parquet.String())
	case TinyInt:
		return leaf(parquet.Int(8))
	case SmallInt:
		return leaf(parquet.Int(16))
	case Int:
		return leaf(parquet.Int(32))
	case BigInt:
		return leaf(parquet.Int(64))
	case Float:
		return leaf(parquet.Leaf(parquet.FloatType))
	case Double:
		return leaf(parquet.Leaf(parquet.DoubleType))
	case Boolean:
		return parquet.Leaf(parquet.BooleanType)
	case Timestamp:
		return leaf(parquet.Timestamp(parquet.Millisecond))
	case Date:
		return leaf(parquet.Date())
	case Binary:
		return leaf(parquet.Leaf(parquet.ByteArrayType))
	case Decimal:
		switch {
		case t.Precision <= 9:
			return leaf(parquet.Decimal(t.Scale, t.Precision, parquet.Int32Type))
		case t.Precision <= 18:
			return leaf(parquet.Decimal(t.Scale, t.Precision, parquet.Int64Type))
		default:
			return leaf(parquet.Decimal(t.Scale, t.Precision, parquet.ByteArrayType))
		}
	case Array:
		return parquet.List(parquet.Optional(node(t.Elem, dict)))
	case Map:
		return parquet.Map(parquet.String(), parquet.Optional(node(t.Elem, dict)))
	case Struct:
		g := parquet.Group{}
		for _, f := range t.Fields {
			g[f.Name] = parquet.Optional(node(f.Type, dict))
		}
		return g
	}
	panic("convert: unknown kind " + t.Kind.String())
}

// Extension is the file name suffix of converted objects.
func (c *Converter) Extension() string { return ".parquet" }

// Convert decodes every record, writes the ones that convert as the rows of
// one Parquet file to w, and returns the others. A record may hold several
// concatenated JSON objects ({"a":1}{"a":2}); each becomes a row, and if any
// of them fails the whole record fails. If no record converts, nothing is
// written to w. err is only for failures of w or of the Parquet writer.
func (c *Converter) Convert(records [][]byte, w io.Writer) (failed []Failure, err error) {
	rows := make([]map[string]any, 0, len(records))
	for i, rec := range records {
		r, err := c.record(rec)
		if err != nil {
			failed = append(failed, Failure{Index: i, Code: ErrorCode, Message: err.Error()})
			continue
		}
		rows = append(rows, r...)
	}
	if len(rows) == 0 {
		return failed, nil
	}
	defer func() {
		// parquet-go reports some value/schema mismatches by panicking; a
		// mismatch here is a bug in this package, not in the input.
		if r := recover(); r != nil {
			err = fmt.Errorf("convert: parquet writer: %v", r)
		}
	}()
	pw := parquet.NewGenericWriter[map[string]any](w, c.opts...)
	if _, err := pw.Write(rows); err != nil {
		return failed, fmt.Errorf("convert: write parquet rows: %w", err)
	}
	if err := pw.Close(); err != nil {
		return failed, fmt.Errorf("convert: close parquet writer: %w", err)
	}
	return failed, nil
}

// maxJSONDepth bounds nesting of input JSON values.
const maxJSONDepth = 200

func (c *Converter) record(rec []byte) ([]map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(rec))
	dec.UseNumber()
	var rows []map[string]any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("The record is not valid JSON: %v", err)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("The record is not a JSON object; got %s", jsonKind(v))
		}
		row := make(map[string]any, len(c.columns))
		keys := c.index(obj)
		for _, col := range c.columns {
			val, err := c.value(col.typ, obj[keys[col.key]], col.name, 0)
			if err != nil {
				return nil, err
			}
			row[col.name] = val
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, errors.New("The record is empty; expected a JSON object")
	}
	return rows, nil
}

// normKey applies the deserializer's key rules to a JSON key or column name.
func (c *Converter) normKey(k string) string {
	if c.dots {
		k = strings.ReplaceAll(k, ".", "_")
	}
	if c.caseFold {
		k = strings.ToLower(k)
	}
	return k
}

// index maps normalised keys to the object's original keys.
func (c *Converter) index(obj map[string]any) map[string]string {
	m := make(map[string]string, len(obj))
	for k := range obj {
		nk := c.normKey(k)
		// Keys that normalise alike ("a" and "A"): pick one deterministically.
		if prev, ok := m[nk]; !ok || k < prev {
			m[nk] = k
		}
	}
	return m
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func convErr(path string, t *Type, v any) error {
	s, _ := json.Marshal(v)
	if len(s) > 64 {
		s = append(s[:61], "..."...)
	}
	return fmt.Errorf("The value %s of column '%s' cannot be converted to %s", s, path, t)
}

// value converts one decoded JSON value to the Go value parquet-go writes
// for t. nil (JSON null or a missing key) stays nil: every column is nullable.
func (c *Converter) value(t *Type, v any, path string, depth int) (any, error) {
	if v == nil {
		return nil, nil
	}
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("The value of column '%s' is nested too deeply", path)
	}
	switch t.Kind {
	case String:
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return string(x), nil
		case bool:
			return strconv.FormatBool(x), nil
		default:
			b, _ := json.Marshal(x)
			return string(b), nil
		}
	case TinyInt, SmallInt, Int, BigInt:
		n, ok := intOf(v)
		bits := map[Kind]int{TinyInt: 8, SmallInt: 16, Int: 32, BigInt: 64}[t.Kind]
		if !ok || bits < 64 && (n < -(1<<(bits-1)) || n >= 1<<(bits-1)) {
			return nil, convErr(path, t, v)
		}
		if t.Kind == BigInt {
			return n, nil
		}
		return int32(n), nil
	case Float, Double:
		f, ok := floatOf(v)
		if !ok || t.Kind == Float && math.Abs(f) > math.MaxFloat32 {
			return nil, convErr(path, t, v)
		}
		if t.Kind == Float {
			return float32(f), nil
		}
		return f, nil
	case Boolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if b, err := strconv.ParseBool(strings.ToLower(x)); err == nil && (strings.EqualFold(x, "true") || strings.EqualFold(x, "false")) {
				return b, nil
			}
		}
		return nil, convErr(path, t, v)
	case Timestamp:
		ts, ok := c.timestamp(v)
		if !ok {
			return nil, convErr(path, t, v)
		}
		return ts, nil
	case Date:
		s, ok := v.(string)
		if ok {
			if len(s) > 10 {
				if ts, ok := c.timestamp(s); ok {
					return ts, nil
				}
			}
			if d, err := time.Parse("2006-1-2", s); err == nil {
				return d, nil
			}
		}
		return nil, convErr(path, t, v)
	case Binary:
		s, ok := v.(string)
		if !ok {
			return nil, convErr(path, t, v)
		}
		return []byte(s), nil
	case Decimal:
		var s string
		switch x := v.(type) {
		case json.Number:
			s = string(x)
		case string:
			s = strings.TrimSpace(x)
		default:
			return nil, convErr(path, t, v)
		}
		u, ok := decimalOf(s, t.Precision, t.Scale)
		if !ok {
			return nil, convErr(path, t, v)
		}
		switch {
		case t.Precision <= 9:
			return int32(u.Int64()), nil
		case t.Precision <= 18:
			return u.Int64(), nil
		default:
			return twosComplement(u), nil
		}
	case Array:
		a, ok := v.([]any)
		if !ok {
			return nil, convErr(path, t, v)
		}
		out := make([]any, len(a))
		for i, e := range a {
			ev, err := c.value(t.Elem, e, path+"["+strconv.Itoa(i)+"]", depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	case Map:
		o, ok := v.(map[string]any)
		if !ok {
			return nil, convErr(path, t, v)
		}
		out := make(map[string]any, len(o))
		for k, e := range o {
			ev, err := c.value(t.Elem, e, path+"."+k, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = ev
		}
		return out, nil
	case Struct:
		o, ok := v.(map[string]any)
		if !ok {
			return nil, convErr(path, t, v)
		}
		keys := c.index(o)
		out := make(map[string]any, len(t.Fields))
		for _, f := range t.Fields {
			ev, err := c.value(f.Type, o[keys[c.normKey(f.Name)]], path+"."+f.Name, depth+1)
			if err != nil {
				return nil, err
			}
			out[f.Name] = ev
		}
		return out, nil
	}
	return nil, convErr(path, t, v)
}

func intOf(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func floatOf(v any) (float64, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// decimalOf parses a decimal literal into its unscaled value at scale,
// rounding half up beyond scale as Hive does, and fails if it needs more
// than precision digits.
func decimalOf(s string, precision, scale int) (*big.Int, bool) {
	if len(s) > 400 {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, false
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2)).Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(precision)), nil)
	if new(big.Int).Abs(q).Cmp(limit) >= 0 {
		return nil, false
	}
	return q, true
}

// twosComplement renders n as a minimal big-endian two's complement byte
// string, the Parquet DECIMAL binary encoding.
func twosComplement(n *big.Int) []byte {
	if n.Sign() >= 0 {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	l := (n.BitLen() + 8) / 8
	m := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), uint(l*8)), n)
	b := m.Bytes()
	for len(b) < l {
		b = append([]byte{0xff}, b...)
	}
	return b
}

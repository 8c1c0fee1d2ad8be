package convert

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is the Hive type of a column or of a nested value.
type Kind int

// The Hive types that Glue tables (and so Firehose conversion) use.
const (
	String Kind = iota + 1
	TinyInt
	SmallInt
	Int
	BigInt
	Float
	Double
	Boolean
	Timestamp
	Date
	Decimal
	Binary
	Array
	Map
	Struct
)

var kindNames = map[Kind]string{
	String: "string", TinyInt: "tinyint", SmallInt: "smallint", Int: "int", BigInt: "bigint",
	Float: "float", Double: "double", Boolean: "boolean", Timestamp: "timestamp", Date: "date",
	Decimal: "decimal", Binary: "binary", Array: "array", Map: "map", Struct: "struct",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Type is a parsed Hive type string such as "map<string,array<int>>".
type Type struct {
	Kind      Kind
	Precision int     // decimal
	Scale     int     // decimal
	Elem      *Type   // array element, map value
	Fields    []Field // struct fields, in declaration order
}

// Field is one field of a struct type.
type Field struct {
	Name string
	Type *Type
}

// String renders t in canonical Hive syntax; ParseType(t.String()) equals t.
func (t *Type) String() string {
	switch t.Kind {
	case Decimal:
		return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	case Array:
		return "array<" + t.Elem.String() + ">"
	case Map:
		return "map<string," + t.Elem.String() + ">"
	case Struct:
		var b strings.Builder
		b.WriteString("struct<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(f.Name + ":" + f.Type.String())
		}
		b.WriteByte('>')
		return b.String()
	}
	return t.Kind.String()
}

// maxTypeDepth bounds nesting so a hostile type string cannot exhaust the stack.
const maxTypeDepth = 64

// ParseType parses a Hive type string as Glue stores it. Names are case
// insensitive; varchar(n) and char(n) are read as string, integer as int,
// decimal and decimal(p) default to Hive's decimal(10,0) and decimal(p,0).
// Map keys must be string (the only key type JSON objects have).
func ParseType(s string) (*Type, error) {
	p := &typeParser{s: s}
	t, err := p.parse(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, p.errf("unexpected %q", p.s[p.i:])
	}
	return t, nil
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) errf(format string, a ...any) error {
	return fmt.Errorf("convert: invalid type %q at offset %d: %s", p.s, p.i, fmt.Sprintf(format, a...))
}

func (p *typeParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *typeParser) ident() string {
	p.space()
	j := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			p.i++
			continue
		}
		break
	}
	return p.s[j:p.i]
}

func (p *typeParser) expect(c byte) error {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != c {
		return p.errf("expected %q", c)
	}
	p.i++
	return nil
}

func (p *typeParser) peek(c byte) bool {
	p.space()
	return p.i < len(p.s) && p.s[p.i] == c
}

func (p *typeParser) number() (int, error) {
	p.space()
	j := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if j == p.i || p.i-j > 4 {
		return 0, p.errf("expected a small number")
	}
	n, _ := strconv.Atoi(p.s[j:p.i])
	return n, nil
}

func (p *typeParser) parse(depth int) (*Type, error) {
	if depth > maxTypeDepth {
		return nil, p.errf("nested deeper than %d", maxTypeDepth)
	}
	name := strings.ToLower(p.ident())
	switch name {
	case "string":
		return &Type{Kind: String}, nil
	case "varchar", "char":
		if err := p.expect('('); err != nil {
			return nil, err
		}
		if _, err := p.number(); err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		return &Type{Kind: String}, nil
	case "tinyint":
		return &Type{Kind: TinyInt}, nil
	case "smallint":
		return &Type{Kind: SmallInt}, nil
	case "int", "integer":
		return &Type{Kind: Int}, nil
	case "bigint":
		return &Type{Kind: BigInt}, nil
	case "float":
		return &Type{Kind: Float}, nil
	case "double":
		return &Type{Kind: Double}, nil
	case "boolean":
		return &Type{Kind: Boolean}, nil
	case "timestamp":
		return &Type{Kind: Timestamp}, nil
	case "date":
		return &Type{Kind: Date}, nil
	case "binary":
		return &Type{Kind: Binary}, nil
	case "decimal":
		t := &Type{Kind: Decimal, Precision: 10}
		if p.peek('(') {
			p.i++
			n, err := p.number()
			if err != nil {
				return nil, err
			}
			t.Precision = n
			if p.peek(',') {
				p.i++
				if t.Scale, err = p.number(); err != nil {
					return nil, err
				}
			}
			if err := p.expect(')'); err != nil {
				return nil, err
			}
		}
		if t.Precision < 1 || t.Precision > 38 || t.Scale > t.Precision {
			return nil, p.errf("decimal precision must be 1..38 and scale 0..precision, got (%d,%d)", t.Precision, t.Scale)
		}
		return t, nil
	case "array":
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		e, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect('>'); err != nil {
			return nil, err
		}
		return &Type{Kind: Array, Elem: e}, nil
	case "map":
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		k, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		if k.Kind != String {
			return nil, p.errf("map keys must be string, got %s", k)
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		v, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect('>'); err != nil {
			return nil, err
		}
		return &Type{Kind: Map, Elem: v}, nil
	case "struct":
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		t := &Type{Kind: Struct}
		seen := map[string]bool{}
		for {
			n := p.ident()
			if n == "" {
				return nil, p.errf("expected a field name")
			}
			if seen[strings.ToLower(n)] {
				return nil, p.errf("duplicate field %q", n)
			}
			seen[strings.ToLower(n)] = true
			if err := p.expect(':'); err != nil {
				return nil, err
			}
			ft, err := p.parse(depth + 1)
			if err != nil {
				return nil, err
			}
			t.Fields = append(t.Fields, Field{Name: n, Type: ft})
			if p.peek(',') {
				p.i++
				continue
			}
			if err := p.expect('>'); err != nil {
				return nil, err
			}
			return t, nil
		}
	case "":
		return nil, p.errf("expected a type name")
	}
	return nil, p.errf("unknown type %q", name)
}

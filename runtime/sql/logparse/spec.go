package logparse

import (
	"fmt"
	"strconv"
	"strings"
)

// maxSpecColumns bounds the columns a spec may declare (the longest rows
// any Kinesis Data Analytics stream may have is far below this).
const maxSpecColumns = 1000

type tokKind int

const (
	tIdent  tokKind = iota // bare identifier, upper-cased
	tQIdent                // "quoted" identifier
	tString                // 'string'
	tNumber
	tPunct
)

type token struct {
	kind tokKind
	text string
}

func lexSpec(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("unterminated %c at offset %d", c, i)
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			k := tQIdent
			if c == '\'' {
				k = tString
			}
			toks = append(toks, token{k, b.String()})
			i = j + 1
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			toks = append(toks, token{tNumber, s[i:j]})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '$' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			toks = append(toks, token{tIdent, strings.ToUpper(s[i:j])})
			i = j
		case c == '(' || c == ')' || c == ',':
			toks = append(toks, token{tPunct, string(c)})
			i++
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", c, i)
		}
	}
	return toks, nil
}

// specColumn is one parsed column description.
type specColumn struct {
	Column
	Start, Len int // FIXED_COLUMN_LOG_PARSE only; Len -1 when FOR is absent
}

type specMode int

const (
	specRegex    specMode = iota // name [type] (TYPE keyword optional)
	specVariable                 // name TYPE type [NOT NULL]
	specFixed                    // name TYPE type [format] [NOT NULL] START n [FOR m]
)

// parseSpec parses a comma-separated column description list.
func parseSpec(s string, mode specMode) ([]specColumn, error) {
	toks, err := lexSpec(s)
	if err != nil {
		return nil, err
	}
	p := &specParser{toks: toks}
	var cols []specColumn
	for {
		c, err := p.column(mode)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
		if len(cols) > maxSpecColumns {
			return nil, fmt.Errorf("more than %d columns", maxSpecColumns)
		}
		if p.eof() {
			break
		}
		if !p.punct(",") {
			return nil, fmt.Errorf("expected ',' but found %s", p.describe())
		}
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c.Name] {
			return nil, fmt.Errorf("duplicate column name %s", c.Name)
		}
		seen[c.Name] = true
	}
	return cols, nil
}

type specParser struct {
	toks []token
	pos  int
}

func (p *specParser) eof() bool { return p.pos >= len(p.toks) }

func (p *specParser) describe() string {
	if p.eof() {
		return "end of text"
	}
	return strconv.Quote(p.toks[p.pos].text)
}

func (p *specParser) keyword(k string) bool {
	if !p.eof() && p.toks[p.pos].kind == tIdent && p.toks[p.pos].text == k {
		p.pos++
		return true
	}
	return false
}

func (p *specParser) punct(k string) bool {
	if !p.eof() && p.toks[p.pos].kind == tPunct && p.toks[p.pos].text == k {
		p.pos++
		return true
	}
	return false
}

func (p *specParser) number() (int, error) {
	if p.eof() || p.toks[p.pos].kind != tNumber {
		return 0, fmt.Errorf("expected a number but found %s", p.describe())
	}
	n, err := strconv.Atoi(p.toks[p.pos].text)
	if err != nil || n > 1<<30 {
		return 0, fmt.Errorf("number %s out of range", p.toks[p.pos].text)
	}
	p.pos++
	return n, nil
}

func (p *specParser) column(mode specMode) (specColumn, error) {
	var c specColumn
	if p.eof() || (p.toks[p.pos].kind != tIdent && p.toks[p.pos].kind != tQIdent) {
		return c, fmt.Errorf("expected a column name but found %s", p.describe())
	}
	c.Name = p.toks[p.pos].text
	if c.Name == "" {
		return c, fmt.Errorf("empty column name")
	}
	p.pos++
	hasType := p.keyword("TYPE")
	if !hasType && mode != specRegex {
		return c, fmt.Errorf("expected TYPE after column %s but found %s", c.Name, p.describe())
	}
	if hasType || (!p.eof() && p.toks[p.pos].kind == tIdent) {
		t, err := p.typ()
		if err != nil {
			return c, fmt.Errorf("column %s: %w", c.Name, err)
		}
		c.Type = t
	} else {
		c.Type = Varchar1024
	}
	if !p.eof() && p.toks[p.pos].kind == tString {
		if c.Type.Name != "DATE" && c.Type.Name != "TIME" && c.Type.Name != "TIMESTAMP" {
			return c, fmt.Errorf("column %s: a format string is only allowed for DATE, TIME and TIMESTAMP", c.Name)
		}
		c.Type.Format = p.toks[p.pos].text
		p.pos++
	}
	if p.keyword("NOT") {
		if !p.keyword("NULL") {
			return c, fmt.Errorf("column %s: expected NULL after NOT but found %s", c.Name, p.describe())
		}
		c.NotNull = true
	}
	c.Len = -1
	if mode == specFixed {
		if !p.keyword("START") {
			return c, fmt.Errorf("column %s: expected START but found %s", c.Name, p.describe())
		}
		n, err := p.number()
		if err != nil {
			return c, fmt.Errorf("column %s: START: %w", c.Name, err)
		}
		c.Start = n
		if p.keyword("FOR") {
			if c.Len, err = p.number(); err != nil {
				return c, fmt.Errorf("column %s: FOR: %w", c.Name, err)
			}
		}
	}
	return c, nil
}

func (p *specParser) typ() (Type, error) {
	if p.eof() || p.toks[p.pos].kind != tIdent {
		return Type{}, fmt.Errorf("expected a data type but found %s", p.describe())
	}
	name := p.toks[p.pos].text
	p.pos++
	switch name {
	case "VARCHAR", "CHAR", "CHARACTER":
		if name == "CHARACTER" {
			name = "CHAR"
		}
		if p.keyword("VARYING") {
			name = "VARCHAR"
		}
	case "INT", "INTEGER":
		name = "INTEGER"
	case "DOUBLE":
		p.keyword("PRECISION")
	case "DEC", "DECIMAL", "NUMERIC":
		name = "DECIMAL"
	case "BIGINT", "SMALLINT", "TINYINT", "REAL", "FLOAT", "BOOLEAN", "DATE", "TIME", "TIMESTAMP":
	default:
		return Type{}, fmt.Errorf("unsupported data type %s", name)
	}
	t := Type{Name: name}
	if p.punct("(") {
		n, err := p.number()
		if err != nil {
			return t, err
		}
		t.Precision = n
		if p.punct(",") {
			if name != "DECIMAL" {
				return t, fmt.Errorf("%s takes one length", name)
			}
			if t.Scale, err = p.number(); err != nil {
				return t, err
			}
		}
		if !p.punct(")") {
			return t, fmt.Errorf("expected ')' but found %s", p.describe())
		}
		if name != "VARCHAR" && name != "CHAR" && name != "DECIMAL" && name != "TIME" && name != "TIMESTAMP" {
			return t, fmt.Errorf("%s takes no length", name)
		}
		if name == "TIME" || name == "TIMESTAMP" {
			t.Precision = 0 // fractional-second precision: accepted, not kept
		}
	}
	if (name == "VARCHAR" || name == "CHAR") && t.Precision == 0 {
		if name == "VARCHAR" {
			return t, fmt.Errorf("VARCHAR needs a length")
		}
		t.Precision = 1
	}
	return t, nil
}

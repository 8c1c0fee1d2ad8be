package logparse

import (
	"fmt"
	"strconv"
	"strings"
)

// VariableParser is a compiled VARIABLE_COLUMN_LOG_PARSE call. Safe for
// concurrent use.
type VariableParser struct {
	cols               []Column
	delim              string
	escape             string
	quoteBeg, quoteEnd rune
	quoted             bool
}

// CompileVariableColumnLogParse compiles VARIABLE_COLUMN_LOG_PARSE(input,
// columns, delimiter[, escape, quote]). columns is either a number n (the
// row is COLUMN1..COLUMNn VARCHAR(1024)) or a list
// '<identifier> TYPE <data type> [NOT NULL], ...'. delimiter is the string
// that separates fields (one or more characters). escape, when not "",
// makes the character after it literal. quote is "" or one character
// (begin and end quote) or two (begin, end); a quoted stretch keeps
// delimiters, and the quote characters are not part of the value.
func CompileVariableColumnLogParse(columns, delimiter, escape, quote string) (*VariableParser, error) {
	p := &VariableParser{delim: delimiter, escape: escape}
	if delimiter == "" {
		return nil, fmt.Errorf("logparse: VARIABLE_COLUMN_LOG_PARSE: the delimiter string is empty")
	}
	if n, err := strconv.Atoi(strings.TrimSpace(columns)); err == nil {
		if n < 1 || n > maxSpecColumns {
			return nil, fmt.Errorf("logparse: VARIABLE_COLUMN_LOG_PARSE: number of columns %d not in 1..%d", n, maxSpecColumns)
		}
		p.cols = columnN(n, Varchar1024)
	} else {
		spec, err := parseSpec(columns, specVariable)
		if err != nil {
			return nil, fmt.Errorf("logparse: VARIABLE_COLUMN_LOG_PARSE: columns %q: %w", columns, err)
		}
		for _, c := range spec {
			p.cols = append(p.cols, c.Column)
		}
	}
	switch q := []rune(quote); len(q) {
	case 0:
	case 1:
		p.quoteBeg, p.quoteEnd, p.quoted = q[0], q[0], true
	case 2:
		p.quoteBeg, p.quoteEnd, p.quoted = q[0], q[1], true
	default:
		return nil, fmt.Errorf("logparse: VARIABLE_COLUMN_LOG_PARSE: quote string %q has more than two characters", quote)
	}
	return p, nil
}

// VariableColumnLogParse is VARIABLE_COLUMN_LOG_PARSE compiled and run at
// once.
func VariableColumnLogParse(input, columns, delimiter, escape, quote string) (*Row, error) {
	p, err := CompileVariableColumnLogParse(columns, delimiter, escape, quote)
	if err != nil {
		return nil, err
	}
	return p.Parse(input)
}

// Columns answers the columns every row of this parser has.
func (p *VariableParser) Columns() []Column { return append([]Column(nil), p.cols...) }

// Parse splits input into fields. Columns with no field are NULL; fields
// beyond the last column are dropped.
func (p *VariableParser) Parse(input string) (*Row, error) {
	fields := p.split(input)
	row := &Row{Columns: p.cols, Values: make([]any, len(p.cols))}
	for i, c := range p.cols {
		present := i < len(fields)
		text := ""
		if present {
			text = fields[i]
		}
		v, err := convert(text, present, c)
		if err != nil {
			return nil, fmt.Errorf("logparse: VARIABLE_COLUMN_LOG_PARSE: %w", err)
		}
		row.Values[i] = v
	}
	return row, nil
}

func (p *VariableParser) split(s string) []string {
	var fields []string
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(s); {
		if p.escape != "" && strings.HasPrefix(s[i:], p.escape) {
			i += len(p.escape)
			if i < len(s) {
				_, n := decodeRune(s[i:])
				b.WriteString(s[i : i+n])
				i += n
			}
			continue
		}
		r, n := decodeRune(s[i:])
		if p.quoted {
			if inQuote && (r == p.quoteEnd || r == p.quoteBeg) {
				inQuote = false
				i += n
				continue
			}
			if !inQuote && r == p.quoteBeg {
				inQuote = true
				i += n
				continue
			}
		}
		if !inQuote && strings.HasPrefix(s[i:], p.delim) {
			fields = append(fields, b.String())
			b.Reset()
			i += len(p.delim)
			if len(fields) > len(p.cols) {
				return fields // the rest would be dropped anyway
			}
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return append(fields, b.String())
}

package logparse

import (
	"fmt"
)

// FixedParser is a compiled FIXED_COLUMN_LOG_PARSE column description.
// Safe for concurrent use.
type FixedParser struct {
	cols    []specColumn
	columns []Column
}

// CompileFixedColumnLogParse compiles the column description string of
// FIXED_COLUMN_LOG_PARSE:
//
//	'<column description> [,...]'
//	<column description> := <identifier> TYPE <data type> ['<date format>'] [NOT NULL]
//	                        START <n> [FOR <len>]
//
// Positions count characters from 0; without FOR a column runs to the end
// of the input.
func CompileFixedColumnLogParse(spec string) (*FixedParser, error) {
	cols, err := parseSpec(spec, specFixed)
	if err != nil {
		return nil, fmt.Errorf("logparse: FIXED_COLUMN_LOG_PARSE: column description %q: %w", spec, err)
	}
	p := &FixedParser{cols: cols}
	for _, c := range cols {
		p.columns = append(p.columns, c.Column)
	}
	return p, nil
}

// FixedColumnLogParse is FIXED_COLUMN_LOG_PARSE(input, spec) compiled and
// run at once.
func FixedColumnLogParse(input, spec string) (*Row, error) {
	p, err := CompileFixedColumnLogParse(spec)
	if err != nil {
		return nil, err
	}
	return p.Parse(input)
}

// Columns answers the columns every row of this parser has.
func (p *FixedParser) Columns() []Column { return append([]Column(nil), p.columns...) }

// Parse cuts input into the described columns and converts each to its
// type. A column starting at or beyond the end of input is NULL; one that
// runs past the end is cut short. Fields of non-character types are
// trimmed of spaces first, and an all-blank one is NULL.
func (p *FixedParser) Parse(input string) (*Row, error) {
	runes := []rune(input)
	row := &Row{Columns: p.columns, Values: make([]any, len(p.cols))}
	for i, c := range p.cols {
		present := c.Start < len(runes)
		text := ""
		if present {
			end := len(runes)
			if c.Len >= 0 && c.Start+c.Len < end {
				end = c.Start + c.Len
			}
			text = string(runes[c.Start:end])
		}
		v, err := convert(text, present, c.Column)
		if err != nil {
			return nil, fmt.Errorf("logparse: FIXED_COLUMN_LOG_PARSE: %w", err)
		}
		row.Values[i] = v
	}
	return row, nil
}

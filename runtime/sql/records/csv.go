package records

import (
	"strings"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// parseCSV splits a record at RecordRowDelimiter into rows and each row at
// RecordColumnDelimiter into fields mapped to the columns by position
// ("Your application imports one column from the input stream per column
// definition, in order"). Extra fields are ignored; missing and empty
// fields are NULL; empty lines give no row. A field that starts with '"'
// is quoted ("" stands for one quote) and may hold the column delimiter.
// With the row delimiter "\n", a '\r' ending a line is dropped.
func (p *Parser) parseCSV(data []byte, each func(eval.Row) error) error {
	s := strings.TrimPrefix(string(data), "\ufeff")
	var firstErr *Error
	nrows := 0
	for len(s) > 0 {
		line := s
		if j := strings.Index(s, p.rowDelim); j >= 0 {
			line, s = s[:j], s[j+len(p.rowDelim):]
		} else {
			s = ""
		}
		if p.rowDelim == "\n" {
			line = strings.TrimSuffix(line, "\r")
		}
		if line == "" {
			continue
		}
		nrows++
		row := make(eval.Row, len(p.cols))
		ok := true
		c := 0
		for rest, more := line, true; more && c < len(p.cols); c++ {
			var f string
			f, rest, more = p.field(rest)
			if f == "" {
				continue
			}
			v, err := fromString(p.cols[c].Type, f)
			if err != nil {
				if firstErr == nil {
					firstErr = p.convertErr(c, err)
				}
				ok = false
				break
			}
			row[c] = v
		}
		if !ok {
			continue
		}
		if err := each(row); err != nil {
			return err
		}
	}
	if firstErr != nil {
		return firstErr
	}
	if nrows == 0 {
		return parseError("the record has no rows")
	}
	return nil
}

// field cuts the first field off a line.
func (p *Parser) field(line string) (f, rest string, more bool) {
	if strings.HasPrefix(line, `"`) {
		var b strings.Builder
		i := 1
		for i < len(line) {
			if line[i] == '"' {
				if i+1 < len(line) && line[i+1] == '"' {
					b.WriteByte('"')
					i += 2
					continue
				}
				if i+1 == len(line) {
					return b.String(), "", false
				}
				if strings.HasPrefix(line[i+1:], p.colDelim) {
					return b.String(), line[i+1+len(p.colDelim):], true
				}
				break // not a well-formed quoted field: plain text
			}
			b.WriteByte(line[i])
			i++
		}
	}
	j := strings.Index(line, p.colDelim)
	if j < 0 {
		return line, "", false
	}
	return line[:j], line[j+len(p.colDelim):], true
}

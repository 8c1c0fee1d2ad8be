package records

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// ERROR_NAME values of the error_stream rows a record that does not fit the
// input schema becomes. AWS documents the two cases ("A record read from
// the streaming source does not conform to the input schema", "Coercion
// error") but not its names for them; these are kinesin's.
const (
	ErrorNameParse    = "Parse_Error"
	ErrorNameCoercion = "Coercion_Error"
)

// Sentinels for errors.Is on an *Error.
var (
	ErrParse    = errors.New("record does not conform to the input schema")
	ErrCoercion = errors.New("value cannot be converted to the column's type")
)

// Error is a record, or a row of it, that does not fit the input schema.
// AWS writes such rows to error_stream; the host does so with Name as
// ERROR_NAME and Message as MESSAGE.
type Error struct {
	Name    string // ErrorNameParse or ErrorNameCoercion
	Column  string // the column whose value did not convert (coercion errors)
	Message string
}

func (e *Error) Error() string { return "records: " + e.Message }

// Unwrap answers ErrParse or ErrCoercion.
func (e *Error) Unwrap() error {
	if e.Name == ErrorNameCoercion {
		return ErrCoercion
	}
	return ErrParse
}

func parseError(format string, args ...any) *Error {
	return &Error{Name: ErrorNameParse, Message: fmt.Sprintf(format, args...)}
}

// Parser turns one record's data into rows of the in-application input
// stream, as a SourceSchema describes them. A Parser is safe for
// concurrent use.
type Parser struct {
	cols   []engine.Column
	format types.RecordFormatType

	// JSON
	rowPath  []step
	colRoot  *node
	flatCols []int // columns under the flattened array
	hasFlat  bool

	// CSV
	colDelim, rowDelim string
}

// NewParser builds a parser from an input (or reference) schema. It checks
// what the parser needs: a format, a SqlType and unique name per column, a
// Mapping per column for JSON (a JSONPath; only one array may be
// flattened), UTF-8 encoding.
func NewParser(s types.SourceSchema) (*Parser, error) {
	if len(s.RecordColumns) == 0 {
		return nil, fmt.Errorf("records: the schema has no RecordColumns")
	}
	if s.RecordEncoding != nil && !strings.EqualFold(*s.RecordEncoding, "UTF-8") {
		return nil, fmt.Errorf("records: RecordEncoding %q is not supported (only UTF-8)", *s.RecordEncoding)
	}
	if s.RecordFormat == nil {
		return nil, fmt.Errorf("records: the schema has no RecordFormat")
	}
	p := &Parser{format: s.RecordFormat.RecordFormatType}
	seen := map[string]bool{}
	for i, rc := range s.RecordColumns {
		if rc.Name == nil || *rc.Name == "" {
			return nil, fmt.Errorf("records: RecordColumns[%d] has no Name", i)
		}
		if seen[*rc.Name] {
			return nil, fmt.Errorf("records: duplicate column name %q", *rc.Name)
		}
		seen[*rc.Name] = true
		if rc.SqlType == nil {
			return nil, fmt.Errorf("records: column %q has no SqlType", *rc.Name)
		}
		t, err := SQLType(*rc.SqlType)
		if err != nil {
			return nil, fmt.Errorf("records: column %q: %w", *rc.Name, trimPrefix(err))
		}
		p.cols = append(p.cols, engine.Column{Name: *rc.Name, Type: t})
	}
	mp := s.RecordFormat.MappingParameters
	switch p.format {
	case types.RecordFormatTypeJson:
		rowPath := "$"
		if mp != nil && mp.JSONMappingParameters != nil && mp.JSONMappingParameters.RecordRowPath != nil {
			rowPath = *mp.JSONMappingParameters.RecordRowPath
		}
		if err := p.buildJSON(rowPath, s.RecordColumns); err != nil {
			return nil, err
		}
	case types.RecordFormatTypeCsv:
		p.colDelim, p.rowDelim = ",", "\n"
		if mp != nil && mp.CSVMappingParameters != nil {
			if d := mp.CSVMappingParameters.RecordColumnDelimiter; d != nil {
				p.colDelim = *d
			}
			if d := mp.CSVMappingParameters.RecordRowDelimiter; d != nil {
				p.rowDelim = *d
			}
		}
		if p.colDelim == "" || p.rowDelim == "" {
			return nil, fmt.Errorf("records: empty CSV delimiter")
		}
		if p.colDelim == p.rowDelim {
			return nil, fmt.Errorf("records: the CSV column and row delimiters are the same")
		}
	default:
		return nil, fmt.Errorf("records: unknown RecordFormatType %q", p.format)
	}
	return p, nil
}

// Columns answers the record columns, in order, as engine columns.
func (p *Parser) Columns() []engine.Column { return p.cols }

// Parse turns one record into rows and calls each with every row (a fresh
// slice the callee may keep). A record can give several rows: a JSON
// record whose RecordRowPath or a column's Mapping flattens an array
// ([0:]), several JSON values in one record, several CSV lines.
//
// A record that does not fit the schema gives an *Error: a record that is
// no JSON (or whose RecordRowPath matches nothing) gives no rows and an
// ErrorNameParse error; a row with a value that does not convert is left
// out, the record's other rows still go to each, and the first such
// problem is answered as an ErrorNameCoercion error. An error from each
// stops the parse and is answered as is.
func (p *Parser) Parse(data []byte, each func(row eval.Row) error) error {
	if p.format == types.RecordFormatTypeCsv {
		return p.parseCSV(data, each)
	}
	return p.parseJSON(data, each)
}

// convertErr wraps a conversion failure of column c.
func (p *Parser) convertErr(c int, err error) *Error {
	return &Error{Name: ErrorNameCoercion, Column: p.cols[c].Name,
		Message: fmt.Sprintf("column %s: %v", p.cols[c].Name, err)}
}

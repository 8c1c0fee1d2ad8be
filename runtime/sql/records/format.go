package records

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/internal/jsonenc"
	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// Formatter writes rows of an in-application stream as output records in
// a DestinationSchema's format. A Formatter is safe for concurrent use.
type Formatter struct {
	format types.RecordFormatType
	cols   []engine.Column
	keys   [][]byte // JSON: `{"NAME":` for the first column, `,"NAME":` after
}

// NewFormatter builds a formatter for the columns of an in-application
// stream (ROWTIME is not among them and is not written, as AWS writes only
// the stream's declared columns).
func NewFormatter(s types.DestinationSchema, cols []engine.Column) (*Formatter, error) {
	f := &Formatter{format: s.RecordFormatType, cols: cols}
	switch s.RecordFormatType {
	case types.RecordFormatTypeJson:
		for i, c := range cols {
			b := []byte{','}
			if i == 0 {
				b[0] = '{'
			}
			b = jsonenc.AppendString(b, c.Name)
			f.keys = append(f.keys, append(b, ':'))
		}
	case types.RecordFormatTypeCsv:
	default:
		return nil, fmt.Errorf("records: unknown RecordFormatType %q", s.RecordFormatType)
	}
	return f, nil
}

// Append appends row as one record: a JSON object with a member per
// column, named as the stream declares it (unquoted names upper case), or
// one CSV line ending in "\n".
func (f *Formatter) Append(dst []byte, row eval.Row) []byte {
	if f.format == types.RecordFormatTypeCsv {
		for i := range f.cols {
			if i > 0 {
				dst = append(dst, ',')
			}
			if i < len(row) {
				dst = appendCSV(dst, row[i])
			}
		}
		return append(dst, '\n')
	}
	if len(f.cols) == 0 {
		return append(dst, "{}"...)
	}
	for i := range f.cols {
		dst = append(dst, f.keys[i]...)
		if i < len(row) {
			dst = appendJSON(dst, row[i])
		} else {
			dst = append(dst, "null"...)
		}
	}
	return append(dst, '}')
}

func appendJSON(dst []byte, v eval.Value) []byte {
	switch v.Kind {
	case eval.Null:
		return append(dst, "null"...)
	case eval.Boolean:
		return strconv.AppendBool(dst, v.I != 0)
	case eval.TinyInt, eval.SmallInt, eval.Integer, eval.BigInt:
		return strconv.AppendInt(dst, v.I, 10)
	case eval.Decimal:
		return append(dst, v.String()...)
	case eval.Real, eval.Double:
		s := v.String()
		if s == "NaN" || strings.HasSuffix(s, "Infinity") {
			return jsonenc.AppendString(dst, s) // no JSON number for them
		}
		return append(dst, s...)
	case eval.Char, eval.Varchar:
		return jsonenc.AppendString(dst, v.S)
	case eval.Varbinary:
		return jsonenc.AppendString(dst, base64.StdEncoding.EncodeToString([]byte(v.S)))
	case eval.Timestamp:
		dst = append(dst, '"')
		dst = appendTimestamp(dst, v.I)
		return append(dst, '"')
	}
	return jsonenc.AppendString(dst, v.String())
}

// appendTimestamp writes a TIMESTAMP as java.sql.Timestamp.toString does
// (SQLstream, which Kinesis Data Analytics runs, is Java; AWS's own
// example of a valid datetime is "1992-02-14 18:35:44.0"): the fraction
// without trailing zeros but at least one digit.
func appendTimestamp(dst []byte, ms int64) []byte {
	days := floorDiv(ms, msPerDay)
	tod := ms - days*msPerDay
	y, mo, d := civilFromDays(days)
	if y < 0 || y > 9999 {
		dst = time.UnixMilli(ms).UTC().AppendFormat(dst, "2006-01-02 15:04:05")
	} else {
		dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
			byte('0'+mo/10), byte('0'+mo%10), '-', byte('0'+d/10), byte('0'+d%10), ' ')
		h, m, sec := tod/3600000, tod/60000%60, tod/1000%60
		dst = append(dst, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':',
			byte('0'+sec/10), byte('0'+sec%10))
	}
	f := tod % 1000
	dst = append(dst, '.')
	switch {
	case f == 0:
		return append(dst, '0')
	case f%100 == 0:
		return append(dst, byte('0'+f/100))
	case f%10 == 0:
		return append(dst, byte('0'+f/100), byte('0'+f/10%10))
	}
	return append(dst, byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
}

// civilFromDays answers the proleptic Gregorian date of a day number
// (days since 1970-01-01).
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendCSV writes a CSV field: NULL as an empty field, text quoted (RFC
// 4180) when it holds a comma, quote or line break.
func appendCSV(dst []byte, v eval.Value) []byte {
	var s string
	switch v.Kind {
	case eval.Null:
		return dst
	case eval.Boolean:
		return strconv.AppendBool(dst, v.I != 0)
	case eval.Timestamp:
		return appendTimestamp(dst, v.I)
	case eval.Varbinary:
		s = base64.StdEncoding.EncodeToString([]byte(v.S))
	default:
		s = v.String()
	}
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	dst = append(dst, strings.ReplaceAll(s, `"`, `""`)...)
	return append(dst, '"')
}

// LoadReference reads a reference data object (an S3 object of
// AddApplicationReferenceDataSource) into the rows of the in-application
// reference table, with the ReferenceSchema's format and columns: for
// JSON, every JSON value in the object (one per line, or concatenated);
// for CSV, every line. Rows with a value that does not convert to its
// column's type (a header line, say) are left out; an object that is not
// JSON for a JSON schema is an error.
func LoadReference(data []byte, s types.SourceSchema) ([]eval.Row, error) {
	p, err := NewParser(s)
	if err != nil {
		return nil, err
	}
	var rows []eval.Row
	err = p.Parse(data, func(r eval.Row) error {
		rows = append(rows, r)
		return nil
	})
	var e *Error
	if err != nil && !(asError(err, &e) && e.Name == ErrorNameCoercion) {
		if len(data) == 0 || len(strings.TrimSpace(string(data))) == 0 {
			return nil, nil // an empty object is an empty table
		}
		return nil, fmt.Errorf("records: reference data: %w", err)
	}
	return rows, nil
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	if ok {
		*e = x
	}
	return ok
}

package logparse

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/kinesin/kinesin/runtime/sql/datefmt"
)

// Type is a SQL type as the log parsing functions declare their columns:
// a name such as VARCHAR, INTEGER or TIMESTAMP, an optional precision and
// scale (VARCHAR(1024), DECIMAL(10,2)), and for DATE, TIME and TIMESTAMP an
// optional java.text.SimpleDateFormat pattern the text is parsed with.
type Type struct {
	Name      string // upper case: VARCHAR, CHAR, INTEGER, BIGINT, SMALLINT, TINYINT, REAL, DOUBLE, DECIMAL, BOOLEAN, DATE, TIME, TIMESTAMP
	Precision int    // VARCHAR/CHAR length, DECIMAL precision; 0 when not given
	Scale     int    // DECIMAL scale
	Format    string // SimpleDateFormat pattern for DATE, TIME, TIMESTAMP; "" for the SQL default
}

// Varchar1024 is the type of the COLUMNn columns REGEX_LOG_PARSE and
// FAST_REGEX_LOG_PARSER answer when no column list is given.
var Varchar1024 = Type{Name: "VARCHAR", Precision: 1024}

// String prints the type as SQL: VARCHAR(1024), DECIMAL(10,2), TIMESTAMP.
func (t Type) String() string {
	switch {
	case t.Precision > 0 && t.Name == "DECIMAL":
		return fmt.Sprintf("%s(%d,%d)", t.Name, t.Precision, t.Scale)
	case t.Precision > 0:
		return fmt.Sprintf("%s(%d)", t.Name, t.Precision)
	}
	return t.Name
}

// Column is one named, typed column of a Row.
type Column struct {
	Name    string // as SQL stores it: bare identifiers upper-cased, "quoted" ones as written
	Type    Type
	NotNull bool // declared NOT NULL: a missing value is an error, not NULL
}

// Row is what a log parsing function answers: ordered columns and one value
// per column. Values are nil for SQL NULL, otherwise, by the column's type:
//
//	VARCHAR, CHAR                 string (CHAR(n) blank-padded to n)
//	INTEGER, BIGINT, SMALLINT,
//	TINYINT                       int64
//	REAL, DOUBLE, FLOAT           float64
//	DECIMAL, NUMERIC              string (the decimal literal, as validated)
//	BOOLEAN                       bool
//	DATE, TIME, TIMESTAMP         time.Time in UTC (DATE at midnight, TIME on 1970-01-01)
//
// Columns is shared by every row one compiled parser answers: treat it as
// read-only. A function whose whole result is NULL (REGEX_LOG_PARSE when the pattern
// does not match) answers a nil *Row.
type Row struct {
	Columns []Column
	Values  []any
}

// Get answers the value of the named column (names compare as stored) and
// whether the column exists.
func (r *Row) Get(name string) (any, bool) {
	if r == nil {
		return nil, false
	}
	for i, c := range r.Columns {
		if c.Name == name {
			return r.Values[i], true
		}
	}
	return nil, false
}

// columnN answers the columns COLUMN1..COLUMNn of type t.
func columnN(n int, t Type) []Column {
	cols := make([]Column, n)
	for i := range cols {
		cols[i] = Column{Name: "COLUMN" + strconv.Itoa(i+1), Type: t}
	}
	return cols
}

// convert turns the text of a field into a value of column c's type. ok is
// false when the field is missing (NULL).
func convert(text string, present bool, c Column) (any, error) {
	if !present {
		if c.NotNull {
			return nil, fmt.Errorf("logparse: column %s is NOT NULL but the field is missing", c.Name)
		}
		return nil, nil
	}
	t := c.Type
	switch t.Name {
	case "VARCHAR", "CHAR":
		n := utf8.RuneCountInString(text)
		if t.Precision > 0 && n > t.Precision {
			text = truncateRunes(text, t.Precision)
		} else if t.Name == "CHAR" && n < t.Precision {
			text += strings.Repeat(" ", t.Precision-n) // CHAR(n) is blank-padded
		}
		return text, nil
	}
	s := strings.TrimSpace(text)
	if s == "" {
		if c.NotNull {
			return nil, fmt.Errorf("logparse: column %s is NOT NULL but the field is empty", c.Name)
		}
		return nil, nil
	}
	bad := func(err error) error {
		return fmt.Errorf("logparse: column %s: cannot convert %q to %s: %w", c.Name, s, t, err)
	}
	switch t.Name {
	case "INTEGER", "BIGINT", "SMALLINT", "TINYINT":
		bits := map[string]int{"INTEGER": 32, "BIGINT": 64, "SMALLINT": 16, "TINYINT": 8}[t.Name]
		v, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, bits)
		if err != nil {
			return nil, bad(err)
		}
		return v, nil
	case "REAL", "DOUBLE", "FLOAT":
		bits := 64
		if t.Name == "REAL" {
			bits = 32
		}
		v, err := strconv.ParseFloat(s, bits)
		if err != nil {
			return nil, bad(err)
		}
		return v, nil
	case "DECIMAL":
		if !isDecimal(s) {
			return nil, bad(fmt.Errorf("not a decimal number"))
		}
		return s, nil
	case "BOOLEAN":
		switch strings.ToUpper(s) {
		case "TRUE":
			return true, nil
		case "FALSE":
			return false, nil
		}
		return nil, bad(fmt.Errorf("not TRUE or FALSE"))
	case "DATE", "TIME", "TIMESTAMP":
		v, err := parseDateTime(s, t)
		if err != nil {
			return nil, bad(err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("logparse: column %s: unsupported type %s", c.Name, t)
}

func truncateRunes(s string, n int) string {
	i := 0
	for p := range s {
		if i == n {
			return s[:p]
		}
		i++
	}
	return s
}

func isDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
			digits++
		case s[i] == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// parseDateTime parses s by t.Format or, without one, by the SQL literal
// forms (yyyy-MM-dd, HH:mm:ss[.fff], yyyy-MM-dd HH:mm:ss[.fff]).
func parseDateTime(s string, t Type) (time.Time, error) {
	if t.Format != "" {
		v, err := parseSimpleDate(s, t.Format)
		switch {
		case err != nil:
		case t.Name == "DATE":
			v = time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)
		case t.Name == "TIME":
			v = time.Date(1970, 1, 1, v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), time.UTC)
		}
		return v, err
	}
	var layouts []string
	switch t.Name {
	case "DATE":
		layouts = []string{"2006-01-02"}
	case "TIME":
		layouts = []string{"15:04:05.999999999", "15:04:05"}
	default:
		layouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"}
	}
	var err error
	for _, l := range layouts {
		var v time.Time
		if v, err = time.Parse(l, s); err == nil {
			if t.Name == "TIME" {
				v = time.Date(1970, 1, 1, v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), time.UTC)
			}
			return v, nil
		}
	}
	return time.Time{}, err
}

// dateOptions are the datefmt options of the log parsers' DATE, TIME and
// TIMESTAMP formats: the whole text must match the pattern, and a
// two-digit year is read as 20yy.
var dateOptions = datefmt.Options{TwoDigitYearStart: 2000, Exact: true}

// dateFormats caches compiled date formats by pattern, up to
// maxDateFormats of them (patterns can come from row data).
var (
	dateFormats     sync.Map // string -> *datefmt.Format
	dateFormatCount atomic.Int64
)

const maxDateFormats = 1024

// parseSimpleDate parses s by a java.text.SimpleDateFormat pattern.
func parseSimpleDate(s, pattern string) (time.Time, error) {
	var f *datefmt.Format
	if v, ok := dateFormats.Load(pattern); ok {
		f = v.(*datefmt.Format)
	} else {
		var err error
		if f, err = datefmt.ParseOptions(pattern, dateOptions); err != nil {
			return time.Time{}, fmt.Errorf("logparse: date format %q: %w", pattern, err)
		}
		if dateFormatCount.Add(1) <= maxDateFormats {
			dateFormats.Store(pattern, f)
		}
	}
	return f.Parse(s)
}

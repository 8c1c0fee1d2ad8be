package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/kinesin/kinesin/sinks/dest"
)

// kind is how a column's values are prepared.
type kind int

const (
	kindOther kind = iota
	kindChar       // char, varchar, text: EMPTYASNULL, BLANKSASNULL, TRUNCATECOLUMNS, TRIMBLANKS apply
	kindJSON       // json, jsonb: JSON values loaded as JSON text
	kindTimestamp
	kindTimestampTZ
	kindDate
	kindBool
)

type column struct {
	name      string
	kind      kind
	maxLen    int // characters for char(n)/varchar(n); 0 for none
	notNull   bool
	hasDef    bool // DEFAULT or identity
	generated bool
}

type table struct {
	ident pgx.Identifier
	cols  []column
}

// lookupTable resolves DataTableName as PostgreSQL does (search_path,
// schema.table, "Quoted" names) and reads its columns.
func lookupTable(ctx context.Context, tx pgx.Tx, name string) (*table, error) {
	var schema, rel string
	var oid uint32
	err := tx.QueryRow(ctx, `SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = pg_catalog.to_regclass($1)`, name).Scan(&oid, &schema, &rel)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fail(CodeTableNotFound, fmt.Sprintf("table %q does not exist", name))
	}
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT a.attname, t.typname, t.typcategory::text, a.atttypmod, a.attnotnull,
		a.atthasdef OR a.attidentity <> '', a.attgenerated <> ''
		FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
		WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, oid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &table{ident: pgx.Identifier{schema, rel}}
	for rows.Next() {
		var c column
		var typ, cat string
		var typmod int32
		if err := rows.Scan(&c.name, &typ, &cat, &typmod, &c.notNull, &c.hasDef, &c.generated); err != nil {
			return nil, err
		}
		switch {
		case typ == "json" || typ == "jsonb":
			c.kind = kindJSON
		case typ == "timestamp":
			c.kind = kindTimestamp
		case typ == "timestamptz":
			c.kind = kindTimestampTZ
		case typ == "date":
			c.kind = kindDate
		case typ == "bool":
			c.kind = kindBool
		case cat == "S": // text, varchar, bpchar, name, citext
			c.kind = kindChar
			if (typ == "varchar" || typ == "bpchar") && typmod > 4 {
				c.maxLen = int(typmod - 4)
			}
		}
		t.cols = append(t.cols, c)
	}
	return t, rows.Err()
}

// resolve answers the table columns named by DataTableColumns (matched
// exactly, then case-insensitively), or nil for "all".
func (t *table) resolve(names []string) ([]int, error) {
	if names == nil {
		return nil, nil
	}
	idx := make([]int, 0, len(names))
	for _, n := range names {
		i := t.find(n)
		if i < 0 {
			return nil, fail(CodeColumnNotFound, fmt.Sprintf("column %q of DataTableColumns does not exist in table %s", n, t.ident.Sanitize()))
		}
		if t.cols[i].generated {
			return nil, fail(CodeColumnNotFound, fmt.Sprintf("column %q is generated and cannot be loaded", n))
		}
		idx = append(idx, i)
	}
	return idx, nil
}

func (t *table) find(name string) int {
	for i, c := range t.cols {
		if c.name == name {
			return i
		}
	}
	for i, c := range t.cols {
		if strings.EqualFold(c.name, name) {
			return i
		}
	}
	return -1
}

// checkMissing fails when a NOT NULL column without a default is left out
// of the column list.
func (t *table) checkMissing(list []int) error {
	in := make(map[int]bool, len(list))
	for _, i := range list {
		in[i] = true
	}
	for i, c := range t.cols {
		if c.notNull && !c.hasDef && !c.generated && !in[i] {
			return fail(CodeMissingColumn, fmt.Sprintf("column %q is NOT NULL without a DEFAULT and not in the column list", c.name))
		}
	}
	return nil
}

// loadable is every column that can be loaded (not generated).
func (t *table) loadable() []int {
	var l []int
	for i, c := range t.cols {
		if !c.generated {
			l = append(l, i)
		}
	}
	return l
}

// batchRows is a batch as PostgreSQL's text COPY format, with the record
// each line came from.
type batchRows struct {
	cols   []int
	buf    bytes.Buffer
	record []int // record index of each row
}

// rowError is a record that cannot be loaded.
func rowError(b dest.Batch, rec int, format string, a ...any) error {
	return fail(CodeDataLoadFailed, fmt.Sprintf("record %d (id %s): %s", rec+1, b.Records[rec].ID, fmt.Sprintf(format, a...)))
}

// field is one value before it is written: null, or text.
type field struct {
	null bool
	text string
	// quoted: the value was quoted (CSV) or a JSON string, so it is
	// never the NULL AS text.
	quoted bool
	// number: a JSON number (read as epoch seconds by timestamp columns
	// under TIMEFORMAT 'auto' or none).
	number bool
}

// put writes one value for column c into the COPY text.
func (r *batchRows) put(o *CopyOptions, c *column, f field, first bool) error {
	if !first {
		r.buf.WriteByte('\t')
	}
	v, null, err := prepare(o, c, f)
	if err != nil {
		return err
	}
	if null {
		r.buf.WriteString(`\N`)
		return nil
	}
	if strings.IndexByte(v, 0) >= 0 {
		return fmt.Errorf("column %q: the value holds a NUL character", c.name)
	}
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; ch {
		case '\\':
			r.buf.WriteString(`\\`)
		case '\t':
			r.buf.WriteString(`\t`)
		case '\n':
			r.buf.WriteString(`\n`)
		case '\r':
			r.buf.WriteString(`\r`)
		default:
			r.buf.WriteByte(ch)
		}
	}
	return nil
}

// prepare applies the COPY options Redshift applies to a value of column
// c: blank fields of non-character columns are NULL; EMPTYASNULL,
// BLANKSASNULL, TRIMBLANKS and TRUNCATECOLUMNS for character columns;
// epoch numbers for timestamps.
func prepare(o *CopyOptions, c *column, f field) (string, bool, error) {
	if f.null {
		return "", true, nil
	}
	v := f.text
	blank := strings.TrimSpace(v) == ""
	if c.kind != kindChar && blank {
		return "", true, nil
	}
	switch c.kind {
	case kindChar:
		if o.EmptyAsNull && v == "" {
			return "", true, nil
		}
		if o.BlanksAsNull && blank && v != "" {
			return "", true, nil
		}
		if o.TrimBlanks {
			v = strings.TrimRight(v, " ")
		}
		if c.maxLen > 0 && o.TruncateColumns && utf8.RuneCountInString(v) > c.maxLen {
			v = truncate(v, c.maxLen)
		}
	case kindTimestamp, kindTimestampTZ, kindDate:
		format := strings.ToLower(o.TimeFormat)
		if c.kind == kindDate && o.DateFormat != "" {
			format = strings.ToLower(o.DateFormat)
		}
		if t, ok, err := epoch(format, v, f.number); err != nil {
			return "", false, fmt.Errorf("column %q: %v", c.name, err)
		} else if ok {
			v = t.UTC().Format("2006-01-02 15:04:05.999999Z07:00")
		}
	}
	return v, false, nil
}

func truncate(s string, n int) string {
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// epoch reads a number as epoch seconds (TIMEFORMAT 'epochsecs', and
// 'auto' or no format for bare numbers) or milliseconds ('epochmillisecs').
func epoch(format, v string, number bool) (time.Time, bool, error) {
	ms := false
	switch format {
	case "epochmillisecs":
		ms = true
	case "epochsecs":
	case "auto", "":
		if !number {
			return time.Time{}, false, nil
		}
	default:
		return time.Time{}, false, nil
	}
	f, ok := new(big.Float).SetString(strings.TrimSpace(v))
	if !ok {
		if format == "auto" || format == "" {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, fmt.Errorf("%q is not an epoch number", v)
	}
	x, _ := f.Float64()
	if ms {
		x /= 1000
	}
	if math.IsInf(x, 0) || math.Abs(x) > 1e12 {
		return time.Time{}, false, fmt.Errorf("%q is out of range for a timestamp", v)
	}
	sec, frac := math.Modf(x)
	return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1000), true, nil
}

// joined answers the batch's data as lines (each record ends with a
// newline; one is added to a record without), with each byte's record.
func joined(b dest.Batch) ([]byte, []int) {
	var data []byte
	var owner []int
	for i, r := range b.Records {
		d := r.Data
		data = append(data, d...)
		n := len(d)
		if n == 0 || d[n-1] != '\n' {
			data = append(data, '\n')
			n++
		}
		for range n {
			owner = append(owner, i)
		}
	}
	return data, owner
}

// buildJSON reads JSON 'auto' records: each record holds JSON objects
// (any number, separated by white space); members are matched to columns
// by name, exactly or else case-insensitively. Without DataTableColumns
// the columns are the table's, less those with a default that no object
// names (so defaults and identities fill them).
func buildJSON(b dest.Batch, t *table, list []int, o *CopyOptions) (*batchRows, error) {
	type obj struct {
		rec  int
		vals map[int]json.RawMessage
	}
	var objs []obj
	byName := map[string]int{}
	for i := len(t.cols) - 1; i >= 0; i-- { // exact names win over folded ones
		byName[strings.ToLower(t.cols[i].name)] = i
	}
	for i := range t.cols {
		byName[t.cols[i].name] = i
	}
	named := map[int]bool{}
	for ri, r := range b.Records {
		dec := json.NewDecoder(bytes.NewReader(r.Data))
		for {
			var m map[string]json.RawMessage
			err := dec.Decode(&m)
			if err == io.EOF {
				break
			}
			if err != nil {
				var te *json.UnmarshalTypeError
				if errors.As(err, &te) {
					return nil, rowError(b, ri, "invalid JSON object: a JSON object is expected, not %s", te.Value)
				}
				return nil, rowError(b, ri, "invalid JSON object: %v", err)
			}
			if m == nil {
				return nil, rowError(b, ri, "a JSON object is expected, not null")
			}
			vals := map[int]json.RawMessage{}
			for k, v := range m {
				ci, ok := byName[k]
				if !ok {
					ci, ok = byName[strings.ToLower(k)]
				}
				if !ok {
					continue // members without a column are ignored, as with 'auto'
				}
				vals[ci] = v
				named[ci] = true
			}
			objs = append(objs, obj{rec: ri, vals: vals})
		}
	}
	if list == nil {
		for _, i := range t.loadable() {
			if named[i] || !t.cols[i].hasDef {
				list = append(list, i)
			}
		}
	}
	if err := t.checkMissing(list); err != nil {
		return nil, err
	}
	rows := &batchRows{cols: list}
	for _, ob := range objs {
		for j, ci := range list {
			f, err := jsonField(ob.vals[ci], t.cols[ci].kind)
			if err == nil {
				err = rows.put(o, &t.cols[ci], f, j == 0)
			}
			if err != nil {
				return nil, rowError(b, ob.rec, "column %q: %v", t.cols[ci].name, err)
			}
		}
		rows.buf.WriteByte('\n')
		rows.record = append(rows.record, ob.rec)
	}
	return rows, nil
}

// jsonField turns a JSON value into a column value: null or missing is
// NULL; strings are their text; numbers and booleans their literal;
// objects and arrays their JSON text. JSON columns take every value as
// JSON text.
func jsonField(raw json.RawMessage, k kind) (field, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return field{null: true}, nil
	}
	if k == kindJSON {
		return field{text: string(raw), quoted: true}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return field{}, err
		}
		return field{text: s, quoted: true}, nil
	}
	return field{text: string(raw), number: raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')}, nil
}

// buildText reads delimited text (Text) or CSV records. Without
// DataTableColumns the fields fill the table's loadable columns in order.
func buildText(b dest.Batch, t *table, list []int, o *CopyOptions) (*batchRows, error) {
	if list == nil {
		list = t.loadable()
	}
	if err := t.checkMissing(list); err != nil {
		return nil, err
	}
	data, owner := joined(b)
	rows := &batchRows{cols: list}
	p := &lineParser{data: data, o: o}
	skip := o.IgnoreHeader
	for !p.done() {
		start := p.pos
		fields, err := p.row()
		rec := owner[start]
		if err != nil {
			return nil, rowError(b, rec, "%v", err)
		}
		if skip > 0 {
			skip--
			continue
		}
		if o.IgnoreBlankLines && len(fields) == 1 && !fields[0].quoted && fields[0].text == "" {
			continue
		}
		if len(fields) < len(list) {
			if !o.FillRecord {
				return nil, rowError(b, rec, "Delimiter not found: %d fields for %d columns", len(fields), len(list))
			}
			for len(fields) < len(list) {
				fields = append(fields, field{null: true})
			}
		}
		if len(fields) > len(list) {
			return nil, rowError(b, rec, "Extra column(s) found: %d fields for %d columns", len(fields), len(list))
		}
		for j, ci := range list {
			if err := rows.put(o, &t.cols[ci], fields[j], j == 0); err != nil {
				return nil, rowError(b, rec, "%v", err)
			}
		}
		rows.buf.WriteByte('\n')
		rows.record = append(rows.record, rec)
	}
	return rows, nil
}

// lineParser splits delimited text or CSV into rows of fields.
type lineParser struct {
	data []byte
	pos  int
	o    *CopyOptions
}

func (p *lineParser) done() bool { return p.pos >= len(p.data) }

func (p *lineParser) row() ([]field, error) {
	if p.o.Format == CSV {
		return p.csvRow()
	}
	return p.textRow()
}

// textRow reads one line of Redshift delimited text: ESCAPE makes a
// backslash take the next character (delimiter, newline, backslash)
// literally; REMOVEQUOTES strips the double quotes around a field and
// keeps delimiters inside them; a field that is exactly the NULL AS text
// is NULL.
func (p *lineParser) textRow() ([]field, error) {
	var fields []field
	var cur, raw strings.Builder
	quoted := false
	inQuotes := false
	atStart := true
	d := p.o.Delimiter
	end := func() {
		f := field{text: cur.String(), quoted: quoted}
		if !quoted && raw.String() == p.o.Null {
			f = field{null: true}
		}
		fields = append(fields, f)
		cur.Reset()
		raw.Reset()
		quoted, atStart = false, true
	}
	for p.pos < len(p.data) {
		r, size := utf8.DecodeRune(p.data[p.pos:])
		if r == utf8.RuneError && size == 1 {
			// Keep invalid UTF-8 as it is: PostgreSQL refuses it, as
			// Redshift does without ACCEPTINVCHARS.
			cur.WriteByte(p.data[p.pos])
			raw.WriteByte(p.data[p.pos])
			p.pos++
			atStart = false
			continue
		}
		p.pos += size
		switch {
		case p.o.Escape && r == '\\' && p.pos < len(p.data):
			n, s2 := utf8.DecodeRune(p.data[p.pos:])
			p.pos += s2
			cur.WriteRune(n)
			raw.WriteRune(r)
			raw.WriteRune(n)
			atStart = false
		case p.o.RemoveQuotes && r == '"' && atStart && !inQuotes:
			inQuotes, quoted, atStart = true, true, false
		case inQuotes && r == '"':
			inQuotes = false
		case inQuotes:
			cur.WriteRune(r)
		case r == '\n':
			end()
			return fields, nil
		case r == d:
			end()
		default:
			if r == '\r' && p.pos < len(p.data) && p.data[p.pos] == '\n' {
				continue // CRLF
			}
			cur.WriteRune(r)
			raw.WriteRune(r)
			atStart = false
		}
	}
	if inQuotes {
		return nil, errors.New("unterminated quoted field")
	}
	end()
	return fields, nil
}

// csvRow reads one CSV row: fields may be quoted (the quote character
// doubled inside), quoted fields may hold delimiters and newlines; an
// unquoted field that is exactly the NULL AS text is NULL.
func (p *lineParser) csvRow() ([]field, error) {
	var fields []field
	var cur strings.Builder
	q, d := p.o.Quote, p.o.Delimiter
	quoted, inQuotes, atStart := false, false, true
	end := func() {
		f := field{text: cur.String(), quoted: quoted}
		if !quoted && f.text == p.o.Null {
			f = field{null: true}
		}
		fields = append(fields, f)
		cur.Reset()
		quoted, atStart = false, true
	}
	for p.pos < len(p.data) {
		r, size := utf8.DecodeRune(p.data[p.pos:])
		if r == utf8.RuneError && size == 1 {
			cur.WriteByte(p.data[p.pos])
			p.pos++
			atStart = false
			continue
		}
		p.pos += size
		switch {
		case inQuotes && r == q:
			if p.pos < len(p.data) {
				if n, s2 := utf8.DecodeRune(p.data[p.pos:]); n == q {
					p.pos += s2
					cur.WriteRune(q)
					continue
				}
			}
			inQuotes = false
		case inQuotes:
			cur.WriteRune(r)
		case r == q && atStart:
			inQuotes, quoted, atStart = true, true, false
		case r == '\n':
			end()
			return fields, nil
		case r == d:
			end()
		default:
			if r == '\r' && p.pos < len(p.data) && p.data[p.pos] == '\n' {
				continue
			}
			cur.WriteRune(r)
			atStart = false
		}
	}
	if inQuotes {
		return nil, errors.New("unterminated quoted field (missing closing quote)")
	}
	end()
	return fields, nil
}

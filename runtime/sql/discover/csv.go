package discover

import (
	"strconv"
	"strings"
)

// columnDelimiters are the column delimiters discovery tries, in order of
// preference.
var columnDelimiters = []string{",", "\t", "|", ";"}

// rowDelimiter is "\r\n" when the samples use it (as AWS answers for a
// CRLF file), else "\n".
func rowDelimiter(samples []string) string {
	for _, s := range samples {
		if strings.Contains(s, "\r\n") {
			return "\r\n"
		}
	}
	return "\n"
}

// splitRows splits samples into rows, leaving out empty lines.
func splitRows(samples []string, rowDelim string) []string {
	var rows []string
	for _, s := range samples {
		for _, line := range strings.Split(s, rowDelim) {
			if rowDelim == "\r\n" {
				line = strings.TrimSuffix(line, "\n")
			}
			if line != "" {
				rows = append(rows, line)
			}
		}
	}
	return rows
}

// splitFields splits a row at delim; a field that starts with '"' is
// quoted ("" stands for one quote) and may contain delim.
func splitFields(row, delim string) []string {
	var out []string
	for {
		if strings.HasPrefix(row, `"`) {
			var b strings.Builder
			i := 1
			closed := false
			for i < len(row) {
				if row[i] == '"' {
					if i+1 < len(row) && row[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					closed = true
					i++
					break
				}
				b.WriteByte(row[i])
				i++
			}
			if closed && (i == len(row) || strings.HasPrefix(row[i:], delim)) {
				out = append(out, b.String())
				if i == len(row) {
					return out
				}
				row = row[i+len(delim):]
				continue
			}
			// Not a well-formed quoted field: read it as plain text.
		}
		j := strings.Index(row, delim)
		if j < 0 {
			return append(out, row)
		}
		out = append(out, row[:j])
		row = row[j+len(delim):]
	}
}

// pickDelimiter returns the first delimiter that splits every row into the
// same number (at least 2) of fields. Failing that, the delimiter whose
// most common field count (at least 2) covers the most rows, if at least
// 80% of them: other rows are cut or padded with empty (null) fields to that
// count. Failing that too, each row is one column, with a delimiter that
// occurs in no row (or ",").
func pickDelimiter(rows []string) (delim string, fields [][]string) {
	best, bestN, bestCover := "", 0, 0
	for _, d := range columnDelimiters {
		fs := make([][]string, len(rows))
		counts := map[int]int{}
		for i, r := range rows {
			fs[i] = splitFields(r, d)
			counts[len(fs[i])]++
		}
		mode, cover := 0, 0
		for n, c := range counts {
			if c > cover || c == cover && n > mode {
				mode, cover = n, c
			}
		}
		if mode < 2 {
			continue
		}
		if cover == len(rows) {
			return d, fs
		}
		if cover > bestCover {
			best, bestN, bestCover = d, mode, cover
		}
	}
	if best != "" && bestCover*5 >= len(rows)*4 {
		fields = make([][]string, len(rows))
		for i, r := range rows {
			f := splitFields(r, best)
			if len(f) > bestN {
				f = f[:bestN]
			}
			for len(f) < bestN {
				f = append(f, "")
			}
			fields[i] = f
		}
		return best, fields
	}
	delim = ","
	for _, d := range columnDelimiters {
		in := false
		for _, r := range rows {
			if strings.Contains(r, d) {
				in = true
				break
			}
		}
		if !in {
			delim = d
			break
		}
	}
	fields = make([][]string, len(rows))
	for i, r := range rows {
		fields[i] = []string{r}
	}
	return delim, fields
}

// hasHeader decides whether the first row names the columns, as a
// sniffer does: a column whose other values are all numbers or booleans
// votes for a header when the first row's value does not convert to that
// type and against when it does.
func hasHeader(rows [][]string) bool {
	if len(rows) < 2 {
		return false
	}
	votes := 0
	for c := range rows[0] {
		var acc typeAcc
		for _, r := range rows[1:] {
			acc.add(value{classifyField(r[c]), r[c]})
		}
		t := acc.sqlType()
		if strings.HasPrefix(t, "VARCHAR") || rows[0][c] == "" {
			continue
		}
		if fits(rows[0][c], t) {
			votes--
		} else {
			votes++
		}
	}
	return votes > 0
}

// csvResult infers a CSV schema from rows of fields.
func csvResult(fields [][]string, colDelim, rowDelim string) (*SourceSchema, [][]*string) {
	n := len(fields[0])
	if n > MaxColumns {
		n = MaxColumns
	}
	header := hasHeader(fields)
	data := fields
	if header {
		data = fields[1:]
	}
	accs := make([]typeAcc, n)
	for _, r := range data {
		for c := 0; c < n; c++ {
			accs[c].add(value{classifyField(r[c]), r[c]})
		}
	}
	taken := map[string]bool{}
	rc := make([]RecordColumn, n)
	for c := 0; c < n; c++ {
		name := "COL_" + strconv.Itoa(c+1)
		if header {
			name = columnName(fields[0][c], c)
		}
		name = uniqueName(name, taken)
		taken[name] = true
		rc[c] = RecordColumn{Name: name, SqlType: accs[c].sqlType()}
	}
	// AWS's documented answer lists the header row among the parsed rows,
	// with null where its text does not convert to the column's type.
	parsed := make([][]*string, len(fields))
	for i, r := range fields {
		out := make([]*string, n)
		for c := 0; c < n; c++ {
			if r[c] != "" && fits(r[c], rc[c].SqlType) {
				out[c] = ptr(r[c])
			}
		}
		parsed[i] = out
	}
	return &SourceSchema{
		RecordColumns:  rc,
		RecordEncoding: ptr(Encoding),
		RecordFormat: &RecordFormat{
			RecordFormatType: FormatCSV,
			MappingParameters: &MappingParameters{CSVMappingParameters: &CSVMappingParameters{
				RecordColumnDelimiter: colDelim,
				RecordRowDelimiter:    rowDelim,
			}},
		},
	}, parsed
}

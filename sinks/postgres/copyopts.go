package postgres

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format is the data format a COPY reads.
type Format int

// Formats.
const (
	// Text is Redshift's default: one row per line, fields split by a
	// delimiter ('|' unless DELIMITER says otherwise).
	Text Format = iota
	// CSV is comma-separated values with quoting (CSV, FORMAT AS CSV).
	CSV
	// JSON is JSON 'auto': each record holds JSON objects whose members
	// are matched to columns by name.
	JSON
)

// CopyOptions is what kinesin understands of a CopyCommand's CopyOptions.
type CopyOptions struct {
	Format Format
	// Delimiter separates fields (Text, CSV).
	Delimiter rune
	// Quote is CSV's quote character ('"' by default).
	Quote rune
	// Escape: a backslash escapes the next character (Text).
	Escape bool
	// RemoveQuotes strips surrounding double quotes of fields (Text).
	RemoveQuotes bool
	// Null is the field text loaded as NULL (default \N).
	Null string
	// IgnoreHeader is how many lines to skip at the start of the batch.
	IgnoreHeader     int
	EmptyAsNull      bool
	BlanksAsNull     bool
	TruncateColumns  bool
	TrimBlanks       bool
	FillRecord       bool
	IgnoreBlankLines bool
	// TimeFormat and DateFormat as given ("" for the default).
	// 'epochsecs' and 'epochmillisecs' turn numbers into timestamps;
	// other formats (and 'auto') leave the text to PostgreSQL's date/time
	// input, which reads ISO 8601 and the common forms 'auto' reads.
	TimeFormat, DateFormat string
	// NoLoad checks the data without loading it.
	NoLoad bool
	// Ignored lists the options accepted without effect (compression:
	// the records reach kinesin uncompressed; tuning options).
	Ignored []string
}

// optionError is a CopyOptions problem, worded as the Redshift error
// Firehose reports for it.
type optionError struct {
	code string // Redshift.SyntaxError or Redshift.IncorrectCopyOptions
	msg  string
}

func (e *optionError) Error() string { return e.msg }

func syntaxErr(format string, a ...any) error {
	return &optionError{code: CodeSyntaxError, msg: fmt.Sprintf(format, a...)}
}

func incorrect(format string, a ...any) error {
	return &optionError{code: CodeIncorrectCopyOptions, msg: fmt.Sprintf(format, a...)}
}

type token struct {
	text   string
	quoted bool
}

// tokens splits CopyOptions into words and quoted strings. Inside a
// string a doubled quote stands for one; backslash sequences are kept for
// unescape.
func tokens(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';':
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(s) {
				if s[j] == '\\' && j+1 < len(s) {
					b.WriteByte(s[j])
					b.WriteByte(s[j+1])
					j += 2
					continue
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteByte(s[j])
				j++
			}
			if !closed {
				return nil, syntaxErr("unterminated quoted string in CopyOptions")
			}
			out = append(out, token{text: b.String(), quoted: true})
			i = j
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r,;'", rune(s[j])) {
				j++
			}
			out = append(out, token{text: s[i:j]})
			i = j
		}
	}
	return out, nil
}

// unescape reads the backslash sequences Redshift reads in option strings:
// \t \n \r \\ \' and octal \ooo.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case '0', '1', '2', '3':
			if i+2 < len(s) && isOct(s[i+1]) && isOct(s[i+2]) {
				n, _ := strconv.ParseUint(s[i:i+3], 8, 8)
				b.WriteByte(byte(n))
				i += 2
			} else {
				b.WriteByte('\\')
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isOct(c byte) bool { return c >= '0' && c <= '7' }

// ParseCopyOptions reads Redshift COPY options as Firehose users write
// them in CopyCommand.CopyOptions, e.g. "json 'auto'", "format as json
// 'auto ignorecase'", "csv delimiter ';' ignoreheader 1", "delimiter '|'
// emptyasnull blanksasnull truncatecolumns timeformat 'auto' gzip".
//
// Understood: FORMAT [AS] JSON|CSV, JSON [AS] 'auto'|'auto ignorecase',
// CSV [QUOTE [AS] 'c'], DELIMITER [AS] 'c', ESCAPE, REMOVEQUOTES, NULL [AS]
// 's', IGNOREHEADER [AS] n, EMPTYASNULL, BLANKSASNULL, TRUNCATECOLUMNS,
// TRIMBLANKS, FILLRECORD, IGNOREBLANKLINES, TIMEFORMAT [AS] 'f',
// DATEFORMAT [AS] 'f', NOLOAD, ENCODING [AS] UTF8.
// Accepted and ignored: GZIP, LZOP, BZIP2, ZSTD (records arrive
// uncompressed), MAXERROR (any bad row fails the load, as with the
// default MAXERROR 0), ACCEPTINVCHARS, ACCEPTANYDATE, EXPLICIT_IDS,
// ROUNDEC, COMPUPDATE, STATUPDATE, COMPROWS, REGION, MANIFEST, ENCRYPTED.
// Not supported (Redshift.IncorrectCopyOptions at delivery): JSON with a
// JSONPaths file, FIXEDWIDTH, AVRO, PARQUET, ORC, SHAPEFILE, other
// encodings.
func ParseCopyOptions(s string) (CopyOptions, error) {
	o := CopyOptions{Delimiter: 0, Quote: '"', Null: `\N`}
	toks, err := tokens(s)
	if err != nil {
		return o, err
	}
	formatSet := false
	setFormat := func(f Format, name string) error {
		if formatSet && o.Format != f {
			return incorrect("conflicting data formats in CopyOptions (%s)", name)
		}
		o.Format, formatSet = f, true
		return nil
	}
	i := 0
	next := func() (token, bool) {
		if i < len(toks) {
			t := toks[i]
			i++
			return t, true
		}
		return token{}, false
	}
	// value reads an option's argument, skipping an optional AS.
	value := func(opt string, wantQuoted bool) (token, error) {
		t, ok := next()
		if ok && !t.quoted && strings.EqualFold(t.text, "as") {
			t, ok = next()
		}
		if !ok {
			return t, syntaxErr("%s needs a value", strings.ToUpper(opt))
		}
		if wantQuoted && !t.quoted {
			return t, syntaxErr("%s needs a quoted value, as in %s '…'", strings.ToUpper(opt), strings.ToUpper(opt))
		}
		return t, nil
	}
	// optionalValue reads an argument if the next token is a quoted
	// string (ACCEPTINVCHARS [AS 'c']).
	optionalValue := func() {
		if i < len(toks) && !toks[i].quoted && strings.EqualFold(toks[i].text, "as") {
			i++
		}
		if i < len(toks) && toks[i].quoted {
			i++
		}
	}
	char := func(opt string, t token) (rune, error) {
		v := unescape(t.text)
		r, n := utf8.DecodeRuneInString(v)
		if n == 0 || n != len(v) || r == utf8.RuneError || r == '\n' || r == '\r' {
			return 0, incorrect("%s must be a single character, not %q", strings.ToUpper(opt), v)
		}
		return r, nil
	}
	// format sets the data format "json" or "csv" (FORMAT AS JSON and JSON
	// alike) and reads its optional argument.
	format := func(f string) error {
		if f == "json" {
			if err := setFormat(JSON, "JSON"); err != nil {
				return err
			}
			return jsonArg(&o, toks, &i)
		}
		if err := setFormat(CSV, "CSV"); err != nil {
			return err
		}
		return quoteArg(&o, toks, &i, char)
	}
	for {
		t, ok := next()
		if !ok {
			break
		}
		if t.quoted {
			return o, syntaxErr("unexpected string '%s' in CopyOptions", t.text)
		}
		word := strings.ToLower(t.text)
		switch word {
		case "format":
			v, err := value(word, false)
			if err != nil {
				return o, err
			}
			switch f := strings.ToLower(v.text); f {
			case "json", "csv":
				if err := format(f); err != nil {
					return o, err
				}
			case "avro", "parquet", "orc", "shapefile", "fixedwidth", "rcfile", "sequencefile", "textfile":
				return o, incorrect("FORMAT AS %s is not supported by kinesin (JSON and CSV are, and delimited text)", strings.ToUpper(f))
			default:
				return o, syntaxErr("unknown FORMAT %q", v.text)
			}
		case "json", "csv":
			if err := format(word); err != nil {
				return o, err
			}
		case "delimiter":
			v, err := value(word, true)
			if err != nil {
				return o, err
			}
			if o.Delimiter, err = char(word, v); err != nil {
				return o, err
			}
		case "null":
			v, err := value(word, true)
			if err != nil {
				return o, err
			}
			o.Null = unescape(v.text)
		case "ignoreheader":
			v, err := value(word, false)
			if err != nil {
				return o, err
			}
			n, err := strconv.Atoi(v.text)
			if err != nil || n < 0 {
				return o, syntaxErr("IGNOREHEADER needs a number of lines, not %q", v.text)
			}
			o.IgnoreHeader = n
		case "timeformat", "dateformat":
			v, err := value(word, true)
			if err != nil {
				return o, err
			}
			if word == "timeformat" {
				o.TimeFormat = v.text
			} else {
				o.DateFormat = v.text
			}
		case "encoding":
			v, err := value(word, false)
			if err != nil {
				return o, err
			}
			if e := strings.ToLower(v.text); e != "utf8" && e != "utf-8" {
				return o, incorrect("ENCODING %s is not supported by kinesin (records are loaded as UTF-8)", v.text)
			}
		case "escape":
			o.Escape = true
		case "removequotes":
			o.RemoveQuotes = true
		case "emptyasnull":
			o.EmptyAsNull = true
		case "blanksasnull":
			o.BlanksAsNull = true
		case "truncatecolumns":
			o.TruncateColumns = true
		case "trimblanks":
			o.TrimBlanks = true
		case "fillrecord":
			o.FillRecord = true
		case "ignoreblanklines":
			o.IgnoreBlankLines = true
		case "noload":
			o.NoLoad = true
		case "gzip", "lzop", "bzip2", "zstd", "explicit_ids", "acceptanydate", "roundec", "manifest", "encrypted":
			o.Ignored = append(o.Ignored, strings.ToUpper(word))
		case "acceptinvchars":
			optionalValue()
			o.Ignored = append(o.Ignored, "ACCEPTINVCHARS")
		case "maxerror", "comprows":
			if _, err := value(word, false); err != nil {
				return o, err
			}
			o.Ignored = append(o.Ignored, strings.ToUpper(word))
		case "region", "iam_role", "credentials", "access_key_id", "secret_access_key", "session_token":
			if _, err := value(word, false); err != nil {
				return o, err
			}
			o.Ignored = append(o.Ignored, strings.ToUpper(word))
		case "compupdate", "statupdate":
			if i < len(toks) && !toks[i].quoted {
				switch strings.ToLower(toks[i].text) {
				case "on", "off", "true", "false", "preset":
					i++
				}
			}
			o.Ignored = append(o.Ignored, strings.ToUpper(word))
		case "fixedwidth", "avro", "parquet", "orc", "shapefile", "readratio", "ssh":
			return o, incorrect("%s is not supported by kinesin (JSON 'auto', CSV and delimited text are)", strings.ToUpper(word))
		default:
			return o, syntaxErr("unknown COPY option %q", t.text)
		}
	}
	if o.Format == JSON && (o.Delimiter != 0 || o.Escape || o.RemoveQuotes || o.FillRecord || o.IgnoreHeader > 0) {
		return o, incorrect("JSON cannot be used with DELIMITER, ESCAPE, REMOVEQUOTES, FILLRECORD or IGNOREHEADER")
	}
	if o.Format == CSV && (o.Escape || o.RemoveQuotes) {
		return o, incorrect("CSV cannot be used with ESCAPE or REMOVEQUOTES")
	}
	if o.Delimiter == 0 {
		o.Delimiter = '|'
		if o.Format == CSV {
			o.Delimiter = ','
		}
	}
	if o.Format == CSV && o.Delimiter == o.Quote {
		return o, incorrect("the CSV delimiter and quote character must differ")
	}
	if o.Escape && o.Delimiter == '\\' {
		return o, incorrect("the delimiter cannot be a backslash with ESCAPE")
	}
	return o, nil
}

// jsonArg reads JSON's argument: 'auto' or 'auto ignorecase'.
func jsonArg(o *CopyOptions, toks []token, i *int) error {
	if *i < len(toks) && !toks[*i].quoted && strings.EqualFold(toks[*i].text, "as") {
		*i++
	}
	if *i >= len(toks) || !toks[*i].quoted {
		return syntaxErr("JSON needs an argument: 'auto', 'auto ignorecase' or a JSONPaths file")
	}
	arg := strings.Join(strings.Fields(strings.ToLower(toks[*i].text)), " ")
	*i++
	switch arg {
	case "auto", "auto ignorecase":
		return nil
	case "noshred":
		return incorrect("JSON 'noshred' is not supported by kinesin (JSON 'auto' is)")
	default:
		return incorrect("JSON with a JSONPaths file is not supported by kinesin (JSON 'auto' is)")
	}
}

// quoteArg reads CSV's optional QUOTE [AS] 'c'.
func quoteArg(o *CopyOptions, toks []token, i *int, char func(string, token) (rune, error)) error {
	if *i >= len(toks) || toks[*i].quoted || !strings.EqualFold(toks[*i].text, "quote") {
		return nil
	}
	*i++
	if *i < len(toks) && !toks[*i].quoted && strings.EqualFold(toks[*i].text, "as") {
		*i++
	}
	if *i >= len(toks) || !toks[*i].quoted {
		return syntaxErr("QUOTE needs a quoted character")
	}
	q, err := char("quote", toks[*i])
	*i++
	if err != nil {
		return err
	}
	o.Quote = q
	return nil
}

// parseColumnList reads DataTableColumns: comma-separated names, each
// plain (matched case-insensitively) or "quoted".
func parseColumnList(s *string) ([]string, error) {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil, nil
	}
	var cols []string
	for _, part := range strings.Split(*s, ",") {
		name := strings.TrimSpace(part)
		if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
			name = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
		}
		if name == "" {
			return nil, fmt.Errorf("empty column name in %q", *s)
		}
		if strings.IndexFunc(name, func(r rune) bool { return r == 0 || !unicode.IsPrint(r) }) >= 0 {
			return nil, fmt.Errorf("bad column name %q", name)
		}
		cols = append(cols, name)
	}
	return cols, nil
}

package logparse

import (
	"fmt"
	"regexp"
	"strings"
)

// W3C predefined formats, by name (names compare case-insensitively with
// runs of blanks as one space). REFERRER is accepted as REFERER.
var w3cPredefined = map[string]string{
	"COMMON":            `%h %l %u %t "%r" %>s %b`,
	"COMMON WITH VHOST": `%v %h %l %u %t "%r" %>s %b`,
	"NCSA EXTENDED":     `%h %l %u %t "%r" %>s %b "%[Referer]i" "%[User-agent]i"`,
	"REFERER":           `%[Referer]i ---> %U`,
	"REFERRER":          `%[Referer]i ---> %U`,
	"AGENT":             `%[User-agent]i`,
}

// iisFields are the fields of Microsoft's IIS log format, in order, each
// followed by ", " and the last by ",".
var iisFields = []Type{
	Varchar1024,       // client IP address
	Varchar1024,       // user name
	Varchar1024,       // date
	Varchar1024,       // time
	Varchar1024,       // service and instance
	Varchar1024,       // server name
	Varchar1024,       // server IP address
	{Name: "BIGINT"},  // time taken
	{Name: "BIGINT"},  // client bytes sent
	{Name: "BIGINT"},  // server bytes sent
	{Name: "INTEGER"}, // service status code
	{Name: "INTEGER"}, // Windows status code
	Varchar1024,       // request type
	Varchar1024,       // target of operation
	Varchar1024,       // parameters
}

// W3CParser is a compiled W3C_LOG_PARSE format. Safe for concurrent use.
type W3CParser struct {
	re   *regexp.Regexp
	cols []Column
}

// CompileW3CLogParse compiles W3C_LOG_PARSE's format string: a predefined
// format name (COMMON, COMMON WITH VHOST, NCSA EXTENDED, REFERER, AGENT,
// IIS), a W3C extended "#Fields: f1 f2 ..." directive, or an Apache log
// format ("%h %l %u %t \"%r\" %>s %b"; headers and the like are written
// %[Name]i or %{Name}i). There is one column per specifier, COLUMN1..n.
func CompileW3CLogParse(format string) (*W3CParser, error) {
	name := strings.ToUpper(strings.Join(strings.Fields(format), " "))
	if name == "IIS" {
		return compileIIS(), nil
	}
	if f, ok := w3cPredefined[name]; ok {
		format = f
	}
	if rest, ok := strings.CutPrefix(strings.TrimSpace(format), "#Fields:"); ok {
		return compileW3CFields(rest)
	}
	p, err := compileApacheFormat(format)
	if err != nil {
		return nil, fmt.Errorf("logparse: W3C_LOG_PARSE: format %q: %w", format, err)
	}
	return p, nil
}

// W3CLogParse is W3C_LOG_PARSE(input, format) compiled and run at once.
func W3CLogParse(input, format string) (*Row, error) {
	p, err := CompileW3CLogParse(format)
	if err != nil {
		return nil, err
	}
	return p.Parse(input)
}

// Columns answers the columns every row of this parser has.
func (p *W3CParser) Columns() []Column { return append([]Column(nil), p.cols...) }

// Parse answers the row of one log line, or nil (NULL) when the line does
// not have the format's shape. A "-" in a numeric or timestamp column is
// NULL; text columns keep it as written.
func (p *W3CParser) Parse(input string) (*Row, error) {
	m := p.re.FindStringSubmatch(input)
	if m == nil {
		return nil, nil
	}
	row := &Row{Columns: p.cols, Values: make([]any, len(p.cols))}
	for i, c := range p.cols {
		text := m[i+1]
		present := !(text == "-" && c.Type.Name != "VARCHAR")
		v, err := convert(text, present, c)
		if err != nil {
			return nil, fmt.Errorf("logparse: W3C_LOG_PARSE: %w", err)
		}
		row.Values[i] = v
	}
	return row, nil
}

func compileIIS() *W3CParser {
	var b strings.Builder
	b.WriteString("^")
	for i := range iisFields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(.*?)")
	}
	b.WriteString(",?$")
	return &W3CParser{re: regexp.MustCompile(b.String()), cols: typedColumns(iisFields)}
}

func compileW3CFields(fields string) (*W3CParser, error) {
	names := strings.Fields(fields)
	if len(names) == 0 {
		return nil, fmt.Errorf("logparse: W3C_LOG_PARSE: #Fields directive lists no fields")
	}
	if len(names) > maxSpecColumns {
		return nil, fmt.Errorf("logparse: W3C_LOG_PARSE: more than %d fields", maxSpecColumns)
	}
	types := make([]Type, len(names))
	var b strings.Builder
	b.WriteString("^")
	for i := range names {
		types[i] = Varchar1024
		if i > 0 {
			b.WriteString(" +")
		}
		b.WriteString(`(\S*)`)
	}
	b.WriteString(" *$")
	return &W3CParser{re: regexp.MustCompile(b.String()), cols: typedColumns(types)}, nil
}

func typedColumns(types []Type) []Column {
	cols := columnN(len(types), Varchar1024)
	for i := range cols {
		cols[i].Type = types[i]
	}
	return cols
}

// compileApacheFormat turns an Apache LogFormat string into an anchored
// regular expression with one lazy group per specifier.
func compileApacheFormat(format string) (*W3CParser, error) {
	if len(format) > maxPatternLen {
		return nil, fmt.Errorf("longer than %d bytes", maxPatternLen)
	}
	var b strings.Builder
	var types []Type
	b.WriteString("^")
	for i := 0; i < len(format); {
		c := format[i]
		if c != '%' {
			j := strings.IndexByte(format[i:], '%')
			if j < 0 {
				j = len(format) - i
			}
			b.WriteString(regexp.QuoteMeta(format[i : i+j]))
			i += j
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			b.WriteString("%")
			i++
			continue
		}
		// modifiers: [!]status,status...  and < or >
		if i < len(format) && format[i] == '!' {
			i++
		}
		for i < len(format) && (format[i] >= '0' && format[i] <= '9' || format[i] == ',') {
			i++
		}
		for i < len(format) && (format[i] == '<' || format[i] == '>') {
			i++
		}
		arg := ""
		if i < len(format) && (format[i] == '{' || format[i] == '[') {
			closer := byte('}')
			if format[i] == '[' {
				closer = ']'
			}
			j := strings.IndexByte(format[i+1:], closer)
			if j < 0 {
				return nil, fmt.Errorf("unterminated %c at offset %d", format[i], i)
			}
			arg = format[i+1 : i+1+j]
			i += j + 2
		}
		if i >= len(format) {
			return nil, fmt.Errorf("format ends inside a specifier")
		}
		spec := format[i]
		i++
		t, ok := apacheType(spec, arg)
		if !ok {
			return nil, fmt.Errorf("unknown format specifier %%%c", spec)
		}
		types = append(types, t)
		b.WriteString("(.*?)")
		if len(types) > maxSpecColumns {
			return nil, fmt.Errorf("more than %d specifiers", maxSpecColumns)
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, err
	}
	return &W3CParser{re: re, cols: typedColumns(types)}, nil
}

// apacheType answers the column type of a specifier.
func apacheType(spec byte, arg string) (Type, bool) {
	switch spec {
	case 'b', 'D', 'T', 'I', 'O', 'k':
		return Type{Name: "BIGINT"}, true
	case 's', 'p', 'P':
		return Type{Name: "INTEGER"}, true
	case 'a', 'A', 'B', 'C', 'e', 'f', 'h', 'H', 'i', 'l', 'L', 'm', 'n', 'o', 'q', 'r', 'R', 't', 'u', 'U', 'v', 'V', 'X', 'c':
		return Varchar1024, true
	}
	return Type{}, false
}

package discover

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Options tunes Discover.
type Options struct {
	// Processed holds the records after the input processor (the
	// InputProcessingConfiguration's Lambda function) transformed them.
	// When set, the schema is inferred from them and they are answered as
	// ProcessedInputRecords; otherwise from the raw records.
	Processed [][]byte
}

// Unable-to-detect messages (kinesin's wording; AWS does not document its
// texts).
const (
	msgNoRecords = "No records were sampled from the streaming source; unable to detect a schema."
	msgNoSchema  = "Unable to detect a schema: the sampled records are neither UTF-8 JSON objects nor delimited text."
)

// Discover infers the input schema of sampled records as DiscoverInputSchema
// does. The error, when not nil, is an *UnableToDetectSchemaException.
func Discover(raw [][]byte, o Options) (*Result, error) {
	res := &Result{RawInputRecords: texts(raw)}
	src := raw
	if o.Processed != nil {
		res.ProcessedInputRecords = texts(o.Processed)
		src = o.Processed
	}
	fail := func(msg string) (*Result, error) {
		return nil, &UnableToDetectSchemaException{
			Message:               msg,
			RawInputRecords:       res.RawInputRecords,
			ProcessedInputRecords: res.ProcessedInputRecords,
		}
	}

	// Keep the UTF-8 records with content; strip a byte-order mark.
	var samples [][]byte
	for _, b := range src {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		if utf8.Valid(b) && len(bytes.TrimSpace(b)) > 0 {
			samples = append(samples, b)
		}
	}
	if len(samples) == 0 {
		if len(src) == 0 {
			return fail(msgNoRecords)
		}
		return fail(msgNoSchema)
	}

	// JSON when most samples are JSON objects; the others give no rows.
	js := &jsonSchema{index: map[string]int{}}
	objects := 0
	for _, b := range samples {
		objs, ok := parseJSONRows(b)
		if !ok {
			continue
		}
		objects++
		for _, obj := range objs {
			js.addRow(obj)
		}
	}
	if 2*objects > len(samples) {
		if len(js.cols) == 0 {
			return fail(msgNoSchema)
		}
		res.InputSchema, res.ParsedInputRecords = js.result()
		return res, nil
	}

	// Otherwise delimited text.
	strs := make([]string, len(samples))
	for i, b := range samples {
		strs[i] = string(b)
	}
	rowDelim := rowDelimiter(strs)
	rows := splitRows(strs, rowDelim)
	if len(rows) == 0 {
		return fail(msgNoSchema)
	}
	colDelim, fields := pickDelimiter(rows)
	res.InputSchema, res.ParsedInputRecords = csvResult(fields, colDelim, rowDelim)
	return res, nil
}

// texts turns records into the strings the API answers (invalid UTF-8
// replaced, as a JSON encoder would).
func texts(recs [][]byte) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = strings.ToValidUTF8(string(r), "\uFFFD")
	}
	return out
}

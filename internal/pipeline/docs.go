package pipeline

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// DocPath is where the generated reference lives, relative to the module
// root.
const DocPath = "docs/pipeline.md"

// Markdown renders the pipeline file reference (docs/pipeline.md) from the
// section and field declarations, so the documentation cannot drift from
// what Parse accepts. TestDoc keeps the checked-in file equal to it.
func Markdown() []byte {
	var b strings.Builder
	b.WriteString(docIntro)
	b.WriteString("\n## Sections\n\n")
	b.WriteString("| Section | Status | Description |\n|---|---|---|\n")
	for _, s := range sections {
		status := "supported"
		if !s.Implemented() {
			status = "not supported yet"
		}
		name := "`" + s.Name + "`"
		if s.Implemented() {
			name = "[" + name + "](#" + s.Name + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, status, cell(s.Doc))
	}
	for _, s := range sections {
		if !s.Implemented() {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n%s Each entry has these fields:\n\n", s.Name, s.Doc)
		b.WriteString("| Field | Type | Default | Constraints | Description |\n|---|---|---|---|---|\n")
		for _, f := range s.Fields {
			typ := f.Type.String()
			if f.Type == Structure && f.Shape.Kind() == reflect.Slice {
				typ = "list of mappings of members"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n",
				f.Name, typ, cell(defaultDoc(&f)), cell(constraints(&f)), cell(f.Doc))
		}
	}
	b.WriteString(docErrors())
	return []byte(b.String())
}

func defaultDoc(f *Field) string {
	switch {
	case f.DefaultDoc != "":
		return f.DefaultDoc
	case f.Required:
		return "required"
	case f.Default == nil:
		return "—"
	}
	switch v := f.Default.(type) {
	case string:
		return "`" + v + "`"
	case []string:
		if len(v) == 0 {
			return "none"
		}
		return "`" + strings.Join(v, "`, `") + "`"
	case map[string]string:
		if len(v) == 0 {
			return "none"
		}
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(v)) {
			kv = append(kv, k+"="+v[k])
		}
		return "`" + strings.Join(kv, ", ") + "`"
	}
	return fmt.Sprint(f.Default)
}

func constraints(f *Field) string {
	var cs []string
	if f.Type == Enum {
		vals := make([]string, len(f.Enum))
		for i, v := range f.Enum {
			vals[i] = "`" + v + "`"
		}
		cs = append(cs, "one of "+strings.Join(vals, ", "))
	}
	for _, c := range f.Checks {
		cs = append(cs, c.Doc)
	}
	if len(f.KeyChecks) > 0 {
		cs = append(cs, "keys "+checkDocs(f.KeyChecks))
	}
	if len(f.ValueChecks) > 0 {
		what := "values "
		if f.Type == StringList {
			what = "each "
		}
		cs = append(cs, what+checkDocs(f.ValueChecks))
	}
	if len(cs) == 0 {
		return "—"
	}
	return strings.Join(cs, "; ")
}

func checkDocs(cs []Check) string {
	docs := make([]string, len(cs))
	for i, c := range cs {
		docs[i] = c.Doc
	}
	return strings.Join(docs, ", ")
}

// cell escapes text for a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

const docIntro = `<!-- Generated from internal/pipeline/spec.go by "go generate ./internal/pipeline"; DO NOT EDIT. -->

# The pipeline file

A pipeline file declares the resources of a kinesin deployment in one YAML
document. ` + "`kinesin apply -f pipeline.yaml`" + ` makes a running server match it,
and ` + "`kinesin serve -f pipeline.yaml`" + ` applies it once the server is ready.

` + "```yaml" + `
streams:
  - name: orders
    shards: 4
    retention_hours: 48
    tags:
      team: checkout
  - name: clicks
    mode: on-demand
  - name: order-counts
functions:
  - name: enrich
    path: ./functions/enrich   # a Go main package, built to WebAssembly
    timeout: 10
    environment:
      STAGE: prod
event_source_mappings:
  - function: enrich           # invoke enrich with batches of orders' records
    stream: orders
    batch_size: 500
    filters:
      - '{"data":{"type":["order"]}}'
delivery_streams:
  - name: orders-to-lake       # deliver orders' records to S3 in gzipped objects
    source: orders
    extended_s3:               # AWS's ExtendedS3DestinationConfiguration members
      BucketARN: arn:aws:s3:::lake
      RoleARN: arn:aws:iam::000000000000:role/firehose
      Prefix: orders/
      BufferingHints: {SizeInMBs: 64, IntervalInSeconds: 60}
      CompressionFormat: GZIP
applications:
  - name: order-counts         # orders per customer and minute, in streaming SQL
    code_file: ./sql/order-counts.sql
    inputs:
      - Stream: orders         # read as SOURCE_SQL_STREAM_001, schema discovered
    outputs:
      - {Name: DESTINATION_SQL_STREAM, Stream: order-counts}
` + "```" + `

Applying is idempotent: kinesin compares each declared resource with what
the server has and only calls the APIs needed to close the gap, printing one
line per change; applying the same file again prints "no changes".
Resources that the file does not mention are never modified or deleted.
Apply goes through the same public API as any AWS SDK, so the server
validates every value a second time.

YAML anchors, aliases and merge keys (` + "`<<: *defaults`" + `) work as usual.
`

// docBadFile is parsed to show real error output in the reference.
const docBadFile = `streams:
  - name: orders
    shards: 0
    retention_hours: 10000
  - name: clicks
    mode: on-demand
    shard_count: 2
functions:
  - name: enrich
    timeout: 0
`

func docErrors() string {
	_, err := Parse("pipeline.yaml", []byte(docBadFile))
	return `
## Errors

Every problem is reported at once, one per line, as
` + "`FILE:LINE: PATH: MESSAGE`" + `. This file:

` + "```yaml\n" + docBadFile + "```" + `

gives:

` + "```\n" + err.Error() + "\n```" + `

Unknown sections and fields are errors, not warnings, so that a typo cannot
silently leave a setting at its default.
`
}

package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// renderApplications prints the applications of a parse result for the
// golden files of testdata/parse: the fields, then the inputs, outputs and
// reference tables as JSON with AWS's member names.
func renderApplications(b *bytes.Buffer, apps []Application) {
	for _, app := range apps {
		fmt.Fprintf(b, "application %q line=%d description=%q code_file=%q start=%t starting_position=%s tags=",
			app.Name, app.Line, app.Description, filepath.ToSlash(app.CodeFile), app.Start, app.StartingPosition)
		writeMap(b, app.Tags)
		b.WriteString("\n")
		if app.Code != "" {
			fmt.Fprintf(b, "  code: %q\n", app.Code)
		}
		for _, part := range []struct {
			name string
			v    any
		}{{"inputs", app.Inputs}, {"outputs", app.Outputs}, {"reference_data", app.References}} {
			j, err := json.Marshal(part.v)
			if err != nil {
				j = []byte(err.Error())
			}
			fmt.Fprintf(b, "  %s: %s\n", part.name, j)
		}
		if app.Tags == nil {
			b.WriteString("BUG: nil Tags\n")
		}
	}
}

// TestApplicationCodeFile checks what Load does with code_file: it reads
// the code, and reports a missing file at the pipeline file's line and a
// syntax error at the code file's line.
func TestApplicationCodeFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const pipe = `streams:
  - name: ticker
applications:
  - name: stats
    code_file: %s
    inputs:
      - Stream: ticker
        InputSchema:
          RecordFormat: {RecordFormatType: JSON, MappingParameters: {JSONMappingParameters: {RecordRowPath: $}}}
          RecordColumns: [{Name: TICKER, SqlType: VARCHAR(4), Mapping: $.ticker}]
`
	good := "CREATE STREAM \"D\" (ticker VARCHAR(4));\nCREATE PUMP \"P\" AS INSERT INTO \"D\" SELECT STREAM ticker FROM \"SOURCE_SQL_STREAM_001\";\n"
	write("good.sql", good)
	f, err := Load(write("good.yaml", fmt.Sprintf(pipe, "good.sql")))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Applications[0].Code; got != good {
		t.Errorf("Code = %q, want the file's", got)
	}

	_, err = Load(write("missing.yaml", fmt.Sprintf(pipe, "nope.sql")))
	if want := filepath.Join(dir, "missing.yaml") + ":5: applications[0].code_file: " + filepath.Join(dir, "nope.sql") + " does not exist"; err == nil || err.Error() != want {
		t.Errorf("missing code file: %v\nwant %s", err, want)
	}

	write("bad.sql", "CREATE STREAM \"D\" (ticker VARCHAR(4));\n\nCREATE PUMP \"P\" AS INSERT INTO \"D\" SELECT STREAM ticker FROM;\n")
	_, err = Load(write("bad.yaml", fmt.Sprintf(pipe, "bad.sql")))
	if prefix := filepath.Join(dir, "bad.sql") + ":3: SQL syntax: 3:"; err == nil || !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("bad code file: %v\nwant it to start with %s", err, prefix)
	}
}

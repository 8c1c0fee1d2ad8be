package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/testutil"
)

const statsCode = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), lo DOUBLE, hi DOUBLE, n INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "ticker", MIN("price"), MAX("price"), COUNT(*)
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY "ticker", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);
`

// statsRow is a record the stats application writes (JSON output).
type statsRow struct {
	TICKER string
	LO, HI float64
	N      int
}

// readStats answers the rows in the stats stream, sorted by ticker.
func readStats(e *env, stream string) []statsRow {
	var got []statsRow
	for _, r := range e.readAll(stream) {
		var s statsRow
		if err := json.Unmarshal(r.Data, &s); err != nil {
			e.t.Fatalf("output record %q: %v", r.Data, err)
		}
		got = append(got, s)
	}
	slices.SortFunc(got, func(a, b statsRow) int { return strings.Compare(a.TICKER, b.TICKER) })
	return got
}

// TestAppsCommands creates an application whose schema the server
// discovers, starts it from TRIM_HORIZON, finds its tumbling-window rows in
// the output stream, and lists, describes, stops and deletes it.
func TestAppsCommands(t *testing.T) {
	e := newEnv(t)
	if out, errw, err := e.run("", "apps", "ls"); err != nil || out != "" || errw != "no applications\n" {
		t.Fatalf("empty ls: %q %q %v", out, errw, err)
	}
	for _, s := range []string{"ticker", "stats"} {
		testutil.CreateStream(t, e.kc, s, 1)
		testutil.WaitActive(t, e.kc, s)
	}
	putTicker(t, e, "ticker", `{"ticker":"AMZN","price":10.5}`, `{"ticker":"MSFT","price":9}`, `{"ticker":"AMZN","price":12}`)
	code := filepath.Join(t.TempDir(), "stats.sql")
	if err := os.WriteFile(code, []byte(statsCode), 0o644); err != nil {
		t.Fatal(err)
	}

	out, errw, err := e.run("", "apps", "create", "stats", "--code", code, "--input-stream", "ticker", "--output", "stats",
		"--start", "--from", "TRIM_HORIZON", "--wait")
	if err != nil {
		t.Fatalf("create: %v\n%s", describeErr(err), errw)
	}
	if want := "created application stats (READY)\nstarting application stats from TRIM_HORIZON\napplication stats is RUNNING\n"; out != want {
		t.Errorf("create printed %q, want %q", out, want)
	}
	if want := "discovered JSON columns of ticker: ticker VARCHAR(4), price REAL\n"; errw != want {
		t.Errorf("create reported %q, want %q", errw, want)
	}
	if r := rows(e.must("", "apps", "ls")); len(r) != 2 || r[0] != "NAME STATUS VERSION INPUT OUTPUTS" || r[1] != "stats RUNNING 1 stream:ticker stream:stats" {
		t.Errorf("ls: %q", r)
	}
	desc := e.must("", "apps", "describe", "stats")
	wantRows(t, desc,
		"Name: stats",
		"ARN: arn:aws:kinesisanalytics:us-east-1:000000000000:application/stats",
		"Status: RUNNING",
		"Version: 1",
		"Input: 1.1 stream:ticker → SOURCE_SQL_STREAM_001",
		"Resource: arn:aws:kinesis:us-east-1:000000000000:stream/ticker",
		"Format: JSON (row path $)",
		"Column: ticker VARCHAR(4) ← $.ticker",
		"Column: price REAL ← $.price",
		"Starting position: TRIM_HORIZON",
		"Output: 1.1 DESTINATION_SQL_STREAM → stream:stats (JSON)",
	)
	if !strings.Contains(desc, "Code:\n  CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\"") {
		t.Errorf("describe lacks the code:\n%s", desc)
	}
	var raw struct {
		ApplicationDetail struct{ ApplicationCode string }
	}
	if err := json.Unmarshal([]byte(e.must("", "apps", "describe", "stats", "--json")), &raw); err != nil || raw.ApplicationDetail.ApplicationCode != statsCode {
		t.Errorf("describe --json: %v %q", err, raw.ApplicationDetail.ApplicationCode)
	}

	want := []statsRow{{"AMZN", 10.5, 12, 2}, {"MSFT", 9, 9, 1}}
	checkFor(t, 20*time.Second, func() (bool, string) {
		got := readStats(e, "stats")
		return slices.Equal(got, want), fmt.Sprintf("rows %+v, want %+v", got, want)
	})

	if out := e.must("", "apps", "stop", "stats", "--wait"); out != "stopping application stats\napplication stats is READY\n" {
		t.Errorf("stop printed %q", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"describe", "nope"}, "DescribeApplication: ResourceNotFoundException"},
		{[]string{"start", "nope"}, "DescribeApplication: ResourceNotFoundException"},
		{[]string{"start", "stats", "--from", "LATEST_ONE"}, `--from "LATEST_ONE": want NOW, TRIM_HORIZON or LAST_STOPPED_POINT`},
		{[]string{"create", "x", "--code", code, "--input-stream", "nope"}, "stream nope: DescribeStreamSummary: ResourceNotFoundException"},
		{[]string{"create", "x", "--code", code, "--input-stream", "ticker", "--output", "=x"}, "--output \"=x\": want [IN_APP_STREAM=]NAME"},
		{[]string{"create", "stats", "--code", code, "--input-stream", "ticker", "--schema", code}, "--schema " + code + ": invalid character"},
	} {
		if _, _, err := e.run("", append([]string{"apps"}, c.args...)...); err == nil || !strings.Contains(describeErr(err), c.want) {
			t.Errorf("apps %v: %v, want %q", c.args, err, c.want)
		}
	}
	// Starting again from the last stopped point reads nothing twice.
	if out := e.must("", "apps", "start", "stats", "--from", "last-stopped-point", "--wait"); !regexp.MustCompile(`^starting application stats from LAST_STOPPED_POINT\napplication stats is RUNNING\n$`).MatchString(out) {
		t.Errorf("start printed %q", out)
	}
	if out := e.must("", "apps", "rm", "stats", "--wait"); out != "deleting application stats\napplication stats is deleted\n" {
		t.Errorf("rm printed %q", out)
	}
	if out, errw, err := e.run("", "apps", "ls"); err != nil || out != "" || errw != "no applications\n" {
		t.Errorf("ls after rm: %q %q %v", out, errw, err)
	}
}

// TestAppsCreateWithSchema creates an application from standard input with
// a schema file and a CSV output, without starting it.
func TestAppsCreateWithSchema(t *testing.T) {
	e := newEnv(t)
	for _, s := range []string{"ticker", "alerts"} {
		testutil.CreateStream(t, e.kc, s, 1)
		testutil.WaitActive(t, e.kc, s)
	}
	schema := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(schema, []byte(`{"RecordFormat": {"RecordFormatType": "JSON",
		"MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
		"RecordEncoding": "UTF-8",
		"RecordColumns": [{"Name": "TICKER", "SqlType": "VARCHAR(4)", "Mapping": "$.ticker"},
		                  {"Name": "PRICE", "SqlType": "DOUBLE", "Mapping": "$.price"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code := `CREATE OR REPLACE STREAM "ALERTS" (ticker VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "ALERTS" SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001" WHERE price > 100;
`
	out := e.must(code, "apps", "create", "alerts", "--code", "-", "--input-stream", "ticker", "--schema", schema,
		"--output", "ALERTS=alerts", "--format", "csv", "--description", "big prices")
	if out != "created application alerts (READY)\n" {
		t.Errorf("create printed %q", out)
	}
	wantRows(t, e.must("", "apps", "describe", "alerts"),
		"Status: READY",
		"Description: big prices",
		"Column: TICKER VARCHAR(4) ← $.ticker",
		"Output: 1.1 ALERTS → stream:alerts (CSV)",
	)
	// From TRIM_HORIZON: the records put next are read however soon after
	// RUNNING they arrive.
	e.must("", "apps", "start", "alerts", "--from", "TRIM_HORIZON", "--wait")
	putTicker(t, e, "ticker", `{"ticker":"AMZN","price":101.5}`, `{"ticker":"MSFT","price":9}`)
	checkFor(t, 20*time.Second, func() (bool, string) {
		var got []string
		for _, r := range e.readAll("alerts") {
			got = append(got, string(r.Data))
		}
		return slices.Equal(got, []string{"AMZN,101.5\n"}), fmt.Sprintf("alerts %q", got)
	})
}

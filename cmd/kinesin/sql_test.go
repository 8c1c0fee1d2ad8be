package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	katypes "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/runtime/sql/discover"
	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/host"
)

var tickerCols = []engine.Column{
	{Name: "TICKER", Type: eval.Type{Kind: eval.Varchar, Len: 4}},
	{Name: "PRICE", Type: eval.Type{Kind: eval.Double}},
}

// TestSQLWrap checks how a bare query becomes application code: the stream
// it names is read as SOURCE_SQL_STREAM_001, * is the record columns, and
// every column is pumped as text into DESTINATION_SQL_STREAM, which the
// engine compiles.
func TestSQLWrap(t *testing.T) {
	for _, c := range []struct {
		query  string
		stream string
		names  string
		code   []string // substrings of the code
		err    string
	}{
		{
			query:  `SELECT STREAM * FROM "ticker" WHERE price > 10`,
			stream: "ticker", names: "TICKER PRICE",
			code: []string{`FROM "SOURCE_SQL_STREAM_001" AS "ticker" WHERE`, `CAST("PRICE" AS VARCHAR(65535))`},
		},
		{
			// An unquoted name keeps its case as the stream's name; SELECT
			// without STREAM is a stream query.
			query:  `SELECT ticker, MIN(price), MAX(price) AS hi FROM Ticker GROUP BY ticker, STEP(Ticker.ROWTIME BY INTERVAL '1' SECOND)`,
			stream: "Ticker", names: "TICKER EXPR$1 HI",
			code: []string{"SELECT STREAM ", `AS HI FROM "SOURCE_SQL_STREAM_001" AS TICKER GROUP BY`},
		},
		{
			query:  `SELECT STREAM ticker, ROWTIME, ticker FROM SOURCE_SQL_STREAM_001`,
			stream: "", names: "TICKER ROWTIME_1 TICKER_2",
		},
		{
			query:  `SELECT STREAM s.* FROM SOURCE_SQL_STREAM_001 AS s UNION ALL SELECT STREAM * FROM SOURCE_SQL_STREAM_001`,
			stream: "", names: "TICKER PRICE",
		},
		{
			query: `SELECT STREAM * FROM SOURCE_SQL_STREAM_001 AS a JOIN SOURCE_SQL_STREAM_001 OVER (RANGE INTERVAL '1' SECOND PRECEDING) AS b ON a.ticker = b.ticker`,
			err:   "1:15: kinesin sql expands * only over the stream read",
		},
	} {
		q, err := parseSQL(c.query)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if q.stream != c.stream {
			t.Errorf("%s: stream %q, want %q", c.query, q.stream, c.stream)
		}
		code, names, err := q.wrap(tickerCols)
		if c.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.query, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got := strings.Join(names, " "); got != c.names {
			t.Errorf("%s: names %q, want %q", c.query, got, c.names)
		}
		for _, s := range c.code {
			if !strings.Contains(code, s) {
				t.Errorf("%s: code lacks %q:\n%s", c.query, s, code)
			}
		}
		cols := host.InputColumns(tickerCols, true)
		if _, err := engine.Compile(code, engine.Options{Inputs: []engine.Input{{Name: sqlInput, Columns: cols}}}); err != nil {
			t.Errorf("%s: the engine does not compile\n%s\n%v", c.query, code, err)
		}
	}
	// Application code runs as it is.
	app := `CREATE STREAM "D" (t VARCHAR(4)); CREATE PUMP "P" AS INSERT INTO "D" SELECT STREAM ticker FROM "SOURCE_SQL_STREAM_001";`
	q, err := parseSQL(app)
	if err != nil {
		t.Fatal(err)
	}
	if code, names, err := q.wrap(tickerCols); err != nil || code != app || names != nil {
		t.Errorf("application code: %q %v %v", code, names, err)
	}
}

func TestWidenSchema(t *testing.T) {
	res, err := discover.Discover([][]byte{[]byte(`{"ticker":"AMZN","price":10.5,"n":3,"ok":true}`)}, discover.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := toSourceSchema(res.InputSchema)
	widenSchema(s)
	var got []string
	for _, c := range s.RecordColumns {
		got = append(got, aws.ToString(c.Name)+" "+aws.ToString(c.SqlType)+" "+aws.ToString(c.Mapping))
	}
	want := "ticker VARCHAR(256) $.ticker,price DOUBLE $.price,n BIGINT $.n,ok BOOLEAN $.ok"
	if strings.Join(got, ",") != want {
		t.Errorf("columns %q, want %q", strings.Join(got, ","), want)
	}
	if s.RecordFormat.RecordFormatType != katypes.RecordFormatTypeJson || aws.ToString(s.RecordFormat.MappingParameters.JSONMappingParameters.RecordRowPath) != "$" {
		t.Errorf("format %+v", s.RecordFormat)
	}
}

func putTicker(t *testing.T, e *env, stream string, recs ...string) {
	t.Helper()
	var entries []types.PutRecordsRequestEntry
	for i, r := range recs {
		entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(r), PartitionKey: aws.String(strconv.Itoa(i))})
	}
	out, err := e.kc.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
		t.Fatalf("PutRecords: %v", err)
	}
}

// TestSQLCommand runs queries against a stream with records in it: a
// filter (the schema inferred from the records), a tumbling window (rows
// once the window is over), --explain and the errors of a bad query.
func TestSQLCommand(t *testing.T) {
	e := newEnv(t)
	testutil.CreateStream(t, e.kc, "ticker", 2)
	testutil.WaitActive(t, e.kc, "ticker")
	putTicker(t, e, "ticker",
		`{"ticker":"AMZN","price":10.5}`, `{"ticker":"MSFT","price":9}`, `{"ticker":"AMZN","price":12}`,
		`{"ticker":"MSFT","price":11.25}`, `{"ticker":"AMZN","price":8}`, `not json`)

	// A filter over the whole stream: the four rows print, then --limit ends it.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errw testutil.SyncBuffer
	err := e.cmd(ctx, strings.NewReader(""), &out, &errw, "sql", "--from", "trim_horizon", "--limit", "3",
		`SELECT STREAM ticker, price FROM "ticker" WHERE price > 9`)
	if err != nil {
		t.Fatalf("sql: %v\n%s", err, errw.String())
	}
	lines := rows(out.String())
	if len(lines) != 4 || lines[0] != "ROWTIME TICKER PRICE" {
		t.Fatalf("sql printed:\n%s\nstderr:\n%s", out.String(), errw.String())
	}
	var got []string
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		got = append(got, f[2]+"="+f[3])
	}
	// The shards are read in parallel: order across partition keys varies.
	for _, w := range []string{"AMZN=10.5", "AMZN=12.0", "MSFT=11.25"} {
		if !strings.Contains(strings.Join(got, " "), w) {
			t.Errorf("rows %v lack %s", got, w)
		}
	}
	if !strings.Contains(errw.String(), "inferring the schema of ticker") {
		t.Errorf("stderr: %q", errw.String())
	}

	// A tumbling window: one row per ticker and second, once the second is
	// over; the counts add up to the records of each ticker.
	stdout, stderr, stop := e.background("sql", "--stream", "ticker", "--from", "trim_horizon", "--format", "json",
		`SELECT STREAM ticker, COUNT(*) AS n FROM SOURCE_SQL_STREAM_001 GROUP BY ticker, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '1' SECOND)`)
	checkFor(t, 20*time.Second, func() (bool, string) {
		sums := map[string]int{}
		for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			var r struct{ ROWTIME, TICKER, N string }
			if json.Unmarshal([]byte(l), &r) != nil {
				continue
			}
			n, _ := strconv.Atoi(r.N)
			sums[r.TICKER] += n
		}
		return sums["AMZN"] == 3 && sums["MSFT"] == 2, fmt.Sprintf("sums %v\nstdout:\n%s\nstderr:\n%s", sums, stdout, stderr)
	})
	if err := stop(); err != nil {
		t.Errorf("stopping sql: %v", err)
	}
	if !strings.Contains(stderr.String(), "not json") && !strings.Contains(stderr.String(), "kinesin sql: shard") {
		t.Logf("stderr: %s", stderr)
	}

	// Whole application code runs as it is; the rows of the stream it
	// declares print (the discovered columns keep their case, so they are
	// quoted).
	out.Reset()
	errw.Reset()
	err = e.cmd(ctx, strings.NewReader(`CREATE STREAM "BIG" (t VARCHAR(8), p DOUBLE);
CREATE PUMP "P" AS INSERT INTO "BIG" SELECT STREAM "ticker", "price" FROM "SOURCE_SQL_STREAM_001" WHERE "price" > 11.5;`),
		&out, &errw, "sql", "--stream", "ticker", "--from", "trim_horizon", "--limit", "1", "--format", "csv", "-")
	if err != nil || !strings.HasPrefix(out.String(), "ROWTIME,T,P\n") || !strings.HasSuffix(out.String(), ",AMZN,12.0\n") {
		t.Errorf("sql with application code: %v\n%s\n%s", err, out.String(), errw.String())
	}

	// --explain with --schema prints the columns and the code without
	// reading the stream.
	schema := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(schema, []byte(`{"InputSchema": {"RecordFormat": {"RecordFormatType": "JSON",
		"MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
		"RecordColumns": [{"Name": "TICKER", "SqlType": "VARCHAR(4)", "Mapping": "$.ticker"}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	expl := e.must("", "sql", "--schema", schema, "--explain", `SELECT STREAM * FROM "ticker"`)
	for _, s := range []string{"--   TICKER VARCHAR(4) ← $.ticker\n", "--   SHARD_ID VARCHAR(64) (kinesin)\n",
		`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("TICKER" VARCHAR(65535));`} {
		if !strings.Contains(expl, s) {
			t.Errorf("--explain lacks %q:\n%s", s, expl)
		}
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"SELECT STREAM 1 FROM SOURCE_SQL_STREAM_001"}, "which stream? give --stream"},
		{[]string{`SELECT STREAM FROM "ticker"`}, "the query: 1:15:"},
		{[]string{`SELECT STREAM x FROM "nope"`}, "stream nope: DescribeStreamSummary: ResourceNotFoundException"},
		{[]string{"--schema", schema, `SELECT STREAM nope FROM "ticker"`}, "the query (as the application code --explain prints):"},
		{[]string{"--format", "xml", `SELECT STREAM * FROM "ticker"`}, "--format must be text, json or csv"},
	} {
		_, _, err := e.run("", append([]string{"sql"}, c.args...)...)
		if err == nil || !strings.Contains(describeErr(err), c.want) {
			t.Errorf("sql %v: %v, want %q", c.args, err, c.want)
		}
	}
}

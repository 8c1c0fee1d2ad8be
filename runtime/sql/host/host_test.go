package host_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/runtime/sql/host"
)

const filterCode = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001" WHERE price > 10;
`

func TestFilterToStream(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "in", 2)
	e.createStream(t, "out", 1)
	e.put(t, "in", `{"ticker":"AMZN","price":5}`, `{"ticker":"AMZN","price":11.5}`, `{"ticker":"MSFT","price":20}`)
	e.run(t, host.Config{Name: "filter", Code: filterCode, Start: types.InputStartingPositionTrimHorizon,
		Inputs: []types.InputDescription{tickerInput("in")}, Outputs: []types.OutputDescription{streamOutput("DESTINATION_SQL_STREAM", "out")}})
	got := decode(t, e.waitRecords(t, "out", 2))
	var prices []float64
	for _, r := range got {
		prices = append(prices, r["PRICE"].(float64))
	}
	slices.Sort(prices)
	if !slices.Equal(prices, []float64{11.5, 20}) {
		t.Fatalf("got %v", got)
	}
	e.waitMetric(t, "kinesisanalytics_InputRecords", "filter", 3)
	e.waitMetric(t, "kinesisanalytics_OutputRecords", "filter", 2)
}

const windowCode = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker, COUNT(*) AS n FROM "SOURCE_SQL_STREAM_001"
  GROUP BY ticker, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
`

// TestWindowRestart stops an application in the middle of a tumbling
// window and starts it again from LAST_STOPPED_POINT: each window's result
// comes out once, counting the rows of both runs.
func TestWindowRestart(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "in", 2)
	e.createStream(t, "out", 1)
	var clk fakeClock
	clk.set(clk.at("2026-01-01 00:00:01"))
	cfg := host.Config{Name: "window", Code: windowCode, Now: clk.Now,
		Inputs: []types.InputDescription{tickerInput("in")}, Outputs: []types.OutputDescription{streamOutput("DESTINATION_SQL_STREAM", "out")}}
	run := func(id string, start types.InputStartingPosition) *running {
		c := cfg
		c.RunID, c.Start = id, start
		return e.run(t, c)
	}

	r1 := run("r1", types.InputStartingPositionTrimHorizon)
	e.put(t, "in", `{"ticker":"AMZN","price":1}`, `{"ticker":"AMZN","price":2}`, `{"ticker":"AMZN","price":3}`)
	e.waitMetric(t, "kinesisanalytics_InputRows", "window", 3)
	clk.set(clk.at("2026-01-01 00:00:05"))
	e.waitCheckpoint(t, "window", clk.ms.Load())
	r1.stop(t)
	if got := e.records(t, "out"); len(got) != 0 {
		t.Fatalf("output before the window closed: %q", got)
	}

	r2 := run("r2", types.InputStartingPositionLastStoppedPoint)
	e.put(t, "in", `{"ticker":"AMZN","price":4}`, `{"ticker":"AMZN","price":5}`)
	e.waitMetric(t, "kinesisanalytics_InputRows", "window", 2)
	clk.set(clk.at("2026-01-01 00:00:11"))
	first := decode(t, e.waitRecords(t, "out", 1))
	if first[0]["TICKER"] != "AMZN" || first[0]["N"] != float64(5) {
		t.Fatalf("first window: %v, want AMZN 5", first)
	}
	e.put(t, "in", `{"ticker":"AMZN","price":6}`)
	e.waitMetric(t, "kinesisanalytics_InputRows", "window", 3)
	clk.set(clk.at("2026-01-01 00:00:15"))
	e.waitCheckpoint(t, "window", clk.ms.Load())
	r2.stop(t)

	// The second window closes in the third run, after the restart.
	r3 := run("r3", types.InputStartingPositionLastStoppedPoint)
	clk.set(clk.at("2026-01-01 00:00:41"))
	e.waitCheckpoint(t, "window", clk.ms.Load())
	r3.stop(t)
	got := decode(t, e.records(t, "out"))
	if len(got) != 2 || got[1]["N"] != float64(1) {
		t.Fatalf("windows: %v, want AMZN 5 then AMZN 1", got)
	}
}

// TestStartingPosition reads one stream with NOW and with TRIM_HORIZON.
func TestStartingPosition(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "in", 2)
	e.createStream(t, "out-now", 1)
	e.createStream(t, "out-th", 1)
	e.put(t, "in", `{"ticker":"OLD1","price":11}`, `{"ticker":"OLD2","price":12}`)
	for _, c := range []struct {
		name, out string
		start     types.InputStartingPosition
	}{{"now", "out-now", types.InputStartingPositionNow}, {"th", "out-th", types.InputStartingPositionTrimHorizon}} {
		e.run(t, host.Config{Name: c.name, Code: filterCode, Start: c.start, RunID: "1",
			Inputs: []types.InputDescription{tickerInput("in")}, Outputs: []types.OutputDescription{streamOutput("DESTINATION_SQL_STREAM", c.out)}})
		e.waitCheckpoint(t, c.name, 1)
	}
	e.put(t, "in", `{"ticker":"NEW","price":13}`)
	th := e.waitRecords(t, "out-th", 3)
	now := decode(t, e.waitRecords(t, "out-now", 1))
	if now[0]["TICKER"] != "NEW" {
		t.Fatalf("NOW read %v", now)
	}
	// Nothing older comes later either.
	e.waitMetric(t, "kinesisanalytics_InputRecords", "now", 1)
	if got := e.records(t, "out-now"); len(got) != 1 {
		t.Fatalf("NOW output %q (TRIM_HORIZON %q)", got, th)
	}
}

// TestParseErrorToErrorStream sends a record that is not JSON: it becomes
// an error_stream row, sent to the output configured for error_stream.
func TestParseErrorToErrorStream(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "in", 1)
	e.createStream(t, "out", 1)
	e.createStream(t, "errors", 1)
	e.put(t, "in", `not json`, `{"ticker":"AMZN","price":11}`)
	e.run(t, host.Config{Name: "errs", Code: filterCode, Start: types.InputStartingPositionTrimHorizon,
		Inputs:  []types.InputDescription{tickerInput("in")},
		Outputs: []types.OutputDescription{streamOutput("DESTINATION_SQL_STREAM", "out"), streamOutput("error_stream", "errors")}})
	errs := decode(t, e.waitRecords(t, "errors", 1))
	if errs[0]["ERROR_NAME"] != "Parse_Error" || errs[0]["DATA_ROW"] != hex.EncodeToString([]byte("not json")) || errs[0]["ERROR_LEVEL"] != "Error" {
		t.Fatalf("error row %v", errs[0])
	}
	e.waitRecords(t, "out", 1)
	e.waitMetric(t, "kinesisanalytics_Errors", "errs", 1)
}

// TestParallelism spreads 4 shards over 2 in-application streams.
func TestParallelism(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "in", 4)
	e.createStream(t, "out", 1)
	in := tickerInput("in")
	n := int32(2)
	in.InputParallelism = &types.InputParallelism{Count: &n}
	code := `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), shard VARCHAR(64), src VARCHAR(8));
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker, shard_id, '001' FROM "SOURCE_SQL_STREAM_001";
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker, shard_id, '002' FROM "SOURCE_SQL_STREAM_002";
`
	var data []string
	for i := range 40 {
		data = append(data, fmt.Sprintf(`{"ticker":"T%d","price":1}`, i))
	}
	e.put(t, "in", data...)
	e.run(t, host.Config{Name: "par", Code: code, Start: types.InputStartingPositionTrimHorizon,
		Inputs: []types.InputDescription{in}, Outputs: []types.OutputDescription{streamOutput("DESTINATION_SQL_STREAM", "out")}})
	got := decode(t, e.waitRecords(t, "out", 40))
	for _, r := range got {
		shard, src := r["SHARD"].(string), r["SRC"].(string)
		var idx int
		fmt.Sscanf(shard, "shardId-%d", &idx)
		if want := fmt.Sprintf("%03d", idx%2+1); src != want {
			t.Errorf("row of %s from stream %s, want %s", shard, src, want)
		}
	}
}

// TestOneRunAtATime runs the same application twice: the second Run waits
// for the lease and takes over once the first stops.
func TestOneRunAtATime(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "in", 1)
	e.createStream(t, "out", 1)
	cfg := host.Config{Name: "single", Code: filterCode, Start: types.InputStartingPositionLastStoppedPoint, RunID: "x",
		Inputs: []types.InputDescription{tickerInput("in")}, Outputs: []types.OutputDescription{streamOutput("DESTINATION_SQL_STREAM", "out")}}
	c1, c2 := cfg, cfg
	c1.Owner, c2.Owner = "p1", "p2"
	r1 := e.run(t, c1)
	e.waitCheckpoint(t, "single", 1)
	r2 := e.run(t, c2)
	e.put(t, "in", `{"ticker":"A","price":11}`)
	e.waitRecords(t, "out", 1)
	r1.stop(t)
	e.put(t, "in", `{"ticker":"B","price":11}`)
	got := decode(t, e.waitRecords(t, "out", 2))
	if got[0]["TICKER"] != "A" || got[1]["TICKER"] != "B" {
		t.Fatalf("got %v", got)
	}
	r2.stop(t)

	if err := host.Delete(context.Background(), e.js, "single"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := host.CheckpointClock(context.Background(), e.js, "single"); err != nil || ok {
		t.Fatalf("checkpoint after Delete: %v %v", ok, err)
	}
}

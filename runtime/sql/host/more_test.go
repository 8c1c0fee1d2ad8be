package host_test

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/runtime/sql/host"
	"github.com/kinesin/kinesin/sinks/objstore"
	"github.com/kinesin/kinesin/triggers/lease"
)

// TestCrashResumes loses the lease of a running application (as when its
// process dies) with rows pushed since its last checkpoint (an output
// whose stream does not exist yet holds checkpoints back): the next Run of
// the same start (RunID) resumes from the checkpoint whatever its starting
// position says, reads those rows again, and the window counts each row
// once.
func TestCrashResumes(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "in", 1)
	e.createStream(t, "out", 1)
	var clk fakeClock
	clk.set(clk.at("2026-01-01 00:00:01"))
	code := windowCode + `
CREATE OR REPLACE STREAM "RAW" (ticker VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "RAW_PUMP" AS INSERT INTO "RAW"
  SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001" WHERE price > 3;
`
	cfg := host.Config{Name: "crash", Code: code, Now: clk.Now, RunID: "run-1", Start: types.InputStartingPositionTrimHorizon,
		Inputs:  []types.InputDescription{tickerInput("in")},
		Outputs: []types.OutputDescription{streamOutput("DESTINATION_SQL_STREAM", "out"), streamOutput("RAW", "raw")}}
	r1 := e.run(t, cfg)
	e.put(t, "in", `{"ticker":"AMZN","price":1}`, `{"ticker":"AMZN","price":2}`, `{"ticker":"AMZN","price":3}`)
	e.waitMetric(t, "kinesisanalytics_InputRows", "crash", 3)
	clk.set(clk.at("2026-01-01 00:00:02"))
	e.waitCheckpoint(t, "crash", clk.ms.Load())
	// Two rows for the missing "raw" stream: no checkpoint from now on.
	e.put(t, "in", `{"ticker":"AMZN","price":4}`, `{"ticker":"AMZN","price":5}`)
	e.waitMetric(t, "kinesisanalytics_InputRows", "crash", 5)
	// The "crash": the lease is taken away, the Run ends without a
	// checkpoint.
	kv, err := e.js.KeyValue(context.Background(), lease.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := kv.Purge(context.Background(), host.LeaseKey("crash")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r1.done:
		r1.cancel()
		r1.cancel = nil
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop when its lease was lost")
	}

	// Same run, starting position NOW: it resumes regardless, and reads
	// the two rows again.
	e.createStream(t, "raw", 1)
	c2 := cfg
	c2.Start = types.InputStartingPositionNow
	e.run(t, c2)
	e.waitMetric(t, "kinesisanalytics_InputRows", "crash", 2)
	clk.set(clk.at("2026-01-01 00:00:11"))
	got := decode(t, e.waitRecords(t, "out", 1))
	if got[0]["N"] != float64(5) {
		t.Fatalf("window after the crash: %v, want 5 rows", got)
	}
	e.waitRecords(t, "raw", 2)
}

// split closes a shard and gives it two children, as router/kinesis does.
func (e *env) split(t *testing.T, stream string, parent int) {
	t.Helper()
	ctx := context.Background()
	cur, _ := e.store.Get(stream)
	psh, _ := cur.Shard(parent)
	m := new(big.Int).Add(psh.StartHash.Big(), psh.EndHash.Big())
	mid := shardstore.HashKeyFromBig(m.Rsh(m, 1))
	afterMid := shardstore.HashKeyFromBig(new(big.Int).Add(mid.Big(), big.NewInt(1)))
	st, err := e.store.Update(ctx, stream, func(st *shardstore.Stream) error {
		p, _ := st.Shard(parent)
		p.Closed, p.ClosedAt = true, time.Now().UTC()
		st.Pending = append(st.Pending, parent)
		a, b := st.NextShard, st.NextShard+1
		st.Shards = append(st.Shards,
			shardstore.Shard{Index: a, Parent: parent, AdjacentParent: -1, StartHash: p.StartHash, EndHash: mid, Created: time.Now()},
			shardstore.Shard{Index: b, Parent: parent, AdjacentParent: -1, StartHash: afterMid, EndHash: p.EndHash, Created: time.Now()})
		st.NextShard += 2
		st.Status = shardstore.StatusUpdating
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.EnsureShards(ctx, st, st.NextShard-2, st.NextShard-1); err != nil {
		t.Fatal(err)
	}
	msg, idx, err := e.store.SealShard(ctx, st, parent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Update(ctx, stream, func(st *shardstore.Stream) error {
		p, _ := st.Shard(parent)
		p.Sealed, p.EndMsg, p.EndIndex = true, msg, idx
		st.Pending = nil
		st.Status = shardstore.StatusActive
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestReshardParentsFirst reads a split stream: every row of the parent
// goes in before any row of its children.
func TestReshardParentsFirst(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "in", 1)
	e.createStream(t, "out", 1)
	var before, after []string
	for i := range 20 {
		before = append(before, fmt.Sprintf(`{"ticker":"P%d","price":11}`, i))
		after = append(after, fmt.Sprintf(`{"ticker":"C%d","price":11}`, i))
	}
	e.put(t, "in", before...)
	e.split(t, "in", 0)
	e.put(t, "in", after...)
	e.run(t, host.Config{Name: "reshard", Code: filterCode, Start: types.InputStartingPositionTrimHorizon,
		Inputs: []types.InputDescription{tickerInput("in")}, Outputs: []types.OutputDescription{streamOutput("DESTINATION_SQL_STREAM", "out")}})
	got := decode(t, e.waitRecords(t, "out", 40))
	for i, r := range got {
		parent := strings.HasPrefix(r["TICKER"].(string), "P")
		if parent != (i < 20) {
			t.Fatalf("row %d is %v: parent rows must all come first (%v)", i, r, got)
		}
	}
}

// TestReferenceData joins the input with a reference table loaded from an
// S3 object (the filesystem store).
func TestReferenceData(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "in", 1)
	e.createStream(t, "out", 1)
	objects := objstore.NewFS(t.TempDir())
	if err := objects.Put(context.Background(), "refs", "companies.csv", []byte("AMZN,Amazon\nMSFT,Microsoft\n")); err != nil {
		t.Fatal(err)
	}
	code := `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), company VARCHAR(20));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM s.ticker, c."Company" FROM "SOURCE_SQL_STREAM_001" AS s
  LEFT JOIN "Companies" AS c ON s.ticker = c."Ticker";
`
	ref := types.ReferenceDataSourceDescription{
		TableName: aws.String("Companies"),
		S3ReferenceDataSourceDescription: &types.S3ReferenceDataSourceDescription{
			BucketARN: aws.String("arn:aws:s3:::refs"), FileKey: aws.String("companies.csv")},
		ReferenceSchema: &types.SourceSchema{
			RecordFormat: &types.RecordFormat{RecordFormatType: types.RecordFormatTypeCsv,
				MappingParameters: &types.MappingParameters{CSVMappingParameters: &types.CSVMappingParameters{
					RecordColumnDelimiter: aws.String(","), RecordRowDelimiter: aws.String("\n")}}},
			RecordColumns: []types.RecordColumn{
				{Name: aws.String("Ticker"), SqlType: aws.String("VARCHAR(4)")},
				{Name: aws.String("Company"), SqlType: aws.String("VARCHAR(20)")},
			},
		},
	}
	e.put(t, "in", `{"ticker":"AMZN","price":1}`, `{"ticker":"XYZ","price":2}`)
	e.run(t, host.Config{Name: "ref", Code: code, Start: types.InputStartingPositionTrimHorizon, Objects: objects,
		Inputs: []types.InputDescription{tickerInput("in")}, References: []types.ReferenceDataSourceDescription{ref},
		Outputs: []types.OutputDescription{streamOutput("DESTINATION_SQL_STREAM", "out")}})
	got := decode(t, e.waitRecords(t, "out", 2))
	companies := map[string]any{}
	for _, r := range got {
		companies[r["TICKER"].(string)] = r["COMPANY"]
	}
	if companies["AMZN"] != "Amazon" || companies["XYZ"] != nil {
		t.Fatalf("got %v", got)
	}
}

// TestBadApplication: code that does not compile, or a missing reference
// object, is Run's error.
func TestBadApplication(t *testing.T) {
	e := newEnv(t)
	for _, c := range []host.Config{
		{Name: "bad", Code: "CREATE STREAM oops", Inputs: []types.InputDescription{tickerInput("in")}},
		{Name: "bad", Code: filterCode, Inputs: []types.InputDescription{tickerInput("in")}, Objects: objstore.NewFS(t.TempDir()),
			References: []types.ReferenceDataSourceDescription{{TableName: aws.String("R"),
				S3ReferenceDataSourceDescription: &types.S3ReferenceDataSourceDescription{BucketARN: aws.String("arn:aws:s3:::b"), FileKey: aws.String("k")},
				ReferenceSchema:                  tickerInput("in").InputSchema}}},
	} {
		c.JS, c.Streams, c.Kinesis, c.Metrics, c.Logger = e.js, e.store, e.svc, e.m, e.log
		if err := host.Run(context.Background(), c); err == nil {
			t.Errorf("Run of %q: no error", c.Code)
		}
	}
}

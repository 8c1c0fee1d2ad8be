package analytics_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ka "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/analytics"
	"github.com/kinesin/kinesin/runtime/sql/host"
	"github.com/kinesin/kinesin/sinks/objstore"
)

// fakeRuns records the runs the service starts instead of running them.
type fakeRuns struct {
	mu      sync.Mutex
	started []host.Config
	running map[string]bool
}

func (f *fakeRuns) run(ctx context.Context, c host.Config) error {
	f.mu.Lock()
	f.started = append(f.started, c)
	f.running[c.Name] = true
	f.mu.Unlock()
	<-ctx.Done()
	f.mu.Lock()
	f.running[c.Name] = false
	f.mu.Unlock()
	return nil
}

func (f *fakeRuns) state() ([]host.Config, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]host.Config(nil), f.started...), f.running["app"]
}

// startService runs the service alone on js, with its own HTTP tier.
func startService(t *testing.T, js jetstream.JetStream, run func(context.Context, host.Config) error, opts ...func(*analytics.Config)) *ka.Client {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := analytics.Config{Logger: log, TimeUnit: 10 * time.Millisecond, Run: run}
	for _, o := range opts {
		o(&cfg)
	}
	svc, err := analytics.Open(context.Background(), js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := router.New(router.Config{Listen: "127.0.0.1:0", MaxBodyBytes: 1 << 20, Logger: log})
	svc.Register(srv)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		svc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return ka.New(ka.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + srv.Addr()),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), Retryer: testutil.ConnRetryer()})
}

// TestLifecycle follows an application through STARTING, RUNNING,
// UPDATING and STOPPING with two processes watching one bucket: each
// runs it (the host's lease would let one of them), an update restarts
// the runs on the new version with the same RunID, and a stop ends them.
func TestLifecycle(t *testing.T) {
	js := natstest.JetStream(t)
	a, b := &fakeRuns{running: map[string]bool{}}, &fakeRuns{running: map[string]bool{}}
	ca := startService(t, js, a.run)
	startService(t, js, b.run)
	e := &env{t: t, ka: ca}
	ctx := context.Background()
	e.create("app", &ka.CreateApplicationInput{Inputs: []types.Input{tickerInput("in")}, Outputs: []types.Output{streamOutput("out")},
		ApplicationCode: aws.String(filterCode)})
	if _, err := ca.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("app"), InputConfigurations: []types.InputConfiguration{{
		Id: aws.String("1.1"), InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionTrimHorizon}}}}); err != nil {
		t.Fatal(err)
	}
	e.waitStatus("app", types.ApplicationStatusRunning)
	var runID string
	for _, f := range []*fakeRuns{a, b} {
		testutil.Eventually(t, 10*time.Second, "both processes run the application", func() bool {
			started, running := f.state()
			return len(started) == 1 && running
		})
		started, _ := f.state()
		c := started[0]
		if c.Start != types.InputStartingPositionTrimHorizon || c.Version != 1 || c.RunID == "" || c.Code != filterCode ||
			c.ARN != appARN("app") || len(c.Inputs) != 1 || len(c.Outputs) != 1 || (runID != "" && c.RunID != runID) {
			t.Fatalf("run config %+v", c)
		}
		runID = c.RunID
	}

	// An update of a RUNNING application goes UPDATING, then RUNNING again
	// on the new version.
	if _, err := ca.AddApplicationOutput(ctx, &ka.AddApplicationOutputInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(1),
		Output: ptr(streamOutput("out2"))}); err != nil {
		t.Fatal(err)
	}
	e.waitStatus("app", types.ApplicationStatusRunning)
	for _, f := range []*fakeRuns{a, b} {
		testutil.Eventually(t, 10*time.Second, "runs restarted on version 2", func() bool {
			started, running := f.state()
			return len(started) == 2 && running
		})
		started, _ := f.state()
		if c := started[1]; c.Version != 2 || c.RunID != runID || len(c.Outputs) != 2 {
			t.Fatalf("restarted run config %+v", c)
		}
	}

	if _, err := ca.StopApplication(ctx, &ka.StopApplicationInput{ApplicationName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	e.waitStatus("app", types.ApplicationStatusReady)
	for _, f := range []*fakeRuns{a, b} {
		testutil.Eventually(t, 10*time.Second, "runs stopped", func() bool {
			_, running := f.state()
			return !running
		})
	}
	// Stopping a READY application is a no-op; a new start is a new run.
	if _, err := ca.StopApplication(ctx, &ka.StopApplicationInput{ApplicationName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("app"), InputConfigurations: []types.InputConfiguration{{
		Id: aws.String("1.1"), InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionLastStoppedPoint}}}}); err != nil {
		t.Fatal(err)
	}
	e.waitStatus("app", types.ApplicationStatusRunning)
	testutil.Eventually(t, 10*time.Second, "third run", func() bool {
		started, running := a.state()
		return len(started) == 3 && running
	})
	started, _ := a.state()
	if c := started[2]; c.RunID == runID || c.Start != types.InputStartingPositionLastStoppedPoint {
		t.Fatalf("new run config %+v", c)
	}
	// Deleting a running application stops it.
	d := e.describe("app")
	if _, err := ca.DeleteApplication(ctx, &ka.DeleteApplicationInput{ApplicationName: aws.String("app"), CreateTimestamp: d.CreateTimestamp}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "deleted application stops", func() bool {
		_, ra := a.state()
		_, rb := b.state()
		return !ra && !rb
	})
}

// csvToJSON is an input preprocessing function: it turns "ticker,price"
// lines into JSON records and drops the rest.
type csvToJSON struct{ calls int }

func (f *csvToJSON) Invoke(_ context.Context, name, qualifier string, payload []byte) ([]byte, string, error) {
	f.calls++
	if name != "pre" || qualifier != "" {
		return nil, "", fmt.Errorf("unexpected function %s:%s", name, qualifier)
	}
	var ev struct {
		Records []struct {
			RecordID string `json:"recordId"`
			Data     []byte `json:"data"`
		} `json:"records"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, "", err
	}
	type rec struct {
		RecordID string `json:"recordId"`
		Result   string `json:"result"`
		Data     []byte `json:"data,omitempty"`
	}
	var out struct {
		Records []rec `json:"records"`
	}
	for _, r := range ev.Records {
		var rows []string
		for _, l := range strings.Split(strings.TrimSpace(string(r.Data)), "\n") {
			t, p, _ := strings.Cut(l, ",")
			rows = append(rows, fmt.Sprintf(`{"ticker":%q,"price":%s}`, t, p))
		}
		out.Records = append(out.Records, rec{RecordID: r.RecordID, Result: "Ok", Data: []byte(strings.Join(rows, ""))})
	}
	b, err := json.Marshal(out)
	return b, "", err
}

// TestDiscoverProcessed discovers the schema of an S3 object after an
// input processing function transformed it.
func TestDiscoverProcessed(t *testing.T) {
	dir := t.TempDir()
	objects := objstore.NewFS(dir)
	if err := objects.Put(context.Background(), "data", "ticks.csv", []byte("AMZN,181.5\nMSFT,420.25\n")); err != nil {
		t.Fatal(err)
	}
	fn := &csvToJSON{}
	c := startService(t, natstest.JetStream(t), nil, func(cfg *analytics.Config) { cfg.Objects, cfg.Functions = objects, fn })
	out, err := c.DiscoverInputSchema(context.Background(), &ka.DiscoverInputSchemaInput{
		S3Configuration: &types.S3Configuration{BucketARN: aws.String("arn:aws:s3:::data"), FileKey: aws.String("ticks.csv"), RoleARN: aws.String(role)},
		InputProcessingConfiguration: &types.InputProcessingConfiguration{InputLambdaProcessor: &types.InputLambdaProcessor{
			ResourceARN: aws.String("arn:aws:lambda:us-east-1:000000000000:function:pre"), RoleARN: aws.String(role)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if fn.calls != 1 || out.InputSchema.RecordFormat.RecordFormatType != types.RecordFormatTypeJson || len(out.InputSchema.RecordColumns) != 2 ||
		len(out.ProcessedInputRecords) != 1 || len(out.RawInputRecords) != 1 || len(out.ParsedInputRecords) != 2 {
		b, _ := json.Marshal(out)
		t.Fatalf("discovered %s", b)
	}
}

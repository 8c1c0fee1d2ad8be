package mappings_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/triggers/mappings"
)

const (
	region  = "us-east-1"
	account = "123456789012"
)

var ctx = context.Background()

// Kinds of kinesin a test starts.
const (
	// withRunner runs mappings: transitional states settle, deleted
	// mappings go, records reach functions.
	withRunner = true
	// apiOnly serves the API and runs no mapping (--mapping-runner=false):
	// a mapping stays in the state the API left it in until a process
	// with a runner comes (env.settle).
	apiOnly = false
)

// env is a whole kinesin and clients of it.
type env struct {
	url string
	lam *lambda.Client
	kin *kinesis.Client
	// With startShared: the URL of its NATS, and the mapping bucket read
	// beside it (what the API stores but does not answer).
	nats  string
	store *mappings.Store
}

// start runs kinesin, with or without its mapping runner, on its embedded
// NATS: the fastest, for tests that need only the APIs.
func start(t *testing.T, runner bool) *env {
	t.Helper()
	return connect(testutil.Start(t, server.Config{AccountID: account, NoMappingRunner: !runner}))
}

// startShared runs kinesin, with or without its mapping runner, on a NATS
// server of the test's own, which the test reads the mapping bucket of
// (env.stored) and starts more kinesin processes on (env.settle).
func startShared(t *testing.T, runner bool) *env {
	t.Helper()
	url := startNATS(t)
	e := connect(testutil.Start(t, sharedConfig(t, url, runner)))
	e.nats = url
	nc, err := nats.Connect(e.nats)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if e.store, err = mappings.OpenStore(ctx, js, 0); err != nil {
		t.Fatal(err)
	}
	return e
}

func connect(s *server.Server) *env {
	e := &env{url: s.URL(), kin: testutil.Kinesis(s.URL())}
	e.lam = lambda.New(lambda.Options{Region: region, BaseEndpoint: aws.String(e.url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), Retryer: testutil.ConnRetryer()})
	return e
}

// sharedConfig is a kinesin on the NATS server at url.
func sharedConfig(t *testing.T, url string, runner bool) server.Config {
	// With NATSURL the data dir holds only caches; it must still be set,
	// or the server would write ./kinesin-data.
	return server.Config{NATSURL: url, DataDir: t.TempDir(), AccountID: account, NoMappingRunner: !runner}
}

// startNATS runs a NATS server with JetStream on a free loopback port for
// the test, and returns its URL.
func startNATS(t *testing.T) string {
	ns, _ := natstest.Start(t, true)
	return ns.ClientURL()
}

func streamARN(name string) string {
	return "arn:aws:kinesis:" + region + ":" + account + ":stream/" + name
}

func functionARN(name string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + name
}

// stream creates an ACTIVE stream of one shard and returns its ARN.
func (e *env) stream(t *testing.T, name string) string {
	t.Helper()
	testutil.CreateStream(t, e.kin, name, 1)
	return streamARN(name)
}

// deploy creates a wasm function of code without waiting for it.
func (e *env) deploy(t *testing.T, name string, code []byte) {
	t.Helper()
	_, err := e.lam.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: ltypes.Runtime("wasm"), Handler: aws.String("handle"),
		Role: aws.String("arn:aws:iam::" + account + ":role/test"), Code: &ltypes.FunctionCode{ZipFile: code},
	})
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
}

// function deploys okModule as a function and waits until it is Active.
func (e *env) function(t *testing.T, name string) {
	t.Helper()
	e.deploy(t, name, okModule)
	w := lambda.NewFunctionActiveV2Waiter(e.lam, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatalf("wait active %s: %v", name, err)
	}
}

// create makes a mapping of fn on source, starting at TRIM_HORIZON.
func (e *env) create(t *testing.T, fn, source string) *lambda.CreateEventSourceMappingOutput {
	t.Helper()
	out, err := e.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String(fn), EventSourceArn: aws.String(source),
		StartingPosition: ltypes.EventSourcePositionTrimHorizon,
	})
	if err != nil {
		t.Fatalf("CreateEventSourceMapping %s %s: %v", fn, source, err)
	}
	return out
}

// stored reads a mapping as the API stored it (startShared only).
func (e *env) stored(t *testing.T, id string) *mappings.Mapping {
	t.Helper()
	if e.store == nil {
		t.Fatal("stored needs an env from startShared")
	}
	m, err := e.store.Get(ctx, id)
	if err != nil {
		t.Fatalf("stored %s: %v", id, err)
	}
	return m
}

// await waits until a mapping is in state, or gone when state is "".
func (e *env) await(t *testing.T, id, state string) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, "mapping "+id+" "+state, func() bool {
		out, err := e.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(id)})
		if state == "" {
			var nf *ltypes.ResourceNotFoundException
			return errors.As(err, &nf)
		}
		return err == nil && aws.ToString(out.State) == state
	})
}

// settle starts a second kinesin, with a runner, on e's NATS (startShared
// only); waits until it has moved mapping id to state ("" for removed);
// and stops it, so that the next change through an apiOnly e stays
// transitional again.
func (e *env) settle(t *testing.T, id, state string) {
	t.Helper()
	if !t.Run("settle "+state, func(t *testing.T) {
		testutil.Start(t, sharedConfig(t, e.nats, withRunner)) // stopped when this subtest ends
		e.await(t, id, state)
	}) {
		t.FailNow()
	}
}

// shards reads kinesin's report of a mapping's shards.
func (e *env) shards(t *testing.T, id string) []mappings.ShardStatus {
	t.Helper()
	status, body := e.do(t, "GET", mappings.ShardsPath+"/"+id+"/shards", "")
	var out struct{ Shards []mappings.ShardStatus }
	if err := json.Unmarshal([]byte(body), &out); status != 200 || err != nil {
		t.Fatalf("shards of %s: %d %s", id, status, body)
	}
	return out.Shards
}

// apiError asserts that err is an API error with code and message (a
// prefix when msg ends in "…") and returns it.
func apiError(t *testing.T, err error, code, msg string) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	want, prefix := strings.CutSuffix(msg, "…")
	if ae.ErrorCode() != code || (!prefix && ae.ErrorMessage() != want) || (prefix && !strings.HasPrefix(ae.ErrorMessage(), want)) {
		t.Fatalf("want %s %q,\n got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
	return ae
}

// do sends a raw request and returns the status and body.
func (e *env) do(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

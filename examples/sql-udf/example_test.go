package sqludf_test

// The example of README.md: the test builds geohash/ to WebAssembly,
// deploys it through the Lambda API of an in-process functions service as
// the README does, and runs app.sql (whose text the README shows) on the
// README's positions, with the function bound through udf.New.

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/functions"
	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/udf"
	"github.com/kinesin/kinesin/runtime/wasm"
)

// raceEnabled is set under the race detector, where compiling the 5 MB
// module takes minutes.
var raceEnabled bool

// geohashZip builds geohash/ as the README does and zips the module.
func geohashZip(t *testing.T) []byte {
	t.Helper()
	if testing.Short() || raceEnabled {
		t.Skip("builds and compiles a 5 MB WebAssembly module")
	}
	out := filepath.Join(t.TempDir(), "geohash.wasm")
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		goCmd = "go"
	}
	cmd := exec.Command(goCmd, "build", "-buildmode=c-shared", "-o", out, "./geohash")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build geohash: %v\n%s", err, b)
	}
	mod, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("geohash.wasm")
	if err == nil {
		_, err = w.Write(mod)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deployGeohash starts a functions service and creates the function
// geohash as the README's create-function command does.
func deployGeohash(t *testing.T) *functions.Service {
	t.Helper()
	code := geohashZip(t)
	js, err := jetstream.New(natstest.Conn(t))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	we, err := wasm.New(wasm.Config{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := functions.New(js, functions.Engines{functions.EngineWasm: we},
		functions.Config{AccountID: "000000000000", CodeDir: t.TempDir(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	srv := router.New(router.Config{Listen: "127.0.0.1:0", Logger: log})
	svc.Register(srv)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		svc.Close()
		we.Close(ctx)
	})
	client := lambda.New(lambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://" + srv.Addr()),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
	ctx := context.Background()
	if _, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("geohash"), Runtime: types.Runtime("wasm"), Handler: aws.String("geohash"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &types.FunctionCode{ZipFile: code},
	}); err != nil {
		t.Fatal(err)
	}
	wait := lambda.NewFunctionActiveV2Waiter(client, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	})
	if err := wait.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("geohash")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestReadme(t *testing.T) {
	app, err := os.ReadFile("app.sql")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte("```sql\n"+string(app)+"```")) {
		t.Fatal("README.md does not show app.sql as it is")
	}
	svc := deployGeohash(t)

	in := engine.Input{Name: "SOURCE_SQL_STREAM_001", Columns: []engine.Column{
		{Name: "VEHICLE", Type: eval.Type{Kind: eval.Varchar, Len: 16}},
		{Name: "LAT", Type: eval.Type{Kind: eval.Double}},
		{Name: "LON", Type: eval.Type{Kind: eval.Double}},
	}}
	external := func(fn string, params []eval.Type, returns eval.Type) (*eval.Func, error) {
		return udf.New(svc, fn, params, returns)
	}
	prog, err := engine.Compile(string(app), engine.Options{Inputs: []engine.Input{in}, External: external})
	if err != nil {
		t.Fatal(err)
	}
	var cells, errs []string
	inst, err := prog.Start(nil, func(stream string, r engine.Row) error {
		switch stream {
		case "DESTINATION_SQL_STREAM":
			cells = append(cells, r.Values[0].String()+" "+r.Values[1].String())
		case "error_stream":
			errs = append(errs, r.Values[3].String()) // MESSAGE
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC).UnixMilli()
	positions := []struct {
		vehicle  string
		lat, lon float64
	}{ // the README's kinesin put
		{"bus-7", 57.64911, 10.40744},
		{"bus-9", 57.6502, 10.4101},
		{"tram-2", 48.8583, 2.2945},
		{"gps-glitch", 100, 10},
	}
	for i, p := range positions {
		row := engine.Row{Time: start + int64(i)*1000,
			Values: eval.Row{eval.Str(p.vehicle), eval.DoubleValue(p.lat), eval.DoubleValue(p.lon)}}
		if err := inst.Push(0, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := inst.Advance(start + 61_000); err != nil {
		t.Fatal(err)
	}
	t.Logf("cells %q, error_stream %q", cells, errs)
	slices.Sort(cells)
	if want := []string{"u09tu 1", "u4pru 2"}; !slices.Equal(cells, want) {
		t.Errorf("cells %q, want %q", cells, want)
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "latitude 100 is not within [-90, 90]") {
		t.Errorf("error_stream messages %q, want the function's error for latitude 100", errs)
	}
}

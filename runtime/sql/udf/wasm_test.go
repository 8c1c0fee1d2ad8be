package udf_test

// Real functions: Go guests built with kinesin's sdk for GOOS=wasip1,
// deployed through the functions service (the Lambda API) and called
// through udf.New.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
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
	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/udf"
	"github.com/kinesin/kinesin/runtime/wasm"
)

// raceEnabled is set under the race detector, where compiling a 5 MB Go
// module takes minutes: the Wasm tests skip then (the fake-engine tests
// of the package cover the concurrency).
var raceEnabled bool

const account = "123456789012"

// guestPkgs are the guests, built once per test run.
var guestPkgs = map[string]string{
	"probe":   "./testdata/probe",
	"geohash": "../../../examples/sql-udf/geohash",
}

var guests struct {
	once sync.Once
	dir  string
	code map[string][]byte
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if guests.dir != "" {
		os.RemoveAll(guests.dir)
	}
	os.Exit(code)
}

func buildGuests() {
	guests.code = map[string][]byte{}
	guests.dir, guests.err = os.MkdirTemp("", "kinesin-udf-guests")
	if guests.err != nil {
		return
	}
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		goCmd = "go"
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, pkg := range guestPkgs {
		wg.Go(func() {
			out := filepath.Join(guests.dir, name+".wasm")
			cmd := exec.Command(goCmd, "build", "-buildmode=c-shared", "-o", out, pkg)
			cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
			msg, err := cmd.CombinedOutput()
			var code []byte
			if err == nil {
				code, err = os.ReadFile(out)
			} else {
				err = fmt.Errorf("build guest %s: %v\n%s", name, err, msg)
			}
			mu.Lock()
			defer mu.Unlock()
			guests.code[name] = code
			if err != nil {
				guests.err = errors.Join(guests.err, err)
			}
		})
	}
	wg.Wait()
}

// guest is the WebAssembly module of a guest.
func guest(tb testing.TB, name string) []byte {
	tb.Helper()
	if raceEnabled {
		tb.Skip("compiling a Go guest takes minutes under -race")
	}
	if testing.Short() {
		tb.Skip("builds and compiles 5 MB WebAssembly modules")
	}
	guests.once.Do(buildGuests)
	if guests.err != nil {
		tb.Fatal(guests.err)
	}
	return guests.code[name]
}

// stack is a functions service with its Lambda API.
type stack struct {
	svc    *functions.Service
	client *lambda.Client
}

func startStack(tb testing.TB, wcfg wasm.Config) *stack {
	tb.Helper()
	js, err := jetstream.New(natstest.Conn(tb))
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	wcfg.Logger = log
	we, err := wasm.New(wcfg)
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := functions.New(js, functions.Engines{functions.EngineWasm: we},
		functions.Config{AccountID: account, CodeDir: tb.TempDir(), Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	srv := router.New(router.Config{Listen: "127.0.0.1:0", Logger: log})
	svc.Register(srv)
	if err := srv.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
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
	return &stack{svc: svc, client: client}
}

// deploy creates a wasm function from a guest, as the raw module, and
// waits until it is Active.
func (s *stack) deploy(tb testing.TB, name, guestName string) {
	tb.Helper()
	ctx := context.Background()
	_, err := s.client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.Runtime("wasm"), Handler: aws.String("handler"),
		Role: aws.String("arn:aws:iam::" + account + ":role/udf"), Timeout: aws.Int32(10),
		Code: &types.FunctionCode{ZipFile: guest(tb, guestName)},
	})
	if err != nil {
		tb.Fatalf("CreateFunction %s: %v", name, err)
	}
	w := lambda.NewFunctionActiveV2Waiter(s.client, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, time.Minute); err != nil {
		tb.Fatalf("wait active %s: %v", name, err)
	}
}

var (
	tBool      = eval.Type{Kind: eval.Boolean}
	tInt       = eval.Type{Kind: eval.Integer}
	tBig       = eval.Type{Kind: eval.BigInt}
	tDec       = eval.Type{Kind: eval.Decimal, Len: 10, Scale: 2}
	tDouble    = eval.Type{Kind: eval.Double}
	tVarchar   = eval.Type{Kind: eval.Varchar}
	tVarchar12 = eval.Type{Kind: eval.Varchar, Len: 12}
	tVarbinary = eval.Type{Kind: eval.Varbinary}
	tDate      = eval.Type{Kind: eval.Date}
	tTimestamp = eval.Type{Kind: eval.Timestamp}
)

func newFunc(tb testing.TB, inv udf.Invoker, name string, params []eval.Type, ret eval.Type) *eval.Func {
	tb.Helper()
	f, err := udf.New(inv, name, params, ret)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func TestWasm(t *testing.T) {
	s := startStack(t, wasm.Config{})
	s.deploy(t, "probe", "probe")
	stamp := eval.TimestampMillis(time.Date(2026, 11, 26, 5, 6, 7, 89e6, time.UTC).UnixMilli())

	t.Run("event", func(t *testing.T) {
		params := []eval.Type{tVarchar, tBool, tInt, tBig, tDec, tDouble, tVarchar, tVarbinary, tDate, tTimestamp, tDouble}
		f := newFunc(t, s.svc, "probe", params, tVarchar)
		got, err := f.Call([]eval.Value{eval.Str("payload"), eval.Bool(true), eval.Int(-3), eval.BigIntValue(1 << 40),
			eval.DecimalValue(1250, 2), eval.DoubleValue(0.25), eval.Str(`"quoted" é`), {Kind: eval.Varbinary, S: "\x00\xff"},
			{Kind: eval.Date, I: 20454}, stamp, eval.NullValue})
		want := `["payload",true,-3,1099511627776,12.50,0.25,"\"quoted\" é","AP8=","2026-01-01","2026-11-26 05:06:07.089",null]`
		if err != nil || got.S != want {
			t.Fatalf("the function got %s, %v; want %s", got.S, err, want)
		}
	})

	t.Run("round trip", func(t *testing.T) {
		tests := []struct {
			typ eval.Type
			v   eval.Value
		}{
			{tBool, eval.Bool(false)},
			{tInt, eval.Int(-2147483648)},
			{tBig, eval.BigIntValue(-1)},
			{tDec, eval.DecimalValue(-5, 2)},
			{tDouble, eval.DoubleValue(1e-7)},
			{tVarchar, eval.Str("multi\nline\t\"text\" 😀")},
			{tVarbinary, eval.Value{Kind: eval.Varbinary, S: "\x00\x01\xfe\xff"}},
			{tDate, eval.Value{Kind: eval.Date, I: -1}},
			{tTimestamp, stamp},
			{tTimestamp, eval.NullValue},
		}
		for _, tt := range tests {
			f := newFunc(t, s.svc, "probe", []eval.Type{tVarchar, tt.typ}, tt.typ)
			got, err := f.Call([]eval.Value{eval.Str("echo"), tt.v})
			if err != nil || got != tt.v {
				t.Errorf("%s %v came back as %#v, %v", tt.typ, tt.v, got, err)
			}
		}
	})

	t.Run("answers", func(t *testing.T) {
		tests := []struct {
			answer  string
			typ     eval.Type
			want    eval.Value
			wantErr string
		}{
			{`"12.5"`, tDouble, eval.DoubleValue(12.5), ""},
			{`2.5`, tInt, eval.Int(3), ""},
			{`{"a":1}`, tVarchar, eval.Str(`{"a":1}`), ""},
			{`"2026-11-26T05:06:07.089Z"`, tTimestamp, stamp, ""},
			{`"abc"`, tDouble, eval.NullValue, `function probe answered "abc", which does not convert to DOUBLE: cannot CAST 'abc' to DOUBLE`},
			{`{"a":1}`, tInt, eval.NullValue, `function probe answered {"a":1}, which does not convert to INTEGER`},
			{`1e999`, tDouble, eval.NullValue, `out of range`},
		}
		for _, tt := range tests {
			f := newFunc(t, s.svc, "probe", []eval.Type{tVarchar, tVarchar}, tt.typ)
			got, err := f.Call([]eval.Value{eval.Str("raw"), eval.Str(tt.answer)})
			switch {
			case tt.wantErr == "" && (err != nil || got != tt.want):
				t.Errorf("%s as %s: got %#v, %v; want %#v", tt.answer, tt.typ, got, err, tt.want)
			case tt.wantErr != "":
				var ce *udf.ConvertError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("%s as %s: got %v, %v; want an error with %q", tt.answer, tt.typ, got, err, tt.wantErr)
				}
			}
		}
	})

	t.Run("function errors", func(t *testing.T) {
		f := newFunc(t, s.svc, "probe", []eval.Type{tVarchar, tVarchar}, tVarchar)
		for op, want := range map[string]string{
			"fail":  "function probe failed: errorString: no such ticker",
			"panic": "function probe failed: ",
		} {
			_, err := f.Call([]eval.Value{eval.Str(op), eval.Str("no such ticker")})
			var fe *udf.FunctionError
			if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), want) || !strings.Contains(fe.Message, "no such ticker") {
				t.Errorf("%s: got %v, want a FunctionError %q...", op, err, want)
			}
		}
		// The pool replaced the instance that panicked: calls go on.
		if got, err := f.Call([]eval.Value{eval.Str("echo"), eval.Str("still here")}); err != nil || got.S != "still here" {
			t.Fatalf("after a panic: %v, %v", got, err)
		}
	})

	t.Run("qualifiers", func(t *testing.T) {
		ctx := context.Background()
		v, err := s.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("probe")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("probe"),
			Name: aws.String("live"), FunctionVersion: v.Version}); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"probe:" + aws.ToString(v.Version), "probe:live", "probe:$LATEST",
			"arn:aws:lambda:us-east-1:" + account + ":function:probe:live"} {
			f := newFunc(t, s.svc, name, []eval.Type{tVarchar, tInt}, tInt)
			if got, err := f.Call([]eval.Value{eval.Str("echo"), eval.Int(7)}); err != nil || got != eval.Int(7) {
				t.Errorf("%s: got %v, %v", name, got, err)
			}
		}
		f := newFunc(t, s.svc, "nobody", []eval.Type{tInt}, tInt)
		if _, err := f.Call([]eval.Value{eval.Int(1)}); err == nil || !strings.Contains(err.Error(), "function nobody: ") ||
			!strings.Contains(err.Error(), "Function not found") {
			t.Fatalf("missing function: got %v", err)
		}
	})
}

// BenchmarkWasm measures calls through udf.New on a real Go guest; run it
// on one core: go test -run NONE -bench Wasm -cpu 1 ./runtime/sql/udf.
func BenchmarkWasm(b *testing.B) {
	for _, mode := range []struct {
		name string
		cfg  wasm.Config
	}{{"interruptible", wasm.Config{}}, {"uninterruptible", wasm.Config{Uninterruptible: true}}} {
		s := startStack(b, mode.cfg)
		s.deploy(b, "geohash", "geohash")
		s.deploy(b, "probe", "probe")
		b.Run("geohash/"+mode.name, func(b *testing.B) {
			f := newFunc(b, s.svc, "geohash", []eval.Type{tDouble, tDouble, tInt}, tVarchar12)
			args := []eval.Value{eval.DoubleValue(57.64911), eval.DoubleValue(10.40744), eval.Int(11)}
			// The first call makes the first instance.
			if v, err := f.Call(args); err != nil || v.S != "u4pruydqqvj" {
				b.Fatalf("geohash: %v, %v; want u4pruydqqvj (Wikipedia's example)", v, err)
			}
			benchCalls(b, f, args)
		})
		b.Run("echo/"+mode.name, func(b *testing.B) {
			f := newFunc(b, s.svc, "probe", []eval.Type{tVarchar, tInt}, tInt)
			args := []eval.Value{eval.Str("echo"), eval.Int(7)}
			if _, err := f.Call(args); err != nil {
				b.Fatal(err)
			}
			benchCalls(b, f, args)
		})
	}
}

// benchCalls calls f in a loop and reports calls per second of wall time
// and of CPU time (the process's; with -cpu 1 one core runs the calls).
func benchCalls(b *testing.B, f *eval.Func, args []eval.Value) {
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := f.Call(args); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	if d := cpuTime() - cpu; d > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(b.N)/d.Seconds(), "calls/cpu-s")
	}
}

// BenchmarkResolve is what a call would cost on top if it looked the
// function up every time (udf.New does once a second).
func BenchmarkResolve(b *testing.B) {
	s := startStack(b, wasm.Config{})
	s.deploy(b, "geohash", "geohash")
	for b.Loop() {
		if _, _, err := s.svc.Resolve("geohash", ""); err != nil {
			b.Fatal(err)
		}
	}
}

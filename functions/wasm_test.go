package functions_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// raceEnabled is set under the race detector.
var raceEnabled bool

// TestWasmFunction deploys examples/functions/go-handler built for
// WebAssembly, as the raw module and as a ZIP holding it.
func TestWasmFunction(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds and compiles a 5 MB WebAssembly module (minutes under -race)")
	}
	out := filepath.Join(t.TempDir(), "handler.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "github.com/kinesin/kinesin/examples/functions/go-handler")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot build the example guest: %v\n%s", err, b)
	}
	mod, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	zipped, err := zipFiles(map[string]zipEntry{"handler.wasm": {mod, 0o644}, "README": {[]byte("x"), 0o644}})
	if err != nil {
		t.Fatal(err)
	}
	s := startStack(t)
	event := `{"Records":[{"kinesis":{"data":"b2s=","sequenceNumber":"1"}},{"kinesis":{"data":"ZmFpbA==","sequenceNumber":"2"}}]}`
	for name, code := range map[string][]byte{"raw": mod, "zipped": zipped} {
		s.createEcho(t, name, func(in *lambda.CreateFunctionInput) {
			in.Runtime, in.Handler, in.Code.ZipFile = types.Runtime("wasm"), aws.String("handle"), code
			in.Timeout = aws.Int32(30)
		})
		res, err := s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(event), LogType: types.LogTypeTail})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.FunctionError != nil || !strings.Contains(string(res.Payload), `"itemIdentifier":"2"`) {
			t.Fatalf("%s: %q %s", name, aws.ToString(res.FunctionError), res.Payload)
		}
	}
}

package testutil

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BuildKinesin compiles the kinesin binary into a temporary directory, for
// tests that run it as a separate process (and kill it).
func BuildKinesin(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kinesin")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/kinesin/kinesin/cmd/kinesin")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build kinesin: %v\n%s", err, out)
	}
	return bin
}

// FreeAddr returns a local HOST:PORT nobody listens on right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Serve runs `kinesin serve --listen addr args…` from bin, waits until
// /health answers, and kills the process when the test ends.
func Serve(t testing.TB, bin, addr string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", addr}, args...)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	Eventually(t, 60*time.Second, "kinesin /health", func() bool {
		resp, err := http.Get("http://" + addr + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return cmd
}

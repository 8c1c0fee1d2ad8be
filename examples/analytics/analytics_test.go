package analytics_test

// The example of README.md, end to end: the test runs the kinesin commands
// of the README's shell blocks (with the kinesin binary, in the repository
// root, as a user does) against an in-process server and checks what they
// print: the application's window rows in the output stream (kinesin tail,
// which runs until it is stopped), the application RUNNING, and the rows of
// the ad hoc query.

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

func TestReadme(t *testing.T) {
	cmds := testutil.ReadmeCommands(t, "README.md")
	bin := testutil.BuildKinesin(t)
	s := testutil.Start(t, server.Config{DataDir: t.TempDir(), TriggerTimeUnit: 10 * time.Millisecond})

	command := func(c testutil.Command) *exec.Cmd {
		return c.Exec(bin, s.URL(), "../..") // the repository root, where the README's paths start
	}
	ran := map[string]string{}
	for _, c := range cmds {
		name := c.Args[0]
		if len(c.Args) > 1 && name == "apps" {
			name += " " + c.Args[1]
		}
		switch name {
		case "serve": // the in-process server above
			continue
		case "tail":
			ran[name] = tailUntil(t, command(c))
			continue
		case "apply", "put", "apps ls", "apps describe", "sql":
		default:
			t.Fatalf("README runs kinesin %s, which this test does not know", strings.Join(c.Args, " "))
		}
		cmd := command(c)
		var errw bytes.Buffer
		cmd.Stderr = &errw
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("kinesin %s: %v\n%s%s", strings.Join(c.Args, " "), err, out, errw.Bytes())
		}
		t.Logf("kinesin %s:\n%s%s", strings.Join(c.Args, " "), out, errw.Bytes())
		ran[name] = string(out)
	}

	if !strings.Contains(ran["apply"], "application ticker-stats: started from TRIM_HORIZON, RUNNING\n") {
		t.Errorf("apply printed:\n%s", ran["apply"])
	}
	if !regexp.MustCompile(`(?m)^ticker-stats\s+RUNNING\s+1\s+stream:ticker\s+stream:ticker-stats$`).MatchString(ran["apps ls"]) {
		t.Errorf("apps ls printed:\n%s", ran["apps ls"])
	}
	for _, want := range []string{"Status:", "RUNNING", "Column:", "TICKER VARCHAR(8) ← $.ticker", "DESTINATION_SQL_STREAM → stream:ticker-stats (JSON)"} {
		if !strings.Contains(ran["apps describe"], want) {
			t.Errorf("apps describe lacks %q:\n%s", want, ran["apps describe"])
		}
	}
	// The ad hoc query: a header, then the two trades between 182 and 200 (the
	// README's sample output, times aside).
	lines := strings.Split(strings.TrimSpace(ran["sql"]), "\n")
	squeeze := regexp.MustCompile(`\s+`)
	var got []string
	for _, l := range lines {
		got = append(got, squeeze.ReplaceAllString(l, " "))
	}
	if len(got) != 3 || got[0] != "ROWTIME TICKER PRICE" || !strings.HasSuffix(got[1], " AMZN 183.0") || !strings.HasSuffix(got[2], " AMZN 182.25") {
		t.Errorf("sql printed:\n%s", ran["sql"])
	}
}

// tailUntil runs kinesin tail until the window rows of the README's trades
// are printed (one row per ticker and window: the trades of a ticker add
// up to what was put), then stops it and returns what it printed.
func tailUntil(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	var out testutil.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	type row struct {
		TICKER               string
		TRADES               int
		MIN_PRICE, MAX_PRICE float64
	}
	testutil.Eventually(t, 30*time.Second, "ticker-stats rows for 3 AMZN and 2 MSFT trades", func() bool {
		trades := map[string]int{}
		lo, hi := map[string]float64{}, map[string]float64{}
		for _, l := range strings.Split(out.String(), "\n") {
			i := strings.IndexByte(l, '{')
			var r row
			if i < 0 || json.Unmarshal([]byte(l[i:]), &r) != nil {
				continue
			}
			trades[r.TICKER] += r.TRADES
			if v, ok := lo[r.TICKER]; !ok || r.MIN_PRICE < v {
				lo[r.TICKER] = r.MIN_PRICE
			}
			hi[r.TICKER] = max(hi[r.TICKER], r.MAX_PRICE)
		}
		return trades["AMZN"] == 3 && trades["MSFT"] == 2 && lo["AMZN"] == 181.5 && hi["AMZN"] == 183 && lo["MSFT"] == 420 && hi["MSFT"] == 421.25
	})
	t.Logf("kinesin tail:\n%s", out.String())
	return out.String()
}

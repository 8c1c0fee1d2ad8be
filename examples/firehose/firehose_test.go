package firehose_test

// The example of README.md, end to end: the test runs the kinesin commands
// of the README's shell blocks (with the kinesin binary, in the repository
// root, as a user does) against an in-process server, then reads back the
// Parquet files and the error output the README says appear.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

// order is a row of the Parquet files, as pipeline.yaml's columns declare.
type order struct {
	Customer    string    `parquet:"customer,optional"`
	Amount      float64   `parquet:"amount,optional"`
	AmountCents int64     `parquet:"amount_cents,optional"`
	TS          time.Time `parquet:"ts,optional,timestamp(millisecond)"`
}

func TestReadme(t *testing.T) {
	cmds := testutil.ReadmeCommands(t, "README.md")
	bin := testutil.BuildKinesin(t)
	dir := t.TempDir()
	// One "second" of buffering interval is 10 ms.
	s := testutil.Start(t, server.Config{DataDir: dir, TriggerTimeUnit: 10 * time.Millisecond})

	for _, c := range cmds {
		switch c.Args[0] {
		case "serve": // the in-process server above
			continue
		case "apply", "put":
		default:
			t.Fatalf("README runs kinesin %s, which this test does not know", strings.Join(c.Args, " "))
		}
		// The repository root is where the README's paths start.
		out, err := c.Exec(bin, s.URL(), "../..").CombinedOutput()
		if err != nil {
			t.Fatalf("kinesin %s: %v\n%s", strings.Join(c.Args, " "), err, out)
		}
		t.Logf("kinesin %s:\n%s", strings.Join(c.Args, " "), out)
	}
	checkLake(t, filepath.Join(dir, "s3", "lake"))
}

// checkLake waits for the objects the README lists in bucket directory
// lake and checks their contents.
func checkLake(t *testing.T, lake string) {
	t.Helper()
	want := map[string][]order{
		"acme": {
			{"acme", 12.5, 1250, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)},
			{"acme", 3.2, 320, time.Date(2026, 11, 26, 8, 2, 0, 0, time.UTC)},
		},
		"globex": {{"globex", 99.99, 9999, time.Date(2026, 11, 26, 8, 1, 0, 0, time.UTC)}},
	}
	partition := regexp.MustCompile(`^orders/customer=([^/]+)/\d{4}/\d{2}/\d{2}/orders-to-lake-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}\.parquet$`)
	failed := regexp.MustCompile(`^errors/processing-failed/\d{4}/\d{2}/\d{2}/orders-to-lake-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}$`)

	var (
		keys     []string
		rows     map[string][]order
		failures []failure
	)
	testutil.Eventually(t, 60*time.Second, "every order in Parquet and the failed record in the error output", func() bool {
		keys, rows, failures = objects(t, lake), map[string][]order{}, nil
		for _, key := range keys {
			data, err := os.ReadFile(filepath.Join(lake, filepath.FromSlash(key)))
			if err != nil {
				t.Fatal(err)
			}
			switch m := partition.FindStringSubmatch(key); {
			case m != nil:
				got, err := parquet.Read[order](bytes.NewReader(data), int64(len(data)))
				if err != nil {
					t.Fatalf("%s: %v", key, err)
				}
				rows[m[1]] = append(rows[m[1]], got...)
			case failed.MatchString(key):
				failures = append(failures, readFailures(t, key, data)...)
			default:
				t.Fatalf("unexpected object %s", key)
			}
		}
		return len(rows["acme"]) >= 2 && len(rows["globex"]) >= 1 && len(failures) >= 1
	})

	t.Logf("objects in bucket lake:\n%s", strings.Join(keys, "\n"))
	for customer, w := range want {
		got := rows[customer]
		slices.SortFunc(got, func(a, b order) int { return a.TS.Compare(b.TS) })
		if len(got) != len(w) {
			t.Fatalf("customer=%s: rows %+v, want %+v", customer, got, w)
		}
		for i := range w {
			if got[i].Customer != w[i].Customer || got[i].Amount != w[i].Amount || got[i].AmountCents != w[i].AmountCents || !got[i].TS.Equal(w[i].TS) {
				t.Errorf("customer=%s row %d: %+v, want %+v", customer, i, got[i], w[i])
			}
		}
	}
	if len(rows) != len(want) {
		t.Errorf("partitions %v, want acme and globex only", rows)
	}
	if len(failures) != 1 {
		t.Fatalf("error output %+v, want the one non-JSON record", failures)
	}
	f := failures[0]
	if raw, _ := base64.StdEncoding.DecodeString(f.RawData); string(raw) != "not an order" ||
		f.ErrorCode != "Lambda.ProcessingFailedStatus" || !strings.HasSuffix(f.LambdaArn, ":function:enrich-orders") {
		t.Errorf("error output %+v", f)
	}
}

// failure is a document of the error output, as Firehose writes it.
type failure struct {
	AttemptsMade int    `json:"attemptsMade"`
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
	RawData      string `json:"rawData"`
	LambdaArn    string `json:"lambdaArn"`
}

func readFailures(t *testing.T, key string, data []byte) []failure {
	t.Helper()
	var out []failure
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var f failure
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v\n%s", key, err, data)
		}
		out = append(out, f)
	}
	return out
}

// objects lists the keys of the objects in a bucket directory (none when
// it does not exist yet).
func objects(t *testing.T, bucket string) []string {
	t.Helper()
	var keys []string
	err := filepath.WalkDir(bucket, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// kinesin writes an object to a temporary file, then renames it.
		if !d.IsDir() && !strings.HasPrefix(d.Name(), ".tmp-") {
			rel, err := filepath.Rel(bucket, path)
			if err != nil {
				return err
			}
			keys = append(keys, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return keys
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"
)

// fakeAPI answers PutRecords and PutRecordBatch, rejecting the records
// reject picks.
type fakeAPI struct {
	mu      sync.Mutex
	calls   []int // records per call
	sizes   []int // bytes per call
	got     map[string]int
	reject  func(call, i int, data string) bool
	callErr error
}

// answer notes a call with records and answers each: bad for the records
// it rejects, ok(call, i) for the others; and how many it rejected.
func answer[R, A any](f *fakeAPI, records []R, data func(R) []byte, ok func(call, i int) A, bad A) ([]A, int32, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.callErr != nil {
		return nil, 0, f.callErr
	}
	if f.got == nil {
		f.got = map[string]int{}
	}
	call := len(f.calls)
	f.calls = append(f.calls, len(records))
	var answers []A
	failed, size := int32(0), 0
	for i, r := range records {
		d := data(r)
		size += len(d)
		if f.reject != nil && f.reject(call, i, string(d)) {
			failed++
			answers = append(answers, bad)
			continue
		}
		f.got[string(d)]++
		answers = append(answers, ok(call, i))
	}
	f.sizes = append(f.sizes, size)
	return answers, failed, nil
}

func (f *fakeAPI) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	res, failed, err := answer(f, in.Records, func(r types.PutRecordsRequestEntry) []byte { return r.Data },
		func(call, i int) types.PutRecordsResultEntry {
			return types.PutRecordsResultEntry{ShardId: aws.String("shardId-000000000000"), SequenceNumber: aws.String(fmt.Sprint(call, i))}
		},
		types.PutRecordsResultEntry{
			ErrorCode:    aws.String("ProvisionedThroughputExceededException"),
			ErrorMessage: aws.String("Rate exceeded for shard shardId-000000000000"),
		})
	if err != nil {
		return nil, err
	}
	return &kinesis.PutRecordsOutput{Records: res, FailedRecordCount: aws.Int32(failed)}, nil
}

func (f *fakeAPI) PutRecordBatch(_ context.Context, in *firehose.PutRecordBatchInput, _ ...func(*firehose.Options)) (*firehose.PutRecordBatchOutput, error) {
	res, failed, err := answer(f, in.Records, func(r ftypes.Record) []byte { return r.Data },
		func(call, i int) ftypes.PutRecordBatchResponseEntry {
			return ftypes.PutRecordBatchResponseEntry{RecordId: aws.String(fmt.Sprint(call, i))}
		},
		ftypes.PutRecordBatchResponseEntry{ErrorCode: aws.String("ServiceUnavailableException"), ErrorMessage: aws.String("Slow down.")})
	if err != nil {
		return nil, err
	}
	return &firehose.PutRecordBatchOutput{RequestResponses: res, FailedPutCount: aws.Int32(failed)}, nil
}

// testPutter gives p the settings of the tests: 5 quick retries and no
// linger.
func testPutter[E any](p *batchPutter[E]) *batchPutter[E] {
	p.maxRetries = 5
	p.backoff, p.maxBackoff, p.linger = time.Millisecond, 4*time.Millisecond, time.Hour
	return p
}

func newTestPutter(f *fakeAPI) *batchPutter[types.PutRecordsRequestEntry] {
	return testPutter(newKinesisPutter(f, "s", ""))
}

func newTestFirehosePutter(f *fakeAPI) *batchPutter[ftypes.Record] {
	return testPutter(newFirehosePutter(f, "s", []byte("\n")))
}

// lines returns n lines of at least size bytes, each ending in its number.
func lines(n, size int) string {
	var b strings.Builder
	for i := range n {
		s := fmt.Sprint(i)
		b.WriteString(strings.Repeat("x", max(0, size-len(s))) + s + "\n")
	}
	return b.String()
}

func TestPutterBatches(t *testing.T) {
	for _, c := range []struct {
		name      string
		input     string
		wantCalls []int
	}{
		{"count limit", lines(1201, 10), []int{500, 500, 201}},
		// 600 KiB lines: 8 fit in 5 MiB with their keys, the 9th does not.
		{"size limit", lines(10, 600<<10), []int{8, 2}},
		{"one line without newline", "only", []int{1}},
		{"empty input", "", nil},
		{"crlf and blank lines", "a\r\n\r\nb\n", []int{3}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeAPI{}
			p := newTestPutter(f)
			if err := p.run(context.Background(), strings.NewReader(c.input)); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(f.calls) != fmt.Sprint(c.wantCalls) {
				t.Errorf("records per call = %v, want %v", f.calls, c.wantCalls)
			}
			want := 0
			for _, n := range c.wantCalls {
				want += n
			}
			if p.sent != want || len(f.got) > want {
				t.Errorf("sent %d, stored %d distinct, want %d", p.sent, len(f.got), want)
			}
		})
	}
}

func TestPutterRetriesRejectedRecords(t *testing.T) {
	t.Run("kinesis", func(t *testing.T) { testRetriesRejectedRecords(t, newTestPutter, "3") })
	t.Run("firehose", func(t *testing.T) { testRetriesRejectedRecords(t, newTestFirehosePutter, "3\n") })
}

// testRetriesRejectedRecords puts 100 records, those ending in end failing
// on their first two tries.
func testRetriesRejectedRecords[E any](t *testing.T, newPutter func(*fakeAPI) *batchPutter[E], end string) {
	f := &fakeAPI{reject: func(call, _ int, data string) bool {
		return call < 2 && strings.HasSuffix(data, end)
	}}
	p := newPutter(f)
	if err := p.run(context.Background(), strings.NewReader(lines(100, 5))); err != nil {
		t.Fatal(err)
	}
	if p.sent != 100 || len(f.got) != 100 {
		t.Fatalf("sent %d, stored %d, want 100", p.sent, len(f.got))
	}
	for data, n := range f.got {
		if n != 1 {
			t.Errorf("%q stored %d times", data, n)
		}
	}
	if p.retried != 20 || fmt.Sprint(f.calls) != "[100 10 10]" {
		t.Errorf("retried %d, calls %v; want 20 retried over calls [100 10 10]", p.retried, f.calls)
	}
}

func TestPutterGivesUp(t *testing.T) {
	t.Run("kinesis", func(t *testing.T) {
		testGivesUp(t, newTestPutter, "ProvisionedThroughputExceededException: Rate exceeded for shard shardId-000000000000")
	})
	t.Run("firehose", func(t *testing.T) {
		testGivesUp(t, newTestFirehosePutter, "ServiceUnavailableException: Slow down.")
	})
}

// testGivesUp puts two records, the server rejecting the first of every
// call, and wants the error to name the server's last complaint.
func testGivesUp[E any](t *testing.T, newPutter func(*fakeAPI) *batchPutter[E], last string) {
	f := &fakeAPI{reject: func(_, i int, _ string) bool { return i == 0 }}
	p := newPutter(f)
	err := p.run(context.Background(), strings.NewReader("a\nb\n"))
	if want := "1 record still rejected after 5 retries (last: " + last + ")"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if len(f.calls) != 6 {
		t.Errorf("%d calls, want 1 + 5 retries", len(f.calls))
	}
}

func TestPutterLineTooLong(t *testing.T) {
	f := &fakeAPI{}
	p := newTestPutter(f)
	err := p.run(context.Background(), strings.NewReader("ok\n"+strings.Repeat("x", maxRecordBytes+10)+"\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want a complaint about line 2", err)
	}
}

func TestPutterLingerSendsPartialBatch(t *testing.T) {
	f := &fakeAPI{}
	p := newTestPutter(f)
	p.linger = 10 * time.Millisecond
	r, w := net.Pipe() // stays open: only the linger timer can flush
	defer w.Close()
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { done <- p.run(ctx, r) }()
	if _, err := w.Write([]byte("a\nb\n")); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 5*time.Second, func() (bool, string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.got) == 2, fmt.Sprintf("stored %v", f.got)
	})
	cancel()
	w.Close()
	<-done
}

func TestParseFrom(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in      string
		typ     types.ShardIteratorType
		at      time.Time
		wantErr bool
	}{
		{"latest", types.ShardIteratorTypeLatest, time.Time{}, false},
		{"LATEST", types.ShardIteratorTypeLatest, time.Time{}, false},
		{"trim-horizon", types.ShardIteratorTypeTrimHorizon, time.Time{}, false},
		{"TRIM_HORIZON", types.ShardIteratorTypeTrimHorizon, time.Time{}, false},
		{"2025-05-31T10:00:00Z", types.ShardIteratorTypeAtTimestamp, time.Date(2025, 5, 31, 10, 0, 0, 0, time.UTC), false},
		{"2025-05-31T10:00:00.5+02:00", types.ShardIteratorTypeAtTimestamp, time.Date(2025, 5, 31, 8, 0, 0, 5e8, time.UTC), false},
		{"15m", types.ShardIteratorTypeAtTimestamp, now.Add(-15 * time.Minute), false},
		{"yesterday", "", time.Time{}, true},
		{"-5m", "", time.Time{}, true},
		{"2025-05-31", "", time.Time{}, true},
	} {
		got, err := parseFrom(c.in, now)
		if (err != nil) != c.wantErr || got.typ != c.typ || !got.at.Equal(c.at) {
			t.Errorf("parseFrom(%q) = %+v, %v", c.in, got, err)
		}
	}
}

// TestTailerReady checks the lineage rule that keeps tail from printing a
// record twice or out of order across resharding.
func TestTailerReady(t *testing.T) {
	shard := func(id, parent, adj string) types.Shard {
		s := types.Shard{ShardId: aws.String(id)}
		if parent != "" {
			s.ParentShardId = aws.String(parent)
		}
		if adj != "" {
			s.AdjacentParentShardId = aws.String(adj)
		}
		return s
	}
	tl := &tailer{shards: map[string]*tailShard{}}
	add := func(s types.Shard, st shardState) {
		tl.shards[*s.ShardId] = &tailShard{shard: s, state: st}
		tl.order = append(tl.order, *s.ShardId)
	}
	add(shard("s0", "gone", ""), shardDone)    // parent expired: a root
	add(shard("s1", "s0", ""), shardRunning)   // split of s0
	add(shard("s2", "s0", ""), shardPending)   // split of s0
	add(shard("s3", "s1", "s2"), shardPending) // merge of s1 and s2
	add(shard("s4", "", ""), shardPending)     // unrelated root
	if got := fmt.Sprint(tl.ready()); got != "[s2 s4]" {
		t.Errorf("ready = %s, want [s2 s4]", got)
	}
	tl.shards["s1"].state = shardDone
	tl.shards["s2"].state = shardRunning
	tl.shards["s4"].state = shardRunning
	if got := fmt.Sprint(tl.ready()); got != "[]" {
		t.Errorf("ready with one merge parent running = %s, want []", got)
	}
	tl.shards["s2"].state = shardDone
	if got := fmt.Sprint(tl.ready()); got != "[s3]" {
		t.Errorf("ready = %s, want [s3]", got)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"hello world": "hello world",
		"tab\there":   "tab\there",
		"ünïcødé ✓":   "ünïcødé ✓",
		"two\nlines":  `"two\nlines"`,
		"\x00\xff":    `"\x00\xff"`,
		"":            "",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestDescribeErr(t *testing.T) {
	api := &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Stream x under account 000000000000 not found."}
	err := fmt.Errorf("pipeline: stream x: %w", &smithy.OperationError{ServiceID: "Kinesis", OperationName: "DescribeStreamSummary", Err: api})
	want := "pipeline: stream x: DescribeStreamSummary: ResourceNotFoundException: Stream x under account 000000000000 not found."
	if got := describeErr(err); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	dial := &smithy.OperationError{ServiceID: "Kinesis", OperationName: "ListStreams",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	if got := describeErr(dial); !strings.Contains(got, "ListStreams: cannot reach the server (connection refused)") {
		t.Errorf("dial error: %s", got)
	}
	if got := describeErr(errors.New("plain")); got != "plain" {
		t.Errorf("plain error: %s", got)
	}
}

func TestNewKinesisClient(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	creds := func(c *kinesis.Client) aws.Credentials {
		t.Helper()
		v, err := c.Options().Credentials.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	c, err := newClient(clientConfig{Endpoint: "127.0.0.1:4567", Region: "eu-west-1", Getenv: getenv}, kinesis.NewFromConfig)
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(c.Options().BaseEndpoint); got != "http://127.0.0.1:4567" {
		t.Errorf("endpoint = %s", got)
	}
	if v := creds(c); v.AccessKeyID != "kinesin" || v.SecretAccessKey != "kinesin" {
		t.Errorf("default credentials = %+v", v)
	}
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"] = "AKID", "SECRET", "TOKEN"
	c, err = newClient(clientConfig{Endpoint: "https://kinesin.example:443", Region: "us-east-1", Getenv: getenv, Insecure: true}, kinesis.NewFromConfig)
	if err != nil {
		t.Fatal(err)
	}
	if v := creds(c); v.AccessKeyID != "AKID" || v.SecretAccessKey != "SECRET" || v.SessionToken != "TOKEN" {
		t.Errorf("env credentials = %+v", v)
	}
	for _, bad := range []string{"ftp://x", "http://", "::"} {
		if _, err := newClient(clientConfig{Endpoint: bad, Region: "us-east-1"}, kinesis.NewFromConfig); err == nil {
			t.Errorf("endpoint %q accepted", bad)
		}
	}
}

// TestHelp makes sure every command explains itself with an example, and
// that --help works without a server.
func TestHelp(t *testing.T) {
	root := newRootCmd(func(string) string { return "" })
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c != root {
			return
		}
		if c.Long == "" || c.Example == "" {
			t.Errorf("%q lacks a Long description or an Example", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)

	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"streams", "create", "--help"}, {"tail", "--help"}} {
		var out, errw bytes.Buffer
		if code := execute(context.Background(), newRootCmd(func(string) string { return "" }), args, strings.NewReader(""), &out, &errw); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, errw.String())
		}
		if !strings.Contains(out.String(), "Examples:") {
			t.Errorf("%v: no examples in\n%s", args, out.String())
		}
	}
}

func TestEndpointFromEnvironment(t *testing.T) {
	root := newRootCmd(func(k string) string {
		if k == "KINESIN_ENDPOINT" {
			return "http://kinesin.example:9999"
		}
		return ""
	})
	if got := root.PersistentFlags().Lookup("endpoint").DefValue; got != "http://kinesin.example:9999" {
		t.Errorf("--endpoint default = %s", got)
	}
}

// TestApplyInvalidFile needs no server: a bad file fails before any call,
// with every problem printed as FILE:LINE: PATH: MESSAGE.
func TestApplyInvalidFile(t *testing.T) {
	src := "streams:\n  - name: a\n    shards: 0\n  - name: b\n    colour: red\n"
	var out, errw bytes.Buffer
	code := execute(context.Background(), newRootCmd(func(string) string { return "" }),
		[]string{"--endpoint", "http://127.0.0.1:1", "apply", "-f", "-"}, strings.NewReader(src), &out, &errw)
	want := "<stdin>:3: streams[0].shards: must be at least 1\n" +
		"<stdin>:5: streams[1].colour: unknown field (known: name, shards, mode, retention_hours, tags)\n"
	if code != 1 || errw.String() != want {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, errw.String(), want)
	}
}

func TestServeRejectsBadLogFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--log-format", "xml"},
		{"serve", "--log-level", "loud"},
		{"serve", "--tls-self-signed", "--tls-cert", "c.pem"},
	} {
		var out, errw bytes.Buffer
		code := execute(context.Background(), newRootCmd(func(string) string { return "" }), args, strings.NewReader(""), &out, &errw)
		if code != 1 || !strings.HasPrefix(errw.String(), "kinesin: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errw.String())
		}
	}
}

// checkFor polls cond until it holds or timeout passes, then fails the
// test with cond's last description of what it saw.
func checkFor(t *testing.T, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %s: %s", timeout, state)
		}
		<-tick.C
	}
}

// TestCommandLineErrors: mistakes on the command line point to --help;
// errors from the work itself do not.
func TestCommandLineErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"put"}, "kinesin: accepts between 1 and 2 arg(s), received 0\nRun 'kinesin put --help' for usage.\n"},
		{[]string{"apply"}, "kinesin: required flag(s) \"file\" not set\nRun 'kinesin apply --help' for usage.\n"},
		{[]string{"tail", "s", "--bogus"}, "kinesin: unknown flag: --bogus\nRun 'kinesin tail --help' for usage.\n"},
		{[]string{"streams", "create", "s", "--shards", "2", "--on-demand"}, "Run 'kinesin streams create --help' for usage.\n"},
		{[]string{"tail", "s", "--from", "soon"}, "kinesin: --from \"soon\": want latest"},
	} {
		var out, errw bytes.Buffer
		code := execute(context.Background(), newRootCmd(func(string) string { return "" }), c.args, strings.NewReader(""), &out, &errw)
		if code != 1 || !strings.Contains(errw.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want it to contain %q", c.args, code, errw.String(), c.want)
		}
		if strings.HasPrefix(c.want, "kinesin: --from") && strings.Contains(errw.String(), "--help") {
			t.Errorf("%v: a usage hint for an error of the work: %q", c.args, errw.String())
		}
	}
}

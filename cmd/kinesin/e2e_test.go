package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

// These tests run the cobra command tree against an in-process server, the
// way a user runs the binary against `kinesin serve`.

type env struct {
	t   *testing.T
	url string
	dir string          // the server's data directory
	kc  *kinesis.Client // for checking results behind the CLI's back
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	srv, err := server.Start(context.Background(), server.Config{
		Listen:  "127.0.0.1:0",
		DataDir: dir,
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("server close: %v", err)
		}
	})
	kc, err := newClient(clientConfig{Endpoint: srv.URL(), Region: "us-east-1"}, kinesis.NewFromConfig)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, url: srv.URL(), dir: dir, kc: kc}
}

// run runs `kinesin --endpoint URL args...` to completion.
func (e *env) run(stdin string, args ...string) (stdout, stderr string, err error) {
	var out, errw bytes.Buffer
	err = e.cmd(context.Background(), strings.NewReader(stdin), &out, &errw, args...)
	return out.String(), errw.String(), err
}

// must runs the command and fails the test if it fails.
func (e *env) must(stdin string, args ...string) string {
	e.t.Helper()
	out, errw, err := e.run(stdin, args...)
	if err != nil {
		e.t.Fatalf("kinesin %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), describeErr(err), out, errw)
	}
	return out
}

func (e *env) cmd(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, args ...string) error {
	root := newRootCmd(func(string) string { return "" })
	root.SetArgs(append([]string{"--endpoint", e.url}, args...))
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return root.ExecuteContext(ctx)
}

// background starts a long-running command (tail) and returns its output
// buffers and a stop function that cancels it and returns its error.
func (e *env) background(args ...string) (stdout, stderr *testutil.SyncBuffer, stop func() error) {
	stdout, stderr = &testutil.SyncBuffer{}, &testutil.SyncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.cmd(ctx, strings.NewReader(""), stdout, stderr, args...) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			err = <-done
		})
		return err
	}
	e.t.Cleanup(func() { _ = stop() })
	return stdout, stderr, stop
}

func (e *env) summary(name string) *types.StreamDescriptionSummary {
	e.t.Helper()
	out, err := e.kc.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		e.t.Fatal(describeErr(err))
	}
	return out.StreamDescriptionSummary
}

// readAll reads every record of every shard from TRIM_HORIZON.
func (e *env) readAll(stream string) []types.Record {
	e.t.Helper()
	ctx := context.Background()
	shards, err := listShards(ctx, e.kc, stream)
	if err != nil {
		e.t.Fatal(err)
	}
	var recs []types.Record
	for _, sh := range shards {
		it, err := e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
			StreamName: aws.String(stream), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			e.t.Fatal(err)
		}
		iter := it.ShardIterator
		for iter != nil {
			out, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				e.t.Fatal(err)
			}
			recs = append(recs, out.Records...)
			if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
				break // caught up on an open shard
			}
			iter = out.NextShardIterator
		}
	}
	return recs
}

var spaces = regexp.MustCompile(`\s+`)

// rows returns the table's lines with runs of spaces squeezed to one.
func rows(table string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(table), "\n") {
		out = append(out, spaces.ReplaceAllString(strings.TrimSpace(l), " "))
	}
	return out
}

func TestStreamsCommands(t *testing.T) {
	e := newEnv(t)

	if out, errw, err := e.run("", "streams", "ls"); err != nil || out != "" || errw != "no streams\n" {
		t.Fatalf("empty ls: %q %q %v", out, errw, err)
	}
	out := e.must("", "streams", "create", "orders", "--shards", "2", "--wait")
	if out != "created stream orders (2 shards)\nstream orders is ACTIVE\n" {
		t.Errorf("create output:\n%s", out)
	}
	out = e.must("", "streams", "create", "clicks", "--on-demand", "--retention-hours", "48")
	if !strings.HasPrefix(out, "created stream clicks (on-demand)\n") {
		t.Errorf("create output:\n%s", out)
	}
	checkFor(t, 10*time.Second, func() (bool, string) {
		out := e.must("", "streams", "ls")
		r := rows(out)
		ok := len(r) == 3 && r[0] == "NAME STATUS MODE OPEN SHARDS RETENTION" &&
			strings.HasPrefix(r[1], "clicks ACTIVE ON_DEMAND ") && strings.HasSuffix(r[1], " 48h (2 days)") &&
			r[2] == "orders ACTIVE PROVISIONED 2 24h"
		return ok, out
	})

	out = e.must("", "streams", "describe", "orders")
	for _, want := range []string{"Name: orders", "Status: ACTIVE", "Mode: PROVISIONED", "Open shards: 2", "Retention: 24h",
		"ARN: arn:aws:kinesis:us-east-1:000000000000:stream/orders", "SHARD PARENT HASH RANGE SEQUENCE RANGE STATE"} {
		if !slices.Contains(rows(out), want) {
			t.Errorf("describe lacks %q:\n%s", want, out)
		}
	}
	shardRow := regexp.MustCompile(`^shardId-\d+ - \d+-\d+ \d+- open$`)
	n := 0
	for _, r := range rows(out) {
		if shardRow.MatchString(r) {
			n++
		}
	}
	if n != 2 {
		t.Errorf("describe shows %d open root shards, want 2:\n%s", n, out)
	}

	_, _, err := e.run("", "streams", "create", "orders")
	if err == nil || !strings.Contains(describeErr(err), "CreateStream: ResourceInUseException") {
		t.Errorf("creating twice: %v", err)
	}
	_, _, err = e.run("", "streams", "describe", "nope")
	if err == nil || !strings.Contains(describeErr(err), "DescribeStreamSummary: ResourceNotFoundException") {
		t.Errorf("describe missing: %v", err)
	}

	out = e.must("", "streams", "delete", "orders", "--wait")
	if out != "deleting stream orders\nstream orders is deleted\n" {
		t.Errorf("delete output:\n%s", out)
	}
	e.must("", "streams", "delete", "clicks", "--force")
	checkFor(t, 10*time.Second, func() (bool, string) {
		out, errw, err := e.run("", "streams", "ls")
		return err == nil && out == "" && errw == "no streams\n", out + errw
	})
}

func TestPut(t *testing.T) {
	e := newEnv(t)
	e.must("", "streams", "create", "events", "--shards", "3", "--wait")

	out := e.must("", "put", "events", "--key", "customer-1", `{"id":1}`)
	m := regexp.MustCompile(`^(shardId-\d+) (\d+)\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("put output %q, want SHARD SEQ", out)
	}
	recs := e.readAll("events")
	if len(recs) != 1 || string(recs[0].Data) != `{"id":1}` || aws.ToString(recs[0].PartitionKey) != "customer-1" ||
		aws.ToString(recs[0].SequenceNumber) != m[2] {
		t.Fatalf("stored %+v", recs)
	}

	// Stdin: 1234 lines in 3 PutRecords batches, random keys spread them
	// over the shards; with --key they keep their order in one shard.
	var in strings.Builder
	for i := range 1234 {
		fmt.Fprintf(&in, "line %d\n", i)
	}
	out = e.must(in.String(), "put", "events")
	if !regexp.MustCompile(`^put 1234 records \(.*\) into events with 3 requests, 0 retried, in .*\n$`).MatchString(out) {
		t.Errorf("summary %q", out)
	}
	e.must("a\nb\nc\n", "put", "events", "--key", "same")

	seen := map[string]int{}
	shards := map[string]bool{}
	var same []string
	for _, r := range e.readAll("events") {
		seen[string(r.Data)]++
		if aws.ToString(r.PartitionKey) == "same" {
			same = append(same, string(r.Data))
		}
	}
	for _, sh := range e.readAllShards("events") {
		shards[sh] = true
	}
	for i := range 1234 {
		if n := seen[fmt.Sprintf("line %d", i)]; n != 1 {
			t.Fatalf("line %d stored %d times", i, n)
		}
	}
	if fmt.Sprint(same) != "[a b c]" {
		t.Errorf("records with one key = %v, want [a b c] in order", same)
	}
	if len(shards) != 3 {
		t.Errorf("random keys reached %d of 3 shards", len(shards))
	}

	if _, _, err := e.run("x\n", "put", "missing"); err == nil || !strings.Contains(describeErr(err), "ResourceNotFoundException") {
		t.Errorf("put to a missing stream: %v", err)
	}
}

// readAllShards returns the shard of every record.
func (e *env) readAllShards(stream string) []string {
	e.t.Helper()
	ctx := context.Background()
	shards, err := listShards(ctx, e.kc, stream)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for _, sh := range shards {
		it, err := e.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
			StreamName: aws.String(stream), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			e.t.Fatal(err)
		}
		out, err := e.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			e.t.Fatal(err)
		}
		for range out.Records {
			ids = append(ids, *sh.ShardId)
		}
	}
	return ids
}

func TestTailPrintsNewRecords(t *testing.T) {
	e := newEnv(t)
	e.must("", "streams", "create", "logs", "--shards", "2", "--wait")
	e.must("", "put", "logs", "before tail started")

	out, errw, stop := e.background("tail", "logs", "-v")
	// Records put before the LATEST iterators exist would be missed, so
	// wait until tail says it follows both shards.
	checkFor(t, 10*time.Second, func() (bool, string) {
		return strings.Count(errw.String(), "tail: following shardId-") == 2, errw.String()
	})
	var want []string
	for i := range 5 {
		res := e.must("", "put", "logs", "--key", fmt.Sprint("k", i), fmt.Sprintf("message %d", i))
		want = append(want, fmt.Sprintf("%s k%d message %d", strings.TrimSpace(res), i, i))
	}
	e.must("two\nlines\n", "put", "logs", "--key", "k9")
	checkFor(t, 10*time.Second, func() (bool, string) {
		return strings.Count(out.String(), "\n") >= 7, out.String()
	})
	if err := stop(); err != nil {
		t.Errorf("tail ended with %v, want nil after cancel", err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("tail output lacks %q:\n%s", w, out.String())
		}
	}
	if strings.Contains(out.String(), "before tail started") {
		t.Errorf("tail --from latest printed an older record:\n%s", out.String())
	}
	var lines []string
	for _, l := range got {
		if f := strings.Fields(l); len(f) == 4 && f[2] == "k9" {
			lines = append(lines, f[3])
		}
	}
	if fmt.Sprint(lines) != "[two lines]" {
		t.Errorf("stdin records in tail = %v", lines)
	}
	if len(got) != 7 {
		t.Errorf("tail printed %d lines, want 7:\n%s", len(got), out.String())
	}
}

// TestTailAcrossResharding puts records continuously while the stream is
// split and then merged back, with tail following from the start, and
// checks that tail prints each record exactly once and every key's records
// in the order they were put.
func TestTailAcrossResharding(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.must("", "streams", "create", "reshard", "--shards", "1", "--wait")

	out, _, stop := e.background("tail", "reshard", "--from", "trim-horizon", "--format", "json")

	type put struct{ key, data, shard, seq string }
	var (
		mu      sync.Mutex
		puts    []put
		written = make(chan int, 1000)
		quit    = make(chan struct{})
		writerr = make(chan error, 1)
	)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-quit:
				writerr <- nil
				return
			default:
			}
			key := fmt.Sprint("key-", i%7)
			data := fmt.Sprint("record-", i)
			res, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{
				StreamName: aws.String("reshard"), PartitionKey: aws.String(key), Data: []byte(data),
			})
			if err != nil {
				writerr <- err
				return
			}
			mu.Lock()
			puts = append(puts, put{key, data, aws.ToString(res.ShardId), aws.ToString(res.SequenceNumber)})
			n := len(puts)
			mu.Unlock()
			select {
			case written <- n:
			default:
			}
		}
	}()
	waitWritten := func(n int) {
		t.Helper()
		checkFor(t, 20*time.Second, func() (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			return len(puts) >= n, fmt.Sprintf("%d records put", len(puts))
		})
	}
	shardsOf := func() []types.Shard {
		t.Helper()
		s, err := listShards(ctx, e.kc, "reshard")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	waitWritten(100)
	mid := new(big.Int).Lsh(big.NewInt(1), 127)
	if _, err := e.kc.SplitShard(ctx, &kinesis.SplitShardInput{
		StreamName: aws.String("reshard"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String(mid.String()),
	}); err != nil {
		t.Fatal(describeErr(err))
	}
	if _, err := waitStreamActive(ctx, e.kc, "reshard"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	n := len(puts)
	mu.Unlock()
	waitWritten(n + 100)

	var children []string
	for _, sh := range shardsOf() {
		if aws.ToString(sh.ParentShardId) == "shardId-000000000000" {
			children = append(children, aws.ToString(sh.ShardId))
		}
	}
	if len(children) != 2 {
		t.Fatalf("children after split: %v", children)
	}
	if _, err := e.kc.MergeShards(ctx, &kinesis.MergeShardsInput{
		StreamName: aws.String("reshard"), ShardToMerge: aws.String(children[0]), AdjacentShardToMerge: aws.String(children[1]),
	}); err != nil {
		t.Fatal(describeErr(err))
	}
	if _, err := waitStreamActive(ctx, e.kc, "reshard"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	n = len(puts)
	mu.Unlock()
	waitWritten(n + 100)
	close(quit)
	if err := <-writerr; err != nil {
		t.Fatal(describeErr(err))
	}

	// Every shard of the lineage must have received records, or the test
	// proves less than it claims.
	used := map[string]bool{}
	for _, p := range puts {
		used[p.shard] = true
	}
	if len(used) != 4 {
		t.Fatalf("records landed in shards %v, want the parent, both children and the merged shard", used)
	}

	type printed struct {
		ShardID        string `json:"shardId"`
		SequenceNumber string `json:"sequenceNumber"`
		PartitionKey   string `json:"partitionKey"`
		Data           []byte `json:"data"`
	}
	var got []printed
	checkFor(t, 30*time.Second, func() (bool, string) {
		got = got[:0]
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var p printed
			if l == "" {
				continue
			}
			if err := json.Unmarshal([]byte(l), &p); err != nil {
				return false, "bad line " + l
			}
			got = append(got, p)
		}
		return len(got) >= len(puts), fmt.Sprintf("%d of %d records printed", len(got), len(puts))
	})
	if err := stop(); err != nil {
		t.Errorf("tail: %v", err)
	}

	bySeq := map[string]put{}
	for _, p := range puts {
		bySeq[p.shard+"/"+p.seq] = p
	}
	count := map[string]int{}
	order := map[string][]string{} // key -> data in printed order
	for _, g := range got {
		id := g.ShardID + "/" + g.SequenceNumber
		count[id]++
		p, ok := bySeq[id]
		if !ok {
			t.Fatalf("tail printed a record that was never put: %+v", g)
		}
		if string(g.Data) != p.data || g.PartitionKey != p.key {
			t.Fatalf("printed %+v for put %+v", g, p)
		}
		order[g.PartitionKey] = append(order[g.PartitionKey], string(g.Data))
	}
	for id, n := range count {
		if n != 1 {
			t.Errorf("record %s printed %d times", id, n)
		}
	}
	if len(count) != len(puts) {
		t.Errorf("%d distinct records printed, %d put", len(count), len(puts))
	}
	want := map[string][]string{}
	for _, p := range puts {
		want[p.key] = append(want[p.key], p.data)
	}
	for k, w := range want {
		if !slices.Equal(order[k], w) {
			t.Errorf("records of %s printed out of order:\n got %v\nwant %v", k, order[k], w)
		}
	}
}

func TestApply(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "pipeline.yaml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	write(`streams:
  - name: orders
    shards: 2
    retention_hours: 48
    tags:
      team: checkout
      tier: gold
  - name: clicks
    mode: on-demand
`)
	out := e.must("", "apply", "-f", path)
	want := `stream orders: created (provisioned, 2 shards)
stream orders: retention_hours 24 → 48
stream orders: tag team=checkout added
stream orders: tag tier=gold added
stream clicks: created (on-demand)
2 resources changed
`
	if out != want {
		t.Errorf("first apply:\n%s\nwant:\n%s", out, want)
	}
	out = e.must("", "apply", "-f", path)
	if out != "stream orders: unchanged\nstream clicks: unchanged\nno changes\n" {
		t.Errorf("second apply:\n%s", out)
	}

	// Change everything that can change.
	write(`streams:
  - name: orders
    shards: 5
    retention_hours: 24
    tags:
      team: payments
      owner: ops
  - name: clicks
    shards: 1
`)
	out = e.must("", "apply", "-f", path)
	want = `stream orders: shards 2 → 4
stream orders: shards 4 → 5
stream orders: retention_hours 48 → 24
stream orders: tag tier removed
stream orders: tag owner=ops added
stream orders: tag team=payments (was checkout)
stream clicks: mode on-demand → provisioned
`
	if !strings.HasPrefix(out, want) {
		t.Errorf("third apply:\n%s\nwant it to start with:\n%s", out, want)
	}
	// clicks may need shards scaled down to 1 from whatever on-demand had.
	if !strings.HasSuffix(out, "2 resources changed\n") {
		t.Errorf("third apply:\n%s", out)
	}
	out = e.must("", "apply", "-f", path)
	if out != "stream orders: unchanged\nstream clicks: unchanged\nno changes\n" {
		t.Errorf("fourth apply:\n%s", out)
	}

	s := e.summary("orders")
	if aws.ToInt32(s.OpenShardCount) != 5 || aws.ToInt32(s.RetentionPeriodHours) != 24 {
		t.Errorf("orders: %d shards, %dh", aws.ToInt32(s.OpenShardCount), aws.ToInt32(s.RetentionPeriodHours))
	}
	tags, err := e.kc.ListTagsForStream(context.Background(), &kinesis.ListTagsForStreamInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	var tv []string
	for _, tg := range tags.Tags {
		tv = append(tv, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	slices.Sort(tv)
	if fmt.Sprint(tv) != "[owner=ops team=payments]" {
		t.Errorf("orders tags = %v", tv)
	}
	s = e.summary("clicks")
	if modeOf(s.StreamModeDetails) != "PROVISIONED" || aws.ToInt32(s.OpenShardCount) != 1 {
		t.Errorf("clicks: %s with %d shards", modeOf(s.StreamModeDetails), aws.ToInt32(s.OpenShardCount))
	}
}

// TestServeCommand runs `kinesin serve` itself until its context ends.
func TestServeCommand(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	pipelineFile := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(pipelineFile, []byte("streams:\n  - name: declared\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	e := &env{t: t, url: "http://" + addr}
	_, errw, stop := e.background("serve", "--listen", addr, "--data-dir", t.TempDir(), "-f", pipelineFile, "--log-format", "json")
	checkFor(t, 20*time.Second, func() (bool, string) {
		return strings.Contains(errw.String(), `"msg":"kinesin ready"`), errw.String()
	})
	out := e.must("", "streams", "ls")
	if r := rows(out); len(r) != 2 || r[1] != "declared ACTIVE PROVISIONED 1 24h" {
		t.Errorf("streams after serve -f:\n%s", out)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

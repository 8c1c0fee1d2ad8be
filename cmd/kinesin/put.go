package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/spf13/cobra"
)

// PutRecords limits (AWS): per request 500 records and 5 MiB, per record
// 1 MiB of data plus partition key.
const (
	maxBatchRecords = 500
	maxBatchBytes   = 5 << 20
	maxRecordBytes  = 1 << 20
)

func newPutCmd(a *app) *cobra.Command {
	var (
		key        string
		maxRetries int
		linger     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "put STREAM [DATA]",
		Short: "Put records into a stream",
		Long: `Put one record whose data is DATA (PutRecord) and print the shard and
sequence number it got.

Without DATA, every line of standard input (without its line ending) becomes
a record, sent with PutRecords in batches of at most 500 records and 5 MiB.
A batch goes out when it is full or when no new line arrived for --linger,
so a slow producer (tail -f app.log | kinesin put logs) is not held back.
Records the server rejects (such as ProvisionedThroughputExceededException)
are retried with exponential backoff up to --max-retries times. Progress goes
to standard error, a summary to standard output.

Every record gets a random partition key, spreading records over all
shards, unless --key sets one for all of them (keeping their order within
one shard).`,
		Example: `  kinesin put orders '{"id":1,"total":9.5}'
  kinesin put orders --key customer-42 '{"id":2}'
  seq 1 100000 | kinesin put numbers
  tail -f /var/log/app.log | kinesin put logs --key app-1`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			ctx, stream := cmd.Context(), args[0]
			if len(args) == 2 {
				k := key
				if k == "" {
					k = randomKey()
				}
				out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{
					StreamName:   aws.String(stream),
					PartitionKey: aws.String(k),
					Data:         []byte(args[1]),
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", aws.ToString(out.ShardId), aws.ToString(out.SequenceNumber))
				return nil
			}
			p := &putter{
				api:        c,
				stream:     stream,
				key:        key,
				maxRetries: maxRetries,
				backoff:    100 * time.Millisecond,
				maxBackoff: 5 * time.Second,
				linger:     linger,
				progress:   newProgress(cmd.ErrOrStderr()),
			}
			start := time.Now()
			err = p.run(ctx, cmd.InOrStdin())
			p.progress.done()
			if err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("interrupted after %d records", p.sent)
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "put %d record%s (%s) into %s with %d request%s, %d retried, in %s\n",
				p.sent, plural(p.sent), byteSize(p.bytes), stream, p.requests, plural(p.requests), p.retried,
				time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&key, "key", "k", "", "partition key of every record (default: a random key per record)")
	f.IntVar(&maxRetries, "max-retries", 10, "how often to retry records the server rejected before giving up")
	f.DurationVar(&linger, "linger", 100*time.Millisecond, "send a partial batch after this long without new input")
	return cmd
}

func randomKey() string { return strconv.FormatUint(rand.Uint64(), 16) }

// recordsPutter is the part of the Kinesis client the batch sender uses;
// tests substitute a server that rejects records.
type recordsPutter interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

// putter turns lines into PutRecords batches.
type putter struct {
	api        recordsPutter
	stream     string
	key        string // "" for a random key per record
	maxRetries int
	backoff    time.Duration // first pause before a retry, doubled each time
	maxBackoff time.Duration
	linger     time.Duration
	progress   *progress

	sent, retried, requests int
	bytes                   int64
}

func (p *putter) run(ctx context.Context, in io.Reader) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lines := make(chan []byte, 1024)
	readErr := make(chan error, 1)
	go func() {
		var err error
		defer func() {
			readErr <- err // before close, so the reader of lines finds it
			close(lines)
		}()
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64<<10), maxRecordBytes+1)
		n := 0
		for sc.Scan() {
			n++
			select {
			case lines <- bytes.Clone(sc.Bytes()):
			case <-ctx.Done():
				err = ctx.Err()
				return
			}
		}
		err = sc.Err()
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line %d of standard input is longer than the 1 MiB record limit", n+1)
		}
	}()

	var (
		batch []types.PutRecordsRequestEntry
		size  int
		line  int
	)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	flush := func() error {
		timer.Stop()
		if len(batch) == 0 {
			return nil
		}
		err := p.send(ctx, batch)
		batch, size = nil, 0
		return err
	}
	for {
		select {
		case data, ok := <-lines:
			if !ok {
				if err := <-readErr; err != nil {
					return err
				}
				return flush()
			}
			line++
			k := p.key
			if k == "" {
				k = randomKey()
			}
			n := len(data) + len(k)
			if n > maxRecordBytes {
				return fmt.Errorf("line %d of standard input: a record of %d bytes (data and key) is over the 1 MiB limit", line, n)
			}
			if len(batch) == maxBatchRecords || size+n > maxBatchBytes {
				if err := flush(); err != nil {
					return err
				}
			}
			batch = append(batch, types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(k)})
			size += n
			if len(batch) == 1 {
				timer.Reset(p.linger)
			}
		case <-timer.C:
			if err := flush(); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// send puts one batch, retrying the records the server rejected (with
// exponential backoff and jitter) until all are in or retries run out.
// Errors of the whole call end it: the SDK already retried those that can
// be retried.
func (p *putter) send(ctx context.Context, batch []types.PutRecordsRequestEntry) error {
	pending := batch
	pause := p.backoff
	for attempt := 0; ; attempt++ {
		out, err := p.api.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(p.stream), Records: pending})
		p.requests++
		if err != nil {
			return err
		}
		if len(out.Records) != len(pending) {
			return fmt.Errorf("PutRecords answered %d results for %d records", len(out.Records), len(pending))
		}
		var failed []types.PutRecordsRequestEntry
		var lastErr string
		for i, r := range out.Records {
			if r.ErrorCode != nil && *r.ErrorCode != "" {
				failed = append(failed, pending[i])
				lastErr = aws.ToString(r.ErrorCode) + ": " + aws.ToString(r.ErrorMessage)
				continue
			}
			p.sent++
			p.bytes += int64(len(pending[i].Data))
		}
		p.progress.update(p.sent, p.bytes)
		if len(failed) == 0 {
			return nil
		}
		if attempt >= p.maxRetries {
			return fmt.Errorf("%d record%s still rejected after %d retries (last: %s)", len(failed), plural(len(failed)), p.maxRetries, lastErr)
		}
		p.retried += len(failed)
		pending = failed
		// Equal jitter: half the pause fixed, half random.
		d := pause/2 + rand.N(pause/2+1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
		pause = min(2*pause, p.maxBackoff)
	}
}

// progress writes "N records sent" to a terminal (rewriting one line) or a
// log (a line per update) at most once a second.
type progress struct {
	w        io.Writer
	terminal bool
	last     time.Time
	started  time.Time
	shown    bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, started: time.Now()}
	p.last = p.started
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

func (p *progress) update(records int, n int64) {
	if p == nil || time.Since(p.last) < time.Second {
		return
	}
	p.last = time.Now()
	p.shown = true
	rate := float64(records) / time.Since(p.started).Seconds()
	if p.terminal {
		fmt.Fprintf(p.w, "\r%d records sent (%s, %.0f records/s)  ", records, byteSize(n), rate)
	} else {
		fmt.Fprintf(p.w, "%d records sent (%s, %.0f records/s)\n", records, byteSize(n), rate)
	}
}

func (p *progress) done() {
	if p != nil && p.shown && p.terminal {
		fmt.Fprintln(p.w)
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

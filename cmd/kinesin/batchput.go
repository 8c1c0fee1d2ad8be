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
	"time"

	"github.com/spf13/cobra"
)

// batchPutter turns lines (or records given as arguments) into batches of
// entries E for a batch put API (Kinesis PutRecords, Firehose
// PutRecordBatch) and sends them, retrying the entries the server rejected.
// The service-specific parts are its limits and the entry, size and put
// functions.
type batchPutter[E any] struct {
	maxBatchRecords int    // entries per request
	maxBatchBytes   int    // bytes per request, as entry counts them
	maxLineBytes    int    // longest line read
	lineLimit       string // maxLineBytes as the messages say it ("1 MiB")

	// entry makes the entry of one record's data and says how many bytes it
	// adds to a request; the error says why the record is not allowed.
	entry func(data []byte) (e E, size int, err error)
	// dataBytes is how many bytes of an entry the summary counts.
	dataBytes func(E) int
	// put sends one request and answers the entries the server rejected,
	// with the last rejection's "Code: message". An error ends the batch.
	put func(ctx context.Context, entries []E) (failed []E, lastErr string, err error)

	records    []string // given as arguments; nil: read lines
	maxRetries int
	backoff    time.Duration // first pause before a retry, doubled each time
	maxBackoff time.Duration
	linger     time.Duration
	progress   *progress

	sent, retried, requests int
	bytes                   int64
}

// batchFlags are the flags of a command that puts batches.
type batchFlags struct {
	maxRetries int
	linger     time.Duration
}

func (b *batchFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.IntVar(&b.maxRetries, "max-retries", 10, "how often to retry records the server rejected before giving up")
	f.DurationVar(&b.linger, "linger", 100*time.Millisecond, "send a partial batch after this long without new input")
}

// putAll sends the records (p.records, or the lines of in) into the stream
// called name with the settings of b, showing progress on the command's
// standard error and a summary on its standard output.
func (p *batchPutter[E]) putAll(cmd *cobra.Command, b batchFlags, name string, in io.Reader) error {
	ctx := cmd.Context()
	p.maxRetries, p.linger = b.maxRetries, b.linger
	p.progress = newProgress(cmd.ErrOrStderr())
	start := time.Now()
	err := p.run(ctx, in)
	p.progress.done()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted after %d records", p.sent)
		}
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "put %d record%s (%s) into %s with %d request%s, %d retried, in %s\n",
		p.sent, plural(p.sent), byteSize(p.bytes), name, p.requests, plural(p.requests), p.retried,
		time.Since(start).Round(time.Millisecond))
	return nil
}

// read sends the records to out: p.records, or the lines of in.
func (p *batchPutter[E]) read(ctx context.Context, in io.Reader, out chan<- []byte) error {
	send := func(b []byte) error {
		select {
		case out <- b:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if in == nil {
		for _, r := range p.records {
			if err := send([]byte(r)); err != nil {
				return err
			}
		}
		return nil
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), p.maxLineBytes+1)
	n := 0
	for sc.Scan() {
		n++
		if err := send(bytes.Clone(sc.Bytes())); err != nil {
			return err
		}
	}
	err := sc.Err()
	if errors.Is(err, bufio.ErrTooLong) {
		err = fmt.Errorf("line %d of standard input is longer than the %s record limit", n+1, p.lineLimit)
	}
	return err
}

// run sends the records (p.records if in is nil, else the lines of in) in
// batches: a batch goes out when it is full or when no record came for
// p.linger.
func (p *batchPutter[E]) run(ctx context.Context, in io.Reader) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lines := make(chan []byte, 1024)
	readErr := make(chan error, 1)
	go func() {
		err := p.read(ctx, in, lines)
		readErr <- err // before close, so the reader of lines finds it
		close(lines)
	}()

	var (
		batch []E
		size  int
		n     int
	)
	what := "line %d of standard input"
	if in == nil {
		what = "record %d"
	}
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
			n++
			e, esize, err := p.entry(data)
			if err != nil {
				return fmt.Errorf(what+": %w", n, err)
			}
			if len(batch) == p.maxBatchRecords || size+esize > p.maxBatchBytes {
				if err := flush(); err != nil {
					return err
				}
			}
			batch = append(batch, e)
			size += esize
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
func (p *batchPutter[E]) send(ctx context.Context, batch []E) error {
	pending := batch
	pause := p.backoff
	for attempt := 0; ; attempt++ {
		failed, lastErr, err := p.put(ctx, pending)
		p.requests++
		if err != nil {
			return err
		}
		p.sent += len(pending) - len(failed)
		p.bytes += p.sumBytes(pending) - p.sumBytes(failed)
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

func (p *batchPutter[E]) sumBytes(entries []E) int64 {
	var n int64
	for _, e := range entries {
		n += int64(p.dataBytes(e))
	}
	return n
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

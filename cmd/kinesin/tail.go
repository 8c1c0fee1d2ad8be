package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/spf13/cobra"

	"github.com/kinesin/kinesin/internal/clock"
)

func newTailCmd(a *app) *cobra.Command {
	var (
		from, format string
		verbose      bool
	)
	cmd := &cobra.Command{
		Use:   "tail STREAM",
		Short: "Print a stream's records as they arrive",
		Long: `Follow every shard of a stream with GetShardIterator and GetRecords and
print each record as it arrives, until interrupted (Ctrl-C).

--from sets where to start: latest (default: only records put from now on),
trim-horizon (everything still retained), an RFC 3339 time
(2025-06-01T12:00:00Z) or a duration meaning that long ago (15m).

tail follows resharding: it polls ListShards about once a second and reads
a child shard (after SplitShard, MergeShards or UpdateShardCount) only once
its parents are read to their end, from the child's first record. So every
record is printed once, and records of one partition key keep their order
across the split or merge.

--format text prints "SHARD SEQUENCE-NUMBER PARTITION-KEY DATA" per line,
DATA as is when it is printable UTF-8 and Go-quoted otherwise. --format json
prints one object per line with shardId, sequenceNumber, partitionKey,
approximateArrivalTimestamp and data (base64, as in the Kinesis API).`,
		Example: `  kinesin tail orders
  kinesin tail orders --from trim-horizon --format json | jq -r '.data | @base64d'
  kinesin tail orders --from 2025-06-01T12:00:00Z
  kinesin tail orders --from 10m -v`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			start, err := parseFrom(from, time.Now())
			if err != nil {
				return err
			}
			var emit func(string, []types.Record) error
			switch format {
			case "text":
				emit = textEmitter(cmd.OutOrStdout())
			case "json":
				emit = jsonEmitter(cmd.OutOrStdout())
			default:
				return fmt.Errorf("--format must be text or json, not %q", format)
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			t := &tailer{
				c:         c,
				stream:    args[0],
				start:     start,
				emit:      emit,
				pollIdle:  250 * time.Millisecond,
				listEvery: time.Second,
				info:      func(string, ...any) {},
			}
			if verbose {
				errw := cmd.ErrOrStderr()
				var mu sync.Mutex
				t.info = func(format string, args ...any) {
					mu.Lock()
					defer mu.Unlock()
					fmt.Fprintf(errw, "tail: "+format+"\n", args...)
				}
			}
			err = t.run(cmd.Context())
			if cmd.Context().Err() != nil {
				return nil // interrupted: the normal way to stop
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "latest", "where to start: latest, trim-horizon, an RFC 3339 time or a duration ago")
	f.StringVar(&format, "format", "text", "output format: text or json")
	f.BoolVarP(&verbose, "verbose", "v", false, "report on standard error which shards are followed and when they end")
	return cmd
}

// startPos is where tail starts in the shards that exist when it starts.
type startPos struct {
	typ types.ShardIteratorType
	at  time.Time // for AT_TIMESTAMP
}

func parseFrom(s string, now time.Time) (startPos, error) {
	switch strings.ToLower(strings.ReplaceAll(s, "_", "-")) {
	case "latest", "now":
		return startPos{typ: types.ShardIteratorTypeLatest}, nil
	case "trim-horizon", "beginning", "oldest":
		return startPos{typ: types.ShardIteratorTypeTrimHorizon}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return startPos{typ: types.ShardIteratorTypeAtTimestamp, at: t}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return startPos{typ: types.ShardIteratorTypeAtTimestamp, at: now.Add(-d)}, nil
	}
	return startPos{}, fmt.Errorf("--from %q: want latest, trim-horizon, an RFC 3339 time such as 2025-06-01T12:00:00Z, or a duration such as 15m", s)
}

// tailer follows all shards of a stream in lineage order.
type tailer struct {
	c         *kinesis.Client
	stream    string
	start     startPos
	emit      func(shardID string, recs []types.Record) error
	info      func(format string, args ...any)
	pollIdle  time.Duration // pause after an empty GetRecords
	listEvery time.Duration // ListShards period

	shards map[string]*tailShard
	order  []string // shard ids in listing order
}

type shardState int

const (
	shardPending shardState = iota // known, waiting for its parents
	shardRunning
	shardDone // read to its end, or not to be read at all
)

type tailShard struct {
	shard   types.Shard
	state   shardState
	initial bool // existed when tail started
}

type shardResult struct {
	id  string
	err error
}

func (t *tailer) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	t.shards = map[string]*tailShard{}
	results := make(chan shardResult)

	if err := t.refresh(ctx, true); err != nil {
		return err
	}
	start := func() {
		for _, id := range t.ready() {
			s := t.shards[id]
			s.state = shardRunning
			pos := startPos{typ: types.ShardIteratorTypeTrimHorizon}
			if s.initial {
				pos = t.start
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := t.follow(ctx, id, pos)
				select {
				case results <- shardResult{id, err}:
				case <-ctx.Done():
				}
			}()
		}
	}
	start()
	tick := time.NewTicker(t.listEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case r := <-results:
			if r.err != nil {
				return r.err
			}
			t.shards[r.id].state = shardDone
			t.info("%s ended", r.id)
			// Its children usually exist already: look now rather than
			// at the next tick.
			if err := t.refresh(ctx, false); err != nil {
				return err
			}
		case <-tick.C:
			if err := t.refresh(ctx, false); err != nil {
				return err
			}
		}
		start()
	}
}

// refresh adds the shards ListShards reports that tail does not know yet.
func (t *tailer) refresh(ctx context.Context, initial bool) error {
	shards, err := listShards(ctx, t.c, t.stream)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	for _, sh := range shards {
		id := aws.ToString(sh.ShardId)
		if _, known := t.shards[id]; known {
			continue
		}
		s := &tailShard{shard: sh, initial: initial}
		closed := sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil
		if initial && closed && t.start.typ == types.ShardIteratorTypeLatest {
			// Nothing will ever be added to it.
			s.state = shardDone
		}
		t.shards[id] = s
		t.order = append(t.order, id)
	}
	return nil
}

// ready returns the pending shards whose parents are all read to their
// end (or unknown: expired, or never to be read), in listing order.
func (t *tailer) ready() []string {
	var ids []string
	for _, id := range t.order {
		s := t.shards[id]
		if s.state != shardPending {
			continue
		}
		ok := true
		for _, p := range []*string{s.shard.ParentShardId, s.shard.AdjacentParentShardId} {
			if ps, known := t.shards[aws.ToString(p)]; p != nil && known && ps.state != shardDone {
				ok = false
			}
		}
		if ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// follow reads one shard from pos until its end (nil error) or until ctx
// ends.
func (t *tailer) follow(ctx context.Context, id string, pos startPos) error {
	var last string // sequence number of the last record printed
	iterator := func() (*string, error) {
		in := &kinesis.GetShardIteratorInput{
			StreamName:        aws.String(t.stream),
			ShardId:           aws.String(id),
			ShardIteratorType: pos.typ,
		}
		switch {
		case last != "":
			in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
			in.StartingSequenceNumber = aws.String(last)
		case pos.typ == types.ShardIteratorTypeAtTimestamp:
			in.Timestamp = aws.Time(pos.at)
		}
		out, err := t.c.GetShardIterator(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.ShardIterator, nil
	}
	it, err := iterator()
	if err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	t.info("following %s from %s", id, pos.typ)
	empty := 0
	backoff := t.pollIdle
	for it != nil {
		out, err := t.c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(10000)})
		var expired *types.ExpiredIteratorException
		var throttled *types.ProvisionedThroughputExceededException
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &expired):
			if it, err = iterator(); err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			continue
		case errors.As(err, &throttled):
			if !clock.Sleep(ctx, backoff) {
				return ctx.Err()
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		case err != nil:
			return fmt.Errorf("%s: %w", id, err)
		}
		backoff = t.pollIdle
		if len(out.Records) > 0 {
			if err := t.emit(id, out.Records); err != nil {
				return err
			}
			last = aws.ToString(out.Records[len(out.Records)-1].SequenceNumber)
			empty = 0
		} else {
			empty++
		}
		it = out.NextShardIterator
		// Caught up (or a run of empty pages from a server that keeps
		// saying it is behind): wait before asking again.
		if it != nil && len(out.Records) == 0 && (aws.ToInt64(out.MillisBehindLatest) == 0 || empty >= 3) {
			if !clock.Sleep(ctx, t.pollIdle) {
				return ctx.Err()
			}
		}
	}
	return nil
}

// textEmitter prints "SHARD SEQ KEY DATA" lines; several shards' readers
// share it, so whole batches are written under a lock.
func textEmitter(w io.Writer) func(string, []types.Record) error {
	var mu sync.Mutex
	return func(shard string, recs []types.Record) error {
		var b strings.Builder
		for _, r := range recs {
			fmt.Fprintf(&b, "%s %s %s %s\n", shard, aws.ToString(r.SequenceNumber), printable(aws.ToString(r.PartitionKey)), printable(string(r.Data)))
		}
		mu.Lock()
		defer mu.Unlock()
		_, err := io.WriteString(w, b.String())
		return err
	}
}

type jsonRecord struct {
	ShardID                     string     `json:"shardId"`
	SequenceNumber              string     `json:"sequenceNumber"`
	PartitionKey                string     `json:"partitionKey"`
	ApproximateArrivalTimestamp *time.Time `json:"approximateArrivalTimestamp,omitempty"`
	Data                        []byte     `json:"data"`
}

func jsonEmitter(w io.Writer) func(string, []types.Record) error {
	var mu sync.Mutex
	return func(shard string, recs []types.Record) error {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		for _, r := range recs {
			if err := enc.Encode(jsonRecord{
				ShardID:                     shard,
				SequenceNumber:              aws.ToString(r.SequenceNumber),
				PartitionKey:                aws.ToString(r.PartitionKey),
				ApproximateArrivalTimestamp: r.ApproximateArrivalTimestamp,
				Data:                        r.Data,
			}); err != nil {
				return err
			}
		}
		mu.Lock()
		defer mu.Unlock()
		_, err := io.WriteString(w, b.String())
		return err
	}
}

// printable returns s when it is printable UTF-8 (tabs allowed) and its Go
// quoting otherwise, so that one record stays on one line.
func printable(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return r != '\t' && !unicode.IsPrint(r) }) < 0 {
		return s
	}
	return strconv.Quote(s)
}

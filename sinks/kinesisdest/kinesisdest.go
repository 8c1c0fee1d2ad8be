package kinesisdest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/sinks/dest"
)

// Kinesis's PutRecords limits.
const (
	maxEntries      = 500
	maxRequestBytes = 5 << 20
	// bigRecord is the default maximum record size (data plus partition
	// key); a record past it goes in a request of its own, so that the
	// stream's answer (it may allow larger records) concerns it alone.
	bigRecord = 1 << 20
)

// Entry is one record of a PutRecords request.
type Entry struct {
	PartitionKey string
	Data         []byte
}

// EntryResult is one entry's outcome: ShardID and SequenceNumber, or the
// Kinesis ErrorCode and ErrorMessage.
type EntryResult struct {
	ShardID        string
	SequenceNumber string
	ErrorCode      string
	ErrorMessage   string
}

// Putter stores records in a Kinesis stream as PutRecords does. It
// answers one result per entry, in order, or the error the whole request
// failed with: an error carrying a Kinesis error code (*awserr.Error, or
// any error with an ErrorCode() string method such as the AWS SDK's) is
// judged by that code.
type Putter interface {
	PutRecords(ctx context.Context, streamARN string, entries []Entry) ([]EntryResult, error)
}

// PutterFunc is a function as a Putter.
type PutterFunc func(ctx context.Context, streamARN string, entries []Entry) ([]EntryResult, error)

// PutRecords calls f.
func (f PutterFunc) PutRecords(ctx context.Context, streamARN string, entries []Entry) ([]EntryResult, error) {
	return f(ctx, streamARN, entries)
}

// Destination delivers batches to a Kinesis stream.
type Destination struct {
	cfg    Config
	opts   dest.Options
	putter Putter
	retry  dest.Retry
}

var _ dest.Destination = (*Destination)(nil)

// New refuses: the destination needs a Putter to reach the stream store;
// use NewWith.
func New(c Config, o dest.Options) (dest.Destination, error) {
	return nil, errors.New("kinesisdest: a Putter is required (use NewWith)")
}

// NewWith builds the destination for c, storing records with p.
func NewWith(c Config, o dest.Options, p Putter) (*Destination, error) {
	if p == nil {
		return nil, errors.New("kinesisdest: a Putter is required")
	}
	c.Defaults()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("kinesisdest: %w", err)
	}
	return &Destination{cfg: c, opts: o, putter: p,
		retry: dest.Retry{Duration: o.Seconds(c.retryDuration()), Initial: o.Seconds(1), Max: o.Seconds(120)}}, nil
}

// Close does nothing: the Putter is the caller's.
func (d *Destination) Close() error { return nil }

// pending is a record still to deliver and what its last attempt said.
type pending struct {
	i         int // index in the batch
	entry     Entry
	code, msg string
}

// Deliver puts b's records into the stream in chunks of at most 500
// records and 5 MiB, retrying the entries that failed (and whole requests
// that failed for a reason that may pass) until the retry duration has
// passed; the rest are answered as failures with the Kinesis error code.
func (d *Destination) Deliver(ctx context.Context, b dest.Batch) ([]dest.Failure, error) {
	arn := *d.cfg.KinesisStreamARN
	todo := make([]pending, len(b.Records))
	for i, r := range b.Records {
		key := r.ID
		if d.cfg.PartitionKey != nil {
			key = *d.cfg.PartitionKey
		}
		if key == "" {
			key = strconv.Itoa(i) // a record without an ID (never from the router)
		}
		todo[i] = pending{i: i, entry: Entry{PartitionKey: key, Data: r.Data}}
	}
	var failures []dest.Failure
	fail := func(p pending, attempts int) {
		failures = append(failures, dest.Failure{Record: b.Records[p.i], OutputType: OutputType,
			ErrorCode: p.code, ErrorMessage: p.msg, AttemptsMade: attempts, AttemptEnding: time.Now()})
	}
	n, _ := d.retry.Do(ctx, func(attempt int) (bool, error) {
		var again []pending
		for _, chunk := range chunks(todo) {
			if ctx.Err() != nil {
				again = append(again, chunk...)
				continue
			}
			entries := make([]Entry, len(chunk))
			for k, p := range chunk {
				entries[k] = p.entry
			}
			res, err := d.putter.PutRecords(ctx, arn, entries)
			if err == nil && len(res) != len(entries) {
				err = awserr.InternalFailure.New("PutRecords answered %d results for %d records", len(res), len(entries))
			}
			if err != nil {
				code, msg, retryable := classify(err)
				if ctx.Err() != nil {
					retryable = true
				}
				for _, p := range chunk {
					p.code, p.msg = code, msg
					if retryable {
						again = append(again, p)
					} else {
						fail(p, attempt)
					}
				}
				continue
			}
			for k, r := range res {
				if r.ErrorCode != "" {
					p := chunk[k]
					p.code, p.msg = r.ErrorCode, r.ErrorMessage
					again = append(again, p)
				}
			}
		}
		todo = again
		if len(todo) > 0 {
			return false, errors.New(todo[0].code)
		}
		return true, nil
	})
	if len(todo) > 0 && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for _, p := range todo {
		fail(p, n)
	}
	if len(failures) > 0 {
		d.opts.Log().Warn("kinesisdest: records not delivered", "stream", d.opts.Stream, "destination", arn,
			"failed", len(failures), "code", failures[0].ErrorCode, "message", failures[0].ErrorMessage)
	}
	return failures, nil
}

// chunks splits records into PutRecords requests of at most maxEntries
// records and maxRequestBytes, in order; a record past bigRecord goes
// alone.
func chunks(ps []pending) [][]pending {
	var out [][]pending
	start, size := 0, 0
	for i, p := range ps {
		n := len(p.entry.Data) + len(p.entry.PartitionKey)
		if i > start && (i-start == maxEntries || size+n > maxRequestBytes || n > bigRecord) {
			out = append(out, ps[start:i])
			start, size = i, 0
		}
		size += n
		if n > bigRecord {
			out = append(out, ps[i:i+1])
			start, size = i+1, 0
		}
	}
	if start < len(ps) {
		out = append(out, ps[start:])
	}
	return out
}

// classify answers the Kinesis error code and message of a failed
// request and whether trying again may help: a missing stream may be
// created again, a stream being created or updated becomes ACTIVE,
// throttling and internal failures pass; a request the stream refuses
// (a record too large, a malformed request, no access) is refused again.
func classify(err error) (code, msg string, retryable bool) {
	var ae *awserr.Error
	var coded interface {
		ErrorCode() string
		ErrorMessage() string
	}
	switch {
	case errors.As(err, &ae):
		code, msg = ae.Code, ae.Message
	case errors.As(err, &coded):
		code, msg = coded.ErrorCode(), coded.ErrorMessage()
	default:
		return awserr.InternalFailure.Code, err.Error(), true
	}
	switch code {
	case awserr.InvalidArgument.Code, awserr.Validation.Code, awserr.Serialization.Code, awserr.AccessDenied.Code,
		"KMSDisabledException", "KMSInvalidStateException", "KMSNotFoundException", "KMSAccessDeniedException", "KMSOptInRequired":
		return code, msg, false
	}
	return code, msg, true
}

package splunk

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/sinks/dest"
)

// maxResponse bounds how much of an HEC answer is read.
const maxResponse = 1 << 20

// Destination delivers batches to a Splunk HEC.
type Destination struct {
	endpoint   string // HECEndpoint without a trailing slash
	path       string // pathRaw or pathEvent
	token      string
	channel    string
	ackTimeout time.Duration
	retry      time.Duration
	initial    time.Duration // first backoff
	maxWait    time.Duration // longest backoff
	poll       time.Duration // ack polling interval
	client     *http.Client
	opts       dest.Options
}

var _ dest.Destination = (*Destination)(nil)

// New builds the destination of c (defaults applied). The channel it
// sends on is a random GUID that stays the same for the destination's
// life. An endpoint that is not a usable URL is not an error here: like
// Firehose, delivery then fails with Splunk.InvalidEndpoint.
func New(c Config, o dest.Options) (dest.Destination, error) {
	c.Defaults()
	if c.HECEndpoint == nil || c.HECEndpointType == nil {
		return nil, fmt.Errorf("splunk: new destination: HECEndpoint and HECEndpointType are required")
	}
	path := pathRaw
	if *c.HECEndpointType == EndpointEvent {
		path = pathEvent
	}
	token := ""
	if c.HECToken != nil {
		token = *c.HECToken
	}
	poll := o.Seconds(1)
	return &Destination{
		endpoint:   strings.TrimRight(*c.HECEndpoint, "/"),
		path:       path,
		token:      token,
		channel:    newGUID(),
		ackTimeout: o.Seconds(*c.HECAcknowledgmentTimeoutInSeconds),
		retry:      o.Seconds(*c.RetryOptions.DurationInSeconds),
		initial:    o.Seconds(1),
		maxWait:    o.Seconds(120),
		poll:       poll,
		client:     &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()},
		opts:       o,
	}, nil
}

// Channel is the X-Splunk-Request-Channel the destination sends on.
func (d *Destination) Channel() string { return d.channel }

// Close releases idle connections.
func (d *Destination) Close() error {
	d.client.CloseIdleConnections()
	return nil
}

// Deliver posts b's records, concatenated, to the HEC and waits for the
// indexer acknowledgement, retrying every error within the retry duration
// (which starts when the first attempt has failed and leaves out the time
// spent waiting for acknowledgements). It answers the records given up on.
func (d *Destination) Deliver(ctx context.Context, b dest.Batch) ([]dest.Failure, error) {
	if len(b.Records) == 0 {
		return nil, nil
	}
	body := make([]byte, 0, b.Bytes())
	for _, r := range b.Records {
		body = append(body, r.Data...)
	}
	var (
		counted time.Duration // time counted against the retry duration
		wait    = d.initial
	)
	for n := 1; ; n++ {
		start := time.Now()
		ackWait, err := d.attempt(ctx, body)
		if err == nil {
			return nil, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		d.opts.Log().Warn("splunk: delivery attempt failed", "stream", d.opts.Stream,
			"attempt", n, "records", len(b.Records), "code", err.code, "detail", err.detail)
		if n > 1 {
			counted += time.Since(start) - ackWait
		}
		pause := wait + rand.N(wait/2+1)
		if counted+pause > d.retry {
			return d.failures(b, err, n), nil
		}
		if !clock.Sleep(ctx, pause) {
			return nil, ctx.Err()
		}
		counted += pause
		wait = min(wait*2, d.maxWait)
	}
}

// failures makes the failure documents of b's records.
func (d *Destination) failures(b dest.Batch, e *deliveryError, attempts int) []dest.Failure {
	msg := Messages[e.code]
	fs := dest.FailAll(b, OutputType, e.code, msg, attempts)
	for i := range fs {
		fs[i].Extra = map[string]any{"EventId": EventID(fs[i].ID)}
	}
	return fs
}

// EventID is the failure document's EventId of the record with the given
// id: the record id and the number of the sub-record ("<id>.<n>", ".0"
// for a record that was not split). De-aggregation names sub-records
// "<id>:<n>".
func EventID(id string) string {
	if i := strings.LastIndexByte(id, ':'); i >= 0 {
		if _, err := strconv.Atoi(id[i+1:]); err == nil {
			return id[:i] + "." + id[i+1:]
		}
	}
	return id + ".0"
}

// attempt sends body once and waits for its acknowledgement. It answers
// how long it waited for the acknowledgement, and the failure.
func (d *Destination) attempt(ctx context.Context, body []byte) (time.Duration, *deliveryError) {
	sendCtx, cancel := context.WithTimeout(ctx, d.ackTimeout)
	a, err := d.post(sendCtx, d.path, body)
	cancel()
	if err != nil {
		return 0, err
	}
	if a.status != http.StatusOK || a.decodeErr != nil || a.r.Code == nil || *a.r.Code != hecSuccess {
		return 0, classifyHEC(a.status, a.r, a.decodeErr)
	}
	if a.r.AckID == nil {
		return 0, fail(CodeDisabledAck, "HEC answered without an ackId")
	}
	start := time.Now()
	err = d.awaitAck(ctx, *a.r.AckID)
	return time.Since(start), err
}

// awaitAck polls the ack endpoint until HEC acknowledges id or the
// acknowledgement timeout passes.
func (d *Destination) awaitAck(ctx context.Context, id int64) *deliveryError {
	deadline := time.Now().Add(d.ackTimeout)
	req, _ := json.Marshal(map[string][]int64{"acks": {id}})
	key := strconv.FormatInt(id, 10)
	for {
		if !clock.Sleep(ctx, min(d.poll, max(time.Until(deadline), 0))) {
			return fail(CodeAckTimeout, "context ended while waiting for ack %d", id)
		}
		pollCtx, cancel := context.WithDeadline(ctx, deadline)
		a, err := d.post(pollCtx, pathAck, req)
		cancel()
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fail(CodeAckTimeout, "ack %d not acknowledged within %v", id, d.ackTimeout)
		}
		if err != nil {
			return err
		}
		if a.status != http.StatusOK || a.decodeErr != nil {
			return classifyHEC(a.status, a.r, a.decodeErr)
		}
		if a.r.Acks[key] {
			return nil
		}
	}
}

// answer is HEC's answer to one request.
type answer struct {
	status    int
	r         response
	decodeErr error // the body was not HEC's JSON
}

// post sends one request to the HEC and reads its answer.
func (d *Destination) post(ctx context.Context, path string, body []byte) (answer, *deliveryError) {
	u, err := url.Parse(d.endpoint + path)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return answer{}, fail(CodeInvalidEndpoint, "HECEndpoint %q is not an http(s) URL", d.endpoint)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return answer{}, fail(CodeInvalidEndpoint, "%v", err)
	}
	req.Header.Set("Authorization", "Splunk "+d.token)
	req.Header.Set("X-Splunk-Request-Channel", d.channel)
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		return answer{}, classifyTransport(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return answer{}, classifyTransport(err)
	}
	r, decodeErr := decodeResponse(resp.StatusCode, raw)
	return answer{status: resp.StatusCode, r: r, decodeErr: decodeErr}, nil
}

// newGUID is a random (version 4) GUID, as HEC channels are.
func newGUID() string {
	var b [16]byte
	_, _ = crand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

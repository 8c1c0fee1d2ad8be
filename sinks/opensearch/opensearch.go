package opensearch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/sinks/dest"
)

// Error codes of failures that have no HTTP status from the cluster to
// report. Firehose documents errorCode as the HTTP status the cluster
// answered ("400", "429", "503", ...); these name the other cases, with
// the prefix of the destination kind (OS. or ES.).
const (
	// CodeConnectionFailed: the request could not be sent or its answer
	// not read (connection refused, reset, timed out).
	CodeConnectionFailed = "ConnectionFailed"
	// CodeMalformedResponse: the cluster answered 2xx with a body that is
	// not a _bulk response for the documents sent.
	CodeMalformedResponse = "MalformedResponse"
)

// CodeMalformedDocument is the errorCode of a record that is not one JSON
// document: "400", as the cluster answers a document it cannot parse (the
// message has the cluster's mapper_parsing_exception shape). kinesin does
// not send such a record, since a record that is not JSON can break the
// newline-delimited framing of the whole bulk request.
const CodeMalformedDocument = "400"

// Limits of one delivery.
const (
	requestTimeout  = 2 * time.Minute
	maxResponseBody = 256 << 20
	userAgent       = "kinesin-firehose"
)

// Destination delivers batches to an OpenSearch or Elasticsearch cluster
// through its _bulk API.
type Destination struct {
	cfg        Config
	bulkURL    string
	user, pass string
	auth       bool
	index      string
	period     string
	typeName   string
	withIDs    bool
	outputType string
	codePrefix string
	retry      dest.Retry
	transport  *http.Transport
	client     *http.Client
	stream     string
	log        *slog.Logger
}

var _ dest.Destination = (*Destination)(nil)

// New builds the destination of c (validated, defaults filled).
func New(c Config, o dest.Options) (dest.Destination, error) {
	return newDestination(c, o)
}

func newDestination(c Config, o dest.Options) (*Destination, error) {
	c = c.clone()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("opensearch: %w", err)
	}
	u, _ := parseEndpoint(*c.ClusterEndpoint) // Validate checked it
	d := &Destination{
		cfg:        c,
		index:      *c.IndexName,
		period:     *c.IndexRotationPeriod,
		withIDs:    c.DocumentIdOptions == nil || c.DocumentIdOptions.DefaultDocumentIdFormat == nil || *c.DocumentIdOptions.DefaultDocumentIdFormat != NoDocumentID,
		outputType: c.OutputType(),
		codePrefix: "OS.",
		stream:     o.Stream,
		log:        o.Log().With("destination", c.Kind.ConfigurationMember(), "stream", o.Stream),
		retry: dest.Retry{
			Duration: o.Seconds(*c.RetryOptions.DurationInSeconds),
			Initial:  o.Seconds(1),
			Max:      o.Seconds(120),
		},
	}
	if c.Kind == Elasticsearch {
		d.codePrefix = "ES."
	}
	if c.TypeName != nil {
		d.typeName = *c.TypeName
	}
	if u.User != nil {
		d.auth = true
		d.user = u.User.Username()
		d.pass, _ = u.User.Password()
		u.User = nil
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/_bulk"
	u.RawPath = ""
	d.bulkURL = u.String()
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		d.transport = t.Clone()
	} else {
		d.transport = &http.Transport{}
	}
	d.client = &http.Client{Transport: d.transport, Timeout: requestTimeout}
	return d, nil
}

// Close releases idle connections.
func (d *Destination) Close() error {
	d.transport.CloseIdleConnections()
	return nil
}

// doc is one record on its way to the cluster.
type doc struct {
	rec      dest.Record
	index    string
	id       string
	line     []byte // the document as one line of JSON
	attempts int
	code     string // the last failure, for the failure document
	message  string
}

// Deliver sends b as _bulk "index" requests, retrying documents the
// cluster failed with 429 or 5xx (and whole requests that failed) until
// RetryOptions.DurationInSeconds has passed, and answers the documents it
// gave up on: those the cluster rejected for good (a 4xx such as a
// mapping error, at once), those still failing when the retry duration
// ran out, and records that are not JSON.
func (d *Destination) Deliver(ctx context.Context, b dest.Batch) ([]dest.Failure, error) {
	var failures []dest.Failure
	pending := make([]*doc, 0, len(b.Records))
	for i, r := range b.Records {
		x := &doc{rec: r, index: IndexName(d.index, d.period, r.Arrival)}
		if d.withIDs {
			x.id = d.documentID(r, i)
		}
		line, err := singleLine(r.Data)
		if err != nil {
			x.code = CodeMalformedDocument
			x.message = malformedMessage(err)
			failures = append(failures, d.fail(x, time.Now()))
			continue
		}
		x.line = line
		pending = append(pending, x)
	}
	if len(pending) == 0 {
		return failures, nil
	}

	var body bytes.Buffer
	_, err := d.retry.Do(ctx, func(n int) (bool, error) {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		body.Reset()
		for _, x := range pending {
			appendAction(&body, x.index, d.typeName, x.id, x.line)
			x.attempts++
		}
		items, err := d.post(ctx, body.Bytes(), pending)
		if err != nil {
			return false, err
		}
		var retry []*doc
		now := time.Now()
		var lastErr error
		for i, it := range items {
			x := pending[i]
			if !it.failed() {
				continue
			}
			x.code, x.message = strconv.Itoa(it.Status), it.message()
			if it.retryable() {
				retry = append(retry, x)
				lastErr = fmt.Errorf("opensearch: document %s: %s %s", x.rec.ID, x.code, x.message)
				continue
			}
			failures = append(failures, d.fail(x, now))
		}
		if len(retry) > 0 {
			d.log.Warn("opensearch: documents failed, retrying", "failed", len(retry), "of", len(pending), "attempt", n, "error", lastErr)
		}
		pending = retry
		return len(pending) == 0, lastErr
	})
	if len(pending) > 0 && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if len(pending) > 0 {
		d.log.Warn("opensearch: retry duration exhausted, giving up on documents", "documents", len(pending), "error", err)
		now := time.Now()
		for _, x := range pending {
			failures = append(failures, d.fail(x, now))
		}
	}
	return failures, nil
}

// post sends one _bulk request. A failure of the whole request (no
// answer, a status other than 2xx, an answer that does not match the
// documents sent) is recorded on every pending document and returned.
func (d *Destination) post(ctx context.Context, body []byte, pending []*doc) ([]bulkItem, error) {
	fail := func(code, msg string) error {
		for _, x := range pending {
			x.code, x.message = code, msg
		}
		err := fmt.Errorf("opensearch: bulk request: %s %s", code, msg)
		d.log.Warn("opensearch: bulk request failed", "documents", len(pending), "error", err)
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.bulkURL, bytes.NewReader(body))
	if err != nil {
		return nil, fail(d.codePrefix+CodeConnectionFailed, err.Error())
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if d.auth {
		req.SetBasicAuth(d.user, d.pass)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, fail(d.codePrefix+CodeConnectionFailed, connMessage(err))
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return nil, fail(d.codePrefix+CodeConnectionFailed, connMessage(err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fail(strconv.Itoa(resp.StatusCode), requestError(respBody))
	}
	items, err := decodeBulkResponse(respBody)
	if err == nil && len(items) != len(pending) {
		err = fmt.Errorf("%w: %d items for %d documents", errBulkResponse, len(items), len(pending))
	}
	if err != nil {
		return nil, fail(d.codePrefix+CodeMalformedResponse, err.Error())
	}
	return items, nil
}

// fail makes the failure document of x.
func (d *Destination) fail(x *doc, at time.Time) dest.Failure {
	extra := map[string]any{"esIndexName": x.index}
	if x.id != "" {
		extra["esDocumentId"] = x.id
	}
	if d.typeName != "" {
		extra["esTypeName"] = d.typeName
	}
	return dest.Failure{
		Record:        x.rec,
		OutputType:    d.outputType,
		ErrorCode:     x.code,
		ErrorMessage:  x.message,
		AttemptsMade:  x.attempts,
		AttemptEnding: at,
		Extra:         extra,
	}
}

// documentID is the Firehose-generated id of record r (FIREHOSE_DEFAULT):
// the record's id, which is unique and the same on every delivery attempt,
// so a retried document replaces itself instead of being indexed twice. A
// record without an id gets a digest of the stream, its arrival and data.
func (d *Destination) documentID(r dest.Record, i int) string {
	if r.ID != "" {
		return r.ID
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%d\x00", d.stream, r.Arrival.UnixNano(), i)
	h.Write(r.Data)
	return hex.EncodeToString(h.Sum(nil))[:40]
}

// malformedMessage is the error message of a record that is not JSON, in
// the shape of the cluster's item errors.
func malformedMessage(err error) string {
	m, _ := json.Marshal(map[string]any{
		"type":   "mapper_parsing_exception",
		"reason": "failed to parse",
		"caused_by": map[string]string{
			"type":   "json_parse_exception",
			"reason": "the record is not a single JSON document: " + err.Error(),
		},
	})
	return string(m)
}

// connMessage words a transport error without the request URL (which
// could carry credentials).
func connMessage(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return "Unable to reach the cluster: " + err.Error()
}

package httpendpoint

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/sinks/dest"
)

// OutputType is the !{firehose:error-output-type} of this destination's
// failures.
const OutputType = "http-endpoint-failed"

// Error codes Firehose writes for HTTP endpoint failures (the Firehose
// developer guide, "Troubleshooting HTTP endpoints").
const (
	// CodeDestinationException: the endpoint answered with a status other
	// than 200.
	CodeDestinationException = "HttpEndpoint.DestinationException"
	// CodeInvalidResponse: a 200 whose body or headers break the response
	// specification (not JSON, unexpected fields, no or another requestId,
	// no numeric timestamp, not application/json, content-encoded).
	CodeInvalidResponse = "HttpEndpoint.InvalidResponseFromDestination"
	// CodeRequestTimeout: no complete answer within the response timeout.
	CodeRequestTimeout = "HttpEndpoint.RequestTimeout"
	// CodeResponseTooLarge: a response body over 1 MiB.
	CodeResponseTooLarge = "HttpEndpoint.ResponseTooLarge"
	// CodeConnectionFailed: no connection could be made.
	CodeConnectionFailed = "HttpEndpoint.ConnectionFailed"
	// CodeConnectionReset: the endpoint reset or closed the connection
	// before answering.
	CodeConnectionReset = "HttpEndpoint.ConnectionReset"
	// CodeSSLHandshakeFailure: the TLS handshake failed.
	CodeSSLHandshakeFailure = "HttpEndpoint.SSLHandshakeFailure"
)

// Protocol constants of the HTTP endpoint delivery specification.
const (
	// ResponseTimeoutSeconds is how long Firehose waits for an answer
	// (3 minutes), in configuration seconds.
	ResponseTimeoutSeconds = 180
	// UserAgent is what Firehose's HTTP endpoint requests carry.
	UserAgent = "Amazon Kinesis Data Firehose Agent/1.0"

	protocolVersion  = "1.0"
	maxResponseBytes = 1 << 20 // the response body must be 1 MiB or less
	maxRawInMessage  = 8192    // response bytes quoted in an error message
)

// Settings are kinesin's knobs on what AWS fixes.
type Settings struct {
	// ResponseTimeout is how long one attempt waits for the endpoint's
	// complete answer. Default: ResponseTimeoutSeconds of the
	// configuration's seconds (dest.Options.TimeUnit), i.e. AWS's 3
	// minutes in production.
	ResponseTimeout time.Duration
	// Client sends the requests (e.g. one that trusts a test server's
	// certificate). Redirects are never followed, whatever its
	// CheckRedirect. Default: a client with the system's roots and no
	// transparent response decompression.
	Client *http.Client
}

// Destination delivers batches to one HTTP endpoint. It is safe for
// concurrent use: everything it holds is read-only after New.
type Destination struct {
	url         string
	accessKey   string
	commonAttrs string // X-Amz-Firehose-Common-Attributes, "" without attributes
	gzip        bool
	sourceARN   string
	stream      string
	timeout     time.Duration
	retry       dest.Retry
	client      *http.Client
	log         *slog.Logger
}

var _ dest.Destination = (*Destination)(nil)

// New builds the destination from a configuration (defaults filled here if
// the caller has not).
func New(c Config, o dest.Options) (dest.Destination, error) {
	return NewWith(c, o, Settings{})
}

// NewWith is New with kinesin's settings.
func NewWith(c Config, o dest.Options, s Settings) (*Destination, error) {
	c = c.clone()
	c.Defaults()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("httpendpoint: %w", err)
	}
	d := &Destination{
		url:       *c.EndpointConfiguration.Url,
		gzip:      c.gzip(),
		sourceARN: o.StreamARN,
		stream:    o.Stream,
		timeout:   s.ResponseTimeout,
		retry: dest.Retry{
			Duration: o.Seconds(c.retrySeconds()),
			Initial:  o.Seconds(1),
			Max:      o.Seconds(120),
		},
		log: o.Log(),
	}
	if d.timeout <= 0 {
		d.timeout = o.Seconds(ResponseTimeoutSeconds)
	}
	if k := c.EndpointConfiguration.AccessKey; k != nil {
		d.accessKey = *k
	}
	if r := c.RequestConfiguration; r != nil && len(r.CommonAttributes) > 0 {
		d.commonAttrs = commonAttributesHeader(r.CommonAttributes)
	}
	if s.Client != nil {
		cl := *s.Client
		cl.CheckRedirect = noRedirects
		d.client = &cl
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DisableCompression = true // the response must not be content-encoded; see it as sent
		d.client = &http.Client{Transport: t, CheckRedirect: noRedirects}
	}
	return d, nil
}

// noRedirects makes the client answer a 3xx as it is: Firehose does not
// follow redirects.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Close drops idle connections.
func (d *Destination) Close() error {
	d.client.CloseIdleConnections()
	return nil
}

// Deliver sends b as one request (one request per buffer, as Firehose
// does), retrying with the same request id until the endpoint
// acknowledges it, answers 413, or the retry duration is used up; then
// every record becomes a Failure with the last attempt's error.
func (d *Destination) Deliver(ctx context.Context, b dest.Batch) ([]dest.Failure, error) {
	if len(b.Records) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("httpendpoint: deliver: %w", err)
	}
	id := uuid.New()
	body := requestBody(nil, id, time.Now().UnixMilli(), b.Records)
	if d.gzip {
		var err error
		if body, err = gzipped(body); err != nil {
			return nil, fmt.Errorf("httpendpoint: deliver: %w", err)
		}
	}
	var last outcome
	attempts, _ := d.retry.Do(ctx, func(n int) (bool, error) {
		last = d.attempt(ctx, id, body)
		if last.ok || last.permanent {
			return true, nil
		}
		if ctx.Err() == nil {
			d.log.Warn("httpendpoint: delivery attempt failed", "stream", d.stream, "requestId", id,
				"attempt", n, "errorCode", last.code, "records", len(b.Records))
		}
		return false, errors.New(last.code)
	})
	switch {
	case last.ok:
		return nil, nil
	case !last.permanent && ctx.Err() != nil:
		return nil, fmt.Errorf("httpendpoint: deliver: %w", ctx.Err())
	}
	d.log.Warn("httpendpoint: giving up on batch", "stream", d.stream, "requestId", id,
		"attempts", attempts, "errorCode", last.code, "records", len(b.Records))
	return dest.FailAll(b, OutputType, last.code, last.message, attempts), nil
}

// outcome is one attempt's result.
type outcome struct {
	ok        bool
	permanent bool // 413: give up at once
	code      string
	message   string
}

func (d *Destination) attempt(ctx context.Context, id string, body []byte) outcome {
	actx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return outcome{code: CodeConnectionFailed, message: "Could not build the request to the endpoint: " + err.Error()}
	}
	h := req.Header
	h.Set("User-Agent", UserAgent)
	h.Set("Content-Type", "application/json")
	if d.gzip {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("X-Amz-Firehose-Protocol-Version", protocolVersion)
	h.Set("X-Amz-Firehose-Request-Id", id)
	if d.sourceARN != "" {
		h.Set("X-Amz-Firehose-Source-Arn", d.sourceARN)
	}
	if d.accessKey != "" {
		h.Set("X-Amz-Firehose-Access-Key", d.accessKey)
	}
	if d.commonAttrs != "" {
		h.Set("X-Amz-Firehose-Common-Attributes", d.commonAttrs)
	}

	resp, err := d.client.Do(req)
	if err != nil {
		return transportOutcome(ctx, actx, err, d.timeout)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return transportOutcome(ctx, actx, err, d.timeout)
	}
	if len(raw) > maxResponseBytes {
		return outcome{code: CodeResponseTooLarge, message: fmt.Sprintf(
			"The response received from the endpoint is too large. The response must be 1 MiB or less. Response for request %s has a body of more than %d bytes.", id, maxResponseBytes)}
	}
	if resp.StatusCode != http.StatusOK {
		return outcome{
			permanent: resp.StatusCode == http.StatusRequestEntityTooLarge,
			code:      CodeDestinationException,
			message:   "The following response was received from the endpoint destination. " + strconv.Itoa(resp.StatusCode) + ": " + quote(raw),
		}
	}
	if why := checkResponse(resp.Header, raw, id); why != "" {
		return outcome{code: CodeInvalidResponse, message: "The response received from the specified endpoint is invalid. Contact the owner of the endpoint to resolve the issue. " +
			"Response for request " + id + " " + why + " Raw response received: 200 " + quote(raw)}
	}
	return outcome{ok: true}
}

// checkResponse answers why a 200 response breaks the specification, or
// "" when it acknowledges request id.
func checkResponse(h http.Header, raw []byte, id string) string {
	if ct, _, err := mime.ParseMediaType(h.Get("Content-Type")); err != nil || ct != "application/json" {
		return "does not have the content type application/json."
	}
	if h.Get("Content-Encoding") != "" {
		return "is content-encoded; the response must not be."
	}
	r, err := decodeResponse(raw)
	if err != nil {
		return "is not recognized as valid JSON or has unexpected fields."
	}
	if r.RequestID != id {
		return "has a requestId that does not match the request's."
	}
	return ""
}

// transportOutcome names an error of the round trip (or of reading the
// answer) as Firehose does.
func transportOutcome(ctx, actx context.Context, err error, timeout time.Duration) outcome {
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return outcome{code: CodeRequestTimeout, message: fmt.Sprintf(
			"The endpoint did not respond within %s. Decrease the endpoint's response time (for example with smaller buffering hints).", timeout)}
	}
	var (
		recordErr *tls.RecordHeaderError
		verifyErr *tls.CertificateVerificationError
		alertErr  tls.AlertError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &recordErr), errors.As(err, &verifyErr), errors.As(err, &alertErr),
		errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid):
		return outcome{code: CodeSSLHandshakeFailure, message: "The SSL handshake with the endpoint failed: " + err.Error()}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return outcome{code: CodeConnectionReset, message: "The connection was reset or closed by the endpoint before it answered: " + err.Error()}
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op != "dial" {
		return outcome{code: CodeConnectionReset, message: "The connection to the endpoint was lost: " + err.Error()}
	}
	return outcome{code: CodeConnectionFailed, message: "Could not connect to the endpoint. Make sure the URL is correct and the endpoint is reachable: " + err.Error()}
}

// quote is raw as quoted in an error message: the first maxRawInMessage
// bytes, invalid UTF-8 (a rune cut in two included) replaced by U+FFFD.
func quote(raw []byte) string {
	if len(raw) > maxRawInMessage {
		raw = raw[:maxRawInMessage]
	}
	return string(bytes.ToValidUTF8(raw, []byte("\uFFFD")))
}

// requestBody appends the request body to dst:
// {"requestId":"…","timestamp":ms,"records":[{"data":"<base64>"},…]}.
func requestBody(dst []byte, id string, ms int64, recs []dest.Record) []byte {
	n := 64 + len(id)
	for _, r := range recs {
		n += 12 + base64.StdEncoding.EncodedLen(len(r.Data))
	}
	if cap(dst)-len(dst) < n {
		dst = append(make([]byte, 0, len(dst)+n), dst...)
	}
	dst = append(dst, `{"requestId":`...)
	dst = appendJSONString(dst, id)
	dst = append(dst, `,"timestamp":`...)
	dst = strconv.AppendInt(dst, ms, 10)
	dst = append(dst, `,"records":[`...)
	for i, r := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"data":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, r.Data)
		dst = append(dst, `"}`...)
	}
	return append(dst, "]}"...)
}

// commonAttributesHeader is the X-Amz-Firehose-Common-Attributes value:
// {"commonAttributes":{"name":"value",…}} in the configuration's order.
func commonAttributesHeader(attrs []CommonAttribute) string {
	b := []byte(`{"commonAttributes":{`)
	first := true
	for _, a := range attrs {
		if a.AttributeName == nil {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, *a.AttributeName)
		b = append(b, ':')
		v := ""
		if a.AttributeValue != nil {
			v = *a.AttributeValue
		}
		b = appendJSONString(b, v)
	}
	return string(append(b, "}}"...))
}

func appendJSONString(dst []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(dst, q...)
}

func gzipped(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return buf.Bytes(), nil
}

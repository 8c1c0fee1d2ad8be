package videoclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Ack is one PutMedia acknowledgement, with AWS's JSON member names.
type Ack struct {
	// EventType is BUFFERING (the first byte of a fragment arrived),
	// RECEIVED (the whole fragment arrived), PERSISTED (it is stored),
	// ERROR (ErrorId says why) or IDLE (the connection is open, nothing
	// to say).
	EventType string
	// FragmentTimecode is the fragment's timecode from the MKV cluster.
	FragmentTimecode int64
	FragmentNumber   string `json:",omitempty"`
	ErrorId          int    `json:",omitempty"` //nolint:revive // AWS's member name
}

// Acknowledgement event types.
const (
	EventBuffering = "BUFFERING"
	EventReceived  = "RECEIVED"
	EventPersisted = "PERSISTED"
	EventError     = "ERROR"
	EventIdle      = "IDLE"
)

// UnmarshalJSON accepts FragmentNumber and ErrorId as JSON strings or
// numbers: AWS documents both members loosely, and a producer must not
// stop on that.
func (a *Ack) UnmarshalJSON(b []byte) error {
	var raw struct {
		EventType        string
		FragmentTimecode json.Number
		FragmentNumber   json.RawMessage
		ErrorId          json.RawMessage //nolint:revive
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*a = Ack{EventType: raw.EventType}
	var err error
	if raw.FragmentTimecode != "" {
		if a.FragmentTimecode, err = raw.FragmentTimecode.Int64(); err != nil {
			return fmt.Errorf("videoclient: FragmentTimecode %s: %w", raw.FragmentTimecode, err)
		}
	}
	if a.FragmentNumber, err = stringOrNumber(raw.FragmentNumber); err != nil {
		return fmt.Errorf("videoclient: FragmentNumber: %w", err)
	}
	id, err := stringOrNumber(raw.ErrorId)
	if err != nil {
		return fmt.Errorf("videoclient: ErrorId: %w", err)
	}
	if id != "" {
		if a.ErrorId, err = strconv.Atoi(id); err != nil {
			return fmt.Errorf("videoclient: ErrorId %q: %w", id, err)
		}
	}
	return nil
}

// stringOrNumber is the text of a JSON string or number ("" for null or
// absent).
func stringOrNumber(b json.RawMessage) (string, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return "", nil
	case b[0] == '"':
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
}

// AckErrors are the PutMedia ErrorId values AWS documents, for messages.
var AckErrors = map[int]string{
	4000: "STREAM_READ_ERROR",
	4001: "MAX_FRAGMENT_SIZE_REACHED",
	4002: "MAX_FRAGMENT_DURATION_REACHED",
	4003: "MAX_CONNECTION_DURATION_REACHED",
	4004: "FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS",
	4005: "MORE_THAN_ALLOWED_TRACKS_FOUND",
	4006: "INVALID_MKV_DATA",
	4007: "INVALID_PRODUCER_TIMESTAMP",
	4008: "STREAM_NOT_ACTIVE",
	4009: "FRAGMENT_METADATA_LIMIT_REACHED",
	4010: "TRACK_NUMBER_MISMATCH",
	4011: "FRAMES_MISSING_FOR_TRACK",
	4012: "MORE_THAN_ALLOWED_TRACKS_FOUND", // as AWS's producer SDK numbers it
	4500: "KMS_KEY_ACCESS_DENIED",
	4501: "KMS_KEY_DISABLED",
	4502: "KMS_KEY_VALIDATION_ERROR",
	4503: "KMS_KEY_UNAVAILABLE",
	4504: "KMS_KEY_INVALID_USAGE",
	4505: "KMS_KEY_INVALID_STATE",
	4506: "KMS_KEY_NOT_FOUND",
	5000: "INTERNAL_ERROR",
	5001: "ARCHIVAL_ERROR",
}

// PutMediaInput is a PutMedia request: the stream (name or ARN) and the
// MKV to send.
type PutMediaInput struct {
	StreamName, StreamARN string
	// TimecodeType is ABSOLUTE or RELATIVE (to ProducerStartTimestamp):
	// how to read the clusters' timecodes. "" sends ABSOLUTE.
	TimecodeType string
	// ProducerStartTimestamp is when the producer started recording;
	// the zero time sends now.
	ProducerStartTimestamp time.Time
	// Body is the MKV, sent with chunked transfer encoding as it is read,
	// so a live producer can keep writing to it while acknowledgements
	// come back. PutMedia closes it if it is an io.Closer.
	Body io.Reader
}

// PutMedia headers, as AWS names them.
const (
	headerStreamName     = "x-amzn-stream-name"
	headerStreamARN      = "x-amzn-stream-arn"
	headerTimecodeType   = "x-amzn-fragment-timecode-type"
	headerProducerStart  = "x-amzn-producer-start-timestamp"
	defaultTimecodeType  = "ABSOLUTE"
	putMediaOperation    = "putMedia"
	putMediaContentType  = "video/webm"
	maxAckLineBytes      = 64 << 10
	errAckTooLongMessage = "videoclient: PutMedia acknowledgement longer than 64 KiB"
)

// FormatTimestamp is how PutMedia's x-amzn-producer-start-timestamp
// carries a time: seconds since the Unix epoch with a millisecond
// fraction.
func FormatTimestamp(t time.Time) string {
	ms := t.UnixMilli()
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	return fmt.Sprintf("%s%d.%03d", sign, ms/1000, ms%1000)
}

// PutMedia starts a PutMedia session. It returns once the service has
// answered 200 and its acknowledgements can be read, while Body is still
// being sent; an error answer is *APIError. The session ends when Body
// ends and the service has acknowledged everything (Next says io.EOF), or
// when ctx ends or the AckStream is closed.
//
// Each PutMedia goes over a connection of its own, as AWS's producers do:
// a long upload must not queue behind, or be queued behind, other calls.
func (c *Client) PutMedia(ctx context.Context, in PutMediaInput) (*AckStream, error) {
	if in.Body == nil {
		return nil, errors.New("videoclient: PutMedia: Body is nil")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(putMediaOperation), nil)
	if err != nil {
		return nil, fmt.Errorf("videoclient: PutMedia: %w", err)
	}
	// An unknown length makes net/http send the body chunked as it reads.
	req.Body = io.NopCloser(in.Body)
	if rc, ok := in.Body.(io.ReadCloser); ok {
		req.Body = rc
	}
	req.ContentLength = -1
	h := req.Header
	if in.StreamName != "" {
		h.Set(headerStreamName, in.StreamName)
	}
	if in.StreamARN != "" {
		h.Set(headerStreamARN, in.StreamARN)
	}
	tc := in.TimecodeType
	if tc == "" {
		tc = defaultTimecodeType
	}
	h.Set(headerTimecodeType, tc)
	start := in.ProducerStartTimestamp
	if start.IsZero() {
		start = time.Now()
	}
	h.Set(headerProducerStart, FormatTimestamp(start))
	h.Set("Content-Type", putMediaContentType)
	resp, err := c.do("PutMedia", c.ownConnection(), req)
	if err != nil {
		return nil, err
	}
	return newAckStream(resp.Body), nil
}

// ownConnection is the client with keep-alives off, so the request gets a
// connection of its own. A custom RoundTripper is used as it is.
func (c *Client) ownConnection() *http.Client {
	hc := c.client()
	t, ok := hc.Transport.(*http.Transport)
	if hc.Transport == nil {
		t, ok = http.DefaultTransport.(*http.Transport)
	}
	if !ok {
		return hc
	}
	t = t.Clone()
	t.DisableKeepAlives = true
	own := *hc
	own.Transport = t
	return &own
}

// AckStream reads the acknowledgements of a PutMedia session: JSON objects
// the service writes as they happen, separated by newlines.
type AckStream struct {
	body io.ReadCloser
	dec  *json.Decoder
}

func newAckStream(body io.ReadCloser) *AckStream {
	return &AckStream{body: body, dec: json.NewDecoder(&limitedLines{r: body})}
}

// Next returns the next acknowledgement, io.EOF when the service ended the
// response, or the error that broke the stream.
func (a *AckStream) Next() (Ack, error) {
	var ack Ack
	if err := a.dec.Decode(&ack); err != nil {
		if err == io.EOF {
			return Ack{}, io.EOF
		}
		return Ack{}, fmt.Errorf("videoclient: PutMedia acknowledgement: %w", err)
	}
	return ack, nil
}

// Close ends the session from the client's side.
func (a *AckStream) Close() error { return a.body.Close() }

// limitedLines fails a stream with a line longer than maxAckLineBytes,
// so a broken peer cannot make the decoder buffer without end.
type limitedLines struct {
	r    io.Reader
	line int
}

func (l *limitedLines) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			l.line = 0
		} else if l.line++; l.line > maxAckLineBytes {
			return 0, errors.New(errAckTooLongMessage)
		}
	}
	return n, err
}

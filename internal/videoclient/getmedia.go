package videoclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// StartSelector is GetMedia's StartSelector: where to start.
type StartSelector struct {
	// StartSelectorType is NOW, EARLIEST, FRAGMENT_NUMBER,
	// PRODUCER_TIMESTAMP, SERVER_TIMESTAMP or CONTINUATION_TOKEN.
	StartSelectorType   string
	AfterFragmentNumber string
	// StartTimestamp goes on the wire as seconds since the Unix epoch, as
	// REST-JSON sends timestamps.
	StartTimestamp    time.Time
	ContinuationToken string
}

// MarshalJSON leaves empty members out and writes StartTimestamp as epoch
// seconds.
func (s StartSelector) MarshalJSON() ([]byte, error) {
	var w struct {
		StartSelectorType   string
		AfterFragmentNumber string      `json:",omitempty"`
		StartTimestamp      json.Number `json:",omitempty"`
		ContinuationToken   string      `json:",omitempty"`
	}
	w.StartSelectorType, w.AfterFragmentNumber, w.ContinuationToken = s.StartSelectorType, s.AfterFragmentNumber, s.ContinuationToken
	if !s.StartTimestamp.IsZero() {
		w.StartTimestamp = EpochSeconds(s.StartTimestamp)
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads StartTimestamp as epoch seconds or an RFC 3339 text.
func (s *StartSelector) UnmarshalJSON(b []byte) error {
	var r struct {
		StartSelectorType   string
		AfterFragmentNumber string
		StartTimestamp      json.RawMessage
		ContinuationToken   string
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	*s = StartSelector{StartSelectorType: r.StartSelectorType, AfterFragmentNumber: r.AfterFragmentNumber, ContinuationToken: r.ContinuationToken}
	if len(r.StartTimestamp) == 0 || string(r.StartTimestamp) == "null" {
		return nil
	}
	t, err := ParseTimestamp(r.StartTimestamp)
	if err != nil {
		return fmt.Errorf("videoclient: StartTimestamp: %w", err)
	}
	s.StartTimestamp = t
	return nil
}

// EpochSeconds is t as REST-JSON sends a timestamp: seconds since the Unix
// epoch with a millisecond fraction.
func EpochSeconds(t time.Time) json.Number { return json.Number(FormatTimestamp(t)) }

// ParseTimestamp reads a REST-JSON timestamp: epoch seconds (a number,
// fraction allowed) or an RFC 3339 string.
func ParseTimestamp(b []byte) (time.Time, error) {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return time.Time{}, err
		}
		return time.Parse(time.RFC3339Nano, s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e13 {
		return time.Time{}, fmt.Errorf("videoclient: timestamp %q is not epoch seconds", b)
	}
	return time.UnixMilli(int64(math.Round(f * 1000))), nil
}

// GetMedia returns the stream's MKV from sel on (chunks as the service
// writes them; a live stream keeps the body open). Give the stream's name
// or its ARN. The caller closes the body.
func (c *Client) GetMedia(ctx context.Context, streamName, streamARN string, sel StartSelector) (io.ReadCloser, error) {
	in := struct {
		StreamName    string `json:",omitempty"`
		StreamARN     string `json:",omitempty"`
		StartSelector StartSelector
	}{streamName, streamARN, sel}
	resp, err := c.Raw(ctx, "getMedia", in)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

package playback

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/video"
)

// Enum values of the Archived Media API.
const (
	modeLive       = "LIVE"
	modeLiveReplay = "LIVE_REPLAY"
	modeOnDemand   = "ON_DEMAND"

	kindProducer = "PRODUCER_TIMESTAMP"
	kindServer   = "SERVER_TIMESTAMP"

	containerFMP4 = "FRAGMENTED_MP4"
	containerTS   = "MPEG_TS"

	always          = "ALWAYS"
	never           = "NEVER"
	onDiscontinuity = "ON_DISCONTINUITY"
)

// Limits of the Archived Media API.
const (
	minExpires        = 300
	maxExpires        = 43200
	defaultExpires    = 300
	maxResults        = 5000
	defaultLiveMax    = 5
	defaultOnDemand   = 1000
	maxRange          = 24 * time.Hour
	liveFreshness     = 30 * time.Second
	clipMaxFragments  = 200
	clipMaxBytes      = 100 << 20
	discontinuityGap  = 50 * time.Millisecond
	liveNoFragmentMsg = "No fragments found in the stream for the streaming request."
)

// timestamp is a REST-JSON timestamp: epoch seconds (with a fraction), as
// the SDKs send it; an RFC 3339 string is accepted too.
type timestamp struct {
	time.Time
	set bool
}

func (t *timestamp) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if tt, err := time.Parse(time.RFC3339Nano, s); err == nil {
			t.Time, t.set = tt, true
			return nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return video.ErrInvalidArgument.New("Timestamp value %s is not valid.", strconv.Quote(s))
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC()
	t.set = true
	return nil
}

type timestampRange struct {
	StartTimestamp *timestamp
	EndTimestamp   *timestamp
}

type fragmentSelector struct {
	FragmentSelectorType *string
	TimestampRange       *timestampRange
}

type hlsRequest struct {
	StreamName, StreamARN           string
	PlaybackMode                    *string
	HLSFragmentSelector             *fragmentSelector
	ContainerFormat                 *string
	DiscontinuityMode               *string
	DisplayFragmentTimestamp        *string
	Expires                         *int64
	MaxMediaPlaylistFragmentResults *int64
}

type dashRequest struct {
	StreamName, StreamARN      string
	PlaybackMode               *string
	DisplayFragmentTimestamp   *string
	DisplayFragmentNumber      *string
	DASHFragmentSelector       *fragmentSelector
	Expires                    *int64
	MaxManifestFragmentResults *int64
}

type clipRequest struct {
	StreamName, StreamARN string
	ClipFragmentSelector  *fragmentSelector
}

// decodeBody reads a JSON request body; an empty body is an empty request.
func decodeBody(body []byte, v any) *awserr.Error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var e *awserr.Error
		if errors.As(err, &e) {
			return e
		}
		return awserr.Serialization.New("Could not parse the request body as JSON.")
	}
	return nil
}

// choice validates an optional enum member: its value or def.
func choice(v *awserr.Violations, s *string, path, def string, values ...string) string {
	if s == nil {
		return def
	}
	v.OneOf(s, path, values...)
	return *s
}

// number validates an optional integer member: its value or def.
func number(v *awserr.Violations, n *int64, path string, lo, hi, def int64) int64 {
	if n == nil {
		return def
	}
	v.Range(n, path, lo, hi)
	return *n
}

// common holds what the HLS and DASH requests share once validated.
type common struct {
	mode, kind string
	start, end time.Time // end zero when open
}

// selectorEnums validates PlaybackMode and FragmentSelectorType (member is
// HLSFragmentSelector or DASHFragmentSelector) into v.
func selectorEnums(v *awserr.Violations, modePtr *string, sel *fragmentSelector, member string) common {
	var c common
	c.mode = choice(v, modePtr, "playbackMode", modeLive, modeLive, modeLiveReplay, modeOnDemand)
	c.kind = kindServer
	if sel != nil {
		c.kind = choice(v, sel.FragmentSelectorType, lowerFirst(member)+".fragmentSelectorType", kindServer, kindProducer, kindServer)
	}
	return c
}

// checkSelector applies AWS's rules for the fragment selector of c.mode.
func checkSelector(c *common, sel *fragmentSelector, member string, now time.Time) *awserr.Error {
	var r *timestampRange
	if sel != nil {
		r = sel.TimestampRange
	}
	if c.mode == modeLive {
		if r != nil {
			return video.ErrInvalidArgument.New("%s.TimestampRange must not be specified when PlaybackMode is LIVE.", member)
		}
		return nil
	}
	if sel == nil || sel.FragmentSelectorType == nil || r == nil {
		return video.ErrInvalidArgument.New("%s with FragmentSelectorType and TimestampRange is required when PlaybackMode is %s.", member, c.mode)
	}
	if r.StartTimestamp == nil || !r.StartTimestamp.set {
		return video.ErrInvalidArgument.New("StartTimestamp is required when TimestampRange is specified.")
	}
	c.start = r.StartTimestamp.Time
	if r.EndTimestamp != nil && r.EndTimestamp.set {
		c.end = r.EndTimestamp.Time
	}
	if c.mode == modeOnDemand && c.end.IsZero() {
		return video.ErrInvalidArgument.New("EndTimestamp is required when PlaybackMode is ON_DEMAND.")
	}
	return checkRange(c.kind, c.start, c.end, now)
}

// checkRange checks a timestamp range's end against its start and now.
func checkRange(kind string, start, end time.Time, now time.Time) *awserr.Error {
	if end.IsZero() {
		return nil
	}
	if !end.After(start) {
		return video.ErrInvalidArgument.New("EndTimestamp must be later than StartTimestamp.")
	}
	if end.Sub(start) > maxRange {
		return video.ErrInvalidArgument.New("EndTimestamp must be within 24 hours of StartTimestamp.")
	}
	if kind == kindServer && end.After(now) {
		return video.ErrInvalidArgument.New("EndTimestamp must be in the past when FragmentSelectorType is SERVER_TIMESTAMP.")
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	// HLSFragmentSelector -> hLSFragmentSelector, as AWS's Java
	// validation paths render member names.
	return strings.ToLower(s[:1]) + s[1:]
}

package images

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/video"
)

// Limits and defaults of GetImages (AWS API reference, "GetImages").
const (
	maxRange            = 300 * time.Second // EndTimestamp - StartTimestamp
	minSamplingInterval = 200               // ms
	// defaultSamplingInterval applies when SamplingInterval is absent (the
	// member became optional; 3000 ms was its former minimum).
	defaultSamplingInterval = 3000 // ms
	// pageSize is the most images one response holds: the reference says a
	// larger MaxResults still gives pages of 25.
	pageSize           = 25
	defaultJPEGQuality = 80
)

// Selector types and formats.
const (
	ProducerTimestamp = "PRODUCER_TIMESTAMP"
	ServerTimestamp   = "SERVER_TIMESTAMP"
	FormatJPEG        = "JPEG"
	FormatPNG         = "PNG"
	keyJPEGQuality    = "JPEGQuality"
	errNoMedia        = "NO_MEDIA"
	errMediaError     = "MEDIA_ERROR"
)

var (
	streamNamePattern  = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
	streamARNPattern   = regexp.MustCompile(`^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$`)
	configValuePattern = regexp.MustCompile(`^[a-zA-Z_0-9]+`)
	nextTokenPattern   = regexp.MustCompile(`^[a-zA-Z0-9+/]+={0,2}$`)
)

// Timestamp is a REST-JSON timestamp: epoch seconds with an optional
// fraction on the wire (an ISO 8601 string is accepted too).
type Timestamp struct{ time.Time }

// UnmarshalJSON reads epoch seconds exactly (no float rounding of the
// milliseconds) or a quoted RFC 3339 / epoch string.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
			t.Time = tm
			return nil
		}
		b = []byte(s)
	}
	tm, err := parseEpoch(string(b))
	if err != nil {
		return err
	}
	t.Time = tm
	return nil
}

// parseEpoch parses decimal epoch seconds ("1700000000.123", "1.7e9").
func parseEpoch(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("images: empty timestamp")
	}
	if !strings.ContainsAny(s, "eE") {
		whole, frac, _ := strings.Cut(s, ".")
		sec, err := strconv.ParseInt(whole, 10, 64)
		if err == nil && len(frac) <= 18 {
			var ns int64
			if frac != "" {
				f := (frac + "000000000")[:9]
				ns, err = strconv.ParseInt(f, 10, 64)
			}
			if err == nil {
				if strings.HasPrefix(whole, "-") {
					ns = -ns
				}
				return time.Unix(sec, ns), nil
			}
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("images: timestamp %q: %w", s, err)
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).Round(time.Millisecond), nil
}

// MarshalJSON writes epoch seconds with millisecond precision.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	if ms%1000 == 0 {
		return fmt.Appendf(nil, "%s%d", sign, ms/1000), nil
	}
	return fmt.Appendf(nil, "%s%d.%03d", sign, ms/1000, ms%1000), nil
}

// Input is GetImagesInput.
type Input struct {
	StreamName        *string           `json:"StreamName,omitempty"`
	StreamARN         *string           `json:"StreamARN,omitempty"`
	ImageSelectorType *string           `json:"ImageSelectorType,omitempty"`
	StartTimestamp    *Timestamp        `json:"StartTimestamp,omitempty"`
	EndTimestamp      *Timestamp        `json:"EndTimestamp,omitempty"`
	SamplingInterval  *int64            `json:"SamplingInterval,omitempty"`
	Format            *string           `json:"Format,omitempty"`
	FormatConfig      map[string]string `json:"FormatConfig,omitempty"`
	WidthPixels       *int64            `json:"WidthPixels,omitempty"`
	HeightPixels      *int64            `json:"HeightPixels,omitempty"`
	MaxResults        *int64            `json:"MaxResults,omitempty"`
	NextToken         *string           `json:"NextToken,omitempty"`
}

// Image is one element of GetImagesOutput.Images.
type Image struct {
	TimeStamp    Timestamp `json:"TimeStamp"`
	Error        string    `json:"Error,omitempty"`
	ImageContent string    `json:"ImageContent,omitempty"`
}

// Output is GetImagesOutput.
type Output struct {
	Images    []Image `json:"Images"`
	NextToken string  `json:"NextToken,omitempty"`
}

// request is a validated GetImages call.
type request struct {
	name, arn string
	server    bool // SERVER_TIMESTAMP
	start     time.Time
	end       time.Time
	interval  time.Duration
	format    string
	quality   int // JPEG quality 1..100
	width     int // 0: keep the aspect ratio (or the source size)
	height    int
	page      int
	first     int // index of the first sampling time of this page
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// parse decodes and validates a GetImages body: first the model's
// constraints (reported together, in the ValidationException wording,
// under InvalidArgumentException as Kinesis Video answers them), then the
// rules between members.
func parse(body []byte) (*request, *awserr.Error) {
	var in Input
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, video.ErrSerialization.New("%s", serializationMessage(err))
	}
	var v awserr.Violations
	if in.StreamName != nil {
		v.Length(in.StreamName, "streamName", 1, 256)
		v.Match(in.StreamName, "streamName", streamNamePattern, "[a-zA-Z0-9_.-]+")
	}
	if in.StreamARN != nil {
		v.Length(in.StreamARN, "streamARN", 1, 1024)
		v.Match(in.StreamARN, "streamARN", streamARNPattern,
			`arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+`)
	}
	if v.Required(in.ImageSelectorType != nil, "imageSelectorType") {
		v.OneOf(in.ImageSelectorType, "imageSelectorType", ProducerTimestamp, ServerTimestamp)
	}
	v.Required(in.StartTimestamp != nil, "startTimestamp")
	v.Required(in.EndTimestamp != nil, "endTimestamp")
	if v.Required(in.Format != nil, "format") {
		v.OneOf(in.Format, "format", FormatJPEG, FormatPNG)
	}
	if in.FormatConfig != nil {
		switch n := len(in.FormatConfig); {
		case n < 1:
			v.Add(awserr.MapValue(in.FormatConfig), "formatConfig", awserr.MinLen(1))
		case n > 1:
			v.Add(awserr.MapValue(in.FormatConfig), "formatConfig", awserr.MaxLen(1))
		}
		for _, k := range slices.Sorted(maps.Keys(in.FormatConfig)) {
			val := in.FormatConfig[k]
			v.OneOf(&k, "formatConfig.key", keyJPEGQuality)
			v.Length(&val, "formatConfig.value", 0, 256)
			if val != "" {
				v.Match(&val, "formatConfig.value", configValuePattern, "^[a-zA-Z_0-9]+")
			}
		}
	}
	if in.WidthPixels != nil {
		v.Range(in.WidthPixels, "widthPixels", 1, 3840)
	}
	if in.HeightPixels != nil {
		v.Range(in.HeightPixels, "heightPixels", 1, 2160)
	}
	if in.MaxResults != nil {
		v.Range(in.MaxResults, "maxResults", 1, 100)
	}
	if in.NextToken != nil {
		v.Length(in.NextToken, "nextToken", 1, 4096)
		v.Match(in.NextToken, "nextToken", nextTokenPattern, "[a-zA-Z0-9+/]+={0,2}")
	}
	if e := v.Err(); e != nil {
		return nil, video.ErrInvalidArgument.New("%s", e.Message)
	}

	r := &request{
		name:     str(in.StreamName),
		arn:      str(in.StreamARN),
		server:   *in.ImageSelectorType == ServerTimestamp,
		start:    in.StartTimestamp.Time,
		end:      in.EndTimestamp.Time,
		interval: defaultSamplingInterval * time.Millisecond,
		format:   *in.Format,
		quality:  defaultJPEGQuality,
		page:     pageSize,
	}
	if r.name == "" && r.arn == "" {
		return nil, video.ErrInvalidArgument.New("Either StreamName or StreamARN must be specified.")
	}
	if r.end.Before(r.start) {
		return nil, video.ErrInvalidArgument.New("EndTimestamp must be equal to or after StartTimestamp.")
	}
	if r.end.Sub(r.start) > maxRange {
		return nil, video.ErrInvalidArgument.New("The time range between StartTimestamp and EndTimestamp must not exceed 300 seconds.")
	}
	if in.SamplingInterval != nil {
		if *in.SamplingInterval < minSamplingInterval {
			return nil, video.ErrInvalidArgument.New("SamplingInterval must be at least %d milliseconds.", minSamplingInterval)
		}
		// Any interval beyond the longest range gives the one image at
		// StartTimestamp; capping it keeps the Duration from overflowing.
		r.interval = time.Duration(min(*in.SamplingInterval, maxRange.Milliseconds()+1)) * time.Millisecond
	}
	if q, ok := in.FormatConfig[keyJPEGQuality]; ok {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > 100 {
			return nil, video.ErrInvalidArgument.New("The JPEGQuality value %q must be an integer between 1 and 100.", q)
		}
		r.quality = n
	}
	if in.WidthPixels != nil {
		r.width = int(*in.WidthPixels)
	}
	if in.HeightPixels != nil {
		r.height = int(*in.HeightPixels)
	}
	if in.MaxResults != nil && int(*in.MaxResults) < r.page {
		r.page = int(*in.MaxResults)
	}
	if in.NextToken != nil {
		first, ok := r.parseToken(*in.NextToken)
		if !ok {
			return nil, video.ErrInvalidArgument.New("The NextToken is invalid or does not belong to this request.")
		}
		r.first = first
	}
	return r, nil
}

func serializationMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("Unexpected value for member %s", te.Field)
	}
	return "Failed to parse the request body as JSON"
}

// times is the number of sampling times: StartTimestamp, then every
// SamplingInterval while before EndTimestamp (one, at StartTimestamp, when
// the range is shorter than the interval or empty).
func (r *request) times() int {
	n := int((r.end.Sub(r.start) + r.interval - 1) / r.interval)
	return max(n, 1)
}

func (r *request) at(k int) time.Time { return r.start.Add(time.Duration(k) * r.interval) }

// The NextToken names the next sampling time and the request it belongs to
// (range, interval and selector), so a token is not replayed on another
// range. It is not secret: it only says where to resume.
func (r *request) token(next int) string {
	s := fmt.Sprintf("v1:%d:%d:%d:%d:%t", next, r.start.UnixMilli(), r.end.UnixMilli(), r.interval.Milliseconds(), r.server)
	return base64.StdEncoding.EncodeToString([]byte(s))
}

func (r *request) parseToken(tok string) (int, bool) {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 6 || parts[0] != "v1" {
		return 0, false
	}
	next, err := strconv.Atoi(parts[1])
	if err != nil || next < 0 || next >= r.times() {
		return 0, false
	}
	if r.token(next) != tok {
		return 0, false
	}
	return next, true
}

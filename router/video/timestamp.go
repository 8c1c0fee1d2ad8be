package video

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// epoch is a timestamp as the REST-JSON protocol writes it: a JSON number
// of seconds since the Unix epoch with up to a millisecond fraction.
type epoch struct{ time.Time }

// MarshalJSON writes seconds.millis.
func (e epoch) MarshalJSON() ([]byte, error) {
	return []byte(formatSeconds(e.Time)), nil
}

// UnmarshalJSON reads a number of seconds (a fraction and an exponent are
// accepted, as SDKs may write 1.7E9), or a quoted RFC 3339 time.
func (e *epoch) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' {
		t, err := time.Parse(time.RFC3339Nano, s[1:len(s)-1])
		if err != nil {
			return errors.New("video: timestamp: not RFC 3339")
		}
		e.Time = t
		return nil
	}
	t, err := parseSeconds(s)
	if err != nil {
		return err
	}
	e.Time = t
	return nil
}

// formatSeconds is t as seconds.millis ("1700000000.123"), how AWS writes
// timestamps in JSON numbers and in GetMedia's MKV tags.
// A zero t (a producer timestamp the store does not know) is the epoch.
func formatSeconds(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	ms := t.UnixMilli()
	var b []byte
	if ms < 0 {
		b, ms = append(b, '-'), -ms
	}
	sec, frac := ms/1000, ms%1000
	b = strconv.AppendInt(b, sec, 10)
	b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return string(b)
}

// maxSeconds bounds accepted timestamps (year 9999) so that conversions
// cannot overflow.
const maxSeconds = 253402300799

// parseSeconds reads decimal seconds since the epoch with an optional
// fraction (kept to the nanosecond) or exponent: the
// x-amzn-producer-start-timestamp header and JSON timestamps.
func parseSeconds(s string) (time.Time, error) {
	bad := errors.New("video: timestamp: not a number of seconds")
	if s == "" || len(s) > 64 {
		return time.Time{}, bad
	}
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f != f || f < -maxSeconds || f > maxSeconds {
			return time.Time{}, bad
		}
		sec := int64(f)
		ns := int64((f - float64(sec)) * 1e9)
		return time.Unix(sec, ns).UTC(), nil
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return time.Time{}, bad
	}
	var sec int64
	for _, c := range intPart {
		if c < '0' || c > '9' {
			return time.Time{}, bad
		}
		sec = sec*10 + int64(c-'0')
		if sec > maxSeconds {
			return time.Time{}, bad
		}
	}
	var ns int64
	for i, c := range frac {
		if c < '0' || c > '9' {
			return time.Time{}, bad
		}
		if i < 9 {
			ns = ns*10 + int64(c-'0')
		}
	}
	for i := len(frac); i < 9; i++ {
		ns *= 10
	}
	if neg {
		sec, ns = -sec, -ns
	}
	return time.Unix(sec, ns).UTC(), nil
}

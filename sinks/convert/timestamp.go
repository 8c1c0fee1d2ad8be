package convert

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// OpenX timestamp layouts, from the Firehose developer guide
// ("Choose the JSON deserializer"): yyyy-MM-dd'T'HH:mm:ss[.S]'Z' and
// yyyy-[M]M-[d]d HH:mm:ss[.S], fractions up to 9 digits.
var openXLayouts = []string{
	"2006-01-02T15:04:05.999999999Z",
	"2006-1-2 15:04:05.999999999",
}

// hiveDefaultLayout is java.sql.Timestamp.valueOf's yyyy-[m]m-[d]d hh:mm:ss[.f...].
const hiveDefaultLayout = "2006-1-2 15:04:05.999999999"

// epochMillisThreshold separates epoch seconds from epoch milliseconds in
// OpenX input: 1e11 seconds is the year 5138, 1e11 ms is 1973.
const epochMillisThreshold = 1e11

func (c *Converter) timestamp(v any) (time.Time, bool) {
	if c.hive {
		return c.hiveTimestamp(v)
	}
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = strings.TrimSpace(x)
	default:
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n >= epochMillisThreshold || n <= -epochMillisThreshold {
			return time.UnixMilli(n).UTC(), true
		}
		return time.Unix(n, 0).UTC(), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) < epochMillisThreshold {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), true
	}
	for _, l := range openXLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func (c *Converter) hiveTimestamp(v any) (time.Time, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = x
	default:
		return time.Time{}, false
	}
	if c.tsMillis {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return time.UnixMilli(n).UTC(), true
		}
	}
	layouts := c.tsLayouts
	if len(layouts) == 0 && !c.tsMillis {
		layouts = []string{hiveDefaultLayout}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// jodaToGo translates the common subset of Joda-Time DateTimeFormat
// patterns into a Go time layout. Unsupported letters are an error rather
// than a silent mismatch.
func jodaToGo(p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); {
		ch := p[i]
		if ch == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", fmt.Errorf("unterminated quote in %q", p)
			}
			if j == 0 {
				b.WriteByte('\'')
			} else {
				lit := p[i+1 : i+1+j]
				if strings.ContainsAny(lit, "0123456789") || containsGoToken(lit) {
					return "", fmt.Errorf("literal %q in %q cannot be expressed as a Go layout", lit, p)
				}
				b.WriteString(lit)
			}
			i += j + 2
			continue
		}
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z') {
			if ch >= '0' && ch <= '9' {
				return "", fmt.Errorf("digits outside quotes in %q", p)
			}
			b.WriteByte(ch)
			i++
			continue
		}
		n := 1
		for i+n < len(p) && p[i+n] == ch {
			n++
		}
		var out string
		switch {
		case ch == 'y' && n == 2:
			out = "06"
		case ch == 'y' && (n == 4 || n == 1):
			out = "2006"
		case ch == 'M' && n == 1:
			out = "1"
		case ch == 'M' && n == 2:
			out = "01"
		case ch == 'M' && n == 3:
			out = "Jan"
		case ch == 'M' && n >= 4:
			out = "January"
		case ch == 'd' && n == 1:
			out = "2"
		case ch == 'd' && n == 2:
			out = "02"
		case ch == 'H' && n <= 2:
			out = "15"
		case ch == 'h' && n == 1:
			out = "3"
		case ch == 'h' && n == 2:
			out = "03"
		case ch == 'm' && n == 1:
			out = "4"
		case ch == 'm' && n == 2:
			out = "04"
		case ch == 's' && n == 1:
			out = "5"
		case ch == 's' && n == 2:
			out = "05"
		case ch == 'S' && n <= 9:
			s := b.String()
			if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ",") {
				return "", fmt.Errorf("fraction S must follow '.' or ',' in %q", p)
			}
			out = strings.Repeat("0", n)
		case ch == 'a' && n == 1:
			out = "PM"
		case ch == 'E' && n <= 3:
			out = "Mon"
		case ch == 'E' && n >= 4:
			out = "Monday"
		case ch == 'Z' && n == 1:
			out = "-0700"
		case ch == 'Z' && n == 2:
			out = "-07:00"
		case ch == 'z' && n <= 3:
			out = "MST"
		default:
			return "", fmt.Errorf("unsupported pattern letters %q in %q", p[i:i+n], p)
		}
		b.WriteString(out)
		i += n
	}
	return b.String(), nil
}

// containsGoToken reports whether a quoted literal would be misread as a
// Go layout element.
func containsGoToken(s string) bool {
	for _, tok := range []string{"Jan", "Mon", "MST", "PM", "pm", "Z07", "_2"} {
		if strings.Contains(s, tok) {
			return true
		}
	}
	return false
}

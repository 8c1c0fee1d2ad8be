package logparse

import (
	"fmt"
	"strings"
	"time"
)

var (
	monthNames = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
	dayNames   = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
)

// parseSimpleDate parses s by a java.text.SimpleDateFormat pattern, as
// FIXED_COLUMN_LOG_PARSE's DATE/TIME/TIMESTAMP formats and the Date and
// Time Patterns topic describe them. Supported letters: y M d H k h K m s S
// a E z Z X; 'quoted' text and other characters are literals. Fields not in
// the pattern default as SimpleDateFormat's do (1970-01-01 00:00:00 UTC).
// The whole of s must be consumed.
func parseSimpleDate(s, pattern string) (time.Time, error) {
	year, month, day, hour, min, sec, nano := 1970, 1, 1, 0, 0, 0, 0
	pm, hasAMPM, hour12 := false, false, false
	offset, hasZone := 0, false
	in := s
	p := pattern
	for len(p) > 0 {
		c := p[0]
		if c == '\'' {
			// quoted literal; '' is a single quote
			if len(p) > 1 && p[1] == '\'' {
				if !strings.HasPrefix(in, "'") {
					return time.Time{}, fmt.Errorf("expected \"'\" at %q", in)
				}
				in, p = in[1:], p[2:]
				continue
			}
			end := 1
			var lit strings.Builder
			for end < len(p) {
				if p[end] == '\'' {
					if end+1 < len(p) && p[end+1] == '\'' {
						lit.WriteByte('\'')
						end += 2
						continue
					}
					break
				}
				lit.WriteByte(p[end])
				end++
			}
			if end >= len(p) {
				return time.Time{}, fmt.Errorf("unterminated quote in pattern %q", pattern)
			}
			if !strings.HasPrefix(in, lit.String()) {
				return time.Time{}, fmt.Errorf("expected %q at %q", lit.String(), in)
			}
			in, p = in[lit.Len():], p[end+1:]
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			if len(in) == 0 || in[0] != c {
				return time.Time{}, fmt.Errorf("expected %q at %q", string(c), in)
			}
			in, p = in[1:], p[1:]
			continue
		}
		n := 1
		for n < len(p) && p[n] == c {
			n++
		}
		p = p[n:]
		// an adjacent numeric field limits this one to its width
		nextNumeric := len(p) > 0 && strings.IndexByte("yMdHkhKmsS", p[0]) >= 0
		width := 0
		if nextNumeric {
			width = n
		}
		var err error
		var v int
		switch c {
		case 'y':
			w := width
			if n == 2 && w == 0 {
				w = 2
			}
			var digits int
			v, digits, in, err = readInt(in, w)
			if err == nil && n == 2 && digits == 2 {
				// SimpleDateFormat puts two-digit years within 80 years before
				// and 20 after now; kinesin keeps results reproducible and uses
				// 2000-2099 (documented in doc.go).
				v += 2000
			}
			year = v
		case 'M':
			if n >= 3 {
				v, in, err = readName(in, monthNames)
				month = v + 1
			} else {
				v, _, in, err = readInt(in, width)
				month = v
			}
		case 'd':
			v, _, in, err = readInt(in, width)
			day = v
		case 'H', 'k':
			v, _, in, err = readInt(in, width)
			if c == 'k' && v == 24 {
				v = 0
			}
			hour = v
		case 'h', 'K':
			v, _, in, err = readInt(in, width)
			if c == 'h' && v == 12 {
				v = 0
			}
			hour, hour12 = v, true
		case 'm':
			v, _, in, err = readInt(in, width)
			min = v
		case 's':
			v, _, in, err = readInt(in, width)
			sec = v
		case 'S':
			v, _, in, err = readInt(in, width)
			nano = v * int(time.Millisecond) // SimpleDateFormat: S is a count of milliseconds
		case 'a':
			switch {
			case len(in) >= 2 && strings.EqualFold(in[:2], "AM"):
				pm = false
			case len(in) >= 2 && strings.EqualFold(in[:2], "PM"):
				pm = true
			default:
				err = fmt.Errorf("expected AM or PM at %q", in)
			}
			if err == nil {
				in, hasAMPM = in[2:], true
			}
		case 'E':
			_, in, err = readName(in, dayNames)
		case 'z', 'Z', 'X':
			offset, in, err = readZone(in)
			hasZone = true
		default:
			err = fmt.Errorf("unsupported pattern letter %q", string(c))
		}
		if err != nil {
			return time.Time{}, err
		}
	}
	if in != "" {
		return time.Time{}, fmt.Errorf("unparsed text %q", in)
	}
	if hour12 && hasAMPM && pm {
		hour += 12
	} else if !hour12 && hasAMPM && pm && hour < 12 {
		hour += 12
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 {
		return time.Time{}, fmt.Errorf("field out of range in %q", s)
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nano, time.UTC)
	if t.Day() != day {
		return time.Time{}, fmt.Errorf("no such day in %q", s)
	}
	if hasZone {
		t = t.Add(-time.Duration(offset) * time.Second)
	}
	return t, nil
}

// readInt reads an optionally signed decimal number of at most width digits
// (any number when width is 0).
func readInt(in string, width int) (v, digits int, rest string, err error) {
	i := 0
	neg := false
	if i < len(in) && (in[i] == '-' || in[i] == '+') && width == 0 {
		neg = in[i] == '-'
		i++
	}
	start := i
	for i < len(in) && in[i] >= '0' && in[i] <= '9' && (width == 0 || i-start < width) && i-start < 9 {
		v = v*10 + int(in[i]-'0')
		i++
	}
	if i == start {
		return 0, 0, in, fmt.Errorf("expected a number at %q", in)
	}
	if neg {
		v = -v
	}
	return v, i - start, in[i:], nil
}

// readName reads a full or three-letter abbreviated name, case-insensitively.
func readName(in string, names []string) (int, string, error) {
	for i, n := range names {
		if len(in) >= len(n) && strings.EqualFold(in[:len(n)], n) {
			return i, in[len(n):], nil
		}
	}
	for i, n := range names {
		if len(in) >= 3 && strings.EqualFold(in[:3], n[:3]) {
			return i, in[3:], nil
		}
	}
	return 0, in, fmt.Errorf("expected a name at %q", in)
}

// readZone reads Z, UTC, GMT, GMT+hh:mm, +hh, +hhmm or +hh:mm and answers
// the offset east of UTC in seconds.
func readZone(in string) (int, string, error) {
	for _, name := range []string{"UTC", "GMT", "Z"} {
		if strings.HasPrefix(in, name) {
			in = in[len(name):]
			if name == "Z" || len(in) == 0 || (in[0] != '+' && in[0] != '-') {
				return 0, in, nil
			}
			break
		}
	}
	if len(in) < 3 || (in[0] != '+' && in[0] != '-') {
		return 0, in, fmt.Errorf("expected a time zone at %q", in)
	}
	sign := 1
	if in[0] == '-' {
		sign = -1
	}
	digits := func(s string) (int, bool) {
		if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
			return 0, false
		}
		return int(s[0]-'0')*10 + int(s[1]-'0'), true
	}
	h, ok := digits(in[1:3])
	if !ok {
		return 0, in, fmt.Errorf("expected a time zone at %q", in)
	}
	rest := in[3:]
	m := 0
	if len(rest) >= 3 && rest[0] == ':' {
		if mm, ok := digits(rest[1:3]); ok {
			m, rest = mm, rest[3:]
		}
	} else if len(rest) >= 2 {
		if mm, ok := digits(rest[:2]); ok {
			m, rest = mm, rest[2:]
		}
	}
	return sign * (h*3600 + m*60), rest, nil
}

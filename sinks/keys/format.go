package keys

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timeFormat is a compiled subset of java.time.format.DateTimeFormatter
// patterns: the letters Firehose users put in !{timestamp:…} expressions.
type timeFormat []timeField

type timeField struct {
	letter byte   // 0 for literal text
	count  int    // how many times the letter repeats
	text   string // literal text
}

// supported pattern letters and the largest count Java accepts for each
// (0 means any count).
var letterMax = map[byte]int{
	'y': 0, 'u': 0, // year (year-of-era / proleptic year; equal for AD years)
	'M': 5, 'L': 5, // month of year (number or text)
	'd': 2, // day of month
	'D': 3, // day of year
	'H': 2, // hour of day 0-23
	'k': 2, // clock hour of day 1-24
	'K': 2, // hour of am/pm 0-11
	'h': 2, // clock hour of am/pm 1-12
	'm': 2, // minute
	's': 2, // second
	'S': 9, // fraction of second
	'a': 1, // AM/PM
	'E': 5, // day of week text
	'G': 5, // era
}

// compileTimeFormat parses a DateTimeFormatter pattern. Letters outside the
// supported subset (for example the week-based Y, w, zone letters) and the
// optional-section brackets are rejected rather than rendered wrongly.
func compileTimeFormat(p string) (timeFormat, error) {
	var f timeFormat
	lit := func(s string) {
		if n := len(f); n > 0 && f[n-1].letter == 0 {
			f[n-1].text += s
			return
		}
		f = append(f, timeField{text: s})
	}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			// Quoted literal; '' is a single quote inside or outside quotes.
			if i+1 < len(p) && p[i+1] == '\'' {
				lit("'")
				i += 2
				continue
			}
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(p) {
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					closed = true
					break
				}
				b.WriteByte(p[j])
				j++
			}
			if !closed {
				return nil, fmt.Errorf("keys: pattern %q: unterminated quote", p)
			}
			lit(b.String())
			i = j + 1
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			n := j - i
			max, ok := letterMax[c]
			if !ok {
				return nil, fmt.Errorf("keys: pattern %q: unsupported pattern letter %q", p, c)
			}
			if max > 0 && n > max {
				return nil, fmt.Errorf("keys: pattern %q: too many pattern letters: %c", p, c)
			}
			f = append(f, timeField{letter: c, count: n})
			i = j
		case c == '[' || c == ']' || c == '#' || c == '{' || c == '}':
			return nil, fmt.Errorf("keys: pattern %q: reserved character %q", p, c)
		default:
			lit(string(c))
			i++
		}
	}
	return f, nil
}

func pad(b []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func text(full string, count int) string {
	switch {
	case count == 4:
		return full
	case count == 5:
		return full[:1]
	default:
		return full[:3]
	}
}

// appendTo renders t (in its own location) with the pattern.
func (f timeFormat) appendTo(b []byte, t time.Time) []byte {
	for _, fl := range f {
		n := fl.count
		switch fl.letter {
		case 0:
			b = append(b, fl.text...)
		case 'y', 'u':
			y := t.Year()
			if n == 2 {
				b = pad(b, ((y%100)+100)%100, 2)
			} else {
				b = pad(b, y, n)
			}
		case 'M', 'L':
			if n <= 2 {
				b = pad(b, int(t.Month()), n)
			} else {
				b = append(b, text(t.Month().String(), n)...)
			}
		case 'd':
			b = pad(b, t.Day(), n)
		case 'D':
			b = pad(b, t.YearDay(), n)
		case 'H':
			b = pad(b, t.Hour(), n)
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b = pad(b, h, n)
		case 'K':
			b = pad(b, t.Hour()%12, n)
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b = pad(b, h, n)
		case 'm':
			b = pad(b, t.Minute(), n)
		case 's':
			b = pad(b, t.Second(), n)
		case 'S':
			ns := fmt.Sprintf("%09d", t.Nanosecond())
			b = append(b, ns[:n]...)
		case 'a':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'E':
			b = append(b, text(t.Weekday().String(), n)...)
		case 'G':
			switch {
			case n == 4:
				b = append(b, "Anno Domini"...)
			case n == 5:
				b = append(b, 'A')
			default:
				b = append(b, "AD"...)
			}
		}
	}
	return b
}

package datefmt

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Format is a compiled java.text.SimpleDateFormat pattern (see the package
// documentation). A Format is safe for concurrent use.
type Format struct {
	toks []dfTok
	opt  Options
}

// Options adjust parsing.
type Options struct {
	// TwoDigitYearStart is the first year of the 100-year window a
	// two-digit year is read into; 0 means 1920 (1920..2019).
	TwoDigitYearStart int
	// Exact makes Parse fail when text is left after the pattern.
	Exact bool
}

type dfTok struct {
	letter byte // 0 for literal text
	count  int
	text   string
}

const dfLetters = "GyYMLdDEuaHkKhmsSFwWzZX"

// Parse compiles a SimpleDateFormat pattern with the default Options.
func Parse(pattern string) (*Format, error) {
	return ParseOptions(pattern, Options{})
}

// ParseOptions compiles a SimpleDateFormat pattern with options o.
func ParseOptions(pattern string, o Options) (*Format, error) {
	f := Format{opt: o}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			if i+1 < len(pattern) && pattern[i+1] == '\'' {
				f.lit("'")
				i += 2
				continue
			}
			j := i + 1
			var b strings.Builder
			for {
				if j >= len(pattern) {
					return nil, errors.New("datefmt: unterminated quote in date format")
				}
				if pattern[j] == '\'' {
					if j+1 < len(pattern) && pattern[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(pattern[j])
				j++
			}
			f.lit(b.String())
			i = j + 1
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			if !strings.ContainsRune(dfLetters, rune(c)) {
				return nil, fmt.Errorf("datefmt: illegal pattern character '%c' in date format", c)
			}
			j := i
			for j < len(pattern) && pattern[j] == c {
				j++
			}
			f.toks = append(f.toks, dfTok{letter: c, count: j - i})
			i = j
		default:
			f.lit(string(c))
			i++
		}
	}
	return &f, nil
}

func (f *Format) lit(s string) {
	if n := len(f.toks); n > 0 && f.toks[n-1].letter == 0 {
		f.toks[n-1].text += s
		return
	}
	f.toks = append(f.toks, dfTok{text: s})
}

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	dayNames   = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

func pad(n, width int) string {
	s := strconv.Itoa(abs(n))
	for len(s) < width {
		s = "0" + s
	}
	if n < 0 {
		return "-" + s
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Format renders t in UTC.
func (f *Format) Format(t time.Time) string {
	t = t.UTC()
	var b strings.Builder
	for _, k := range f.toks {
		n := k.count
		switch k.letter {
		case 0:
			b.WriteString(k.text)
		case 'G':
			if t.Year() > 0 {
				b.WriteString("AD")
			} else {
				b.WriteString("BC")
			}
		case 'y', 'Y':
			y := t.Year()
			if k.letter == 'Y' {
				y, _ = t.ISOWeek()
			}
			if n == 2 {
				b.WriteString(pad(y%100, 2))
			} else {
				b.WriteString(pad(y, n))
			}
		case 'M', 'L':
			switch {
			case n >= 4:
				b.WriteString(monthNames[t.Month()-1])
			case n == 3:
				b.WriteString(monthNames[t.Month()-1][:3])
			default:
				b.WriteString(pad(int(t.Month()), n))
			}
		case 'd':
			b.WriteString(pad(t.Day(), n))
		case 'D':
			b.WriteString(pad(t.YearDay(), n))
		case 'E':
			if n >= 4 {
				b.WriteString(dayNames[t.Weekday()])
			} else {
				b.WriteString(dayNames[t.Weekday()][:3])
			}
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b.WriteString(pad(wd, n))
		case 'a':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'H':
			b.WriteString(pad(t.Hour(), n))
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b.WriteString(pad(h, n))
		case 'K':
			b.WriteString(pad(t.Hour()%12, n))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(pad(h, n))
		case 'm':
			b.WriteString(pad(t.Minute(), n))
		case 's':
			b.WriteString(pad(t.Second(), n))
		case 'S':
			b.WriteString(pad(t.Nanosecond()/1e6, n))
		case 'F':
			b.WriteString(pad((t.Day()-1)/7+1, n))
		case 'w':
			_, w := t.ISOWeek()
			b.WriteString(pad(w, n))
		case 'W':
			first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
			b.WriteString(pad((t.Day()+int(first.Weekday())-1)/7+1, n))
		case 'z':
			b.WriteString("UTC")
		case 'Z':
			b.WriteString("+0000")
		case 'X':
			b.WriteString("Z")
		}
	}
	return b.String()
}

func isNumericLetter(c byte) bool {
	return c != 0 && !strings.ContainsRune("GEaLzZX", rune(c))
}

// Parse reads s under the pattern and answers the instant (UTC) it names.
func (f *Format) Parse(s string) (time.Time, error) {
	year, month, day := 1970, 1, 1
	hour, minute, sec, milli := 0, 0, 0, 0
	pm, hasAmPm, hour12 := false, false, false
	offset := 0
	yearDay := 0
	pos := 0
	fail := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("datefmt: unparseable date: %q", s)
	}
	for i, k := range f.toks {
		if k.letter == 0 {
			if !strings.HasPrefix(s[pos:], k.text) {
				return fail()
			}
			pos += len(k.text)
			continue
		}
		if !isNumericLetter(k.letter) || (k.letter == 'M' || k.letter == 'L') && k.count >= 3 {
			rest := strings.ToLower(s[pos:])
			matched := -1
			var names []string
			switch k.letter {
			case 'M', 'L':
				names = monthNames
			case 'E':
				names = dayNames
			case 'a':
				names = []string{"AM", "PM"}
			case 'G':
				names = []string{"AD", "BC"}
			}
			if k.letter == 'z' || k.letter == 'Z' || k.letter == 'X' {
				off, n, ok := parseZone(s[pos:])
				if !ok {
					return fail()
				}
				offset, pos = off, pos+n
				continue
			}
			for j, nm := range names {
				l := strings.ToLower(nm)
				if strings.HasPrefix(rest, l) {
					matched, pos = j, pos+len(l)
					break
				}
				if len(l) > 3 && strings.HasPrefix(rest, l[:3]) {
					matched, pos = j, pos+3
					break
				}
			}
			if matched < 0 {
				return fail()
			}
			switch k.letter {
			case 'M', 'L':
				month = matched + 1
			case 'a':
				hasAmPm, pm = true, matched == 1
			}
			continue
		}
		// Numeric field: exactly count digits when the next field abuts it,
		// otherwise as many digits as there are.
		width := 0
		if i+1 < len(f.toks) && isNumericLetter(f.toks[i+1].letter) {
			width = k.count
		}
		j := pos
		if k.letter == 'y' && j < len(s) && s[j] == '-' {
			j++
		}
		for j < len(s) && s[j] >= '0' && s[j] <= '9' && (width == 0 || j-pos < width) {
			j++
		}
		if j == pos || (j == pos+1 && s[pos] == '-') {
			return fail()
		}
		v, err := strconv.Atoi(s[pos:j])
		if err != nil || v > 1e9 {
			return fail()
		}
		digits := j - pos
		pos = j
		switch k.letter {
		case 'y', 'Y':
			if k.count <= 2 && digits == 2 {
				// Java puts two-digit years within 80 years before and 20
				// after now; kinesin fixes the window for determinism.
				first := f.opt.TwoDigitYearStart
				if first == 0 {
					first = 1920
				}
				v += first - first%100
				if v < first {
					v += 100
				}
			}
			year = v
		case 'M', 'L':
			month = v
		case 'd':
			day = v
		case 'D':
			yearDay = v
		case 'H':
			hour = v
		case 'k':
			if v == 24 {
				v = 0
			}
			hour = v
		case 'K':
			hour, hour12 = v, true
		case 'h':
			if v == 12 {
				v = 0
			}
			hour, hour12 = v, true
		case 'm':
			minute = v
		case 's':
			sec = v
		case 'S':
			milli = v
		}
	}
	// Like java.text.DateFormat.parse(String), text after the pattern is
	// ignored unless Options.Exact: CHAR_TO_TIMESTAMP('yyyy-MM-dd',
	// '2009-09-16 03:15:24') answers the date alone, as the reference shows.
	if f.opt.Exact && pos != len(s) {
		return fail()
	}
	if hasAmPm && pm && (hour12 || hour < 12) {
		hour += 12
	}
	if month < 1 || month > 12 || hour > 23 || minute > 59 || sec > 59 || milli > 999 || year > 1e6 {
		return fail()
	}
	var t time.Time
	if yearDay > 0 {
		if yearDay > 366 {
			return fail()
		}
		t = time.Date(year, 1, yearDay, hour, minute, sec, milli*1e6, time.UTC)
		if t.Year() != year {
			return fail()
		}
	} else {
		if day < 1 || day > daysIn(year, time.Month(month)) {
			return fail()
		}
		t = time.Date(year, time.Month(month), day, hour, minute, sec, milli*1e6, time.UTC)
	}
	return t.Add(-time.Duration(offset) * time.Second), nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseZone reads Z, UTC or GMT optionally followed by an offset, or an
// offset +hh, +hhmm or +hh:mm, answering seconds east of UTC and the
// number of bytes read.
func parseZone(s string) (int, int, bool) {
	if strings.HasPrefix(s, "Z") {
		return 0, 1, true
	}
	if strings.HasPrefix(s, "UTC") || strings.HasPrefix(s, "GMT") {
		if off, n, ok := parseOffset(s[3:]); ok {
			return off, 3 + n, true
		}
		return 0, 3, true
	}
	return parseOffset(s)
}

// parseOffset reads +hh, +hhmm or +hh:mm, answering seconds east of UTC.
func parseOffset(s string) (int, int, bool) {
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return 0, 0, false
	}
	h, err := strconv.Atoi(s[1:3])
	if err != nil {
		return 0, 0, false
	}
	n, m := 3, 0
	rest := s[3:]
	if strings.HasPrefix(rest, ":") {
		rest, n = rest[1:], n+1
	}
	if len(rest) >= 2 {
		if mm, err := strconv.Atoi(rest[:2]); err == nil {
			m, n = mm, n+2
		} else if n == 4 {
			return 0, 0, false
		}
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, n, true
}

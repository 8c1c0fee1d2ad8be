package datefmt

import (
	"testing"
	"time"
)

func ts(y, mo, d, h, mi, s int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
}

// logParseOptions are the options the log parsers (FIXED_COLUMN_LOG_PARSE
// and friends) use.
var logParseOptions = Options{TwoDigitYearStart: 2000, Exact: true}

func parseSimpleDate(s, pattern string) (time.Time, error) {
	f, err := ParseOptions(pattern, logParseOptions)
	if err != nil {
		return time.Time{}, err
	}
	return f.Parse(s)
}

func TestSimpleDate(t *testing.T) {
	for _, c := range []struct {
		in, pattern string
		want        time.Time
	}{
		{"10/Oct/2000:13:55:36 -0700", "dd/MMM/yyyy:HH:mm:ss Z", ts(2000, 10, 10, 20, 55, 36)},
		{"2001.07.04 AD at 12:08:56 PDT", "yyyy.MM.dd 'AD at' HH:mm:ss z", time.Time{}},
		{"Wed, 4 Jul 2001 12:08:56 -0700", "EEE, d MMM yyyy HH:mm:ss Z", ts(2001, 7, 4, 19, 8, 56)},
		{"010704120856-0700", "yyMMddHHmmssZ", ts(2001, 7, 4, 19, 8, 56)},
		{"12:08 PM", "h:mm a", ts(1970, 1, 1, 12, 8, 0)},
		{"12:08 AM", "h:mm a", ts(1970, 1, 1, 0, 8, 0)},
		{"2001-07-04T12:08:56.235Z", "yyyy-MM-dd'T'HH:mm:ss.SSSX", ts(2001, 7, 4, 12, 8, 56).Add(235 * time.Millisecond)},
		{"it's 2001", "'it''s' yyyy", ts(2001, 1, 1, 0, 0, 0)},
	} {
		got, err := parseSimpleDate(c.in, c.pattern)
		if c.want.IsZero() {
			if err == nil {
				t.Errorf("%q %q: no error (got %v)", c.in, c.pattern, got)
			}
			continue
		}
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%q %q: got %v %v, want %v", c.in, c.pattern, got, err, c.want)
		}
	}
}

func TestOptions(t *testing.T) {
	for _, c := range []struct {
		in, pattern string
		o           Options
		want        time.Time
	}{
		{"01-07-04", "yy-MM-dd", Options{}, ts(2001, 7, 4, 0, 0, 0)},
		{"19-07-04", "yy-MM-dd", Options{}, ts(2019, 7, 4, 0, 0, 0)},
		{"20-07-04", "yy-MM-dd", Options{}, ts(1920, 7, 4, 0, 0, 0)},
		{"99-07-04", "yy-MM-dd", Options{}, ts(1999, 7, 4, 0, 0, 0)},
		{"99-07-04", "yy-MM-dd", logParseOptions, ts(2099, 7, 4, 0, 0, 0)},
		{"00-07-04", "yy-MM-dd", logParseOptions, ts(2000, 7, 4, 0, 0, 0)},
		{"2009-07-04 trailing", "yyyy-MM-dd", Options{}, ts(2009, 7, 4, 0, 0, 0)},
		{"2009-07-04 trailing", "yyyy-MM-dd", logParseOptions, time.Time{}},
		{"12:08 GMT+01:00", "HH:mm z", logParseOptions, ts(1970, 1, 1, 11, 8, 0)},
	} {
		f, err := ParseOptions(c.pattern, c.o)
		if err != nil {
			t.Fatalf("%q: %v", c.pattern, err)
		}
		got, err := f.Parse(c.in)
		if c.want.IsZero() {
			if err == nil {
				t.Errorf("%q %q %+v: no error (got %v)", c.in, c.pattern, c.o, got)
			}
			continue
		}
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%q %q %+v: got %v %v, want %v", c.in, c.pattern, c.o, got, err, c.want)
		}
	}
}

func FuzzDateFormat(f *testing.F) {
	for _, s := range [][2]string{
		{"yyyy-MM-dd HH:mm:ss", "2009-09-16 03:15:24"}, {"yyyy-MM-dd hh:mm:ss a", "2009-09-16 03:15:24 PM"},
		{"dd/MMM/yyyy:HH:mm:ss Z", "10/Oct/2000:13:55:36 -0700"}, {"yyyyMMddHHmmssSSS", "20090916031524123"},
		{"EEE, d MMM yyyy", "Wed, 16 Sep 2009"}, {"'T'''yy", "T'09"}, {"D", "366"}, {"XXX", "+05:30"},
	} {
		f.Add(s[0], s[1], int64(1253070924123))
	}
	f.Fuzz(func(t *testing.T, pattern, input string, ms int64) {
		if len(pattern) > 64 || len(input) > 64 {
			return
		}
		df, err := Parse(pattern)
		if err != nil {
			return
		}
		_, _ = df.Parse(input)
		// Round trip: formatting a timestamp in 0001..9999 with a full
		// numeric pattern and parsing it back yields the same instant.
		ms = ms % 253402300800000
		if ms < 0 {
			ms = -ms
		}
		full, _ := Parse("yyyy-MM-dd HH:mm:ss.SSS")
		back, err := full.Parse(full.Format(time.UnixMilli(ms)))
		if err != nil || back.UnixMilli() != ms {
			t.Fatalf("round trip of %d: %d, %v (%s)", ms, back.UnixMilli(), err, full.Format(time.UnixMilli(ms)))
		}
		_ = df.Format(time.UnixMilli(ms))
	})
}

func FuzzSimpleDate(f *testing.F) {
	f.Add("10/Oct/2000:13:55:36 -0700", "dd/MMM/yyyy:HH:mm:ss Z")
	f.Add("Wed, 4 Jul 2001 12:08:56 GMT+01:00", "EEE, d MMM yyyy HH:mm:ss z")
	f.Add("it's 01", "'it''s' yy")
	f.Fuzz(func(t *testing.T, in, pattern string) {
		_, _ = parseSimpleDate(in, pattern)
	})
}

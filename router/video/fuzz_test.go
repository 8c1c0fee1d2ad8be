package video

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzParseSeconds checks the producer-start-timestamp header and JSON
// timestamp parser: no panics, and what formatSeconds writes reads back.
func FuzzParseSeconds(f *testing.F) {
	for _, s := range []string{"1700000000", "1700000000.123", "1700000000.123456789123", "-1.5", ".5", "1.", "1.7E9", "1e400",
		"NaN", "", "-", ".", "99999999999999999999", "1700000000.12x", "+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := parseSeconds(s)
		if err != nil {
			return
		}
		back, err := parseSeconds(formatSeconds(ts))
		if err != nil {
			t.Fatalf("%q: formatted %q does not parse: %v", s, formatSeconds(ts), err)
		}
		if d := back.Sub(ts.Truncate(time.Millisecond)); d > time.Millisecond || d < -time.Millisecond {
			t.Fatalf("%q: %v read back as %v", s, ts, back)
		}
	})
}

// FuzzDataPlaneRequests decodes and checks GetMedia, ListFragments and
// GetMediaForFragmentList bodies: errors are AWS errors, never panics.
func FuzzDataPlaneRequests(f *testing.F) {
	for _, s := range []string{
		`{"StreamName":"a","StartSelector":{"StartSelectorType":"NOW"}}`,
		`{"StreamName":"a","StartSelector":{"StartSelectorType":"PRODUCER_TIMESTAMP","StartTimestamp":1.7e9}}`,
		`{"StreamName":"a","StartSelector":{"StartSelectorType":"SERVER_TIMESTAMP","StartTimestamp":"2024-01-01T00:00:00Z"}}`,
		`{"StreamName":"a","StartSelector":{"StartSelectorType":"CONTINUATION_TOKEN","ContinuationToken":"91343852333181432392682062607743920146264169192"}}`,
		`{"StreamName":"a","StartSelector":{}}`,
		`{"StreamName":"a","MaxResults":5,"NextToken":"czox","FragmentSelector":{"FragmentSelectorType":"SERVER_TIMESTAMP","TimestampRange":{"StartTimestamp":1,"EndTimestamp":2}}}`,
		`{"StreamName":"a","FragmentSelector":{"FragmentSelectorType":"SERVER_TIMESTAMP","TimestampRange":{}}}`,
		`{"StreamName":"a","Fragments":["1","2"]}`,
		`{"Fragments":[]}`,
		`{"StartSelector":null}`,
		`[]`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var g getMediaInput
		if decode(b, &g) == nil {
			_ = g.check()
		}
		var l listFragmentsInput
		if decode(b, &l) == nil {
			_ = l.check()
		}
		var fl fragmentListInput
		if decode(b, &fl) == nil {
			_ = fl.check()
		}
		var e epoch
		if json.Unmarshal(b, &e) == nil {
			_, _ = e.MarshalJSON()
		}
	})
}

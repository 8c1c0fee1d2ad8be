package playback

import (
	"context"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
)

func TestTimestamp(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		err  bool
	}{
		{`1700000000`, time.Unix(1700000000, 0), false},
		{`1700000000.123`, time.Unix(1700000000, 123e6), false},
		{`"2023-11-14T22:13:20.5Z"`, time.Unix(1700000000, 5e8), false},
		{`"1700000000.25"`, time.Unix(1700000000, 25e7), false},
		{`-1`, time.Time{}, true},
		{`"soon"`, time.Time{}, true},
		{`1e300`, time.Time{}, true},
	} {
		var ts timestamp
		err := ts.UnmarshalJSON([]byte(tc.in))
		if (err != nil) != tc.err || (!tc.err && !ts.Time.Equal(tc.want)) {
			t.Errorf("%s: %v %v, want %v (error %v)", tc.in, ts.Time, err, tc.want, tc.err)
		}
	}
}

// FuzzRequest: request bodies decode to a request or to an API error.
func FuzzRequest(f *testing.F) {
	for _, seed := range []string{``, `{}`, `{"StreamName":"a","PlaybackMode":"ON_DEMAND","HLSFragmentSelector":{"FragmentSelectorType":"PRODUCER_TIMESTAMP","TimestampRange":{"StartTimestamp":1.5,"EndTimestamp":"2024-01-01T00:00:00Z"}}}`,
		`{"ClipFragmentSelector":{"TimestampRange":{"StartTimestamp":null}}}`, `{"Expires":1e99}`, `[`, `{"DASHFragmentSelector":{"TimestampRange":{"EndTimestamp":"x"}}}`} {
		f.Add([]byte(seed))
	}
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, body []byte) {
		var h hlsRequest
		if e := decodeBody(body, &h); e == nil {
			var v awserr.Violations
			c := selectorEnums(&v, h.PlaybackMode, h.HLSFragmentSelector, "HLSFragmentSelector")
			if v.Err() == nil {
				_ = checkSelector(&c, h.HLSFragmentSelector, "HLSFragmentSelector", now)
			}
		}
		var d dashRequest
		_ = decodeBody(body, &d)
		var c clipRequest
		_ = decodeBody(body, &c)
	})
}

// TestClipLimits: a clip holds at most the first 200 fragments.
func TestClipLimits(t *testing.T) {
	e := newEnvs(t, 1)[0]
	ref := e.createStream("long", time.Hour)
	hs, cs := clusters(t, fixture)
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	for i := range clipMaxFragments + 5 {
		// Four 1 s clusters per pass of the fixture.
		e.appendCluster(ref.ID, hs[i%len(cs)], cs[i%len(cs)], base.Add(time.Duration(i/len(cs))*4*time.Second), 0, "s")
	}
	sess := &session{Stream: ref.ID, Mode: modeOnDemand, Kind: kindProducer, Start: base.UnixNano(), End: base.Add(time.Hour).UnixNano(), Max: clipMaxFragments}
	frags, err := e.svc.clipFragments(context.Background(), sess)
	if err != nil {
		t.Fatal(err)
	}
	if len(frags) != clipMaxFragments || frags[0].Seq != 1 {
		t.Errorf("%d fragments from %d, want the first %d", len(frags), frags[0].Seq, clipMaxFragments)
	}
}

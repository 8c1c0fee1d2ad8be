package playback

import (
	"context"
	"testing"
	"time"

	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/videostore"
)

// benchRequest stores the fixture's four fragments and returns a request
// of a live HLS session of container on them.
func benchRequest(b *testing.B, container, rawQuery string) (*Service, *router.Request) {
	e := newEnvs(b, 1)[0]
	ref := e.createStream("bench", time.Hour)
	hs, cs := clusters(b, fixture)
	base := time.Now().Add(-5 * time.Second).Truncate(time.Millisecond)
	for i := range cs {
		e.appendCluster(ref.ID, hs[i], cs[i], base, 0, "s")
	}
	now := time.Now()
	sess := &session{V: tokenV, Proto: protoHLS, Stream: ref.ID, Mode: modeLive, Kind: kindServer, Container: container,
		Disc: always, Max: 5, Created: now.UnixMilli(), Expires: now.Unix() + 3600}
	q := "SessionToken=" + e.svc.sign.encode(sess)
	if rawQuery != "" {
		q = rawQuery + "&" + q
	}
	return e.svc, &router.Request{Ctx: context.Background(), Method: "GET", RawQuery: q, Header: func(string) string { return "" }}
}

func benchGET(b *testing.B, svc *Service, r *router.Request, path string) {
	r.Path = path
	b.ReportAllocs()
	var n int
	for b.Loop() {
		resp := svc.serveHLS(r)
		if resp.Status != 200 {
			b.Fatalf("%s: %d %s", path, resp.Status, resp.Body)
		}
		n = len(resp.Body)
	}
	b.SetBytes(int64(n))
}

// BenchmarkMediaPlaylist: a live media playlist, built from the index on
// every request (what bounds live latency).
func BenchmarkMediaPlaylist(b *testing.B) {
	svc, r := benchRequest(b, containerFMP4, "")
	benchGET(b, svc, r, "/hls/v1/getHLSMediaPlaylist.m3u8")
}

// BenchmarkMP4MediaFragment: one stored fragment remuxed to moof+mdat.
func BenchmarkMP4MediaFragment(b *testing.B) {
	svc, r := benchRequest(b, containerFMP4, "FragmentNumber="+videostore.FormatNumber(2))
	benchGET(b, svc, r, "/hls/v1/getMP4MediaFragment.mp4")
}

// BenchmarkTSFragment: one stored fragment remuxed to MPEG-TS.
func BenchmarkTSFragment(b *testing.B) {
	svc, r := benchRequest(b, containerTS, "FragmentNumber="+videostore.FormatNumber(2))
	benchGET(b, svc, r, "/hls/v1/getTSFragment.ts")
}

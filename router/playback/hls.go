package playback

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/video"
	"github.com/kinesin/kinesin/router/videostore"
)

const (
	m3u8Type = "application/vnd.apple.mpegurl"
	// programDateTime is #EXT-X-PROGRAM-DATE-TIME's ISO 8601 form.
	programDateTime = "2006-01-02T15:04:05.000Z07:00"
)

// masterPlaylist answers GetHLSMasterPlaylist: one variant, the session's
// media playlist, with the codecs and resolution of the session's first
// fragment and a bandwidth estimated from the fragments on show.
func (s *Service) masterPlaylist(req *request) (*router.Response, error) {
	ctx := req.r.Ctx
	list, err := s.fragments(ctx, req.sess, s.now())
	if err != nil {
		return nil, storeErr(err)
	}
	if len(list.frags) == 0 {
		return nil, video.ErrResourceNotFound.New(liveNoFragmentMsg)
	}
	ref := list.frags[0]
	if req.sess.Mode == modeLive {
		ref = list.frags[len(list.frags)-1]
	}
	tracks, err := s.tracksOf(ctx, req.sess, ref)
	if err != nil {
		return nil, err
	}
	var codecs []string
	res := ""
	for _, t := range tracks {
		codecs = append(codecs, t.Codec)
		if t.Kind == "video" && res == "" && t.Width > 0 {
			res = fmt.Sprintf(",RESOLUTION=%dx%d", t.Width, t.Height)
		}
	}
	var b strings.Builder
	b.WriteString("#EXTM3U\n")
	fmt.Fprintf(&b, "#EXT-X-VERSION:%d\n", hlsVersion(req.sess))
	b.WriteString("#EXT-X-INDEPENDENT-SEGMENTS\n")
	fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d,CODECS=\"%s\"%s\n", bandwidth(req.sess, list.frags), strings.Join(codecs, ","), res)
	b.WriteString("getHLSMediaPlaylist.m3u8?SessionToken=" + req.token + "\n")
	return body(m3u8Type, []byte(b.String())), nil
}

func hlsVersion(sess *session) int {
	if sess.Container == containerTS {
		return 3
	}
	return 7 // EXT-X-MAP in a playlist without I-frames only needs 6; 7 is what fMP4 players expect
}

// bandwidth estimates the peak bits per second of frags.
func bandwidth(sess *session, frags []videostore.Fragment) int64 {
	var peak float64
	for i, d := range durations(sess, frags) {
		if bps := float64(frags[i].Size*8) / d.Seconds(); bps > peak {
			peak = bps
		}
	}
	if peak < 1000 {
		peak = 1000
	}
	return int64(math.Ceil(peak))
}

// mediaPlaylist answers GetHLSMediaPlaylist from the index as it is now.
func (s *Service) mediaPlaylist(req *request) (*router.Response, error) {
	list, err := s.fragments(req.r.Ctx, req.sess, s.now())
	if err != nil {
		return nil, storeErr(err)
	}
	if len(list.frags) == 0 {
		return nil, video.ErrResourceNotFound.New(liveNoFragmentMsg)
	}
	return body(m3u8Type, []byte(renderMediaPlaylist(req.sess, req.token, list))), nil
}

// renderMediaPlaylist writes the media playlist of list.
func renderMediaPlaylist(sess *session, token string, list fragmentList) string {
	frags := list.frags
	durs := durations(sess, frags)
	var target time.Duration
	for _, d := range durs {
		target = max(target, d)
	}
	var b strings.Builder
	b.WriteString("#EXTM3U\n")
	fmt.Fprintf(&b, "#EXT-X-VERSION:%d\n", hlsVersion(sess))
	fmt.Fprintf(&b, "#EXT-X-TARGETDURATION:%d\n", max(1, int(math.Ceil(target.Seconds()))))
	fmt.Fprintf(&b, "#EXT-X-MEDIA-SEQUENCE:%d\n", frags[0].Seq)
	if sess.Disc == always {
		// One discontinuity before every fragment but the first shown: the
		// fragment at seq s is in discontinuity sequence s, whatever the
		// window.
		fmt.Fprintf(&b, "#EXT-X-DISCONTINUITY-SEQUENCE:%d\n", frags[0].Seq)
	}
	if sess.Mode == modeOnDemand {
		b.WriteString("#EXT-X-PLAYLIST-TYPE:VOD\n")
	}
	b.WriteString("#EXT-X-INDEPENDENT-SEGMENTS\n")
	fmp4 := sess.Container != containerTS
	if fmp4 {
		b.WriteString("#EXT-X-MAP:URI=\"getMP4InitFragment.mp4?SessionToken=" + token + "\"\n")
	}
	for i, f := range frags {
		if i > 0 {
			switch sess.Disc {
			case always:
				b.WriteString("#EXT-X-DISCONTINUITY\n")
			case onDiscontinuity:
				if discontinuous(sess, frags[i-1], f) {
					b.WriteString("#EXT-X-DISCONTINUITY\n")
				}
			}
			if fmp4 && f.HeaderHash != frags[i-1].HeaderHash {
				// New codec private data: the init segment of this fragment.
				b.WriteString("#EXT-X-MAP:URI=\"getMP4InitFragment.mp4?FragmentNumber=" + f.Number + "&SessionToken=" + token + "\"\n")
			}
		}
		if sess.ShowTS {
			b.WriteString("#EXT-X-PROGRAM-DATE-TIME:" + sess.ts(f).UTC().Format(programDateTime) + "\n")
		}
		b.WriteString("#EXTINF:" + strconv.FormatFloat(durs[i].Seconds(), 'f', 3, 64) + ",\n")
		if fmp4 {
			b.WriteString("getMP4MediaFragment.mp4?FragmentNumber=" + f.Number + "&SessionToken=" + token + "\n")
		} else {
			b.WriteString("getTSFragment.ts?FragmentNumber=" + f.Number + "&SessionToken=" + token + "\n")
		}
	}
	if list.complete {
		b.WriteString("#EXT-X-ENDLIST\n")
	}
	return b.String()
}

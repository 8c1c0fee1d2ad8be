package playback

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/video"
)

const mpdType = "application/dash+xml"

// manifest answers GetDASHManifest: one AdaptationSet per track (the
// fragments are served per track with TrackNumber), each a SegmentTemplate
// whose SegmentTimeline has one S per fragment at the fragment's timestamp
// in milliseconds and whose $Number$ is the fragment's sequence number.
// LIVE is a dynamic MPD on a wall-clock timeline (availabilityStartTime is
// the Unix epoch); LIVE_REPLAY a dynamic one that starts at the session's
// creation; ON_DEMAND a static one.
func (s *Service) manifest(req *request) (*router.Response, error) {
	ctx := req.r.Ctx
	sess := req.sess
	now := s.now()
	list, err := s.fragments(ctx, sess, now)
	if err != nil {
		return nil, storeErr(err)
	}
	if len(list.frags) == 0 {
		return nil, video.ErrResourceNotFound.New(liveNoFragmentMsg)
	}
	ref := list.frags[0]
	if sess.Mode == modeLive {
		ref = list.frags[len(list.frags)-1]
	}
	tracks, err := s.tracksOf(ctx, sess, ref)
	if err != nil {
		return nil, err
	}
	frags := list.frags
	// $Number$ counts up from startNumber: stop at a hole in the sequence
	// numbers (a fragment left out for a producer clock that went back).
	for i := 1; i < len(frags); i++ {
		if frags[i].Seq != frags[i-1].Seq+1 {
			frags = frags[:i]
			break
		}
	}
	durs := durations(sess, frags)
	first := sess.mediaTime(frags[0]).UnixMilli()
	lastEnd := sess.mediaTime(frags[len(frags)-1]).Add(durs[len(durs)-1]).UnixMilli()
	var total, maxDur time.Duration
	for _, d := range durs {
		total += d
		maxDur = max(maxDur, d)
	}

	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:kvs="urn:aws:kinesisvideo:dash:2018" profiles="urn:mpeg:dash:profile:isoff-live:2011"`)
	pto := int64(0)
	switch sess.Mode {
	case modeOnDemand:
		pto = first
		fmt.Fprintf(&b, ` type="static" mediaPresentationDuration="%s"`, isoDuration(time.Duration(lastEnd-first)*time.Millisecond))
	case modeLive:
		fmt.Fprintf(&b, ` type="dynamic" availabilityStartTime="1970-01-01T00:00:00Z" publishTime="%s" minimumUpdatePeriod="PT1S" timeShiftBufferDepth="%s" suggestedPresentationDelay="%s"`,
			now.UTC().Format(time.RFC3339), isoDuration(total), isoDuration(min(total, 3*maxDur)))
	default: // LIVE_REPLAY: the replay starts when the session was created
		pto = sess.mediaTime(frags[0]).UnixMilli()
		if first := seqStart(sess, list); first != nil {
			pto = *first
		}
		fmt.Fprintf(&b, ` type="dynamic" availabilityStartTime="%s" publishTime="%s" minimumUpdatePeriod="PT1S" timeShiftBufferDepth="%s" suggestedPresentationDelay="%s"`,
			time.UnixMilli(sess.Created).UTC().Format("2006-01-02T15:04:05.000Z"), now.UTC().Format(time.RFC3339), isoDuration(total), isoDuration(min(total, 3*maxDur)))
	}
	fmt.Fprintf(&b, ` minBufferTime="%s">`+"\n", isoDuration(maxDur))
	b.WriteString(`  <Period id="0" start="PT0S">` + "\n")
	bw := bandwidth(sess, frags)
	for i, t := range tracks {
		q := "TrackNumber=" + strconv.FormatUint(t.Number, 10) + "&amp;"
		fmt.Fprintf(&b, `    <AdaptationSet id="%d" contentType="%s" mimeType="%s/mp4" segmentAlignment="true" startWithSAP="1">`+"\n", i+1, t.Kind, t.Kind)
		fmt.Fprintf(&b, `      <Representation id="%d" codecs="%s" bandwidth="%d"`, t.Number, t.Codec, bw)
		if t.Kind == "video" && t.Width > 0 {
			fmt.Fprintf(&b, ` width="%d" height="%d"`, t.Width, t.Height)
		}
		if t.Kind == "audio" && t.SampleRate > 0 {
			fmt.Fprintf(&b, ` audioSamplingRate="%d"`, t.SampleRate)
		}
		b.WriteString(">\n")
		if t.Kind == "audio" && t.Channels > 0 {
			fmt.Fprintf(&b, `        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="%d"/>`+"\n", t.Channels)
		}
		fmt.Fprintf(&b, `        <SegmentTemplate timescale="1000" presentationTimeOffset="%d" startNumber="%d" initialization="getMP4InitFragment.mp4?%sSessionToken=%s" media="getMP4MediaFragment.mp4?%sFragmentNumber=$Number$&amp;SessionToken=%s">`+"\n",
			pto, frags[0].Seq, q, req.token, q, req.token)
		b.WriteString("          <SegmentTimeline>\n")
		for j, f := range frags {
			fmt.Fprintf(&b, `            <S t="%d" d="%d"`, sess.mediaTime(f).UnixMilli(), durs[j].Milliseconds())
			if sess.ShowFN {
				fmt.Fprintf(&b, ` kvs:fn="%s"`, f.Number)
			}
			if sess.ShowTS {
				fmt.Fprintf(&b, ` kvs:ts="%d"`, sess.ts(f).UnixMilli())
			}
			b.WriteString("/>\n")
		}
		b.WriteString("          </SegmentTimeline>\n        </SegmentTemplate>\n      </Representation>\n    </AdaptationSet>\n")
	}
	b.WriteString("  </Period>\n</MPD>\n")
	return body(mpdType, []byte(b.String())), nil
}

// seqStart is the timestamp (ms) of a LIVE_REPLAY session's first
// fragment, which is where its timeline starts even once the window has
// moved past it: the session's StartTimestamp rounded up to a fragment.
func seqStart(sess *session, list fragmentList) *int64 {
	if sess.Start == 0 {
		return nil
	}
	ms := (sess.Start + 999_999) / 1_000_000
	if sess.Kind != kindProducer {
		// StartTimestamp is a server time; the timeline is the producer's.
		ms = sess.mediaTime(list.frags[0]).UnixMilli()
	}
	if f := sess.mediaTime(list.frags[0]).UnixMilli(); f < ms {
		ms = f
	}
	return &ms
}

// isoDuration renders d as an xs:duration in seconds with milliseconds.
func isoDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return "PT" + strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + "S"
}

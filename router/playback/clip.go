package playback

import (
	"bytes"
	"context"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/media"
	"github.com/kinesin/kinesin/internal/mp4"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/video"
	"github.com/kinesin/kinesin/router/videostore"
)

// getClip answers GetClip: a progressive MP4 of the fragments that start in
// the range, at most the first 200 fragments or 100 MB of them (as AWS
// documents the payload), up to the first change of track headers.
func (s *Service) getClip(r *router.Request) *router.Response {
	var in clipRequest
	if e := decodeBody(r.Body, &in); e != nil {
		return restError(e)
	}
	now := s.now()
	var v awserr.Violations
	sel := in.ClipFragmentSelector
	if v.Required(sel != nil, "clipFragmentSelector") {
		if v.Required(sel.FragmentSelectorType != nil, "clipFragmentSelector.fragmentSelectorType") {
			v.OneOf(sel.FragmentSelectorType, "clipFragmentSelector.fragmentSelectorType", kindProducer, kindServer)
		}
		if v.Required(sel.TimestampRange != nil, "clipFragmentSelector.timestampRange") {
			v.Required(sel.TimestampRange.StartTimestamp != nil && sel.TimestampRange.StartTimestamp.set, "clipFragmentSelector.timestampRange.startTimestamp")
			v.Required(sel.TimestampRange.EndTimestamp != nil && sel.TimestampRange.EndTimestamp.set, "clipFragmentSelector.timestampRange.endTimestamp")
		}
	}
	if e := v.Err(); e != nil {
		return restError(video.ErrInvalidArgument.New("%s", e.Message))
	}
	sess := &session{Mode: modeOnDemand, Kind: *sel.FragmentSelectorType, Max: clipMaxFragments}
	start, end := sel.TimestampRange.StartTimestamp.Time, sel.TimestampRange.EndTimestamp.Time
	if e := checkRange(sess.Kind, start, end, now); e != nil {
		return restError(e)
	}
	sess.Start, sess.End = start.UnixNano(), end.UnixNano()
	ref, err := s.streams.Resolve(r.Ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return s.fail(r, err)
	}
	if ref.Retention == 0 {
		return restError(video.ErrNoDataRetention.New("The stream %s has a data retention period of 0 hours: GetClip needs retained data.", ref.Name))
	}
	sess.Stream, sess.Name = ref.ID, ref.Name
	clip, err := s.clip(r.Ctx, sess)
	if err != nil {
		return s.fail(r, err)
	}
	return &router.Response{Status: 200, Body: clip, Header: map[string]string{"Content-Type": "video/mp4"}}
}

// clipFragments picks the fragments of a clip: those starting in the range,
// within the fragment and size limits, with the first one's track headers.
func (s *Service) clipFragments(ctx context.Context, sess *session) ([]videostore.Fragment, error) {
	from, err := s.store.Seek(ctx, sess.Stream, sess.storeKind(), sess.start())
	if err != nil {
		return nil, storeErr(err)
	}
	var frags []videostore.Fragment
	var size int64
	end := sess.end()
	err = s.store.Scan(ctx, sess.Stream, from, func(f videostore.Fragment) bool {
		if sess.ts(f).After(end) || len(frags) == clipMaxFragments || size+f.Size > clipMaxBytes && len(frags) > 0 {
			return false
		}
		if len(frags) > 0 && f.HeaderHash != frags[0].HeaderHash {
			return false
		}
		frags = append(frags, f)
		size += f.Size
		return true
	})
	if err != nil {
		return nil, storeErr(err)
	}
	if len(frags) == 0 {
		return nil, video.ErrResourceNotFound.New("No fragments found in the stream for the specified time range.")
	}
	return frags, nil
}

// clip renders the clip of sess as one MP4 whose time 0 is the first
// fragment's start.
func (s *Service) clip(ctx context.Context, sess *session) ([]byte, error) {
	frags, err := s.clipFragments(ctx, sess)
	if err != nil {
		return nil, err
	}
	base := time.Duration(sess.mediaTime(frags[0]).UnixNano())
	var tracks []media.Track
	var all [][]media.Sample
	for _, f := range frags {
		tr, samples, err := s.load(ctx, sess, f, base)
		if err != nil {
			return nil, err
		}
		if tracks == nil {
			tracks, all = tr, make([][]media.Sample, len(tr))
		}
		for i := range min(len(all), len(samples)) {
			all[i] = append(all[i], samples[i]...)
		}
	}
	// Start the decode timeline at 0: reordered video decodes before the
	// first frame's presentation time.
	var minDTS time.Duration
	for _, ss := range all {
		if len(ss) > 0 {
			minDTS = min(minDTS, ss[0].DTS)
		}
	}
	shift(all, -minDTS)
	var b bytes.Buffer
	if err := mp4.WriteFile(&b, tracks, all); err != nil {
		return nil, ErrInvalidMediaFrame.New("The clip cannot be packaged as MP4: %v", err)
	}
	return b.Bytes(), nil
}

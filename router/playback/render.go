package playback

import (
	"bytes"
	"context"
	"strconv"
	"time"

	"github.com/kinesin/kinesin/internal/media"
	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/internal/mp4"
	"github.com/kinesin/kinesin/internal/mpegts"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/video"
	"github.com/kinesin/kinesin/router/videostore"
)

// tracksOf reads the tracks of the stored fragment f.
func (s *Service) tracksOf(ctx context.Context, sess *session, f videostore.Fragment) ([]media.Track, error) {
	h, _, err := s.store.Read(ctx, sess.Stream, f)
	if err != nil {
		return nil, storeErr(err)
	}
	return mediaTracks(h)
}

// mediaTracks reads h's tracks, answering what cannot be played as the API
// does: no codec private data, codec private data that does not parse, or a
// codec HLS, DASH and MP4 do not carry.
func mediaTracks(h *mkv.Header) ([]media.Track, error) {
	tracks, err := media.Tracks(h)
	if err == nil {
		return tracks, nil
	}
	for _, t := range h.Tracks {
		switch t.CodecID {
		case media.CodecAVC, media.CodecHEVC, media.CodecAAC:
			if len(t.CodecPrivate) == 0 {
				return nil, ErrMissingCodecPrivate.New("Track %d (%s) has no codec private data.", t.Number, t.CodecID)
			}
		default:
			return nil, ErrUnsupportedMediaType.New("Track %d has codec %s: playback supports H.264 (%s), H.265 (%s) and AAC (%s).",
				t.Number, t.CodecID, media.CodecAVC, media.CodecHEVC, media.CodecAAC)
		}
	}
	return nil, ErrInvalidCodecPrivate.New("The stream's codec private data is not valid: %v", err)
}

// load reads f and converts it to samples placed in the session's media
// timeline, less base: the cluster's timecode is f's timestamp (as PutMedia
// derives producer timestamps from it), so every track keeps its offset to
// it and consecutive fragments continue one another.
func (s *Service) load(ctx context.Context, sess *session, f videostore.Fragment, base time.Duration) ([]media.Track, [][]media.Sample, error) {
	h, c, err := s.store.Read(ctx, sess.Stream, f)
	if err != nil {
		return nil, nil, storeErr(err)
	}
	tracks, err := mediaTracks(h)
	if err != nil {
		return nil, nil, err
	}
	samples := media.Samples(h, tracks, []*mkv.Cluster{c})
	scale := time.Duration(h.TimecodeScale)
	if scale == 0 {
		scale = mkv.DefaultTimecodeScale
	}
	shift(samples, time.Duration(sess.mediaTime(f).UnixNano())-base-time.Duration(c.Timecode)*scale)
	return tracks, samples, nil
}

func shift(samples [][]media.Sample, by time.Duration) {
	for _, ss := range samples {
		for i := range ss {
			ss[i].DTS += by
			ss[i].PTS += by
		}
	}
}

// pickTrack keeps only the track whose Matroska number is the request's
// TrackNumber (when given), as track 1 of the output.
func pickTrack(req *request, tracks []media.Track, samples [][]media.Sample) ([]media.Track, [][]media.Sample, error) {
	v := req.q.Get("TrackNumber")
	if v == "" {
		return tracks, samples, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return nil, nil, video.ErrInvalidArgument.New("TrackNumber %q is not valid.", v)
	}
	for i, t := range tracks {
		if t.Number == n {
			t.ID = 1
			out := []media.Track{t}
			if samples == nil {
				return out, nil, nil
			}
			return out, [][]media.Sample{samples[i]}, nil
		}
	}
	return nil, nil, video.ErrInvalidArgument.New("The stream has no track %d.", n)
}

// fragment finds the fragment a FragmentNumber parameter names: an AWS
// fragment number, or (as DASH's $Number$ template gives it) the
// fragment's sequence number in the stream.
func (s *Service) fragment(ctx context.Context, sess *session, number string) (videostore.Fragment, error) {
	if number == "" {
		return videostore.Fragment{}, video.ErrInvalidArgument.New("FragmentNumber is required.")
	}
	var f videostore.Fragment
	var err error
	if _, ok := videostore.ParseNumber(number); ok {
		f, err = s.store.Get(ctx, sess.Stream, number)
	} else if seq, perr := strconv.ParseUint(number, 10, 64); perr == nil && seq > 0 {
		f, err = s.store.At(ctx, sess.Stream, seq)
	} else {
		return f, video.ErrInvalidArgument.New("FragmentNumber %q is not valid.", number)
	}
	if err != nil {
		return f, storeErr(err)
	}
	if !sess.contains(f) {
		return f, video.ErrResourceNotFound.New("Fragment %s is not part of this streaming session.", f.Number)
	}
	return f, nil
}

// initFragment answers GetMP4InitFragment: ftyp+moov for the tracks of the
// fragment named by FragmentNumber (kinesin's addition, used after a codec
// change) or else of the session's first fragment (the newest for LIVE).
func (s *Service) initFragment(req *request) (*router.Response, error) {
	ctx := req.r.Ctx
	var f videostore.Fragment
	if n := req.q.Get("FragmentNumber"); n != "" {
		var err error
		if f, err = s.fragment(ctx, req.sess, n); err != nil {
			return nil, err
		}
	} else {
		list, err := s.fragments(ctx, req.sess, s.now())
		if err != nil {
			return nil, storeErr(err)
		}
		if len(list.frags) == 0 {
			return nil, video.ErrResourceNotFound.New(liveNoFragmentMsg)
		}
		f = list.frags[0]
	}
	tracks, err := s.tracksOf(ctx, req.sess, f)
	if err != nil {
		return nil, err
	}
	if tracks, _, err = pickTrack(req, tracks, nil); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := mp4.WriteInit(&b, tracks); err != nil {
		return nil, ErrInvalidCodecPrivate.New("The stream's codec private data cannot be packaged: %v", err)
	}
	return body("video/mp4", b.Bytes()), nil
}

// mediaFragment answers GetMP4MediaFragment (moof+mdat) and GetTSFragment.
func (s *Service) mediaFragment(req *request, ts bool) (*router.Response, error) {
	ctx := req.r.Ctx
	f, err := s.fragment(ctx, req.sess, req.q.Get("FragmentNumber"))
	if err != nil {
		return nil, err
	}
	tracks, samples, err := s.load(ctx, req.sess, f, 0)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if ts {
		if err := mpegts.WriteSegment(&b, tracks, samples); err != nil {
			return nil, ErrInvalidMediaFrame.New("Fragment %s cannot be packaged as MPEG-TS: %v", f.Number, err)
		}
		return body("video/mp2t", b.Bytes()), nil
	}
	if tracks, samples, err = pickTrack(req, tracks, samples); err != nil {
		return nil, err
	}
	if err := mp4.WriteFragment(&b, uint32(f.Seq), tracks, samples); err != nil {
		return nil, ErrInvalidMediaFrame.New("Fragment %s cannot be packaged as MP4: %v", f.Number, err)
	}
	return body("video/mp4", b.Bytes()), nil
}

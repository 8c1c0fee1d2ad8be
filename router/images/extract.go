package images

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/router/videostore"
)

// sample is one sampling time and what was found for it: an image, an
// Error (NO_MEDIA, MEDIA_ERROR), or nothing yet (NO_MEDIA).
type sample struct {
	t     time.Time
	image []byte
	err   string

	frag *loaded // fragment holding the chosen frame
	ms   int64   // the chosen frame's time, ms after frag's timestamp
}

// maxBackfill is how many fragments before one that does not start with a
// keyframe are fed to the decoder to reach a keyframe.
const maxBackfill = 3

// loaded is a fragment read back from the store, reduced to its video.
type loaded struct {
	f     videostore.Fragment
	ts    time.Time   // the fragment's timestamp of the selector's kind
	hdr   *mkv.Header // only the video track, 1 ms timecodes
	c     *mkv.Cluster
	ms    []int64 // video frame times, ms after ts, in presentation order
	end   int64   // ms after ts where the fragment's media ends
	video bool
}

func tsOf(f videostore.Fragment, server bool) time.Time {
	if !server && !f.ProducerTimestamp.IsZero() {
		return f.ProducerTimestamp
	}
	return f.ServerTimestamp
}

// extract fills in samples (all in one page, in time order) from the
// stream's stored fragments.
func (s *Service) extract(ctx context.Context, ffmpeg, id string, req *request, samples []sample) error {
	if len(samples) == 0 {
		return nil
	}
	kind := videostore.ProducerTime
	if req.server {
		kind = videostore.ServerTime
	}
	first, last, err := s.store.Bounds(ctx, id)
	if err != nil {
		return fmt.Errorf("images: bounds of %s: %w", id, err)
	}
	if last == 0 || last < first {
		return nil
	}
	seq, err := s.store.Seek(ctx, id, kind, samples[0].t)
	if err != nil {
		return fmt.Errorf("images: seek in %s: %w", id, err)
	}
	// The fragment holding the first sampling time starts before it, and
	// the decoder may need a few before that to reach a keyframe.
	from := first
	if seq > first+maxBackfill+1 {
		from = seq - maxBackfill - 1
	}
	end := samples[len(samples)-1].t
	var frags []videostore.Fragment
	err = s.store.Scan(ctx, id, from, func(f videostore.Fragment) bool {
		if tsOf(f, req.server).After(end) {
			return false
		}
		frags = append(frags, f)
		return true
	})
	if err != nil {
		return fmt.Errorf("images: scan of %s: %w", id, err)
	}

	cache := map[uint64]*loaded{}
	load := func(f videostore.Fragment) (*loaded, error) {
		if l, ok := cache[f.Seq]; ok {
			return l, nil
		}
		h, c, err := s.store.Read(ctx, id, f)
		if err != nil {
			return nil, fmt.Errorf("images: read fragment %s of %s: %w", f.Number, id, err)
		}
		l := reduce(f, tsOf(f, req.server), h, c)
		cache[f.Seq] = l
		return l, nil
	}
	feed := map[uint64]*loaded{}
	for i := range samples {
		sm := &samples[i]
		j := -1
		for k, f := range frags {
			if !tsOf(f, req.server).After(sm.t) {
				j = k
			}
		}
		if j < 0 {
			continue // before the media: NO_MEDIA
		}
		f := frags[j]
		ts := tsOf(f, req.server)
		if sm.t.Sub(ts) > f.Duration+time.Second {
			continue // in a gap after the fragment
		}
		l, err := load(f)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, videostore.ErrStreamNotFound) || errors.Is(err, videostore.ErrDeleted) {
				return err
			}
			s.log.Warn("images: fragment unreadable", "stream", id, "fragment", f.Number, "err", err)
			sm.err = errMediaError
			continue
		}
		if !l.video {
			sm.err = errMediaError
			continue
		}
		rel := sm.t.Sub(ts).Milliseconds()
		if rel >= l.end {
			continue
		}
		n := -1
		for k, ms := range l.ms {
			if ms <= rel {
				n = k
			}
		}
		if n < 0 {
			continue
		}
		sm.frag, sm.ms = l, l.ms[n]
		feed[f.Seq] = l
		// Reach back to a keyframe for a fragment that does not start
		// with one.
		for k, cur := j, l; !cur.f.Keyframe && k > 0 && j-k < maxBackfill; k-- {
			p := frags[k-1]
			if p.HeaderHash != f.HeaderHash {
				break
			}
			pl, err := load(p)
			if err != nil || !pl.video {
				break
			}
			feed[p.Seq] = pl
			cur = pl
		}
	}
	if len(feed) == 0 {
		return nil
	}

	// Fragments are decoded in stream order, one ffmpeg per run of
	// fragments that share their tracks and whose timestamps do not go
	// backwards.
	order := make([]*loaded, 0, len(feed))
	for _, l := range feed {
		order = append(order, l)
	}
	slices.SortFunc(order, func(a, b *loaded) int {
		switch {
		case a.f.Seq < b.f.Seq:
			return -1
		case a.f.Seq > b.f.Seq:
			return 1
		}
		return 0
	})
	for len(order) > 0 {
		n := 1
		for n < len(order) && order[n].f.HeaderHash == order[0].f.HeaderHash &&
			!order[n].ts.Before(order[n-1].ts) {
			n++
		}
		if err := s.decodeRun(ctx, ffmpeg, req, order[:n], samples); err != nil {
			return err
		}
		order = order[n:]
	}
	return nil
}

// decodeRun decodes one run of fragments and fills in the samples whose
// frames it holds. Media ffmpeg cannot decode becomes MEDIA_ERROR; only a
// cancelled request or a failure to start ffmpeg is an error.
func (s *Service) decodeRun(ctx context.Context, ffmpeg string, req *request, run []*loaded, samples []sample) error {
	base := run[0].ts
	in := map[*loaded]int64{} // fragment → its offset (ms) in the run
	clusters := make([]*mkv.Cluster, 0, len(run))
	for _, l := range run {
		off := l.ts.Sub(base).Milliseconds()
		in[l] = off
		c := *l.c
		c.Timecode = uint64(off)
		clusters = append(clusters, &c)
	}
	var want []int64
	for _, sm := range samples {
		if off, ok := in[sm.frag]; ok {
			want = append(want, off+sm.ms)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	if len(want) == 0 {
		return nil
	}
	got, err := s.ffmpegRun(ctx, ffmpeg, req, run[0].hdr, clusters, want)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var se *startError
		if errors.As(err, &se) {
			return err
		}
		s.log.Warn("images: ffmpeg could not decode the media", "fragment", run[0].f.Number, "err", err)
	}
	for i := range samples {
		sm := &samples[i]
		off, ok := in[sm.frag]
		if !ok {
			continue
		}
		if img, ok := got[off+sm.ms]; ok {
			sm.image = img
		} else {
			sm.err = errMediaError
		}
	}
	return nil
}

// reduce keeps the first video track of a fragment, with frame times in
// milliseconds, which is what the ffmpeg input is written in.
func reduce(f videostore.Fragment, ts time.Time, h *mkv.Header, c *mkv.Cluster) *loaded {
	l := &loaded{f: f, ts: ts}
	var tr *mkv.Track
	for i := range h.Tracks {
		if h.Tracks[i].Type == mkv.TrackTypeVideo {
			tr = &h.Tracks[i]
			break
		}
	}
	if tr == nil {
		return l
	}
	scale := h.TimecodeScale
	if scale == 0 {
		scale = mkv.DefaultTimecodeScale
	}
	toMs := func(units int64) int64 { return units * int64(scale) / int64(time.Millisecond) }
	out := &mkv.Cluster{}
	for _, fr := range c.Frames {
		if fr.Track != tr.Number {
			continue
		}
		ms := toMs(int64(fr.Timecode))
		if ms < -32768 || ms > 32767 {
			continue
		}
		nf := fr
		nf.Timecode = int16(ms)
		nf.Duration = uint64(toMs(int64(fr.Duration)))
		out.Frames = append(out.Frames, nf)
		l.ms = append(l.ms, ms)
	}
	if len(out.Frames) == 0 {
		return l
	}
	slices.Sort(l.ms)
	// The last frame lasts its DefaultDuration, else the mean spacing of
	// the frames.
	lastMs := l.ms[len(l.ms)-1]
	var dur int64
	switch {
	case tr.DefaultDuration > 0:
		dur = int64(tr.DefaultDuration) / int64(time.Millisecond)
	case len(l.ms) > 1:
		dur = (lastMs - l.ms[0]) / int64(len(l.ms)-1)
	}
	l.end = lastMs + max(dur, 1)
	t := *tr
	l.hdr = &mkv.Header{DocType: "matroska", TimecodeScale: mkv.DefaultTimecodeScale, MuxingApp: "kinesin", WritingApp: "kinesin", Tracks: []mkv.Track{t}}
	l.c = out
	l.video = true
	return l
}

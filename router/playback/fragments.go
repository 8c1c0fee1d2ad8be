package playback

import (
	"context"
	"time"

	"github.com/kinesin/kinesin/router/videostore"
)

// fragmentList is the part of a session a playlist or manifest shows.
type fragmentList struct {
	frags []videostore.Fragment
	// complete: no fragment will be added (ON_DEMAND, or a LIVE_REPLAY
	// that reached its EndTimestamp).
	complete bool
}

func (sess *session) storeKind() videostore.TimestampKind {
	if sess.Kind == kindProducer {
		return videostore.ProducerTime
	}
	return videostore.ServerTime
}

// ts is the timestamp of f that the session's selector uses.
func (sess *session) ts(f videostore.Fragment) time.Time {
	if sess.Kind == kindProducer && !f.ProducerTimestamp.IsZero() {
		return f.ProducerTimestamp
	}
	return f.ServerTimestamp
}

// mediaTime places f on the session's media timeline: the producer
// timestamp, the clock the media itself was recorded with, whichever
// selector chose the fragments (server timestamps are arrival times, and
// an encoder's buffering makes consecutive fragments arrive closer
// together than they play, so laying media out by them overlaps it). The
// server timestamp stands in only when the producer gave none.
func (sess *session) mediaTime(f videostore.Fragment) time.Time {
	if !f.ProducerTimestamp.IsZero() {
		return f.ProducerTimestamp
	}
	return f.ServerTimestamp
}

func (sess *session) start() time.Time { return time.Unix(0, sess.Start) }
func (sess *session) end() time.Time {
	if sess.End == 0 {
		return time.Time{}
	}
	return time.Unix(0, sess.End)
}

// contains says whether f lies in the session's timestamp range.
func (sess *session) contains(f videostore.Fragment) bool {
	if sess.Mode == modeLive {
		return true
	}
	t := sess.ts(f)
	if t.Before(sess.start()) {
		return false
	}
	return sess.End == 0 || !t.After(sess.end())
}

// fragments returns the fragments a playlist or manifest of sess shows at
// now, read from the index on every call so that a stored fragment shows
// up at once:
//   - LIVE: the newest Max fragments;
//   - ON_DEMAND: the first Max fragments of the range;
//   - LIVE_REPLAY: from StartTimestamp on, each fragment added once the
//     fragments before it have had the time to play since the session was
//     created, up to EndTimestamp; the newest Max of those.
func (s *Service) fragments(ctx context.Context, sess *session, now time.Time) (fragmentList, error) {
	var out fragmentList
	switch sess.Mode {
	case modeLive:
		first, last, err := s.store.Bounds(ctx, sess.Stream)
		if err != nil || last == 0 {
			return out, err
		}
		from := first
		if last >= uint64(sess.Max) && last-uint64(sess.Max)+1 > first {
			from = last - uint64(sess.Max) + 1
		}
		err = s.store.Scan(ctx, sess.Stream, from, func(f videostore.Fragment) bool {
			out.frags = append(out.frags, f)
			return len(out.frags) < sess.Max
		})
		return out, err
	case modeOnDemand:
		from, err := s.store.Seek(ctx, sess.Stream, sess.storeKind(), sess.start())
		if err != nil {
			return out, err
		}
		end := sess.end()
		out.complete = true
		err = s.store.Scan(ctx, sess.Stream, from, func(f videostore.Fragment) bool {
			if sess.ts(f).After(end) {
				return false
			}
			if sess.ts(f).Before(sess.start()) { // a producer clock that went back
				return true
			}
			out.frags = append(out.frags, f)
			return len(out.frags) < sess.Max
		})
		return out, err
	default: // LIVE_REPLAY
		from, err := s.store.Seek(ctx, sess.Stream, sess.storeKind(), sess.start())
		if err != nil {
			return out, err
		}
		end := sess.end()
		elapsed := now.Sub(time.UnixMilli(sess.Created))
		var played time.Duration
		err = s.store.Scan(ctx, sess.Stream, from, func(f videostore.Fragment) bool {
			if !end.IsZero() && sess.ts(f).After(end) {
				out.complete = true
				return false
			}
			if played > elapsed {
				return false
			}
			if sess.ts(f).Before(sess.start()) {
				return true
			}
			out.frags = append(out.frags, f)
			if len(out.frags) > sess.Max {
				out.frags = out.frags[1:]
			}
			played += f.Duration
			return true
		})
		return out, err
	}
}

// durations returns how long each fragment plays: up to the next
// fragment's start when that follows closely (a fragment's own Duration
// ends at its last frame's start), else its Duration plus the slack seen
// between the fragments before it.
func durations(sess *session, frags []videostore.Fragment) []time.Duration {
	out := make([]time.Duration, len(frags))
	var slack time.Duration
	for i, f := range frags {
		d := f.Duration
		if i+1 < len(frags) {
			if n := sess.mediaTime(frags[i+1]).Sub(sess.mediaTime(f)); n >= d && n <= d+maxSlack(d) {
				slack = n - d
				d = n
			}
		} else {
			d += slack
		}
		if d <= 0 {
			d = time.Millisecond
		}
		out[i] = d
	}
	return out
}

// maxSlack is how far after a fragment's Duration the next one may start
// and still count as contiguous: one frame at the lowest usual frame rates.
func maxSlack(d time.Duration) time.Duration { return discontinuityGap + d/10 }

// discontinuous says whether b does not continue a in the media timeline:
// another PutMedia session, other track headers, or a gap or overlap of
// more than 50 ms (beyond the last frame's duration that a fragment's
// Duration leaves out).
func discontinuous(sess *session, a, b videostore.Fragment) bool {
	if a.Session != b.Session || a.HeaderHash != b.HeaderHash {
		return true
	}
	diff := sess.mediaTime(b).Sub(sess.mediaTime(a).Add(a.Duration))
	return diff < -discontinuityGap || diff > maxSlack(a.Duration)
}

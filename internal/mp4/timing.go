package mp4

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kinesin/kinesin/internal/media"
)

// trackTimes holds one track's samples in its timescale. Its slices are
// reused between calls (see state).
type trackTimes struct {
	dts     []int64  // decode time, ticks
	dur     []uint32 // duration, ticks
	cto     []int32  // composition offset (PTS - DTS), ticks
	scratch []uint32
	anyCTO  bool // some composition offset is not zero
	negCTO  bool // some composition offset is negative
}

// ticks converts d to units of 1/scale s, rounded to the nearest, without
// overflowing for times since the Unix epoch.
func ticks(d time.Duration, scale uint32) int64 {
	s, r := int64(d)/1e9, int64(d)%1e9
	if r < 0 {
		s, r = s-1, r+1e9
	}
	return s*int64(scale) + (r*int64(scale)+5e8)/1e9
}

// rescale converts x ticks of scale from to ticks of scale to, rounded.
func rescale(x int64, from, to uint32) int64 {
	if from == to {
		return x
	}
	q, r := x/int64(from), x%int64(from)
	if r < 0 {
		q, r = q-1, r+int64(from)
	}
	return q*int64(to) + (r*int64(to)+int64(from)/2)/int64(from)
}

// compute fills tt from t's samples ss.
func (tt *trackTimes) compute(t *media.Track, ss []media.Sample) error {
	n := len(ss)
	tt.dts = slices.Grow(tt.dts[:0], n)[:n]
	tt.dur = slices.Grow(tt.dur[:0], n)[:n]
	tt.cto = slices.Grow(tt.cto[:0], n)[:n]
	tt.anyCTO, tt.negCTO = false, false
	if n == 0 {
		return nil
	}
	scale := t.Timescale
	for i := range ss {
		d := ticks(ss[i].DTS, scale)
		c := ticks(ss[i].PTS, scale) - d
		if c < math.MinInt32 || c > math.MaxInt32 {
			return fmt.Errorf("mp4: track %d: sample %d: presentation time %v too far from decode time %v", t.ID, i, ss[i].PTS, ss[i].DTS)
		}
		tt.dts[i], tt.cto[i] = d, int32(c)
		if c != 0 {
			tt.anyCTO = true
			if c < 0 {
				tt.negCTO = true
			}
		}
	}
	for i := range n - 1 {
		d := tt.dts[i+1] - tt.dts[i]
		if d < 0 {
			return fmt.Errorf("mp4: track %d: sample %d: decode time %v before the previous one", t.ID, i+1, ss[i+1].DTS)
		}
		if d > math.MaxUint32 {
			return fmt.Errorf("mp4: track %d: sample %d: duration too long", t.ID, i)
		}
		tt.dur[i] = uint32(d)
	}
	switch last := ticks(ss[n-1].Duration, scale); {
	case n > 1:
		tt.scratch = append(tt.scratch[:0], tt.dur[:n-1]...)
		slices.Sort(tt.scratch)
		tt.dur[n-1] = tt.scratch[(n-2)/2]
	case last > 0 && last <= math.MaxUint32:
		tt.dur[n-1] = uint32(last)
	case t.Kind == "video":
		tt.dur[n-1] = scale / 30
	}
	if t.CodecID == media.CodecAAC {
		tt.snapAAC(t)
	}
	return nil
}

// snapAAC gives every sample of an AAC track exactly one frame's duration
// (1024 samples) when the decode times follow that cadence up to the
// rounding of millisecond timecodes: durations derived from rounded
// timecodes would jitter by up to a millisecond from frame to frame.
func (tt *trackTimes) snapAAC(t *media.Track) {
	frame := int64(1024)
	if t.SampleRate > 0 && uint32(t.SampleRate) != t.Timescale {
		frame = (1024*int64(t.Timescale) + int64(t.SampleRate)/2) / int64(t.SampleRate)
	}
	tol := int64(t.Timescale)/1000 + 1
	for i, d := range tt.dts {
		off := d - tt.dts[0] - int64(i)*frame
		if off < -tol || off > tol {
			return
		}
	}
	for i := range tt.dur {
		tt.dur[i] = uint32(frame)
	}
}

package window

import (
	"encoding/binary"
	"math"
)

// Watermark follows event time: Observe raises the maximum time seen; the
// watermark is that maximum minus Delay (math.MinInt64 before any row);
// a row is late when its time is before the watermark minus Lateness.
type Watermark struct {
	Delay, Lateness int64
	max             int64
	seen            bool
}

// Observe notes a row's time.
func (w *Watermark) Observe(t int64) {
	if !w.seen || t > w.max {
		w.max, w.seen = t, true
	}
}

// Max answers the largest time observed; ok is false before any.
func (w *Watermark) Max() (t int64, ok bool) { return w.max, w.seen }

// Current answers the watermark.
func (w *Watermark) Current() int64 {
	if !w.seen {
		return math.MinInt64
	}
	return subSat(w.max, w.Delay)
}

// Late reports whether a row at t is late: t < Current() - Lateness.
func (w *Watermark) Late(t int64) bool {
	return t < subSat(w.Current(), w.Lateness)
}

// subSat answers a-b, saturating at the int64 bounds.
func subSat(a, b int64) int64 {
	d := a - b
	if (b > 0 && d > a) || (b < 0 && d < a) {
		if b > 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	return d
}

// AppendState appends the maximum time seen to b (Delay and Lateness are
// configuration, not state).
func (w *Watermark) AppendState(b []byte) []byte {
	b = appendHeader(b, stateWater)
	if !w.seen {
		return append(b, 0)
	}
	b = append(b, 1)
	return binary.AppendVarint(b, w.max)
}

// ReadState restores the state at the front of b and answers the rest.
func (w *Watermark) ReadState(b []byte) ([]byte, error) {
	r := &reader{b: b}
	r.header(stateWater)
	var seen bool
	var m int64
	if r.err == nil {
		if len(r.b) == 0 {
			r.fail("truncated")
		} else {
			seen = r.b[0] == 1
			if r.b[0] > 1 {
				r.fail("bad flag")
			}
			r.b = r.b[1:]
			if seen {
				m = r.varint()
			}
		}
	}
	rest, err := r.done()
	if err != nil {
		return nil, err
	}
	w.seen, w.max = seen, m
	return rest, nil
}

package runner

import (
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/triggers/reader"
)

// windowed runs records through a tumbling-window mapping: each record
// belongs to the window its arrival time falls in (windows are aligned on
// multiples of their length since the Unix epoch); a record of a later
// window first closes the open one with a final call. A record arriving
// late, for a window already closed, joins the open one.
func (w *worker) windowed(recs []engine.Record) error {
	size := time.Duration(w.m.TumblingWindowInSeconds) * w.r.cfg.TimeUnit
	for len(recs) > 0 {
		start := windowStart(recs[0].ArrivalTime, size)
		if w.window != nil && start.Before(w.window.Start) {
			start = w.window.Start
		}
		n := 1
		for n < len(recs) && !windowStart(recs[n].ArrivalTime, size).After(start) {
			n++
		}
		if w.window != nil && start.After(w.window.Start) {
			if err := w.closeWindow(false); err != nil {
				return err
			}
		}
		if w.window == nil {
			w.window = &reader.WindowState{Start: start, End: start.Add(size)}
		}
		if err := w.inWindow(recs[:n]); err != nil {
			return err
		}
		recs = recs[n:]
	}
	return nil
}

func windowStart(t time.Time, size time.Duration) time.Time {
	ns := t.UnixNano()
	return time.Unix(0, ns-ns%int64(size))
}

// inWindow runs records of the open window, carrying the state from call
// to call. A state past 1 MB terminates the window early: a final call
// gets it (isWindowTerminatedEarly) and the window goes on with a fresh
// state.
func (w *worker) inWindow(recs []engine.Record) error {
	size := max(w.m.BatchSize, 1)
	for len(recs) > 0 {
		n := min(size, len(recs))
		win := &windowCall{window: engine.Window{Start: w.window.Start, End: w.window.End}, state: w.window.State}
		if err := w.chunks(recs[:n], win); err != nil {
			return err
		}
		w.window.State = win.state
		if len(win.state) > maxWindowState {
			if err := w.closeWindow(true); err != nil {
				return err
			}
			w.window = &reader.WindowState{Start: win.window.Start, End: win.window.End}
		}
		recs = recs[n:]
	}
	return nil
}

// closeWindow makes the final call of the open window with its state, and
// forgets the window.
func (w *worker) closeWindow(early bool) error {
	win := &windowCall{
		window: engine.Window{Start: w.window.Start, End: w.window.End},
		state:  w.window.State, final: true, early: early,
	}
	if err := w.process(nil, win); err != nil {
		return err
	}
	w.window = nil
	return nil
}

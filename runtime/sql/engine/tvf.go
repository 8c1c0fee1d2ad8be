package engine

import (
	"errors"
	"fmt"
	"math"

	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/parser"
	"github.com/kinesin/kinesin/runtime/sql/window"
)

// tvf is a Flink-style window table function over a table:
// TUMBLE(TABLE t, DESCRIPTOR(col), size [, offset]),
// HOP(TABLE t, DESCRIPTOR(col), slide, size [, offset]),
// SESSION(TABLE t [PARTITION BY k], DESCRIPTOR(col), gap),
// plus kinesin's named arguments DELAY => interval (the watermark's delay
// behind the largest event time seen), LATENESS => interval (how late a
// row may still be) and IDLE => interval (after that much processing time
// without rows, the watermark follows the processing clock of Advance). Its rows are the table's columns followed by
// WINDOW_START, WINDOW_END and WINDOW_TIME.
type tvf struct {
	kind            string
	qual            string
	tcol            int // the time column; 0 is ROWTIME (processing time)
	eventTime       bool
	size, slide     int64
	offset, gap     int64
	delay, lateness int64
	idle            int64 // 0: the watermark moves only with rows
	nbase           int
}

func isWindowTVF(tf *parser.TableFunction) bool {
	switch tf.Call.Name.Name {
	case "TUMBLE", "HOP", "SESSION":
		return true
	}
	return false
}

func (pl *planner) planWindowTVF(tf *parser.TableFunction) (*source, error) {
	call := tf.Call
	kind := call.Name.Name
	named := map[string]parser.Expr{}
	var pos []parser.Expr
	for _, a := range call.Args {
		if na, ok := a.(*parser.NamedArg); ok {
			named[na.Name.Name] = na.Value
			continue
		}
		pos = append(pos, a)
	}
	arg := func(i int, name string) parser.Expr {
		if e, ok := named[name]; ok {
			return e
		}
		if i >= 0 && i < len(pos) {
			return pos[i]
		}
		return nil
	}
	data, _ := arg(0, "DATA").(*parser.TableArg)
	if data == nil {
		return nil, errAt(call, "%s needs a table: %s(TABLE s, DESCRIPTOR(col), ...)", kind, kind)
	}
	desc, _ := arg(1, "TIMECOL").(*parser.DescriptorExpr)
	if desc == nil || len(desc.Cols) != 1 {
		return nil, errAt(call, "%s needs the time column: DESCRIPTOR(col)", kind)
	}
	var base *source
	var err error
	if data.Query != nil {
		cols, out, err := pl.planQuery(data.Query)
		if err != nil {
			return nil, err
		}
		base, err = derivedSource(cols, out, "", nil, data)
		if err != nil {
			return nil, err
		}
	} else {
		base, err = pl.planFrom(&parser.TableRef{Pos: data.Pos, Name: data.Name})
		if err != nil {
			return nil, err
		}
	}
	if base.ref != nil || base.tvf != nil {
		return nil, errAt(data, "%s needs a stream", kind)
	}
	tv := &tvf{kind: kind, nbase: len(base.cols)}
	if tf.Alias != nil {
		tv.qual = tf.Alias.Name
	}
	tv.tcol = -1
	for i, c := range base.cols {
		if c.Name == desc.Cols[0].Name || (tv.tcol < 0 && equalFold(c.Name, desc.Cols[0].Name)) {
			tv.tcol = i
		}
	}
	if tv.tcol < 0 {
		return nil, errAt(desc, "the table has no column %s", desc.Cols[0].Name)
	}
	if base.cols[tv.tcol].Type.Kind != eval.Timestamp {
		return nil, errAt(desc, "the time column %s must be a TIMESTAMP, not %s", desc.Cols[0].Name, base.cols[tv.tcol].Type)
	}
	tv.eventTime = tv.tcol != 0
	ms := func(e parser.Expr, what string) (int64, error) {
		if e == nil {
			return 0, errAt(call, "%s needs %s", kind, what)
		}
		return intervalMillis(e, what)
	}
	switch kind {
	case "TUMBLE":
		if tv.size, err = ms(arg(2, "SIZE"), "the window size"); err != nil {
			return nil, err
		}
		tv.slide = tv.size
		if e := arg(3, "OFFSET"); e != nil {
			v := constValue(e)
			if v == nil || v.Kind != eval.IntervalDayTime {
				return nil, errAt(e, "the offset must be a constant interval")
			}
			tv.offset = v.I
		}
	case "HOP":
		if tv.slide, err = ms(arg(2, "SLIDE"), "the slide"); err != nil {
			return nil, err
		}
		if tv.size, err = ms(arg(3, "SIZE"), "the window size"); err != nil {
			return nil, err
		}
		if e := arg(4, "OFFSET"); e != nil {
			v := constValue(e)
			if v == nil || v.Kind != eval.IntervalDayTime {
				return nil, errAt(e, "the offset must be a constant interval")
			}
			tv.offset = v.I
		}
	case "SESSION":
		if tv.gap, err = ms(arg(2, "GAP"), "the session gap"); err != nil {
			return nil, err
		}
	}
	for _, n := range []string{"DELAY", "LATENESS", "IDLE"} {
		e, ok := named[n]
		if !ok {
			continue
		}
		if !tv.eventTime {
			return nil, errAt(e, "%s applies to event time (a DESCRIPTOR column other than ROWTIME)", n)
		}
		v := constValue(e)
		if v == nil || v.Kind != eval.IntervalDayTime || v.I < 0 {
			return nil, errAt(e, "%s must be a constant interval >= 0", n)
		}
		switch n {
		case "DELAY":
			tv.delay = v.I
		case "LATENESS":
			tv.lateness = v.I
		default:
			if v.I <= 0 {
				return nil, errAt(e, "IDLE must be a constant interval > 0")
			}
			tv.idle = v.I
		}
	}
	for name := range named {
		switch name {
		case "DATA", "TIMECOL", "SIZE", "SLIDE", "OFFSET", "GAP", "DELAY", "LATENESS", "IDLE":
		default:
			return nil, errAt(named[name], "%s has no argument %s", kind, name)
		}
	}
	cols := append([]eval.Column(nil), base.cols...)
	for _, n := range windowColNames {
		cols = append(cols, eval.Column{Qualifier: tv.qual, Name: n, Type: eval.Type{Kind: eval.Timestamp}})
	}
	if tv.qual != "" {
		for i := range cols[:tv.nbase] {
			cols[i].Qualifier = tv.qual
		}
	}
	return &source{cols: cols, out: base.out, tvf: tv}, nil
}

// eventTimeOf answers a row's time for windowing; ok is false (and the
// row is dropped) when the time column is NULL.
func (tv *tvf) eventTimeOf(row eval.Row, t int64) (int64, bool, error) {
	if tv.tcol == 0 {
		return t, true, nil
	}
	v := row[tv.tcol]
	if v.IsNull() {
		return 0, false, fmt.Errorf("the time column of %s is NULL", tv.kind)
	}
	return v.I, true, nil
}

// windows calls each with every window holding et.
func (tv *tvf) windows(et int64, each func(window.Window)) {
	if tv.kind == "TUMBLE" {
		each(window.Tumble(et, tv.size, tv.offset))
		return
	}
	if tv.offset != 0 {
		window.Hop(et-tv.offset, tv.size, tv.slide, func(w window.Window) {
			each(window.Window{Start: w.Start + tv.offset, End: w.End + tv.offset})
		})
		return
	}
	window.Hop(et, tv.size, tv.slide, each)
}

// expandTVF makes the rows of a window table function read without GROUP
// BY: one row per window holding the row (late rows go to error_stream).
func (pl *planner) expandTVF(src *source, next func(t int64, row eval.Row) error) func(t int64, row eval.Row) error {
	tv := src.tvf
	in, pump := pl.in, pl.pump
	wide := make(eval.Row, len(src.cols))
	var wm *window.Watermark
	var ic *idleClock
	if tv.eventTime {
		wm = &window.Watermark{Delay: tv.delay, Lateness: tv.lateness}
		in.stateful = append(in.stateful, wmState{wm})
		if tv.idle > 0 {
			ic = &idleClock{wm: wm, idle: tv.idle}
			in.stateful = append(in.stateful, ic)
			in.advancers = append(in.advancers, func(now int64) error {
				ic.advance(now)
				return nil
			})
		}
	}
	return func(t int64, row eval.Row) error {
		if ic != nil {
			defer ic.arrived(t)
		}
		copy(wide, row)
		et, ok, err := tv.eventTimeOf(wide, t)
		if err != nil || !ok {
			return err
		}
		upTo := int64(math.MinInt64)
		if wm != nil {
			if upTo = subSat(wm.Current(), wm.Lateness); tv.late(et, upTo) {
				return in.failNamed(pump, "LATE_ROW", t, src.cols[:tv.nbase], wide, tv.lateErr(et, wm, upTo))
			}
			wm.Observe(et)
		}
		var nerr error
		tv.windows(et, func(w window.Window) {
			if nerr != nil || w.End <= upTo {
				return
			}
			wide[tv.nbase] = eval.TimestampMillis(w.Start)
			wide[tv.nbase+1] = eval.TimestampMillis(w.End)
			wide[tv.nbase+2] = eval.TimestampMillis(w.End - 1)
			nerr = next(t, wide)
		})
		return nerr
	}
}

type wmState struct{ wm *window.Watermark }

func (s wmState) appendState(b []byte) []byte        { return s.wm.AppendState(b) }
func (s wmState) readState(b []byte) ([]byte, error) { return s.wm.ReadState(b) }

// late reports whether a row at event time et only belongs to windows
// that closed when the watermark (less the allowed lateness) reached upTo.
func (tv *tvf) late(et, upTo int64) bool {
	if upTo == math.MinInt64 {
		return false
	}
	if tv.kind == "SESSION" {
		return et+tv.gap <= upTo
	}
	late := true
	tv.windows(et, func(w window.Window) {
		if w.End > upTo {
			late = false
		}
	})
	return late
}

func (tv *tvf) lateErr(et int64, wm *window.Watermark, upTo int64) error {
	return fmt.Errorf("late row: event time %s is behind the watermark %s; windows ending by %s have closed",
		eval.TimestampMillis(et), eval.TimestampMillis(wm.Current()), eval.TimestampMillis(upTo))
}

// idleClock moves an event-time watermark while its input is idle (IDLE
// => interval): once Advance's processing clock is idle or more past the
// ROWTIME of the latest row, the largest event time seen is taken to have
// moved on with the processing clock since that row, as if rows had kept
// coming with event times advancing in step. A row arriving afterwards is
// judged against the moved watermark (late rows go to error_stream).
type idleClock struct {
	wm   *window.Watermark
	idle int64
	last int64 // ROWTIME of the latest row
	base int64 // the largest event time seen when it arrived
	have bool
}

// arrived notes a row at ROWTIME t (after the watermark observed it).
func (c *idleClock) arrived(t int64) {
	if m, ok := c.wm.Max(); ok {
		c.last, c.base, c.have = t, m, true
	}
}

// advance moves the watermark for processing time now; it reports whether
// the watermark moved.
func (c *idleClock) advance(now int64) bool {
	if !c.have || now-c.last < c.idle {
		return false
	}
	before, _ := c.wm.Max()
	c.wm.Observe(c.base + (now - c.last))
	after, _ := c.wm.Max()
	return after != before
}

func (c *idleClock) appendState(b []byte) []byte {
	if !c.have {
		return append(b, 0)
	}
	b = append(b, 1)
	b = appendVarint(b, c.last)
	return appendVarint(b, c.base)
}

func (c *idleClock) readState(b []byte) ([]byte, error) {
	if len(b) == 0 || b[0] > 1 {
		return nil, errors.New("engine: corrupt idle state")
	}
	c.have = b[0] == 1
	b = b[1:]
	if !c.have {
		return b, nil
	}
	var err error
	if c.last, b, err = readVarint(b); err != nil {
		return nil, err
	}
	c.base, b, err = readVarint(b)
	return b, err
}

// expandable refuses a SESSION table function read without GROUP BY: a
// row's session is known only when it closes.
func expandable(src *source, at parser.Node) error {
	if src.tvf != nil && src.tvf.kind == "SESSION" {
		return errAt(at, "SESSION windows need GROUP BY window_start, window_end, ...: a row's session is known only when the session closes")
	}
	return nil
}

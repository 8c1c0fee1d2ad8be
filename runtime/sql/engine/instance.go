package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// stream is an in-application stream of an instance.
type stream struct {
	name     string
	cols     []Column
	input    int // index of the input, -1 for streams the code declares
	declared bool
	subs     []*subscription
	// reading counts pumps reading error_stream (their errors are dropped).
}

// subscription is a reader of a stream: a FROM of some query of a pump.
type subscription struct {
	in   *Instance
	pump string
	cols []eval.Column
	buf  eval.Row
	busy bool
	// errReader: the subscription reads error_stream; its own errors are
	// dropped rather than fed back into error_stream.
	errReader bool
	next      func(t int64, row eval.Row) error
}

// emitError marks an error of the Emit callback: it goes to the caller of
// Push/Advance, not to error_stream.
type emitError struct{ err error }

func (e *emitError) Error() string { return e.err.Error() }
func (e *emitError) Unwrap() error { return e.err }

func isEmitError(err error) bool {
	var ee *emitError
	return errors.As(err, &ee)
}

// stateful is an operator whose state is checkpointed.
type stateful interface {
	appendState(b []byte) []byte
	readState(b []byte) ([]byte, error)
}

// Instance is a running application. It is not safe for concurrent use.
type Instance struct {
	prog      *Program
	emit      Emit
	streams   []*stream
	byName    map[string]*stream
	inputs    []*stream
	errStream *stream
	stateful  []stateful
	advancers []func(now int64) error
	now       int64 // the engine's time: the latest ROWTIME or Advance
	depth     int
	start     time.Time
}

func (in *Instance) lookupStream(name string) *stream {
	if s, ok := in.byName[name]; ok {
		return s
	}
	var found *stream
	for _, s := range in.streams {
		if equalFold(s.name, name) {
			if found != nil {
				return nil
			}
			found = s
		}
	}
	return found
}

func (in *Instance) addStream(s *stream) {
	in.streams = append(in.streams, s)
	in.byName[s.name] = s
}

// deliver sends a row inserted into s to Emit and to the readers of s.
func (in *Instance) deliver(s *stream, t int64, vals eval.Row) error {
	if s.input < 0 && in.emit != nil {
		if err := in.emit(s.name, Row{Time: t, Values: vals}); err != nil {
			return &emitError{err}
		}
	}
	for _, sub := range s.subs {
		if err := sub.push(t, vals); err != nil {
			return err
		}
	}
	return nil
}

const maxDepth = 64

func (sub *subscription) push(t int64, vals eval.Row) error {
	in := sub.in
	if sub.busy || in.depth > maxDepth {
		return in.fail(sub.pump, t, nil, nil, fmt.Errorf("engine: pump %s reads its own output (a cycle of pumps)", sub.pump))
	}
	sub.busy = true
	in.depth++
	sub.buf[0] = eval.TimestampMillis(t)
	copy(sub.buf[1:], vals)
	err := sub.next(t, sub.buf)
	in.depth--
	sub.busy = false
	if err == nil {
		return nil
	}
	if sub.errReader && !isEmitError(err) {
		return nil
	}
	return in.fail(sub.pump, t, sub.cols, sub.buf, err)
}

// fail turns a run-time error of a row into a row of error_stream. Errors
// of Emit are answered as they are.
func (in *Instance) fail(pump string, t int64, cols []eval.Column, row eval.Row, err error) error {
	return in.failNamed(pump, "SQL_EVALUATION_ERROR", t, cols, row, err)
}

func (in *Instance) failNamed(pump, name string, t int64, cols []eval.Column, row eval.Row, err error) error {
	if isEmitError(err) {
		return err
	}
	if in.errStream == nil || in.depth > maxDepth {
		return nil
	}
	data := ""
	if cols != nil {
		data = formatRow(cols, row)
	}
	vals := eval.Row{
		eval.TimestampMillis(in.now),
		eval.Str("ERROR"),
		eval.Str(name),
		eval.Str(err.Error()),
		eval.TimestampMillis(t),
		eval.Str(data),
		eval.Str(pump),
	}
	in.depth++
	defer func() { in.depth-- }()
	e := in.deliver(in.errStream, in.now, vals)
	if e != nil && isEmitError(e) {
		return e
	}
	return nil
}

// Push feeds one row of input i. r.Time (ROWTIME) must not go backwards per
// input. Run-time errors of the row go to error_stream; Push answers only
// errors of Emit and misuse.
func (in *Instance) Push(i int, r Row) (err error) {
	defer in.recoverPanic(&err)
	if i < 0 || i >= len(in.inputs) {
		return fmt.Errorf("engine: no input %d (the application has %d)", i, len(in.inputs))
	}
	s := in.inputs[i]
	if len(r.Values) != len(s.cols) {
		return fmt.Errorf("engine: input %s has %d columns, the row has %d", s.name, len(s.cols), len(r.Values))
	}
	if r.Time > in.now {
		in.now = r.Time
	}
	if err := in.deliver(s, r.Time, r.Values); err != nil {
		return callerErr(err)
	}
	return nil
}

func callerErr(err error) error {
	var ee *emitError
	if errors.As(err, &ee) {
		return fmt.Errorf("engine: emit: %w", ee.err)
	}
	return err
}

// Advance tells the engine the time is now (ms): windows that end by then
// close and emit.
func (in *Instance) Advance(now int64) (err error) {
	defer in.recoverPanic(&err)
	if now > in.now {
		in.now = now
	}
	for _, a := range in.advancers {
		if err := a(now); err != nil {
			return callerErr(err)
		}
	}
	return nil
}

const snapMagic = "KSQ1"

// ErrSnapshotMismatch is answered by Start for a snapshot of other code.
var ErrSnapshotMismatch = errors.New("engine: the snapshot was taken of different application code")

// Snapshot answers the whole state (windows, buffers, watermarks).
func (in *Instance) Snapshot() ([]byte, error) {
	b := append([]byte(nil), snapMagic...)
	b = binary.LittleEndian.AppendUint64(b, in.prog.hash)
	b = binary.AppendVarint(b, in.now)
	b = binary.AppendUvarint(b, uint64(len(in.stateful)))
	var tmp []byte
	for _, s := range in.stateful {
		tmp = s.appendState(tmp[:0])
		b = binary.AppendUvarint(b, uint64(len(tmp)))
		b = append(b, tmp...)
	}
	return b, nil
}

func (in *Instance) restore(b []byte) error {
	if len(b) < len(snapMagic)+8 || string(b[:len(snapMagic)]) != snapMagic {
		return errors.New("engine: not a snapshot")
	}
	b = b[len(snapMagic):]
	if binary.LittleEndian.Uint64(b) != in.prog.hash {
		return ErrSnapshotMismatch
	}
	b = b[8:]
	now, n := binary.Varint(b)
	if n <= 0 {
		return errors.New("engine: corrupt snapshot")
	}
	b = b[n:]
	in.now = now
	cnt, n := binary.Uvarint(b)
	if n <= 0 || cnt != uint64(len(in.stateful)) {
		return ErrSnapshotMismatch
	}
	b = b[n:]
	for _, s := range in.stateful {
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return errors.New("engine: corrupt snapshot")
		}
		part := b[n : n+int(l)]
		b = b[n+int(l):]
		rest, err := s.readState(part)
		if err != nil {
			return fmt.Errorf("engine: restore: %w", err)
		}
		if len(rest) != 0 {
			return errors.New("engine: corrupt snapshot (state left over)")
		}
	}
	return nil
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 32
		}
		if 'a' <= y && y <= 'z' {
			y -= 32
		}
		if x != y {
			return false
		}
	}
	return true
}

// recoverPanic turns a panic of an operator into an error for the caller:
// an engine bug must not take the host down.
func (in *Instance) recoverPanic(err *error) {
	if r := recover(); r != nil {
		in.depth = 0
		*err = fmt.Errorf("engine: internal error: %v", r)
	}
}

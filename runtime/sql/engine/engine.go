package engine

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/parser"
)

// Column is a column of an in-application stream or table.
type Column struct {
	Name string
	Type eval.Type
}

// Input is an in-application input stream the host feeds
// (SOURCE_SQL_STREAM_001, ...). ROWTIME is implicit and not listed.
type Input struct {
	Name    string
	Columns []Column
}

// Reference is an in-application reference table.
type Reference struct {
	Name    string
	Columns []Column
	Rows    []eval.Row
}

// Options configure Compile.
type Options struct {
	Inputs     []Input
	References []Reference
	// Funcs are external user functions (Wasm) by upper-case name.
	Funcs map[string]*eval.Func
	// External builds the function a CREATE FUNCTION ... LANGUAGE WASM
	// EXTERNAL NAME 'fn' statement declares: a call of the kinesin
	// function fn per row (runtime/sql/udf). nil: such statements are
	// refused.
	External func(function string, params []eval.Type, returns eval.Type) (*eval.Func, error)
	// Now answers CURRENT_TIMESTAMP and friends; nil means time.Now.
	Now func() time.Time
}

// CompileError is an error in application code, at a line and column.
type CompileError struct {
	Line, Col int
	Msg       string
}

func (e *CompileError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// StreamInfo is an in-application stream: Columns exclude ROWTIME.
type StreamInfo struct {
	Name    string
	Columns []Column
}

// Row is a row of an in-application stream and its ROWTIME (ms since the epoch).
type Row struct {
	Time   int64
	Values eval.Row
}

// Emit receives every row inserted into an in-application stream (not the
// inputs), in order. The row must not be retained after Emit returns.
type Emit func(stream string, r Row) error

// ErrorStream is the name of the in-application error stream.
const ErrorStream = "error_stream"

// errorColumns are error_stream's columns, as AWS documents them.
var errorColumns = []Column{
	{"ERROR_TIME", eval.Type{Kind: eval.Timestamp}},
	{"ERROR_LEVEL", eval.Type{Kind: eval.Varchar, Len: 10}},
	{"ERROR_NAME", eval.Type{Kind: eval.Varchar, Len: 32}},
	{"MESSAGE", eval.Type{Kind: eval.Varchar, Len: 4096}},
	{"DATA_ROWTIME", eval.Type{Kind: eval.Timestamp}},
	{"DATA_ROW", eval.Type{Kind: eval.Varchar, Len: 49152}},
	{"PUMP_NAME", eval.Type{Kind: eval.Varchar, Len: 128}},
}

// Program is compiled application code. It is immutable; Start makes
// running instances.
type Program struct {
	code    string
	stmts   []parser.Stmt
	opts    Options
	streams []StreamInfo
	hash    uint64
}

// Compile parses and plans application code. Errors are *CompileError.
func Compile(code string, o Options) (p *Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, &CompileError{Line: 1, Col: 1, Msg: fmt.Sprintf("internal error planning the application: %v", r)}
		}
	}()
	stmts, err := parser.Parse(code)
	if err != nil {
		var pe *parser.Error
		if errors.As(err, &pe) {
			return nil, &CompileError{Line: pe.Line, Col: pe.Col, Msg: pe.Msg}
		}
		return nil, &CompileError{Line: 1, Col: 1, Msg: err.Error()}
	}
	h := fnv.New64a()
	h.Write([]byte(code))
	p = &Program{code: code, stmts: stmts, opts: o, hash: h.Sum64()}
	in, err := p.build(nil)
	if err != nil {
		return nil, err
	}
	for _, s := range in.streams {
		if s.input < 0 && s.name != ErrorStream && !s.declared {
			continue
		}
		p.streams = append(p.streams, StreamInfo{Name: s.name, Columns: append([]Column(nil), s.cols...)})
	}
	return p, nil
}

// Streams answers the inputs, the streams the code declares and error_stream.
func (p *Program) Streams() []StreamInfo { return append([]StreamInfo(nil), p.streams...) }

// Start makes a running instance, restoring state from a snapshot (nil:
// fresh). emit receives the rows of every in-application stream.
func (p *Program) Start(snapshot []byte, emit Emit) (in *Instance, err error) {
	defer func() {
		if r := recover(); r != nil {
			in, err = nil, fmt.Errorf("engine: internal error starting the application: %v", r)
		}
	}()
	in, err = p.build(emit)
	if err != nil {
		return nil, err
	}
	if snapshot != nil {
		if err := in.restore(snapshot); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// compileErr converts errors of planning into *CompileError.
func compileErr(err error) error {
	var ce *CompileError
	if errors.As(err, &ce) {
		return ce
	}
	var ee *eval.Error
	if errors.As(err, &ee) {
		return &CompileError{Line: ee.Line, Col: ee.Col, Msg: ee.Msg}
	}
	var pe *parser.Error
	if errors.As(err, &pe) {
		return &CompileError{Line: pe.Line, Col: pe.Col, Msg: pe.Msg}
	}
	return &CompileError{Line: 1, Col: 1, Msg: err.Error()}
}

func errAt(n interface{ Position() parser.Pos }, format string, args ...any) error {
	pos := parser.Pos{Line: 1, Col: 1}
	if n != nil && !isNilNode(n) {
		pos = n.Position()
	}
	return &CompileError{Line: pos.Line, Col: pos.Col, Msg: fmt.Sprintf(format, args...)}
}

// objName is the stream name of a possibly qualified name (the last part).
func objName(n parser.ObjectName) string {
	if len(n) == 0 {
		return ""
	}
	return n[len(n)-1].Name
}

func formatRow(cols []eval.Column, row eval.Row) string {
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for i, c := range cols {
		if c.Name == "" || i >= len(row) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		fmt.Fprintf(&b, "%q:", c.Name)
		if row[i].IsNull() {
			b.WriteString("null")
		} else {
			fmt.Fprintf(&b, "%q", row[i].String())
		}
	}
	b.WriteByte('}')
	return b.String()
}

func isNilNode(n any) bool {
	switch x := n.(type) {
	case *parser.Select:
		return x == nil
	case parser.Node:
		return x == nil
	}
	return false
}

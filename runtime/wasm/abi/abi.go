package abi

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Version is the ABI version kinesin_abi_version must return.
const Version = 1

// Input kinds passed to kinesin_invoke.
const (
	KindJSON  = 1
	KindBatch = 2
)

// Status bytes that start every kinesin_invoke output.
const (
	StatusOK    = 0
	StatusError = 1
)

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("abi: malformed")

func malformed(what string) error { return fmt.Errorf("%w %s", ErrMalformed, what) }

var le = binary.LittleEndian

// reader walks a buffer; the first failure sticks in err.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = malformed(what)
	}
	r.b = nil
}

func (r *reader) u8(what string) uint8 {
	if len(r.b) < 1 {
		r.fail(what)
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) u32(what string) uint32 {
	if len(r.b) < 4 {
		r.fail(what)
		return 0
	}
	v := le.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *reader) i64(what string) int64 {
	if len(r.b) < 8 {
		r.fail(what)
		return 0
	}
	v := int64(le.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

// bytes returns the next length-prefixed field, aliasing the buffer.
func (r *reader) bytes(what string) []byte {
	n := r.u32(what)
	if r.err != nil {
		return nil
	}
	if uint64(n) > uint64(len(r.b)) {
		r.fail(what)
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// count reads an element count and checks it against the bytes left, each
// element taking at least min bytes, so hostile counts cannot force huge
// allocations.
func (r *reader) count(what string, min int) int {
	n := r.u32(what)
	if r.err != nil {
		return 0
	}
	if uint64(n)*uint64(min) > uint64(len(r.b)) {
		r.fail(what)
		return 0
	}
	return int(n)
}

func appendU32(b []byte, v uint32) []byte { return le.AppendUint32(b, v) }
func appendI64(b []byte, v int64) []byte  { return le.AppendUint64(b, uint64(v)) }

func appendBytes(b, v []byte) []byte {
	return append(appendU32(b, uint32(len(v))), v...)
}

func appendStr(b []byte, v string) []byte {
	return append(appendU32(b, uint32(len(v))), v...)
}

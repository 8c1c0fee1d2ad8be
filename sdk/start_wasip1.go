//go:build wasip1

package sdk

import (
	"runtime"
	"unsafe"

	"github.com/kinesin/kinesin/runtime/wasm/abi"
)

// The guest side of ABI v1. The host calls _initialize (package init,
// where Start registers the handler) before any of these exports.
var (
	srv    server
	inBuf  []byte
	outBuf []byte
)

// Start registers handler as the function's handler; call it from init.
// It panics if handler has no supported form.
func Start(handler any) {
	h, err := newHandler(handler)
	if err != nil {
		panic(err)
	}
	srv.h = h
}

//go:wasmexport kinesin_abi_version
func kinesinABIVersion() int32 { return abi.Version }

//go:wasmexport kinesin_alloc
func kinesinAlloc(size int32) int32 {
	if cap(inBuf) < int(size) || cap(inBuf) == 0 {
		inBuf = make([]byte, max(int(size), 4096))
	}
	inBuf = inBuf[:size]
	return int32(uintptr(unsafe.Pointer(unsafe.SliceData(inBuf))))
}

//go:wasmexport kinesin_invoke
func kinesinInvoke(kind, ptr, n int32) int64 {
	var out []byte
	if base := int32(uintptr(unsafe.Pointer(unsafe.SliceData(inBuf)))); ptr != base || int(n) > cap(inBuf) {
		out = appendError(outBuf[:0], "sdk: input not at the pointer kinesin_alloc returned")
	} else {
		out = srv.serve(outBuf[:0], kind, inBuf[:n])
	}
	outBuf = out
	// Yield so the Go scheduler (and its GC) gets to run before control
	// returns to the host; without it a guest's GC can stall.
	runtime.Gosched()
	p := int64(uintptr(unsafe.Pointer(unsafe.SliceData(outBuf))))
	return p<<32 | int64(len(outBuf))
}

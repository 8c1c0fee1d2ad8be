// Package abi is the binary codec of the kinesin WebAssembly ABI v1
// (docs/wasm-abi.md): the record batch envelope the host sends with kind 2
// and the batch result the guest answers. The host (runtime/wasm) and the
// Go guest SDK (sdk) share it, so both sides agree byte for byte.
//
// Decoders never panic on hostile input; they return an error naming what
// was malformed. They alias the input where the doc comment says so, to
// keep the per-record path free of allocations.
package abi

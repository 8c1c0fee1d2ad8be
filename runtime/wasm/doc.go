// Package wasm runs kinesin functions compiled to WebAssembly (ABI v1,
// docs/wasm-abi.md) on wazero, in process.
//
// Code is compiled once per CodeSHA256 (and optionally cached on disk);
// every function version has a pool of instances, one per concurrent call.
// An instance gets WASI preview 1 with no filesystem and no network, its
// stdout and stderr captured per invocation, memory capped from MemoryMB
// and each call interrupted at the function's Timeout. An instance that
// trapped, timed out, ran out of memory or grew past a high-water mark is
// discarded rather than reused.
//
// Interrupting a call at its Timeout needs wazero's termination checks,
// which cost Go guests about a factor of 10 in speed; Config.Uninterruptible
// trades that safety for speed on trusted code.
//
// wazero caps memory per Runtime, not per module, so the engine keeps one
// wazero Runtime per distinct memory cap, all sharing one compilation
// cache.
package wasm

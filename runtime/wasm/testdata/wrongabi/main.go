// Command wrongabi is a test guest that claims ABI version 2.
package main

//go:wasmexport kinesin_abi_version
func abiVersion() int32 { return 2 }

//go:wasmexport kinesin_alloc
func alloc(int32) int32 { return 0 }

//go:wasmexport kinesin_invoke
func invoke(int32, int32, int32) int64 { return 0 }

func main() {}

// Package jsonenc appends JSON text to byte slices without reflection, for
// the hot paths that write JSON by hand (SQL output records, user function
// events, benchmark records). Its output is what encoding/json writes with
// HTML escaping off.
package jsonenc

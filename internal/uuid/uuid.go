// Package uuid formats random version-4 UUIDs, the request ids, revision
// ids and mapping ids the AWS APIs hand out.
package uuid

import (
	"crypto/rand"
	"encoding/hex"
)

// Encode writes b as a version-4 UUID into dst, setting the version and
// variant bits. It allocates nothing, for the per-request hot path.
func Encode(dst *[36]byte, b [16]byte) {
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	hex.Encode(dst[0:8], b[0:4])
	dst[8] = '-'
	hex.Encode(dst[9:13], b[4:6])
	dst[13] = '-'
	hex.Encode(dst[14:18], b[6:8])
	dst[18] = '-'
	hex.Encode(dst[19:23], b[8:10])
	dst[23] = '-'
	hex.Encode(dst[24:36], b[10:16])
}

// New returns a random version-4 UUID.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	var s [36]byte
	Encode(&s, b)
	return string(s[:])
}

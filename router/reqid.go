package router

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
)

// Response headers every answer carries, spelled as AWS spells them.
const (
	headerRequestID = "x-amzn-RequestId"
	headerID2       = "x-amz-id-2"
)

// requestID holds the texts of x-amzn-RequestId (a random UUID v4) and
// x-amz-id-2 in fixed arrays, so the HTTP/1.1 path formats them without
// allocating. They identify requests in logs, not secrets, so the
// runtime's per-thread ChaCha8 generator is random enough and cheaper than
// crypto/rand.
type requestID struct {
	uuid [36]byte
	id2  [32]byte
}

func (id *requestID) fill() {
	var raw [40]byte
	for i := 0; i < len(raw); i += 8 {
		binary.LittleEndian.PutUint64(raw[i:], rand.Uint64())
	}
	raw[6] = raw[6]&0x0f | 0x40 // version 4
	raw[8] = raw[8]&0x3f | 0x80 // RFC 4122 variant
	u := id.uuid[:]
	hex.Encode(u[0:8], raw[0:4])
	u[8] = '-'
	hex.Encode(u[9:13], raw[4:6])
	u[13] = '-'
	hex.Encode(u[14:18], raw[6:8])
	u[18] = '-'
	hex.Encode(u[19:23], raw[8:10])
	u[23] = '-'
	hex.Encode(u[24:36], raw[10:16])
	base64.StdEncoding.Encode(id.id2[:], raw[16:40])
}

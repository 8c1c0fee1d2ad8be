package router

import (
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"

	"github.com/kinesin/kinesin/internal/uuid"
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
	uuid.Encode(&id.uuid, [16]byte(raw[:16]))
	base64.StdEncoding.Encode(id.id2[:], raw[16:40])
}

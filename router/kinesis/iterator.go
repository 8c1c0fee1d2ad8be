package kinesis

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"github.com/kinesin/kinesin/router/shardstore"
)

// iteratorTTL is how long a shard iterator stays valid, as in AWS.
const iteratorTTL = 5 * time.Minute

// iterator is the decoded content of a ShardIterator string: which shard
// of which incarnation of a stream, where in it, and when it was made. It
// is signed with the store's secret so clients cannot forge positions, and
// any kinesin process sharing the NATS cluster can read it.
type iterator struct {
	Created  time.Time
	Shard    int
	Pos      shardstore.Position
	StreamID string
	Stream   string
}

type iteratorCodec struct{ key []byte }

const iterVersion = 1

var errBadIterator = errors.New("kinesis: invalid shard iterator")

func (c iteratorCodec) encode(it iterator) string {
	b := make([]byte, 0, 64+len(it.Stream))
	b = append(b, iterVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(it.Created.UnixMilli()))
	b = binary.BigEndian.AppendUint32(b, uint32(it.Shard))
	b = binary.BigEndian.AppendUint64(b, it.Pos.Msg)
	b = binary.BigEndian.AppendUint32(b, it.Pos.Index)
	b = append(b, byte(len(it.StreamID)))
	b = append(b, it.StreamID...)
	b = append(b, byte(len(it.Stream)))
	b = append(b, it.Stream...)
	b = append(b, c.mac(b)...)
	return base64.StdEncoding.EncodeToString(b)
}

func (c iteratorCodec) mac(b []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write(b)
	return m.Sum(nil)[:16]
}

func (c iteratorCodec) decode(s string) (iterator, error) {
	var it iterator
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) < 1+8+4+8+4+2+16 || b[0] != iterVersion {
		return it, errBadIterator
	}
	body, sum := b[:len(b)-16], b[len(b)-16:]
	if !hmac.Equal(sum, c.mac(body)) {
		return it, errBadIterator
	}
	p := body[1:]
	it.Created = time.UnixMilli(int64(binary.BigEndian.Uint64(p))).UTC()
	it.Shard = int(binary.BigEndian.Uint32(p[8:]))
	it.Pos.Msg = binary.BigEndian.Uint64(p[12:])
	it.Pos.Index = binary.BigEndian.Uint32(p[20:])
	p = p[24:]
	var ok bool
	if it.StreamID, p, ok = lenPrefixed(p); !ok {
		return it, errBadIterator
	}
	if it.Stream, p, ok = lenPrefixed(p); !ok || len(p) != 0 {
		return it, errBadIterator
	}
	return it, nil
}

func lenPrefixed(p []byte) (string, []byte, bool) {
	if len(p) < 1 || int(p[0]) > len(p)-1 {
		return "", nil, false
	}
	n := int(p[0])
	return string(p[1 : 1+n]), p[1+n:], true
}

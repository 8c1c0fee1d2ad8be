package shardstore

import (
	"errors"
	"math/big"
	"strings"
)

// Position is a place in one shard: the JetStream message sequence of a
// record batch and the index of a record inside it.
type Position struct {
	Msg   uint64
	Index uint32
}

// Less orders positions within a shard.
func (p Position) Less(q Position) bool {
	return p.Msg < q.Msg || (p.Msg == q.Msg && p.Index < q.Index)
}

// Next is the position right after p inside the same batch.
func (p Position) Next() Position { return Position{p.Msg, p.Index + 1} }

// Field widths of a sequence number's 128-bit value.
const (
	indexBits = 16
	msgBits   = 64
	shardBits = 32
)

// seqPrefix makes every sequence number 56 digits long, as AWS's are, so
// that they also sort as strings.
var seqPrefix = func() *big.Int {
	v, _ := new(big.Int).SetString("49"+strings.Repeat("0", 54), 10)
	return v
}()

// ErrBadSequence is returned for strings that are not kinesin sequence
// numbers.
var ErrBadSequence = errors.New("shardstore: not a sequence number of this stream")

// FormatSeq renders a record's sequence number.
func FormatSeq(shard int, p Position) string {
	v := new(big.Int).SetUint64(uint64(shard))
	v.Lsh(v, msgBits)
	v.Or(v, new(big.Int).SetUint64(p.Msg))
	v.Lsh(v, indexBits)
	v.Or(v, new(big.Int).SetUint64(uint64(p.Index)))
	v.Add(v, seqPrefix)
	return v.String()
}

// ParseSeq splits a sequence number into its shard index and position.
func ParseSeq(s string) (shard int, p Position, err error) {
	if len(s) != 56 || !strings.HasPrefix(s, "49") {
		return 0, p, ErrBadSequence
	}
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return 0, p, ErrBadSequence
	}
	v.Sub(v, seqPrefix)
	if v.Sign() < 0 || v.BitLen() > shardBits+msgBits+indexBits {
		return 0, p, ErrBadSequence
	}
	mask := new(big.Int)
	p.Index = uint32(mask.And(v, big.NewInt(1<<indexBits-1)).Uint64())
	v.Rsh(v, indexBits)
	p.Msg = mask.And(v, new(big.Int).SetUint64(^uint64(0))).Uint64()
	v.Rsh(v, msgBits)
	return int(v.Uint64()), p, nil
}

// SeqFormatter renders the sequence numbers of one stored batch cheaply:
// the batch's base number is computed once with big integers, each record's
// by decimal addition of its index.
type SeqFormatter struct {
	base []byte
	buf  []byte
}

// Reset prepares the formatter for the batch stored as message msg.
func (f *SeqFormatter) Reset(shard int, msg uint64) {
	f.base = append(f.base[:0], FormatSeq(shard, Position{Msg: msg})...)
}

// Format returns the sequence number of record index of the batch.
func (f *SeqFormatter) Format(index uint32) string {
	f.buf = f.Append(f.buf[:0], index)
	return string(f.buf)
}

// Append appends the sequence number of record index of the batch to dst.
func (f *SeqFormatter) Append(dst []byte, index uint32) []byte {
	n := len(dst)
	dst = append(dst, f.base...)
	carry := uint64(index)
	for i := len(dst) - 1; i >= n && carry > 0; i-- {
		d := uint64(dst[i]-'0') + carry
		dst[i] = byte('0' + d%10)
		carry = d / 10
	}
	return dst
}

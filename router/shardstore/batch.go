package shardstore

import (
	"encoding/binary"
	"errors"
)

// A record batch is the payload of one stored message:
//
//	version byte (1) | uvarint count | count × (uvarint keyLen key uvarint dataLen data)
//
// The arrival time is JetStream's own timestamp of the message.
const batchVersion = 1

// Record is one stored record. Key and Data alias the buffer they were
// decoded from.
type Record struct {
	Key  []byte
	Data []byte
}

// ErrCorruptBatch is returned for a stored message that is not a batch.
var ErrCorruptBatch = errors.New("shardstore: corrupt record batch")

// AppendBatch encodes records onto dst.
func AppendBatch(dst []byte, keys []string, data [][]byte) []byte {
	dst = append(dst, batchVersion)
	dst = binary.AppendUvarint(dst, uint64(len(keys)))
	for i, k := range keys {
		dst = binary.AppendUvarint(dst, uint64(len(k)))
		dst = append(dst, k...)
		dst = binary.AppendUvarint(dst, uint64(len(data[i])))
		dst = append(dst, data[i]...)
	}
	return dst
}

// BatchLen is the encoded size of a batch, to size buffers once.
func BatchLen(keys []string, data [][]byte) int {
	n := 1 + binary.MaxVarintLen64
	for i, k := range keys {
		n += 2*binary.MaxVarintLen32 + len(k) + len(data[i])
	}
	return n
}

// DecodeBatch appends the records of a stored batch to dst.
func DecodeBatch(dst []Record, b []byte) ([]Record, error) {
	if len(b) == 0 || b[0] != batchVersion {
		return dst, ErrCorruptBatch
	}
	b = b[1:]
	count, n := binary.Uvarint(b)
	if n <= 0 || count > uint64(len(b)) {
		return dst, ErrCorruptBatch
	}
	b = b[n:]
	for range count {
		var key, data []byte
		var ok bool
		if key, b, ok = field(b); !ok {
			return dst, ErrCorruptBatch
		}
		if data, b, ok = field(b); !ok {
			return dst, ErrCorruptBatch
		}
		dst = append(dst, Record{Key: key, Data: data})
	}
	if len(b) != 0 {
		return dst, ErrCorruptBatch
	}
	return dst, nil
}

// BatchCount reads only the record count of a stored batch.
func BatchCount(b []byte) (int, error) {
	if len(b) == 0 || b[0] != batchVersion {
		return 0, ErrCorruptBatch
	}
	count, n := binary.Uvarint(b[1:])
	if n <= 0 || count > uint64(len(b)) {
		return 0, ErrCorruptBatch
	}
	return int(count), nil
}

func field(b []byte) (f, rest []byte, ok bool) {
	l, n := binary.Uvarint(b)
	if n <= 0 || l > uint64(len(b)-n) {
		return nil, nil, false
	}
	b = b[n:]
	return b[:l:l], b[l:], true
}

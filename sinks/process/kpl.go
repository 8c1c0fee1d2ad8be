package process

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
)

// kplMagic starts every record the Kinesis Producer Library aggregated.
var kplMagic = []byte{0xF3, 0x89, 0x9A, 0xC2}

// KPLRecord is one user record of a KPL aggregated record.
type KPLRecord struct {
	PartitionKey    string
	ExplicitHashKey string
	Data            []byte
	Tags            map[string]string
}

// ErrKPL reports an aggregated record whose checksum matches but whose
// protobuf body cannot be decoded.
var ErrKPL = errors.New("process: malformed KPL aggregated record")

// DeaggregateKPL decodes a KPL aggregated record: the magic, a protobuf
// AggregatedRecord, then the MD5 of the protobuf. aggregated is false (and
// the record is to be used as it is) when data lacks the magic or the
// checksum does not match, as the KCL does. Data slices alias data.
func DeaggregateKPL(data []byte) (recs []KPLRecord, aggregated bool, err error) {
	if len(data) < len(kplMagic)+md5.Size || !bytes.HasPrefix(data, kplMagic) {
		return nil, false, nil
	}
	body := data[len(kplMagic) : len(data)-md5.Size]
	sum := md5.Sum(body)
	if !bytes.Equal(sum[:], data[len(data)-md5.Size:]) {
		return nil, false, nil
	}
	var keys, hashKeys []string
	type raw struct {
		pk, ehk uint64
		hasEHK  bool
		data    []byte
		tags    map[string]string
	}
	var raws []raw
	err = fields(body, func(num uint64, wt byte, v []byte, _ uint64) error {
		if wt != wireBytes {
			return nil // unknown scalar field: skipped
		}
		switch num {
		case 1:
			keys = append(keys, string(v))
		case 2:
			hashKeys = append(hashKeys, string(v))
		case 3:
			var r raw
			var hasPK, hasData bool
			err := fields(v, func(num uint64, wt byte, v []byte, n uint64) error {
				switch {
				case num == 1 && wt == wireVarint:
					r.pk, hasPK = n, true
				case num == 2 && wt == wireVarint:
					r.ehk, r.hasEHK = n, true
				case num == 3 && wt == wireBytes:
					r.data, hasData = v, true
				case num == 4 && wt == wireBytes:
					var k, val string
					if err := fields(v, func(num uint64, wt byte, v []byte, _ uint64) error {
						if wt == wireBytes && num == 1 {
							k = string(v)
						} else if wt == wireBytes && num == 2 {
							val = string(v)
						}
						return nil
					}); err != nil {
						return err
					}
					if r.tags == nil {
						r.tags = map[string]string{}
					}
					r.tags[k] = val
				}
				return nil
			})
			if err != nil {
				return err
			}
			if !hasPK || !hasData {
				return fmt.Errorf("%w: record %d lacks partition_key_index or data", ErrKPL, len(raws))
			}
			raws = append(raws, r)
		}
		return nil
	})
	if err != nil {
		return nil, true, err
	}
	recs = make([]KPLRecord, len(raws))
	for i, r := range raws {
		if r.pk >= uint64(len(keys)) {
			return nil, true, fmt.Errorf("%w: record %d: partition_key_index %d out of range", ErrKPL, i, r.pk)
		}
		recs[i] = KPLRecord{PartitionKey: keys[r.pk], Data: r.data, Tags: r.tags}
		if r.hasEHK {
			if r.ehk >= uint64(len(hashKeys)) {
				return nil, true, fmt.Errorf("%w: record %d: explicit_hash_key_index %d out of range", ErrKPL, i, r.ehk)
			}
			recs[i].ExplicitHashKey = hashKeys[r.ehk]
		}
	}
	return recs, true, nil
}

const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// fields walks the protobuf fields of b, calling f with each field's
// number, wire type, bytes (length-delimited) or value (varint).
func fields(b []byte, f func(num uint64, wt byte, v []byte, n uint64) error) error {
	for len(b) > 0 {
		key, k := uvarint(b)
		if k <= 0 {
			return fmt.Errorf("%w: bad field key", ErrKPL)
		}
		b = b[k:]
		num, wt := key>>3, byte(key&7)
		if num == 0 {
			return fmt.Errorf("%w: field number 0", ErrKPL)
		}
		switch wt {
		case wireVarint:
			n, k := uvarint(b)
			if k <= 0 {
				return fmt.Errorf("%w: bad varint", ErrKPL)
			}
			b = b[k:]
			if err := f(num, wt, nil, n); err != nil {
				return err
			}
		case wireBytes:
			n, k := uvarint(b)
			if k <= 0 || n > uint64(len(b)-k) {
				return fmt.Errorf("%w: bad length", ErrKPL)
			}
			v := b[k : k+int(n)]
			b = b[k+int(n):]
			if err := f(num, wt, v, 0); err != nil {
				return err
			}
		case wireFixed64, wireFixed32:
			size := 8
			if wt == wireFixed32 {
				size = 4
			}
			if len(b) < size {
				return fmt.Errorf("%w: truncated fixed field", ErrKPL)
			}
			b = b[size:]
		default:
			return fmt.Errorf("%w: wire type %d", ErrKPL, wt)
		}
	}
	return nil
}

// uvarint decodes a protobuf varint (at most 10 bytes); k <= 0 on error.
func uvarint(b []byte) (uint64, int) {
	var x uint64
	for i := 0; i < len(b) && i < 10; i++ {
		c := b[i]
		if i == 9 && c > 1 {
			return 0, -1
		}
		x |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}

// AggregateKPL encodes records as the KPL does; tests and producers use
// it to build aggregated records.
func AggregateKPL(recs []KPLRecord) []byte {
	var body []byte
	keyIdx, hashIdx := map[string]uint64{}, map[string]uint64{}
	var keys, hashKeys []string
	for _, r := range recs {
		if _, ok := keyIdx[r.PartitionKey]; !ok {
			keyIdx[r.PartitionKey] = uint64(len(keys))
			keys = append(keys, r.PartitionKey)
		}
		if r.ExplicitHashKey != "" {
			if _, ok := hashIdx[r.ExplicitHashKey]; !ok {
				hashIdx[r.ExplicitHashKey] = uint64(len(hashKeys))
				hashKeys = append(hashKeys, r.ExplicitHashKey)
			}
		}
	}
	for _, k := range keys {
		body = appendBytes(body, 1, []byte(k))
	}
	for _, k := range hashKeys {
		body = appendBytes(body, 2, []byte(k))
	}
	for _, r := range recs {
		var m []byte
		m = appendVarint(m, 1<<3|wireVarint)
		m = appendVarint(m, keyIdx[r.PartitionKey])
		if r.ExplicitHashKey != "" {
			m = appendVarint(m, 2<<3|wireVarint)
			m = appendVarint(m, hashIdx[r.ExplicitHashKey])
		}
		m = appendBytes(m, 3, r.Data)
		for k, v := range r.Tags {
			var t []byte
			t = appendBytes(t, 1, []byte(k))
			t = appendBytes(t, 2, []byte(v))
			m = appendBytes(m, 4, t)
		}
		body = appendBytes(body, 3, m)
	}
	sum := md5.Sum(body)
	out := append(append([]byte{}, kplMagic...), body...)
	return append(out, sum[:]...)
}

func appendVarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

func appendBytes(b []byte, num uint64, v []byte) []byte {
	b = appendVarint(b, num<<3|wireBytes)
	b = appendVarint(b, uint64(len(v)))
	return append(b, v...)
}

package abi

import "github.com/kinesin/kinesin/runtime/engine"

// AppendResult appends the batch result (without the status byte) for
// records, failed sequence numbers and state (nil = no new state).
func AppendResult(dst []byte, records []engine.RecordResult, failed []string, state []byte) []byte {
	dst = appendU32(dst, uint32(len(records)))
	for i := range records {
		r := &records[i]
		dst = append(dst, byte(r.Status))
		if r.Data != nil {
			dst = append(dst, 1)
			dst = appendBytes(dst, r.Data)
		} else {
			dst = append(dst, 0)
		}
		dst = appendU32(dst, uint32(len(r.PartitionKeys)))
		for k, v := range r.PartitionKeys {
			dst = appendStr(dst, k)
			dst = appendStr(dst, v)
		}
	}
	dst = appendU32(dst, uint32(len(failed)))
	for _, s := range failed {
		dst = appendStr(dst, s)
	}
	if state != nil {
		dst = append(dst, 1)
		dst = appendBytes(dst, state)
	} else {
		dst = append(dst, 0)
	}
	return dst
}

// DecodeResult decodes a batch result (without the status byte) that must
// hold want records. Record data and state alias src; strings are copied.
func DecodeResult(src []byte, want int, out *engine.BatchResult) error {
	r := reader{b: src}
	n := r.count("result count", 6)
	if r.err != nil {
		return r.err
	}
	if n != want {
		return malformed("result: count differs from the batch's")
	}
	out.Records = make([]engine.RecordResult, n)
	for i := range out.Records {
		rec := &out.Records[i]
		st := r.u8("status")
		if st > uint8(engine.ProcessingFailed) {
			r.fail("status")
		}
		rec.Status = engine.Status(st)
		switch r.u8("hasData") {
		case 0:
		case 1:
			rec.Data = r.bytes("data")
			if rec.Data == nil && r.err == nil {
				rec.Data = []byte{}
			}
		default:
			r.fail("hasData")
		}
		if k := r.count("partition key count", 8); k > 0 {
			rec.PartitionKeys = make(map[string]string, k)
			for range k {
				key := r.bytes("partition key")
				val := r.bytes("partition key value")
				rec.PartitionKeys[string(key)] = string(val)
			}
		}
		if r.err != nil {
			return r.err
		}
	}
	if f := r.count("failed count", 4); f > 0 {
		out.Failed = make([]string, f)
		for i := range out.Failed {
			out.Failed[i] = string(r.bytes("failed sequence number"))
		}
	}
	switch r.u8("hasState") {
	case 0:
	case 1:
		out.State = r.bytes("state")
		if out.State == nil && r.err == nil {
			out.State = []byte{}
		}
	default:
		r.fail("hasState")
	}
	if r.err == nil && len(r.b) != 0 {
		return malformed("result: trailing bytes")
	}
	return r.err
}

package abi

import (
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
)

// EnvelopeSize is the exact encoded size of b's envelope.
func EnvelopeSize(b *engine.Batch) int {
	c := &b.Context
	n := 4 + 4 + len(c.FunctionName) + 4 + len(c.ShardID) + 4 + len(c.StreamARN) +
		4 + 8 + 1 + 4 + len(c.State) + 4
	if c.Window != nil {
		n += 16
	}
	for i := range b.Records {
		r := &b.Records[i]
		n += 4 + len(r.SequenceNumber) + 4 + len(r.PartitionKey) + 8 +
			4 + len(r.RecordID) + 4 + len(r.Data)
	}
	return n
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// Window flag bits of the envelope.
const (
	flagWindow = 1 << iota // a window follows
	flagFinal              // isFinalInvokeForWindow
	flagEarly              // isWindowTerminatedEarly
)

func windowFlags(c *engine.BatchContext) byte {
	f := byte(flagWindow)
	if c.FinalInvokeForWindow {
		f |= flagFinal
	}
	if c.WindowTerminatedEarly {
		f |= flagEarly
	}
	return f
}

// AppendEnvelope appends b's envelope to dst. With cap(dst)-len(dst) ≥
// EnvelopeSize(b) it writes in place (the host encodes straight into guest
// memory).
func AppendEnvelope(dst []byte, b *engine.Batch) []byte {
	c := &b.Context
	dst = appendU32(dst, Version)
	dst = appendStr(dst, c.FunctionName)
	dst = appendStr(dst, c.ShardID)
	dst = appendStr(dst, c.StreamARN)
	dst = appendU32(dst, uint32(c.Attempt))
	dst = appendI64(dst, millis(c.Deadline))
	if c.Window != nil {
		dst = append(dst, windowFlags(c))
		dst = appendI64(dst, millis(c.Window.Start))
		dst = appendI64(dst, millis(c.Window.End))
	} else {
		dst = append(dst, 0)
	}
	dst = appendBytes(dst, c.State)
	dst = appendU32(dst, uint32(len(b.Records)))
	for i := range b.Records {
		r := &b.Records[i]
		dst = appendStr(dst, r.SequenceNumber)
		dst = appendStr(dst, r.PartitionKey)
		dst = appendI64(dst, millis(r.ArrivalTime))
		dst = appendStr(dst, r.RecordID)
		dst = appendBytes(dst, r.Data)
	}
	return dst
}

// minRecord is the smallest encoded record: four empty length-prefixed
// fields and the arrival time.
const minRecord = 4*4 + 8

// DecodeEnvelope decodes an envelope into b, reusing b.Records. Data and
// State alias src (the caller owns src for as long as it uses them);
// strings are copied, all from a single allocation.
func DecodeEnvelope(src []byte, b *engine.Batch) error {
	r := reader{b: src}
	if v := r.u32("envelope version"); r.err == nil && v != Version {
		return malformed("envelope version")
	}
	// One string holding every byte; fields are substrings of it.
	all := string(src)
	str := func(what string) string {
		v := r.bytes(what)
		if len(v) == 0 {
			return ""
		}
		off := len(src) - len(r.b) - len(v)
		return all[off : off+len(v)]
	}
	c := &b.Context
	c.FunctionName = str("functionName")
	c.ShardID = str("shardId")
	c.StreamARN = str("streamArn")
	c.Attempt = int(r.u32("attempt"))
	c.Deadline = fromMillis(r.i64("deadline"))
	c.Window, c.FinalInvokeForWindow, c.WindowTerminatedEarly = nil, false, false
	if w := r.u8("window flags"); w&flagWindow != 0 && w&^(flagWindow|flagFinal|flagEarly) == 0 {
		start, end := r.i64("windowStart"), r.i64("windowEnd")
		c.Window = &engine.Window{Start: fromMillis(start), End: fromMillis(end)}
		c.FinalInvokeForWindow, c.WindowTerminatedEarly = w&flagFinal != 0, w&flagEarly != 0
	} else if w != 0 {
		r.fail("window flags")
	}
	c.State = r.bytes("state")
	if len(c.State) == 0 {
		c.State = nil
	}
	n := r.count("record count", minRecord)
	if r.err != nil {
		return r.err
	}
	if cap(b.Records) >= n {
		b.Records = b.Records[:n]
	} else {
		b.Records = make([]engine.Record, n)
	}
	for i := range b.Records {
		rec := &b.Records[i]
		rec.SequenceNumber = str("sequenceNumber")
		rec.PartitionKey = str("partitionKey")
		rec.ArrivalTime = fromMillis(r.i64("arrival"))
		rec.RecordID = str("recordId")
		rec.Data = r.bytes("data")
		if r.err != nil {
			return r.err
		}
	}
	if len(r.b) != 0 {
		return malformed("envelope: trailing bytes")
	}
	return r.err
}

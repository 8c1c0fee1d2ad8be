package kinesis

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/kinesin/kinesin/router/awsproto"
	"github.com/kinesin/kinesin/router/shardstore"
)

// The hot path's JSON: PutRecords requests and responses and GetRecords
// responses are most of the bytes kinesin moves, and encoding/json's
// reflection and base64 handling were the largest costs in the profile.
// These hand-written codecs handle the shapes SDKs actually send; anything
// else (escapes in strings, unknown members, null values, bad base64) falls
// back to encoding/json so that errors and edge cases stay exactly the
// generic decoder's. FuzzFastPutRecords checks the two agree.

// decodePutRecords decodes a PutRecords body.
func decodePutRecords(c *call) (*putRecordsIn, error) {
	var in putRecordsIn
	if c.enc == awsproto.JSON && fastPutRecords(c.body, &in) {
		return &in, nil
	}
	in = putRecordsIn{}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	in.hasRecords = in.Records != nil
	return &in, nil
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) eat(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string without escapes and returns its raw bytes.
func (s *scanner) str() ([]byte, bool) {
	v, ok := s.rawStr()
	if !ok {
		return nil, false
	}
	for _, c := range v {
		if c < 0x20 {
			return nil, false
		}
	}
	return v, true
}

// rawStr reads a string up to its closing quote, refusing escapes. Control
// characters are left to the caller: base64 data refuses them itself
// (except CR and LF, which b64 checks).
func (s *scanner) rawStr() ([]byte, bool) {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	start := s.i + 1
	j := bytes.IndexByte(s.b[start:], '"')
	if j < 0 {
		return nil, false
	}
	v := s.b[start : start+j]
	if bytes.IndexByte(v, '\\') >= 0 {
		return nil, false
	}
	s.i = start + j + 1
	return v, true
}

// b64 reads a base64 string member; CR and LF, which encoding/json refuses
// inside strings but the base64 decoder would skip, send the body to the
// generic decoder.
func (s *scanner) b64() ([]byte, bool) {
	v, ok := s.rawStr()
	if !ok || bytes.IndexByte(v, '\n') >= 0 || bytes.IndexByte(v, '\r') >= 0 {
		return nil, false
	}
	return v, true
}

type span struct{ data, key, ehk []byte }

func fastPutRecords(body []byte, in *putRecordsIn) bool {
	s := scanner{b: body}
	if !s.eat('{') {
		return false
	}
	var spans []span
	seenRecords := false
	for empty := s.eat('}'); !empty; {
		k, ok := s.str()
		if !ok || !s.eat(':') {
			return false
		}
		switch string(k) {
		case "StreamName", "StreamARN":
			v, ok := s.str()
			if !ok || !utf8.Valid(v) {
				return false
			}
			str := string(v)
			if k[6] == 'N' {
				in.StreamName = &str
			} else {
				in.StreamARN = &str
			}
		case "Records":
			if seenRecords {
				return false
			}
			seenRecords = true
			if spans, ok = s.records(); !ok {
				return false
			}
		default:
			return false
		}
		if s.eat('}') {
			break
		}
		if !s.eat(',') {
			return false
		}
	}
	s.ws()
	if s.i != len(s.b) || !seenRecords {
		return false
	}
	size := 0
	for _, sp := range spans {
		size += base64.StdEncoding.DecodedLen(len(sp.data))
	}
	buf := make([]byte, size)
	in.Records = make([]putRecordsEntry, len(spans))
	in.hasRecords = true
	off := 0
	for i, sp := range spans {
		n, err := base64.StdEncoding.Decode(buf[off:], sp.data)
		if err != nil {
			return false
		}
		r := &in.Records[i]
		r.Data = buf[off : off+n : off+n]
		off += n
		if sp.key != nil {
			k := string(sp.key)
			r.PartitionKey = &k
		}
		if sp.ehk != nil {
			h := string(sp.ehk)
			r.ExplicitHashKey = &h
		}
	}
	return true
}

// records reads the Records array.
func (s *scanner) records() ([]span, bool) {
	if !s.eat('[') {
		return nil, false
	}
	spans := make([]span, 0, 500)
	if s.eat(']') {
		return spans, true
	}
	for {
		if !s.eat('{') {
			return nil, false
		}
		var sp span
		var seenData, seenKey, seenHash bool
		for empty := s.eat('}'); !empty; {
			k, ok := s.str()
			if !ok || !s.eat(':') {
				return nil, false
			}
			var v []byte
			if string(k) == "Data" {
				v, ok = s.b64()
			} else {
				v, ok = s.str()
			}
			if !ok {
				return nil, false
			}
			// A repeated member goes to the generic decoder, which
			// decodes (and may refuse) every occurrence.
			switch string(k) {
			case "Data":
				if seenData {
					return nil, false
				}
				sp.data, seenData = v, true
			case "PartitionKey":
				if seenKey || !utf8.Valid(v) {
					return nil, false
				}
				sp.key, seenKey = v, true
			case "ExplicitHashKey":
				if seenHash {
					return nil, false
				}
				sp.ehk, seenHash = v, true
			default:
				return nil, false
			}
			if s.eat('}') {
				break
			}
			if !s.eat(',') {
				return nil, false
			}
		}
		if !seenData || sp.data == nil {
			return nil, false
		}
		spans = append(spans, sp)
		if s.eat(']') {
			return spans, true
		}
		if !s.eat(',') {
			return nil, false
		}
	}
}

// appendJSONString appends s as a JSON string the way encoding/json writes
// it, taking a fast path for plain printable ASCII.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

func appendBase64(dst, data []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, data)
	return append(dst, '"')
}

// encodePutRecordsOut writes a PutRecords response in JSON.
func encodePutRecordsOut(out *putRecordsOut) []byte {
	b := make([]byte, 0, 64+len(out.Records)*110)
	b = append(b, `{"FailedRecordCount":`...)
	b = strconv.AppendInt(b, int64(out.FailedRecordCount), 10)
	b = append(b, `,"Records":[`...)
	for i, r := range out.Records {
		if i > 0 {
			b = append(b, ',')
		}
		if r.ErrorCode != "" {
			b = append(b, `{"ErrorCode":`...)
			b = appendJSONString(b, r.ErrorCode)
			b = append(b, `,"ErrorMessage":`...)
			b = appendJSONString(b, r.ErrorMessage)
			b = append(b, '}')
			continue
		}
		b = append(b, `{"SequenceNumber":"`...)
		b = append(b, r.SequenceNumber...)
		b = append(b, `","ShardId":"`...)
		b = append(b, r.ShardId...)
		b = append(b, `"}`...)
	}
	b = append(b, ']')
	if out.EncryptionType != "" {
		b = append(b, `,"EncryptionType":`...)
		b = appendJSONString(b, out.EncryptionType)
	}
	return append(b, '}')
}

// appendRecords writes a Records array of GetRecords or SubscribeToShard
// straight from stored records, formatting sequence numbers and base64 in
// place.
func appendRecords(b []byte, st *shardstore.Stream, shard int, recs []shardstore.StoredRecord) []byte {
	var f shardstore.SeqFormatter
	var batch uint64
	enc := encryption(st)
	b = append(b, '[')
	for i := range recs {
		r := &recs[i]
		if i == 0 || r.Pos.Msg != batch {
			batch = r.Pos.Msg
			f.Reset(shard, batch)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"SequenceNumber":"`...)
		b = f.Append(b, r.Pos.Index)
		b = append(b, `","ApproximateArrivalTimestamp":`...)
		b = strconv.AppendFloat(b, float64(r.Arrival.UnixMilli())/1000, 'f', 3, 64)
		b = append(b, `,"Data":`...)
		b = appendBase64(b, r.Data)
		b = append(b, `,"PartitionKey":`...)
		b = appendJSONString(b, unsafe.String(unsafe.SliceData(r.Key), len(r.Key)))
		if enc != "" {
			b = append(b, `,"EncryptionType":"`...)
			b = append(b, enc...)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

func recordsSize(recs []shardstore.StoredRecord) int {
	n := 2
	for i := range recs {
		n += 200 + 6*len(recs[i].Key) + base64.StdEncoding.EncodedLen(len(recs[i].Data))
	}
	return n
}

// encodeGetRecordsOut writes a GetRecords response in JSON; out carries
// everything but the records.
func encodeGetRecordsOut(out *getRecordsOut, st *shardstore.Stream, shard int, recs []shardstore.StoredRecord) []byte {
	b := make([]byte, 0, recordsSize(recs)+700)
	b = append(b, `{"Records":`...)
	b = appendRecords(b, st, shard, recs)
	if out.NextShardIterator != nil {
		b = append(b, `,"NextShardIterator":`...)
		b = appendJSONString(b, *out.NextShardIterator)
	}
	b = append(b, `,"MillisBehindLatest":`...)
	b = strconv.AppendInt(b, out.MillisBehindLatest, 10)
	if len(out.ChildShards) > 0 {
		cs, _ := json.Marshal(out.ChildShards)
		b = append(b, `,"ChildShards":`...)
		b = append(b, cs...)
	}
	return append(b, '}')
}

// preEncoded is an output already encoded as JSON.
type preEncoded []byte

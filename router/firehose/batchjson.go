package firehose

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/awsproto"
)

// PutRecordBatch is the ingest hot path: a body of up to 500 base64
// records (about 5.5 MB of JSON) decoded by reflection costs more than
// everything else the call does. decodePutBatch reads the one shape
// PutRecordBatch has in a single pass and decodes every record's base64
// into one arena; whatever it is not sure about (a syntax or type error,
// bad base64, a duplicate or case-folded member name, non-ASCII names,
// deep nesting) goes to the generic decoder, so the answer, value or
// error, is always the one awsproto.JSON.Unmarshal gives.

// decodePutBatch decodes a PutRecordBatch JSON 1.1 body as
// awsproto.JSON.Unmarshal(body, new(putBatchIn)) does. The records' Data
// share one backing array.
func decodePutBatch(body []byte) (*putBatchIn, error) {
	if in, ok := scanPutBatch(body); ok {
		return in, nil
	}
	in := new(putBatchIn)
	if err := awsproto.JSON.Unmarshal(body, in); err != nil {
		return nil, err
	}
	return in, nil
}

// inputPutBatch is awsservice.Input(c, checkPutBatch) on the fast decoder: the
// constraint checks (which format a path per record) run only when a
// quick look finds something they would report.
func inputPutBatch(c *call) (*putBatchIn, error) {
	in, err := decodePutBatch(c.Body)
	if err != nil {
		return nil, err
	}
	if !putBatchValid(in) {
		var v awserr.Violations
		checkPutBatch(&v, in)
		if err := v.Err(); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// putBatchValid reports that checkPutBatch finds nothing to say about in
// (false may still mean checkPutBatch finds nothing).
func putBatchValid(in *putBatchIn) bool {
	if in.DeliveryStreamName == nil || !validName(*in.DeliveryStreamName) {
		return false
	}
	if n := len(in.Records); in.Records == nil || n < 1 || n > maxBatchRecords {
		return false
	}
	for i := range in.Records {
		if d := in.Records[i].Data; d == nil || len(*d) > maxRecordBytes {
			return false
		}
	}
	return true
}

// validName is checkName's constraints ([a-zA-Z0-9_.-]{1,64}) without the
// regular expression.
func validName(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// maxSkipDepth bounds the nesting of unknown members the scanner skips;
// deeper bodies go to encoding/json (whose own limit is 10000).
const maxSkipDepth = 256

// batchScanner reads one PutRecordBatch body. Any method returning false
// means "not sure": the caller falls back to encoding/json.
type batchScanner struct {
	b     []byte
	i     int
	arena []byte // decoded Data of every record
	tmp   []byte // a Data string with its JSON escapes undone
}

func scanPutBatch(body []byte) (*putBatchIn, bool) {
	// Base64 decodes to at most 3/4 of its length, and every Data string
	// is a disjoint part of body: one arena of 3/4 body holds them all.
	s := batchScanner{b: body, arena: make([]byte, 0, len(body)/4*3+4)}
	s.ws()
	if !s.eat('{') {
		return nil, false
	}
	in := new(putBatchIn)
	var sawName, sawRecords bool
	s.ws()
	if !s.eat('}') {
		for {
			s.ws()
			key, ok := s.key()
			if !ok {
				return nil, false
			}
			s.ws()
			if !s.eat(':') {
				return nil, false
			}
			s.ws()
			switch string(key) {
			case "DeliveryStreamName":
				if sawName {
					return nil, false
				}
				sawName = true
				if !s.null() {
					name, ok := s.plainString()
					if !ok {
						return nil, false
					}
					in.DeliveryStreamName = &name
				}
			case "Records":
				if sawRecords {
					return nil, false
				}
				sawRecords = true
				if !s.null() {
					recs, ok := s.records()
					if !ok {
						return nil, false
					}
					in.Records = recs
				}
			default:
				if foldEq(key, "DeliveryStreamName") || foldEq(key, "Records") || !s.skip(0) {
					return nil, false
				}
			}
			s.ws()
			if s.eat(',') {
				continue
			}
			if s.eat('}') {
				break
			}
			return nil, false
		}
	}
	s.ws()
	if s.i != len(s.b) {
		return nil, false
	}
	return in, true
}

// records reads the Records array.
func (s *batchScanner) records() ([]record, bool) {
	if !s.eat('[') {
		return nil, false
	}
	data := make([]blob, 0, 64) // nil: no Data (absent or null)
	s.ws()
	if !s.eat(']') {
		for {
			s.ws()
			var d blob
			if !s.null() {
				var ok bool
				if d, ok = s.record(); !ok {
					return nil, false
				}
			}
			data = append(data, d)
			s.ws()
			if s.eat(',') {
				continue
			}
			if s.eat(']') {
				break
			}
			return nil, false
		}
	}
	recs := make([]record, len(data))
	for i := range data {
		if data[i] != nil {
			recs[i].Data = &data[i]
		}
	}
	return recs, true
}

// record reads one Record object and returns its Data (nil if absent or
// null; an empty Data is a non-nil empty slice, as encoding/json makes it).
func (s *batchScanner) record() (blob, bool) {
	if !s.eat('{') {
		return nil, false
	}
	var d blob
	saw := false
	s.ws()
	if s.eat('}') {
		return nil, true
	}
	for {
		s.ws()
		key, ok := s.key()
		if !ok {
			return nil, false
		}
		s.ws()
		if !s.eat(':') {
			return nil, false
		}
		s.ws()
		if string(key) == "Data" {
			if saw {
				return nil, false
			}
			saw = true
			if !s.null() {
				if d, ok = s.base64(); !ok {
					return nil, false
				}
			}
		} else if foldEq(key, "Data") || !s.skip(0) {
			return nil, false
		}
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			return d, true
		}
		return nil, false
	}
}

// base64 reads a JSON string of base64 and decodes it into the arena.
func (s *batchScanner) base64() (blob, bool) {
	if !s.eat('"') {
		return nil, false
	}
	start := s.i
	j := bytes.IndexByte(s.b[start:], '"')
	if j < 0 {
		return nil, false
	}
	src := s.b[start : start+j]
	plain := bytes.IndexByte(src, '\\') < 0
	if plain {
		s.i = start + j + 1
	} else if src = s.unescape(start); src == nil {
		return nil, false
	}
	at := len(s.arena)
	need := base64.StdEncoding.DecodedLen(len(src))
	if need > cap(s.arena)-at {
		return nil, false
	}
	n, err := base64.StdEncoding.Decode(s.arena[at:at+need], src)
	if err != nil {
		return nil, false
	}
	// StdEncoding skips '\r' and '\n', which a JSON string holds raw only
	// in error (as escapes they are fine): with none, the decoded length
	// is exactly 3/4 of the string less its padding.
	if plain {
		pad := 0
		for k := len(src) - 1; k >= 0 && pad < 2 && src[k] == '='; k-- {
			pad++
		}
		if len(src)%4 != 0 || n+pad != len(src)/4*3 {
			return nil, false
		}
	}
	s.arena = s.arena[:at+n]
	return blob(s.arena[at : at+n : at+n]), true
}

// unescape reads the rest of a string that holds escapes, from start (just
// after the opening quote), into s.tmp. It answers nil for anything that
// cannot be base64 once unescaped (or is not valid JSON): encoding/json
// then gives the error.
func (s *batchScanner) unescape(start int) []byte {
	out := s.tmp[:0]
	i := start
	for i < len(s.b) {
		c := s.b[i]
		switch {
		case c == '"':
			s.i = i + 1
			s.tmp = out
			if out == nil {
				out = []byte{}
			}
			return out
		case c < 0x20 || c >= 0x80:
			return nil
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(s.b) {
			return nil
		}
		switch s.b[i+1] {
		case '/':
			out = append(out, '/')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'u':
			if i+6 > len(s.b) {
				return nil
			}
			r := 0
			for _, h := range s.b[i+2 : i+6] {
				switch {
				case '0' <= h && h <= '9':
					r = r<<4 | int(h-'0')
				case 'a' <= h && h <= 'f':
					r = r<<4 | int(h-'a'+10)
				case 'A' <= h && h <= 'F':
					r = r<<4 | int(h-'A'+10)
				default:
					return nil
				}
			}
			if r >= 0x80 {
				return nil
			}
			out = append(out, byte(r))
			i += 6
			continue
		default: // \" \\ \b \f \t: never base64
			return nil
		}
		i += 2
	}
	return nil
}

// plainString reads a JSON string of printable ASCII without escapes.
func (s *batchScanner) plainString() (string, bool) {
	b, ok := s.key()
	return string(b), ok
}

// key reads a JSON string of printable ASCII without escapes and returns
// its bytes (a slice of the body).
func (s *batchScanner) key() ([]byte, bool) {
	if !s.eat('"') {
		return nil, false
	}
	start := s.i
	for j := start; j < len(s.b); j++ {
		c := s.b[j]
		if c == '"' {
			s.i = j + 1
			return s.b[start:j], true
		}
		if c < 0x20 || c >= 0x7f || c == '\\' {
			return nil, false
		}
	}
	return nil, false
}

// skip passes over one JSON value, checking its syntax.
func (s *batchScanner) skip(depth int) bool {
	if s.i >= len(s.b) || depth > maxSkipDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		s.i++
		s.ws()
		if s.eat('}') {
			return true
		}
		for {
			s.ws()
			if !s.skipString() {
				return false
			}
			s.ws()
			if !s.eat(':') {
				return false
			}
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.eat(',') {
				continue
			}
			return s.eat('}')
		}
	case c == '[':
		s.i++
		s.ws()
		if s.eat(']') {
			return true
		}
		for {
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.eat(',') {
				continue
			}
			return s.eat(']')
		}
	case c == '"':
		return s.skipString()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return false
}

// skipString passes over a JSON string, checking its escapes.
func (s *batchScanner) skipString() bool {
	if !s.eat('"') {
		return false
	}
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if s.i+1 >= len(s.b) {
				return false
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					return false
				}
				for _, h := range s.b[s.i+2 : s.i+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				s.i += 6
			default:
				return false
			}
		default:
			s.i++
		}
	}
	return false
}

// number passes over a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *batchScanner) number() bool {
	s.eat('-')
	switch {
	case s.eat('0'):
	case s.digits() == 0:
		return false
	}
	if s.eat('.') && s.digits() == 0 {
		return false
	}
	if s.eat('e') || s.eat('E') {
		if !s.eat('+') {
			s.eat('-')
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

func (s *batchScanner) digits() int {
	n := 0
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

func (s *batchScanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// null reads a null if one is next.
func (s *batchScanner) null() bool {
	return s.i < len(s.b) && s.b[s.i] == 'n' && s.literal("null")
}

func (s *batchScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func (s *batchScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// foldEq reports that the ASCII key matches name ignoring case, as
// encoding/json matches member names.
func foldEq(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := range key {
		a, b := key[i], name[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// encodePutBatchOut is the body json.Marshal makes of the putBatchOut of
// n records stored as one batch at seq of name's stream (every record
// succeeded), built without reflection and with name's hash taken once.
func encodePutBatchOut(name string, seq uint64, n int) []byte {
	const head = `{"FailedPutCount":0,"Encrypted":false,"RequestResponses":[`
	const entry = `{"RecordId":""},`
	b := make([]byte, 0, len(head)+n*(len(entry)+56)+2)
	b = append(b, head...)
	var raw [42]byte
	binary.BigEndian.PutUint64(raw[0:], seq)
	h := sha256.Sum256([]byte(name))
	copy(raw[10:], h[:])
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		binary.BigEndian.PutUint16(raw[8:], uint16(i))
		b = append(b, `{"RecordId":"`...)
		b = base64.StdEncoding.AppendEncode(b, raw[:])
		b = append(b, `"}`...)
	}
	return append(b, "]}"...)
}

// rawOut is a response body an operation encoded itself (JSON 1.1).
type rawOut []byte

// marshalOut encodes an operation's output: a rawOut as it is, anything
// else with awsproto.JSON.Marshal.
func marshalOut(out any) ([]byte, error) {
	if b, ok := out.(rawOut); ok {
		return b, nil
	}
	return awsproto.JSON.Marshal(out)
}

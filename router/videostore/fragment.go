package videostore

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
)

// Fragment describes one stored fragment (one Matroska cluster).
type Fragment struct {
	Number            string        // AWS FragmentNumber: decimal, strictly increasing per stream, encodes Seq
	Seq               uint64        // 1-based position in the stream's index
	ProducerTimestamp time.Time     // when the producer says the fragment starts
	ServerTimestamp   time.Time     // when the server received the fragment's start
	Duration          time.Duration // FragmentLengthInMilliseconds
	Size              int64         // bytes of the stored MKV fragment (FragmentSizeInBytes)
	Session           string        // PutMedia session id: a change marks a discontinuity
	HeaderHash        uint64        // hash of the Tracks (codec private data etc.): a change marks a discontinuity
	Keyframe          bool          // the first frame is a keyframe
}

// TimestampKind selects the timestamp Seek compares.
type TimestampKind int

// Timestamp kinds (AWS's FragmentSelectorType / StartSelectorType).
const (
	ProducerTime TimestampKind = iota
	ServerTime
)

func (k TimestampKind) of(f Fragment) time.Time {
	if k == ProducerTime && !f.ProducerTimestamp.IsZero() {
		return f.ProducerTimestamp
	}
	return f.ServerTimestamp
}

// Fragment numbers are numberDigits decimal digits: numberPrefix, then the
// sequence zero-padded, so that lexical and numeric order agree and they
// look like AWS's 47-digit numbers.
const (
	numberPrefix = '9'
	numberDigits = 47
	seqDigits    = 20 // len("18446744073709551615")
)

// FormatNumber returns the FragmentNumber of the fragment at seq.
func FormatNumber(seq uint64) string {
	b := make([]byte, numberDigits)
	b[0] = numberPrefix
	for i := 1; i < numberDigits; i++ {
		b[i] = '0'
	}
	s := strconv.FormatUint(seq, 10)
	copy(b[numberDigits-len(s):], s)
	return string(b)
}

// ParseNumber returns the seq that FormatNumber encoded in number; ok is
// false for anything FormatNumber does not produce.
func ParseNumber(number string) (seq uint64, ok bool) {
	if len(number) != numberDigits || number[0] != numberPrefix {
		return 0, false
	}
	for i := 1; i < numberDigits; i++ {
		c := number[i]
		if c < '0' || c > '9' || (i < numberDigits-seqDigits && c != '0') {
			return 0, false
		}
	}
	seq, err := strconv.ParseUint(number[numberDigits-seqDigits:], 10, 64)
	if err != nil || seq == 0 {
		return 0, false
	}
	return seq, true
}

// HeaderHash is the FNV-64a hash of what makes h's tracks decodable: the
// timecode scale and each track's number, type, codec id, codec private
// data, picture size and audio format. Two fragments with different hashes
// cannot be played as one sequence without a new initialisation.
func HeaderHash(h *mkv.Header) uint64 {
	d := fnv.New64a()
	var b [8]byte
	u := func(v uint64) { binary.BigEndian.PutUint64(b[:], v); d.Write(b[:]) }
	str := func(s []byte) { u(uint64(len(s))); d.Write(s) }
	u(h.TimecodeScale)
	u(uint64(len(h.Tracks)))
	for _, t := range h.Tracks {
		u(t.Number)
		u(t.Type)
		str([]byte(t.CodecID))
		str(t.CodecPrivate)
		if t.Video != nil {
			u(t.Video.PixelWidth)
			u(t.Video.PixelHeight)
		}
		if t.Audio != nil {
			u(math.Float64bits(t.Audio.SamplingFrequency))
			u(t.Audio.Channels)
			u(t.Audio.BitDepth)
		}
	}
	return d.Sum64()
}

// entry is an index message.
type entry struct {
	Chunks   []uint64 `json:"c"`           // media stream sequences of the fragment's chunks, in order
	Producer int64    `json:"p,omitempty"` // unix nanoseconds, 0 if unknown
	Server   int64    `json:"s"`           // unix nanoseconds
	Duration int64    `json:"d"`           // nanoseconds
	Size     int64    `json:"z"`
	End      int64    `json:"e"` // bytes appended to the stream up to and including this fragment
	Session  string   `json:"x,omitempty"`
	Hash     uint64   `json:"h"`
	Keyframe bool     `json:"k,omitempty"`
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (e *entry) fragment(seq uint64) Fragment {
	return Fragment{
		Number:            FormatNumber(seq),
		Seq:               seq,
		ProducerTimestamp: fromUnixNano(e.Producer),
		ServerTimestamp:   fromUnixNano(e.Server),
		Duration:          time.Duration(e.Duration),
		Size:              e.Size,
		Session:           e.Session,
		HeaderHash:        e.Hash,
		Keyframe:          e.Keyframe,
	}
}

var errBadEntry = errors.New("videostore: bad index entry")

// decodeEntry parses an index message.
func decodeEntry(data []byte) (*entry, error) {
	var e entry
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadEntry, err)
	}
	if e.Size < 0 || e.Duration < 0 || (e.Size > 0 && len(e.Chunks) == 0) {
		return nil, errBadEntry
	}
	return &e, nil
}

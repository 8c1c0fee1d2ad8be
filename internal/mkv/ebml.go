package mkv

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// Element ids used by the reader and writer.
const (
	idEBML               = 0x1A45DFA3
	idEBMLVersion        = 0x4286
	idEBMLReadVersion    = 0x42F7
	idEBMLMaxIDLength    = 0x42F2
	idEBMLMaxSizeLength  = 0x42F3
	idDocType            = 0x4282
	idDocTypeVersion     = 0x4287
	idDocTypeReadVersion = 0x4285
	idSegment            = 0x18538067
	idSeekHead           = 0x114D9B74
	idInfo               = 0x1549A966
	idTimecodeScale      = 0x2AD7B1
	idDuration           = 0x4489
	idMuxingApp          = 0x4D80
	idWritingApp         = 0x5741
	idTracks             = 0x1654AE6B
	idTrackEntry         = 0xAE
	idTrackNumber        = 0xD7
	idTrackUID           = 0x73C5
	idTrackType          = 0x83
	idCodecID            = 0x86
	idCodecPrivate       = 0x63A2
	idName               = 0x536E
	idDefaultDuration    = 0x23E383
	idVideo              = 0xE0
	idPixelWidth         = 0xB0
	idPixelHeight        = 0xBA
	idAudio              = 0xE1
	idSamplingFrequency  = 0xB5
	idChannels           = 0x9F
	idBitDepth           = 0x6264
	idCluster            = 0x1F43B675
	idTimecode           = 0xE7
	idSimpleBlock        = 0xA3
	idBlockGroup         = 0xA0
	idBlock              = 0xA1
	idBlockDuration      = 0x9B
	idReferenceBlock     = 0xFB
	idCues               = 0x1C53BB6B
	idChapters           = 0x1043A770
	idAttachments        = 0x1941A469
	idTags               = 0x1254C367
	idTag                = 0x7373
	idTargets            = 0x63C0
	idSimpleTag          = 0x67C8
	idTagName            = 0x45A3
	idTagString          = 0x4487
	idVoid               = 0xEC
)

// unknownSize is the size value of an element whose size is "unknown"
// (all value bits set).
const unknownSize = math.MaxUint64

// isTopLevel reports whether id is an element that may only appear at the
// top of a Segment (or the file); it ends an unknown-size Cluster.
func isTopLevel(id uint32) bool {
	switch id {
	case idCluster, idCues, idTags, idSeekHead, idInfo, idTracks, idChapters, idAttachments, idEBML, idSegment:
		return true
	}
	return false
}

// vintLen returns the length of a variable-size integer from its first byte,
// or 0 if the byte is 0 (invalid).
func vintLen(b byte) int { return bits.LeadingZeros8(b) + 1 }

// parseSize decodes an EBML data size from b. It returns the value (or
// unknownSize), the bytes used, or n == 0 if b is too short or invalid.
func parseSize(b []byte) (v uint64, n int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	n = vintLen(b[0])
	if len(b) < n {
		return 0, 0
	}
	v = uint64(b[0]) & (0xFF >> n)
	all := v == uint64(0xFF>>n)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
		all = all && b[i] == 0xFF
	}
	if all {
		return unknownSize, n
	}
	return v, n
}

// parseID decodes an element id (marker bits kept) from b.
func parseID(b []byte) (id uint32, n int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	n = vintLen(b[0])
	if n > 4 || len(b) < n {
		return 0, 0
	}
	for i := 0; i < n; i++ {
		id = id<<8 | uint32(b[i])
	}
	return id, n
}

func readUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func readFloat(b []byte) float64 {
	switch len(b) {
	case 4:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b)))
	case 8:
		return math.Float64frombits(binary.BigEndian.Uint64(b))
	}
	return 0
}

// appendID appends an element id.
func appendID(b []byte, id uint32) []byte {
	switch {
	case id >= 1<<24:
		return append(b, byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<16:
		return append(b, byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<8:
		return append(b, byte(id>>8), byte(id))
	}
	return append(b, byte(id))
}

// sizeLen is len(appendSize(nil, v)).
func sizeLen(v uint64) int {
	if v == unknownSize {
		return 8
	}
	n := 1
	for n < 8 && v >= (1<<(7*n))-1 {
		n++
	}
	return n
}

// idLen is len(appendID(nil, id)).
func idLen(id uint32) int {
	switch {
	case id >= 1<<24:
		return 4
	case id >= 1<<16:
		return 3
	case id >= 1<<8:
		return 2
	}
	return 1
}

// uintLen is the payload length appendUintElem uses for v.
func uintLen(v uint64) int {
	n := 1
	for n < 8 && v>>(8*n) != 0 {
		n++
	}
	return n
}

// appendSize appends v as the shortest EBML size (or the 8-byte unknown size).
func appendSize(b []byte, v uint64) []byte {
	if v == unknownSize {
		return append(b, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
	}
	n := 1
	for n < 8 && v >= (1<<(7*n))-1 {
		n++
	}
	v |= 1 << (7 * n)
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func appendUintElem(b []byte, id uint32, v uint64) []byte {
	n := uintLen(v)
	b = appendID(b, id)
	b = appendSize(b, uint64(n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func appendBytesElem(b []byte, id uint32, v []byte) []byte {
	b = appendID(b, id)
	b = appendSize(b, uint64(len(v)))
	return append(b, v...)
}

func appendFloatElem(b []byte, id uint32, v float64) []byte {
	b = appendID(b, id)
	b = appendSize(b, 8)
	return binary.BigEndian.AppendUint64(b, math.Float64bits(v))
}

// appendMaster appends a master element whose body is body.
func appendMaster(b []byte, id uint32, body []byte) []byte {
	b = appendID(b, id)
	b = appendSize(b, uint64(len(body)))
	return append(b, body...)
}

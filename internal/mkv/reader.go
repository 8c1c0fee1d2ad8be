package mkv

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
	"unsafe"
)

// Track types (Matroska TrackType).
const (
	TrackTypeVideo    = 1
	TrackTypeAudio    = 2
	TrackTypeSubtitle = 17
)

// Default limits (AWS's PutMedia limits).
const (
	DefaultMaxClusterBytes = 50 << 20
	DefaultMaxTracks       = 3
	DefaultMaxHeaderBytes  = 1 << 20
	DefaultTimecodeScale   = 1_000_000 // 1 ms per timecode unit
)

// Header is what precedes the clusters of a segment: EBML DocType, Info and
// Tracks.
type Header struct {
	DocType       string
	TimecodeScale uint64  // nanoseconds per timecode unit
	Duration      float64 // Info Duration in timecode units, 0 if absent
	MuxingApp     string
	WritingApp    string
	Tracks        []Track
}

// Track returns the track with TrackNumber n, or nil.
func (h *Header) Track(n uint64) *Track {
	for i := range h.Tracks {
		if h.Tracks[i].Number == n {
			return &h.Tracks[i]
		}
	}
	return nil
}

// Track is one TrackEntry.
type Track struct {
	Number          uint64
	UID             uint64
	Type            uint64 // TrackTypeVideo, TrackTypeAudio, ...
	CodecID         string // e.g. V_MPEG4/ISO/AVC, A_AAC
	CodecPrivate    []byte
	Name            string
	DefaultDuration uint64 // nanoseconds per frame, 0 if absent
	Video           *Video
	Audio           *Audio
}

// Video holds a video track's settings.
type Video struct {
	PixelWidth, PixelHeight uint64
}

// Audio holds an audio track's settings.
type Audio struct {
	SamplingFrequency float64
	Channels          uint64
	BitDepth          uint64
}

// SimpleTag is a Matroska SimpleTag name/value pair.
type SimpleTag struct {
	Name, Value string
}

// Frame is one frame of a block (a laced block yields several frames with
// the same timecode).
type Frame struct {
	Track    uint64
	Timecode int16  // relative to the cluster timecode
	Keyframe bool   // SimpleBlock keyframe flag, or a BlockGroup without ReferenceBlock
	Duration uint64 // BlockDuration in timecode units, 0 if absent
	Data     []byte
}

// Cluster is one Matroska Cluster: a Kinesis Video fragment.
type Cluster struct {
	Timecode uint64 // absolute, in timecode units
	Frames   []Frame
	Size     int64       // bytes of the cluster in the input (id and size included)
	Tags     []SimpleTag // SimpleTags of Tags elements read since the previous cluster
}

// Duration returns the span of the cluster's frames: from the earliest frame
// timecode to the latest (plus its BlockDuration), converted with scale
// (nanoseconds per timecode unit).
func (c *Cluster) Duration(scale uint64) time.Duration {
	if len(c.Frames) == 0 {
		return 0
	}
	lo, hi := int64(c.Frames[0].Timecode), int64(c.Frames[0].Timecode)
	for _, f := range c.Frames {
		t := int64(f.Timecode)
		lo = min(lo, t)
		hi = max(hi, t+int64(f.Duration))
	}
	return time.Duration((hi - lo) * int64(scale))
}

// StartsWithKeyframe reports whether the cluster's first frame is a keyframe.
func (c *Cluster) StartsWithKeyframe() bool {
	return len(c.Frames) > 0 && c.Frames[0].Keyframe
}

// CheckTracks returns an *Error with CodeFramesMissing if a track of h has no
// frame in the cluster.
func (c *Cluster) CheckTracks(h *Header) error {
	for _, t := range h.Tracks {
		found := false
		for i := range c.Frames {
			if c.Frames[i].Track == t.Number {
				found = true
				break
			}
		}
		if !found {
			return &Error{Code: CodeFramesMissing, Msg: fmt.Sprintf("fragment has no frames for track %d", t.Number)}
		}
	}
	return nil
}

// ReaderOptions bound what a Reader accepts. Zero values mean the defaults.
type ReaderOptions struct {
	// MaxClusterBytes is the largest cluster accepted (default 50 MiB); the
	// reader fails with CodeFragmentTooLarge as soon as a cluster passes it,
	// without buffering beyond it.
	MaxClusterBytes int64
	// MaxClusterDuration, if set, fails a cluster whose Duration exceeds it
	// (CodeFragmentTooLong). PutMedia uses 10 s.
	MaxClusterDuration time.Duration
	// MaxTracks is the largest number of tracks accepted (default 3).
	MaxTracks int
	// MaxHeaderBytes bounds each EBML header, Info, Tracks and Tags element
	// (default 1 MiB).
	MaxHeaderBytes int64
	// OnFragmentStart, if set, is called as soon as a cluster's Timecode has
	// been read, before its blocks: when PutMedia sends its BUFFERING
	// acknowledgement.
	OnFragmentStart func(timecode uint64)
}

// frameCost is what a Frame costs in memory besides its data.
const frameCost = int64(unsafe.Sizeof(Frame{}))

// Reader reads a Matroska stream one cluster at a time. It is not safe for
// concurrent use.
type Reader struct {
	br       *bufio.Reader
	opts     ReaderOptions
	off      int64
	header   *Header
	next     *Header // header being read (a new EBML header starts a new one)
	tags     []SimpleTag
	tagBytes int64 // bytes of Tags elements behind tags
	err      error

	pending    bool // an element header was read but not consumed
	pendID     uint32
	pendSize   uint64
	pendHdrLen int
}

// NewReader returns a Reader of r with opts.
func NewReader(r io.Reader, opts ReaderOptions) *Reader {
	if opts.MaxClusterBytes <= 0 {
		opts.MaxClusterBytes = DefaultMaxClusterBytes
	}
	if opts.MaxTracks <= 0 {
		opts.MaxTracks = DefaultMaxTracks
	}
	if opts.MaxHeaderBytes <= 0 {
		opts.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &Reader{br: br, opts: opts}
}

// TrailingTags returns the SimpleTags read after the last cluster (such as
// the continuation token that follows the last GetMedia chunk) once Next has
// returned io.EOF.
func (r *Reader) TrailingTags() []SimpleTag { return r.tags }

// Offset returns the number of input bytes consumed so far.
func (r *Reader) Offset() int64 { return r.off }

// Header reads up to the first cluster if needed and returns the header in
// effect (the most recent one if the input holds several segments).
func (r *Reader) Header() (*Header, error) {
	if r.header != nil {
		return r.header, nil
	}
	if r.err != nil {
		return nil, r.err
	}
	if err := r.readUntilCluster(); err != nil {
		if err == io.EOF {
			err = invalid("no cluster in stream")
		}
		r.err = err
		return nil, err
	}
	return r.header, nil
}

// Next returns the next cluster, or io.EOF after the last one. Any other
// error is an *Error (see Code) and is sticky.
func (r *Reader) Next() (*Cluster, error) {
	if r.err != nil {
		return nil, r.err
	}
	c, err := r.next1()
	if err != nil {
		r.err = err
		return nil, err
	}
	return c, nil
}

func (r *Reader) next1() (*Cluster, error) {
	if err := r.readUntilCluster(); err != nil {
		if err == io.EOF && r.header == nil {
			return nil, invalid("no cluster in stream")
		}
		return nil, err
	}
	size, hdrLen := r.pendSize, r.pendHdrLen
	r.pending = false
	c, err := r.readCluster(size, hdrLen)
	if err != nil {
		return nil, err
	}
	if d := r.opts.MaxClusterDuration; d > 0 {
		if got := c.Duration(r.header.TimecodeScale); got > d {
			return nil, &Error{Code: CodeFragmentTooLong, Msg: fmt.Sprintf("fragment duration %v over %v", got, d)}
		}
	}
	return c, nil
}

// readUntilCluster reads top-level elements until a Cluster header is
// pending. It returns io.EOF at a clean end of input.
func (r *Reader) readUntilCluster() error {
	for {
		id, size, _, err := r.peekElem()
		if err != nil {
			return err
		}
		if id == idCluster {
			if r.next != nil {
				if r.next.Tracks == nil {
					return invalid("cluster before tracks")
				}
				r.header, r.next = r.next, nil
			}
			if r.header == nil {
				return invalid("cluster before EBML header and tracks")
			}
			return nil
		}
		r.pending = false
		switch id {
		case idEBML:
			body, err := r.readBody(id, size)
			if err != nil {
				return err
			}
			h := &Header{TimecodeScale: DefaultTimecodeScale}
			if err := parseEBMLHeader(body, h); err != nil {
				return err
			}
			r.next = h
		case idSegment:
			// Children of the Segment are read as top-level elements.
			if r.next == nil && r.header == nil {
				return invalid("segment before EBML header")
			}
		case idInfo, idTracks:
			h := r.next
			if h == nil {
				// Info/Tracks repeated within the current segment.
				if r.header == nil {
					return invalid("element %#x before EBML header", id)
				}
				cp := *r.header
				h = &cp
				r.next = h
			}
			body, err := r.readBody(id, size)
			if err != nil {
				return err
			}
			if id == idInfo {
				err = parseInfo(body, h)
			} else {
				err = parseTracks(body, h, r.opts.MaxTracks)
			}
			if err != nil {
				return err
			}
		case idTags:
			if r.tagBytes += int64(min(size, 1<<62)); r.tagBytes > r.opts.MaxHeaderBytes {
				return invalid("tags between clusters over %d bytes", r.opts.MaxHeaderBytes)
			}
			body, err := r.readBody(id, size)
			if err != nil {
				return err
			}
			r.tags, err = parseTags(body, r.tags)
			if err != nil {
				return err
			}
		default:
			if r.next == nil && r.header == nil {
				return invalid("element %#x before EBML header", id)
			}
			if size == unknownSize {
				return invalid("element %#x of unknown size", id)
			}
			if err := r.skip(size); err != nil {
				return err
			}
		}
	}
}

// peekElem returns the pending element header or reads a new one.
func (r *Reader) peekElem() (id uint32, size uint64, hdrLen int, err error) {
	if !r.pending {
		r.pendID, r.pendSize, r.pendHdrLen, err = r.readElemHeader()
		if err != nil {
			return 0, 0, 0, err
		}
		r.pending = true
	}
	return r.pendID, r.pendSize, r.pendHdrLen, nil
}

// readElemHeader reads an element id and size. It returns io.EOF only if
// the input ends before the first byte.
func (r *Reader) readElemHeader() (id uint32, size uint64, n int, err error) {
	var buf [12]byte
	b0, err := r.br.ReadByte()
	if err != nil {
		return 0, 0, 0, r.readErr(err, true)
	}
	r.off++
	l := vintLen(b0)
	if b0 == 0 || l > 4 {
		return 0, 0, 0, invalid("bad element id at offset %d", r.off-1)
	}
	buf[0] = b0
	if err := r.full(buf[1:l]); err != nil {
		return 0, 0, 0, err
	}
	id, _ = parseID(buf[:l])
	s0, err := r.br.ReadByte()
	if err != nil {
		return 0, 0, 0, r.readErr(err, false)
	}
	r.off++
	sl := vintLen(s0)
	if s0 == 0 {
		return 0, 0, 0, invalid("bad element size at offset %d", r.off-1)
	}
	buf[l] = s0
	if err := r.full(buf[l+1 : l+sl]); err != nil {
		return 0, 0, 0, err
	}
	size, _ = parseSize(buf[l : l+sl])
	return id, size, l + sl, nil
}

// readErr maps an input error: a clean EOF at an element boundary stays
// io.EOF, an EOF inside an element is invalid MKV, anything else is a read
// error (4000).
func (r *Reader) readErr(err error, boundary bool) error {
	if err == io.EOF {
		if boundary {
			return io.EOF
		}
		return &Error{Code: CodeInvalidMKV, Msg: "truncated element", Err: io.ErrUnexpectedEOF}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Code: CodeInvalidMKV, Msg: "truncated element", Err: err}
	}
	return &Error{Code: CodeReadError, Msg: "reading input", Err: err}
}

func (r *Reader) full(b []byte) error {
	n, err := io.ReadFull(r.br, b)
	r.off += int64(n)
	if err != nil {
		return r.readErr(err, false)
	}
	return nil
}

// readN reads n bytes, growing its buffer as the bytes arrive so that a
// declared size the input never delivers costs no more than what was read.
func (r *Reader) readN(n int) ([]byte, error) {
	const step = 64 << 10
	if n <= step {
		b := make([]byte, n)
		return b, r.full(b)
	}
	b := make([]byte, 0, step)
	for len(b) < n {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), min(2*cap(b), n))
			copy(nb, b)
			b = nb
		}
		m := min(cap(b), n) - len(b)
		if err := r.full(b[len(b) : len(b)+m]); err != nil {
			return nil, err
		}
		b = b[:len(b)+m]
	}
	return b, nil
}

func (r *Reader) readBody(id uint32, size uint64) ([]byte, error) {
	if size == unknownSize {
		return nil, invalid("element %#x of unknown size", id)
	}
	if size > uint64(r.opts.MaxHeaderBytes) {
		return nil, invalid("element %#x of %d bytes over the %d byte limit", id, size, r.opts.MaxHeaderBytes)
	}
	return r.readN(int(size))
}

func (r *Reader) skip(size uint64) error {
	for size > 0 {
		n := int(min(size, 1<<30))
		d, err := r.br.Discard(n)
		r.off += int64(d)
		if err != nil {
			return r.readErr(err, false)
		}
		size -= uint64(d)
	}
	return nil
}

func (r *Reader) tooLarge(n int64) error {
	return &Error{Code: CodeFragmentTooLarge, Msg: fmt.Sprintf("fragment over %d bytes (at least %d)", r.opts.MaxClusterBytes, n)}
}

// readCluster reads a cluster body whose header (hdrLen bytes, size) was
// consumed.
func (r *Reader) readCluster(size uint64, hdrLen int) (*Cluster, error) {
	maxB := r.opts.MaxClusterBytes
	c := &Cluster{Size: int64(hdrLen), Tags: r.tags}
	r.tags, r.tagBytes = nil, 0
	known := size != unknownSize
	if known && size > uint64(maxB-int64(hdrLen)) {
		return nil, r.tooLarge(int64(hdrLen) + int64(min(size, 1<<62)))
	}
	var consumed uint64
	haveTC := false
	for {
		if known && consumed == size {
			break
		}
		id, csize, n, err := r.readElemHeader()
		if err == io.EOF && !known {
			break // an unknown-size cluster ends with the input
		}
		if err == io.EOF {
			return nil, &Error{Code: CodeInvalidMKV, Msg: "truncated cluster", Err: io.ErrUnexpectedEOF}
		}
		if err != nil {
			return nil, err
		}
		if !known && isTopLevel(id) {
			r.pending, r.pendID, r.pendSize, r.pendHdrLen = true, id, csize, n
			break
		}
		if csize == unknownSize {
			return nil, invalid("cluster child %#x of unknown size", id)
		}
		consumed += uint64(n)
		c.Size += int64(n)
		if csize > uint64(maxB-c.Size) {
			return nil, r.tooLarge(c.Size + int64(min(csize, 1<<62)))
		}
		if known && csize > size-consumed {
			return nil, invalid("cluster child %#x overruns its cluster", id)
		}
		switch id {
		case idTimecode:
			if csize > 8 {
				return nil, invalid("cluster timecode of %d bytes", csize)
			}
			var b [8]byte
			if err := r.full(b[:csize]); err != nil {
				return nil, err
			}
			c.Timecode = readUint(b[:csize])
			haveTC = true
			if r.opts.OnFragmentStart != nil {
				r.opts.OnFragmentStart(c.Timecode)
			}
		case idSimpleBlock, idBlockGroup:
			b, err := r.readN(int(csize))
			if err != nil {
				return nil, err
			}
			if id == idSimpleBlock {
				c.Frames, err = parseBlock(b, true, 0, c.Frames)
			} else {
				c.Frames, err = parseBlockGroup(b, c.Frames)
			}
			if err != nil {
				return nil, err
			}
			// Frames cost memory beyond their bytes (laced blocks can hold
			// 256 empty frames): charge it against the same limit.
			if c.Size+int64(csize)+int64(len(c.Frames))*frameCost > maxB {
				return nil, r.tooLarge(c.Size + int64(csize) + int64(len(c.Frames))*frameCost)
			}
		default:
			if err := r.skip(csize); err != nil {
				return nil, err
			}
		}
		consumed += csize
		c.Size += int64(csize)
	}
	if !haveTC {
		return nil, invalid("cluster without timecode")
	}
	for i := range c.Frames {
		if r.header.Track(c.Frames[i].Track) == nil {
			return nil, &Error{Code: CodeTrackNumberMismatch, Msg: fmt.Sprintf("block of track %d not in the tracks header", c.Frames[i].Track)}
		}
	}
	return c, nil
}

// forEach calls fn for each child element of a master element body.
func forEach(b []byte, fn func(id uint32, body []byte) error) error {
	for len(b) > 0 {
		id, n := parseID(b)
		if n == 0 {
			return invalid("bad element id")
		}
		b = b[n:]
		size, m := parseSize(b)
		if m == 0 || size == unknownSize {
			return invalid("bad size of element %#x", id)
		}
		b = b[m:]
		if size > uint64(len(b)) {
			return invalid("element %#x overruns its parent", id)
		}
		if err := fn(id, b[:size]); err != nil {
			return err
		}
		b = b[size:]
	}
	return nil
}

func parseEBMLHeader(b []byte, h *Header) error {
	err := forEach(b, func(id uint32, v []byte) error {
		if id == idDocType {
			h.DocType = string(v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if h.DocType != "matroska" && h.DocType != "webm" {
		return invalid("doc type %q is not matroska", h.DocType)
	}
	return nil
}

func parseInfo(b []byte, h *Header) error {
	return forEach(b, func(id uint32, v []byte) error {
		switch id {
		case idTimecodeScale:
			h.TimecodeScale = readUint(v)
			if h.TimecodeScale == 0 {
				return invalid("timecode scale 0")
			}
		case idDuration:
			h.Duration = readFloat(v)
		case idMuxingApp:
			h.MuxingApp = string(v)
		case idWritingApp:
			h.WritingApp = string(v)
		}
		return nil
	})
}

func parseTracks(b []byte, h *Header, maxTracks int) error {
	h.Tracks = h.Tracks[:0:0]
	err := forEach(b, func(id uint32, v []byte) error {
		if id != idTrackEntry {
			return nil
		}
		if len(h.Tracks) == maxTracks {
			return &Error{Code: CodeTooManyTracks, Msg: fmt.Sprintf("more than %d tracks", maxTracks)}
		}
		var t Track
		err := forEach(v, func(id uint32, v []byte) error {
			switch id {
			case idTrackNumber:
				t.Number = readUint(v)
			case idTrackUID:
				t.UID = readUint(v)
			case idTrackType:
				t.Type = readUint(v)
			case idCodecID:
				t.CodecID = string(v)
			case idCodecPrivate:
				t.CodecPrivate = v
			case idName:
				t.Name = string(v)
			case idDefaultDuration:
				t.DefaultDuration = readUint(v)
			case idVideo:
				t.Video = &Video{}
				return forEach(v, func(id uint32, v []byte) error {
					switch id {
					case idPixelWidth:
						t.Video.PixelWidth = readUint(v)
					case idPixelHeight:
						t.Video.PixelHeight = readUint(v)
					}
					return nil
				})
			case idAudio:
				t.Audio = &Audio{SamplingFrequency: 8000, Channels: 1}
				return forEach(v, func(id uint32, v []byte) error {
					switch id {
					case idSamplingFrequency:
						t.Audio.SamplingFrequency = readFloat(v)
					case idChannels:
						t.Audio.Channels = readUint(v)
					case idBitDepth:
						t.Audio.BitDepth = readUint(v)
					}
					return nil
				})
			}
			return nil
		})
		if err != nil {
			return err
		}
		if t.Number == 0 {
			return invalid("track without track number")
		}
		if h.Track(t.Number) != nil {
			return invalid("duplicate track number %d", t.Number)
		}
		h.Tracks = append(h.Tracks, t)
		return nil
	})
	if err != nil {
		return err
	}
	if len(h.Tracks) == 0 {
		return invalid("no tracks")
	}
	return nil
}

func parseTags(b []byte, tags []SimpleTag) ([]SimpleTag, error) {
	var simple func(v []byte) error
	simple = func(v []byte) error {
		var t SimpleTag
		err := forEach(v, func(id uint32, v []byte) error {
			switch id {
			case idTagName:
				t.Name = string(v)
			case idTagString:
				t.Value = string(v)
			}
			return nil
		})
		tags = append(tags, t)
		return err
	}
	err := forEach(b, func(id uint32, v []byte) error {
		if id != idTag {
			return nil
		}
		return forEach(v, func(id uint32, v []byte) error {
			if id == idSimpleTag {
				return simple(v)
			}
			return nil
		})
	})
	return tags, err
}

func parseBlockGroup(b []byte, frames []Frame) ([]Frame, error) {
	var block []byte
	var dur uint64
	ref := false
	err := forEach(b, func(id uint32, v []byte) error {
		switch id {
		case idBlock:
			block = v
		case idBlockDuration:
			dur = readUint(v)
		case idReferenceBlock:
			ref = true
		}
		return nil
	})
	if err != nil {
		return frames, err
	}
	if block == nil {
		return frames, invalid("block group without block")
	}
	start := len(frames)
	frames, err = parseBlock(block, false, dur, frames)
	if err != nil {
		return frames, err
	}
	for i := start; i < len(frames); i++ {
		frames[i].Keyframe = !ref
	}
	return frames, nil
}

// parseBlock decodes a Block or SimpleBlock body, appending its frames.
func parseBlock(b []byte, simple bool, dur uint64, frames []Frame) ([]Frame, error) {
	track, n := parseSize(b)
	if n == 0 || track == unknownSize || len(b) < n+3 {
		return frames, invalid("bad block header")
	}
	tc := int16(binary.BigEndian.Uint16(b[n:]))
	flags := b[n+2]
	data := b[n+3:]
	f := Frame{Track: track, Timecode: tc, Keyframe: simple && flags&0x80 != 0, Duration: dur}
	lacing := (flags >> 1) & 3
	if lacing == 0 {
		f.Data = data
		return append(frames, f), nil
	}
	if len(data) == 0 {
		return frames, invalid("laced block without frame count")
	}
	count := int(data[0]) + 1
	data = data[1:]
	var sizes [256]int
	total := 0
	switch lacing {
	case 1: // Xiph
		for i := 0; i < count-1; i++ {
			s := 0
			for {
				if len(data) == 0 {
					return frames, invalid("truncated xiph lacing")
				}
				c := data[0]
				data = data[1:]
				s += int(c)
				if c != 255 {
					break
				}
			}
			sizes[i] = s
			total += s
		}
	case 3: // EBML
		v, m := parseSize(data)
		if m == 0 || v == unknownSize || v > uint64(len(data)) {
			return frames, invalid("bad ebml lacing")
		}
		data = data[m:]
		sizes[0] = int(v)
		total = int(v)
		for i := 1; i < count-1; i++ {
			raw, m := parseSize(data)
			if m == 0 || raw == unknownSize {
				return frames, invalid("bad ebml lacing")
			}
			data = data[m:]
			delta := int64(raw) - (int64(1)<<(7*m-1) - 1)
			s := int64(sizes[i-1]) + delta
			if s < 0 || s > int64(len(data)) {
				return frames, invalid("bad ebml lacing size")
			}
			sizes[i] = int(s)
			total += int(s)
		}
	case 2: // fixed
		if len(data)%count != 0 {
			return frames, invalid("fixed lacing of %d bytes in %d frames", len(data), count)
		}
		for i := 0; i < count-1; i++ {
			sizes[i] = len(data) / count
			total += sizes[i]
		}
	}
	if total > len(data) {
		return frames, invalid("laced frames overrun their block")
	}
	sizes[count-1] = len(data) - total
	for i := 0; i < count; i++ {
		f.Data = data[:sizes[i]:sizes[i]]
		data = data[sizes[i]:]
		frames = append(frames, f)
	}
	return frames, nil
}

package mkv

import (
	"fmt"
	"io"
)

// GetMedia tag names (AWS_KINESISVIDEO_*). The fragment number and the
// timestamps describe the cluster that follows them; the continuation token
// and millis-behind-now are written after the cluster they refer to.
const (
	TagFragmentNumber     = "AWS_KINESISVIDEO_FRAGMENT_NUMBER"
	TagServerTimestamp    = "AWS_KINESISVIDEO_SERVER_TIMESTAMP"
	TagProducerTimestamp  = "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP"
	TagContinuationToken  = "AWS_KINESISVIDEO_CONTINUATION_TOKEN"
	TagMillisBehindNow    = "AWS_KINESISVIDEO_MILLIS_BEHIND_NOW"
	TagErrorCode          = "AWS_KINESISVIDEO_ERROR_CODE"
	TagErrorID            = "AWS_KINESISVIDEO_ERROR_ID"
	defaultWriterMuxerApp = "kinesin"
)

// Writer writes a Matroska stream: an EBML header and an unknown-size
// Segment with Info and Tracks (WriteHeader), then Clusters and Tags. It
// buffers one element at a time. It is not safe for concurrent use.
type Writer struct {
	w   io.Writer
	buf []byte
	hdr *Header
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

func (w *Writer) flush() error {
	_, err := w.w.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		return fmt.Errorf("mkv: write: %w", err)
	}
	return nil
}

// WriteHeader writes an EBML header and starts a new Segment of unknown size
// with h's Info and Tracks. Calling it again starts another segment (as
// GetMedia does for each chunk).
func (w *Writer) WriteHeader(h *Header) error {
	if len(h.Tracks) == 0 {
		return fmt.Errorf("mkv: write header: no tracks")
	}
	doc := h.DocType
	if doc == "" {
		doc = "matroska"
	}
	var body []byte
	body = appendUintElem(body, idEBMLVersion, 1)
	body = appendUintElem(body, idEBMLReadVersion, 1)
	body = appendUintElem(body, idEBMLMaxIDLength, 4)
	body = appendUintElem(body, idEBMLMaxSizeLength, 8)
	body = appendBytesElem(body, idDocType, []byte(doc))
	body = appendUintElem(body, idDocTypeVersion, 4)
	body = appendUintElem(body, idDocTypeReadVersion, 2)
	w.buf = appendMaster(w.buf[:0], idEBML, body)
	w.buf = appendID(w.buf, idSegment)
	w.buf = appendSize(w.buf, unknownSize)

	scale := h.TimecodeScale
	if scale == 0 {
		scale = DefaultTimecodeScale
	}
	body = body[:0]
	body = appendUintElem(body, idTimecodeScale, scale)
	if h.Duration > 0 {
		body = appendFloatElem(body, idDuration, h.Duration)
	}
	mux := h.MuxingApp
	if mux == "" {
		mux = defaultWriterMuxerApp
	}
	wapp := h.WritingApp
	if wapp == "" {
		wapp = defaultWriterMuxerApp
	}
	body = appendBytesElem(body, idMuxingApp, []byte(mux))
	body = appendBytesElem(body, idWritingApp, []byte(wapp))
	w.buf = appendMaster(w.buf, idInfo, body)

	var tracks []byte
	for _, t := range h.Tracks {
		var e []byte
		e = appendUintElem(e, idTrackNumber, t.Number)
		uid := t.UID
		if uid == 0 {
			uid = t.Number
		}
		e = appendUintElem(e, idTrackUID, uid)
		e = appendUintElem(e, idTrackType, t.Type)
		e = appendBytesElem(e, idCodecID, []byte(t.CodecID))
		if len(t.CodecPrivate) > 0 {
			e = appendBytesElem(e, idCodecPrivate, t.CodecPrivate)
		}
		if t.Name != "" {
			e = appendBytesElem(e, idName, []byte(t.Name))
		}
		if t.DefaultDuration > 0 {
			e = appendUintElem(e, idDefaultDuration, t.DefaultDuration)
		}
		if t.Video != nil {
			var v []byte
			v = appendUintElem(v, idPixelWidth, t.Video.PixelWidth)
			v = appendUintElem(v, idPixelHeight, t.Video.PixelHeight)
			e = appendMaster(e, idVideo, v)
		}
		if t.Audio != nil {
			var a []byte
			a = appendFloatElem(a, idSamplingFrequency, t.Audio.SamplingFrequency)
			a = appendUintElem(a, idChannels, t.Audio.Channels)
			if t.Audio.BitDepth > 0 {
				a = appendUintElem(a, idBitDepth, t.Audio.BitDepth)
			}
			e = appendMaster(e, idAudio, a)
		}
		tracks = appendMaster(tracks, idTrackEntry, e)
	}
	w.buf = appendMaster(w.buf, idTracks, tracks)
	w.hdr = h
	return w.flush()
}

// WriteTags writes one Tags element holding one Tag (with empty Targets)
// with tags as SimpleTags.
func (w *Writer) WriteTags(tags []SimpleTag) error {
	if len(tags) == 0 {
		return nil
	}
	var tag []byte
	tag = appendMaster(tag, idTargets, nil)
	for _, t := range tags {
		var s []byte
		s = appendBytesElem(s, idTagName, []byte(t.Name))
		s = appendBytesElem(s, idTagString, []byte(t.Value))
		tag = appendMaster(tag, idSimpleTag, s)
	}
	w.buf = appendMaster(w.buf[:0], idTags, appendMaster(nil, idTag, tag))
	return w.flush()
}

// WriteCluster writes c as a Cluster of known size with one SimpleBlock per
// frame, or a BlockGroup (with BlockDuration, and a ReferenceBlock if it is
// not a keyframe) for a frame with a Duration. c.Size and c.Tags are ignored.
func (w *Writer) WriteCluster(c *Cluster) error {
	if w.hdr == nil {
		return fmt.Errorf("mkv: write cluster: no header written")
	}
	size := idLen(idTimecode) + 1 + uintLen(c.Timecode)
	for i := range c.Frames {
		f := &c.Frames[i]
		if f.Track == 0 || f.Track >= 1<<56-1 {
			return fmt.Errorf("mkv: write cluster: bad track number %d", f.Track)
		}
		size += blockSize(f)
	}
	w.buf = appendID(w.buf[:0], idCluster)
	w.buf = appendSize(w.buf, uint64(size))
	w.buf = appendUintElem(w.buf, idTimecode, c.Timecode)
	for i := range c.Frames {
		w.buf = appendBlock(w.buf, &c.Frames[i])
	}
	return w.flush()
}

// blockBodyLen is the length of a (Simple)Block body for f.
func blockBodyLen(f *Frame) int { return sizeLen(f.Track) + 3 + len(f.Data) }

func groupBodyLen(f *Frame) int {
	bl := blockBodyLen(f)
	n := idLen(idBlock) + sizeLen(uint64(bl)) + bl
	n += idLen(idBlockDuration) + 1 + uintLen(f.Duration)
	if !f.Keyframe {
		n += 3 // ReferenceBlock of one byte
	}
	return n
}

// blockSize is the encoded size of f's SimpleBlock or BlockGroup element.
func blockSize(f *Frame) int {
	if f.Duration > 0 {
		gl := groupBodyLen(f)
		return idLen(idBlockGroup) + sizeLen(uint64(gl)) + gl
	}
	bl := blockBodyLen(f)
	return idLen(idSimpleBlock) + sizeLen(uint64(bl)) + bl
}

func appendBlock(b []byte, f *Frame) []byte {
	simple := f.Duration == 0
	if simple {
		b = appendID(b, idSimpleBlock)
	} else {
		b = appendID(b, idBlockGroup)
		b = appendSize(b, uint64(groupBodyLen(f)))
		b = appendID(b, idBlock)
	}
	b = appendSize(b, uint64(blockBodyLen(f)))
	b = appendSize(b, f.Track)
	b = append(b, byte(uint16(f.Timecode)>>8), byte(uint16(f.Timecode)))
	var flags byte
	if simple && f.Keyframe {
		flags |= 0x80
	}
	b = append(b, flags)
	b = append(b, f.Data...)
	if !simple {
		b = appendUintElem(b, idBlockDuration, f.Duration)
		if !f.Keyframe {
			b = append(b, idReferenceBlock, 0x81, 0xFF) // -1: the previous frame
		}
	}
	return b
}

// WriteChunk writes one GetMedia chunk: a new segment with h, the tags
// before the cluster (fragment number, server and producer timestamps), the
// cluster, then the tags after it (millis behind now, continuation token).
func (w *Writer) WriteChunk(h *Header, before []SimpleTag, c *Cluster, after []SimpleTag) error {
	if err := w.WriteHeader(h); err != nil {
		return err
	}
	if err := w.WriteTags(before); err != nil {
		return err
	}
	if err := w.WriteCluster(c); err != nil {
		return err
	}
	return w.WriteTags(after)
}

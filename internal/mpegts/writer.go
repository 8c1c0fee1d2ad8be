package mpegts

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/kinesin/kinesin/internal/aac"
	"github.com/kinesin/kinesin/internal/avc"
	"github.com/kinesin/kinesin/internal/media"
)

// TimestampOffset is added to every sample's PTS and DTS (and PCR) so that
// decoding times stay positive when B-frames put a DTS before zero; it is the
// same for every segment of a stream (1.4 s, as ffmpeg's muxer starts).
const TimestampOffset = 1400 * time.Millisecond

// pcrLead is how far the PCR (the arrival time of a packet at the decoder)
// runs behind the DTS of the access unit it travels with: the decoder's time
// to receive the access unit before it decodes it.
const pcrLead = 100 * time.Millisecond

// Fixed PIDs (ISO/IEC 13818-1 leaves 0x0010-0x1FFE to the program).
const (
	PIDPAT   = 0x0000
	PIDPMT   = 0x1000
	PIDVideo = 0x0100 // the first video track
	PIDAudio = 0x0101 // the first audio track
)

// Stream types of the PMT.
const (
	streamTypeH264 = 0x1B
	streamTypeAAC  = 0x0F // ISO/IEC 13818-7 audio with ADTS transport syntax
)

const (
	packetSize  = 188
	bufPackets  = 128 // packets buffered before a write to the destination
	mask33      = 1<<33 - 1
	maxADTSSize = 1<<13 - 1 // the 13-bit aac_frame_length
)

// ErrUnsupportedCodec is returned (wrapped, naming the codec) for a track TS
// segments cannot carry, such as HEVC.
var ErrUnsupportedCodec = errors.New("mpegts: codec not supported in MPEG-TS segments")

// audStartCode is an H.264 access unit delimiter NAL unit (primary_pic_type
// 7: any slice type) with its start code.
var audStartCode = []byte{0, 0, 0, 1, 0x09, 0xF0}

type elementary struct {
	number     uint64 // mkv TrackNumber, for errors
	pid        uint16
	streamID   byte // PES stream_id
	streamType byte // PMT stream_type
	video      bool
	cc         byte
	lengthSize int    // AVC NAL length size
	params     []byte // AVC: SPS and PPS in Annex B
	aac        *aac.Config
}

// Writer writes the segments of one stream (one set of tracks) as MPEG-TS.
// Its continuity counters run on from one WriteSegment to the next, so the
// segments it writes to one destination form one continuous transport stream.
// A Writer is not safe for concurrent use.
type Writer struct {
	dst     io.Writer
	streams []elementary
	pcr     int // index in streams of the PCR carrier
	pat     [packetSize]byte
	pmt     [packetSize]byte
	patCC   byte
	pmtCC   byte
	buf     []byte // packets not yet written to dst
	es      []byte // the elementary stream data of the current PES
	next    []int  // per track: the next sample to write
}

// NewWriter returns a Writer of tracks to dst. Every track must be H.264
// (with its avcC as Private, or in-band parameter sets when Private is
// empty) or AAC (with its AudioSpecificConfig as Private).
func NewWriter(dst io.Writer, tracks []media.Track) (*Writer, error) {
	w := new(Writer)
	if err := w.Reset(dst, tracks); err != nil {
		return nil, err
	}
	return w, nil
}

// Reset makes w write tracks to dst from continuity counter 0, as a new
// Writer would, reusing w's buffers.
func (w *Writer) Reset(dst io.Writer, tracks []media.Track) error {
	if err := w.reset(dst, tracks); err != nil {
		w.streams = w.streams[:0] // unusable until a Reset succeeds
		return err
	}
	return nil
}

func (w *Writer) reset(dst io.Writer, tracks []media.Track) error {
	w.dst = dst
	prev := w.streams[:cap(w.streams)] // their params buffers are reused
	w.streams = w.streams[:0]
	w.pcr = -1
	w.patCC, w.pmtCC = 0, 0
	w.buf = w.buf[:0]
	if len(tracks) == 0 {
		return errors.New("mpegts: no tracks")
	}
	if len(tracks) > 16 {
		return fmt.Errorf("mpegts: %d tracks, at most 16", len(tracks))
	}
	nextPID := uint16(PIDAudio + 1)
	var haveVideo, haveAudio bool
	var nVideo, nAudio byte
	for i := range tracks {
		t := &tracks[i]
		e := elementary{number: t.Number}
		if i < len(prev) {
			e.params = prev[i].params[:0]
		}
		switch t.CodecID {
		case media.CodecAVC:
			e.video, e.streamType, e.streamID = true, streamTypeH264, 0xE0+nVideo
			nVideo++
			e.lengthSize = t.LengthSize
			if cfg := t.AVC; cfg != nil || len(t.Private) > 0 {
				if cfg == nil {
					var err error
					if cfg, err = avc.ParseConfig(t.Private); err != nil {
						return fmt.Errorf("mpegts: track %d: %w", t.Number, err)
					}
				}
				if e.lengthSize == 0 {
					e.lengthSize = cfg.LengthSize
				}
				for _, ps := range [][][]byte{cfg.SPS, cfg.PPS} {
					for _, nal := range ps {
						e.params = append(e.params, 0, 0, 0, 1)
						e.params = append(e.params, nal...)
					}
				}
			}
			if e.lengthSize == 0 {
				e.lengthSize = 4
			}
			if e.lengthSize != 1 && e.lengthSize != 2 && e.lengthSize != 4 {
				return fmt.Errorf("mpegts: track %d: NAL length size %d", t.Number, e.lengthSize)
			}
			if !haveVideo {
				e.pid, haveVideo = PIDVideo, true
			}
		case media.CodecAAC:
			e.streamType, e.streamID = streamTypeAAC, 0xC0+nAudio
			nAudio++
			// ADTS signals AAC LC for object types it cannot express
			// (HE-AAC: implicit SBR), as aac.Config.ADTSHeader documents.
			e.aac = t.AAC
			if e.aac == nil {
				cfg, err := aac.ParseConfig(t.Private)
				if err != nil {
					return fmt.Errorf("mpegts: track %d: %w", t.Number, err)
				}
				e.aac = cfg
			}
			if !haveAudio {
				e.pid, haveAudio = PIDAudio, true
			}
		case media.CodecHEVC:
			return fmt.Errorf("%w: track %d: H.265 (%s) is served as fragmented MP4, not MPEG-TS", ErrUnsupportedCodec, t.Number, t.CodecID)
		default:
			return fmt.Errorf("%w: track %d: %q", ErrUnsupportedCodec, t.Number, t.CodecID)
		}
		if e.pid == 0 {
			e.pid = nextPID
			nextPID++
		}
		w.streams = append(w.streams, e)
	}
	for i := range w.streams {
		if w.streams[i].video {
			w.pcr = i
			break
		}
	}
	if w.pcr < 0 {
		w.pcr = 0
	}
	w.buildPSI()
	if cap(w.next) < len(tracks) {
		w.next = make([]int, len(tracks))
	}
	w.next = w.next[:len(tracks)]
	return nil
}

var writerPool = sync.Pool{New: func() any { return new(Writer) }}

// WriteSegment writes samples of tracks (samples[i] belongs to tracks[i],
// each in decoding order) to dst as one self-contained MPEG-TS segment:
// PAT, PMT, then every sample as a PES packet, interleaved by DTS.
// Continuity counters start at 0.
func WriteSegment(dst io.Writer, tracks []media.Track, samples [][]media.Sample) error {
	w := writerPool.Get().(*Writer)
	defer func() {
		w.dst = nil
		if cap(w.es) > 4<<20 {
			w.es = nil // do not pin one huge frame's buffer in the pool
		}
		writerPool.Put(w)
	}()
	if err := w.Reset(dst, tracks); err != nil {
		return err
	}
	return w.WriteSegment(samples)
}

// WriteSegment writes a PAT, a PMT and samples (samples[i] for the Writer's
// track i, each in decoding order), interleaved by DTS, and hands every
// byte to the destination before it returns.
func (w *Writer) WriteSegment(samples [][]media.Sample) error {
	if len(w.streams) == 0 {
		return errors.New("mpegts: writer has no tracks")
	}
	if len(samples) != len(w.streams) {
		return fmt.Errorf("mpegts: samples for %d tracks, the writer has %d", len(samples), len(w.streams))
	}
	w.writePSI()
	for i := range w.next {
		w.next[i] = 0
	}
	first := true
	for {
		// The next sample in decoding order; ties go to the earlier track.
		best := -1
		var bestDTS time.Duration
		for i, n := range w.next {
			if n < len(samples[i]) && (best < 0 || samples[i][n].DTS < bestDTS) {
				best, bestDTS = i, samples[i][n].DTS
			}
		}
		if best < 0 {
			break
		}
		s := &samples[best][w.next[best]]
		w.next[best]++
		if first && best != w.pcr {
			// The segment starts on another PID (audio before the
			// keyframe): give the decoder its clock first.
			w.writePCR((ticks(s.DTS) + offsetTicks - leadTicks) & mask33)
		}
		first = false
		var err error
		if w.streams[best].video {
			err = w.writeVideo(best, s)
		} else {
			err = w.writeAudio(best, s)
		}
		if err != nil {
			w.buf = w.buf[:0]
			return err
		}
	}
	return w.flush()
}

// writeVideo writes one H.264 access unit: AUD, SPS and PPS before a
// keyframe (unless the sample carries its own), then the sample's NAL units.
func (w *Writer) writeVideo(i int, s *media.Sample) error {
	e := &w.streams[i]
	data := s.Data
	// Drop the sample's own AUD: ours comes first, and parameter sets must
	// follow it.
	hasParams := false
	for rest, first := data, true; len(rest) > 0; first = false {
		n, typ, ok := nalAt(rest, e.lengthSize)
		if !ok {
			return fmt.Errorf("mpegts: track %d: sample at %v: truncated NAL unit", e.number, s.PTS)
		}
		if first && typ == avc.NALAUD {
			data = rest[n:]
		}
		if typ == avc.NALSPS {
			hasParams = true
			break
		}
		rest = rest[n:]
	}
	es := append(w.es[:0], audStartCode...)
	if s.Keyframe && !hasParams {
		es = append(es, e.params...)
	}
	es, err := avc.ToAnnexB(es, data, e.lengthSize)
	if err != nil {
		return fmt.Errorf("mpegts: track %d: sample at %v: %w", e.number, s.PTS, err)
	}
	w.es = es
	return w.writePES(i, s, es)
}

// nalAt returns the size (length field included) and type of the NAL unit
// at the start of b; an empty NAL unit (which avc.ToAnnexB skips) has type
// 0.
func nalAt(b []byte, lengthSize int) (n int, typ byte, ok bool) {
	if len(b) < lengthSize {
		return 0, 0, false
	}
	size := 0
	for _, c := range b[:lengthSize] {
		size = size<<8 | int(c)
	}
	if size > len(b)-lengthSize {
		return 0, 0, false
	}
	if size == 0 {
		return lengthSize, 0, true
	}
	return lengthSize + size, b[lengthSize] & 0x1F, true
}

// writeAudio writes one AAC frame with its ADTS header.
func (w *Writer) writeAudio(i int, s *media.Sample) error {
	e := &w.streams[i]
	if len(s.Data)+7 > maxADTSSize {
		return fmt.Errorf("mpegts: track %d: AAC frame of %d bytes is too large for ADTS", e.number, len(s.Data))
	}
	es := e.aac.ADTSHeader(w.es[:0], len(s.Data))
	es = append(es, s.Data...)
	w.es = es
	return w.writePES(i, s, es)
}

// ticks converts d to the 90 kHz clock, rounded to the nearest tick,
// without overflowing for times since the Unix epoch.
func ticks(d time.Duration) int64 {
	q, r := int64(d)/100_000, int64(d)%100_000
	if r < 0 {
		q, r = q-1, r+100_000
	}
	return q*9 + (r*9+50_000)/100_000
}

var (
	offsetTicks = ticks(TimestampOffset)
	leadTicks   = ticks(pcrLead)
)

// writePES writes es as one PES packet of stream i, split into TS packets.
func (w *Writer) writePES(i int, s *media.Sample, es []byte) error {
	e := &w.streams[i]
	pts := (ticks(s.PTS) + offsetTicks) & mask33
	dts := (ticks(s.DTS) + offsetTicks) & mask33
	var hdr [19]byte
	hdr[2] = 1
	hdr[3] = e.streamID
	hdr[6] = 0x84 // '10', data_alignment_indicator: the PES starts an access unit
	n := 14
	if pts != dts {
		hdr[7] = 0xC0
		hdr[8] = 10
		putTimestamp(hdr[9:14], 0x3, pts)
		putTimestamp(hdr[14:19], 0x1, dts)
		n = 19
	} else {
		hdr[7] = 0x80
		hdr[8] = 5
		putTimestamp(hdr[9:14], 0x2, pts)
	}
	if size := n - 6 + len(es); size <= 0xFFFF {
		hdr[4], hdr[5] = byte(size>>8), byte(size)
	} else if !e.video {
		return fmt.Errorf("mpegts: track %d: PES of %d bytes", e.number, size)
	} // else 0: unbounded, allowed for video in a transport stream
	pcr := int64(-1)
	if i == w.pcr {
		pcr = (ticks(s.DTS) + offsetTicks - leadTicks) & mask33
	}
	return w.packetize(e, hdr[:n], es, pcr, e.video && s.Keyframe)
}

// writePCR writes a packet of the PCR PID that carries only an adaptation
// field with pcr. Its continuity counter repeats the PID's last one, as a
// packet without payload must.
func (w *Writer) writePCR(pcr int64) {
	e := &w.streams[w.pcr]
	p, _ := w.packet() // the buffer holds only the PSI: no flush
	p[0] = 0x47
	p[1] = byte(e.pid>>8) & 0x1F
	p[2] = byte(e.pid)
	p[3] = 0x20 | (e.cc-1)&0xF
	p[4] = 183
	p[5] = 0x10
	putPCR(p[6:12], pcr)
	for k := 12; k < packetSize; k++ {
		p[k] = 0xFF
	}
}

// putPCR writes a program_clock_reference: the 33-bit base, 6 reserved
// bits and a 9-bit extension of 0.
func putPCR(b []byte, pcr int64) {
	b[0] = byte(pcr >> 25)
	b[1] = byte(pcr >> 17)
	b[2] = byte(pcr >> 9)
	b[3] = byte(pcr >> 1)
	b[4] = byte(pcr<<7) | 0x7E
	b[5] = 0
}

// putTimestamp writes a 33-bit PTS or DTS with its 4-bit prefix and marker
// bits.
func putTimestamp(b []byte, prefix byte, t int64) {
	b[0] = prefix<<4 | byte(t>>29)&0x0E | 1
	b[1] = byte(t >> 22)
	b[2] = byte(t>>14)&0xFE | 1
	b[3] = byte(t >> 7)
	b[4] = byte(t<<1)&0xFE | 1
}

// packetize splits a PES (header hdr, payload es) into TS packets of e's
// PID. The first packet carries the PCR (if pcr >= 0) and the
// random_access_indicator; the last is padded with adaptation field
// stuffing.
func (w *Writer) packetize(e *elementary, hdr, es []byte, pcr int64, rai bool) error {
	for first := true; first || len(hdr)+len(es) > 0; first = false {
		p, err := w.packet()
		if err != nil {
			return err
		}
		p[0] = 0x47
		p[1] = byte(e.pid>>8) & 0x1F
		if first {
			p[1] |= 0x40 // payload_unit_start_indicator
		}
		p[2] = byte(e.pid)
		afMin := 0 // adaptation field bytes, its length byte included
		if first && (pcr >= 0 || rai) {
			afMin = 2
			if pcr >= 0 {
				afMin += 6
			}
		}
		af := afMin
		if remaining := len(hdr) + len(es); remaining < packetSize-4-afMin {
			af = packetSize - 4 - remaining
		}
		p[3] = 0x10 | e.cc
		e.cc = (e.cc + 1) & 0xF
		k := 4
		if af > 0 {
			p[3] |= 0x20
			p[4] = byte(af - 1)
			k = 5
			if af > 1 {
				flags := byte(0)
				if first && rai {
					flags |= 0x40
				}
				p[5] = flags
				k = 6
				if first && pcr >= 0 {
					p[5] |= 0x10
					putPCR(p[6:12], pcr)
					k = 12
				}
				for ; k < 4+af; k++ {
					p[k] = 0xFF
				}
			}
		}
		c := copy(p[k:], hdr)
		hdr = hdr[c:]
		k += c
		c = copy(p[k:], es)
		es = es[c:]
	}
	return nil
}

// packet returns the next 188 bytes of the buffer, writing the buffer to
// the destination first when it is full.
func (w *Writer) packet() ([]byte, error) {
	if cap(w.buf) == 0 {
		w.buf = make([]byte, 0, bufPackets*packetSize)
	}
	if len(w.buf)+packetSize > cap(w.buf) {
		if err := w.flush(); err != nil {
			return nil, err
		}
	}
	n := len(w.buf)
	w.buf = w.buf[:n+packetSize]
	return w.buf[n : n+packetSize], nil
}

func (w *Writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.dst.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		return fmt.Errorf("mpegts: write: %w", err)
	}
	return nil
}

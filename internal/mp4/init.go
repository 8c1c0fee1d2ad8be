package mp4

import (
	"fmt"
	"io"
	"math"

	"github.com/kinesin/kinesin/internal/media"
)

// movieTimescale is the timescale of mvhd, tkhd and edit lists (ms).
const movieTimescale = 1000

// Sample flags (ISO/IEC 14496-12 8.8.3.1): a sync sample depends on no
// other (sample_depends_on 2); any other sample depends on others (1) and
// is a non-sync sample.
const (
	flagsSync    = 0x02000000
	flagsNonSync = 0x01010000
)

// WriteInit writes the initialization segment of fragmented MP4 for tracks:
// ftyp and a moov with each track's sample description and a trex for it.
func WriteInit(w io.Writer, tracks []media.Track) error {
	if err := checkTracks(tracks); err != nil {
		return err
	}
	var b builder
	ftyp := b.start("ftyp")
	b.str("iso5")
	b.u32(512)
	b.str("iso5iso6mp41isomdash")
	b.end(ftyp)
	moov := b.start("moov")
	mvhd(&b, 0, tracks)
	for i := range tracks {
		if err := trak(&b, &tracks[i], nil); err != nil {
			return err
		}
	}
	mvex := b.start("mvex")
	for _, t := range tracks {
		trex := b.startFull("trex", 0, 0)
		b.u32(t.ID)
		b.u32(1) // default_sample_description_index
		b.u32(0) // default_sample_duration
		b.u32(0) // default_sample_size
		b.u32(0) // default_sample_flags
		b.end(trex)
	}
	b.end(mvex)
	b.end(moov)
	if _, err := w.Write(b.b); err != nil {
		return fmt.Errorf("mp4: write init segment: %w", err)
	}
	return nil
}

// checkTracks rejects what the writers cannot describe.
func checkTracks(tracks []media.Track) error {
	if len(tracks) == 0 {
		return fmt.Errorf("mp4: no tracks")
	}
	for i, t := range tracks {
		if t.ID == 0 {
			return fmt.Errorf("mp4: track %d: track id 0", i)
		}
		for _, u := range tracks[:i] {
			if u.ID == t.ID {
				return fmt.Errorf("mp4: track id %d used twice", t.ID)
			}
		}
		if t.Timescale == 0 {
			return fmt.Errorf("mp4: track %d: timescale 0", t.ID)
		}
		switch t.CodecID {
		case media.CodecAVC, media.CodecHEVC, media.CodecAAC:
		default:
			return fmt.Errorf("mp4: track %d: codec %q is not supported", t.ID, t.CodecID)
		}
		if len(t.Private) == 0 || len(t.Private) > 1<<20 {
			return fmt.Errorf("mp4: track %d: codec private data of %d bytes", t.ID, len(t.Private))
		}
		if t.Width < 0 || t.Width > math.MaxUint16 || t.Height < 0 || t.Height > math.MaxUint16 {
			return fmt.Errorf("mp4: track %d: picture size %dx%d", t.ID, t.Width, t.Height)
		}
	}
	return nil
}

// mvhd writes the movie header; duration is in movieTimescale.
func mvhd(b *builder, duration uint64, tracks []media.Track) {
	var next uint32
	for _, t := range tracks {
		next = max(next, t.ID)
	}
	v1 := duration > math.MaxUint32
	if v1 {
		o := b.startFull("mvhd", 1, 0)
		b.u64(0) // creation_time
		b.u64(0) // modification_time
		b.u32(movieTimescale)
		b.u64(duration)
		mvhdRest(b, next+1)
		b.end(o)
		return
	}
	o := b.startFull("mvhd", 0, 0)
	b.u32(0)
	b.u32(0)
	b.u32(movieTimescale)
	b.u32(uint32(duration))
	mvhdRest(b, next+1)
	b.end(o)
}

func mvhdRest(b *builder, nextTrackID uint32) {
	b.u32(0x00010000) // rate 1.0
	b.u16(0x0100)     // volume 1.0
	b.zeros(10)       // reserved
	b.matrix()
	b.zeros(24) // pre_defined
	b.u32(nextTrackID)
}

// fileTrack is what a progressive file's trak holds beyond the sample
// description: durations, the edit list and the sample tables.
type fileTrack struct {
	duration  uint64 // tkhd, movieTimescale
	mediaDur  uint64 // mdhd, track timescale
	emptyEdit uint64 // movieTimescale
	mainEdit  uint64 // movieTimescale
	mediaTime int64  // track timescale
	tables    func(b *builder)
}

// trak writes a track box; f is nil for fragmented MP4 (empty tables).
func trak(b *builder, t *media.Track, f *fileTrack) error {
	o := b.start("trak")
	tkhd(b, t, f)
	if f != nil {
		edts := b.start("edts")
		v := uint8(0)
		if f.emptyEdit > math.MaxUint32 || f.mainEdit > math.MaxUint32 || f.mediaTime > math.MaxInt32 {
			v = 1
		}
		elst := b.startFull("elst", v, 0)
		n := uint32(1)
		if f.emptyEdit > 0 {
			n = 2
		}
		b.u32(n)
		entry := func(dur uint64, mediaTime int64) {
			if v == 1 {
				b.u64(dur)
				b.u64(uint64(mediaTime))
			} else {
				b.u32(uint32(dur))
				b.u32(uint32(int32(mediaTime)))
			}
			b.u32(0x00010000) // media_rate 1.0
		}
		if f.emptyEdit > 0 {
			entry(f.emptyEdit, -1)
		}
		entry(f.mainEdit, f.mediaTime)
		b.end(elst)
		b.end(edts)
	}
	mdia := b.start("mdia")
	var mediaDur uint64
	if f != nil {
		mediaDur = f.mediaDur
	}
	if mediaDur > math.MaxUint32 {
		o := b.startFull("mdhd", 1, 0)
		b.u64(0)
		b.u64(0)
		b.u32(t.Timescale)
		b.u64(mediaDur)
		b.u16(0x55c4) // language "und"
		b.u16(0)
		b.end(o)
	} else {
		o := b.startFull("mdhd", 0, 0)
		b.u32(0)
		b.u32(0)
		b.u32(t.Timescale)
		b.u32(uint32(mediaDur))
		b.u16(0x55c4)
		b.u16(0)
		b.end(o)
	}
	hdlr := b.startFull("hdlr", 0, 0)
	b.u32(0) // pre_defined
	video := t.Kind == "video"
	if video {
		b.str("vide")
	} else {
		b.str("soun")
	}
	b.zeros(12)
	if video {
		b.str("VideoHandler\x00")
	} else {
		b.str("SoundHandler\x00")
	}
	b.end(hdlr)
	minf := b.start("minf")
	if video {
		vmhd := b.startFull("vmhd", 0, 1)
		b.zeros(8) // graphicsmode, opcolor
		b.end(vmhd)
	} else {
		smhd := b.startFull("smhd", 0, 0)
		b.zeros(4) // balance, reserved
		b.end(smhd)
	}
	dinf := b.start("dinf")
	dref := b.startFull("dref", 0, 0)
	b.u32(1)
	url := b.startFull("url ", 0, 1) // media in this file
	b.end(url)
	b.end(dref)
	b.end(dinf)
	stbl := b.start("stbl")
	stsd := b.startFull("stsd", 0, 0)
	b.u32(1)
	if err := sampleEntry(b, t); err != nil {
		return err
	}
	b.end(stsd)
	if f != nil {
		f.tables(b)
	} else {
		for _, typ := range [...]string{"stts", "stsc", "stco"} {
			o := b.startFull(typ, 0, 0)
			b.u32(0)
			b.end(o)
		}
		o := b.startFull("stsz", 0, 0)
		b.u32(0) // sample_size
		b.u32(0) // sample_count
		b.end(o)
	}
	b.end(stbl)
	b.end(minf)
	b.end(mdia)
	b.end(o)
	return nil
}

func tkhd(b *builder, t *media.Track, f *fileTrack) {
	var dur uint64
	if f != nil {
		dur = f.duration
	}
	const flags = 3 // track_enabled | track_in_movie
	if dur > math.MaxUint32 {
		o := b.startFull("tkhd", 1, flags)
		b.u64(0)
		b.u64(0)
		b.u32(t.ID)
		b.u32(0)
		b.u64(dur)
		tkhdRest(b, t)
		b.end(o)
		return
	}
	o := b.startFull("tkhd", 0, flags)
	b.u32(0)
	b.u32(0)
	b.u32(t.ID)
	b.u32(0)
	b.u32(uint32(dur))
	tkhdRest(b, t)
	b.end(o)
}

func tkhdRest(b *builder, t *media.Track) {
	b.zeros(8) // reserved
	b.u16(0)   // layer
	if t.Kind == "video" {
		b.u16(0) // alternate_group
		b.u16(0) // volume
	} else {
		b.u16(1)
		b.u16(0x0100)
	}
	b.u16(0) // reserved
	b.matrix()
	if t.Kind == "video" {
		b.u32(uint32(t.Width) << 16)
		b.u32(uint32(t.Height) << 16)
	} else {
		b.u32(0)
		b.u32(0)
	}
}

// sampleEntry writes t's sample description: avc1/avcC, hvc1/hvcC or
// mp4a/esds.
func sampleEntry(b *builder, t *media.Track) error {
	switch t.CodecID {
	case media.CodecAVC, media.CodecHEVC:
		typ, cfg := "avc1", "avcC"
		if t.CodecID == media.CodecHEVC {
			typ, cfg = "hvc1", "hvcC"
		}
		o := b.start(typ)
		b.zeros(6) // reserved
		b.u16(1)   // data_reference_index
		b.zeros(16)
		b.u16(uint16(t.Width))
		b.u16(uint16(t.Height))
		b.u32(0x00480000) // 72 dpi
		b.u32(0x00480000)
		b.u32(0)
		b.u16(1)    // frame_count
		b.zeros(32) // compressorname
		b.u16(0x0018)
		b.u16(0xffff) // pre_defined -1
		c := b.start(cfg)
		b.bytes(t.Private)
		b.end(c)
		b.end(o)
	case media.CodecAAC:
		o := b.start("mp4a")
		b.zeros(6)
		b.u16(1)
		b.zeros(8)
		ch := t.Channels
		if ch <= 0 || ch > math.MaxUint16 {
			ch = 2
		}
		b.u16(uint16(ch))
		b.u16(16) // samplesize
		b.u32(0)  // pre_defined, reserved
		rate := t.SampleRate
		if rate <= 0 {
			rate = int(t.Timescale)
		}
		if rate > math.MaxUint16 {
			rate = 0
		}
		b.u32(uint32(rate) << 16)
		esds := b.startFull("esds", 0, 0)
		es := b.descriptor(0x03) // ES_Descriptor
		b.u16(uint16(t.ID))
		b.u8(0)
		dc := b.descriptor(0x04) // DecoderConfigDescriptor
		b.u8(0x40)               // Audio ISO/IEC 14496-3
		b.u8(0x05<<2 | 1)        // AudioStream, reserved bit
		b.u24(0)                 // bufferSizeDB
		b.u32(0)                 // maxBitrate
		b.u32(0)                 // avgBitrate
		dsi := b.descriptor(0x05)
		b.bytes(t.Private)
		b.endDescriptor(dsi)
		b.endDescriptor(dc)
		sl := b.descriptor(0x06) // SLConfigDescriptor
		b.u8(2)
		b.endDescriptor(sl)
		b.endDescriptor(es)
		b.end(esds)
		b.end(o)
	default:
		return fmt.Errorf("mp4: track %d: codec %q is not supported", t.ID, t.CodecID)
	}
	return nil
}

package mp4

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/kinesin/kinesin/internal/media"
)

// state is the scratch space of one call, pooled so that writing a
// fragment allocates nothing per sample (nor, in the steady state, per
// call).
type state struct {
	b       builder
	times   []trackTimes
	patches []patch
	bw      *bufio.Writer
}

// patch is a trun data_offset to fill in once the moof's size is known.
type patch struct {
	pos int   // offset of the field in the moof
	off int64 // offset of the track's data in the mdat payload
}

var statePool = sync.Pool{New: func() any {
	return &state{bw: bufio.NewWriterSize(nil, 64<<10)}
}}

func getState(ntracks int) *state {
	st := statePool.Get().(*state)
	if cap(st.times) < ntracks {
		st.times = append(st.times[:cap(st.times)], make([]trackTimes, ntracks-cap(st.times))...)
	}
	st.times = st.times[:ntracks]
	st.b.b = st.b.b[:0]
	st.patches = st.patches[:0]
	return st
}

func putState(st *state) {
	st.bw.Reset(nil)
	if cap(st.b.b) > 4<<20 { // do not keep what one huge call grew
		st.b.b = nil
	}
	statePool.Put(st)
}

// WriteFragment writes one fragmented-MP4 media segment: a moof with
// sequence number seq and a traf for each track that has samples, then one
// mdat with the samples of the first track, then those of the second, and
// so on. samples[i] are tracks[i]'s samples in decode order.
//
// The traf's tfdt is the first sample's decode time in the track's
// timescale; a negative one (a base chosen after the first decode time)
// is written as 0.
func WriteFragment(w io.Writer, seq uint32, tracks []media.Track, samples [][]media.Sample) error {
	if len(samples) != len(tracks) {
		return fmt.Errorf("mp4: %d sample lists for %d tracks", len(samples), len(tracks))
	}
	if err := checkTracks(tracks); err != nil {
		return err
	}
	st := getState(len(tracks))
	defer putState(st)
	b := &st.b
	moof := b.start("moof")
	mfhd := b.startFull("mfhd", 0, 0)
	b.u32(seq)
	b.end(mfhd)
	var dataLen int64
	for i := range tracks {
		t, ss, tt := &tracks[i], samples[i], &st.times[i]
		if len(ss) == 0 {
			continue
		}
		if err := tt.compute(t, ss); err != nil {
			return err
		}
		traf := b.start("traf")
		tfhd := b.startFull("tfhd", 0, 0x020000) // default-base-is-moof
		b.u32(t.ID)
		b.end(tfhd)
		tfdt := b.startFull("tfdt", 1, 0)
		b.u64(uint64(max(tt.dts[0], 0)))
		b.end(tfdt)
		// data-offset, sample-duration, -size, -flags and
		// -composition-time-offset present
		trun := b.startFull("trun", 1, 0x000f01)
		b.u32(uint32(len(ss)))
		st.patches = append(st.patches, patch{pos: len(b.b), off: dataLen})
		b.u32(0)
		video := t.Kind == "video"
		for j := range ss {
			n := len(ss[j].Data)
			if int64(n) > math.MaxUint32 {
				return fmt.Errorf("mp4: track %d: sample %d too large", t.ID, j)
			}
			flags := uint32(flagsSync)
			if video && !ss[j].Keyframe {
				flags = flagsNonSync
			}
			b.b = binary.BigEndian.AppendUint32(b.b, tt.dur[j])
			b.b = binary.BigEndian.AppendUint32(b.b, uint32(n))
			b.b = binary.BigEndian.AppendUint32(b.b, flags)
			b.b = binary.BigEndian.AppendUint32(b.b, uint32(tt.cto[j]))
			dataLen += int64(n)
		}
		b.end(trun)
		b.end(traf)
	}
	b.end(moof)
	moofSize := int64(len(b.b))
	hdr := int64(8)
	if dataLen+8 > math.MaxUint32 {
		hdr = 16
	}
	for _, p := range st.patches {
		off := moofSize + hdr + p.off
		if off > math.MaxInt32 {
			return fmt.Errorf("mp4: fragment of %d bytes too large", dataLen)
		}
		binary.BigEndian.PutUint32(b.b[p.pos:], uint32(off))
	}
	if hdr == 8 {
		b.u32(uint32(dataLen + 8))
		b.str("mdat")
	} else {
		b.u32(1)
		b.str("mdat")
		b.u64(uint64(dataLen + 16))
	}
	bw := st.bw
	bw.Reset(w)
	bw.Write(b.b)
	for i := range tracks {
		for j := range samples[i] {
			bw.Write(samples[i][j].Data)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("mp4: write fragment: %w", err)
	}
	return nil
}

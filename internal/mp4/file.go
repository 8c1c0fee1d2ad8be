package mp4

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/kinesin/kinesin/internal/media"
)

// chunkDuration is how much of one track a chunk of a progressive file
// holds before the other tracks' samples of that time follow.
const chunkDuration = 500 * time.Millisecond

// chunk is a run of one track's consecutive samples stored together.
type chunk struct {
	track, first, count int
	off                 int64 // offset in the mdat payload
}

// WriteFile writes a progressive MP4 file: ftyp, moov (written first, with
// every sample's place in the file) and mdat. samples[i] are tracks[i]'s
// samples in decode order. Each track's decode times start at 0; its edit
// list starts its presentation at its first presentation time relative to
// the earliest one among the tracks.
func WriteFile(w io.Writer, tracks []media.Track, samples [][]media.Sample) error {
	if len(samples) != len(tracks) {
		return fmt.Errorf("mp4: %d sample lists for %d tracks", len(samples), len(tracks))
	}
	if err := checkTracks(tracks); err != nil {
		return err
	}
	st := getState(len(tracks))
	defer putState(st)
	times := st.times
	var (
		start    = time.Duration(math.MaxInt64) // earliest presentation time
		minPTS   = make([]time.Duration, len(tracks))
		negCTO   bool
		nsamples int
	)
	for i := range tracks {
		if err := times[i].compute(&tracks[i], samples[i]); err != nil {
			return err
		}
		negCTO = negCTO || times[i].negCTO
		nsamples += len(samples[i])
		minPTS[i] = time.Duration(math.MaxInt64)
		for _, s := range samples[i] {
			minPTS[i] = min(minPTS[i], s.PTS)
		}
		start = min(start, minPTS[i])
	}
	if nsamples == 0 {
		return fmt.Errorf("mp4: no samples")
	}

	// Chunks, interleaved by decode time.
	var chunks []chunk
	perTrack := make([][]int, len(tracks)) // indexes into chunks
	next := make([]int, len(tracks))
	var dataLen int64
	for {
		best := -1
		for i := range tracks {
			if next[i] < len(samples[i]) && (best < 0 || samples[i][next[i]].DTS < samples[best][next[best]].DTS) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		ss := samples[best]
		c := chunk{track: best, first: next[best], off: dataLen}
		for j := next[best]; j < len(ss) && (j == c.first || ss[j].DTS-ss[c.first].DTS < chunkDuration); j++ {
			c.count++
			dataLen += int64(len(ss[j].Data))
		}
		next[best] += c.count
		perTrack[best] = append(perTrack[best], len(chunks))
		chunks = append(chunks, c)
	}

	// Durations and edits.
	files := make([]fileTrack, len(tracks))
	var movieDur uint64
	for i := range tracks {
		t, tt, f := &tracks[i], &times[i], &files[i]
		if len(samples[i]) == 0 {
			continue
		}
		// In the file a sample's decode time is the sum of the durations
		// before it (stts), which for AAC differs from its DTS by the
		// rounding that snapAAC evens out.
		var end int64
		first := int64(math.MaxInt64)
		for j := range tt.dts {
			c := int64(f.mediaDur) + int64(tt.cto[j])
			first = min(first, c)
			end = max(end, c+int64(tt.dur[j]))
			f.mediaDur += uint64(tt.dur[j])
		}
		f.mediaTime = max(first, 0)
		f.mainEdit = uint64(max(rescale(end-f.mediaTime, t.Timescale, movieTimescale), 0))
		f.emptyEdit = uint64(ticks(minPTS[i]-start, movieTimescale))
		f.duration = f.emptyEdit + f.mainEdit
		movieDur = max(movieDur, f.duration)
	}

	var ftyp builder
	o := ftyp.start("ftyp")
	ftyp.str("isom")
	ftyp.u32(512)
	ftyp.str("isomiso2mp41")
	for _, t := range tracks {
		if t.CodecID == media.CodecAVC {
			ftyp.str("avc1")
			break
		}
	}
	if negCTO {
		ftyp.str("iso4")
	}
	ftyp.end(o)

	moov := func(b *builder, base int64, co64 bool) error {
		b.b = b.b[:0]
		o := b.start("moov")
		mvhd(b, movieDur, tracks)
		for i := range tracks {
			if len(samples[i]) == 0 {
				continue
			}
			f := &files[i]
			f.tables = func(b *builder) {
				sampleTables(b, &tracks[i], samples[i], &times[i], chunks, perTrack[i], base, co64)
			}
			if err := trak(b, &tracks[i], f); err != nil {
				return err
			}
		}
		b.end(o)
		return nil
	}
	b := &st.b
	if err := moov(b, 0, false); err != nil {
		return err
	}
	mdatHdr := int64(8)
	if dataLen+8 > math.MaxUint32 {
		mdatHdr = 16
	}
	co64 := int64(len(ftyp.b)+len(b.b))+mdatHdr+dataLen > math.MaxUint32
	if co64 {
		if err := moov(b, 0, true); err != nil {
			return err
		}
	}
	// The moov's size does not depend on the offsets it holds.
	if err := moov(b, int64(len(ftyp.b)+len(b.b))+mdatHdr, co64); err != nil {
		return err
	}

	bw := st.bw
	bw.Reset(w)
	bw.Write(ftyp.b)
	bw.Write(b.b)
	var hdr builder
	if mdatHdr == 8 {
		hdr.u32(uint32(dataLen + 8))
		hdr.str("mdat")
	} else {
		hdr.u32(1)
		hdr.str("mdat")
		hdr.u64(uint64(dataLen + 16))
	}
	bw.Write(hdr.b)
	for _, c := range chunks {
		for _, s := range samples[c.track][c.first : c.first+c.count] {
			bw.Write(s.Data)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("mp4: write file: %w", err)
	}
	return nil
}

// sampleTables writes a track's stts, ctts, stss, stsc, stsz and stco (or
// co64); base is the file offset of the mdat payload.
func sampleTables(b *builder, t *media.Track, ss []media.Sample, tt *trackTimes, chunks []chunk, mine []int, base int64, co64 bool) {
	// stts: runs of equal durations.
	o := b.startFull("stts", 0, 0)
	countPos := len(b.b)
	b.u32(0)
	var runs uint32
	for j := 0; j < len(tt.dur); {
		k := j + 1
		for k < len(tt.dur) && tt.dur[k] == tt.dur[j] {
			k++
		}
		b.u32(uint32(k - j))
		b.u32(tt.dur[j])
		runs++
		j = k
	}
	putU32(b.b[countPos:], runs)
	b.end(o)

	if tt.anyCTO {
		v := uint8(0)
		if tt.negCTO {
			v = 1
		}
		o := b.startFull("ctts", v, 0)
		countPos := len(b.b)
		b.u32(0)
		var runs uint32
		for j := 0; j < len(tt.cto); {
			k := j + 1
			for k < len(tt.cto) && tt.cto[k] == tt.cto[j] {
				k++
			}
			b.u32(uint32(k - j))
			b.u32(uint32(tt.cto[j]))
			runs++
			j = k
		}
		putU32(b.b[countPos:], runs)
		b.end(o)
	}

	if t.Kind == "video" {
		o := b.startFull("stss", 0, 0)
		countPos := len(b.b)
		b.u32(0)
		var keys uint32
		for j, s := range ss {
			if s.Keyframe {
				b.u32(uint32(j + 1))
				keys++
			}
		}
		putU32(b.b[countPos:], keys)
		b.end(o)
	}

	o = b.startFull("stsc", 0, 0)
	countPos = len(b.b)
	b.u32(0)
	runs = 0
	for k, ci := range mine {
		if k == 0 || chunks[ci].count != chunks[mine[k-1]].count {
			b.u32(uint32(k + 1)) // first_chunk
			b.u32(uint32(chunks[ci].count))
			b.u32(1) // sample_description_index
			runs++
		}
	}
	putU32(b.b[countPos:], runs)
	b.end(o)

	o = b.startFull("stsz", 0, 0)
	b.u32(0)
	b.u32(uint32(len(ss)))
	for _, s := range ss {
		b.u32(uint32(len(s.Data)))
	}
	b.end(o)

	if co64 {
		o = b.startFull("co64", 0, 0)
		b.u32(uint32(len(mine)))
		for _, ci := range mine {
			b.u64(uint64(base + chunks[ci].off))
		}
	} else {
		o = b.startFull("stco", 0, 0)
		b.u32(uint32(len(mine)))
		for _, ci := range mine {
			b.u32(uint32(base + chunks[ci].off))
		}
	}
	b.end(o)
}

func putU32(p []byte, v uint32) {
	p[0], p[1], p[2], p[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}

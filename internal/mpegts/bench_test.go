package mpegts

import (
	"io"
	"testing"

	"github.com/kinesin/kinesin/internal/media"
)

func sampleBytes(samples [][]media.Sample) int64 {
	var n int64
	for _, tr := range samples {
		for _, s := range tr {
			n += int64(len(s.Data))
		}
	}
	return n
}

// BenchmarkWriteSegment remuxes the first cluster of av.mkv (H.264 + AAC)
// per iteration; the throughput is of sample bytes in.
func BenchmarkWriteSegment(b *testing.B) {
	s := fixture(b, "av.mkv")
	seg := s.samples[0]
	b.SetBytes(sampleBytes(seg))
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteSegment(io.Discard, s.tracks, seg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriter is one Writer writing every cluster of av.mkv in turn:
// no allocations once its buffers have grown.
func BenchmarkWriter(b *testing.B) {
	s := fixture(b, "av.mkv")
	var n int64
	for _, seg := range s.samples {
		n += sampleBytes(seg)
	}
	w, err := NewWriter(io.Discard, s.tracks)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, seg := range s.samples {
			if err := w.WriteSegment(seg); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkLargeFrames writes 2 Mbit/s-sized access units (about 8 KB per
// frame at 30 fps, 64 KB keyframes): mostly full packets.
func BenchmarkLargeFrames(b *testing.B) {
	s := fixture(b, "video.mkv")
	tr := s.tracks[0]
	var seg []media.Sample
	for i := range 30 {
		size := 8 << 10
		if i == 0 {
			size = 64 << 10
		}
		data := make([]byte, size)
		data[0], data[1], data[2], data[3] = byte((size-4)>>24), byte((size-4)>>16), byte((size-4)>>8), byte(size-4)
		data[4] = 0x41
		if i == 0 {
			data[4] = 0x65
		}
		seg = append(seg, media.Sample{PTS: s.samples[0][0][i].PTS, DTS: s.samples[0][0][i].DTS, Keyframe: i == 0, Data: data})
	}
	samples := [][]media.Sample{seg}
	w, err := NewWriter(io.Discard, []media.Track{tr})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(sampleBytes(samples))
	b.ReportAllocs()
	for b.Loop() {
		if err := w.WriteSegment(samples); err != nil {
			b.Fatal(err)
		}
	}
}

package mpegts

import (
	"bytes"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/media"
)

// FuzzWriteSegment feeds producer-controlled bytes (an avcC, H.264 samples
// and AAC frames as PutMedia stored them) to WriteSegment: it must either
// fail with an error or write a transport stream the checker accepts, with
// one PES per sample.
func FuzzWriteSegment(f *testing.F) {
	s := fixture(f, "av.mkv")
	video, audio := s.tracks[0], s.tracks[1]
	seg := s.samples[0]
	f.Add(video.Private, seg[0][0].Data, seg[0][1].Data, seg[1][0].Data, int64(seg[0][1].PTS), int64(seg[0][1].DTS))
	f.Add([]byte{}, []byte{0, 0, 0, 2, 9, 0x10, 0, 0, 0, 1, 0x65}, []byte{0, 0, 0, 0}, []byte{}, int64(-time.Hour), int64(1<<62))
	f.Add([]byte{1, 0x64, 0, 0x1f, 0xFC, 0xE1, 0, 1, 0x67, 1, 0, 1, 0x68}, []byte{0, 0, 0, 1, 0x67}, []byte{0, 0}, make([]byte, 200), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, private, key, delta, aac []byte, pts, dts int64) {
		v := video
		v.AVC, v.Private, v.LengthSize = nil, private, 0
		tracks := []media.Track{v, audio}
		samples := [][]media.Sample{
			{{Keyframe: true, Data: key}, {PTS: time.Duration(pts), DTS: time.Duration(dts), Data: delta}},
			{{PTS: time.Duration(pts), DTS: time.Duration(pts), Data: aac}},
		}
		var buf bytes.Buffer
		if err := WriteSegment(&buf, tracks, samples); err != nil {
			return
		}
		info, err := checkTS(buf.Bytes(), false)
		if err != nil {
			t.Fatal(err)
		}
		if len(info.pes) != 3 {
			t.Fatalf("%d PES for 3 samples", len(info.pes))
		}
	})
}

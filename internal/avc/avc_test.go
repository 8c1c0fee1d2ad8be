package avc

import (
	"bytes"
	"testing"
)

// record is the avcC of the 160x90 libx264 High 1.1 track in
// internal/mkv/testdata/video.mkv (with the High profile's trailing
// chroma/bit-depth bytes).
func record() []byte {
	return []byte{0x1, 0x64, 0x0, 0xb, 0xff, 0xe1, 0x0, 0x19, 0x67, 0x64, 0x0, 0xb, 0xac, 0xd9, 0x42, 0x8d, 0xf9,
		0x30, 0x11, 0x0, 0x0, 0x3, 0x0, 0x1, 0x0, 0x0, 0x3, 0x0, 0x3c, 0xf, 0x14, 0x29, 0x96, 0x1, 0x0, 0x6, 0x68,
		0xeb, 0xe3, 0xcb, 0x22, 0xc0, 0xfd, 0xf8, 0xf8, 0x0}
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig(record())
	if err != nil {
		t.Fatal(err)
	}
	if c.LengthSize != 4 || len(c.SPS) != 1 || len(c.PPS) != 1 || c.Codec() != "avc1.64000b" {
		t.Fatalf("%+v %s", c, c.Codec())
	}
	if w, h, err := c.Size(); w != 160 || h != 90 || err != nil {
		t.Fatalf("size %dx%d %v", w, h, err)
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, {0, 0x64, 0, 0x0b, 0xff, 0xe1, 0, 4}, record()[:10]} {
		if _, err := ParseConfig(bad); err == nil {
			t.Errorf("%x accepted", bad)
		}
	}
}

func TestAnnexB(t *testing.T) {
	sample := []byte{0, 0, 0, 2, 0x65, 0xaa, 0, 0, 0, 1, 0x06}
	out, err := ToAnnexB(nil, sample, 4)
	if err != nil || !bytes.Equal(out, []byte{0, 0, 0, 1, 0x65, 0xaa, 0, 0, 0, 1, 0x06}) {
		t.Fatalf("%x %v", out, err)
	}
	if !IsKeyframe(sample, 4) || IsKeyframe([]byte{0, 0, 0, 1, 0x41}, 4) {
		t.Fatal("keyframe detection")
	}
	if _, err := ToAnnexB(nil, []byte{0, 0, 0, 9, 1}, 4); err == nil {
		t.Fatal("overrun accepted")
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add(record())
	f.Add([]byte{1, 0x42, 0, 0x1e, 0xff, 0xe0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if err != nil {
			return
		}
		c.Codec()
		c.Size()
	})
}

func FuzzWalk(f *testing.F) {
	f.Add([]byte{0, 0, 0, 2, 0x65, 0xaa}, 4)
	f.Fuzz(func(t *testing.T, b []byte, ls int) {
		ToAnnexB(nil, b, ls)
	})
}

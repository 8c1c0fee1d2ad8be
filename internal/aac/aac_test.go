package aac

import "testing"

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		asc           []byte
		ot, rate, chn int
		codec         string
	}{
		{[]byte{0x12, 0x08}, 2, 44100, 1, "mp4a.40.2"},
		{[]byte{0x11, 0x90}, 2, 48000, 2, "mp4a.40.2"},
		{[]byte{0x13, 0x88, 0x56, 0xe5, 0xa5}, 2, 22050, 1, "mp4a.40.2"},
	} {
		c, err := ParseConfig(tc.asc)
		if err != nil || c.ObjectType != tc.ot || c.SampleRate != tc.rate || c.Channels != tc.chn || c.Codec() != tc.codec {
			t.Errorf("%x: %+v %v", tc.asc, c, err)
		}
	}
	if _, err := ParseConfig([]byte{0x12}); err == nil {
		t.Error("short config accepted")
	}
}

func TestADTSHeader(t *testing.T) {
	c := &Config{ObjectType: 2, SampleRateIndex: 4, SampleRate: 44100, Channels: 1}
	h := c.ADTSHeader(nil, 100)
	// FF F1, profile LC(1)<<6 | 44.1k(4)<<2 | 0, ch 1<<6 | len>>11, ...
	want := []byte{0xff, 0xf1, 0x50, 0x40, byte(107 >> 3), byte((107&7)<<5 | 0x1f), 0xfc}
	if string(h) != string(want) {
		t.Fatalf("% x, want % x", h, want)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte{0x12, 0x08})
	f.Add([]byte{0xf8, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		if c, err := ParseConfig(b); err == nil {
			c.ADTSHeader(nil, 10)
			c.Codec()
		}
	})
}

package images

import (
	"bytes"
	"testing"
	"time"
)

// BenchmarkGetImages measures one full page: 25 JPEG images at 200 ms
// intervals over 5 s of 320x180 video (5 fragments, one ffmpeg run).
func BenchmarkGetImages(b *testing.B) {
	needFFmpeg(b)
	e := setup(b, 5, Config{})
	in := map[string]any{"StreamName": "cam", "ImageSelectorType": "PRODUCER_TIMESTAMP",
		"StartTimestamp": epoch(base), "EndTimestamp": epoch(base.Add(5 * time.Second)), "SamplingInterval": 200, "Format": "JPEG"}
	for b.Loop() {
		if out := getImages(b, e.url, in); len(out.Images) != 25 {
			b.Fatalf("%d images", len(out.Images))
		}
	}
}

func BenchmarkSplitJPEG(b *testing.B) {
	all := bytes.Repeat(encoded(b, FormatJPEG), 25)
	b.SetBytes(int64(len(all)))
	for b.Loop() {
		if imgs, err := split(all, FormatJPEG); err != nil || len(imgs) != 25 {
			b.Fatal(len(imgs), err)
		}
	}
}

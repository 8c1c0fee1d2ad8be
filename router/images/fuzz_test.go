package images

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func testImage() image.Image {
	m := image.NewRGBA(image.Rect(0, 0, 17, 9))
	for y := range 9 {
		for x := range 17 {
			m.Set(x, y, color.RGBA{uint8(x * 15), uint8(y * 28), 0xFF, 0xFF})
		}
	}
	return m
}

func encoded(t testing.TB, format string) []byte {
	var b bytes.Buffer
	var err error
	if format == FormatPNG {
		err = png.Encode(&b, testImage())
	} else {
		err = jpeg.Encode(&b, testImage(), &jpeg.Options{Quality: 90})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSplit(t *testing.T) {
	for _, format := range []string{FormatJPEG, FormatPNG} {
		one := encoded(t, format)
		three := bytes.Repeat(one, 3)
		imgs, err := split(three, format)
		if err != nil || len(imgs) != 3 {
			t.Fatalf("%s: %d images, %v", format, len(imgs), err)
		}
		for _, img := range imgs {
			if !bytes.Equal(img, one) {
				t.Fatalf("%s: image of %d bytes, want %d", format, len(img), len(one))
			}
		}
		imgs, err = split(three[:len(three)-3], format)
		if err == nil || len(imgs) != 2 {
			t.Fatalf("%s truncated: %d images, %v", format, len(imgs), err)
		}
	}
}

// FuzzSplit feeds arbitrary bytes to the JPEG and PNG splitters: they must
// not panic, and the images they return must tile a prefix of the input.
func FuzzSplit(f *testing.F) {
	j, p := encoded(f, FormatJPEG), encoded(f, FormatPNG)
	f.Add(j, false)
	f.Add(append(append([]byte{}, j...), j...), false)
	f.Add(p, true)
	f.Add(append(append([]byte{}, p...), p[:20]...), true)
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0x00, 0xFF, 0xD0, 0xFF, 0xD9}, false)
	f.Add([]byte("\x89PNG\r\n\x1a\n\xff\xff\xff\xffIEND"), true)
	f.Fuzz(func(t *testing.T, b []byte, isPNG bool) {
		format := FormatJPEG
		if isPNG {
			format = FormatPNG
		}
		imgs, _ := split(b, format)
		n := 0
		for _, img := range imgs {
			if len(img) == 0 || !bytes.Equal(img, b[n:n+len(img)]) {
				t.Fatalf("image %d is not the next part of the input", n)
			}
			n += len(img)
		}
	})
}

// FuzzParse feeds arbitrary request bodies to the GetImages parser: no
// panic, and an accepted request has a sane page.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"StreamName":"cam","ImageSelectorType":"PRODUCER_TIMESTAMP","StartTimestamp":1700000000,"EndTimestamp":1700000003.5,"SamplingInterval":500,"Format":"JPEG","FormatConfig":{"JPEGQuality":"40"},"WidthPixels":64,"HeightPixels":64,"MaxResults":5}`))
	f.Add([]byte(`{"StreamARN":"arn:aws:kinesisvideo:us-east-1:1:stream/a/1","ImageSelectorType":"SERVER_TIMESTAMP","StartTimestamp":"2023-11-14T22:13:20Z","EndTimestamp":1.7e9,"Format":"PNG","NextToken":"djE6MToxOjI6MzpmYWxzZQ=="}`))
	f.Add([]byte(`{"StreamName":"a","ImageSelectorType":"PRODUCER_TIMESTAMP","StartTimestamp":-1,"EndTimestamp":-0.5,"Format":"PNG","SamplingInterval":200}`))
	f.Add([]byte(`{`))
	f.Add([]byte(`{"FormatConfig":{}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, e := parse(body)
		if e != nil {
			return
		}
		if n := r.times(); n < 1 || r.first >= n || r.page < 1 || r.page > pageSize {
			t.Fatalf("times %d, first %d, page %d", n, r.first, r.page)
		}
		if tok := r.token(r.first); tok != "" {
			if k, ok := r.parseToken(tok); !ok || k != r.first {
				t.Fatalf("token round trip: %d %v", k, ok)
			}
		}
	})
}

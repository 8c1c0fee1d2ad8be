package mkv

import (
	"bytes"
	"io"
	"runtime"
	"testing"
)

func TestLargeFrame(t *testing.T) {
	data := make([]byte, 300_000)
	for i := range data {
		data[i] = byte(i)
	}
	in := writeStream(t, testHeader(1), &Cluster{Timecode: 5, Frames: []Frame{{Track: 1, Keyframe: true, Data: data}}})
	for _, b := range [][]byte{in, unknownSizeClusters(t, in)} {
		_, cs := readAll(t, b, ReaderOptions{})
		if len(cs) != 1 || !bytes.Equal(cs[0].Frames[0].Data, data) {
			t.Fatal("large frame differs")
		}
	}
	// Declared but never delivered: the reader must not allocate it all.
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	_, err := NewReader(bytes.NewReader(in[:len(in)-len(data)+10]), ReaderOptions{}).Next()
	runtime.ReadMemStats(&ms1)
	if ErrorCode(err) != CodeInvalidMKV {
		t.Fatalf("err %v", err)
	}
	if d := ms1.TotalAlloc - ms0.TotalAlloc; d > 200_000 {
		t.Errorf("allocated %d bytes for a truncated frame", d)
	}
}

func FuzzReader(f *testing.F) {
	for _, name := range []string{"video.mkv", "av.mkv", "pipe.mkv"} {
		// The header and the start of the first cluster keep the seeds
		// small (the fuzzer mutates small inputs far faster).
		b := readFixture(f, name)
		f.Add(b[:2048])
		f.Add(unknownSizeClusters(f, b)[:2048])
	}
	laced := writeStream(f, testHeader(2), &Cluster{Timecode: 1, Frames: []Frame{{Track: 1, Keyframe: true, Data: []byte{1, 2, 3}}}})
	f.Add(append(laced, appendMaster(nil, idCluster, append(appendUintElem(nil, idTimecode, 2),
		appendBytesElem(nil, idSimpleBlock, []byte{0x82, 0, 1, 0x86, 2, 0x81, 0x40, 0x7F, 1, 2, 3, 4})...))...))
	f.Add([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	const maxCluster, maxHeader = 1 << 20, 1 << 16
	f.Fuzz(func(t *testing.T, in []byte) {
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		r := NewReader(bytes.NewReader(in), ReaderOptions{MaxClusterBytes: maxCluster, MaxHeaderBytes: maxHeader})
		for range 1 << 20 {
			c, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("error %T %v is not an *Error", err, err)
				}
				break
			}
			if c.Size > maxCluster {
				t.Fatalf("cluster of %d bytes over the limit", c.Size)
			}
			if h, _ := r.Header(); h == nil || len(h.Tracks) > DefaultMaxTracks {
				t.Fatal("cluster without a valid header")
			}
		}
		runtime.ReadMemStats(&ms1)
		// bufio buffer + one cluster's worth + what the input itself can
		// account for.
		if d := ms1.TotalAlloc - ms0.TotalAlloc; d > 4*maxCluster+uint64(64*len(in)) {
			t.Fatalf("allocated %d bytes for %d input bytes", d, len(in))
		}
	})
}

package images

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// split cuts ffmpeg's image2pipe output into its images: JPEG files end at
// their EOI marker, PNG files at their IEND chunk. A truncated last image
// is dropped with an error.
func split(b []byte, format string) ([][]byte, error) {
	next := jpegLen
	if format == FormatPNG {
		next = pngLen
	}
	var out [][]byte
	for len(b) > 0 {
		n, err := next(b)
		if err != nil {
			return out, err
		}
		out = append(out, b[:n:n])
		b = b[n:]
	}
	return out, nil
}

var errTruncated = errors.New("images: truncated or invalid image")

// jpegLen returns the length of the JPEG file at the start of b: markers
// with a length are skipped by it; after SOS the entropy-coded data runs to
// the next marker that is neither a stuffed 0xFF00 nor a restart marker.
func jpegLen(b []byte) (int, error) {
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		return 0, errTruncated
	}
	i := 2
	for {
		for i < len(b) && b[i] == 0xFF && i+1 < len(b) && b[i+1] == 0xFF {
			i++ // fill bytes
		}
		if i+1 >= len(b) || b[i] != 0xFF {
			return 0, errTruncated
		}
		m := b[i+1]
		i += 2
		switch {
		case m == 0xD9: // EOI
			return i, nil
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7):
			continue
		}
		if i+2 > len(b) {
			return 0, errTruncated
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return 0, errTruncated
		}
		i += n
		if m != 0xDA { // not SOS
			continue
		}
		for {
			j := bytes.IndexByte(b[i:], 0xFF)
			if j < 0 || i+j+1 >= len(b) {
				return 0, errTruncated
			}
			i += j
			if c := b[i+1]; c == 0x00 || (c >= 0xD0 && c <= 0xD7) || c == 0xFF {
				i++
				if c != 0xFF {
					i++
				}
				continue
			}
			break
		}
	}
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngLen returns the length of the PNG file at the start of b: the
// signature, then chunks (length, type, data, CRC) up to IEND.
func pngLen(b []byte) (int, error) {
	if !bytes.HasPrefix(b, pngSignature) {
		return 0, errTruncated
	}
	i := len(pngSignature)
	for {
		if i+8 > len(b) {
			return 0, errTruncated
		}
		n := int64(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		end := int64(i) + 12 + n
		if end > int64(len(b)) {
			return 0, errTruncated
		}
		i = int(end)
		if typ == "IEND" {
			return i, nil
		}
	}
}

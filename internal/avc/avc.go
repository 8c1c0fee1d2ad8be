package avc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// NAL unit types used here.
const (
	NALSlice = 1
	NALIDR   = 5
	NALSEI   = 6
	NALSPS   = 7
	NALPPS   = 8
	NALAUD   = 9
)

// Config is an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1).
type Config struct {
	Profile, Compat, Level byte
	LengthSize             int // bytes of each NAL unit's length prefix: 1, 2 or 4
	SPS, PPS               [][]byte
}

// ErrConfig is returned, wrapped, for a record that cannot be read.
var ErrConfig = errors.New("avc: invalid AVCDecoderConfigurationRecord")

// ParseConfig reads an AVCDecoderConfigurationRecord. The NAL units it
// returns alias b.
func ParseConfig(b []byte) (*Config, error) {
	if len(b) < 7 || b[0] != 1 {
		return nil, fmt.Errorf("%w: %d bytes", ErrConfig, len(b))
	}
	c := &Config{Profile: b[1], Compat: b[2], Level: b[3], LengthSize: int(b[4]&3) + 1}
	if c.LengthSize == 3 {
		return nil, fmt.Errorf("%w: NAL length size 3", ErrConfig)
	}
	p := 5
	var err error
	if c.SPS, p, err = units(b, p, int(b[p]&0x1f)); err != nil {
		return nil, err
	}
	if p >= len(b) {
		return nil, fmt.Errorf("%w: no PPS count", ErrConfig)
	}
	if c.PPS, _, err = units(b, p, int(b[p])); err != nil {
		return nil, err
	}
	if len(c.SPS) == 0 {
		return nil, fmt.Errorf("%w: no SPS", ErrConfig)
	}
	return c, nil
}

// units reads n 16-bit-length-prefixed NAL units after the count byte at p.
func units(b []byte, p, n int) ([][]byte, int, error) {
	p++
	out := make([][]byte, 0, n)
	for range n {
		if p+2 > len(b) {
			return nil, 0, fmt.Errorf("%w: truncated parameter set", ErrConfig)
		}
		l := int(binary.BigEndian.Uint16(b[p:]))
		p += 2
		if p+l > len(b) || l == 0 {
			return nil, 0, fmt.Errorf("%w: truncated parameter set", ErrConfig)
		}
		out = append(out, b[p:p+l])
		p += l
	}
	return out, p, nil
}

// Codec is the RFC 6381 codec string, as HLS CODECS and DASH codecs give
// it: "avc1." and the profile, compatibility and level bytes in hex.
func (c *Config) Codec() string {
	return fmt.Sprintf("avc1.%02x%02x%02x", c.Profile, c.Compat, c.Level)
}

// Size returns the picture size the first SPS describes, cropping applied.
func (c *Config) Size() (width, height int, err error) {
	return SPSSize(c.SPS[0])
}

// ToAnnexB appends sample's NAL units to dst with 4-byte start codes in
// place of their lengthSize-byte length prefixes.
func ToAnnexB(dst, sample []byte, lengthSize int) ([]byte, error) {
	err := Walk(sample, lengthSize, func(nal []byte) {
		dst = append(dst, 0, 0, 0, 1)
		dst = append(dst, nal...)
	})
	return dst, err
}

// Walk calls fn with each NAL unit of a length-prefixed sample.
func Walk(sample []byte, lengthSize int, fn func(nal []byte)) error {
	if lengthSize < 1 || lengthSize > 4 {
		return fmt.Errorf("avc: NAL length size %d", lengthSize)
	}
	for p := 0; p < len(sample); {
		if p+lengthSize > len(sample) {
			return fmt.Errorf("avc: truncated NAL length at %d of %d", p, len(sample))
		}
		var l int
		for i := range lengthSize {
			l = l<<8 | int(sample[p+i])
		}
		p += lengthSize
		if l > len(sample)-p {
			return fmt.Errorf("avc: NAL of %d bytes at %d overruns a %d-byte sample", l, p, len(sample))
		}
		if l > 0 {
			fn(sample[p : p+l])
		}
		p += l
	}
	return nil
}

// IsKeyframe reports whether a length-prefixed sample holds an IDR slice.
func IsKeyframe(sample []byte, lengthSize int) bool {
	idr := false
	Walk(sample, lengthSize, func(nal []byte) {
		if nal[0]&0x1f == NALIDR {
			idr = true
		}
	})
	return idr
}

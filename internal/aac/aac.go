package aac

import (
	"errors"
	"fmt"
)

// sampleRates are the rates of samplingFrequencyIndex 0..12 (ISO/IEC
// 14496-3 1.6.3.4).
var sampleRates = [...]int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// Config is an AudioSpecificConfig.
type Config struct {
	ObjectType      int // 2 = AAC LC
	SampleRateIndex int // 15 = explicit rate
	SampleRate      int
	Channels        int // channelConfiguration
}

// ErrConfig is returned, wrapped, for a config that cannot be read.
var ErrConfig = errors.New("aac: invalid AudioSpecificConfig")

// ParseConfig reads the leading fields of an AudioSpecificConfig.
func ParseConfig(b []byte) (*Config, error) {
	if len(b) < 2 {
		return nil, fmt.Errorf("%w: %d bytes", ErrConfig, len(b))
	}
	// A bit reader over at most the first 9 bytes is all the fields need.
	var v uint64
	n := min(len(b), 8)
	for i := range n {
		v = v<<8 | uint64(b[i])
	}
	bits := n * 8
	take := func(k int) int {
		bits -= k
		if bits < 0 {
			return -1
		}
		return int(v>>bits) & (1<<k - 1)
	}
	c := &Config{ObjectType: take(5)}
	if c.ObjectType == 31 {
		c.ObjectType = 32 + take(6)
	}
	c.SampleRateIndex = take(4)
	switch {
	case c.SampleRateIndex == 15:
		c.SampleRate = take(24)
	case c.SampleRateIndex >= 0 && c.SampleRateIndex < len(sampleRates):
		c.SampleRate = sampleRates[c.SampleRateIndex]
	default:
		return nil, fmt.Errorf("%w: sampling frequency index %d", ErrConfig, c.SampleRateIndex)
	}
	c.Channels = take(4)
	if c.ObjectType <= 0 || c.SampleRate <= 0 || c.Channels < 0 {
		return nil, fmt.Errorf("%w: truncated", ErrConfig)
	}
	return c, nil
}

// Codec is the RFC 6381 codec string: "mp4a.40." and the object type.
func (c *Config) Codec() string { return fmt.Sprintf("mp4a.40.%d", c.ObjectType) }

// ADTSHeader appends the 7-byte ADTS header (no CRC) of a raw frame of
// frameLen bytes to dst. ADTS can only signal object types 1–4 and the
// tabled sample rates; others are written as AAC LC at the nearest index,
// which is what players assume for HLS audio anyway.
func (c *Config) ADTSHeader(dst []byte, frameLen int) []byte {
	profile := c.ObjectType - 1
	if profile < 0 || profile > 3 {
		profile = 1
	}
	idx := c.SampleRateIndex
	if idx < 0 || idx >= len(sampleRates) {
		idx = nearestIndex(c.SampleRate)
	}
	total := frameLen + 7
	return append(dst,
		0xFF, 0xF1, // sync, MPEG-4, layer 0, no CRC
		byte(profile<<6|idx<<2|(c.Channels>>2)&1),
		byte((c.Channels&3)<<6|(total>>11)&3),
		byte(total>>3),
		byte((total&7)<<5|0x1F),
		0xFC, // buffer fullness 0x7FF, one raw data block
	)
}

func nearestIndex(rate int) int {
	best := 4
	for i, r := range sampleRates {
		if abs(r-rate) < abs(sampleRates[best]-rate) {
			best = i
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

package media

import (
	"fmt"
	"slices"
	"time"

	"github.com/kinesin/kinesin/internal/aac"
	"github.com/kinesin/kinesin/internal/avc"
	"github.com/kinesin/kinesin/internal/mkv"
)

// Matroska codec ids this package understands.
const (
	CodecAVC  = "V_MPEG4/ISO/AVC"
	CodecHEVC = "V_MPEGH/ISO/HEVC"
	CodecAAC  = "A_AAC"
)

// Track is one track of a presentation.
type Track struct {
	Number     uint64 // Matroska TrackNumber
	ID         uint32 // 1-based track id in the output container
	Kind       string // "video" or "audio"
	CodecID    string // Matroska CodecID
	Private    []byte // Matroska CodecPrivate: avcC, hvcC or AudioSpecificConfig
	Codec      string // RFC 6381 codec string (avc1.64001f, hvc1.1.6.L93.B0, mp4a.40.2)
	Width      int
	Height     int
	SampleRate int
	Channels   int
	Timescale  uint32 // 90000 for video, the sample rate for audio
	LengthSize int    // NAL length prefix size for AVC and HEVC
	AVC        *avc.Config
	AAC        *aac.Config
}

// Sample is one frame.
type Sample struct {
	DTS, PTS time.Duration
	Duration time.Duration
	Keyframe bool
	Data     []byte // as stored in Matroska: length-prefixed NAL units, raw AAC frames
}

// Tracks reads h's tracks. A codec other than H.264, H.265 and AAC is an
// error naming it.
func Tracks(h *mkv.Header) ([]Track, error) {
	out := make([]Track, 0, len(h.Tracks))
	for i, t := range h.Tracks {
		tr := Track{Number: t.Number, ID: uint32(i + 1), CodecID: t.CodecID, Private: t.CodecPrivate}
		switch t.CodecID {
		case CodecAVC:
			c, err := avc.ParseConfig(t.CodecPrivate)
			if err != nil {
				return nil, fmt.Errorf("media: track %d: %w", t.Number, err)
			}
			tr.Kind, tr.AVC, tr.Codec, tr.LengthSize, tr.Timescale = "video", c, c.Codec(), c.LengthSize, 90000
			if tr.Width, tr.Height, err = c.Size(); err != nil && t.Video == nil {
				return nil, fmt.Errorf("media: track %d: %w", t.Number, err)
			}
		case CodecHEVC:
			ls, codec, err := hevcConfig(t.CodecPrivate)
			if err != nil {
				return nil, fmt.Errorf("media: track %d: %w", t.Number, err)
			}
			tr.Kind, tr.Codec, tr.LengthSize, tr.Timescale = "video", codec, ls, 90000
		case CodecAAC:
			c, err := aac.ParseConfig(t.CodecPrivate)
			if err != nil {
				return nil, fmt.Errorf("media: track %d: %w", t.Number, err)
			}
			tr.Kind, tr.AAC, tr.Codec = "audio", c, c.Codec()
			tr.SampleRate, tr.Channels, tr.Timescale = c.SampleRate, c.Channels, uint32(c.SampleRate)
		default:
			return nil, fmt.Errorf("media: track %d: codec %q is not supported (H.264 %s, H.265 %s and AAC %s are)",
				t.Number, t.CodecID, CodecAVC, CodecHEVC, CodecAAC)
		}
		if t.Video != nil && t.Video.PixelWidth > 0 && tr.Width == 0 {
			tr.Width, tr.Height = int(t.Video.PixelWidth), int(t.Video.PixelHeight)
		}
		if t.Audio != nil && tr.Channels == 0 {
			tr.Channels = int(t.Audio.Channels)
		}
		out = append(out, tr)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("media: no tracks")
	}
	return out, nil
}

// hevcConfig reads the NAL length size and the codec string from an
// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1).
func hevcConfig(b []byte) (lengthSize int, codec string, err error) {
	if len(b) < 23 || b[0] != 1 {
		return 0, "", fmt.Errorf("media: invalid HEVCDecoderConfigurationRecord (%d bytes)", len(b))
	}
	space := [...]string{"", "A", "B", "C"}[b[1]>>6]
	tier := "L"
	if b[1]&0x20 != 0 {
		tier = "H"
	}
	profile := b[1] & 0x1f
	compat := uint32(b[2])<<24 | uint32(b[3])<<16 | uint32(b[4])<<8 | uint32(b[5])
	var rev uint32
	for i := range 32 {
		if compat&(1<<i) != 0 {
			rev |= 1 << (31 - i)
		}
	}
	codec = fmt.Sprintf("hvc1.%s%d.%X.%s%d", space, profile, rev, tier, b[12])
	cons := b[6:12]
	n := len(cons)
	for n > 0 && cons[n-1] == 0 {
		n--
	}
	for _, c := range cons[:n] {
		codec += fmt.Sprintf(".%X", c)
	}
	return int(b[21]&3) + 1, codec, nil
}

// Samples converts clusters, in stream order, to samples per track (in the
// order of tracks). Times are h's timecodes converted to durations; callers
// subtract their own base.
func Samples(h *mkv.Header, tracks []Track, clusters []*mkv.Cluster) [][]Sample {
	scale := time.Duration(h.TimecodeScale)
	if scale == 0 {
		scale = mkv.DefaultTimecodeScale
	}
	index := make(map[uint64]int, len(tracks))
	for i, t := range tracks {
		index[t.Number] = i
	}
	out := make([][]Sample, len(tracks))
	for _, c := range clusters {
		start := make([]int, len(tracks))
		for i := range out {
			start[i] = len(out[i])
		}
		for _, f := range c.Frames {
			i, ok := index[f.Track]
			if !ok {
				continue
			}
			pts := time.Duration(int64(c.Timecode)+int64(f.Timecode)) * scale
			out[i] = append(out[i], Sample{
				DTS: pts, PTS: pts, Keyframe: f.Keyframe, Data: f.Data,
				Duration: time.Duration(f.Duration) * scale,
			})
		}
		for i, t := range tracks {
			if t.Kind == "video" {
				decodeTimes(out[i][start[i]:])
			}
		}
	}
	for i, t := range tracks {
		durations(out[i], t, h)
	}
	return out
}

// decodeTimes sets the DTS of one cluster's video samples (in decode
// order): the sorted presentation times, less the largest reordering delay.
func decodeTimes(s []Sample) {
	if len(s) < 2 {
		return
	}
	pts := make([]time.Duration, len(s))
	for i := range s {
		pts[i] = s[i].PTS
	}
	slices.Sort(pts)
	var delay time.Duration
	for i := range s {
		delay = max(delay, pts[i]-s[i].PTS)
	}
	for i := range s {
		s[i].DTS = pts[i] - delay
	}
}

// durations fills each sample's duration from the next sample's decode
// time; the last keeps its block duration, or the track's default frame
// duration, or the one before it.
func durations(s []Sample, t Track, h *mkv.Header) {
	var def time.Duration
	if mt := h.Track(t.Number); mt != nil {
		def = time.Duration(mt.DefaultDuration)
	}
	if def == 0 && t.Kind == "audio" && t.SampleRate > 0 {
		def = time.Duration(1024) * time.Second / time.Duration(t.SampleRate)
	}
	for i := range s {
		switch {
		case i+1 < len(s) && s[i+1].DTS > s[i].DTS:
			s[i].Duration = s[i+1].DTS - s[i].DTS
		case s[i].Duration > 0:
		case def > 0:
			s[i].Duration = def
		case i > 0:
			s[i].Duration = s[i-1].Duration
		}
	}
}

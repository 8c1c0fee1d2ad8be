// Package mp4 writes ISO Base Media File Format (ISO/IEC 14496-12) files from
// container-neutral tracks and samples (internal/media): the initialization
// segment and media segments of fragmented MP4 that HLS (fMP4) and DASH
// serve, and plain progressive MP4 files that GetClip returns.
//
// Fragmented MP4: WriteInit writes ftyp and a moov whose sample tables are
// empty and whose mvex announces fragments; WriteFragment writes one moof
// (a traf per track with tfhd default-base-is-moof, a version 1 tfdt holding
// the first decode time and a version 1 trun with per-sample durations,
// sizes, flags and signed composition offsets) and one mdat holding the
// tracks' samples one track after the other. An init segment followed by
// fragments in sequence is a playable file.
//
// Progressive MP4: WriteFile writes ftyp, moov (with stts, ctts when
// presentation and decode times differ, stss for video, stsc, stsz and stco
// or co64) and then mdat, so that players can start before the whole file
// has arrived ("faststart"). Samples are interleaved in chunks of about half
// a second per track. Each track's edit list shifts it to where its first
// frame is presented relative to the earliest track.
//
// Times: a sample's decode time in a track's timescale is its DTS rounded to
// the nearest tick; a sample's duration is the difference to the next
// sample's decode time, so that rounding never accumulates. The last sample
// of a call lasts the median of the other durations (the track's frame
// duration). AAC tracks whose decode times are within a millisecond of a
// constant 1024-sample cadence (what Matroska's millisecond timecodes leave
// of it) get exact 1024-tick durations.
//
// The sample data is written as stored in Matroska: length-prefixed NAL units
// for H.264 (avc1 with the CodecPrivate as avcC) and H.265 (hvc1 with the
// CodecPrivate as hvcC), raw AAC frames (mp4a with an esds holding the
// AudioSpecificConfig).
package mp4

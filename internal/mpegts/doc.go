// Package mpegts writes MPEG-2 Transport Streams (ISO/IEC 13818-1) for HLS
// segments: what GetHLSStreamingSessionURL serves as getTSFragment.ts when
// the session's ContainerFormat is MPEG_TS.
//
// A segment is a PAT, a PMT and the samples of every track interleaved in
// decoding order, each sample one PES packet:
//
//   - H.264 (V_MPEG4/ISO/AVC): the length-prefixed NAL units stored in MKV
//     become Annex B (start codes), each access unit starts with an access
//     unit delimiter, and the SPS and PPS of the track's avcC precede every
//     keyframe, so a player can start decoding at any segment.
//   - AAC (A_AAC): each raw frame gets an ADTS header built from the track's
//     AudioSpecificConfig.
//   - HEVC is not written (HLS serves it as fMP4); WriteSegment says so.
//
// PIDs are fixed: PAT 0, PMT 0x1000, the first video track 0x100, the first
// audio track 0x101, further tracks 0x102 on. The PCR travels in the
// adaptation field of every PES start on the first video PID (the audio PID
// when there is no video), with random_access_indicator set on keyframes; a
// segment whose first sample is on another PID (audio ahead of the keyframe)
// starts with a PCR-only packet, so the clock always comes first.
// PTS and DTS are the samples' times on the 90 kHz clock plus
// TimestampOffset, modulo 2^33, so consecutive segments of one stream share
// one timeline whichever segment a player starts with.
//
// WriteSegment writes one self-contained segment whose continuity counters
// start at 0 (players accept that at segment boundaries); a Writer keeps them
// running across the segments it writes, for one continuous .ts file.
// Packets are built in a buffer owned by the Writer and handed to the
// destination in large writes; nothing is allocated per packet.
package mpegts

// Package avc reads what remuxing H.264 (AVC) from Matroska needs: the
// AVCDecoderConfigurationRecord a V_MPEG4/ISO/AVC track carries as its
// CodecPrivate (profile, level, NAL length size, SPS and PPS), the picture
// size from the first SPS, the RFC 6381 codec string that HLS and DASH
// advertise ("avc1.64001f"), and the conversion of length-prefixed samples
// to Annex B start codes for MPEG-TS.
package avc

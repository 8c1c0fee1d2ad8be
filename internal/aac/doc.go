// Package aac reads the AudioSpecificConfig an A_AAC Matroska track carries
// as its CodecPrivate, gives the RFC 6381 codec string HLS and DASH
// advertise ("mp4a.40.2") and writes the ADTS headers that MPEG-TS carries
// before each raw AAC frame.
package aac

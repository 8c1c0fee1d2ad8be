// Package media turns what Matroska holds (tracks and clusters of blocks)
// into the container-neutral tracks and samples that the MP4 and MPEG-TS
// writers take: codec parameters read once (internal/avc, internal/aac),
// and per-sample decode and presentation times, durations and key flags.
//
// Matroska block timecodes are presentation times. A decoder needs decode
// times too: within each cluster (a fragment starts with a keyframe, so its
// frames can be reordered among themselves) the decode times are the
// presentation times sorted, moved back by the largest reordering delay so
// that no frame is decoded after it is shown. Without B-frames both are
// equal.
package media

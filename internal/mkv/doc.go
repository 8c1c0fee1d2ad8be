// Package mkv reads and writes the subset of Matroska (EBML) that Kinesis
// Video Streams speaks: PutMedia uploads are read one Cluster (a fragment) at
// a time without buffering the whole upload, and GetMedia responses are
// written as chunks of EBML header, unknown-size Segment, Info, Tracks, Tags
// and one Cluster.
//
// Reading:
//
//	r := mkv.NewReader(body, mkv.ReaderOptions{MaxClusterDuration: 10 * time.Second})
//	for {
//		c, err := r.Next() // io.EOF after the last cluster
//		...
//		h, _ := r.Header() // tracks in effect for c
//	}
//
// The Reader understands what ffmpeg writes to a pipe (unknown-size Segment)
// and what live muxers write (unknown-size Clusters, which end at the next
// top-level element id), decodes Xiph, EBML and fixed-size lacing into
// frames, and skips elements it does not need (Cues, SeekHead, Void, CRC-32,
// Chapters, ...) by their size without reading them into memory. A new EBML
// header starts a new segment whose Info and Tracks replace the previous
// ones, so concatenated GetMedia chunks read back as one stream of clusters.
// A cluster is held in memory only up to ReaderOptions.MaxClusterBytes; a
// declared size the input never delivers costs no more memory than the bytes
// that did arrive.
//
// Errors are *Error values whose Code is the PutMedia acknowledgement ErrorId
// a handler should send: 4000 read error, 4001 fragment over
// MaxClusterBytes, 4002 fragment longer than MaxClusterDuration, 4004
// timecode going backwards (TimecodeChecker), 4006 invalid MKV, 4010 a
// block's track number missing from the tracks header, 4011 a track without
// frames in a fragment (Cluster.CheckTracks), 4012 more than MaxTracks
// tracks. ErrorCode maps any error to its code (5000 if it is not an *Error).
//
// Writing: Writer.WriteHeader starts a segment, WriteTags writes SimpleTag
// name/value pairs, WriteCluster a cluster of SimpleBlocks (BlockGroups for
// frames with a duration). WriteChunk writes one GetMedia chunk: header,
// the tags that describe the fragment (TagFragmentNumber,
// TagServerTimestamp, TagProducerTimestamp) before the cluster, and
// TagMillisBehindNow and TagContinuationToken after it.
package mkv

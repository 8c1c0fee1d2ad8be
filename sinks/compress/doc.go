// Package compress writes and reads the object encodings of Firehose's
// CompressionFormat: UNCOMPRESSED, GZIP, ZIP, Snappy and HADOOP_SNAPPY.
//
//   - GZIP: one gzip member.
//   - ZIP: a zip archive holding one entry (see EntryName).
//   - Snappy: the Snappy framing format (stream identifier "sNaPpY",
//     CRC-checked chunks), as python-snappy's stream mode and
//     snzip read it.
//   - HADOOP_SNAPPY: Hadoop's BlockCompressorStream layout used by
//     SnappyCodec: per block a 4-byte big-endian uncompressed length, then
//     chunks of a 4-byte big-endian compressed length and a raw Snappy
//     block, until the block's uncompressed bytes are accounted for.
//
// Writer and Reader are the only constructors the delivery engine needs;
// Extension gives the object name suffix. Implementations come from
// github.com/klauspost/compress.
package compress

// Package videostore keeps Kinesis Video Streams fragments in JetStream, so
// that any kinesin process can read, list and follow a stream that another
// process ingests.
//
// Each video stream id has two JetStream streams:
//
//   - the media stream (kinesin_video_<id>_media, subject
//     kinesin.video.<id>.media) holds every fragment as one self-contained
//     Matroska document (EBML header, Segment, Info, Tracks, one Cluster),
//     split into messages of up to 2 MiB (less when the server's max
//     payload is smaller);
//   - the index stream (kinesin_video_<id>, subject kinesin.video.<id>.index)
//     holds one small JSON message per fragment: its timestamps, duration,
//     size, session, tracks hash and the media sequence numbers of its chunks.
//
// A fragment's Seq is its index message's stream sequence, so Seq is dense
// (1, 2, 3, ...) and its FragmentNumber (FormatNumber) grows with it.
// Appends to one id are serialised in the process and, across processes, by
// publishing the index entry with an expected last sequence: two writers
// never produce entries out of order, and server timestamps never go back.
//
// Retention is JetStream's MaxAge on both streams (the media stream keeps a
// minute longer so that an index entry never outlives its media). Retention 0
// is AWS's host buffer: 5 minutes and 200 MB, whichever comes first; the
// byte limit is enforced by Append, which purges the oldest fragments' index
// entries and media together.
//
// Why not JetStream's object store: an object Put hashes every byte with
// SHA-256, looks up the previous object, creates a JetStream context and a
// reply subscription per call, a Get creates a consumer per object, and
// deleting an object leaves a marker; a fragment here is addressed by its
// chunks' sequence numbers and read back with direct gets, and trimming the
// host buffer is one purge by sequence.
package videostore

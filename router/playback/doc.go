// Package playback serves the playback half of the Kinesis Video Streams
// Archived Media API: HLS and MPEG-DASH streaming sessions
// (GetHLSStreamingSessionURL, GetDASHStreamingSessionURL and the playlist,
// manifest and fragment URLs they hand out) and GetClip.
//
// Nothing is transcoded: every fragment stored by router/videostore is one
// Kinesis Video fragment (an MKV cluster), remuxed on request into one
// fragmented-MP4 media segment (moof+mdat) or one MPEG-TS segment, and a
// GetClip range into one progressive MP4. Playlists and manifests are built
// from the fragment index on every request, so a fragment is playable as soon
// as it is stored.
//
// Sessions are stateless: the session token in every URL carries the
// session's parameters (stream, playback mode, selector, container, expiry)
// and an HMAC-SHA256 over them. The HMAC key lives in a JetStream KV bucket,
// created by the first process that needs it and read by every other one, so
// any kinesin process on the same NATS deployment can serve a session minted
// by another.
//
// Media times: a fragment's cluster timecode is placed at the fragment's
// timestamp of the session's selector kind (producer or server) and its
// samples keep their offsets to it, so consecutive fragments play back to
// back and gaps in the stream are gaps in the media timeline (fMP4 decode
// times count from the Unix epoch; a GetClip starts at 0).
package playback

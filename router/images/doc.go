// Package images serves GetImages of the Kinesis Video Streams Archived
// Media API (POST /getImages, REST-JSON): still images, JPEG or PNG, taken
// from a video stream's stored fragments at a regular sampling interval.
//
// # Requests
//
// The members, limits and defaults are AWS's (API reference "GetImages"):
// ImageSelectorType PRODUCER_TIMESTAMP or SERVER_TIMESTAMP picks which
// fragment timestamps the range is read against; the range
// [StartTimestamp, EndTimestamp) is at most 300 seconds; SamplingInterval
// is in milliseconds, at least 200 (3000 when absent, its former minimum);
// FormatConfig holds only JPEGQuality, 1..100, default 80 (mapped onto
// ffmpeg's mjpeg quantiser 31..2). WidthPixels and HeightPixels stretch the
// image to that size when both are given; one alone keeps the aspect ratio
// (the reference allows this for HeightPixels; WidthPixels is treated
// alike rather than refused); neither keeps the source size. A response
// holds at most 25 images (MaxResults lowers that, as the reference says a
// larger value still pages by 25) and a NextToken to resume with the same
// request. Constraint violations are InvalidArgumentException with AWS's
// "N validation errors detected" wording, as Kinesis Video answers them; a
// stream with DataRetentionInHours 0 gets NoDataRetentionException.
//
// # Sampling
//
// The sampling times are StartTimestamp plus multiples of SamplingInterval
// before EndTimestamp (StartTimestamp alone when the range is shorter than
// the interval). Each gets the video frame shown at that time: the last
// frame whose presentation time is at or before it, within the fragment
// that holds it (a fragment's media ends one frame duration after its last
// frame). A time before the first frame, in a gap between fragments or
// after the last one is NO_MEDIA; a fragment without a video track, or
// media ffmpeg cannot decode, is MEDIA_ERROR. Each image carries its
// sampling time as TimeStamp.
//
// # Decoding
//
// Only the fragments holding a sampling time are read (plus, for one that
// does not start with a keyframe, up to three before it), reduced to their
// first video track and re-muxed with internal/mkv into a single Matroska
// segment whose timecodes are milliseconds after the first fragment's
// timestamp: concatenated stored fragments would be separate EBML
// segments, which ffmpeg's demuxer does not read as one stream. That
// segment goes to one ffmpeg process on stdin, run with -copyts so that a
// select filter picks exactly the wanted frames by their pts; showinfo
// reports the pts of each frame it lets through on stderr, which pairs
// every image of the image2pipe output (split at JPEG EOI / PNG IEND) with
// its frame. Fragments whose tracks change (a new codec configuration) or
// whose timestamps go back start another ffmpeg run.
//
// At most Config.Concurrency ffmpeg processes (default runtime.NumCPU())
// run at once; a request waits for a slot for as long as its context
// lives. ffmpeg is killed when the request's context ends, and its stderr
// (the last lines) is part of any decoding error that is logged.
//
// # Without ffmpeg
//
// ffmpeg is looked up in PATH (or Config.FFmpeg) when a request needs it.
// A server without it answers 501 NotImplemented, "GetImages needs ffmpeg
// on the server's PATH: apt-get install ffmpeg": the feature is missing
// from this deployment, which AWS reports as NotImplemented/501 (S3) —
// unlike 500 or 503, SDKs do not retry it, and unlike a 4xx it does not
// blame the request.
package images

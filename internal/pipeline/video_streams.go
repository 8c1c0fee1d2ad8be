package pipeline

import (
	"fmt"
	"regexp"
)

// VideoStream is one entry of the video_streams section: a Kinesis Video
// stream, as KinesisVideo's CreateStream has it.
type VideoStream struct {
	Name string
	// MediaType and DeviceName are descriptive; "" leaves the server's
	// value alone (AWS refuses empty strings for both).
	MediaType  string
	DeviceName string
	// KMSKeyID is recorded at creation; it cannot change afterwards.
	KMSKeyID string
	// RetentionHours is DataRetentionInHours; 0 keeps no archive.
	RetentionHours int
	// Tags is never nil; an empty map means "no tags".
	Tags map[string]string
	// Line is where the entry starts in the file.
	Line int
}

// videoStreamNameRe is KinesisVideo's StreamName pattern and length.
var videoStreamNameRe = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,256}$`)

// videoStreamARN matches arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MILLIS.
var videoStreamARN = regexp.MustCompile(`^arn:aws[a-z-]*:kinesisvideo:[a-z0-9-]+:[0-9]{12}:stream/[a-zA-Z0-9_.-]{1,256}/[0-9]{1,20}$`)

var videoStreamsSection = &Section{
	Name: "video_streams",
	Doc:  "Kinesis Video streams. Apply creates missing ones (CreateStream) and changes existing ones until they match: media type and device name with UpdateStream, retention with UpdateDataRetention (INCREASE_DATA_RETENTION or DECREASE_DATA_RETENTION by the difference), tags with TagStream and UntagStream; video streams not in the file are left alone. An event source mapping may read a video stream (`video_stream:`).",
	Fields: []Field{
		{
			Name: "name", Type: String, Required: true,
			Doc:    "Video stream name, unique within the file.",
			Checks: []Check{matches(`[a-zA-Z0-9_.-]{1,256}`)},
		},
		{
			Name: "media_type", Type: String, DefaultDoc: "none",
			Doc:    "The stream's media type, such as `video/h264` or `video/h264,audio/aac`; descriptive (players take the codecs from the media). Without it, apply leaves the server's value alone.",
			Checks: []Check{matches(`[\w\-\.\+]+/[\w\-\.\+]+(,[\w\-\.\+]+/[\w\-\.\+]+)*`), lengthBetween(1, 128)},
		},
		{
			Name: "retention_hours", Type: Int, Default: 0,
			Doc:    "How long fragments stay readable (DataRetentionInHours). 0 keeps no archive: media can only be consumed live (GetMedia, event source mappings) from a buffer of about 5 minutes, and HLS, DASH, GetClip and GetImages answer NoDataRetentionException.",
			Checks: []Check{between(0, 87600)},
		},
		{
			Name: "device_name", Type: String, DefaultDoc: "none",
			Doc:    "Name of the device that writes to the stream; without it, apply leaves the server's value alone.",
			Checks: []Check{matches(`[a-zA-Z0-9_.-]{1,128}`)},
		},
		{
			Name: "kms_key_id", Type: String, DefaultDoc: "none",
			Doc:    "KMS key id recorded with the stream at creation (KmsKeyId). It cannot change once the stream exists: apply reports a difference as an error.",
			Checks: []Check{lengthBetween(1, 2048)},
		},
		{
			Name: "tags", Type: StringMap, Default: map[string]string{},
			Doc:         "Tags of the stream; apply adds, changes and removes tags so that they equal this map.",
			Checks:      []Check{maxEntries(50)},
			KeyChecks:   []Check{lengthBetween(1, 128), notPrefix("aws:")},
			ValueChecks: []Check{lengthBetween(0, 256)},
		},
	},
	build:  buildVideoStream,
	finish: uniqueVideoStreamNames,
}

func buildVideoStream(f *File, e *entry) {
	f.VideoStreams = append(f.VideoStreams, VideoStream{
		Name:           e.str("name"),
		MediaType:      e.str("media_type"),
		DeviceName:     e.str("device_name"),
		KMSKeyID:       e.str("kms_key_id"),
		RetentionHours: e.int("retention_hours"),
		Tags:           e.strMap("tags"),
		Line:           e.node.Line,
	})
}

func uniqueVideoStreamNames(_ *File, es []*entry) {
	first := map[string]*entry{}
	for _, e := range es {
		name := e.str("name")
		if name == "" {
			continue
		}
		if prev, dup := first[name]; dup {
			e.errorf("name", "duplicate video stream %s (also %s at line %d)", name, prev.path, prev.node.Line)
			continue
		}
		first[name] = e
	}
}

// videoSourceChecks are the settings a mapping reading a video stream
// refuses, as the Lambda API of kinesin does: fragments are read in order
// by one reader, and there are no tumbling windows over them.
func videoSourceChecks(e *entry) {
	if e.given("parallelization_factor") && e.int("parallelization_factor") > 1 {
		e.errorf("parallelization_factor", "must be 1 for a video_stream source: its fragments are read in order by a single reader")
	}
	if e.given("tumbling_window_seconds") && e.int("tumbling_window_seconds") > 0 {
		e.errorf("tumbling_window_seconds", "not supported for a video_stream source")
	}
}

// videoBatchSize is kinesin's default batch size for a video stream
// source: a fragment event is small, but a fragment a function fetches is
// up to 50 MB.
const videoBatchSize = 10

func videoNameCheck() Check {
	return Check{Doc: "matches `[a-zA-Z0-9_.-]{1,256}`", fn: func(v any) string {
		if !videoStreamNameRe.MatchString(v.(string)) {
			return fmt.Sprintf("must be a video stream name ([a-zA-Z0-9_.-]{1,256}), got %q", v)
		}
		return ""
	}}
}

package pipeline

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func renderVideoStreams(b *bytes.Buffer, vs []VideoStream) {
	for _, v := range vs {
		fmt.Fprintf(b, "video stream %q line=%d media_type=%q device_name=%q kms_key_id=%q retention_hours=%d tags=",
			v.Name, v.Line, v.MediaType, v.DeviceName, v.KMSKeyID, v.RetentionHours)
		writeMap(b, v.Tags)
		b.WriteString("\n")
		if v.Tags == nil {
			b.WriteString("BUG: nil Tags\n")
		}
	}
}

func TestParseVideoStreams(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      []string // problems, "" for none
	}{
		{name: "defaults", src: "video_streams:\n  - name: cam1\n"},
		{name: "full", src: "video_streams:\n  - name: cam.1_x-y\n    media_type: video/h264,audio/aac\n    retention_hours: 168\n    device_name: door\n    kms_key_id: alias/k\n    tags: {site: berlin}\n"},
		{
			name: "bad values",
			src:  "video_streams:\n  - name: 'a b'\n    media_type: h264\n    retention_hours: -1\n    device_name: ''\n    tags: {'aws:x': y}\n",
			want: []string{
				`p.yaml:2: video_streams[0].name: must match [a-zA-Z0-9_.-]{1,256}, got "a b"`,
				`p.yaml:3: video_streams[0].media_type: must match [\w\-\.\+]+/[\w\-\.\+]+(,[\w\-\.\+]+/[\w\-\.\+]+)*, got "h264"`,
				`p.yaml:4: video_streams[0].retention_hours: must be at least 0`,
				`p.yaml:5: video_streams[0].device_name: must match [a-zA-Z0-9_.-]{1,128}, got ""`,
				`p.yaml:6: video_streams[0].tags.aws:x: key must not start with "aws:" (reserved by AWS)`,
			},
		},
		{
			name: "duplicate",
			src:  "video_streams:\n  - name: a\n  - name: a\n",
			want: []string{"p.yaml:3: video_streams[1].name: duplicate video stream a (also video_streams[0] at line 2)"},
		},
		{
			name: "unknown field",
			src:  "video_streams:\n  - name: a\n    retention: 2\n",
			want: []string{`p.yaml:3: video_streams[0].retention: unknown field; did you mean "retention_hours"?`},
		},
		{
			name: "mapping of a video stream",
			src:  "video_streams:\n  - name: cam\nevent_source_mappings:\n  - function: f\n    video_stream: cam\n",
		},
		{
			name: "mapping with stream and video_stream",
			src:  "event_source_mappings:\n  - function: f\n    stream: s\n    video_stream: cam\n",
			want: []string{"p.yaml:4: event_source_mappings[0].video_stream: not allowed with stream or source_arn (give one of them)"},
		},
		{
			name: "video mapping settings",
			src:  "event_source_mappings:\n  - function: f\n    video_stream: cam\n    parallelization_factor: 2\n    tumbling_window_seconds: 60\n",
			want: []string{
				"p.yaml:4: event_source_mappings[0].parallelization_factor: must be 1 for a video_stream source: its fragments are read in order by a single reader",
				"p.yaml:5: event_source_mappings[0].tumbling_window_seconds: not supported for a video_stream source",
			},
		},
		{
			name: "video stream ARN as source_arn",
			src:  "event_source_mappings:\n  - function: f\n    source_arn: arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam/1700000000000\n",
		},
		{
			name: "bad video ARN",
			src:  "event_source_mappings:\n  - function: f\n    source_arn: arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam\n",
			want: []string{`p.yaml:3: event_source_mappings[0].source_arn: must be a Kinesis stream or stream consumer ARN such as arn:aws:kinesis:us-east-1:000000000000:stream/orders, got "arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam" (or a Kinesis Video stream ARN arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MILLIS)`},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse("p.yaml", []byte(c.src))
			if c.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != strings.Join(c.want, "\n") {
				t.Fatalf("got\n%v\nwant\n%s", err, strings.Join(c.want, "\n"))
			}
			_ = f
		})
	}
}

func TestParseVideoStreamValues(t *testing.T) {
	f, err := Parse("p.yaml", []byte("video_streams:\n  - name: cam\n    media_type: video/h264\n    retention_hours: 24\n    tags: {a: b}\nevent_source_mappings:\n  - function: f\n    video_stream: cam\n  - function: g\n    video_stream: cam\n    batch_size: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	v := f.VideoStreams[0]
	if v.Name != "cam" || v.MediaType != "video/h264" || v.RetentionHours != 24 || v.Tags["a"] != "b" || v.Line != 2 {
		t.Errorf("video stream = %+v", v)
	}
	if m := f.Mappings[0]; m.VideoStream != "cam" || m.BatchSize != videoBatchSize || m.Source() != "cam" || m.Name() != "cam → f" {
		t.Errorf("mapping = %+v, want video_stream cam with batch size %d", m, videoBatchSize)
	}
	if m := f.Mappings[1]; m.BatchSize != 3 {
		t.Errorf("batch_size = %d, want the one given", m.BatchSize)
	}
}

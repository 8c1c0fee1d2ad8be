package pipeline_test

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesisvideo"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

func TestApplyVideoStreams(t *testing.T) {
	srv := testutil.Start(t, server.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	vc := testutil.KinesisVideo(srv.URL())
	ctx := context.Background()
	apply := func(src string) []string {
		t.Helper()
		f, err := pipeline.Parse("p.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		var logs []string
		if err := f.Apply(ctx, pipeline.Clients{Video: vc}, func(s string) { logs = append(logs, s) }); err != nil {
			t.Fatalf("apply: %v\nlog: %q", err, logs)
		}
		return logs
	}
	describe := func() (info map[string]string, tags map[string]string) {
		t.Helper()
		out, err := vc.DescribeStream(ctx, &kinesisvideo.DescribeStreamInput{StreamName: aws.String("cam1")})
		if err != nil {
			t.Fatal(err)
		}
		s := out.StreamInfo
		tg, err := vc.ListTagsForStream(ctx, &kinesisvideo.ListTagsForStreamInput{StreamName: aws.String("cam1")})
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{
			"media_type": aws.ToString(s.MediaType), "device_name": aws.ToString(s.DeviceName),
			"retention": strconv.Itoa(int(aws.ToInt32(s.DataRetentionInHours))),
			"status":    string(s.Status),
		}, tg.Tags
	}

	v1 := "video_streams:\n  - name: cam1\n    media_type: video/h264\n    retention_hours: 24\n    device_name: door\n    tags: {site: berlin, floor: '2'}\n"
	logs := apply(v1)
	if !slices.Contains(logs, "video stream cam1: created (retention 24h)") {
		t.Errorf("first apply logged %q", logs)
	}
	info, tags := describe()
	if info["media_type"] != "video/h264" || info["device_name"] != "door" || info["retention"] != "24" || info["status"] != "ACTIVE" {
		t.Errorf("after create: %v", info)
	}
	if !maps.Equal(tags, map[string]string{"site": "berlin", "floor": "2"}) {
		t.Errorf("tags = %v", tags)
	}
	if logs := apply(v1); !slices.Equal(logs, []string{"video stream cam1: unchanged", "no changes"}) {
		t.Errorf("second apply logged %q, want no changes", logs)
	}

	v2 := "video_streams:\n  - name: cam1\n    media_type: video/h265\n    retention_hours: 2\n    tags: {site: paris, zone: a}\n"
	logs = apply(v2)
	for _, want := range []string{
		"video stream cam1: media_type video/h264 → video/h265",
		"video stream cam1: retention_hours 24 → 2",
		"video stream cam1: tag floor removed",
		"video stream cam1: tag site=paris (was berlin)",
		"video stream cam1: tag zone=a added",
	} {
		if !slices.Contains(logs, want) {
			t.Errorf("apply v2 lacks %q: %q", want, logs)
		}
	}
	info, tags = describe()
	if info["media_type"] != "video/h265" || info["device_name"] != "door" || info["retention"] != "2" {
		t.Errorf("after update: %v (device_name is left alone when the file omits it)", info)
	}
	if !maps.Equal(tags, map[string]string{"site": "paris", "zone": "a"}) {
		t.Errorf("tags = %v", tags)
	}
	if logs := apply(v2); !slices.Equal(logs, []string{"video stream cam1: unchanged", "no changes"}) {
		t.Errorf("apply v2 again logged %q, want no changes", logs)
	}
	// Back up: INCREASE by the difference.
	if logs := apply(v1); !slices.Contains(logs, "video stream cam1: retention_hours 2 → 24") {
		t.Errorf("apply v1 again logged %q", logs)
	}
	if info, _ := describe(); info["retention"] != "24" {
		t.Errorf("retention = %s, want 24", info["retention"])
	}
}

func TestApplyVideoMappingNeedsStream(t *testing.T) {
	srv := testutil.Start(t, server.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	c := pipeline.Clients{Video: testutil.KinesisVideo(srv.URL()), Lambda: lambda.New(lambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: credentials.NewStaticCredentialsProvider("kinesin", "kinesin", ""),
	})}
	f, err := pipeline.Parse("p.yaml", []byte("event_source_mappings:\n  - function: f\n    video_stream: nope\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = f.Apply(context.Background(), c, nil)
	if err == nil || !strings.Contains(err.Error(), "video_stream nope: the video stream does not exist") {
		t.Errorf("err = %v", err)
	}
}

// TestApplyVideoKMSKey: a key given as an alias matches the ARN the server
// reports, and a different key is an error, since it cannot change.
func TestApplyVideoKMSKey(t *testing.T) {
	srv := testutil.Start(t, server.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	c := pipeline.Clients{Video: testutil.KinesisVideo(srv.URL())}
	apply := func(src string) ([]string, error) {
		f, err := pipeline.Parse("p.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		var logs []string
		err = f.Apply(context.Background(), c, func(s string) { logs = append(logs, s) })
		return logs, err
	}
	src := "video_streams:\n  - name: k\n    kms_key_id: alias/aws/kinesisvideo\n"
	if _, err := apply(src); err != nil {
		t.Fatal(err)
	}
	if logs, err := apply(src); err != nil || !slices.Contains(logs, "no changes") {
		t.Errorf("apply again: %v, %q", err, logs)
	}
	_, err := apply("video_streams:\n  - name: k\n    kms_key_id: alias/other\n")
	if err == nil || !strings.Contains(err.Error(), "cannot change once the stream exists") {
		t.Errorf("changed key: %v", err)
	}
}

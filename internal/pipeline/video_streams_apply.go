package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisvideo"
	kvtypes "github.com/aws/aws-sdk-go-v2/service/kinesisvideo/types"
)

// videoStream converges one video stream and returns how many changes it
// made. Fields the file leaves out (media_type, device_name) are left as
// the server has them; the version each update needs is read again after
// every change.
func (a *applier) videoStream(ctx context.Context, v *VideoStream) (int, error) {
	changes := 0
	logf := func(format string, args ...any) {
		changes++
		a.log(fmt.Sprintf("video stream %s: ", v.Name) + fmt.Sprintf(format, args...))
	}
	info, err := a.describeVideo(ctx, v.Name)
	if err != nil {
		return 0, err
	}
	if info != nil && info.Status == kvtypes.StatusDeleting {
		if err := poll(ctx, func() (bool, error) {
			info, err := a.describeVideo(ctx, v.Name)
			return info == nil, err
		}); err != nil {
			return 0, err
		}
		info = nil
	}
	if info == nil {
		in := &kinesisvideo.CreateStreamInput{
			StreamName:           aws.String(v.Name),
			DataRetentionInHours: aws.Int32(int32(v.RetentionHours)),
		}
		if v.MediaType != "" {
			in.MediaType = aws.String(v.MediaType)
		}
		if v.DeviceName != "" {
			in.DeviceName = aws.String(v.DeviceName)
		}
		if v.KMSKeyID != "" {
			in.KmsKeyId = aws.String(v.KMSKeyID)
		}
		if len(v.Tags) > 0 {
			in.Tags = v.Tags
		}
		_, err := a.vc.CreateStream(ctx, in)
		var inUse *kvtypes.ResourceInUseException
		switch {
		case errors.As(err, &inUse):
			// Created by someone else since we looked: converge it.
		case err != nil:
			return 0, err
		default:
			logf("created (retention %s)", videoRetentionText(v.RetentionHours))
		}
	}
	if info, err = a.videoActive(ctx, v.Name); err != nil {
		return changes, err
	}

	if have := aws.ToString(info.KmsKeyId); v.KMSKeyID != "" && have != "" && have != v.KMSKeyID && !strings.HasSuffix(have, ":"+v.KMSKeyID) {
		return changes, fmt.Errorf("kms_key_id is %s on the server and cannot change once the stream exists (delete the stream to recreate it)", have)
	}

	var diffs []string
	upd := &kinesisvideo.UpdateStreamInput{StreamName: aws.String(v.Name), CurrentVersion: info.Version}
	if v.MediaType != "" && aws.ToString(info.MediaType) != v.MediaType {
		upd.MediaType = aws.String(v.MediaType)
		diffs = append(diffs, fmt.Sprintf("media_type %s → %s", orNone(aws.ToString(info.MediaType)), v.MediaType))
	}
	if v.DeviceName != "" && aws.ToString(info.DeviceName) != v.DeviceName {
		upd.DeviceName = aws.String(v.DeviceName)
		diffs = append(diffs, fmt.Sprintf("device_name %s → %s", orNone(aws.ToString(info.DeviceName)), v.DeviceName))
	}
	if len(diffs) > 0 {
		if upd.MediaType == nil {
			upd.MediaType = info.MediaType // UpdateStream sets both; keep the other as is
		}
		if upd.DeviceName == nil {
			upd.DeviceName = info.DeviceName
		}
		if _, err := a.vc.UpdateStream(ctx, upd); err != nil {
			return changes, err
		}
		for _, d := range diffs {
			logf("%s", d)
		}
		if info, err = a.videoActive(ctx, v.Name); err != nil {
			return changes, err
		}
	}

	if have := int(aws.ToInt32(info.DataRetentionInHours)); have != v.RetentionHours {
		op, by := kvtypes.UpdateDataRetentionOperationIncreaseDataRetention, v.RetentionHours-have
		if by < 0 {
			op, by = kvtypes.UpdateDataRetentionOperationDecreaseDataRetention, -by
		}
		if _, err := a.vc.UpdateDataRetention(ctx, &kinesisvideo.UpdateDataRetentionInput{
			StreamName:                 aws.String(v.Name),
			CurrentVersion:             info.Version,
			Operation:                  op,
			DataRetentionChangeInHours: aws.Int32(int32(by)),
		}); err != nil {
			return changes, err
		}
		logf("retention_hours %d → %d", have, v.RetentionHours)
		if _, err = a.videoActive(ctx, v.Name); err != nil {
			return changes, err
		}
	}

	have, err := a.videoTags(ctx, v.Name)
	if err != nil {
		return changes, err
	}
	var remove []string
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, keep := v.Tags[k]; !keep {
			remove = append(remove, k)
		}
	}
	if len(remove) > 0 {
		if _, err := a.vc.UntagStream(ctx, &kinesisvideo.UntagStreamInput{StreamName: aws.String(v.Name), TagKeyList: remove}); err != nil {
			return changes, err
		}
		for _, k := range remove {
			logf("tag %s removed", k)
		}
	}
	add := map[string]string{}
	for k, val := range v.Tags {
		if old, ok := have[k]; !ok || old != val {
			add[k] = val
		}
	}
	if len(add) > 0 {
		if _, err := a.vc.TagStream(ctx, &kinesisvideo.TagStreamInput{StreamName: aws.String(v.Name), Tags: add}); err != nil {
			return changes, err
		}
		for _, k := range slices.Sorted(maps.Keys(add)) {
			if old, ok := have[k]; ok {
				logf("tag %s=%s (was %s)", k, add[k], old)
			} else {
				logf("tag %s=%s added", k, add[k])
			}
		}
	}
	return changes, nil
}

func videoRetentionText(h int) string {
	if h == 0 {
		return "none, live only"
	}
	return fmt.Sprintf("%dh", h)
}

// describeVideo returns the video stream's StreamInfo, or nil when it does
// not exist.
func (a *applier) describeVideo(ctx context.Context, name string) (*kvtypes.StreamInfo, error) {
	out, err := a.vc.DescribeStream(ctx, &kinesisvideo.DescribeStreamInput{StreamName: aws.String(name)})
	var nf *kvtypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if out.StreamInfo == nil {
		return nil, errors.New("DescribeStream answered without StreamInfo")
	}
	return out.StreamInfo, nil
}

// videoActive polls until the video stream is ACTIVE and returns it.
func (a *applier) videoActive(ctx context.Context, name string) (*kvtypes.StreamInfo, error) {
	var last *kvtypes.StreamInfo
	err := poll(ctx, func() (bool, error) {
		info, err := a.describeVideo(ctx, name)
		switch {
		case err != nil:
			return false, err
		case info == nil:
			return false, nil // not visible yet right after CreateStream
		case info.Status == kvtypes.StatusDeleting:
			return false, errors.New("video stream is being deleted")
		}
		last = info
		return info.Status == kvtypes.StatusActive, nil
	})
	if err != nil {
		status := kvtypes.Status("missing")
		if last != nil {
			status = last.Status
		}
		return nil, fmt.Errorf("waiting for ACTIVE (last status %s): %w", status, err)
	}
	return last, nil
}

func (a *applier) videoTags(ctx context.Context, name string) (map[string]string, error) {
	tags := map[string]string{}
	var token *string
	for {
		out, err := a.vc.ListTagsForStream(ctx, &kinesisvideo.ListTagsForStreamInput{StreamName: aws.String(name), NextToken: token})
		if err != nil {
			return nil, err
		}
		maps.Copy(tags, out.Tags)
		if aws.ToString(out.NextToken) == "" {
			return tags, nil
		}
		token = out.NextToken
	}
}

// videoStreamARN looks up the ARN of the named video stream for a
// mapping's video_stream field. The ARN carries the stream's creation
// time, so it names this incarnation of the stream.
func (a *applier) videoStreamARN(ctx context.Context, name string) (string, error) {
	if a.vc == nil {
		return "", fmt.Errorf("video_stream %s: there is no Kinesis Video client to look up the stream's ARN", name)
	}
	info, err := a.describeVideo(ctx, name)
	switch {
	case err != nil:
		return "", fmt.Errorf("video_stream %s: %w", name, err)
	case info == nil:
		return "", fmt.Errorf("video_stream %s: the video stream does not exist (declare it under video_streams: or create it first)", name)
	}
	return aws.ToString(info.StreamARN), nil
}

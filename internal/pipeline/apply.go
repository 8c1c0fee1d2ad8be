package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	"github.com/aws/aws-sdk-go-v2/service/kinesisvideo"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Clients are the API clients Apply works through, pointed at the server
// to converge. A client may be nil when the file declares nothing it
// serves.
type Clients struct {
	Kinesis  *kinesis.Client
	Lambda   *lambda.Client
	Firehose *firehose.Client
	// Analytics is the Kinesis Analytics (SQL applications) client.
	Analytics *kinesisanalytics.Client
	// Video is the Kinesis Video Streams control-plane client.
	Video *kinesisvideo.Client
}

// Apply makes the resources behind c match the file, through the public
// APIs only, and calls log with one line per change it makes. It is
// idempotent: applying the same file again changes nothing and logs
// "no changes". Resources the file does not mention are left alone.
// Streams are applied first, then video streams (see videoStream), then
// functions, then event source mappings.
//
// For each stream it creates the stream when missing, then converges its
// mode (UpdateStreamMode), shard count (UpdateShardCount with
// UNIFORM_SCALING, at most doubling or halving per step as AWS requires),
// retention (Increase/DecreaseStreamRetentionPeriod) and tags
// (RemoveTagsFromStream, AddTagsToStream), waiting for the stream to be
// ACTIVE between steps.
//
// For each function it builds or reads the package (see Package), creates
// the function when missing, else updates its code when the CodeSha256
// differs and its configuration (runtime, handler, timeout, memory,
// environment) when that differs, then sets or removes its reserved
// concurrency; it waits for State Active and LastUpdateStatus Successful
// between steps.
//
// Event source mappings come next, since they refer to streams and
// functions (see mapping), then delivery streams, since they may read a
// stream and process records with a function (see deliveryStream), and
// applications last, since they read and write all of those (see
// application).
//
// The first error stops Apply; what was done before it stays done, and
// applying again continues from there.
func (f *File) Apply(ctx context.Context, c Clients, log func(string)) error {
	if log == nil {
		log = func(string) {}
	}
	if len(f.Streams) > 0 && c.Kinesis == nil {
		return errors.New("pipeline: the file declares streams but there is no Kinesis client")
	}
	if len(f.Functions) > 0 && c.Lambda == nil {
		return errors.New("pipeline: the file declares functions but there is no Lambda client")
	}
	if len(f.Mappings) > 0 && c.Lambda == nil {
		return errors.New("pipeline: the file declares event source mappings but there is no Lambda client")
	}
	if len(f.DeliveryStreams) > 0 && c.Firehose == nil {
		return errors.New("pipeline: the file declares delivery streams but there is no Firehose client")
	}
	if len(f.Applications) > 0 && c.Analytics == nil {
		return errors.New("pipeline: the file declares applications but there is no Kinesis Analytics client")
	}
	if len(f.VideoStreams) > 0 && c.Video == nil {
		return errors.New("pipeline: the file declares video streams but there is no Kinesis Video client")
	}
	a := &applier{c: c.Kinesis, lc: c.Lambda, fc: c.Firehose, ac: c.Analytics, vc: c.Video, log: log}
	changed := 0
	for i := range f.Streams {
		s := &f.Streams[i]
		n, err := a.stream(ctx, s)
		if err != nil {
			return fmt.Errorf("pipeline: stream %s: %w", s.Name, err)
		}
		if n == 0 {
			log(fmt.Sprintf("stream %s: unchanged", s.Name))
		} else {
			changed++
		}
	}
	for i := range f.VideoStreams {
		v := &f.VideoStreams[i]
		n, err := a.videoStream(ctx, v)
		if err != nil {
			return fmt.Errorf("pipeline: video stream %s: %w", v.Name, err)
		}
		if n == 0 {
			log(fmt.Sprintf("video stream %s: unchanged", v.Name))
		} else {
			changed++
		}
	}
	for i := range f.Functions {
		fn := &f.Functions[i]
		n, err := a.function(ctx, fn)
		if err != nil {
			return fmt.Errorf("pipeline: function %s: %w", fn.Name, err)
		}
		if n == 0 {
			log(fmt.Sprintf("function %s: unchanged", fn.Name))
		} else {
			changed++
		}
	}
	for i := range f.Mappings {
		m := &f.Mappings[i]
		n, err := a.mapping(ctx, m)
		if err != nil {
			return fmt.Errorf("pipeline: mapping %s: %w", m.Name(), err)
		}
		if n == 0 {
			log(fmt.Sprintf("mapping %s: unchanged", m.Name()))
		} else {
			changed++
		}
	}
	for i := range f.DeliveryStreams {
		d := &f.DeliveryStreams[i]
		n, err := a.deliveryStream(ctx, d)
		if err != nil {
			return fmt.Errorf("pipeline: delivery stream %s: %w", d.Name, err)
		}
		if n == 0 {
			log(fmt.Sprintf("delivery stream %s: unchanged", d.Name))
		} else {
			changed++
		}
	}
	for i := range f.Applications {
		app := &f.Applications[i]
		n, err := a.application(ctx, app)
		if err != nil {
			return fmt.Errorf("pipeline: application %s: %w", app.Name, err)
		}
		if n == 0 {
			log(fmt.Sprintf("application %s: unchanged", app.Name))
		} else {
			changed++
		}
	}
	switch {
	case changed == 0:
		log("no changes")
	case changed == 1:
		log("1 resource changed")
	default:
		log(fmt.Sprintf("%d resources changed", changed))
	}
	return nil
}

type applier struct {
	c   *kinesis.Client
	lc  *lambda.Client
	fc  *firehose.Client
	ac  *kinesisanalytics.Client
	vc  *kinesisvideo.Client
	log func(string)
}

// stream converges one stream and returns how many changes it made.
func (a *applier) stream(ctx context.Context, s *Stream) (int, error) {
	changes := 0
	logf := func(format string, args ...any) {
		changes++
		a.log(fmt.Sprintf("stream %s: ", s.Name) + fmt.Sprintf(format, args...))
	}
	sum, err := a.describe(ctx, s.Name)
	if err != nil {
		return 0, err
	}
	if sum != nil && sum.StreamStatus == types.StreamStatusDeleting {
		if err := a.waitGone(ctx, s.Name); err != nil {
			return 0, err
		}
		sum = nil
	}
	if sum == nil {
		in := &kinesis.CreateStreamInput{
			StreamName:        aws.String(s.Name),
			StreamModeDetails: &types.StreamModeDetails{StreamMode: awsMode(s.Mode)},
		}
		what := ModeOnDemand
		if s.Mode != ModeOnDemand {
			in.ShardCount = aws.Int32(int32(s.Shards))
			what = fmt.Sprintf("%s, %d shard%s", ModeProvisioned, s.Shards, plural(s.Shards))
		}
		_, err := a.c.CreateStream(ctx, in)
		var inUse *types.ResourceInUseException
		switch {
		case errors.As(err, &inUse):
			// Created by someone else since we looked: converge it.
		case err != nil:
			return 0, err
		default:
			logf("created (%s)", what)
		}
	}
	if sum, err = a.waitActive(ctx, s.Name); err != nil {
		return changes, err
	}

	if have, want := streamMode(sum), awsMode(s.Mode); have != want {
		_, err := a.c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{
			StreamARN:         sum.StreamARN,
			StreamModeDetails: &types.StreamModeDetails{StreamMode: want},
		})
		if err != nil {
			return changes, err
		}
		logf("mode %s → %s", fileMode(have), s.Mode)
		if sum, err = a.waitActive(ctx, s.Name); err != nil {
			return changes, err
		}
	}

	if s.Mode != ModeOnDemand {
		cur := int(aws.ToInt32(sum.OpenShardCount))
		for cur != s.Shards {
			next := scaleStep(cur, s.Shards)
			_, err := a.c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{
				StreamName:       aws.String(s.Name),
				TargetShardCount: aws.Int32(int32(next)),
				ScalingType:      types.ScalingTypeUniformScaling,
			})
			if err != nil {
				return changes, err
			}
			logf("shards %d → %d", cur, next)
			if sum, err = a.waitActive(ctx, s.Name); err != nil {
				return changes, err
			}
			cur = next
		}
	}

	if have := int(aws.ToInt32(sum.RetentionPeriodHours)); have != s.RetentionHours {
		if s.RetentionHours > have {
			_, err = a.c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{
				StreamName: aws.String(s.Name), RetentionPeriodHours: aws.Int32(int32(s.RetentionHours)),
			})
		} else {
			_, err = a.c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{
				StreamName: aws.String(s.Name), RetentionPeriodHours: aws.Int32(int32(s.RetentionHours)),
			})
		}
		if err != nil {
			return changes, err
		}
		logf("retention_hours %d → %d", have, s.RetentionHours)
		if _, err = a.waitActive(ctx, s.Name); err != nil {
			return changes, err
		}
	}

	have, err := a.tags(ctx, s.Name)
	if err != nil {
		return changes, err
	}
	var remove []string
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, keep := s.Tags[k]; !keep {
			remove = append(remove, k)
		}
	}
	add := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(s.Tags)) {
		if v, ok := have[k]; !ok || v != s.Tags[k] {
			add[k] = s.Tags[k]
		}
	}
	// Remove first so that a file with 50 tags fits under the tag limit.
	for chunk := range slices.Chunk(remove, 50) {
		if _, err := a.c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{
			StreamName: aws.String(s.Name), TagKeys: chunk,
		}); err != nil {
			return changes, err
		}
		for _, k := range chunk {
			logf("tag %s removed", k)
		}
	}
	keys := slices.Sorted(maps.Keys(add))
	for chunk := range slices.Chunk(keys, 50) {
		m := make(map[string]string, len(chunk))
		for _, k := range chunk {
			m[k] = add[k]
		}
		if _, err := a.c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{
			StreamName: aws.String(s.Name), Tags: m,
		}); err != nil {
			return changes, err
		}
		for _, k := range chunk {
			if old, ok := have[k]; ok {
				logf("tag %s=%s (was %s)", k, m[k], old)
			} else {
				logf("tag %s=%s added", k, m[k])
			}
		}
	}
	return changes, nil
}

// scaleStep is the next shard count on the way from cur to target: AWS's
// UpdateShardCount neither more than doubles nor less than halves a stream.
func scaleStep(cur, target int) int {
	if cur <= 0 {
		return target
	}
	if target > cur {
		return min(target, 2*cur)
	}
	return max(target, (cur+1)/2)
}

func awsMode(m string) types.StreamMode {
	if m == ModeOnDemand {
		return types.StreamModeOnDemand
	}
	return types.StreamModeProvisioned
}

func fileMode(m types.StreamMode) string {
	if m == types.StreamModeOnDemand {
		return ModeOnDemand
	}
	return ModeProvisioned
}

func streamMode(sum *types.StreamDescriptionSummary) types.StreamMode {
	if sum.StreamModeDetails == nil || sum.StreamModeDetails.StreamMode == "" {
		return types.StreamModeProvisioned
	}
	return sum.StreamModeDetails.StreamMode
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// describe returns the stream's summary, or nil when it does not exist.
func (a *applier) describe(ctx context.Context, name string) (*types.StreamDescriptionSummary, error) {
	out, err := a.c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if out.StreamDescriptionSummary == nil {
		return nil, errors.New("DescribeStreamSummary answered without a summary")
	}
	return out.StreamDescriptionSummary, nil
}

// waitActive polls until the stream is ACTIVE and returns its summary.
func (a *applier) waitActive(ctx context.Context, name string) (*types.StreamDescriptionSummary, error) {
	var last *types.StreamDescriptionSummary
	err := poll(ctx, func() (bool, error) {
		sum, err := a.describe(ctx, name)
		switch {
		case err != nil:
			return false, err
		case sum == nil:
			// Not visible yet right after CreateStream; keep looking.
			return false, nil
		case sum.StreamStatus == types.StreamStatusDeleting:
			return false, errors.New("stream is being deleted")
		}
		last = sum
		return sum.StreamStatus == types.StreamStatusActive, nil
	})
	if err != nil {
		status := types.StreamStatus("missing")
		if last != nil {
			status = last.StreamStatus
		}
		return nil, fmt.Errorf("waiting for ACTIVE (last status %s): %w", status, err)
	}
	return last, nil
}

func (a *applier) waitGone(ctx context.Context, name string) error {
	return poll(ctx, func() (bool, error) {
		sum, err := a.describe(ctx, name)
		return sum == nil, err
	})
}

// poll calls cond with a growing pause (50 ms to 1 s) until it is done, it
// fails or ctx ends.
func poll(ctx context.Context, cond func() (bool, error)) error {
	pause := 50 * time.Millisecond
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		done, err := cond()
		if err != nil || done {
			return err
		}
		t.Reset(pause)
		pause = min(pause*3/2, time.Second)
	}
}

func (a *applier) tags(ctx context.Context, name string) (map[string]string, error) {
	tags := map[string]string{}
	var start *string
	for {
		out, err := a.c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{
			StreamName: aws.String(name), ExclusiveStartTagKey: start, Limit: aws.Int32(50),
		})
		if err != nil {
			return nil, err
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if !aws.ToBool(out.HasMoreTags) || len(out.Tags) == 0 {
			return tags, nil
		}
		start = out.Tags[len(out.Tags)-1].Key
	}
}

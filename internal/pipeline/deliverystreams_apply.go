package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// updatedAs maps members of a destination configuration to the members of
// its update where AWS names them differently.
var updatedAs = map[string]string{
	"S3Configuration":       "S3Update",
	"S3BackupConfiguration": "S3BackupUpdate",
}

// deliveryStream converges one delivery stream and returns how many
// changes it made.
//
// A missing delivery stream is created with the file's type, source,
// destination and tags, and apply waits until it is ACTIVE. An existing
// one must have the file's type and source (AWS cannot change either);
// its destination is compared member by member with what the file gives
// (see diffShape) and, when something differs, UpdateDestination sends the
// file's members with the version and destination ids just described.
// Tags are then made equal to the file's.
func (a *applier) deliveryStream(ctx context.Context, d *DeliveryStream) (int, error) {
	changes := 0
	logf := func(format string, args ...any) {
		changes++
		a.log(fmt.Sprintf("delivery stream %s: ", d.Name) + fmt.Sprintf(format, args...))
	}
	kind := kindOf(d.Destination)
	if kind == nil {
		return 0, fmt.Errorf("unknown destination %q", d.Destination)
	}
	source := d.Source
	if source != "" && !strings.HasPrefix(source, "arn:") {
		arn, err := a.streamARN(ctx, source, "source")
		if err != nil {
			return 0, err
		}
		source = arn
	}

	desc, raw, err := a.describeDelivery(ctx, d.Name)
	if err != nil {
		return 0, err
	}
	if desc != nil && desc.DeliveryStreamStatus == ftypes.DeliveryStreamStatusDeleting {
		if err := a.deliveryGone(ctx, d.Name); err != nil {
			return 0, err
		}
		desc = nil
	}
	if desc == nil {
		in, err := createDeliveryInput(d, kind, source)
		if err != nil {
			return 0, err
		}
		_, err = a.fc.CreateDeliveryStream(ctx, in, withExtras(d, kind, kind.createAs, nil))
		var inUse *ftypes.ResourceInUseException
		switch {
		case errors.As(err, &inUse):
			// Created by someone else since we looked: converge that one.
		case err != nil:
			return 0, err
		default:
			logf("created (%s)", d.describe())
		}
		if desc, raw, err = a.deliveryActive(ctx, d.Name); err != nil {
			return changes, err
		}
		if changes > 0 {
			a.log(fmt.Sprintf("delivery stream %s: ACTIVE", d.Name))
			// Tags were sent with CreateDeliveryStream.
			return changes, nil
		}
	}
	if desc.DeliveryStreamStatus != ftypes.DeliveryStreamStatusActive {
		if desc, raw, err = a.deliveryActive(ctx, d.Name); err != nil {
			return changes, err
		}
	}

	if err := sameSource(d, desc, source); err != nil {
		return changes, err
	}
	if len(desc.Destinations) != 1 {
		return changes, fmt.Errorf("the delivery stream has %d destinations; kinesin manages delivery streams with one", len(desc.Destinations))
	}
	dest := &desc.Destinations[0]
	haveKind, haveDesc := DestinationOf(dest)
	ownKind, ownDesc := ownDestination(raw)
	if ownKind != "" {
		haveKind = ownKind
	}
	var diffs []string
	if haveKind == kind.field {
		var have any = ownDesc
		if !kind.own() {
			if have, err = withRawExtras(d, kind, plain(reflect.ValueOf(haveDesc)), raw); err != nil {
				return changes, err
			}
		}
		diffs = diffShape(kind.field, d.Config, have)
	} else {
		if haveKind == "opensearch" || haveKind == "elasticsearch" || kind.field == "opensearch" || kind.field == "elasticsearch" {
			return changes, fmt.Errorf("the destination is %s on the server but %s in the file, and Firehose cannot switch an OpenSearch or Elasticsearch destination to another kind: "+
				"delete the delivery stream (kinesin firehose rm %s) and apply again", orNone(haveKind), kind.field, d.Name)
		}
		diffs = []string{fmt.Sprintf("destination %s → %s", orNone(haveKind), kind.field)}
	}
	if len(diffs) > 0 {
		in, err := updateDestinationInput(d, kind, desc, haveKind == kind.field)
		if err != nil {
			return changes, err
		}
		if _, err := a.fc.UpdateDestination(ctx, in, withExtras(d, kind, kind.updateAs, updatedAs)); err != nil {
			return changes, err
		}
		for _, l := range diffs {
			logf("%s", l)
		}
		if _, _, err := a.deliveryActive(ctx, d.Name); err != nil {
			return changes, err
		}
	}

	if err := a.deliveryTags(ctx, d, logf); err != nil {
		return changes, err
	}
	return changes, nil
}

// sameSource reports a type or source in the file that differs from the
// existing delivery stream's: Firehose sets both only at creation.
func sameSource(d *DeliveryStream, desc *ftypes.DeliveryStreamDescription, source string) error {
	haveSource := ""
	if s := desc.Source; s != nil && s.KinesisStreamSourceDescription != nil {
		haveSource = aws.ToString(s.KinesisStreamSourceDescription.KinesisStreamARN)
	}
	haveType := desc.DeliveryStreamType
	if haveType == "" {
		haveType = ftypes.DeliveryStreamTypeDirectPut
	}
	if haveType == d.Type() && haveSource == source {
		return nil
	}
	have, want := string(haveType), string(d.Type())
	if haveSource != "" {
		have += " from " + haveSource
	}
	if source != "" {
		want += " from " + source
	}
	return fmt.Errorf("the delivery stream is %s on the server but %s in the file, and a delivery stream's type and source cannot change: "+
		"delete it (kinesin firehose rm %s) and apply again to create it anew", have, want, d.Name)
}

// createDeliveryInput builds the request from the file's members.
func createDeliveryInput(d *DeliveryStream, kind *destKind, source string) (*firehose.CreateDeliveryStreamInput, error) {
	in := &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String(d.Name),
		DeliveryStreamType: d.Type(),
	}
	if source != "" {
		in.KinesisStreamSourceConfiguration = &ftypes.KinesisStreamSourceConfiguration{
			KinesisStreamARN: aws.String(source), RoleARN: aws.String(d.SourceRoleARN),
		}
	}
	if !kind.own() { // an own kind is sent whole by withExtras
		if err := fill(reflect.ValueOf(in).Elem().FieldByName(kind.createAs), d.Config, nil); err != nil {
			return nil, fmt.Errorf("%s: %w", kind.field, err)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(d.Tags)) {
		in.Tags = append(in.Tags, ftypes.Tag{Key: aws.String(k), Value: aws.String(d.Tags[k])})
	}
	return in, nil
}

// updateDestinationInput builds UpdateDestination's request: the file's
// members under the update's names. Members the update cannot carry are
// an error when they differ from the server's (same is true when the
// destination kind stays; a new kind has nothing to compare with).
func updateDestinationInput(d *DeliveryStream, kind *destKind, desc *ftypes.DeliveryStreamDescription, same bool) (*firehose.UpdateDestinationInput, error) {
	in := &firehose.UpdateDestinationInput{
		DeliveryStreamName:             aws.String(d.Name),
		CurrentDeliveryStreamVersionId: desc.VersionId,
		DestinationId:                  desc.Destinations[0].DestinationId,
	}
	if kind.own() {
		return in, nil // every member is in the update, sent whole by withExtras
	}
	field := reflect.ValueOf(in).Elem().FieldByName(kind.updateAs)
	updateType := field.Type().Elem()
	_, haveDesc := DestinationOf(&desc.Destinations[0])
	have, _ := plain(reflect.ValueOf(haveDesc)).(map[string]any)
	members := map[string]any{}
	for k, v := range d.Config {
		name := k
		if r, ok := updatedAs[k]; ok {
			name = r
		}
		if _, ok := updateType.FieldByName(name); ok {
			members[k] = v
			continue
		}
		if same {
			if diffs := diffShape(kind.field, map[string]any{k: v}, have); len(diffs) == 0 {
				continue
			}
		}
		return nil, fmt.Errorf("%s.%s cannot be changed by UpdateDestination (%s has no such member): "+
			"keep the server's value in the file, or delete the delivery stream (kinesin firehose rm %s) and apply again", kind.field, k, updateType.Name(), d.Name)
	}
	if err := fill(field, members, updatedAs); err != nil {
		return nil, fmt.Errorf("%s: %w", kind.field, err)
	}
	return in, nil
}

// describeDelivery returns the delivery stream's description, or nil when
// it does not exist, and the raw JSON answer (for the members the SDK's
// types lack, see withRawExtras).
func (a *applier) describeDelivery(ctx context.Context, name string) (*ftypes.DeliveryStreamDescription, []byte, error) {
	var raw []byte
	out, err := a.fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)}, keepRawBody(&raw))
	var nf *ftypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if out.DeliveryStreamDescription == nil {
		return nil, nil, errors.New("DescribeDeliveryStream answered without a description")
	}
	return out.DeliveryStreamDescription, raw, nil
}

// deliveryActive polls until the delivery stream is ACTIVE and returns its
// description, as describeDelivery does.
func (a *applier) deliveryActive(ctx context.Context, name string) (*ftypes.DeliveryStreamDescription, []byte, error) {
	var last *ftypes.DeliveryStreamDescription
	var lastRaw []byte
	err := poll(ctx, func() (bool, error) {
		desc, raw, err := a.describeDelivery(ctx, name)
		switch {
		case err != nil:
			return false, err
		case desc == nil:
			return false, nil // not visible yet
		}
		last, lastRaw = desc, raw
		switch desc.DeliveryStreamStatus {
		case ftypes.DeliveryStreamStatusActive:
			return true, nil
		case ftypes.DeliveryStreamStatusDeleting, ftypes.DeliveryStreamStatusDeletingFailed:
			return false, errors.New("the delivery stream is being deleted")
		case ftypes.DeliveryStreamStatusCreatingFailed:
			msg := "creating the delivery stream failed"
			if fd := desc.FailureDescription; fd != nil {
				msg += fmt.Sprintf(": %s: %s", fd.Type, aws.ToString(fd.Details))
			}
			return false, errors.New(msg)
		}
		return false, nil
	})
	if err != nil {
		if last != nil && ctx.Err() != nil {
			return nil, nil, fmt.Errorf("waiting for ACTIVE (status %s): %w", last.DeliveryStreamStatus, err)
		}
		return nil, nil, err
	}
	return last, lastRaw, nil
}

func (a *applier) deliveryGone(ctx context.Context, name string) error {
	return poll(ctx, func() (bool, error) {
		desc, _, err := a.describeDelivery(ctx, name)
		return desc == nil, err
	})
}

// deliveryTags makes the delivery stream's tags equal to the file's.
func (a *applier) deliveryTags(ctx context.Context, d *DeliveryStream, logf func(string, ...any)) error {
	have := map[string]string{}
	var start *string
	for {
		out, err := a.fc.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{
			DeliveryStreamName: aws.String(d.Name), ExclusiveStartTagKey: start, Limit: aws.Int32(50),
		})
		if err != nil {
			return err
		}
		for _, t := range out.Tags {
			have[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if !aws.ToBool(out.HasMoreTags) || len(out.Tags) == 0 {
			break
		}
		start = out.Tags[len(out.Tags)-1].Key
	}
	var remove []string
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, keep := d.Tags[k]; !keep {
			remove = append(remove, k)
		}
	}
	var add []ftypes.Tag
	for _, k := range slices.Sorted(maps.Keys(d.Tags)) {
		if v, ok := have[k]; !ok || v != d.Tags[k] {
			add = append(add, ftypes.Tag{Key: aws.String(k), Value: aws.String(d.Tags[k])})
		}
	}
	for chunk := range slices.Chunk(remove, 50) {
		if _, err := a.fc.UntagDeliveryStream(ctx, &firehose.UntagDeliveryStreamInput{
			DeliveryStreamName: aws.String(d.Name), TagKeys: chunk,
		}); err != nil {
			return err
		}
		for _, k := range chunk {
			logf("tag %s removed", k)
		}
	}
	for chunk := range slices.Chunk(add, 50) {
		if _, err := a.fc.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{
			DeliveryStreamName: aws.String(d.Name), Tags: chunk,
		}); err != nil {
			return err
		}
		for _, t := range chunk {
			k, v := aws.ToString(t.Key), aws.ToString(t.Value)
			if old, ok := have[k]; ok {
				logf("tag %s=%s (was %s)", k, v, old)
			} else {
				logf("tag %s=%s added", k, v)
			}
		}
	}
	return nil
}

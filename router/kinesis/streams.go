package kinesis

import (
	"encoding/base64"
	"slices"
	"sort"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/shardstore"
)

const (
	minRetention     = 24
	maxRetention     = 8760
	maxTagsPerStream = 50
	defaultRecordKiB = 1024
)

var streamModes = []string{shardstore.ModeProvisioned, shardstore.ModeOnDemand}

func (s *Service) createStream(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *createStreamIn) {
		checkRange(v, in.ShardCount, "shardCount", 1, noMax, false)
		checkName(v, in.StreamName, "streamName", 128, true)
		if in.StreamModeDetails != nil {
			checkEnum(v, in.StreamModeDetails.StreamMode, "streamModeDetails.streamMode", true, streamModes...)
		}
		checkTagMap(v, in.Tags, false)
		checkRange(v, in.MaxRecordSizeInKiB, "maxRecordSizeInKiB", 1024, 10240, false)
	})
	if err != nil {
		return nil, err
	}
	mode := shardstore.ModeProvisioned
	if in.StreamModeDetails != nil {
		mode = *in.StreamModeDetails.StreamMode
	}
	shards := 4 // what AWS gives an on-demand stream to start with
	switch {
	case in.ShardCount != nil:
		shards = int(*in.ShardCount)
	case mode == shardstore.ModeProvisioned:
		return nil, awserr.InvalidArgument.New("ShardCount must be specified for provisioned mode streams.")
	}
	if err := s.checkTagText("add tags to", *in.StreamName, keysAndValues(in.Tags)); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTagsPerStream {
		return nil, awserr.InvalidArgument.New("Failed to add tags to the stream: a given stream cannot have more than %d tags associated with it.", maxTagsPerStream)
	}
	if err := s.checkShardQuota(shards); err != nil {
		return nil, err
	}
	if mode == shardstore.ModeOnDemand && s.onDemandCount() >= s.cfg.OnDemandStreamCountLimit {
		return nil, awserr.LimitExceeded.New("This request would exceed the on-demand stream count limit of %d for account %s in %s.", s.cfg.OnDemandStreamCountLimit, s.cfg.AccountID, s.cfg.Region)
	}
	now := time.Now().UTC()
	st := &shardstore.Stream{
		Name: *in.StreamName, Status: shardstore.StatusCreating, Mode: mode,
		RetentionHours: minRetention, Created: now, Tags: in.Tags, EncryptionType: "NONE",
		MaxRecordKiB: defaultRecordKiB, NextShard: shards,
	}
	if in.MaxRecordSizeInKiB != nil {
		st.MaxRecordKiB = int(*in.MaxRecordSizeInKiB)
	}
	for i, r := range shardstore.UniformRanges(shards) {
		st.Shards = append(st.Shards, shardstore.Shard{Index: i, Parent: -1, AdjacentParent: -1, StartHash: r[0], EndHash: r[1], Created: now})
	}
	if err := s.store.Create(c.ctx, st); err != nil {
		if err == shardstore.ErrExists {
			return nil, awserr.ResourceInUse.New("Stream %s under account %s already exists.", st.Name, s.cfg.AccountID)
		}
		return nil, s.storeErr(st.Name, err)
	}
	s.bg.kick(st.Name)
	return nil, nil
}

// checkShardQuota refuses requests that would pass the account's shard
// quota (closed shards do not count, as in AWS).
func (s *Service) checkShardQuota(more int) error {
	open := s.openShardCount()
	if open+more > s.cfg.ShardLimit {
		return awserr.LimitExceeded.New("This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. "+
			"Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page "+
			"(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
			s.cfg.AccountID, s.cfg.Region, open, s.cfg.ShardLimit, more)
	}
	return nil
}

func (s *Service) openShardCount() int {
	n := 0
	for _, st := range s.store.List() {
		n += len(st.OpenShards())
	}
	return n
}

func (s *Service) onDemandCount() int {
	n := 0
	for _, st := range s.store.List() {
		if st.Mode == shardstore.ModeOnDemand {
			n++
		}
	}
	return n
}

func (s *Service) deleteStream(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *deleteStreamIn) {
		checkStreamRef(v, in.streamRef)
	})
	if err != nil {
		return nil, err
	}
	st, err := s.stream(in.streamRef)
	if err != nil {
		return nil, err
	}
	force := in.EnforceConsumerDeletion != nil && *in.EnforceConsumerDeletion
	_, err = s.store.Update(c.ctx, st.Name, func(st *shardstore.Stream) error {
		if len(st.Consumers) > 0 && !force {
			return awserr.ResourceInUse.New("Stream %s under account %s has registered consumers.", st.Name, s.cfg.AccountID)
		}
		if st.Status == shardstore.StatusCreating || st.Status == shardstore.StatusUpdating {
			return s.notActive(st.Name, st.Status)
		}
		st.Status = shardstore.StatusDeleting
		return nil
	})
	if err != nil {
		return nil, s.storeErr(st.Name, err)
	}
	s.subs.endStream(st.Name)
	s.bg.kick(st.Name)
	return nil, nil
}

func (s *Service) shardOut(sh shardstore.Shard) shardOut {
	o := shardOut{
		ShardId:             shardstore.ShardID(sh.Index),
		HashKeyRange:        hashKeyRange{sh.StartHash.String(), sh.EndHash.String()},
		SequenceNumberRange: sequenceNumberRange{StartingSequenceNumber: sh.StartingSeq(), EndingSequenceNumber: sh.EndingSeq()},
	}
	if sh.Parent >= 0 {
		o.ParentShardId = shardstore.ShardID(sh.Parent)
	}
	if sh.AdjacentParent >= 0 {
		o.AdjacentParentShardId = shardstore.ShardID(sh.AdjacentParent)
	}
	if sh.Closed && o.SequenceNumberRange.EndingSequenceNumber == "" {
		// Still being sealed: an upper bound until the last record is known.
		o.SequenceNumberRange.EndingSequenceNumber = shardstore.FormatSeq(sh.Index, shardstore.Position{Msg: 1<<63 - 1, Index: 1<<16 - 1})
	}
	return o
}

func monitoring(st *shardstore.Stream) []enhancedMetrics {
	return []enhancedMetrics{{ShardLevelMetrics: nonNil(st.ShardLevelMetrics)}}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Service) describeStream(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *describeStreamIn) {
		checkStreamRef(v, in.streamRef)
		checkRange(v, in.Limit, "limit", 1, 10000, false)
		checkName(v, in.ExclusiveStartShardId, "exclusiveStartShardId", 128, false)
	})
	if err != nil {
		return nil, err
	}
	st, err := s.stream(in.streamRef)
	if err != nil {
		return nil, err
	}
	limit := intOr(in.Limit, 100)
	after := -1
	if in.ExclusiveStartShardId != nil {
		if n, ok := shardstore.ParseShardID(*in.ExclusiveStartShardId); ok {
			after = n
		}
	}
	d := streamDescription{
		StreamName: st.Name, StreamARN: s.streamARN(st.Name), StreamStatus: st.Status,
		StreamModeDetails: streamModeOut{st.Mode}, Shards: []shardOut{}, RetentionPeriodHours: st.RetentionHours,
		StreamCreationTimestamp: ts(st.Created), EnhancedMonitoring: monitoring(st),
		EncryptionType: st.EncryptionType, KeyId: st.KeyID,
	}
	for _, sh := range sortedShards(st) {
		if sh.Index <= after {
			continue
		}
		if len(d.Shards) == limit {
			d.HasMoreShards = true
			break
		}
		d.Shards = append(d.Shards, s.shardOut(sh))
	}
	return map[string]any{"StreamDescription": d}, nil
}

func sortedShards(st *shardstore.Stream) []shardstore.Shard {
	out := slices.Clone(st.Shards)
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

func (s *Service) describeStreamSummary(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *streamRef) { checkStreamRef(v, *in) })
	if err != nil {
		return nil, err
	}
	st, err := s.stream(*in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"StreamDescriptionSummary": streamDescriptionSummary{
		StreamName: st.Name, StreamARN: s.streamARN(st.Name), StreamStatus: st.Status,
		StreamModeDetails: streamModeOut{st.Mode}, RetentionPeriodHours: st.RetentionHours,
		StreamCreationTimestamp: ts(st.Created), EnhancedMonitoring: monitoring(st),
		EncryptionType: st.EncryptionType, KeyId: st.KeyID, OpenShardCount: len(st.OpenShards()),
		ConsumerCount: len(st.Consumers), MaxRecordSizeInKiB: recordKiB(st),
	}}, nil
}

func recordKiB(st *shardstore.Stream) int {
	if st.MaxRecordKiB == 0 {
		return defaultRecordKiB
	}
	return st.MaxRecordKiB
}

func (s *Service) listStreams(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *listStreamsIn) {
		checkRange(v, in.Limit, "limit", 1, 10000, false)
		checkName(v, in.ExclusiveStartStreamName, "exclusiveStartStreamName", 128, false)
		checkLen(v, in.NextToken, "nextToken", 1, 1048576, false)
	})
	if err != nil {
		return nil, err
	}
	limit := intOr(in.Limit, 100)
	after := ""
	if in.ExclusiveStartStreamName != nil {
		after = *in.ExclusiveStartStreamName
	}
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err != nil {
			return nil, awserr.InvalidArgument.New("Invalid NextToken.")
		}
		after = string(b)
	}
	out := listStreamsOut{StreamNames: []string{}, StreamSummaries: []streamSummary{}}
	for _, st := range s.store.List() {
		if st.Name <= after {
			continue
		}
		if len(out.StreamNames) == limit {
			out.HasMoreStreams = true
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(out.StreamNames[limit-1]))
			break
		}
		out.StreamNames = append(out.StreamNames, st.Name)
		out.StreamSummaries = append(out.StreamSummaries, streamSummary{
			StreamName: st.Name, StreamARN: s.streamARN(st.Name), StreamStatus: st.Status,
			StreamModeDetails: streamModeOut{st.Mode}, StreamCreationTimestamp: ts(st.Created),
		})
	}
	return out, nil
}

func (s *Service) changeRetention(c *call, increase bool) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *retentionIn) {
		checkStreamRef(v, in.streamRef)
		if in.RetentionPeriodHours == nil { // the model puts no range on it
			v.Null("retentionPeriodHours")
		}
	})
	if err != nil {
		return nil, err
	}
	st, err := s.stream(in.streamRef)
	if err != nil {
		return nil, err
	}
	hours := int(*in.RetentionPeriodHours)
	switch {
	case hours < minRetention:
		return nil, awserr.InvalidArgument.New("Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", minRetention, hours)
	case hours > maxRetention:
		return nil, awserr.InvalidArgument.New("Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.", maxRetention, hours)
	}
	updated, err := s.updateActive(c, st.Name, func(st *shardstore.Stream) error {
		if increase && hours < st.RetentionHours {
			return awserr.InvalidArgument.New("Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, st.Name, st.RetentionHours)
		}
		if !increase && hours > st.RetentionHours {
			return awserr.InvalidArgument.New("Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, st.Name, st.RetentionHours)
		}
		st.RetentionHours = hours
		return nil
	})
	if err != nil {
		return nil, s.storeErr(st.Name, err)
	}
	return nil, s.store.SetRetention(c.ctx, updated)
}

func (s *Service) increaseRetention(c *call) (any, error) { return s.changeRetention(c, true) }
func (s *Service) decreaseRetention(c *call) (any, error) { return s.changeRetention(c, false) }

func (s *Service) updateStreamMode(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *updateStreamModeIn) {
		checkARN(v, in.StreamARN, "streamARN", true)
		if in.StreamModeDetails == nil {
			v.Null("streamModeDetails")
		} else {
			checkEnum(v, in.StreamModeDetails.StreamMode, "streamModeDetails.streamMode", true, streamModes...)
		}
	})
	if err != nil {
		return nil, err
	}
	st, err := s.stream(streamRef{StreamARN: in.StreamARN})
	if err != nil {
		return nil, err
	}
	mode := *in.StreamModeDetails.StreamMode
	_, err = s.updateActive(c, st.Name, func(st *shardstore.Stream) error {
		if st.Mode == mode {
			return awserr.InvalidArgument.New("Stream %s under account %s is already in %s mode.", st.Name, s.cfg.AccountID, mode)
		}
		st.Mode = mode
		return nil
	})
	return nil, s.storeErr(st.Name, err)
}

func (s *Service) updateMaxRecordSize(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *maxRecordSizeIn) {
		checkARN(v, in.StreamARN, "streamARN", true)
		checkRange(v, in.MaxRecordSizeInKiB, "maxRecordSizeInKiB", 1024, 10240, true)
	})
	if err != nil {
		return nil, err
	}
	st, err := s.stream(streamRef{StreamARN: in.StreamARN})
	if err != nil {
		return nil, err
	}
	_, err = s.updateActive(c, st.Name, func(st *shardstore.Stream) error {
		st.MaxRecordKiB = int(*in.MaxRecordSizeInKiB)
		return nil
	})
	return nil, s.storeErr(st.Name, err)
}

func (s *Service) describeLimits(c *call) (any, error) {
	if _, err := input[struct{}](c, nil); err != nil {
		return nil, err
	}
	return describeLimitsOut{ShardLimit: s.cfg.ShardLimit, OpenShardCount: s.openShardCount(),
		OnDemandStreamCount: s.onDemandCount(), OnDemandStreamCountLimit: s.cfg.OnDemandStreamCountLimit}, nil
}

// Shard-level metrics names EnableEnhancedMonitoring takes.
var shardMetrics = []string{"IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
	"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds", "ALL"}

func (s *Service) changeMonitoring(c *call, enable bool) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *monitoringIn) {
		checkStreamRef(v, in.streamRef)
		checkList(v, in.ShardLevelMetrics, "shardLevelMetrics", 1, 7, true)
		for _, m := range in.ShardLevelMetrics {
			if !slices.Contains(shardMetrics, m) {
				v.Add(awserr.ListValue(in.ShardLevelMetrics), "shardLevelMetrics", "Member must satisfy constraint: ["+awserr.Enum(shardMetrics...)+"]")
				break
			}
		}
	})
	if err != nil {
		return nil, err
	}
	st, err := s.stream(in.streamRef)
	if err != nil {
		return nil, err
	}
	want := in.ShardLevelMetrics
	if slices.Contains(want, "ALL") {
		want = shardMetrics[:len(shardMetrics)-1]
	}
	var before []string
	updated, err := s.updateActive(c, st.Name, func(st *shardstore.Stream) error {
		before = slices.Clone(st.ShardLevelMetrics)
		set := map[string]bool{}
		for _, m := range st.ShardLevelMetrics {
			set[m] = true
		}
		for _, m := range want {
			set[m] = enable
		}
		st.ShardLevelMetrics = nil
		for _, m := range shardMetrics {
			if set[m] {
				st.ShardLevelMetrics = append(st.ShardLevelMetrics, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.storeErr(st.Name, err)
	}
	return monitoringOut{StreamName: st.Name, StreamARN: s.streamARN(st.Name),
		CurrentShardLevelMetrics: nonNil(before), DesiredShardLevelMetrics: nonNil(updated.ShardLevelMetrics)}, nil
}

func (s *Service) enableMonitoring(c *call) (any, error)  { return s.changeMonitoring(c, true) }
func (s *Service) disableMonitoring(c *call) (any, error) { return s.changeMonitoring(c, false) }

func (s *Service) changeEncryption(c *call, start bool) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *encryptionIn) {
		checkStreamRef(v, in.streamRef)
		checkEnum(v, in.EncryptionType, "encryptionType", true, "NONE", "KMS")
		checkLen(v, in.KeyId, "keyId", 1, 2048, true)
	})
	if err != nil {
		return nil, err
	}
	if start && *in.EncryptionType != "KMS" {
		return nil, awserr.InvalidArgument.New("Encryption type %s is not supported by StartStreamEncryption; use KMS.", *in.EncryptionType)
	}
	st, err := s.stream(in.streamRef)
	if err != nil {
		return nil, err
	}
	_, err = s.updateActive(c, st.Name, func(st *shardstore.Stream) error {
		if start {
			st.EncryptionType, st.KeyID = "KMS", *in.KeyId
		} else {
			st.EncryptionType, st.KeyID = "NONE", ""
		}
		return nil
	})
	return nil, s.storeErr(st.Name, err)
}

func (s *Service) startEncryption(c *call) (any, error) { return s.changeEncryption(c, true) }
func (s *Service) stopEncryption(c *call) (any, error)  { return s.changeEncryption(c, false) }

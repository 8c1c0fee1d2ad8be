package video

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/kvutil"
)

// Limits of the control plane.
const (
	maxRetentionHours = 87600
	maxTags           = 50
)

var (
	reName      = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
	reARN       = regexp.MustCompile(`^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$`)
	reMediaType = regexp.MustCompile(`^[\w\-\.\+]+/[\w\-\.\+]+(,[\w\-\.\+]+/[\w\-\.\+]+)*$`)
	reVersion   = regexp.MustCompile(`^[a-zA-Z0-9]+$`)
	reTagKey    = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	reTagValue  = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	reNextToken = regexp.MustCompile(`^[a-zA-Z0-9+/=]*$`)
)

func checkName(v *awserr.Violations, s *string, path string) {
	v.Length(s, path, 1, 256)
	v.Match(s, path, reName, "[a-zA-Z0-9_.-]+")
}

func checkARN(v *awserr.Violations, s *string, path string) {
	v.Length(s, path, 1, 1024)
	v.Match(s, path, reARN, `arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+`)
}

func checkDevice(v *awserr.Violations, s *string) {
	v.Length(s, "deviceName", 1, 128)
	v.Match(s, "deviceName", reName, "[a-zA-Z0-9_.-]+")
}

func checkMediaType(v *awserr.Violations, s *string) {
	v.Length(s, "mediaType", 1, 128)
	v.Match(s, "mediaType", reMediaType, `[\w\-\.\+]+/[\w\-\.\+]+(,[\w\-\.\+]+/[\w\-\.\+]+)*`)
}

func checkVersion(v *awserr.Violations, s *string, required bool) {
	if required && !v.Required(s != nil, "currentVersion") {
		return
	}
	v.Length(s, "currentVersion", 1, 64)
	v.Match(s, "currentVersion", reVersion, "[a-zA-Z0-9]+")
}

func checkTagMap(v *awserr.Violations, tags map[string]string, path string) {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		val := tags[k]
		checkTag(v, k, val, path)
	}
}

func checkTag(v *awserr.Violations, k, val, path string) {
	v.Length(&k, path+".key", 1, 128)
	v.Match(&k, path+".key", reTagKey, `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	v.Length(&val, path+".value", 0, 256)
	v.Match(&val, path+".value", reTagValue, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
}

// streamInfo is AWS's StreamInfo.
type streamInfo struct {
	CreationTime         epoch  `json:"CreationTime"`
	DataRetentionInHours int64  `json:"DataRetentionInHours"`
	DeviceName           string `json:"DeviceName,omitempty"`
	KmsKeyID             string `json:"KmsKeyId,omitempty"`
	MediaType            string `json:"MediaType,omitempty"`
	Status               string `json:"Status"`
	StreamARN            string `json:"StreamARN"`
	StreamName           string `json:"StreamName"`
	Version              string `json:"Version"`
}

func info(m *meta) streamInfo {
	return streamInfo{CreationTime: epoch{m.Created}, DataRetentionInHours: m.Retention, DeviceName: m.DeviceName,
		KmsKeyID: m.KmsKeyID, MediaType: m.MediaType, Status: m.Status, StreamARN: m.ARN, StreamName: m.Name, Version: m.Version}
}

type createStreamInput struct {
	StreamName                 *string
	DeviceName                 *string
	MediaType                  *string
	KmsKeyID                   *string `json:"KmsKeyId"`
	DataRetentionInHours       *int64
	Tags                       map[string]string
	StreamStorageConfiguration *struct{ DefaultStorageTier *string }
}

func (s *Service) createStream(ctx context.Context, body []byte) (any, error) {
	var in createStreamInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	if v.Required(in.StreamName != nil, "streamName") {
		checkName(&v, in.StreamName, "streamName")
	}
	checkDevice(&v, in.DeviceName)
	checkMediaType(&v, in.MediaType)
	v.Length(in.KmsKeyID, "kmsKeyId", 1, 2048)
	v.Range(in.DataRetentionInHours, "dataRetentionInHours", 0, maxRetentionHours)
	checkTagMap(&v, in.Tags, "tags")
	if c := in.StreamStorageConfiguration; c != nil {
		if v.Required(c.DefaultStorageTier != nil, "streamStorageConfiguration.defaultStorageTier") {
			v.OneOf(c.DefaultStorageTier, "streamStorageConfiguration.defaultStorageTier", "HOT", "WARM")
		}
	}
	if err := validation(&v); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTags {
		return nil, errTooManyTags.New("The number of tags exceeds the limit of %d tags per stream.", maxTags)
	}
	keys, err := kvutil.Keys(ctx, s.tab.KV)
	if err != nil {
		return nil, fmt.Errorf("video: count streams: %w", err)
	}
	if len(keys) >= s.maxStreams {
		return nil, errAccountLimit.New("The number of streams created in the account is too high (limit %d).", s.maxStreams)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	m := &meta{Name: *in.StreamName, ID: randomHex(16), Status: statusCreating, Version: randomHex(10), Created: now,
		KmsKeyID: "arn:aws:kms:" + s.cfg.Region + ":" + s.cfg.AccountID + ":alias/aws/kinesisvideo", Tags: in.Tags}
	m.ARN = streamARN(s.cfg.Region, s.cfg.AccountID, m.Name, now)
	if in.DeviceName != nil {
		m.DeviceName = *in.DeviceName
	}
	if in.MediaType != nil {
		m.MediaType = *in.MediaType
	}
	if in.KmsKeyID != nil {
		m.KmsKeyID = *in.KmsKeyID
	}
	if in.DataRetentionInHours != nil {
		m.Retention = *in.DataRetentionInHours
	}
	ok, err := s.tab.Create(ctx, m.Name, m)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errInUse.New("The stream %s already exists.", m.Name)
	}
	if err := s.store.Create(ctx, m.ID, time.Duration(m.Retention)*time.Hour); err != nil {
		_ = s.tab.KV.Delete(context.WithoutCancel(ctx), kvutil.EscapeName(m.Name))
		return nil, fmt.Errorf("video: create storage of %s: %w", m.Name, err)
	}
	if _, err := s.tab.Update(ctx, m.Name, func(c *meta) error {
		if c.ID != m.ID {
			return errSkipUpdate
		}
		c.Status = statusActive
		return nil
	}); err != nil && !errors.Is(err, errSkipUpdate) {
		return nil, err
	}
	return map[string]string{"StreamARN": m.ARN}, nil
}

// errSkipUpdate ends an update that found another incarnation of a stream.
var errSkipUpdate = errors.New("video: stream changed")

type streamRef struct {
	StreamName *string
	StreamARN  *string
}

func (s *Service) describeStream(ctx context.Context, body []byte) (any, error) {
	var in streamRef
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	m, err := s.lookup(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	return map[string]any{"StreamInfo": info(m)}, nil
}

type listStreamsInput struct {
	MaxResults          *int64
	NextToken           *string
	StreamNameCondition *struct {
		ComparisonOperator *string
		ComparisonValue    *string
	}
}

func (s *Service) listStreams(ctx context.Context, body []byte) (any, error) {
	var in listStreamsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	v.Range(in.MaxResults, "maxResults", 1, 10000)
	v.Length(in.NextToken, "nextToken", 0, 1024)
	v.Match(in.NextToken, "nextToken", reNextToken, "[a-zA-Z0-9+/=]*")
	prefix := ""
	if c := in.StreamNameCondition; c != nil {
		v.OneOf(c.ComparisonOperator, "streamNameCondition.comparisonOperator", "BEGINS_WITH")
		checkName(&v, c.ComparisonValue, "streamNameCondition.comparisonValue")
		if c.ComparisonValue != nil {
			prefix = *c.ComparisonValue
		}
	}
	if err := validation(&v); err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != nil && *in.NextToken != "" {
		b, err := base64.StdEncoding.DecodeString(*in.NextToken)
		if err != nil || !strings.HasPrefix(string(b), "n:") {
			return nil, ErrInvalidArgument.New("Invalid NextToken.")
		}
		after = string(b[2:])
	}
	limit := 10000
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	all, err := s.tab.List(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b *meta) int { return strings.Compare(a.Name, b.Name) })
	list := []streamInfo{}
	next := ""
	for _, m := range all {
		if !strings.HasPrefix(m.Name, prefix) || (after != "" && m.Name <= after) {
			continue
		}
		if len(list) == limit {
			next = base64.StdEncoding.EncodeToString([]byte("n:" + list[len(list)-1].StreamName))
			break
		}
		list = append(list, info(m))
	}
	out := map[string]any{"StreamInfoList": list}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

type deleteStreamInput struct {
	StreamARN      *string
	CurrentVersion *string
}

func (s *Service) deleteStream(ctx context.Context, body []byte) (any, error) {
	var in deleteStreamInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	if v.Required(in.StreamARN != nil, "streamARN") {
		checkARN(&v, in.StreamARN, "streamARN")
	}
	checkVersion(&v, in.CurrentVersion, false)
	if err := validation(&v); err != nil {
		return nil, err
	}
	m, err := s.lookup(ctx, nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	m, err = s.tab.Update(ctx, m.Name, func(c *meta) error {
		if c.ID != m.ID {
			return notFound()
		}
		if in.CurrentVersion != nil && *in.CurrentVersion != c.Version {
			return errVersionMismatch.New("The stream version %s does not match the current version.", *in.CurrentVersion)
		}
		c.Status = statusDeleting
		return nil
	})
	if errors.Is(err, errNoStream) {
		return nil, notFound()
	}
	if err != nil {
		return nil, err
	}
	// The media goes first: a crash in between leaves a DELETING record
	// that another DeleteStream finishes.
	if err := s.store.Delete(ctx, m.ID); err != nil {
		return nil, fmt.Errorf("video: delete storage of %s: %w", m.Name, err)
	}
	if err := s.tab.KV.Delete(ctx, kvutil.EscapeName(m.Name)); err != nil {
		return nil, fmt.Errorf("video: delete %s: %w", m.Name, err)
	}
	return nil, nil
}

// change applies fn to the record of the stream named or ARN'd, checking
// its version, and gives it a new version.
func (s *Service) change(ctx context.Context, name, arn, version *string, fn func(c *meta) error) (*meta, error) {
	m, err := s.lookup(ctx, name, arn)
	if err != nil {
		return nil, err
	}
	m, err = s.tab.Update(ctx, m.Name, func(c *meta) error {
		if c.ID != m.ID {
			return notFound()
		}
		if c.Status != statusActive {
			return errInUse.New("The stream %s is not in the ACTIVE state.", c.Name)
		}
		if version != nil && *version != c.Version {
			return errVersionMismatch.New("The stream version %s does not match the current version.", *version)
		}
		if err := fn(c); err != nil {
			return err
		}
		if version != nil {
			c.Version = randomHex(10)
		}
		return nil
	})
	if errors.Is(err, errNoStream) {
		return nil, notFound()
	}
	return m, err
}

type updateStreamInput struct {
	StreamName, StreamARN *string
	CurrentVersion        *string
	DeviceName, MediaType *string
}

func (s *Service) updateStream(ctx context.Context, body []byte) (any, error) {
	var in updateStreamInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	checkVersion(&v, in.CurrentVersion, true)
	checkDevice(&v, in.DeviceName)
	checkMediaType(&v, in.MediaType)
	if err := validation(&v); err != nil {
		return nil, err
	}
	_, err := s.change(ctx, in.StreamName, in.StreamARN, in.CurrentVersion, func(c *meta) error {
		if in.DeviceName != nil {
			c.DeviceName = *in.DeviceName
		}
		if in.MediaType != nil {
			c.MediaType = *in.MediaType
		}
		return nil
	})
	return nil, err
}

type updateRetentionInput struct {
	StreamName, StreamARN      *string
	CurrentVersion             *string
	Operation                  *string
	DataRetentionChangeInHours *int64
}

func (s *Service) updateDataRetention(ctx context.Context, body []byte) (any, error) {
	var in updateRetentionInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	checkVersion(&v, in.CurrentVersion, true)
	if v.Required(in.Operation != nil, "operation") {
		v.OneOf(in.Operation, "operation", "INCREASE_DATA_RETENTION", "DECREASE_DATA_RETENTION")
	}
	if v.Required(in.DataRetentionChangeInHours != nil, "dataRetentionChangeInHours") {
		v.Range(in.DataRetentionChangeInHours, "dataRetentionChangeInHours", 1, maxRetentionHours)
	}
	if err := validation(&v); err != nil {
		return nil, err
	}
	m, err := s.change(ctx, in.StreamName, in.StreamARN, in.CurrentVersion, func(c *meta) error {
		d := *in.DataRetentionChangeInHours
		if *in.Operation == "DECREASE_DATA_RETENTION" {
			d = -d
		}
		r := c.Retention + d
		if r < 0 {
			return ErrInvalidArgument.New("The data retention period cannot be decreased below 0 hours (current %d hours).", c.Retention)
		}
		if r > maxRetentionHours {
			return ErrInvalidArgument.New("The data retention period cannot be increased beyond %d hours (current %d hours).", maxRetentionHours, c.Retention)
		}
		c.Retention = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.store.SetRetention(ctx, m.ID, time.Duration(m.Retention)*time.Hour); err != nil {
		return nil, fmt.Errorf("video: set retention of %s: %w", m.Name, err)
	}
	return nil, nil
}

// tags changes a stream's tags with fn, keeping at most maxTags.
func (s *Service) tags(ctx context.Context, name, arn *string, fn func(tags map[string]string)) error {
	m, err := s.lookup(ctx, name, arn)
	if err != nil {
		return err
	}
	_, err = s.tab.Update(ctx, m.Name, func(c *meta) error {
		if c.ID != m.ID {
			return notFound()
		}
		if c.Tags == nil {
			c.Tags = map[string]string{}
		}
		fn(c.Tags)
		if len(c.Tags) > maxTags {
			return errTooManyTags.New("The number of tags exceeds the limit of %d tags per stream.", maxTags)
		}
		return nil
	})
	if errors.Is(err, errNoStream) {
		return notFound()
	}
	return err
}

type tagStreamInput struct {
	StreamName, StreamARN *string
	Tags                  map[string]string
}

func (s *Service) tagStream(ctx context.Context, body []byte) (any, error) {
	var in tagStreamInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	if v.Required(in.Tags != nil, "tags") {
		checkTagMap(&v, in.Tags, "tags")
	}
	if err := validation(&v); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTags {
		return nil, errTooManyTags.New("The number of tags exceeds the limit of %d tags per stream.", maxTags)
	}
	return nil, s.tags(ctx, in.StreamName, in.StreamARN, func(t map[string]string) {
		for k, val := range in.Tags {
			t[k] = val
		}
	})
}

type untagStreamInput struct {
	StreamName, StreamARN *string
	TagKeyList            []string
}

func checkKeyList(v *awserr.Violations, keys []string) {
	if !v.Required(keys != nil, "tagKeyList") {
		return
	}
	if len(keys) < 1 || len(keys) > maxTags {
		v.Add(awserr.ListValue(keys), "tagKeyList", fmt.Sprintf("Member must have length between 1 and %d", maxTags))
	}
	for i := range keys {
		v.Length(&keys[i], "tagKeyList", 1, 128)
	}
}

func (s *Service) untagStream(ctx context.Context, body []byte) (any, error) {
	var in untagStreamInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	checkKeyList(&v, in.TagKeyList)
	if err := validation(&v); err != nil {
		return nil, err
	}
	return nil, s.tags(ctx, in.StreamName, in.StreamARN, func(t map[string]string) {
		for _, k := range in.TagKeyList {
			delete(t, k)
		}
	})
}

type listTagsInput struct {
	StreamName, StreamARN, ResourceARN *string
	NextToken                          *string
}

func (s *Service) listTagsForStream(ctx context.Context, body []byte) (any, error) {
	var in listTagsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	m, err := s.lookup(ctx, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	return tagsOut(m), nil
}

func tagsOut(m *meta) any {
	t := m.Tags
	if t == nil {
		t = map[string]string{}
	}
	return map[string]any{"Tags": t}
}

// resourceARN checks the ARN of the *Resource tag operations, which name a
// stream only by ARN.
func resourceARN(v *awserr.Violations, arn *string) {
	if v.Required(arn != nil, "resourceARN") {
		checkARN(v, arn, "resourceARN")
	}
}

type tagResourceInput struct {
	ResourceARN *string
	Tags        []struct{ Key, Value *string }
}

func (s *Service) tagResource(ctx context.Context, body []byte) (any, error) {
	var in tagResourceInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	resourceARN(&v, in.ResourceARN)
	if v.Required(in.Tags != nil, "tags") {
		if len(in.Tags) < 1 {
			v.Add("[]", "tags", "Member must have length greater than or equal to 1")
		}
		for i, t := range in.Tags {
			p := fmt.Sprintf("tags.%d", i+1)
			if v.Required(t.Key != nil, p+".member.key") && v.Required(t.Value != nil, p+".member.value") {
				checkTag(&v, *t.Key, *t.Value, p+".member")
			}
		}
	}
	if err := validation(&v); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTags {
		return nil, errTooManyTags.New("The number of tags exceeds the limit of %d tags per stream.", maxTags)
	}
	return nil, s.tags(ctx, nil, in.ResourceARN, func(t map[string]string) {
		for _, tag := range in.Tags {
			t[*tag.Key] = *tag.Value
		}
	})
}

type untagResourceInput struct {
	ResourceARN *string
	TagKeyList  []string
}

func (s *Service) untagResource(ctx context.Context, body []byte) (any, error) {
	var in untagResourceInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	resourceARN(&v, in.ResourceARN)
	checkKeyList(&v, in.TagKeyList)
	if err := validation(&v); err != nil {
		return nil, err
	}
	return nil, s.tags(ctx, nil, in.ResourceARN, func(t map[string]string) {
		for _, k := range in.TagKeyList {
			delete(t, k)
		}
	})
}

func (s *Service) listTagsForResource(ctx context.Context, body []byte) (any, error) {
	var in listTagsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	resourceARN(&v, in.ResourceARN)
	if err := validation(&v); err != nil {
		return nil, err
	}
	m, err := s.lookup(ctx, nil, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return tagsOut(m), nil
}

// apiNames are GetDataEndpoint's APIName values.
var apiNames = []string{"PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS", "GET_MEDIA_FOR_FRAGMENT_LIST",
	"GET_HLS_STREAMING_SESSION_URL", "GET_DASH_STREAMING_SESSION_URL", "GET_CLIP", "GET_IMAGES"}

type getDataEndpointInput struct {
	StreamName, StreamARN *string
	APIName               *string
}

func (s *Service) getDataEndpoint(ctx context.Context, body []byte) (any, error) {
	var in getDataEndpointInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	if v.Required(in.APIName != nil, "aPIName") {
		v.OneOf(in.APIName, "aPIName", apiNames...)
	}
	if err := validation(&v); err != nil {
		return nil, err
	}
	if _, err := s.lookup(ctx, in.StreamName, in.StreamARN); err != nil {
		return nil, err
	}
	return map[string]string{"DataEndpoint": s.cfg.Endpoint()}, nil
}

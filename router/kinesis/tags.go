package kinesis

import (
	"sort"
	"strings"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/shardstore"
)

// checkTags validates tags to add to a stream that already has existing
// tags (not counting keys being overwritten).
func checkTags(tags map[string]string, existing int) error {
	var v awserr.Violations
	for k, val := range tags {
		if len(k) < 1 || len(k) > 128 {
			v.Add(k, "tags", "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")
		}
		if len(val) > 256 {
			v.Add(val, "tags", "Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if len(tags)+existing > maxTagsPerStream {
		return awserr.InvalidArgument.New("Failed to add tags to the stream: a given stream cannot have more than %d tags associated with it.", maxTagsPerStream)
	}
	return nil
}

func checkTagMap(v *awserr.Violations, tags map[string]string) {
	if tags == nil {
		v.Null("tags")
	} else if len(tags) < 1 || len(tags) > 200 {
		v.Add("{...}", "tags", "Member must have length between 1 and 200")
	}
}

func checkTagKeys(v *awserr.Violations, keys []string) {
	if keys == nil {
		v.Null("tagKeys")
		return
	}
	if len(keys) < 1 || len(keys) > 50 {
		v.Add("["+strings.Join(keys, ", ")+"]", "tagKeys", "Member must have length between 1 and 50")
	}
	for _, k := range keys {
		if len(k) < 1 || len(k) > 128 {
			v.Add("["+strings.Join(keys, ", ")+"]", "tagKeys", "Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")
			break
		}
	}
}

// addTags merges tags into a stream's tags.
func (s *Service) addTags(c *call, name string, tags map[string]string) error {
	_, err := s.store.Update(c.ctx, name, func(st *shardstore.Stream) error {
		if st.Status == shardstore.StatusDeleting {
			return s.notFound(st.Name)
		}
		fresh := 0
		for k := range tags {
			if _, ok := st.Tags[k]; !ok {
				fresh++
			}
		}
		if err := checkTags(tags, len(st.Tags)+fresh-len(tags)); err != nil {
			return err
		}
		if st.Tags == nil {
			st.Tags = map[string]string{}
		}
		for k, v := range tags {
			st.Tags[k] = v
		}
		return nil
	})
	return s.storeErr(name, err)
}

func (s *Service) removeTags(c *call, name string, keys []string) error {
	_, err := s.store.Update(c.ctx, name, func(st *shardstore.Stream) error {
		for _, k := range keys {
			delete(st.Tags, k)
		}
		return nil
	})
	return s.storeErr(name, err)
}

func sortedTags(tags map[string]string, after string, limit int) (out []tag, more bool) {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		if k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out = []tag{}
	for _, k := range keys {
		if limit > 0 && len(out) == limit {
			return out, true
		}
		out = append(out, tag{k, tags[k]})
	}
	return out, false
}

func (s *Service) addTagsToStream(c *call) (any, error) {
	var in addTagsIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	checkStreamRef(&v, in.streamRef)
	checkTagMap(&v, in.Tags)
	if err := v.Err(); err != nil {
		return nil, err
	}
	st, err := s.stream(in.streamRef)
	if err != nil {
		return nil, err
	}
	return nil, s.addTags(c, st.Name, in.Tags)
}

func (s *Service) removeTagsFromStream(c *call) (any, error) {
	var in removeTagsIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	checkStreamRef(&v, in.streamRef)
	checkTagKeys(&v, in.TagKeys)
	if err := v.Err(); err != nil {
		return nil, err
	}
	st, err := s.stream(in.streamRef)
	if err != nil {
		return nil, err
	}
	return nil, s.removeTags(c, st.Name, in.TagKeys)
}

func (s *Service) listTagsForStream(c *call) (any, error) {
	var in listTagsForStreamIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Violations
	checkStreamRef(&v, in.streamRef)
	checkLen(&v, in.ExclusiveStartTagKey, "exclusiveStartTagKey", 1, 128, false)
	checkRange(&v, in.Limit, "limit", 1, 50, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	st, err := s.stream(in.streamRef)
	if err != nil {
		return nil, err
	}
	after, limit := "", 50
	if in.ExclusiveStartTagKey != nil {
		after = *in.ExclusiveStartTagKey
	}
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	tags, more := sortedTags(st.Tags, after, limit)
	return listTagsOut{Tags: tags, HasMoreTags: &more}, nil
}

// resourceStream resolves a ResourceARN (a stream or a consumer ARN; tags
// of consumers are kept on the stream under the consumer's prefix).
func (s *Service) resourceStream(arn *string) (*shardstore.Stream, string, error) {
	var v awserr.Violations
	checkLen(&v, arn, "resourceARN", 1, 2048, true)
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	name, err := s.nameFromARN(*arn)
	if err != nil {
		return nil, "", err
	}
	st, ok := s.store.Get(name)
	if !ok {
		return nil, "", s.notFound(name)
	}
	prefix := ""
	if i := strings.Index(*arn, "/consumer/"); i >= 0 {
		prefix = "\x00" + (*arn)[i+len("/consumer/"):] + "\x00"
	}
	return st, prefix, nil
}

func (s *Service) tagResource(c *call) (any, error) {
	var in tagResourceIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	st, prefix, err := s.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	var v awserr.Violations
	checkTagMap(&v, in.Tags)
	if err := v.Err(); err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for k, val := range in.Tags {
		tags[prefix+k] = val
	}
	return nil, s.addTags(c, st.Name, tags)
}

func (s *Service) untagResource(c *call) (any, error) {
	var in untagResourceIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	st, prefix, err := s.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	var v awserr.Violations
	checkTagKeys(&v, in.TagKeys)
	if err := v.Err(); err != nil {
		return nil, err
	}
	keys := make([]string, len(in.TagKeys))
	for i, k := range in.TagKeys {
		keys[i] = prefix + k
	}
	return nil, s.removeTags(c, st.Name, keys)
}

func (s *Service) listTagsForResource(c *call) (any, error) {
	var in struct {
		ResourceARN *string `json:"ResourceARN" cbor:"ResourceARN"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	st, prefix, err := s.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	mine := map[string]string{}
	for k, v := range st.Tags {
		switch {
		case prefix == "" && !strings.HasPrefix(k, "\x00"):
			mine[k] = v
		case prefix != "" && strings.HasPrefix(k, prefix):
			mine[strings.TrimPrefix(k, prefix)] = v
		}
	}
	tags, _ := sortedTags(mine, "", 0)
	return map[string]any{"Tags": tags}, nil
}

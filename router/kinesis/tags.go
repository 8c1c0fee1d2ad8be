package kinesis

import (
	"sort"
	"strings"
	"unicode"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/shardstore"
)

const (
	tagKeyLen   = "[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"
	tagValueLen = "[Member must have length less than or equal to 256, Member must have length greater than or equal to 0]"
)

// checkTagMap validates a Tags member: its size and the lengths of its keys
// and values (AWS prints the whole map for each).
func checkTagMap(v *awserr.Violations, tags map[string]string, required bool) {
	checkMap(v, tags, "tags", 1, 200, required)
	keys, values := true, true
	for k, val := range tags {
		keys = keys && len(k) >= 1 && len(k) <= 128
		values = values && len(val) <= 256
	}
	if !keys {
		v.Add(awserr.MapValue(tags), "tags", "Map keys must satisfy constraint: "+tagKeyLen)
	}
	if !values {
		v.Add(awserr.MapValue(tags), "tags", "Map value must satisfy constraint: "+tagValueLen)
	}
}

func checkTagKeys(v *awserr.Violations, keys []string) {
	checkList(v, keys, "tagKeys", 1, 50, true)
	for _, k := range keys {
		if len(k) < 1 || len(k) > 128 {
			v.Add(awserr.ListValue(keys), "tagKeys", "Member must satisfy constraint: "+tagKeyLen)
			break
		}
	}
}

// checkTagText refuses tag keys and values with characters AWS does not
// take: anything but Unicode letters, digits, white space and _ . / = + - @
// (its first message allows % too, a second check then refuses it). verb
// is "add tags to" or "remove tags from".
func (s *Service) checkTagText(verb, stream string, texts []string) error {
	for _, t := range texts {
		if strings.ContainsFunc(t, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) && !strings.ContainsRune("_./=+-%@", r)
		}) {
			return awserr.InvalidArgument.New("%s", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
		}
	}
	for _, t := range texts {
		if strings.Contains(t, "%") {
			return awserr.InvalidArgument.New("Failed to %s stream %s under account %s because some tags contained illegal characters. "+
				"The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.", verb, stream, s.cfg.AccountID)
		}
	}
	return nil
}

func keysAndValues(tags map[string]string) []string {
	out := make([]string, 0, 2*len(tags))
	for k, v := range tags {
		out = append(out, k, v)
	}
	return out
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
		if len(st.Tags)+fresh > maxTagsPerStream {
			return awserr.InvalidArgument.New("Failed to add tags to stream %s under account %s because a given stream cannot have more than %d tags associated with it.",
				st.Name, s.cfg.AccountID, maxTagsPerStream)
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

// tag checks and stores tags of a stream (prefix "") or of one of its
// consumers (prefix from resourceStream).
func (s *Service) tag(c *call, st *shardstore.Stream, prefix string, tags map[string]string) error {
	if err := s.checkTagText("add tags to", st.Name, keysAndValues(tags)); err != nil {
		return err
	}
	stored := make(map[string]string, len(tags))
	for k, val := range tags {
		stored[prefix+k] = val
	}
	return s.addTags(c, st.Name, stored)
}

// untag checks and removes tag keys of a stream (prefix "") or of one of
// its consumers.
func (s *Service) untag(c *call, st *shardstore.Stream, prefix string, keys []string) error {
	if err := s.checkTagText("remove tags from", st.Name, keys); err != nil {
		return err
	}
	stored := make([]string, len(keys))
	for i, k := range keys {
		stored[i] = prefix + k
	}
	return s.removeTags(c, st.Name, stored)
}

func (s *Service) addTagsToStream(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *addTagsIn) {
		checkStreamRef(v, in.streamRef)
		checkTagMap(v, in.Tags, true)
	})
	if err != nil {
		return nil, err
	}
	st, err := s.stream(in.streamRef)
	if err != nil {
		return nil, err
	}
	return nil, s.tag(c, st, "", in.Tags)
}

func (s *Service) removeTagsFromStream(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *removeTagsIn) {
		checkStreamRef(v, in.streamRef)
		checkTagKeys(v, in.TagKeys)
	})
	if err != nil {
		return nil, err
	}
	st, err := s.stream(in.streamRef)
	if err != nil {
		return nil, err
	}
	return nil, s.untag(c, st, "", in.TagKeys)
}

func (s *Service) listTagsForStream(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *listTagsForStreamIn) {
		checkStreamRef(v, in.streamRef)
		checkLen(v, in.ExclusiveStartTagKey, "exclusiveStartTagKey", 1, 128, false)
		checkRange(v, in.Limit, "limit", 1, 50, false)
	})
	if err != nil {
		return nil, err
	}
	st, err := s.stream(in.streamRef)
	if err != nil {
		return nil, err
	}
	after := ""
	if in.ExclusiveStartTagKey != nil {
		after = *in.ExclusiveStartTagKey
	}
	tags, more := sortedTags(st.Tags, after, intOr(in.Limit, 50))
	return listTagsOut{Tags: tags, HasMoreTags: &more}, nil
}

// resourceStream resolves a ResourceARN (a stream or a consumer ARN; tags
// of consumers are kept on the stream under the consumer's prefix).
func (s *Service) resourceStream(arn *string) (*shardstore.Stream, string, error) {
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
	in, err := input(c, func(v *awserr.Violations, in *tagResourceIn) {
		checkResourceARN(v, in.ResourceARN)
		checkTagMap(v, in.Tags, true)
	})
	if err != nil {
		return nil, err
	}
	st, prefix, err := s.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return nil, s.tag(c, st, prefix, in.Tags)
}

func (s *Service) untagResource(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *untagResourceIn) {
		checkResourceARN(v, in.ResourceARN)
		checkTagKeys(v, in.TagKeys)
	})
	if err != nil {
		return nil, err
	}
	st, prefix, err := s.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return nil, s.untag(c, st, prefix, in.TagKeys)
}

// listTagsForResourceIn is ListTagsForResource's input.
type listTagsForResourceIn struct {
	ResourceARN *string `json:"ResourceARN" cbor:"ResourceARN"`
}

func (s *Service) listTagsForResource(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *listTagsForResourceIn) {
		checkResourceARN(v, in.ResourceARN)
	})
	if err != nil {
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

package dest

import (
	"encoding/json"
	"errors"
	"regexp"

	"github.com/kinesin/kinesin/internal/awserr"
)

// The configuration members several destinations share, in the shapes of
// the Firehose_20150804 model. Their defaults and limits differ between
// destinations, so those stay with each destination.

// BufferingHints is the members SizeInMBs then IntervalInSeconds, as the
// model orders them in HttpEndpointBufferingHints and the kinesin stream
// destination (Splunk's and OpenSearch's shapes order them the other way
// round, so those destinations keep their own type).
type BufferingHints struct {
	SizeInMBs         *int64 `json:"SizeInMBs,omitempty"`
	IntervalInSeconds *int64 `json:"IntervalInSeconds,omitempty"`
}

// Defaulted fills h's missing members with the defaults and answers it (a
// new BufferingHints when h is nil).
func (h *BufferingHints) Defaulted(sizeMiB, intervalSeconds int64) *BufferingHints {
	if h == nil {
		h = &BufferingHints{}
	}
	if h.SizeInMBs == nil {
		h.SizeInMBs = &sizeMiB
	}
	if h.IntervalInSeconds == nil {
		h.IntervalInSeconds = &intervalSeconds
	}
	return h
}

// Clone is a copy of h that shares no memory with it (nil for nil).
func (h *BufferingHints) Clone() *BufferingHints {
	if h == nil {
		return nil
	}
	return &BufferingHints{SizeInMBs: clone(h.SizeInMBs), IntervalInSeconds: clone(h.IntervalInSeconds)}
}

// Merged answers h with the members u gives replacing h's, as
// UpdateDestination merges; h when u is nil. It changes neither h nor u
// and shares no memory with them.
func (h *BufferingHints) Merged(u *BufferingHints) *BufferingHints {
	if u == nil {
		return h
	}
	n := h.Clone()
	if n == nil {
		n = &BufferingHints{}
	}
	merge(&n.SizeInMBs, u.SizeInMBs)
	merge(&n.IntervalInSeconds, u.IntervalInSeconds)
	return n
}

// Values answers the hints in MiB and seconds, the defaults standing in
// for members not given (h may be nil).
func (h *BufferingHints) Values(defSizeMiB, defIntervalSeconds int64) (sizeMiB, intervalSeconds int64) {
	if h == nil {
		return defSizeMiB, defIntervalSeconds
	}
	return value(h.SizeInMBs, defSizeMiB), value(h.IntervalInSeconds, defIntervalSeconds)
}

// RetryOptions is the model's <X>RetryOptions: how long delivery is
// retried.
type RetryOptions struct {
	DurationInSeconds *int64 `json:"DurationInSeconds,omitempty"`
}

// Defaulted fills a missing DurationInSeconds with seconds and answers r
// (a new RetryOptions when r is nil).
func (r *RetryOptions) Defaulted(seconds int64) *RetryOptions {
	if r == nil {
		r = &RetryOptions{}
	}
	if r.DurationInSeconds == nil {
		r.DurationInSeconds = &seconds
	}
	return r
}

// Clone is a copy of r that shares no memory with it (nil for nil).
func (r *RetryOptions) Clone() *RetryOptions {
	if r == nil {
		return nil
	}
	return &RetryOptions{DurationInSeconds: clone(r.DurationInSeconds)}
}

// Merged answers r with the members u gives replacing r's; r when u is
// nil. It shares no memory with r or u.
func (r *RetryOptions) Merged(u *RetryOptions) *RetryOptions {
	if u == nil {
		return r
	}
	n := r.Clone()
	if n == nil {
		n = &RetryOptions{}
	}
	merge(&n.DurationInSeconds, u.DurationInSeconds)
	return n
}

// Seconds is DurationInSeconds, def when not given (r may be nil).
func (r *RetryOptions) Seconds(def int64) int64 {
	if r == nil {
		return def
	}
	return value(r.DurationInSeconds, def)
}

// Check records r's constraint violations under path (the path of the
// RetryOptions member): DurationInSeconds 0 to 7200.
func (r *RetryOptions) Check(v *awserr.Violations, path string) {
	if r != nil {
		v.Range(r.DurationInSeconds, path+".durationInSeconds", 0, MaxRetrySeconds)
	}
}

// MaxRetrySeconds is the model's limit of RetryOptions.DurationInSeconds.
const MaxRetrySeconds = 7200

// SecretsManagerConfiguration is the model's SecretsManagerConfiguration.
// kinesin has no Secrets Manager, so destinations accept it only with
// Enabled false (each says so in its own words).
type SecretsManagerConfiguration struct {
	SecretARN *string `json:"SecretARN,omitempty"`
	RoleARN   *string `json:"RoleARN,omitempty"`
	Enabled   *bool   `json:"Enabled,omitempty"`
}

// IsEnabled reports whether s is given with Enabled true.
func (s *SecretsManagerConfiguration) IsEnabled() bool {
	return s != nil && s.Enabled != nil && *s.Enabled
}

// Patterns of the model, as AWS prints them in validation messages.
const (
	RoleARNPattern   = `arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+`
	SecretARNPattern = `arn:.*:secretsmanager:[a-zA-Z0-9\-]+:\d{12}:secret:[a-zA-Z0-9\-/_+=.@!]+`
)

// The patterns as Java matches them (its "." matches no line terminator).
var (
	RoleARNRe   = regexp.MustCompile(`^arn:[^\n\r\x{85}\x{2028}\x{2029}]*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+$`)
	SecretARNRe = regexp.MustCompile(`^arn:[^\n\r\x{85}\x{2028}\x{2029}]*:secretsmanager:[a-zA-Z0-9\-]+:\d{12}:secret:[a-zA-Z0-9\-/_+=.@!]+$`)
)

// Check records s's constraint violations under path (the path of the
// SecretsManagerConfiguration member): SecretARN 1 to 2048 characters,
// RoleARN 1 to 512, each matching its pattern, and Enabled required.
func (s *SecretsManagerConfiguration) Check(v *awserr.Violations, path string) {
	if s == nil {
		return
	}
	v.Match(s.SecretARN, path+".secretARN", SecretARNRe, SecretARNPattern)
	v.Length(s.SecretARN, path+".secretARN", 1, 2048)
	v.Match(s.RoleARN, path+".roleARN", RoleARNRe, RoleARNPattern)
	v.Length(s.RoleARN, path+".roleARN", 1, 512)
	v.Required(s.Enabled != nil, path+".enabled")
}

// Clone is a copy of s that shares no memory with it (nil for nil).
func (s *SecretsManagerConfiguration) Clone() *SecretsManagerConfiguration {
	if s == nil {
		return nil
	}
	return &SecretsManagerConfiguration{SecretARN: clone(s.SecretARN), RoleARN: clone(s.RoleARN), Enabled: clone(s.Enabled)}
}

// Merged answers s with the members u gives replacing s's; s when u is
// nil. It shares no memory with s or u.
func (s *SecretsManagerConfiguration) Merged(u *SecretsManagerConfiguration) *SecretsManagerConfiguration {
	if u == nil {
		return s
	}
	n := s.Clone()
	if n == nil {
		n = &SecretsManagerConfiguration{}
	}
	merge(&n.SecretARN, u.SecretARN)
	merge(&n.RoleARN, u.RoleARN)
	merge(&n.Enabled, u.Enabled)
	return n
}

// Replace sets *dst to a copy of src when src is given: how
// UpdateDestination treats a member (given, it replaces; left out, the old
// value stays).
func Replace[T any](dst **T, src *T) { merge(dst, src) }

// ReplaceRaw is Replace for a member kept raw (the router's members).
func ReplaceRaw(dst *json.RawMessage, src json.RawMessage) {
	if src != nil {
		*dst = append(json.RawMessage(nil), src...)
	}
}

// Clone is a copy of *p that shares no memory with it (nil for nil).
func Clone[T any](p *T) *T { return clone(p) }

// CheckBackupModeUpdate answers AWS's error for an update of S3BackupMode
// from cur to next that would go from all (AllData, AllEvents) back to
// failedOnly, which AWS refuses; nil otherwise.
func CheckBackupModeUpdate(cur, next *string, all, failedOnly string) error {
	if cur != nil && next != nil && *cur == all && *next == failedOnly {
		return errors.New("S3BackupMode cannot be updated from " + all + " to " + failedOnly + ".")
	}
	return nil
}

func clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func merge[T any](dst **T, src *T) {
	if src != nil {
		*dst = clone(src)
	}
}

func value[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

package dest

import (
	"encoding/json"
	"testing"

	"github.com/kinesin/kinesin/internal/awserr"
)

func ptr[T any](v T) *T { return &v }

func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBufferingHints(t *testing.T) {
	tests := []struct {
		name     string
		h, u     *BufferingHints
		defaults string
		merged   string
		size     int64
		interval int64
	}{
		{"nil", nil, nil, `{"SizeInMBs":5,"IntervalInSeconds":300}`, `null`, 5, 300},
		{"partial", &BufferingHints{SizeInMBs: ptr[int64](1)}, &BufferingHints{IntervalInSeconds: ptr[int64](60)},
			`{"SizeInMBs":1,"IntervalInSeconds":300}`, `{"SizeInMBs":1,"IntervalInSeconds":60}`, 1, 300},
		{"update over nil", nil, &BufferingHints{SizeInMBs: ptr[int64](2)}, `{"SizeInMBs":5,"IntervalInSeconds":300}`, `{"SizeInMBs":2}`, 5, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := js(t, tt.h)
			merged := tt.h.Merged(tt.u)
			if got := js(t, merged); got != tt.merged {
				t.Errorf("Merged %s, want %s", got, tt.merged)
			}
			if js(t, tt.h) != before {
				t.Errorf("Merged changed h")
			}
			if s, i := tt.h.Values(5, 300); s != tt.size || i != tt.interval {
				t.Errorf("Values %d, %d", s, i)
			}
			if got := js(t, tt.h.Clone().Defaulted(5, 300)); got != tt.defaults {
				t.Errorf("Defaulted %s, want %s", got, tt.defaults)
			}
		})
	}
}

func TestRetryOptions(t *testing.T) {
	var r *RetryOptions
	if r.Seconds(300) != 300 || r.Merged(nil) != nil {
		t.Fatal("nil RetryOptions")
	}
	r = r.Defaulted(300)
	m := r.Merged(&RetryOptions{DurationInSeconds: ptr[int64](0)})
	if *r.DurationInSeconds != 300 || m.Seconds(1) != 0 {
		t.Fatalf("Merged: %s from %s", js(t, m), js(t, r))
	}
	var v awserr.Violations
	(&RetryOptions{DurationInSeconds: ptr[int64](7201)}).Check(&v, "x.retryOptions")
	want := "1 validation error detected: Value '7201' at 'x.retryOptions.durationInSeconds' failed to satisfy constraint: Member must have value less than or equal to 7200"
	if err := v.Err(); err == nil || err.Message != want {
		t.Fatalf("Check: %v", err)
	}
}

func TestSecretsManagerConfiguration(t *testing.T) {
	tests := []struct {
		name string
		s    *SecretsManagerConfiguration
		want string
	}{
		{"nil", nil, ""},
		{"disabled", &SecretsManagerConfiguration{Enabled: ptr(false)}, ""},
		{"valid ARNs", &SecretsManagerConfiguration{Enabled: ptr(false),
			SecretARN: ptr("arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbC!"),
			RoleARN:   ptr("arn:aws:iam::123456789012:role/r")}, ""},
		{"no Enabled", &SecretsManagerConfiguration{},
			"1 validation error detected: Value null at 'p.enabled' failed to satisfy constraint: Member must not be null"},
		{"bad ARNs", &SecretsManagerConfiguration{Enabled: ptr(true), SecretARN: ptr(""), RoleARN: ptr("r")},
			"3 validation errors detected: Value '' at 'p.secretARN' failed to satisfy constraint: Member must satisfy regular expression pattern: " + SecretARNPattern +
				"; Value '' at 'p.secretARN' failed to satisfy constraint: Member must have length greater than or equal to 1" +
				"; Value 'r' at 'p.roleARN' failed to satisfy constraint: Member must satisfy regular expression pattern: " + RoleARNPattern},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v awserr.Violations
			tt.s.Check(&v, "p")
			got := ""
			if err := v.Err(); err != nil {
				got = err.Message
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	s := &SecretsManagerConfiguration{Enabled: ptr(false), RoleARN: ptr("a")}
	m := s.Merged(&SecretsManagerConfiguration{Enabled: ptr(true)})
	if !m.IsEnabled() || s.IsEnabled() || *m.RoleARN != "a" || m.RoleARN == s.RoleARN {
		t.Fatalf("Merged: %s", js(t, m))
	}
}

func TestReplace(t *testing.T) {
	old := ptr("old")
	dst := old
	Replace(&dst, nil)
	if dst != old {
		t.Fatal("nil replaced")
	}
	src := ptr("new")
	Replace(&dst, src)
	if *dst != "new" || dst == src {
		t.Fatal("not replaced by a copy")
	}
	raw := json.RawMessage(`{"a":1}`)
	ReplaceRaw(&raw, nil)
	ReplaceRaw(&raw, json.RawMessage(`{}`))
	if string(raw) != `{}` {
		t.Fatalf("ReplaceRaw: %s", raw)
	}
	if err := CheckBackupModeUpdate(ptr("AllData"), ptr("FailedDataOnly"), "AllData", "FailedDataOnly"); err == nil ||
		err.Error() != "S3BackupMode cannot be updated from AllData to FailedDataOnly." {
		t.Fatalf("CheckBackupModeUpdate: %v", err)
	}
	if err := CheckBackupModeUpdate(ptr("FailedDataOnly"), ptr("AllData"), "AllData", "FailedDataOnly"); err != nil {
		t.Fatal(err)
	}
}

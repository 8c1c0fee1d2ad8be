package httpendpoint

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kinesin/kinesin/internal/awserr"
)

const validURL = "https://collector.example.com/firehose"

func TestDefaults(t *testing.T) {
	c := config(validURL)
	c.Defaults()
	got, err := json.Marshal(c.Describe())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"EndpointConfiguration":{"Url":"https://collector.example.com/firehose","Name":"test endpoint"},` +
		`"BufferingHints":{"SizeInMBs":5,"IntervalInSeconds":300},"RequestConfiguration":{"ContentEncoding":"NONE"},` +
		`"RetryOptions":{"DurationInSeconds":300},"S3BackupMode":"FailedDataOnly"}`
	if string(got) != want {
		t.Errorf("Describe after Defaults\n got %s\nwant %s", got, want)
	}
	if size, interval := c.Buffering(); size != 5 || interval != 300 {
		t.Errorf("Buffering = %d, %d; want 5, 300", size, interval)
	}
	// Given values stay.
	c = config(validURL, func(c *Config) {
		c.BufferingHints = &BufferingHints{SizeInMBs: ptr(int64(1))}
		c.S3BackupMode = ptr(AllData)
	})
	c.Defaults()
	if size, interval := c.Buffering(); size != 1 || interval != 300 || *c.S3BackupMode != AllData {
		t.Errorf("Buffering = %d, %d, backup %s", size, interval, *c.S3BackupMode)
	}
	if size, interval := (Config{}).Buffering(); size != 5 || interval != 300 {
		t.Errorf("Buffering of an empty config = %d, %d", size, interval)
	}
}

func TestConfigJSON(t *testing.T) {
	in := `{"EndpointConfiguration":{"Url":"https://x.example.com","Name":"n","AccessKey":"k"},` +
		`"BufferingHints":{"SizeInMBs":1,"IntervalInSeconds":0},` +
		`"RequestConfiguration":{"ContentEncoding":"GZIP","CommonAttributes":[{"AttributeName":"a","AttributeValue":""}]},` +
		`"RetryOptions":{"DurationInSeconds":0},"RoleARN":"arn:aws:iam::000000000000:role/r","S3BackupMode":"AllData",` +
		`"S3Configuration":{"BucketARN":"arn:aws:s3:::b"},"ProcessingConfiguration":{"Enabled":false},` +
		`"CloudWatchLoggingOptions":{"Enabled":false},"SecretsManagerConfiguration":{"Enabled":false}}`
	var c Config
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	out, _ := json.Marshal(c)
	if string(out) != in {
		t.Errorf("round trip\n got %s\nwant %s", out, in)
	}
	// Zero values are kept apart from missing ones.
	if *c.BufferingHints.IntervalInSeconds != 0 || *c.RetryOptions.DurationInSeconds != 0 {
		t.Error("zero members lost")
	}
	d, _ := json.Marshal(c.Describe())
	if strings.Contains(string(d), "AccessKey") || !strings.Contains(string(d), `"CommonAttributes":[{"AttributeName":"a","AttributeValue":""}]`) {
		t.Errorf("Describe = %s: want no AccessKey, the common attributes", d)
	}
}

func TestValidate(t *testing.T) {
	const p = "httpEndpointDestinationConfiguration"
	tests := []struct {
		name string
		edit func(*Config)
		kind awserr.Kind // zero: valid
		msg  string
	}{
		{"minimal", func(*Config) {}, awserr.Kind{}, ""},
		{"http is kinesin's extension", func(c *Config) { c.EndpointConfiguration.Url = ptr("http://127.0.0.1:8080/x") }, awserr.Kind{}, ""},
		{"everything", func(c *Config) {
			c.EndpointConfiguration.AccessKey = ptr(strings.Repeat("k", 4096))
			c.BufferingHints = &BufferingHints{SizeInMBs: ptr(int64(64)), IntervalInSeconds: ptr(int64(900))}
			c.RetryOptions = &RetryOptions{DurationInSeconds: ptr(int64(7200))}
			c.RoleARN = ptr("arn:aws:iam::123456789012:role/firehose")
			c.SecretsManagerConfiguration = &SecretsManagerConfiguration{Enabled: ptr(false),
				SecretARN: ptr("arn:aws:secretsmanager:us-east-1:123456789012:secret:key-AbCdEf")}
			attrs := make([]CommonAttribute, 50)
			for i := range attrs {
				attrs[i] = CommonAttribute{AttributeName: ptr(strings.Repeat("n", i+1)), AttributeValue: ptr(strings.Repeat("v", 1024))}
			}
			c.RequestConfiguration = &RequestConfiguration{ContentEncoding: ptr(EncodingGzip), CommonAttributes: attrs}
		}, awserr.Kind{}, ""},
		{"no endpoint configuration", func(c *Config) { c.EndpointConfiguration = nil }, awserr.Validation,
			"1 validation error detected: Value null at '" + p + ".endpointConfiguration' failed to satisfy constraint: Member must not be null"},
		{"no url", func(c *Config) { c.EndpointConfiguration.Url = nil }, awserr.Validation,
			"1 validation error detected: Value null at '" + p + ".endpointConfiguration.url' failed to satisfy constraint: Member must not be null"},
		{"url scheme; value left out (sensitive)", func(c *Config) { c.EndpointConfiguration.Url = ptr("ftp://x/?token=secret") }, awserr.Validation,
			"1 validation error detected: Value at '" + p + ".endpointConfiguration.url' failed to satisfy constraint: Member must satisfy regular expression pattern: https://.*"},
		{"url too long", func(c *Config) { c.EndpointConfiguration.Url = ptr("https://x/" + strings.Repeat("a", 991)) }, awserr.Validation,
			"1 validation error detected: Value at '" + p + ".endpointConfiguration.url' failed to satisfy constraint: Member must have length less than or equal to 1000"},
		{"url without host", func(c *Config) { c.EndpointConfiguration.Url = ptr("https://") }, awserr.InvalidArgument,
			"EndpointConfiguration.Url is not a valid https URL."},
		{"blank name", func(c *Config) { c.EndpointConfiguration.Name = ptr("  ") }, awserr.Validation,
			"1 validation error detected: Value '  ' at '" + p + ".endpointConfiguration.name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?!\\s*$).+"},
		{"access key too long", func(c *Config) { c.EndpointConfiguration.AccessKey = ptr(strings.Repeat("k", 4097)) }, awserr.Validation,
			"1 validation error detected: Value at '" + p + ".endpointConfiguration.accessKey' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"buffering out of range", func(c *Config) {
			c.BufferingHints = &BufferingHints{SizeInMBs: ptr(int64(65)), IntervalInSeconds: ptr(int64(901))}
		}, awserr.Validation,
			"2 validation errors detected: Value '65' at '" + p + ".bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 64; " +
				"Value '901' at '" + p + ".bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"size 0", func(c *Config) { c.BufferingHints = &BufferingHints{SizeInMBs: ptr(int64(0))} }, awserr.Validation,
			"1 validation error detected: Value '0' at '" + p + ".bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"retry too long", func(c *Config) { c.RetryOptions = &RetryOptions{DurationInSeconds: ptr(int64(7201))} }, awserr.Validation,
			"1 validation error detected: Value '7201' at '" + p + ".retryOptions.durationInSeconds' failed to satisfy constraint: Member must have value less than or equal to 7200"},
		{"negative retry", func(c *Config) { c.RetryOptions = &RetryOptions{DurationInSeconds: ptr(int64(-1))} }, awserr.Validation,
			"1 validation error detected: Value '-1' at '" + p + ".retryOptions.durationInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"content encoding", func(c *Config) { c.RequestConfiguration = &RequestConfiguration{ContentEncoding: ptr("gzip")} }, awserr.Validation,
			"1 validation error detected: Value 'gzip' at '" + p + ".requestConfiguration.contentEncoding' failed to satisfy constraint: Member must satisfy enum value set: [NONE, GZIP]"},
		{"backup mode", func(c *Config) { c.S3BackupMode = ptr("Enabled") }, awserr.Validation,
			"1 validation error detected: Value 'Enabled' at '" + p + ".s3BackupMode' failed to satisfy constraint: Member must satisfy enum value set: [FailedDataOnly, AllData]"},
		{"51 attributes", func(c *Config) {
			c.RequestConfiguration = &RequestConfiguration{CommonAttributes: make([]CommonAttribute, 51)}
			for i := range c.RequestConfiguration.CommonAttributes {
				c.RequestConfiguration.CommonAttributes[i] = CommonAttribute{AttributeName: ptr(strings.Repeat("a", i+1)), AttributeValue: ptr("")}
			}
		}, awserr.Validation, "Member must have length less than or equal to 50"},
		{"attribute members", func(c *Config) {
			c.RequestConfiguration = &RequestConfiguration{CommonAttributes: []CommonAttribute{
				{AttributeValue: ptr("v")}, {AttributeName: ptr("n"), AttributeValue: ptr(strings.Repeat("v", 1025))}}}
		}, awserr.Validation,
			"2 validation errors detected: Value null at '" + p + ".requestConfiguration.commonAttributes.1.member.attributeName' failed to satisfy constraint: Member must not be null; " +
				"Value at '" + p + ".requestConfiguration.commonAttributes.2.member.attributeValue' failed to satisfy constraint: Member must have length less than or equal to 1024"},
		{"duplicate attribute", func(c *Config) {
			c.RequestConfiguration = &RequestConfiguration{CommonAttributes: []CommonAttribute{
				{AttributeName: ptr("env"), AttributeValue: ptr("a")}, {AttributeName: ptr("env"), AttributeValue: ptr("b")}}}
		}, awserr.InvalidArgument, `RequestConfiguration.CommonAttributes has the attribute name "env" more than once.`},
		{"role ARN", func(c *Config) { c.RoleARN = ptr("role") }, awserr.Validation,
			"1 validation error detected: Value 'role' at '" + p + ".roleARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:.*:iam::\\d{12}:role/[a-zA-Z_0-9+=,.@\\-_/]+"},
		{"secrets manager enabled", func(c *Config) {
			c.SecretsManagerConfiguration = &SecretsManagerConfiguration{Enabled: ptr(true),
				SecretARN: ptr("arn:aws:secretsmanager:us-east-1:123456789012:secret:key")}
		}, awserr.InvalidArgument, "SecretsManagerConfiguration with Enabled set to true is not supported by kinesin"},
		{"secrets manager without Enabled", func(c *Config) {
			c.SecretsManagerConfiguration = &SecretsManagerConfiguration{SecretARN: ptr("nope")}
		}, awserr.Validation,
			"2 validation errors detected: Value 'nope' at '" + p + ".secretsManagerConfiguration.secretARN' failed to satisfy constraint: Member must satisfy regular expression pattern: " + secretARNPattern + "; " +
				"Value null at '" + p + ".secretsManagerConfiguration.enabled' failed to satisfy constraint: Member must not be null"},
		{"no S3 configuration", func(c *Config) { c.S3Configuration = nil }, awserr.Validation,
			"1 validation error detected: Value null at '" + p + ".s3Configuration' failed to satisfy constraint: Member must not be null"},
		{"null S3 configuration", func(c *Config) { c.S3Configuration = json.RawMessage("null") }, awserr.Validation,
			"Value null at '" + p + ".s3Configuration'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config(validURL, tt.edit)
			err := c.Validate()
			if tt.kind == (awserr.Kind{}) {
				if err != nil {
					t.Fatalf("Validate = %v, want valid", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate = %v, want a *ConfigError", err)
			}
			if ce.Kind != tt.kind || awserr.As(err).Kind != tt.kind || awserr.As(err).Message != err.Error() {
				t.Errorf("kind %v (awserr.As %v), want %v", ce.Kind, awserr.As(err), tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message\n got %s\nwant %s", err, tt.msg)
			}
			if strings.Contains(err.Error(), "secret") && strings.Contains(tt.name, "sensitive") {
				t.Errorf("message shows a sensitive value: %s", err)
			}
		})
	}
}

func TestApply(t *testing.T) {
	base := config(validURL, func(c *Config) {
		c.EndpointConfiguration.AccessKey = ptr("key-1")
		c.RequestConfiguration = &RequestConfiguration{ContentEncoding: ptr(EncodingGzip),
			CommonAttributes: []CommonAttribute{{AttributeName: ptr("a"), AttributeValue: ptr("1")}}}
	})
	base.Defaults()
	baseJSON, _ := json.Marshal(base)

	t.Run("merge", func(t *testing.T) {
		got, err := base.Apply(Update{
			EndpointConfiguration: &EndpointConfiguration{Url: ptr("https://other.example.com")},
			BufferingHints:        &BufferingHints{IntervalInSeconds: ptr(int64(60))},
			RequestConfiguration:  &RequestConfiguration{CommonAttributes: []CommonAttribute{}},
			RetryOptions:          &RetryOptions{DurationInSeconds: ptr(int64(0))},
			S3BackupMode:          ptr(AllData),
			S3Update:              json.RawMessage(`{"Prefix":"p/"}`),
		})
		if err != nil {
			t.Fatal(err)
		}
		e := got.EndpointConfiguration
		if *e.Url != "https://other.example.com" || *e.AccessKey != "key-1" || *e.Name != "test endpoint" {
			t.Errorf("endpoint %+v: want the new Url, the old AccessKey and Name", e)
		}
		if s, i := got.Buffering(); s != 5 || i != 60 {
			t.Errorf("buffering %d, %d", s, i)
		}
		if *got.RequestConfiguration.ContentEncoding != EncodingGzip || len(got.RequestConfiguration.CommonAttributes) != 0 {
			t.Errorf("request configuration %+v: want GZIP kept, attributes replaced by none", got.RequestConfiguration)
		}
		if got.retrySeconds() != 0 || *got.S3BackupMode != AllData {
			t.Errorf("retry %d, backup %s", got.retrySeconds(), *got.S3BackupMode)
		}
		if string(got.S3Configuration) != string(base.S3Configuration) {
			t.Error("Apply touched S3Configuration; S3Update is the router's")
		}
		// The stored configuration is untouched and shares nothing.
		*got.EndpointConfiguration.AccessKey = "changed"
		if now, _ := json.Marshal(base); string(now) != string(baseJSON) {
			t.Errorf("base changed:\n%s\n%s", baseJSON, now)
		}
	})
	t.Run("constraint violations name the update's members", func(t *testing.T) {
		_, err := base.Apply(Update{BufferingHints: &BufferingHints{SizeInMBs: ptr(int64(128))}})
		want := "1 validation error detected: Value '128' at 'httpEndpointDestinationUpdate.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 64"
		if err == nil || err.Error() != want || awserr.As(err).Kind != awserr.Validation {
			t.Errorf("Apply = %v\nwant %s", err, want)
		}
		_, err = base.Apply(Update{EndpointConfiguration: &EndpointConfiguration{Name: ptr("n")}})
		if err == nil || !strings.Contains(err.Error(), "Value null at 'httpEndpointDestinationUpdate.endpointConfiguration.url'") {
			t.Errorf("Apply without Url = %v", err)
		}
	})
	t.Run("rules checked on the result", func(t *testing.T) {
		got, err := base.Apply(Update{RequestConfiguration: &RequestConfiguration{CommonAttributes: []CommonAttribute{
			{AttributeName: ptr("x"), AttributeValue: ptr("")}, {AttributeName: ptr("x"), AttributeValue: ptr("")}}}})
		if awserr.As(err).Kind != awserr.InvalidArgument {
			t.Errorf("Apply = %v, want InvalidArgumentException", err)
		}
		if out, _ := json.Marshal(got); string(out) != string(baseJSON) {
			t.Error("a refused update did not answer the configuration unchanged")
		}
		_, err = base.Apply(Update{SecretsManagerConfiguration: &SecretsManagerConfiguration{Enabled: ptr(true)}})
		if err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("Apply enabling Secrets Manager = %v", err)
		}
	})
}

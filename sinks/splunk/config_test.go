package splunk

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kinesin/kinesin/internal/awserr"
)

func validConfig() Config {
	c := testConfig("https://splunk.example.com:8088", EndpointRaw)
	return c
}

func TestDefaults(t *testing.T) {
	c := validConfig()
	c.Defaults()
	got, _ := json.Marshal(c)
	want := `{"HECEndpoint":"https://splunk.example.com:8088","HECEndpointType":"Raw","HECToken":"good-token",` +
		`"HECAcknowledgmentTimeoutInSeconds":180,"RetryOptions":{"DurationInSeconds":3600},"S3BackupMode":"FailedEventsOnly",` +
		`"S3Configuration":{"RoleARN":"arn:aws:iam::123456789012:role/r","BucketARN":"arn:aws:s3:::b"},` +
		`"BufferingHints":{"IntervalInSeconds":60,"SizeInMBs":5}}`
	if string(got) != want {
		t.Fatalf("defaults\n got %s\nwant %s", got, want)
	}
	// Given members stay.
	c = validConfig()
	c.BufferingHints = &BufferingHints{IntervalInSeconds: ptr(int64(0))}
	c.Defaults()
	if s, i := c.Buffering(); s != 5 || i != 0 {
		t.Fatalf("Buffering = %d, %d", s, i)
	}
	if s, i := (Config{}).Buffering(); s != 5 || i != 60 {
		t.Fatalf("Buffering of empty = %d, %d", s, i)
	}
}

func TestValidate(t *testing.T) {
	p := ConfigPath + "."
	for _, tc := range []struct {
		name       string
		edit       func(c *Config)
		validation string // ValidationException message
		invalid    string // InvalidArgumentException message
	}{
		{name: "valid", edit: func(c *Config) {}},
		{name: "valid event, all members", edit: func(c *Config) {
			c.HECEndpointType = ptr(EndpointEvent)
			c.HECAcknowledgmentTimeoutInSeconds = ptr(int64(600))
			c.RetryOptions = retryDuration(7200)
			c.BufferingHints = &BufferingHints{IntervalInSeconds: ptr(int64(0)), SizeInMBs: ptr(int64(1))}
			c.S3BackupMode = ptr(BackupAllEvents)
			c.SecretsManagerConfiguration = &SecretsManagerConfiguration{Enabled: ptr(false)}
		}},
		{name: "missing required", edit: func(c *Config) { c.HECEndpoint, c.HECEndpointType, c.S3Configuration = nil, nil, nil },
			validation: "3 validation errors detected: Value null at '" + p + "hECEndpoint' failed to satisfy constraint: Member must not be null; " +
				"Value null at '" + p + "hECEndpointType' failed to satisfy constraint: Member must not be null; " +
				"Value null at '" + p + "s3Configuration' failed to satisfy constraint: Member must not be null"},
		{name: "endpoint type", edit: func(c *Config) { c.HECEndpointType = ptr("raw") },
			validation: "1 validation error detected: Value 'raw' at '" + p + "hECEndpointType' failed to satisfy constraint: Member must satisfy enum value set: [Raw, Event]"},
		{name: "long endpoint", edit: func(c *Config) { c.HECEndpoint = ptr("https://" + strings.Repeat("a", 2041)) },
			validation: "at '" + p + "hECEndpoint' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{name: "ack timeout low", edit: func(c *Config) { c.HECAcknowledgmentTimeoutInSeconds = ptr(int64(179)) },
			validation: "1 validation error detected: Value '179' at '" + p + "hECAcknowledgmentTimeoutInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 180"},
		{name: "ack timeout high", edit: func(c *Config) { c.HECAcknowledgmentTimeoutInSeconds = ptr(int64(601)) },
			validation: "1 validation error detected: Value '601' at '" + p + "hECAcknowledgmentTimeoutInSeconds' failed to satisfy constraint: Member must have value less than or equal to 600"},
		{name: "retry", edit: func(c *Config) { c.RetryOptions = retryDuration(7201) },
			validation: "1 validation error detected: Value '7201' at '" + p + "retryOptions.durationInSeconds' failed to satisfy constraint: Member must have value less than or equal to 7200"},
		{name: "buffering", edit: func(c *Config) {
			c.BufferingHints = &BufferingHints{IntervalInSeconds: ptr(int64(61)), SizeInMBs: ptr(int64(0))}
		}, validation: "2 validation errors detected: Value '61' at '" + p + "bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 60; " +
			"Value '0' at '" + p + "bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{name: "backup mode", edit: func(c *Config) { c.S3BackupMode = ptr("FailedDocumentsOnly") },
			validation: "1 validation error detected: Value 'FailedDocumentsOnly' at '" + p + "s3BackupMode' failed to satisfy constraint: Member must satisfy enum value set: [FailedEventsOnly, AllEvents]"},
		{name: "secrets without enabled", edit: func(c *Config) { c.SecretsManagerConfiguration = &SecretsManagerConfiguration{} },
			validation: "1 validation error detected: Value null at '" + p + "secretsManagerConfiguration.enabled' failed to satisfy constraint: Member must not be null"},
		{name: "secret ARN", edit: func(c *Config) {
			c.SecretsManagerConfiguration = &SecretsManagerConfiguration{Enabled: ptr(false), SecretARN: ptr("nope")}
		}, validation: "1 validation error detected: Value 'nope' at '" + p + "secretsManagerConfiguration.secretARN' failed to satisfy constraint: Member must satisfy regular expression pattern: " + secretARNPattern},
		{name: "secrets enabled", edit: func(c *Config) {
			c.HECToken = nil
			c.SecretsManagerConfiguration = &SecretsManagerConfiguration{Enabled: ptr(true),
				SecretARN: ptr("arn:aws:secretsmanager:us-east-1:123456789012:secret:hec-AbCdEf"),
				RoleARN:   ptr("arn:aws:iam::123456789012:role/firehose")}
		}, invalid: "SecretsManagerConfiguration with Enabled set to true is not supported"},
		{name: "no token", edit: func(c *Config) { c.HECToken = nil },
			invalid: "HECToken is required when SecretsManagerConfiguration is not enabled."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.edit(&c)
			err := c.Validate()
			var ae *awserr.Error
			switch {
			case tc.validation == "" && tc.invalid == "":
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
			case tc.validation != "":
				if !errors.As(err, &ae) || ae.Kind != awserr.Validation || !strings.Contains(ae.Message, tc.validation) {
					t.Fatalf("Validate = %v\nwant ValidationException %s", err, tc.validation)
				}
			default:
				if err == nil || errors.As(err, &ae) || !strings.Contains(err.Error(), tc.invalid) {
					t.Fatalf("Validate = %v\nwant %s", err, tc.invalid)
				}
			}
		})
	}
}

func TestApply(t *testing.T) {
	base := validConfig()
	base.BufferingHints = &BufferingHints{IntervalInSeconds: ptr(int64(30))}
	base.Defaults()
	for _, tc := range []struct {
		name  string
		start func(c *Config)
		u     Update
		check func(t *testing.T, c Config)
		err   string
	}{
		{name: "merge", u: Update{
			HECEndpoint: ptr("https://other:8088"), HECEndpointType: ptr(EndpointEvent), HECToken: ptr("t2"),
			HECAcknowledgmentTimeoutInSeconds: ptr(int64(300)), RetryOptions: retryDuration(10),
			BufferingHints: &BufferingHints{SizeInMBs: ptr(int64(2))}, S3BackupMode: ptr(BackupAllEvents),
			ProcessingConfiguration: json.RawMessage(`{"Enabled":false}`),
		}, check: func(t *testing.T, c Config) {
			if *c.HECEndpoint != "https://other:8088" || *c.HECEndpointType != EndpointEvent || *c.HECToken != "t2" ||
				*c.HECAcknowledgmentTimeoutInSeconds != 300 || *c.RetryOptions.DurationInSeconds != 10 ||
				*c.BufferingHints.SizeInMBs != 2 || *c.BufferingHints.IntervalInSeconds != 30 ||
				*c.S3BackupMode != BackupAllEvents || string(c.ProcessingConfiguration) != `{"Enabled":false}` {
				b, _ := json.Marshal(c)
				t.Fatalf("applied: %s", b)
			}
		}},
		{name: "empty update keeps all", u: Update{}, check: func(t *testing.T, c Config) {
			a, _ := json.Marshal(c)
			b, _ := json.Marshal(base)
			if string(a) != string(b) {
				t.Fatalf("got %s\nwant %s", a, b)
			}
		}},
		{name: "backup mode cannot go back", start: func(c *Config) { c.S3BackupMode = ptr(BackupAllEvents) },
			u: Update{S3BackupMode: ptr(BackupFailedEventsOnly)}, err: "S3BackupMode cannot be updated from AllEvents to FailedEventsOnly."},
		{name: "range", u: Update{HECAcknowledgmentTimeoutInSeconds: ptr(int64(10))},
			err: "1 validation error detected: Value '10' at '" + UpdatePath + ".hECAcknowledgmentTimeoutInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 180"},
		{name: "secrets enabled", u: Update{SecretsManagerConfiguration: &SecretsManagerConfiguration{Enabled: ptr(true)}},
			err: "not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			if tc.start != nil {
				tc.start(&c)
			}
			before, _ := json.Marshal(c)
			n, err := c.Apply(tc.u)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Apply = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			after, _ := json.Marshal(c)
			if string(before) != string(after) {
				t.Fatalf("Apply changed its receiver: %s", after)
			}
			tc.check(t, n)
		})
	}
}

func TestDescribe(t *testing.T) {
	c := validConfig()
	c.SecretsManagerConfiguration = &SecretsManagerConfiguration{Enabled: ptr(false)}
	d := c.Describe()
	d.S3DestinationDescription = map[string]any{"BucketARN": "arn:aws:s3:::b"}
	got, _ := json.Marshal(d)
	want := `{"HECEndpoint":"https://splunk.example.com:8088","HECEndpointType":"Raw","HECToken":"good-token",` +
		`"HECAcknowledgmentTimeoutInSeconds":180,"RetryOptions":{"DurationInSeconds":3600},"S3BackupMode":"FailedEventsOnly",` +
		`"S3DestinationDescription":{"BucketARN":"arn:aws:s3:::b"},"BufferingHints":{"IntervalInSeconds":60,"SizeInMBs":5},` +
		`"SecretsManagerConfiguration":{"Enabled":false}}`
	if string(got) != want {
		t.Fatalf("Describe\n got %s\nwant %s", got, want)
	}
	if c.BufferingHints != nil {
		t.Fatal("Describe changed the config")
	}
}

func TestConfigJSON(t *testing.T) {
	in := `{"HECEndpoint":"https://h:8088","HECEndpointType":"Event","HECToken":"t","S3BackupMode":"AllEvents",
		"S3Configuration":{"BucketARN":"arn:aws:s3:::b"},"ProcessingConfiguration":{"Enabled":true},
		"CloudWatchLoggingOptions":{"Enabled":false},"BufferingHints":{"SizeInMBs":1},"RetryOptions":{"DurationInSeconds":0}}`
	var c Config
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if *c.RetryOptions.DurationInSeconds != 0 || string(c.CloudWatchLoggingOptions) != `{"Enabled":false}` || *c.BufferingHints.SizeInMBs != 1 {
		t.Fatalf("decoded %+v", c)
	}
}

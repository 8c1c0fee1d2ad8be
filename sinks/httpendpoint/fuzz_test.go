package httpendpoint

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestDecodeResponse(t *testing.T) {
	tests := []struct {
		in     string
		ok     bool
		id     string
		errMsg string
	}{
		{`{"requestId":"ed4acda5-034f-9f42-bba1-f29aea6d7d8f","timestamp":1578090903599}`, true, "ed4acda5-034f-9f42-bba1-f29aea6d7d8f", ""},
		{` {"timestamp": 1, "requestId": "a", "errorMessage": "Unable to deliver records due to unknown error."} `, true, "a", "Unable to deliver records due to unknown error."},
		{`{"requestId":"a","timestamp":1,"errorMessage":null}`, true, "a", ""},
		{`{"requestId":"a","timestamp":"1578090903599"}`, false, "", ""},
		{`{"requestId":"a","timestamp":1.5}`, false, "", ""},
		{`{"requestId":null,"timestamp":1}`, false, "", ""},
		{`{"requestId":1,"timestamp":1}`, false, "", ""},
		{`{"RequestId":"a","timestamp":1}`, false, "", ""},
		{`{"requestId":"a"}`, false, "", ""},
		{`{"timestamp":1}`, false, "", ""},
		{`{"requestId":"a","timestamp":1,"extra":true}`, false, "", ""},
		{`{"requestId":"a","timestamp":1}{}`, false, "", ""},
		{`{"requestId":"a","timestamp":1,"errorMessage":5}`, false, "", ""},
		{`null`, false, "", ""},
		{`[]`, false, "", ""},
		{``, false, "", ""},
	}
	for _, tt := range tests {
		r, err := decodeResponse([]byte(tt.in))
		if (err == nil) != tt.ok {
			t.Errorf("decodeResponse(%s) error %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if !tt.ok {
			continue
		}
		msg := ""
		if r.ErrorMessage != nil {
			msg = *r.ErrorMessage
		}
		if r.RequestID != tt.id || msg != tt.errMsg {
			t.Errorf("decodeResponse(%s) = %+v", tt.in, r)
		}
	}
}

// FuzzDecodeResponse feeds endpoint answers to the response decoder: it
// never panics, and what it accepts encodes back to an equal response.
func FuzzDecodeResponse(f *testing.F) {
	for _, s := range []string{
		`{"requestId":"ed4acda5-034f-9f42-bba1-f29aea6d7d8f","timestamp":1578090903599}`,
		`{"requestId":"a","timestamp":"1578090903599","errorMessage":"Unable to deliver records due to unknown error."}`,
		`{"requestId":"a","timestamp":1,"errorMessage":"x"}`,
		`{"requestId": null}`,
		`{"requestId":"\u00e9","timestamp":-9223372036854775808}`,
		`{"requestId":"a","timestamp":1e3}`,
		`[1,2]`, `"s"`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := decodeResponse(raw)
		if err != nil {
			return
		}
		again := map[string]any{"requestId": r.RequestID, "timestamp": r.Timestamp}
		if r.ErrorMessage != nil {
			again["errorMessage"] = *r.ErrorMessage
		}
		b, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := decodeResponse(b)
		if err != nil {
			t.Fatalf("re-encoded %s refused: %v", b, err)
		}
		if fmt.Sprint(r2.RequestID, r2.Timestamp) != fmt.Sprint(r.RequestID, r.Timestamp) {
			t.Fatalf("round trip %+v -> %+v", r, r2)
		}
	})
}

// FuzzConfig feeds API input to the configuration's decoding, defaults,
// validation, update and description: nothing panics, and what validates
// stays valid after Defaults and describes as JSON.
func FuzzConfig(f *testing.F) {
	for _, s := range []string{
		`{"EndpointConfiguration":{"Url":"https://x.example.com"},"S3Configuration":{}}`,
		`{"EndpointConfiguration":{"Url":"http://127.0.0.1:1/","Name":" ","AccessKey":"k"},"S3Configuration":{},` +
			`"RequestConfiguration":{"ContentEncoding":"GZIP","CommonAttributes":[{"AttributeName":"a"},{}]},` +
			`"BufferingHints":{"SizeInMBs":0},"RetryOptions":{"DurationInSeconds":-1},"S3BackupMode":"AllData",` +
			`"SecretsManagerConfiguration":{"Enabled":true},"RoleARN":"arn:aws:iam::123456789012:role/r"}`,
		`{}`, `null`, `{"EndpointConfiguration":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var c Config
		if json.Unmarshal(raw, &c) != nil {
			return
		}
		_ = c.Validate()
		c.Defaults()
		if c.Validate() == nil {
			if _, err := json.Marshal(c.Describe()); err != nil {
				t.Fatal(err)
			}
			var u Update
			if json.Unmarshal(raw, &u) == nil {
				if n, err := c.Apply(u); err == nil {
					if err := n.Validate(); err != nil {
						t.Fatalf("Apply answered an invalid configuration: %v", err)
					}
				}
			}
		}
		_ = commonAttributesHeader(attrsOf(c))
	})
}

func attrsOf(c Config) []CommonAttribute {
	if c.RequestConfiguration == nil {
		return nil
	}
	return c.RequestConfiguration.CommonAttributes
}

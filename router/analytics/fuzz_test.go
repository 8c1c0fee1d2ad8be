package analytics

import (
	"testing"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/awsservice"
	"github.com/kinesin/kinesin/internal/kvutil"
)

// FuzzRequests decodes and checks arbitrary request bodies as every
// operation does before it touches the bucket: no body may panic, and a
// rejected one is an AWS error.
func FuzzRequests(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"ApplicationName":"a"}`, `{"ApplicationName":""}`, `null`, `[]`, `{"Limit":0}`,
		`{"ApplicationName":"a","Inputs":[{"NamePrefix":"S","InputSchema":{"RecordFormat":{"RecordFormatType":"JSON"},"RecordColumns":[{"Name":"A","SqlType":"INTEGER","Mapping":"$.a"}]}}]}`,
		`{"ApplicationName":"a","Inputs":[{"InputParallelism":{"Count":1e99}}]}`,
		`{"ApplicationName":"a","CurrentApplicationVersionId":1,"ApplicationUpdate":{"InputUpdates":[{"InputProcessingConfigurationUpdate":{}}]}}`,
		`{"ApplicationName":"a","InputConfigurations":[{"Id":"1.1","InputStartingPositionConfiguration":{"InputStartingPosition":"NOW"}}]}`,
		`{"ResourceARN":"arn:aws:kinesisanalytics:us-east-1:000000000000:application/a","Tags":[{"Key":null}]}`,
		`{"S3Configuration":{"BucketARN":"arn:aws:s3:::b"},"InputStartingPositionConfiguration":{}}`,
		`{"ApplicationName":"a","CreateTimestamp":"x"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &call{Body: body}
		errs := []error{}
		add := func(_ any, err error) { errs = append(errs, err) }
		add(awsservice.Input(c, checkCreate))
		add(awsservice.Input(c, checkNameOnly))
		add(awsservice.Input(c, checkList))
		add(awsservice.Input(c, checkDelete))
		add(awsservice.Input(c, checkStart))
		add(awsservice.Input(c, checkUpdate))
		add(awsservice.Input(c, checkAddInput))
		add(awsservice.Input(c, checkAddOutput))
		add(awsservice.Input(c, checkAddReference))
		add(awsservice.Input(c, checkAddProcessing))
		add(awsservice.Input(c, checkAddLogging))
		add(awsservice.Input(c, checkDiscover))
		add(awsservice.Input(c, checkTag))
		add(awsservice.Input(c, checkUntag))
		add(awsservice.Input(c, checkListTags))
		for _, err := range errs {
			if err != nil && awserr.As(err).Kind == awserr.InternalFailure {
				t.Fatalf("body %q: not an AWS error: %v", body, err)
			}
		}
		if k := kvutil.EscapeName(string(body)); kvutil.UnescapeName(k) != string(body) {
			t.Fatalf("key %q of %q does not map back", k, body)
		}
	})
}

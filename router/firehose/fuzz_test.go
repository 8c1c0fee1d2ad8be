package firehose

import (
	"testing"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/awsservice"
)

// FuzzDecode holds every operation's decoder and checks to the property
// that a body never panics and fails only with a SerializationException or
// a ValidationException. The seeds run under plain go test.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{}`, ``, `[]`, `{"DeliveryStreamName":"a","Record":{"Data":"eHl6"}}`,
		`{"DeliveryStreamName":"a","Records":[{"Data":"eHl6"},{"Data":null},{}]}`,
		`{"DeliveryStreamName":"a","ExtendedS3DestinationConfiguration":{"BucketARN":"arn:aws:s3:::b","RoleARN":"arn:aws:iam::000000000000:role/r","BufferingHints":{"SizeInMBs":0,"IntervalInSeconds":901},"CompressionFormat":"GZIP"}}`,
		`{"DeliveryStreamName":"a","Tags":[{"Key":"k","Value":"v"},{"Key":null}]}`,
		`{"DeliveryStreamName":"a","TagKeys":["a",null]}`, `{"Limit":1.5}`, `{"Records":{"Data":1}}`,
		`{"DeliveryStreamName":"a b","Limit":-1,"ExclusiveStartDestinationId":""}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &call{Body: body}
		errs := []error{
			only(awsservice.Input(c, checkCreate)), only(awsservice.Input(c, checkDescribe)), only(awsservice.Input(c, checkList)),
			only(awsservice.Input(c, checkPutRecord)), only(awsservice.Input(c, checkPutBatch)), only(awsservice.Input(c, checkTag)),
			only(awsservice.Input(c, checkUntag)), only(awsservice.Input(c, checkListTags)),
		}
		for _, err := range errs {
			if err != nil && !awserr.Serialization.Is(err) && !awserr.Validation.Is(err) {
				t.Fatalf("body %q: %v", body, err)
			}
		}
	})
}

func only[T any](_ T, err error) error { return err }

func FuzzDecodeBatch(f *testing.F) {
	f.Add(encodeBatch([][]byte{[]byte("a"), {}, []byte("bcd")}))
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := DecodeBatch(b)
		if err != nil {
			return
		}
		again, err := DecodeBatch(encodeBatch(recs))
		if err != nil || len(again) != len(recs) {
			t.Fatalf("round trip of %x: %v", b, err)
		}
		for i := range recs {
			if string(again[i]) != string(recs[i]) {
				t.Fatalf("round trip of %x changed record %d", b, i)
			}
		}
	})
}

func TestRecordID(t *testing.T) {
	a, b := recordID("s", 1, 0), recordID("s", 1, 1)
	if len(a) != 56 || a == b || recordID("s", 1, 0) != a {
		t.Fatalf("record ids %q %q", a, b)
	}
}

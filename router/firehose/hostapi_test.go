package firehose_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/testutil"
)

// TestPutRecordBatchInProcess puts records as a Kinesis Analytics output
// does: through the Service, with the API's checks.
func TestPutRecordBatchInProcess(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.create("out", s3conf("bucket", 1, 1, types.CompressionFormatUncompressed))
	for _, tc := range []struct {
		name    string
		stream  string
		records [][]byte
		code    string
	}{
		{"missing stream", "nope", [][]byte{[]byte("x")}, "ResourceNotFoundException"},
		{"bad name", "a b", [][]byte{[]byte("x")}, "ValidationException"},
		{"no records", "out", nil, "ValidationException"},
		{"too many records", "out", make([][]byte, 501), "ValidationException"},
		{"record too large", "out", [][]byte{make([]byte, 1000*1024+1)}, "ValidationException"},
		{"batch too large", "out", [][]byte{make([]byte, 1000*1024), make([]byte, 1000*1024), make([]byte, 1000*1024), make([]byte, 1000*1024), make([]byte, 1000*1024)}, "InvalidArgumentException"},
	} {
		err := h.svc.PutRecordBatch(ctx, tc.stream, tc.records)
		if e := awserr.As(err); err == nil || e.Code != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if err := h.svc.PutRecordBatch(ctx, "out", [][]byte{[]byte("a\n"), []byte("b\n")}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "records delivered", func() bool {
		return strings.Contains(string(h.content("bucket")), "a\nb\n")
	})
}

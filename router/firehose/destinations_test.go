package firehose_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	fh "github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/kinesin/kinesin/internal/testutil"
)

func backupS3() *types.S3DestinationConfiguration {
	return &types.S3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::backup"), RoleARN: aws.String("arn:aws:iam::000000000000:role/f")}
}

// TestOpenSearchDestination creates, describes and delivers to an
// OpenSearch-compatible _bulk endpoint.
func TestOpenSearchDestination(t *testing.T) {
	var (
		mu   sync.Mutex
		docs []string
		path string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc := bufio.NewScanner(r.Body)
		var items []map[string]any
		mu.Lock()
		path = r.URL.Path
		for n := 0; sc.Scan(); n++ {
			if n%2 == 1 {
				docs = append(docs, sc.Text())
				items = append(items, map[string]any{"index": map[string]any{"status": 201, "_id": fmt.Sprint(n)}})
			}
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"took": 1, "errors": false, "items": items})
	}))
	defer srv.Close()
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("os"),
		AmazonopensearchserviceDestinationConfiguration: &types.AmazonopensearchserviceDestinationConfiguration{
			ClusterEndpoint: aws.String(srv.URL), IndexName: aws.String("logs"), RoleARN: aws.String("arn:aws:iam::000000000000:role/f"),
			BufferingHints:  &types.AmazonopensearchserviceBufferingHints{IntervalInSeconds: aws.Int32(5), SizeInMBs: aws.Int32(1)},
			S3Configuration: backupS3()}}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "ACTIVE", func() bool {
		out, err := h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("os")})
		return err == nil && out.DeliveryStreamDescription.DeliveryStreamStatus == types.DeliveryStreamStatusActive
	})
	out, err := h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("os")})
	if err != nil {
		t.Fatal(err)
	}
	d := out.DeliveryStreamDescription.Destinations[0].AmazonopensearchserviceDestinationDescription
	if d == nil || aws.ToString(d.ClusterEndpoint) != srv.URL || d.IndexRotationPeriod != types.AmazonopensearchserviceIndexRotationPeriodOneDay || d.S3DestinationDescription == nil {
		t.Fatalf("described %+v", out.DeliveryStreamDescription.Destinations[0])
	}
	h.putAll("os", `{"a":1}`, `{"a":2}`)
	testutil.Eventually(t, 10*time.Second, "two documents indexed", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(docs) == 2
	})
	mu.Lock()
	defer mu.Unlock()
	if path != "/_bulk" || docs[0] != `{"a":1}` || docs[1] != `{"a":2}` {
		t.Fatalf("bulk %s: %q", path, docs)
	}
}

// TestSplunkDestination creates, updates and delivers to a Splunk HTTP
// Event Collector (raw endpoint, indexer acknowledgement).
func TestSplunkDestination(t *testing.T) {
	var (
		mu     sync.Mutex
		bodies []string
		auth   string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/services/collector/raw":
			bodies = append(bodies, string(b))
			auth = r.Header.Get("Authorization")
			_, _ = io.WriteString(w, fmt.Sprintf(`{"text":"Success","code":0,"ackId":%d}`, len(bodies)))
		case "/services/collector/ack":
			var in struct{ Acks []int }
			_ = json.Unmarshal(b, &in)
			acks := map[string]bool{}
			for _, a := range in.Acks {
				acks[fmt.Sprint(a)] = true
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"acks": acks})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("sp"),
		SplunkDestinationConfiguration: &types.SplunkDestinationConfiguration{
			HECEndpoint: aws.String("http://127.0.0.1:1"), HECEndpointType: types.HECEndpointTypeRaw, HECToken: aws.String("tok"),
			BufferingHints:  &types.SplunkBufferingHints{IntervalInSeconds: aws.Int32(5), SizeInMBs: aws.Int32(1)},
			S3Configuration: backupS3()}}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "ACTIVE", func() bool {
		out, err := h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("sp")})
		return err == nil && out.DeliveryStreamDescription.DeliveryStreamStatus == types.DeliveryStreamStatusActive
	})
	// Point it at the collector with UpdateDestination.
	if _, err := h.c.UpdateDestination(ctx, &fh.UpdateDestinationInput{DeliveryStreamName: aws.String("sp"),
		CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("destinationId-000000000001"),
		SplunkDestinationUpdate: &types.SplunkDestinationUpdate{HECEndpoint: aws.String(srv.URL)}}); err != nil {
		t.Fatal(err)
	}
	out, err := h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("sp")})
	if err != nil {
		t.Fatal(err)
	}
	d := out.DeliveryStreamDescription.Destinations[0].SplunkDestinationDescription
	if d == nil || aws.ToString(d.HECEndpoint) != srv.URL || aws.ToString(out.DeliveryStreamDescription.VersionId) != "2" || d.HECEndpointType != types.HECEndpointTypeRaw {
		t.Fatalf("described %+v", out.DeliveryStreamDescription)
	}
	h.putAll("sp", "one\n", "two\n")
	testutil.Eventually(t, 10*time.Second, "the events at the collector", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(bodies, "") == "one\ntwo\n"
	})
	mu.Lock()
	defer mu.Unlock()
	if auth != "Splunk tok" {
		t.Fatalf("Authorization %q", auth)
	}
}

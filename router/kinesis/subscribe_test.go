package kinesis_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"golang.org/x/net/http2"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

func registerConsumer(t *testing.T, c *kinesis.Client, stream, name string) string {
	t.Helper()
	ctx := context.Background()
	d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: d.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "consumer ACTIVE", func() bool {
		out, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: r.Consumer.ConsumerARN})
		return err == nil && out.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive
	})
	return *r.Consumer.ConsumerARN
}

func TestSubscribeToShardSDK(t *testing.T) {
	c := newClient(t)
	ctx := context.Background()
	testutil.CreateStream(t, c, "fan", 1)
	arn := registerConsumer(t, c, "fan", "app")
	list, err := c.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/fan")})
	if err != nil || len(list.Consumers) != 1 || *list.Consumers[0].ConsumerARN != arn {
		t.Fatalf("list consumers: %v %+v", err, list)
	}
	for i := range 3 {
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("fan"), Data: []byte(fmt.Sprint("before-", i)), PartitionKey: aws.String("k")}); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		t.Fatal(err)
	}
	stream := sub.GetStream()
	defer stream.Close()
	var got []string
	var cont string
	next := func() {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				t.Fatalf("event stream ended: %v", stream.Err())
			}
			e := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent).Value
			for _, r := range e.Records {
				got = append(got, string(r.Data))
			}
			cont = *e.ContinuationSequenceNumber
		case <-time.After(10 * time.Second):
			t.Fatal("no event within 10s")
		}
	}
	for len(got) < 3 {
		next()
	}
	// Records put now are pushed at once.
	start := time.Now()
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("fan"), Data: []byte("live"), PartitionKey: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	for len(got) < 4 {
		next()
	}
	if got[3] != "live" || time.Since(start) > 2*time.Second {
		t.Fatalf("live record %v after %v", got, time.Since(start))
	}
	// A second subscription to the same consumer and shard is refused.
	_, err = c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	apiErr(t, err, "ResourceInUseException", "")
	stream.Close()
	// Resume after the continuation sequence number.
	testutil.Eventually(t, 10*time.Second, "subscription released", func() bool {
		s2, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
			StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(cont)}})
		if err != nil {
			return false
		}
		defer s2.GetStream().Close()
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("fan"), Data: []byte("after"), PartitionKey: aws.String("k")}); err != nil {
			t.Fatal(err)
		}
		for ev := range s2.GetStream().Events() {
			e := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent).Value
			if len(e.Records) > 0 {
				if string(e.Records[0].Data) != "after" {
					t.Fatalf("resumed at %q, want after", e.Records[0].Data)
				}
				return true
			}
		}
		return false
	})
	if _, err := c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "consumer gone", func() bool {
		_, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
		return err != nil
	})
}

// TestSubscribeToShardHTTP2 speaks HTTP/2 with prior knowledge (as the
// Java SDK v2 and the KCL do) and decodes the event stream by hand.
func TestSubscribeToShardHTTP2(t *testing.T) {
	for _, tc := range []struct {
		name string
		tls  bool
	}{{"h2c", false}, {"h2-tls", true}} {
		t.Run(tc.name, func(t *testing.T) {
			s := testutil.Start(t, server.Config{TLSSelfSigned: tc.tls})
			c := testutil.Kinesis(s.URL())
			ctx := context.Background()
			testutil.CreateStream(t, c, "h2", 1)
			arn := registerConsumer(t, c, "h2", "java")
			if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("h2"), Data: []byte("hello"), PartitionKey: aws.String("k")}); err != nil {
				t.Fatal(err)
			}
			tr := &http2.Transport{AllowHTTP: !tc.tls, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
			url := "http://" + s.Addr()
			if tc.tls {
				url = "https://" + s.Addr()
			} else {
				tr.DialTLSContext = func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
					return (&net.Dialer{}).DialContext(ctx, network, addr)
				}
			}
			body := fmt.Sprintf(`{"ConsumerARN":%q,"ShardId":"shardId-000000000000","StartingPosition":{"Type":"TRIM_HORIZON"}}`, arn)
			req, _ := http.NewRequest("POST", url, bytes.NewBufferString(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.ProtoMajor != 2 || resp.StatusCode != 200 {
				t.Fatalf("proto %s status %d", resp.Proto, resp.StatusCode)
			}
			dec := eventstream.NewDecoder()
			first, err := dec.Decode(resp.Body, nil)
			if err != nil || first.Headers.Get(":event-type").String() != "initial-response" {
				t.Fatalf("first message %v %v", err, first.Headers)
			}
			ev, err := dec.Decode(resp.Body, nil)
			if err != nil || ev.Headers.Get(":event-type").String() != "SubscribeToShardEvent" || !bytes.Contains(ev.Payload, []byte(`"Data":"aGVsbG8="`)) {
				t.Fatalf("event %v %v %s", err, ev.Headers, ev.Payload)
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 0))
		})
	}
}

package video

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/kvutil"
)

// Bucket is the JetStream KV bucket of stream records, one per stream name.
const Bucket = "kinesin_video_streams"

// Stream statuses (AWS's Status enum).
const (
	statusCreating = "CREATING"
	statusActive   = "ACTIVE"
	statusUpdating = "UPDATING"
	statusDeleting = "DELETING"
)

// meta is one stream as stored in the bucket.
type meta struct {
	Name       string            `json:"name"`
	ID         string            `json:"id"` // videostore id
	ARN        string            `json:"arn"`
	DeviceName string            `json:"device,omitempty"`
	MediaType  string            `json:"media_type,omitempty"`
	KmsKeyID   string            `json:"kms_key_id"`
	Status     string            `json:"status"`
	Version    string            `json:"version"`
	Created    time.Time         `json:"created"`
	Retention  int64             `json:"retention_hours"`
	Tags       map[string]string `json:"tags,omitempty"`
}

var errNoStream = errors.New("video: stream not found")

// table is the bucket of stream records.
type table struct {
	kvutil.Table[meta]
}

func openTable(ctx context.Context, js jetstream.JetStream) (*table, error) {
	kv, err := kvutil.Bucket(ctx, js, Bucket, "kinesin Kinesis Video stream metadata", 0, false)
	if err != nil {
		return nil, fmt.Errorf("video: %w", err)
	}
	return &table{kvutil.Table[meta]{KV: kv, Prefix: "video", What: "stream", NotFound: errNoStream, Key: kvutil.EscapeName, Name: kvutil.UnescapeName}}, nil
}

// streamARN is AWS's stream ARN: the name and the creation time in
// milliseconds.
func streamARN(region, account, name string, created time.Time) string {
	return "arn:aws:kinesisvideo:" + region + ":" + account + ":stream/" + name + "/" + strconv.FormatInt(created.UnixMilli(), 10)
}

// nameOfARN returns the stream name inside a stream ARN
// (arn:PARTITION:kinesisvideo:REGION:ACCOUNT:stream/NAME/MILLIS).
func nameOfARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesisvideo" {
		return "", false
	}
	res := strings.Split(parts[5], "/")
	if len(res) != 3 || res[0] != "stream" || res[1] == "" || res[2] == "" {
		return "", false
	}
	return res[1], true
}

// randomHex is n random bytes in hex: stream ids and versions.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

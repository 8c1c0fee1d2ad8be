package analytics

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/kvutil"
)

// Bucket is the JetStream KV bucket of application configurations, one
// key per application name.
const Bucket = "kinesin_analytics"

// Application statuses (AWS's ApplicationStatus).
const (
	StatusReady    = "READY"
	StatusStarting = "STARTING"
	StatusRunning  = "RUNNING"
	StatusStopping = "STOPPING"
	StatusUpdating = "UPDATING"
	StatusDeleting = "DELETING"
)

// Meta is one application as stored in the bucket. The parts of its
// configuration are kept in the API's description shapes, ids assigned.
type Meta struct {
	Name        string    `json:"name"`
	Description *string   `json:"description,omitempty"`
	Code        *string   `json:"code,omitempty"`
	Status      string    `json:"status"`
	Version     int64     `json:"version"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`

	Inputs     []types.InputDescription                   `json:"inputs,omitempty"`
	Outputs    []types.OutputDescription                  `json:"outputs,omitempty"`
	References []types.ReferenceDataSourceDescription     `json:"references,omitempty"`
	Logging    []types.CloudWatchLoggingOptionDescription `json:"logging,omitempty"`
	Tags       []Tag                                      `json:"tags,omitempty"`

	// Start is the InputStartingPosition of the last StartApplication and
	// RunID names that start (host.Config.RunID): a process that runs the
	// application again within the same run (after an update, or taking
	// over from a process that died) resumes from its checkpoint.
	Start types.InputStartingPosition `json:"start,omitempty"`
	RunID string                      `json:"run_id,omitempty"`
	// Started is when that StartApplication was answered (host.Config.Started).
	Started time.Time `json:"started,omitzero"`
}

// Tag is one tag of an application; Value nil is a tag without a value.
type Tag struct {
	Key   string  `json:"k"`
	Value *string `json:"v,omitempty"`
}

var errNotFound = errors.New("analytics: application not found")

// store is the bucket of applications, keyed by kvutil.EscapeName(name).
type store struct {
	js jetstream.JetStream
	kvutil.Table[Meta]
}

func openStore(ctx context.Context, js jetstream.JetStream, replicas int) (*store, error) {
	kv, err := kvutil.Bucket(ctx, js, Bucket, "kinesin Kinesis Analytics applications", replicas, false)
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	return &store{js: js, Table: kvutil.Table[Meta]{KV: kv, Prefix: "analytics", What: "application",
		NotFound: errNotFound, Key: kvutil.EscapeName, Name: kvutil.UnescapeName}}, nil
}

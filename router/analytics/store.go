package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

type store struct {
	js jetstream.JetStream
	kv jetstream.KeyValue
}

func openStore(ctx context.Context, js jetstream.JetStream, replicas int) (*store, error) {
	kv, err := kvutil.Bucket(ctx, js, Bucket, "kinesin Kinesis Analytics applications", replicas, false)
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	return &store{js: js, kv: kv}, nil
}

func decodeMeta(b []byte) (*Meta, error) {
	m := new(Meta)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("analytics: decode application: %w", err)
	}
	return m, nil
}

// key is the bucket key of an application: its name with '_' as "__" and
// '.' as "_d", since KV keys cannot begin or end with '.' nor hold "..",
// which application names may.
func key(name string) string {
	return strings.NewReplacer("_", "__", ".", "_d").Replace(name)
}

// nameOf undoes key.
func nameOf(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		if k[i] == '_' && i+1 < len(k) {
			i++
			if k[i] == 'd' {
				b.WriteByte('.')
				continue
			}
		}
		b.WriteByte(k[i])
	}
	return b.String()
}

func (st *store) get(ctx context.Context, name string) (*Meta, uint64, error) {
	e, err := st.kv.Get(ctx, key(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, errNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("analytics: get %s: %w", name, err)
	}
	m, err := decodeMeta(e.Value())
	if err != nil {
		return nil, 0, err
	}
	return m, e.Revision(), nil
}

// create stores m if no application of its name exists.
func (st *store) create(ctx context.Context, m *Meta) (bool, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return false, fmt.Errorf("analytics: encode %s: %w", m.Name, err)
	}
	_, err = st.kv.Create(ctx, key(m.Name), b)
	if kvutil.IsConflict(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("analytics: create %s: %w", m.Name, err)
	}
	return true, nil
}

// update applies fn to the stored application by compare-and-set,
// retrying on conflicts; fn sees a fresh copy each time.
func (st *store) update(ctx context.Context, name string, fn func(m *Meta) error) (*Meta, error) {
	for {
		m, rev, err := st.get(ctx, name)
		if err != nil {
			return nil, err
		}
		if err := fn(m); err != nil {
			return nil, err
		}
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("analytics: encode %s: %w", name, err)
		}
		_, err = st.kv.Update(ctx, key(name), b, rev)
		if kvutil.IsConflict(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("analytics: update %s: %w", name, err)
		}
		return m, nil
	}
}

func (st *store) list(ctx context.Context) ([]*Meta, error) {
	keys, err := kvutil.Keys(ctx, st.kv)
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	var out []*Meta
	for _, k := range keys {
		m, _, err := st.get(ctx, nameOf(k))
		if errors.Is(err, errNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

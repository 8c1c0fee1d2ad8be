package mappings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/kinesin/kinesin/internal/kvutil"
	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the JetStream KV bucket of mappings, keyed by UUID.
const Bucket = "kinesin_mappings"

// ErrNotFound is returned for a UUID with no mapping.
var ErrNotFound = errors.New("mappings: not found")

// ErrConflict is returned by Update and Delete when the mapping changed
// since it was read (compare-and-set on Mapping.Revision).
var ErrConflict = errors.New("mappings: changed concurrently")

// Store keeps mappings in JetStream KV. It is safe for concurrent use.
type Store struct {
	kv jetstream.KeyValue
}

// OpenStore opens the bucket, creating it when missing.
func OpenStore(ctx context.Context, js jetstream.JetStream, replicas int) (*Store, error) {
	kv, err := kvutil.Bucket(ctx, js, Bucket, "kinesin event source mappings", replicas, false)
	if err != nil {
		return nil, fmt.Errorf("mappings: %w", err)
	}
	return &Store{kv: kv}, nil
}

func decode(e jetstream.KeyValueEntry) (*Mapping, error) {
	m := &Mapping{}
	if err := json.Unmarshal(e.Value(), m); err != nil {
		return nil, fmt.Errorf("mappings: decode %s: %w", e.Key(), err)
	}
	m.Revision = e.Revision()
	return m, nil
}

// Get returns the mapping with uuid, ErrNotFound when none.
func (s *Store) Get(ctx context.Context, uuid string) (*Mapping, error) {
	if !validKey(uuid) {
		return nil, ErrNotFound
	}
	e, err := s.kv.Get(ctx, uuid)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("mappings: get %s: %w", uuid, err)
	}
	return decode(e)
}

// List returns every mapping, ordered by UUID.
func (s *Store) List(ctx context.Context) ([]*Mapping, error) {
	keys, err := kvutil.Keys(ctx, s.kv)
	if err != nil {
		return nil, fmt.Errorf("mappings: %w", err)
	}
	slices.Sort(keys)
	out := make([]*Mapping, 0, len(keys))
	for _, k := range keys {
		m, err := s.Get(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Create stores a new mapping and sets its Revision.
func (s *Store) Create(ctx context.Context, m *Mapping) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("mappings: encode: %w", err)
	}
	rev, err := s.kv.Create(ctx, m.UUID, b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return ErrConflict
	}
	if err != nil {
		return fmt.Errorf("mappings: create %s: %w", m.UUID, err)
	}
	m.Revision = rev
	return nil
}

// Update stores m if the stored mapping is still at m.Revision, and sets
// its new Revision; ErrConflict otherwise, ErrNotFound if it was deleted.
func (s *Store) Update(ctx context.Context, m *Mapping) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("mappings: encode: %w", err)
	}
	rev, err := s.kv.Update(ctx, m.UUID, b, m.Revision)
	if err != nil {
		if kvutil.IsConflict(err) {
			if _, gerr := s.Get(ctx, m.UUID); errors.Is(gerr, ErrNotFound) {
				return ErrNotFound
			}
			return ErrConflict
		}
		return fmt.Errorf("mappings: update %s: %w", m.UUID, err)
	}
	m.Revision = rev
	return nil
}

// Delete removes the mapping if it is still at rev.
func (s *Store) Delete(ctx context.Context, uuid string, rev uint64) error {
	err := s.kv.Purge(ctx, uuid, jetstream.LastRevision(rev))
	if err != nil {
		if kvutil.IsConflict(err) {
			return ErrConflict
		}
		return fmt.Errorf("mappings: delete %s: %w", uuid, err)
	}
	return nil
}

// Watch reports every change (put or delete) of any mapping; the caller
// stops it.
func (s *Store) Watch(ctx context.Context) (jetstream.KeyWatcher, error) {
	w, err := s.kv.WatchAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("mappings: watch: %w", err)
	}
	return w, nil
}

// Decode turns a watched entry into a mapping (nil for a delete).
func Decode(e jetstream.KeyValueEntry) (*Mapping, error) {
	if e.Operation() != jetstream.KeyValuePut {
		return nil, nil
	}
	return decode(e)
}

func validKey(k string) bool {
	if k == "" || len(k) > 128 {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

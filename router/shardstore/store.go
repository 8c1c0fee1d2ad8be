package shardstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Options configure a Store.
type Options struct {
	// Replicas of every JetStream stream and of the metadata bucket
	// (1 for a single server; 3 on a cluster of three or more).
	Replicas int
	// Memory stores shards in memory instead of files (tests only).
	Memory bool
	Logger *slog.Logger
	// RetentionUnit is the length of one "hour" of RetentionHours
	// (default time.Hour; tests shrink it to see records expire).
	RetentionUnit time.Duration
}

// ErrNotFound is returned for a stream that does not exist.
var ErrNotFound = errors.New("shardstore: stream not found")

// ErrExists is returned when creating a stream whose name is taken.
var ErrExists = errors.New("shardstore: stream exists")

// ErrConflict is returned when a metadata update lost a race; callers
// re-read and try again (Update does that for them).
var ErrConflict = errors.New("shardstore: concurrent metadata update")

const metaBucket = "kinesin_streams"

// Store is the shard store of one kinesin process. It is safe for
// concurrent use.
type Store struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	kv   jetstream.KeyValue
	opts Options
	log  *slog.Logger

	mu      sync.RWMutex
	streams map[string]*Stream // by name, from the metadata bucket
	changed chan struct{}      // closed and replaced on every metadata change

	handles sync.Map // JetStream stream name → jetstream.Stream
	// perMsg is, per JetStream stream, how many records its last messages
	// held on average (float64): Read asks for about as many messages as
	// the records it wants, not more.
	perMsg sync.Map

	stop    context.CancelFunc
	done    chan struct{}
	secret  []byte
	replies *replies
}

// Open connects the store to JetStream, creating the metadata bucket when
// missing, and starts following metadata changes.
func Open(ctx context.Context, nc *nats.Conn, opts Options) (*Store, error) {
	if opts.Replicas == 0 {
		opts.Replicas = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.RetentionUnit == 0 {
		opts.RetentionUnit = time.Hour
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("shardstore: jetstream: %w", err)
	}
	storage := jetstream.FileStorage
	if opts.Memory {
		storage = jetstream.MemoryStorage
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      metaBucket,
		Description: "kinesin stream metadata",
		History:     1,
		Storage:     storage,
		Replicas:    opts.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("shardstore: metadata bucket: %w", err)
	}
	s := &Store{nc: nc, js: js, kv: kv, opts: opts, log: opts.Logger, streams: map[string]*Stream{}, done: make(chan struct{}), changed: make(chan struct{})}
	if s.secret, err = s.loadSecret(ctx); err != nil {
		return nil, err
	}
	if err := s.startReplies(); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	w, err := kv.WatchAll(wctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("shardstore: watch metadata: %w", err)
	}
	// The watcher first replays every key, then a nil entry marks the end
	// of the initial values.
	for e := range w.Updates() {
		if e == nil {
			break
		}
		s.apply(e)
	}
	go s.follow(w)
	return s, nil
}

// Close stops following metadata.
func (s *Store) Close() {
	s.stop()
	<-s.done
	_ = s.replies.sub.Unsubscribe()
}

// JetStream exposes the JetStream context for other services' buckets.
func (s *Store) JetStream() jetstream.JetStream { return s.js }

// Conn exposes the NATS connection.
func (s *Store) Conn() *nats.Conn { return s.nc }

// Secret is a random key shared by every process on this NATS, used to sign
// shard iterators and tokens.
func (s *Store) Secret() []byte { return s.secret }

func (s *Store) loadSecret(ctx context.Context) ([]byte, error) {
	const key = "secret"
	if e, err := s.kv.Get(ctx, key); err == nil {
		return e.Value(), nil
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	if _, err := s.kv.Create(ctx, key, b); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		return nil, fmt.Errorf("shardstore: iterator secret: %w", err)
	}
	e, err := s.kv.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("shardstore: iterator secret: %w", err)
	}
	return e.Value(), nil
}

func (s *Store) follow(w jetstream.KeyWatcher) {
	defer close(s.done)
	defer func() { _ = w.Stop() }()
	for e := range w.Updates() {
		if e != nil {
			s.apply(e)
		}
	}
}

func streamKey(name string) string { return "s." + hex.EncodeToString([]byte(name)) }

func nameOfKey(key string) (string, bool) {
	if len(key) < 2 || key[:2] != "s." {
		return "", false
	}
	b, err := hex.DecodeString(key[2:])
	return string(b), err == nil
}

// apply folds one metadata bucket entry into the cache, keeping the newest
// revision.
func (s *Store) apply(e jetstream.KeyValueEntry) {
	name, ok := nameOfKey(e.Key())
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.streams[name]; ok && cur.revision >= e.Revision() {
		return
	}
	switch e.Operation() {
	case jetstream.KeyValueDelete, jetstream.KeyValuePurge:
		delete(s.streams, name)
	default:
		var st Stream
		if err := json.Unmarshal(e.Value(), &st); err != nil {
			s.log.Error("shardstore: bad metadata", "key", e.Key(), "err", err)
			return
		}
		st.revision = e.Revision()
		s.streams[name] = &st
	}
	s.wakeLocked()
}

func (s *Store) wakeLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Changed returns a channel closed at the next metadata change.
func (s *Store) Changed() <-chan struct{} {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.changed
}

// Get returns the cached metadata of a stream. The result is shared: do
// not modify it (Clone first).
func (s *Store) Get(name string) (*Stream, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, ok := s.streams[name]
	return st, ok
}

// GetFresh reads a stream's metadata from the bucket, bypassing the cache.
func (s *Store) GetFresh(ctx context.Context, name string) (*Stream, error) {
	e, err := s.kv.Get(ctx, streamKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("shardstore: read metadata: %w", err)
	}
	var st Stream
	if err := json.Unmarshal(e.Value(), &st); err != nil {
		return nil, fmt.Errorf("shardstore: decode metadata: %w", err)
	}
	st.revision = e.Revision()
	s.apply(e)
	return &st, nil
}

// List returns every stream's metadata, sorted by name.
func (s *Store) List() []*Stream {
	s.mu.RLock()
	out := make([]*Stream, 0, len(s.streams))
	for _, st := range s.streams {
		out = append(out, st)
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b *Stream) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}

// Create stores a new stream's metadata; ErrExists when the name is taken.
func (s *Store) Create(ctx context.Context, st *Stream) error {
	if st.ID == "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		st.ID = hex.EncodeToString(b)
	}
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("shardstore: encode metadata: %w", err)
	}
	rev, err := s.kv.Create(ctx, streamKey(st.Name), b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return ErrExists
	}
	if err != nil {
		return fmt.Errorf("shardstore: create metadata: %w", err)
	}
	st.revision = rev
	s.put(st)
	return nil
}

func (s *Store) put(st *Stream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.streams[st.Name]; ok && cur.revision >= st.revision {
		return
	}
	s.streams[st.Name] = st
	s.wakeLocked()
}

// Update reads a stream's metadata, lets fn change a copy, and writes it
// back with compare-and-set, retrying when another writer won a race. fn may
// be called more than once and must not have side effects outside st. An
// error from fn is returned as is and nothing is written.
func (s *Store) Update(ctx context.Context, name string, fn func(st *Stream) error) (*Stream, error) {
	for attempt := 0; ; attempt++ {
		cur, err := s.GetFresh(ctx, name)
		if err != nil {
			return nil, err
		}
		st := cur.Clone()
		if err := fn(st); err != nil {
			return nil, err
		}
		b, err := json.Marshal(st)
		if err != nil {
			return nil, fmt.Errorf("shardstore: encode metadata: %w", err)
		}
		rev, err := s.kv.Update(ctx, streamKey(name), b, cur.revision)
		if err == nil {
			st.revision = rev
			s.put(st)
			return st, nil
		}
		var apiErr *jetstream.APIError
		if !errors.As(err, &apiErr) || (apiErr.ErrorCode != jetstream.JSErrCodeStreamWrongLastSequence && apiErr.ErrorCode != jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
			if !errors.Is(err, jetstream.ErrKeyExists) {
				return nil, fmt.Errorf("shardstore: update metadata: %w", err)
			}
		}
		if attempt > 50 {
			return nil, ErrConflict
		}
		time.Sleep(time.Duration(attempt) * time.Millisecond)
	}
}

// Remove deletes a stream's metadata.
func (s *Store) Remove(ctx context.Context, name string) error {
	if err := s.kv.Purge(ctx, streamKey(name)); err != nil {
		return fmt.Errorf("shardstore: remove metadata: %w", err)
	}
	s.mu.Lock()
	delete(s.streams, name)
	s.wakeLocked()
	s.mu.Unlock()
	return nil
}

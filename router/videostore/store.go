package videostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Errors callers branch on (errors.Is).
var (
	// ErrStreamNotFound: the id has no storage (never created, or deleted).
	ErrStreamNotFound = errors.New("videostore: stream not found")
	// ErrFragmentNotFound: no such fragment, or it has expired.
	ErrFragmentNotFound = errors.New("videostore: fragment not found")
	// ErrDeleted: the stream was deleted while it was being followed.
	ErrDeleted = errors.New("videostore: stream deleted")
	// ErrInvalidID: the id is not [A-Za-z0-9_-]{1,64}.
	ErrInvalidID = errors.New("videostore: invalid stream id")
)

// AWS's host buffer, used when a stream has no retention.
const (
	HostBufferAge   = 5 * time.Minute
	HostBufferBytes = 200 << 20
)

// mediaMargin is how much longer media is kept than its index entries.
const mediaMargin = time.Minute

// dupWindow is the duplicate-detection window of a stream keeping
// messages for age: JetStream's default two minutes, or less, as it may
// not exceed MaxAge.
func dupWindow(age time.Duration) time.Duration { return min(age, 2*time.Minute) }

// metaMaxBytes is the index stream metadata key holding the byte limit
// Append enforces (absent or 0: none).
const metaMaxBytes = "kinesin_video_max_bytes"

// Options configure a Store.
type Options struct {
	Logger *slog.Logger
	// Replicas of each JetStream stream (0 means 1; 3 on a cluster).
	Replicas int
}

// Store is the fragment store of one kinesin process. It is safe for
// concurrent use.
type Store struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	log  *slog.Logger
	opts Options

	chunkSize int

	// hostBufferBytes and hostBufferAge are HostBufferBytes and
	// HostBufferAge; tests shrink them.
	hostBufferBytes int64
	hostBufferAge   time.Duration

	mu      sync.Mutex
	handles map[string]*handle
}

// handle caches one id's JetStream streams and the tail of its index.
type handle struct {
	id           string
	index, media jetstream.Stream

	// mu serialises appends; the fields below are guarded by it.
	mu        sync.Mutex
	tailKnown bool
	lastSeq   uint64    // index stream's last sequence
	lastEnd   int64     // End of the last entry
	lastTime  time.Time // ServerTimestamp of the last entry
	maxBytes  int64
	maxAt     time.Time // when maxBytes was read
	// firstStart is where the first stored fragment starts (End-Size), as
	// last seen: Append looks at the stream's head only when the bytes
	// since then exceed maxBytes.
	firstStart int64
	firstKnown bool
	// app encodes this stream's fragments; its buffer (one fragment) is
	// reused from one append to the next.
	app *appender
}

// Open returns a Store on nc's JetStream.
func Open(ctx context.Context, nc *nats.Conn, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Replicas <= 0 {
		opts.Replicas = 1
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("videostore: jetstream: %w", err)
	}
	if _, err := js.AccountInfo(ctx); err != nil {
		return nil, fmt.Errorf("videostore: jetstream: %w", err)
	}
	// Chunks leave room for headers under the server's max payload.
	chunk := int(min(nc.MaxPayload()-4096, 2<<20))
	if chunk < 64<<10 {
		chunk = int(max(nc.MaxPayload()/2, 1024))
	}
	return &Store{
		nc: nc, js: js, log: opts.Logger, opts: opts, chunkSize: chunk,
		hostBufferBytes: HostBufferBytes, hostBufferAge: HostBufferAge,
		handles: map[string]*handle{},
	}, nil
}

// Close releases the store's caches. It does not close the connection.
func (s *Store) Close() {
	s.mu.Lock()
	clear(s.handles)
	s.mu.Unlock()
}

// ValidID says whether id is [A-Za-z0-9_-]{1,64}.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func indexName(id string) string    { return "kinesin_video_" + id }
func mediaName(id string) string    { return "kinesin_video_" + id + "_media" }
func indexSubject(id string) string { return "kinesin.video." + id + ".index" }
func mediaSubject(id string) string { return "kinesin.video." + id + ".media" }

// limits returns the index MaxAge and the byte limit for retention.
func (s *Store) limits(retention time.Duration) (time.Duration, int64) {
	if retention <= 0 {
		return s.hostBufferAge, s.hostBufferBytes
	}
	return retention, 0
}

// Create makes the storage of id with retention (0: the host buffer). It
// is idempotent: an existing stream is left as it is.
func (s *Store) Create(ctx context.Context, id string, retention time.Duration) error {
	if !ValidID(id) {
		return fmt.Errorf("videostore: create %q: %w", id, ErrInvalidID)
	}
	age, maxBytes := s.limits(retention)
	media := jetstream.StreamConfig{
		Name:        mediaName(id),
		Description: "kinesin video fragments (media)",
		Subjects:    []string{mediaSubject(id)},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      age + mediaMargin,
		Duplicates:  dupWindow(age + mediaMargin),
		Storage:     jetstream.FileStorage,
		Replicas:    s.opts.Replicas,
		AllowDirect: true,
	}
	index := jetstream.StreamConfig{
		Name:        indexName(id),
		Description: "kinesin video fragments (index)",
		Subjects:    []string{indexSubject(id)},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      age,
		Duplicates:  dupWindow(age),
		Storage:     jetstream.FileStorage,
		Replicas:    s.opts.Replicas,
		AllowDirect: true,
		Metadata:    map[string]string{metaMaxBytes: strconv.FormatInt(maxBytes, 10)},
	}
	// Media first: the index stream's existence is the stream's existence.
	for _, cfg := range []jetstream.StreamConfig{media, index} {
		if _, err := s.js.Stream(ctx, cfg.Name); err == nil {
			continue
		} else if !errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("videostore: create %s: %w", id, err)
		}
		if _, err := s.js.CreateStream(ctx, cfg); err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return fmt.Errorf("videostore: create %s: %w", id, err)
		}
	}
	return nil
}

// SetRetention changes how long id's fragments are kept, in place.
func (s *Store) SetRetention(ctx context.Context, id string, retention time.Duration) error {
	h, err := s.handle(ctx, id)
	if err != nil {
		return fmt.Errorf("videostore: set retention of %s: %w", id, err)
	}
	age, maxBytes := s.limits(retention)
	for _, st := range []struct {
		name  string
		age   time.Duration
		index bool
	}{{mediaName(id), age + mediaMargin, false}, {indexName(id), age, true}} {
		info, err := s.js.Stream(ctx, st.name)
		if err != nil {
			return s.fail(id, "set retention of", err)
		}
		cfg := info.CachedInfo().Config
		cfg.MaxAge, cfg.Duplicates = st.age, dupWindow(st.age)
		if st.index {
			if cfg.Metadata == nil {
				cfg.Metadata = map[string]string{}
			}
			cfg.Metadata[metaMaxBytes] = strconv.FormatInt(maxBytes, 10)
		}
		if _, err := s.js.UpdateStream(ctx, cfg); err != nil {
			return s.fail(id, "set retention of", err)
		}
	}
	h.mu.Lock()
	h.maxBytes, h.maxAt = maxBytes, time.Now()
	h.mu.Unlock()
	return nil
}

// Delete removes id's index and media. Followers (in any process) end with
// ErrDeleted.
func (s *Store) Delete(ctx context.Context, id string) error {
	if !ValidID(id) {
		return fmt.Errorf("videostore: delete %q: %w", id, ErrInvalidID)
	}
	s.evict(id)
	ierr := s.js.DeleteStream(ctx, indexName(id))
	merr := s.js.DeleteStream(ctx, mediaName(id))
	if ierr != nil && !errors.Is(ierr, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("videostore: delete %s: %w", id, ierr)
	}
	if merr != nil && !errors.Is(merr, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("videostore: delete %s: %w", id, merr)
	}
	if ierr != nil {
		return fmt.Errorf("videostore: delete %s: %w", id, ErrStreamNotFound)
	}
	return nil
}

// handle returns id's cached streams, looking them up when needed.
func (s *Store) handle(ctx context.Context, id string) (*handle, error) {
	if !ValidID(id) {
		return nil, ErrInvalidID
	}
	s.mu.Lock()
	h := s.handles[id]
	s.mu.Unlock()
	if h != nil {
		return h, nil
	}
	index, err := s.js.Stream(ctx, indexName(id))
	if err != nil {
		if gone(err) {
			return nil, ErrStreamNotFound
		}
		return nil, err
	}
	media, err := s.js.Stream(ctx, mediaName(id))
	if err != nil {
		if gone(err) {
			return nil, ErrStreamNotFound
		}
		return nil, err
	}
	h = &handle{id: id, index: index, media: media}
	h.maxBytes, h.maxAt = metaBytes(index.CachedInfo()), time.Now()
	s.mu.Lock()
	if cur := s.handles[id]; cur != nil {
		h = cur
	} else {
		s.handles[id] = h
	}
	s.mu.Unlock()
	return h, nil
}

func metaBytes(info *jetstream.StreamInfo) int64 {
	if info == nil {
		return 0
	}
	n, _ := strconv.ParseInt(info.Config.Metadata[metaMaxBytes], 10, 64)
	return n
}

func (s *Store) evict(id string) {
	s.mu.Lock()
	delete(s.handles, id)
	s.mu.Unlock()
}

// gone says whether err means the JetStream stream does not exist.
func gone(err error) bool {
	return errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, jetstream.ErrNoStreamResponse)
}

// fail wraps err of op on id, turning a missing JetStream stream into
// ErrStreamNotFound (and forgetting the cached handle).
func (s *Store) fail(id, op string, err error) error {
	if gone(err) || errors.Is(err, ErrStreamNotFound) {
		s.evict(id)
		return fmt.Errorf("videostore: %s %s: %w", op, id, ErrStreamNotFound)
	}
	return fmt.Errorf("videostore: %s %s: %w", op, id, err)
}

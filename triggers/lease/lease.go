package lease

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/kvutil"
	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the JetStream KV bucket of leases and members.
const Bucket = "kinesin_leases"

// ErrLost is returned by Renew and Release when the lease is no longer
// held by this process (it expired and another process took it, or its
// entry was removed).
var ErrLost = errors.New("lease: lost")

// Options configure a Table.
type Options struct {
	// Owner names this process; unique among the processes sharing the
	// bucket.
	Owner string
	// TTL is how long a lease or a member lasts without renewal (default
	// 10s). Holders renew at a third of it.
	TTL      time.Duration
	Replicas int
}

// Table is this process's view of the leases. It is safe for concurrent
// use.
type Table struct {
	kv    jetstream.KeyValue
	owner string
	ttl   time.Duration
	now   func() time.Time
}

// Lease is a held lease.
type Lease struct {
	Key      string
	revision uint64
}

type entry struct {
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
}

// Open opens the lease bucket, creating it when missing.
func Open(ctx context.Context, js jetstream.JetStream, opts Options) (*Table, error) {
	if opts.Owner == "" {
		return nil, errors.New("lease: Options.Owner is required")
	}
	if opts.TTL <= 0 {
		opts.TTL = 10 * time.Second
	}
	kv, err := kvutil.Bucket(ctx, js, Bucket, "kinesin work leases and live processes", opts.Replicas, false)
	if err != nil {
		return nil, fmt.Errorf("lease: %w", err)
	}
	return &Table{kv: kv, owner: opts.Owner, ttl: opts.TTL, now: time.Now}, nil
}

// Owner is this process's name.
func (t *Table) Owner() string { return t.owner }

// TTL is the lease duration.
func (t *Table) TTL() time.Duration { return t.ttl }

func (t *Table) encode() []byte {
	b, _ := json.Marshal(entry{Owner: t.owner, Expires: t.now().Add(t.ttl)})
	return b
}

func decode(e jetstream.KeyValueEntry) (entry, bool) {
	var en entry
	if e == nil || e.Operation() != jetstream.KeyValuePut || json.Unmarshal(e.Value(), &en) != nil {
		return entry{}, false
	}
	return en, true
}

const memberPrefix = "member."

// Heartbeat announces this process as live for another TTL.
func (t *Table) Heartbeat(ctx context.Context) error {
	if _, err := t.kv.Put(ctx, memberPrefix+t.owner, t.encode()); err != nil {
		return fmt.Errorf("lease: heartbeat: %w", err)
	}
	return nil
}

// Leave withdraws this process's membership (a clean shutdown).
func (t *Table) Leave(ctx context.Context) error {
	if err := t.kv.Purge(ctx, memberPrefix+t.owner); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("lease: leave: %w", err)
	}
	return nil
}

// State is a snapshot of the bucket: the live members and who holds each
// unexpired lease under a prefix.
type State struct {
	Members int
	Holders map[string]string // lease key → owner
}

// Snapshot reads the live members and the unexpired leases whose keys
// start with prefix, which ends with a dot (a subject-style token
// boundary: "UUID.").
func (t *Table) Snapshot(ctx context.Context, prefix string) (State, error) {
	st := State{Holders: map[string]string{}}
	keys, err := kvutil.Keys(ctx, t.kv, memberPrefix+">", prefix+">")
	if err != nil {
		return st, fmt.Errorf("lease: %w", err)
	}
	now := t.now()
	for _, k := range keys {
		e, err := t.kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return st, fmt.Errorf("lease: get %s: %w", k, err)
		}
		en, ok := decode(e)
		if !ok || now.After(en.Expires) {
			continue
		}
		if strings.HasPrefix(k, memberPrefix) {
			st.Members++
		} else {
			st.Holders[k] = en.Owner
		}
	}
	if st.Members == 0 {
		st.Members = 1 // this process, before its first heartbeat lands
	}
	return st, nil
}

// Acquire takes the lease key if it is free or expired. ok is false when
// another process holds it (or won a race for it).
func (t *Table) Acquire(ctx context.Context, key string) (l *Lease, ok bool, err error) {
	e, err := t.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		rev, err := t.kv.Create(ctx, key, t.encode())
		if err != nil {
			if kvutil.IsConflict(err) {
				return nil, false, nil
			}
			return nil, false, fmt.Errorf("lease: acquire %s: %w", key, err)
		}
		return &Lease{Key: key, revision: rev}, true, nil
	case err != nil:
		return nil, false, fmt.Errorf("lease: acquire %s: %w", key, err)
	}
	if en, live := decode(e); live && en.Owner != t.owner && !t.now().After(en.Expires) {
		return nil, false, nil
	}
	rev, err := t.kv.Update(ctx, key, t.encode(), e.Revision())
	if err != nil {
		if kvutil.IsConflict(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("lease: acquire %s: %w", key, err)
	}
	return &Lease{Key: key, revision: rev}, true, nil
}

// Renew pushes the lease's expiry a TTL ahead; ErrLost when it is no
// longer this process's.
func (t *Table) Renew(ctx context.Context, l *Lease) error {
	rev, err := t.kv.Update(ctx, l.Key, t.encode(), l.revision)
	if err != nil {
		if kvutil.IsConflict(err) {
			return ErrLost
		}
		return fmt.Errorf("lease: renew %s: %w", l.Key, err)
	}
	l.revision = rev
	return nil
}

// Release gives the lease up so that another process may take it at once.
func (t *Table) Release(ctx context.Context, l *Lease) error {
	err := t.kv.Delete(ctx, l.Key, jetstream.LastRevision(l.revision))
	if err != nil {
		if kvutil.IsConflict(err) {
			return ErrLost
		}
		return fmt.Errorf("lease: release %s: %w", l.Key, err)
	}
	return nil
}

// Remove deletes every lease under prefix, whoever holds it (the work is
// gone, e.g. its mapping was deleted).
func (t *Table) Remove(ctx context.Context, prefix string) error {
	keys, err := kvutil.Keys(ctx, t.kv, prefix+">")
	if err != nil {
		return fmt.Errorf("lease: %w", err)
	}
	for _, k := range keys {
		if err := t.kv.Purge(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("lease: remove %s: %w", k, err)
		}
	}
	return nil
}

// FairShare is how many of n leases one of members processes should hold.
func FairShare(n, members int) int {
	if members < 1 {
		members = 1
	}
	return (n + members - 1) / members
}

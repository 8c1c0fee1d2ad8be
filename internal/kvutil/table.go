package kvutil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Table is a bucket of JSON records of type T, one per name, changed by
// compare-and-set. Its errors begin with Prefix (the owning package).
type Table[T any] struct {
	KV jetstream.KeyValue
	// Prefix begins every error ("firehose"); What names a record in
	// decode errors ("delivery stream").
	Prefix, What string
	// NotFound is returned for a name without a record.
	NotFound error
	// Key maps a name onto its key and Name undoes it (nil: the name is
	// the key).
	Key, Name func(string) string
}

func (t *Table[T]) key(name string) string {
	if t.Key == nil {
		return name
	}
	return t.Key(name)
}

// NameOf is the name of a key.
func (t *Table[T]) NameOf(key string) string {
	if t.Name == nil {
		return key
	}
	return t.Name(key)
}

// Decode decodes a stored record.
func (t *Table[T]) Decode(b []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("%s: decode %s: %w", t.Prefix, t.What, err)
	}
	return v, nil
}

// Get returns the record of name and its revision.
func (t *Table[T]) Get(ctx context.Context, name string) (*T, uint64, error) {
	e, err := t.KV.Get(ctx, t.key(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, t.NotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: get %s: %w", t.Prefix, name, err)
	}
	v, err := t.Decode(e.Value())
	if err != nil {
		return nil, 0, err
	}
	return v, e.Revision(), nil
}

// Create stores v as name's record if name has none; false: it has one.
func (t *Table[T]) Create(ctx context.Context, name string, v *T) (bool, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("%s: encode %s: %w", t.Prefix, name, err)
	}
	_, err = t.KV.Create(ctx, t.key(name), b)
	if IsConflict(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: create %s: %w", t.Prefix, name, err)
	}
	return true, nil
}

// Update applies fn to name's record by compare-and-set, retrying on
// conflicts; fn sees a fresh copy each time, and its error ends the update.
func (t *Table[T]) Update(ctx context.Context, name string, fn func(v *T) error) (*T, error) {
	for {
		v, rev, err := t.Get(ctx, name)
		if err != nil {
			return nil, err
		}
		if err := fn(v); err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("%s: encode %s: %w", t.Prefix, name, err)
		}
		_, err = t.KV.Update(ctx, t.key(name), b, rev)
		if IsConflict(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: update %s: %w", t.Prefix, name, err)
		}
		return v, nil
	}
}

// List returns every record (in no order).
func (t *Table[T]) List(ctx context.Context) ([]*T, error) {
	keys, err := Keys(ctx, t.KV)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Prefix, err)
	}
	var out []*T
	for _, k := range keys {
		v, _, err := t.Get(ctx, t.NameOf(k))
		if errors.Is(err, t.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

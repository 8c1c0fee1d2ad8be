// Package kvutil holds the few JetStream KV idioms every bucket owner in
// kinesin needs: recognising a failed compare-and-set, listing keys,
// watching a bucket and a table of JSON records changed by compare-and-set.
package kvutil

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// IsConflict says whether err is a failed compare-and-set: a Create of a
// key that exists, or an Update/Delete at a revision that is not the last.
func IsConflict(err error) bool {
	if errors.Is(err, jetstream.ErrKeyExists) {
		return true
	}
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// Keys lists the keys of kv matching the subject-style filters (every key
// when none), empty when there are none.
func Keys(ctx context.Context, kv jetstream.KeyValue, filters ...string) ([]string, error) {
	var (
		lister jetstream.KeyLister
		err    error
	)
	if len(filters) == 0 {
		lister, err = kv.ListKeys(ctx)
	} else {
		lister, err = kv.ListKeysFiltered(ctx, filters...)
	}
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list keys of %s: %w", kv.Bucket(), err)
	}
	var keys []string
	for k := range lister.Keys() {
		keys = append(keys, k)
	}
	_ = lister.Stop()
	return keys, nil
}

// Bucket opens the KV bucket name, creating it when missing: one value per
// key (no history), on file storage unless memory (tests), with replicas
// copies (0 means 1).
func Bucket(ctx context.Context, js jetstream.JetStream, name, description string, replicas int, memory bool) (jetstream.KeyValue, error) {
	storage := jetstream.FileStorage
	if memory {
		storage = jetstream.MemoryStorage
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: name, Description: description, History: 1, Storage: storage, Replicas: max(replicas, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("open bucket %s: %w", name, err)
	}
	return kv, nil
}

package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// Keys of the metadata bucket:
//
//	f.<name>          funcRecord ($LATEST and function-wide settings)
//	v.<name>.<n>      FunctionConfiguration of published version n
//	a.<name>.<alias>  AliasConfiguration
//
// Code lives in the object store under the hex SHA-256 of the package, so
// versions sharing code share one object.
type store struct {
	kv  jetstream.KeyValue
	obj jetstream.ObjectStore
}

func openStore(ctx context.Context, js jetstream.JetStream, cfg Config) (*store, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: cfg.Bucket, Description: "kinesin functions: versions, aliases, concurrency",
		History: 1, Replicas: cfg.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("functions: open bucket %s: %w", cfg.Bucket, err)
	}
	obj, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket: cfg.CodeBucket, Description: "kinesin function code packages", Replicas: cfg.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("functions: open object store %s: %w", cfg.CodeBucket, err)
	}
	return &store{kv: kv, obj: obj}, nil
}

func funcKey(name string) string                            { return "f." + name }
func versionKey(name, v string) string                      { return "v." + name + "." + v }
func aliasKey(name, alias string) string                    { return "a." + name + "." + alias }
func isNotFound(err error) bool                             { return errors.Is(err, jetstream.ErrKeyNotFound) }
func isConflict(err error) bool                             { return errors.Is(err, jetstream.ErrKeyExists) || isWrongSeq(err) }
func lastKeyPart(key string) string                         { return key[strings.LastIndexByte(key, '.')+1:] }
func (st *store) del(ctx context.Context, key string) error { return st.kv.Purge(ctx, key) }

func isWrongSeq(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

// get decodes key into v and returns its revision; (0, nil) when absent.
func (st *store) get(ctx context.Context, key string, v any) (uint64, error) {
	e, err := st.kv.Get(ctx, key)
	if isNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("functions: get %s: %w", key, err)
	}
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return 0, fmt.Errorf("functions: decode %s: %w", key, err)
	}
	return e.Revision(), nil
}

// put stores v under key: created when rev is 0, else only if key is still
// at rev. A lost race returns errConflict.
func (st *store) put(ctx context.Context, key string, v any, rev uint64) (uint64, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	if rev == 0 {
		rev, err = st.kv.Create(ctx, key, b)
	} else {
		rev, err = st.kv.Update(ctx, key, b, rev)
	}
	if isConflict(err) {
		return 0, errConflict
	}
	return rev, err
}

var errConflict = errors.New("functions: concurrent modification")

// keys lists the keys under prefix (ending with '.'), sorted.
func (st *store) keys(ctx context.Context, prefix string) ([]string, error) {
	l, err := st.kv.ListKeysFiltered(ctx, prefix+">")
	if err != nil {
		return nil, fmt.Errorf("functions: list %s: %w", prefix, err)
	}
	defer l.Stop()
	var out []string
	for k := range l.Keys() {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

// putCode stores a package, re-putting one already stored so that its
// ModTime is fresh: gcCode spares packages younger than codeGCGrace, which
// closes the race with a version that references it concurrently.
func (st *store) putCode(ctx context.Context, hexSum string, data []byte) error {
	if _, err := st.obj.PutBytes(ctx, hexSum, data); err != nil {
		return fmt.Errorf("functions: store code: %w", err)
	}
	return nil
}

func (st *store) getCode(ctx context.Context, hexSum string) ([]byte, error) {
	b, err := st.obj.GetBytes(ctx, hexSum)
	if err != nil {
		return nil, fmt.Errorf("functions: load code %s: %w", hexSum, err)
	}
	return b, nil
}

package objstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// tmpPrefix starts the names of the temporary files Put writes beside the
// object; keys with a segment of this prefix are refused so that an object
// never shares a name with them.
const tmpPrefix = ".tmp-"

// FS is the Store in a data directory.
type FS struct {
	dir string // <dataDir>/s3
}

var _ Store = (*FS)(nil)

// NewFS returns the Store that keeps bucket/key in the file
// <dataDir>/s3/<bucket>/<key>. A bucket is a directory, made by the first
// Put into it.
func NewFS(dataDir string) Store {
	return &FS{dir: filepath.Join(dataDir, "s3")}
}

// Path is the file that holds bucket/key, or an error wrapping
// ErrInvalidKey for a key or bucket that could leave its directory.
func (s *FS) Path(bucket, key string) (string, error) {
	if err := checkFSKey(bucket, key); err != nil {
		return "", err
	}
	return filepath.Join(s.dir, bucket, filepath.FromSlash(key)), nil
}

// checkFSKey refuses what cannot be a file below the bucket's directory
// with a name of its own.
func checkFSKey(bucket, key string) error {
	if err := checkKey(bucket, key); err != nil {
		return err
	}
	if err := checkBucket(bucket); err != nil {
		return err
	}
	for seg := range strings.SplitSeq(key, "/") {
		if err := checkSegment(seg); err != nil {
			return fmt.Errorf("%w: key %q: %s", ErrInvalidKey, key, err)
		}
	}
	return nil
}

// checkBucket refuses a bucket name that is no single directory name.
func checkBucket(bucket string) error {
	err := checkSegment(bucket)
	if err == nil && strings.ContainsRune(bucket, '/') {
		err = errors.New("path separator")
	}
	if err != nil {
		return fmt.Errorf("%w: bucket %q: %s", ErrInvalidKey, bucket, err)
	}
	return nil
}

// checkSegment answers why seg cannot name a file in a directory, or nil.
func checkSegment(seg string) error {
	switch {
	case seg == "":
		return errors.New("empty path segment")
	case seg == "." || seg == "..":
		return fmt.Errorf("path segment %q", seg)
	case strings.HasPrefix(seg, tmpPrefix):
		return fmt.Errorf("path segment starting with %q", tmpPrefix)
	case strings.ContainsAny(seg, "\x00"):
		return errors.New("NUL byte")
	case filepath.Separator != '/' && strings.ContainsRune(seg, filepath.Separator):
		return fmt.Errorf("path separator %q", filepath.Separator)
	}
	return nil
}

// Put writes body to a temporary file in the object's directory, syncs it
// and renames it into place, so a reader never sees half an object; then
// it syncs the directory, so the rename survives a crash.
// Concurrent Puts of one key leave one of the bodies whole.
func (s *FS) Put(ctx context.Context, bucket, key string, body []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("objstore: put %s/%s: %w", bucket, key, err)
	}
	path, err := s.Path(bucket, key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("objstore: put %s/%s: %w", bucket, key, err)
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("objstore: put %s/%s: %w", bucket, key, err)
	}
	tmp := f.Name()
	_, err = f.Write(body)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("objstore: put %s/%s: %w", bucket, key, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the system allows it (best
// effort: the object is in place either way).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Get reads the object's file.
func (s *FS) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("objstore: get %s/%s: %w", bucket, key, err)
	}
	path, err := s.Path(bucket, key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		// A directory (key "a" when only "a/b" exists) or a file where a
		// directory would be (key "a/b" when "a" is an object) is no
		// object either.
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTDIR) {
			return nil, fmt.Errorf("objstore: get %s/%s: %w", bucket, key, ErrNotFound)
		}
		return nil, fmt.Errorf("objstore: get %s/%s: %w", bucket, key, err)
	}
	return b, nil
}

// List walks the bucket's directory below the deepest directory that
// prefix names whole. A bucket without a directory has no keys.
func (s *FS) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("objstore: list %s/%s: %w", bucket, prefix, err)
	}
	if err := checkBucket(bucket); err != nil {
		return nil, err
	}
	root := filepath.Join(s.dir, bucket)
	// Only keys below prefix's directory part can start with prefix; when
	// that part is no safe path no key starts with it.
	start := root
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		for seg := range strings.SplitSeq(prefix[:i], "/") {
			if checkSegment(seg) != nil {
				return nil, nil
			}
		}
		start = filepath.Join(root, filepath.FromSlash(prefix[:i]))
	}
	var keys []string
	err := filepath.WalkDir(start, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
				return nil // the directory went away or never was one
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), tmpPrefix) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if key := filepath.ToSlash(rel); strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("objstore: list %s/%s: %w", bucket, prefix, err)
	}
	slices.Sort(keys)
	return keys, nil
}

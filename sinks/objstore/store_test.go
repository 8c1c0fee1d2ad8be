package objstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/kinesin/kinesin/internal/s3test"
	"github.com/kinesin/kinesin/sinks/objstore"
)

// testBucket is the bucket the shared test writes to.
const testBucket = "kinesin-test"

// testStore is the behaviour every Store shares: st must hold an empty
// bucket testBucket.
func testStore(t *testing.T, st objstore.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	puts := []struct {
		name, key string
		body      []byte
	}{
		{"top level", "top.json", []byte(`{"a":1}`)},
		{"nested", "2026/11/26/02/stream-1-2026-11-26-02-00-00-uuid.gz", []byte("\x1f\x8bbinary\x00data")},
		{"error output", "processing-failed/2026/11/26/02/stream-1-x", []byte("{\"rawData\":\"eA==\"}\n")},
		{"partition key chars", "year=2026/customer id=a+b/é ü.txt", []byte("partitioned")},
		{"dot in name", "a.txt", []byte("a dot")},
		{"sibling of a.txt", "a/b", []byte("under a")},
		{"empty body", "empty", []byte{}},
		{"overwritten", "over", []byte("first")},
		{"overwrite", "over", []byte("second, longer than the first")},
	}
	want := map[string][]byte{}
	for _, p := range puts {
		t.Run("put/"+p.name, func(t *testing.T) {
			if err := st.Put(ctx, testBucket, p.key, p.body); err != nil {
				t.Fatal(err)
			}
			want[p.key] = p.body
			got, err := st.Get(ctx, testBucket, p.key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, p.body) {
				t.Fatalf("Get %q = %q, want %q", p.key, got, p.body)
			}
		})
	}

	all := make([]string, 0, len(want))
	for k := range want {
		all = append(all, k)
	}
	slices.Sort(all)
	lists := []struct {
		name, prefix string
		want         []string
	}{
		{"all", "", all},
		{"directory prefix", "2026/", []string{"2026/11/26/02/stream-1-2026-11-26-02-00-00-uuid.gz"}},
		{"partial segment", "2026/11/26/02/str", []string{"2026/11/26/02/stream-1-2026-11-26-02-00-00-uuid.gz"}},
		{"name prefix across dirs", "a", []string{"a.txt", "a/b"}},
		{"dir with slash", "a/", []string{"a/b"}},
		{"exact key", "top.json", []string{"top.json"}},
		{"partition", "year=2026/customer id=a+b/", []string{"year=2026/customer id=a+b/é ü.txt"}},
		{"nothing", "zzz/", nil},
		{"nothing nested", "2026/12/", nil},
		{"unsafe prefix", "../", nil},
	}
	for _, l := range lists {
		t.Run("list/"+l.name, func(t *testing.T) {
			got, err := st.List(ctx, testBucket, l.prefix)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(l.want) == 0 {
				return
			}
			if !slices.Equal(got, l.want) {
				t.Fatalf("List %q = %q, want %q", l.prefix, got, l.want)
			}
		})
	}

	gets := []struct {
		name, bucket, key string
		want              error
	}{
		{"missing key", testBucket, "missing", objstore.ErrNotFound},
		{"missing nested key", testBucket, "2026/11/26/02/missing", objstore.ErrNotFound},
		{"directory, not object", testBucket, "2026/11", objstore.ErrNotFound},
		{"below an object", testBucket, "top.json/x", objstore.ErrNotFound},
		{"missing bucket", "kinesin-no-such-bucket", "top.json", objstore.ErrNotFound},
		{"empty key", testBucket, "", objstore.ErrInvalidKey},
	}
	for _, g := range gets {
		t.Run("get/"+g.name, func(t *testing.T) {
			b, err := st.Get(ctx, g.bucket, g.key)
			if !errors.Is(err, g.want) {
				t.Fatalf("Get %s/%q = %q, %v; want an error wrapping %v", g.bucket, g.key, b, err, g.want)
			}
		})
	}
	t.Run("put/empty key", func(t *testing.T) {
		if err := st.Put(ctx, testBucket, "", []byte("x")); !errors.Is(err, objstore.ErrInvalidKey) {
			t.Fatalf("Put of an empty key: %v, want ErrInvalidKey", err)
		}
	})

	t.Run("concurrent puts", func(t *testing.T) {
		const n = 16
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		bodies := make([][]byte, n)
		for i := range n {
			bodies[i] = bytes.Repeat([]byte{byte('a' + i)}, 64<<10+i)
			wg.Go(func() {
				errs <- st.Put(ctx, testBucket, fmt.Sprintf("concurrent/%02d", i), bodies[i])
				errs <- st.Put(ctx, testBucket, "concurrent-same", bodies[i])
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for i := range n {
			got, err := st.Get(ctx, testBucket, fmt.Sprintf("concurrent/%02d", i))
			if err != nil || !bytes.Equal(got, bodies[i]) {
				t.Fatalf("concurrent/%02d: %d bytes, %v", i, len(got), err)
			}
		}
		got, err := st.Get(ctx, testBucket, "concurrent-same")
		if err != nil || !slices.ContainsFunc(bodies, func(b []byte) bool { return bytes.Equal(b, got) }) {
			t.Fatalf("concurrent-same: %d bytes, %v; want one whole body", len(got), err)
		}
		keys, err := st.List(ctx, testBucket, "concurrent/")
		if err != nil || len(keys) != n {
			t.Fatalf("List concurrent/ = %q, %v; want %d keys", keys, err, n)
		}
	})

	t.Run("canceled context", func(t *testing.T) {
		cctx, ccancel := context.WithCancel(ctx)
		ccancel()
		if err := st.Put(cctx, testBucket, "canceled", []byte("x")); !errors.Is(err, context.Canceled) {
			t.Fatalf("Put with a canceled context: %v", err)
		}
	})
}

func TestFS(t *testing.T) {
	testStore(t, objstore.NewFS(t.TempDir()))
}

// TestS3 runs the shared test against versitygw, a real S3-compatible
// server.
func TestS3(t *testing.T) {
	_, opts, _ := s3test.Start(t)
	s3test.CreateBucket(t, opts, testBucket)
	st, err := objstore.NewS3(opts)
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, st)
}

// TestS3Fake runs the shared test against gofakes3, an in-process S3
// double, so that the S3 code is tested where versitygw is not installed.
func TestS3Fake(t *testing.T) {
	fake := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog()))
	srv := httptest.NewServer(fake.Server())
	t.Cleanup(srv.Close)
	opts := objstore.S3Options{Endpoint: srv.URL, AccessKeyID: "a", SecretAccessKey: "b"}
	s3test.CreateBucket(t, opts, testBucket)
	st, err := objstore.NewS3(opts)
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, st)
}

// TestFSLayout checks the files NewFS writes: <dataDir>/s3/<bucket>/<key>,
// and no temporary file left behind.
func TestFSLayout(t *testing.T) {
	dir := t.TempDir()
	st := objstore.NewFS(dir)
	ctx := context.Background()
	if err := st.Put(ctx, "b", "x/y/z.txt", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "s3", "b", "x", "y", "z.txt"))
	if err != nil || string(got) != "hello" {
		t.Fatalf("file = %q, %v", got, err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "s3", "b", "x", "y"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("directory holds %v, %v; want the object alone", entries, err)
	}
	// A temporary file of an interrupted Put is no object.
	if err := os.WriteFile(filepath.Join(dir, "s3", "b", "x", ".tmp-123"), []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	keys, err := st.List(ctx, "b", "")
	if err != nil || !slices.Equal(keys, []string{"x/y/z.txt"}) {
		t.Fatalf("List = %q, %v", keys, err)
	}
	// A bucket nobody wrote to has no keys.
	if keys, err := st.List(ctx, "never", ""); err != nil || len(keys) != 0 {
		t.Fatalf("List of an unwritten bucket = %q, %v", keys, err)
	}
}

func TestFSUnsafeKeys(t *testing.T) {
	dir := t.TempDir()
	st := objstore.NewFS(filepath.Join(dir, "data"))
	ctx := context.Background()
	tests := []struct{ name, bucket, key string }{
		{"parent", "b", "../x"},
		{"parent in the middle", "b", "a/../../x"},
		{"parent at the end", "b", "a/.."},
		{"dot", "b", "./x"},
		{"absolute", "b", "/etc/passwd"},
		{"double slash", "b", "a//b"},
		{"trailing slash", "b", "a/"},
		{"NUL", "b", "a\x00b"},
		{"temporary file name", "b", "a/.tmp-1"},
		{"too long", "b", string(bytes.Repeat([]byte("k"), 1025))},
		{"bucket parent", "..", "x"},
		{"bucket with slash", "a/b", "x"},
		{"bucket dot", ".", "x"},
		{"empty bucket", "", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := st.Put(ctx, tt.bucket, tt.key, []byte("x")); !errors.Is(err, objstore.ErrInvalidKey) {
				t.Fatalf("Put %q/%q: %v, want ErrInvalidKey", tt.bucket, tt.key, err)
			}
			if _, err := st.Get(ctx, tt.bucket, tt.key); !errors.Is(err, objstore.ErrInvalidKey) {
				t.Fatalf("Get %q/%q: %v, want ErrInvalidKey", tt.bucket, tt.key, err)
			}
		})
	}
	// Nothing was written anywhere.
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("unsafe Put wrote %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Names that merely contain dots are fine.
	for _, key := range []string{"a..b", "..a/b", "a/b..", ".hidden", "x/.tmp"} {
		if err := st.Put(ctx, "b", key, []byte(key)); err != nil {
			t.Errorf("Put %q: %v", key, err)
		}
	}
}

// TestFSObjectAndDirectory shows the one thing the filesystem cannot hold
// that S3 can: an object "a" beside objects under "a/".
func TestFSObjectAndDirectory(t *testing.T) {
	st := objstore.NewFS(t.TempDir())
	ctx := context.Background()
	if err := st.Put(ctx, "b", "a", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, "b", "a/b", []byte("y")); err == nil {
		t.Fatal("Put a/b beside the object a succeeded")
	}
	if got, err := st.Get(ctx, "b", "a"); err != nil || string(got) != "x" {
		t.Fatalf("Get a = %q, %v", got, err)
	}
}

func TestFSLargeBody(t *testing.T) {
	st := objstore.NewFS(t.TempDir())
	body := largeBody(128 << 20)
	ctx := context.Background()
	if err := st.Put(ctx, "b", "large", body); err != nil {
		t.Fatal(err)
	}
	got, err := st.Get(ctx, "b", "large")
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("Get large: %d bytes, %v", len(got), err)
	}
}

// TestS3LargeBodies puts bodies up to 128 MiB to versitygw: by PutObject
// and as multipart uploads.
func TestS3LargeBodies(t *testing.T) {
	_, opts, dataDir := s3test.Start(t)
	s3test.CreateBucket(t, opts, testBucket)
	small, err := objstore.NewS3Parts(opts, 8<<20, 5<<20)
	if err != nil {
		t.Fatal(err)
	}
	def, err := objstore.NewS3(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tests := []struct {
		name string
		st   objstore.Store
		size int
	}{
		{"PutObject below the threshold", small, 8 << 20},
		{"multipart, short last part", small, 12<<20 + 7},
		{"multipart, whole parts", small, 15 << 20},
		{"PutObject 64 MiB", def, 64 << 20},
		{"multipart 128 MiB", def, 128 << 20},
	}
	if testing.Short() {
		tests = tests[:3]
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := largeBody(tt.size)
			key := fmt.Sprintf("large/%d", tt.size)
			if err := tt.st.Put(ctx, testBucket, key, body); err != nil {
				t.Fatal(err)
			}
			got, err := tt.st.Get(ctx, testBucket, key)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("Get: %d bytes, %v; want %d bytes", len(got), err, len(body))
			}
			if multipart := tt.size > 8<<20 && tt.st == small || tt.size > 64<<20; multipart {
				// A multipart object's ETag is "<md5 of the part MD5s>-<parts>".
				h, err := s3test.Client(opts).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
				if err != nil {
					t.Fatal(err)
				}
				if etag := aws.ToString(h.ETag); !strings.Contains(etag, "-") {
					t.Fatalf("ETag %q, want a multipart ETag", etag)
				}
			}
			// versitygw's posix backend keeps the object as a plain file.
			fi, err := os.Stat(filepath.Join(dataDir, testBucket, "large", fmt.Sprint(tt.size)))
			if err != nil || fi.Size() != int64(tt.size) {
				t.Fatalf("object file: %v, %v", fi, err)
			}
		})
	}
	// A failed multipart upload leaves no upload behind.
	t.Run("multipart into a missing bucket", func(t *testing.T) {
		if err := small.Put(ctx, "kinesin-no-such-bucket", "x", largeBody(9<<20)); err == nil {
			t.Fatal("Put into a missing bucket succeeded")
		}
	})
}

// largeBody is n bytes that differ from part to part, so that a part put
// in the wrong place shows.
func largeBody(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 4096 {
		b[i] = byte(i >> 12)
		b[i+min(4095, n-1-i)] = byte(i >> 20)
	}
	return b
}

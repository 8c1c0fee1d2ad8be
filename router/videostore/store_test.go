package videostore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/internal/natstest"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// fixture reads every cluster of an ffmpeg-made MKV file.
func fixture(t testing.TB, name string) (*mkv.Header, []*mkv.Cluster) {
	t.Helper()
	b, err := os.ReadFile("../../internal/mkv/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	r := mkv.NewReader(bytes.NewReader(b), mkv.ReaderOptions{})
	var cs []*mkv.Cluster
	for {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	h, err := r.Header()
	if err != nil {
		t.Fatal(err)
	}
	return h, cs
}

func openStore(t testing.TB, nc *nats.Conn) *Store {
	t.Helper()
	s, err := Open(t.Context(), nc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// twoProcesses returns two stores on separate connections to one server.
func twoProcesses(t testing.TB) (*Store, *Store) {
	t.Helper()
	ns, nc := natstest.Start(t, false)
	return openStore(t, nc), openStore(t, connect(t, ns))
}

func connect(t testing.TB, ns *natsserver.Server) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect("", nats.InProcessServer(ns))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// waitFor polls cond until it holds or the test times out.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var base = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// appendN appends n fragments made of the fixture's clusters, producer
// times base+i s, server times base+i s+500 ms.
func appendN(t testing.TB, s *Store, id string, n int, session string) []Fragment {
	t.Helper()
	h, cs := fixture(t, "av.mkv")
	var out []Fragment
	for i := range n {
		c := cs[i%len(cs)]
		f, err := s.Append(t.Context(), id, Fragment{
			ProducerTimestamp: base.Add(time.Duration(i) * time.Second),
			ServerTimestamp:   base.Add(time.Duration(i)*time.Second + 500*time.Millisecond),
			Session:           session, Keyframe: c.StartsWithKeyframe(),
		}, h, c)
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		out = append(out, f)
	}
	return out
}

func TestAppendReadRoundTrip(t *testing.T) {
	for _, name := range []string{"video.mkv", "av.mkv", "pipe.mkv"} {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, natstest.Conn(t))
			ctx := t.Context()
			if err := s.Create(ctx, "cam-1", time.Hour); err != nil {
				t.Fatal(err)
			}
			if err := s.Create(ctx, "cam-1", time.Hour); err != nil {
				t.Fatalf("create again: %v", err)
			}
			h, cs := fixture(t, name)
			var prev string
			for i, c := range cs {
				in := Fragment{ProducerTimestamp: base.Add(time.Duration(i) * time.Second), Session: "s1", Keyframe: c.StartsWithKeyframe()}
				f, err := s.Append(ctx, "cam-1", in, h, c)
				if err != nil {
					t.Fatal(err)
				}
				if f.Seq != uint64(i+1) {
					t.Errorf("seq %d, want %d", f.Seq, i+1)
				}
				if seq, ok := ParseNumber(f.Number); !ok || seq != f.Seq {
					t.Errorf("number %s parses to %d %v", f.Number, seq, ok)
				}
				if f.Number <= prev {
					t.Errorf("number %s not after %s", f.Number, prev)
				}
				prev = f.Number
				if f.HeaderHash != HeaderHash(h) || f.Size <= 0 || f.ServerTimestamp.IsZero() || f.Duration != c.Duration(h.TimecodeScale) {
					t.Errorf("fragment %+v", f)
				}

				got, err := s.Get(ctx, "cam-1", f.Number)
				if err != nil {
					t.Fatal(err)
				}
				if !got.ProducerTimestamp.Equal(in.ProducerTimestamp) || !got.ServerTimestamp.Equal(f.ServerTimestamp) ||
					got.Session != "s1" || got.Keyframe != in.Keyframe || got.Size != f.Size || got.Duration != f.Duration || got.HeaderHash != f.HeaderHash || got.Number != f.Number {
					t.Errorf("get %+v, append returned %+v", got, f)
				}

				gh, gc, err := s.Read(ctx, "cam-1", got)
				if err != nil {
					t.Fatal(err)
				}
				if HeaderHash(gh) != HeaderHash(h) || len(gh.Tracks) != len(h.Tracks) {
					t.Errorf("header %+v", gh)
				}
				if gc.Timecode != c.Timecode || len(gc.Frames) != len(c.Frames) {
					t.Fatalf("cluster %d: timecode %d frames %d, want %d %d", i, gc.Timecode, len(gc.Frames), c.Timecode, len(c.Frames))
				}
				for j := range c.Frames {
					a, b := gc.Frames[j], c.Frames[j]
					if a.Track != b.Track || a.Timecode != b.Timecode || a.Keyframe != b.Keyframe || !bytes.Equal(a.Data, b.Data) {
						t.Fatalf("cluster %d frame %d differs", i, j)
					}
				}
				rc, err := s.Open(ctx, "cam-1", Fragment{Number: f.Number})
				if err != nil {
					t.Fatal(err)
				}
				raw, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || int64(len(raw)) != f.Size {
					t.Fatalf("open: %d bytes, %v; want %d", len(raw), err, f.Size)
				}
			}
			first, last, err := s.Bounds(ctx, "cam-1")
			if err != nil || first != 1 || last != uint64(len(cs)) {
				t.Errorf("bounds %d %d %v", first, last, err)
			}
		})
	}
}

// A fragment larger than one chunk is split and read back whole.
func TestLargeFragment(t *testing.T) {
	s := openStore(t, natstest.Conn(t))
	ctx := t.Context()
	if err := s.Create(ctx, "big", 0); err != nil {
		t.Fatal(err)
	}
	h, c := syntheticCluster(t, 5<<20)
	f, err := s.Append(ctx, "big", Fragment{}, h, c)
	if err != nil {
		t.Fatal(err)
	}
	if f.Size < 5<<20 {
		t.Fatalf("size %d", f.Size)
	}
	_, gc, err := s.Read(ctx, "big", f)
	if err != nil {
		t.Fatal(err)
	}
	if len(gc.Frames) != len(c.Frames) || !bytes.Equal(gc.Frames[len(c.Frames)-1].Data, c.Frames[len(c.Frames)-1].Data) {
		t.Fatal("large fragment differs")
	}
}

func TestErrors(t *testing.T) {
	s := openStore(t, natstest.Conn(t))
	ctx := t.Context()
	if err := s.Create(ctx, "a", time.Hour); err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "a", 2, "x")
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"at on missing stream", func() error { _, err := s.At(ctx, "nope", 1); return err }(), ErrStreamNotFound},
		{"bounds on missing stream", func() error { _, _, err := s.Bounds(ctx, "nope"); return err }(), ErrStreamNotFound},
		{"append to missing stream", func() error {
			h, cs := fixture(t, "video.mkv")
			_, err := s.Append(ctx, "nope", Fragment{}, h, cs[0])
			return err
		}(), ErrStreamNotFound},
		{"follow missing stream", func() error { _, err := s.Follow(ctx, "nope", 1); return err }(), ErrStreamNotFound},
		{"delete missing stream", s.Delete(ctx, "nope"), ErrStreamNotFound},
		{"set retention of missing stream", s.SetRetention(ctx, "nope", time.Hour), ErrStreamNotFound},
		{"at past the end", func() error { _, err := s.At(ctx, "a", 3); return err }(), ErrFragmentNotFound},
		{"at zero", func() error { _, err := s.At(ctx, "a", 0); return err }(), ErrFragmentNotFound},
		{"get bad number", func() error { _, err := s.Get(ctx, "a", "123"); return err }(), ErrFragmentNotFound},
		{"get bad number of missing stream", func() error { _, err := s.Get(ctx, "nope", "123"); return err }(), ErrStreamNotFound},
		{"open past the end", func() error { _, err := s.Open(ctx, "a", Fragment{Seq: 9}); return err }(), ErrFragmentNotFound},
		{"invalid id", s.Create(ctx, "a.b", 0), ErrInvalidID},
		{"id too long", s.Create(ctx, string(bytes.Repeat([]byte{'x'}, 65)), 0), ErrInvalidID},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
}

func TestSeek(t *testing.T) {
	s := openStore(t, natstest.Conn(t))
	ctx := t.Context()
	if err := s.Create(ctx, "a", time.Hour); err != nil {
		t.Fatal(err)
	}
	if seq, err := s.Seek(ctx, "a", ServerTime, base); err != nil || seq != 1 {
		t.Errorf("seek in empty stream: %d %v", seq, err)
	}
	appendN(t, s, "a", 10, "x") // producer base+i s, server base+i s+0.5 s, seq i+1
	tests := []struct {
		kind TimestampKind
		t    time.Time
		want uint64
	}{
		{ProducerTime, base.Add(-time.Hour), 1},
		{ProducerTime, base, 1},
		{ProducerTime, base.Add(1), 2},
		{ProducerTime, base.Add(3 * time.Second), 4},
		{ProducerTime, base.Add(9 * time.Second), 10},
		{ProducerTime, base.Add(9*time.Second + 1), 11},
		{ServerTime, base, 1},
		{ServerTime, base.Add(500 * time.Millisecond), 1},
		{ServerTime, base.Add(600 * time.Millisecond), 2},
		{ServerTime, base.Add(5 * time.Second), 6},
		{ServerTime, base.Add(time.Hour), 11},
	}
	for _, tt := range tests {
		got, err := s.Seek(ctx, "a", tt.kind, tt.t)
		if err != nil || got != tt.want {
			t.Errorf("seek %d %v: %d %v, want %d", tt.kind, tt.t.Sub(base), got, err, tt.want)
		}
	}
	// A new session whose producer clock restarts earlier: seeking by
	// producer time still finds the first qualifying fragment.
	h, cs := fixture(t, "video.mkv")
	if _, err := s.Append(ctx, "a", Fragment{ProducerTimestamp: base.Add(-time.Minute), Session: "y"}, h, cs[0]); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Seek(ctx, "a", ProducerTime, base.Add(-2*time.Minute)); got != 1 {
		t.Errorf("seek before both sessions: %d", got)
	}
	if _, err := s.Seek(ctx, "nope", ServerTime, base); !errors.Is(err, ErrStreamNotFound) {
		t.Errorf("seek in missing stream: %v", err)
	}
}

func TestScan(t *testing.T) {
	s := openStore(t, natstest.Conn(t))
	ctx := t.Context()
	if err := s.Create(ctx, "a", time.Hour); err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "a", 7, "x")
	collect := func(from uint64, limit int) []uint64 {
		var got []uint64
		err := s.Scan(ctx, "a", from, func(f Fragment) bool {
			got = append(got, f.Seq)
			return len(got) < limit
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	tests := []struct {
		from  uint64
		limit int
		want  []uint64
	}{
		{0, 100, []uint64{1, 2, 3, 4, 5, 6, 7}},
		{3, 100, []uint64{3, 4, 5, 6, 7}},
		{3, 2, []uint64{3, 4}},
		{7, 100, []uint64{7}},
		{8, 100, nil},
	}
	for _, tt := range tests {
		if got := collect(tt.from, tt.limit); !slices.Equal(got, tt.want) {
			t.Errorf("scan from %d limit %d: %v, want %v", tt.from, tt.limit, got, tt.want)
		}
	}
	// A scan ends at the last fragment stored when it began.
	var got []uint64
	err := s.Scan(ctx, "a", 6, func(f Fragment) bool {
		if f.Seq == 6 {
			appendN(t, s, "a", 1, "x")
		}
		got = append(got, f.Seq)
		return true
	})
	if err != nil || !slices.Equal(got, []uint64{6, 7}) {
		t.Errorf("scan while appending: %v %v", got, err)
	}
}

func TestFollow(t *testing.T) {
	s, other := twoProcesses(t)
	ctx := t.Context()
	if err := s.Create(ctx, "live", time.Hour); err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "live", 2, "x")
	fl, err := other.Follow(ctx, "live", 2)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	f, err := fl.Next(ctx)
	if err != nil || f.Seq != 2 {
		t.Fatalf("next: %+v %v", f, err)
	}
	// Nothing new yet: Next waits until its context ends.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, err = fl.Next(short)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("next with nothing stored: %v", err)
	}
	// Live: appended after Next started waiting.
	done := make(chan Fragment, 1)
	go func() {
		f, err := fl.Next(ctx)
		if err != nil {
			t.Error(err)
		}
		done <- f
	}()
	h, cs := fixture(t, "video.mkv")
	want, err := s.Append(ctx, "live", Fragment{Session: "x"}, h, cs[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := <-done; got.Seq != 3 || got.Number != want.Number || !got.ServerTimestamp.Equal(want.ServerTimestamp) {
		t.Fatalf("followed %+v, want %+v", got, want)
	}

	// Deletion by another process ends a blocked Next with ErrDeleted.
	errc := make(chan error, 1)
	go func() {
		_, err := fl.Next(ctx)
		errc <- err
	}()
	if err := s.Delete(ctx, "live"); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, ErrDeleted) {
		t.Fatalf("next after delete: %v", err)
	}
	if _, err := other.At(ctx, "live", 1); !errors.Is(err, ErrStreamNotFound) {
		t.Errorf("at after delete: %v", err)
	}
}

func TestFollowClose(t *testing.T) {
	s := openStore(t, natstest.Conn(t))
	ctx := t.Context()
	if err := s.Create(ctx, "a", time.Hour); err != nil {
		t.Fatal(err)
	}
	fl, err := s.Follow(ctx, "a", 0)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := fl.Next(ctx)
		errc <- err
	}()
	fl.Close()
	if err := <-errc; !errors.Is(err, ErrFollowerClosed) {
		t.Fatalf("next after close: %v", err)
	}
}

// A second process reads what the first wrote and appends after it; the
// first, with a stale view of the tail, still appends in order.
func TestSecondProcess(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := t.Context()
	if err := a.Create(ctx, "shared", time.Hour); err != nil {
		t.Fatal(err)
	}
	wrote := appendN(t, a, "shared", 3, "a")
	for _, w := range wrote {
		got, err := b.Get(ctx, "shared", w.Number)
		if err != nil || got != w {
			t.Fatalf("other process got %+v %v, want %+v", got, err, w)
		}
		if _, _, err := b.Read(ctx, "shared", got); err != nil {
			t.Fatal(err)
		}
	}
	h, cs := fixture(t, "video.mkv")
	fb, err := b.Append(ctx, "shared", Fragment{ServerTimestamp: base}, h, cs[0]) // clock behind
	if err != nil || fb.Seq != 4 {
		t.Fatalf("append from b: %+v %v", fb, err)
	}
	if fb.ServerTimestamp.Before(wrote[2].ServerTimestamp) {
		t.Errorf("server timestamp went back: %v < %v", fb.ServerTimestamp, wrote[2].ServerTimestamp)
	}
	fa, err := a.Append(ctx, "shared", Fragment{}, h, cs[1])
	if err != nil || fa.Seq != 5 {
		t.Fatalf("append from a: %+v %v", fa, err)
	}
	// Deleted by b: a, with the stream's handles cached, sees it gone.
	if err := b.Delete(ctx, "shared"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, "shared", Fragment{}, h, cs[1]); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("append to a deleted stream: %v", err)
	}
	if _, _, err := a.Bounds(ctx, "shared"); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("bounds of a deleted stream: %v", err)
	}
	// Created again (by b): a appends from seq 1.
	if err := b.Create(ctx, "shared", 0); err != nil {
		t.Fatal(err)
	}
	if f, err := a.Append(ctx, "shared", Fragment{}, h, cs[1]); err != nil || f.Seq != 1 {
		t.Fatalf("append to the new stream: %+v %v", f, err)
	}
}

func TestConcurrentAppends(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := t.Context()
	if err := a.Create(ctx, "c", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := b.Create(ctx, "c", time.Hour); err != nil {
		t.Fatal(err)
	}
	h, cs := fixture(t, "av.mkv")
	const per = 15
	var mu sync.Mutex
	seen := map[uint64]string{}
	var wg sync.WaitGroup
	for w, s := range []*Store{a, a, b, b} {
		wg.Go(func() {
			for i := range per {
				c := cs[(w+i)%len(cs)]
				f, err := s.Append(ctx, "c", Fragment{Session: fmt.Sprint(w)}, h, c)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if _, dup := seen[f.Seq]; dup {
					t.Errorf("seq %d twice", f.Seq)
				}
				seen[f.Seq] = f.Session
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	var prev Fragment
	n := 0
	err := a.Scan(ctx, "c", 1, func(f Fragment) bool {
		n++
		if f.Seq != prev.Seq+1 || f.ServerTimestamp.Before(prev.ServerTimestamp) || seen[f.Seq] != f.Session {
			t.Errorf("fragment %+v after %+v", f, prev)
		}
		if _, _, err := b.Read(ctx, "c", f); err != nil {
			t.Errorf("read %d: %v", f.Seq, err)
		}
		prev = f
		return true
	})
	if err != nil || n != 4*per {
		t.Fatalf("scanned %d, %v", n, err)
	}
}

func TestRetentionExpiry(t *testing.T) {
	s := openStore(t, natstest.Conn(t))
	ctx := t.Context()
	if err := s.Create(ctx, "short", time.Hour); err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "short", 3, "x")
	// Shrink the retention in place: the fragments expire.
	if err := s.SetRetention(ctx, "short", 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "expiry", func() bool {
		first, last, err := s.Bounds(ctx, "short")
		return err == nil && first == 0 && last == 0
	})
	if _, err := s.At(ctx, "short", 1); !errors.Is(err, ErrFragmentNotFound) {
		t.Errorf("expired fragment: %v", err)
	}
	if seq, err := s.Seek(ctx, "short", ServerTime, base); err != nil || seq != 4 {
		t.Errorf("seek in expired stream: %d %v", seq, err)
	}
	// Numbering goes on after expiry.
	f := appendN(t, s, "short", 1, "x")[0]
	if f.Seq != 4 {
		t.Errorf("seq after expiry %d", f.Seq)
	}
	if err := s.SetRetention(ctx, "short", 0); err != nil {
		t.Fatal(err)
	}
	st, err := s.js.Stream(ctx, indexName("short"))
	if err != nil || st.CachedInfo().Config.MaxAge != HostBufferAge {
		t.Errorf("host buffer max age: %v", err)
	}
}

// Retention 0 keeps at most HostBufferBytes: the oldest fragments go,
// index and media together.
func TestHostBufferBytes(t *testing.T) {
	s := openStore(t, natstest.Conn(t))
	ctx := t.Context()
	h, cs := fixture(t, "av.mkv")
	var one bytes.Buffer
	w := mkv.NewWriter(&one)
	_ = w.WriteHeader(h)
	_ = w.WriteCluster(cs[0])
	s.hostBufferBytes = int64(one.Len()) * 7 / 2 // three and a half av.mkv fragments
	if err := s.Create(ctx, "buf", 0); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if _, err := s.Append(ctx, "buf", Fragment{}, h, cs[0]); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	first, last, err := s.Bounds(ctx, "buf")
	if err != nil || last != 10 || first != 8 {
		t.Fatalf("bounds %d %d %v, want 8 10", first, last, err)
	}
	var total int64
	err = s.Scan(ctx, "buf", 0, func(f Fragment) bool {
		total += f.Size
		if _, _, err := s.Read(ctx, "buf", f); err != nil {
			t.Errorf("read %d: %v", f.Seq, err)
		}
		return true
	})
	if err != nil || total > s.hostBufferBytes {
		t.Errorf("stored %d bytes (limit %d), %v", total, s.hostBufferBytes, err)
	}
	info, err := s.js.Stream(ctx, mediaName("buf"))
	if err != nil {
		t.Fatal(err)
	}
	if st := info.CachedInfo().State; st.Bytes > uint64(s.hostBufferBytes)*2 {
		t.Errorf("media stream holds %d bytes", st.Bytes)
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		in   string
		seq  uint64
		okay bool
	}{
		{FormatNumber(1), 1, true},
		{"91343852333181432392682062607743920146264871290", 0, false}, // AWS's, not ours
		{"90000000000000000000000000018446744073709551615", 1<<64 - 1, true},
		{"90000000000000000000000000018446744073709551616", 0, false},
		{"90000000000000000000000000000000000000000000000", 0, false},
		{"9000000000000000000000000000000000000000000001", 0, false},
		{"80000000000000000000000000000000000000000000001", 0, false},
		{"9000000000000000000000000000000000000000000000a", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		seq, ok := ParseNumber(tt.in)
		if seq != tt.seq || ok != tt.okay {
			t.Errorf("ParseNumber(%q) = %d %v, want %d %v", tt.in, seq, ok, tt.seq, tt.okay)
		}
	}
	if len(FormatNumber(1)) != 47 || FormatNumber(9) >= FormatNumber(10) || FormatNumber(1<<64-2) >= FormatNumber(1<<64-1) {
		t.Error("numbers do not sort as their sequences")
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{FormatNumber(1), FormatNumber(1<<64 - 1), "91343852333181432392682062607743920146264871290", "", "9", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seq, ok := ParseNumber(s)
		if !ok {
			return
		}
		if FormatNumber(seq) != s {
			t.Fatalf("%q parses to %d which formats as %q", s, seq, FormatNumber(seq))
		}
	})
}

func FuzzDecodeEntry(f *testing.F) {
	f.Add([]byte(`{"c":[1,2],"p":1,"s":2,"d":3,"z":4,"e":4,"x":"s","h":5,"k":true}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"z":-1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEntry(b)
		if err != nil {
			return
		}
		_ = e.fragment(1)
	})
}

func TestHeaderHash(t *testing.T) {
	h, _ := fixture(t, "av.mkv")
	v, _ := fixture(t, "video.mkv")
	if HeaderHash(h) == HeaderHash(v) {
		t.Error("different tracks, same hash")
	}
	c := *h
	c.Tracks = slices.Clone(h.Tracks)
	c.Tracks[0].CodecPrivate = append(slices.Clone(c.Tracks[0].CodecPrivate), 0)
	if HeaderHash(&c) == HeaderHash(h) {
		t.Error("codec private change, same hash")
	}
	c.Tracks[0].CodecPrivate = h.Tracks[0].CodecPrivate
	c.MuxingApp = "other"
	if HeaderHash(&c) != HeaderHash(h) {
		t.Error("muxing app changed the hash")
	}
}

// syntheticCluster is a video fragment of about size bytes: 30 frames at
// 30 fps, the first a keyframe.
func syntheticCluster(tb testing.TB, size int) (*mkv.Header, *mkv.Cluster) {
	tb.Helper()
	h, _ := fixture(tb, "video.mkv")
	c := &mkv.Cluster{Timecode: 1000}
	per := size / 30
	for i := range 30 {
		data := make([]byte, per)
		for j := range data {
			data[j] = byte(i + j)
		}
		c.Frames = append(c.Frames, mkv.Frame{Track: h.Tracks[0].Number, Timecode: int16(i * 33), Keyframe: i == 0, Data: data})
	}
	return h, c
}

func BenchmarkAppend(b *testing.B) {
	for _, size := range []int{1 << 20, 12 << 20} {
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			s := openStore(b, natstest.Conn(b))
			ctx := b.Context()
			if err := s.Create(ctx, "bench", 0); err != nil {
				b.Fatal(err)
			}
			h, c := syntheticCluster(b, size)
			b.SetBytes(int64(size))
			b.ResetTimer()
			var worst time.Duration
			for b.Loop() {
				start := time.Now()
				if _, err := s.Append(ctx, "bench", Fragment{}, h, c); err != nil {
					b.Fatal(err)
				}
				worst = max(worst, time.Since(start))
			}
			b.ReportMetric(float64(worst.Microseconds())/1000, "max-ms")
		})
	}
}

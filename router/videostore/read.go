package videostore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/nats-io/nats.go/jetstream"
)

func isMsgNotFound(err error) bool {
	return errors.Is(err, jetstream.ErrMsgNotFound)
}

// entryAt reads the index entry at seq.
func (s *Store) entryAt(ctx context.Context, id string, seq uint64) (*entry, error) {
	hd, err := s.handle(ctx, id)
	if err != nil {
		return nil, err
	}
	if seq == 0 {
		return nil, ErrFragmentNotFound
	}
	m, err := hd.index.GetMsg(ctx, seq)
	if err != nil {
		if isMsgNotFound(err) {
			return nil, ErrFragmentNotFound
		}
		return nil, err
	}
	return decodeEntry(m.Data)
}

// Get returns the fragment with FragmentNumber number (ErrFragmentNotFound
// if there is none, or it has expired).
func (s *Store) Get(ctx context.Context, id, number string) (Fragment, error) {
	seq, ok := ParseNumber(number)
	if !ok {
		if _, err := s.handle(ctx, id); err != nil {
			return Fragment{}, s.fail(id, "get fragment of", err)
		}
		return Fragment{}, fmt.Errorf("videostore: get fragment %s of %s: %w", number, id, ErrFragmentNotFound)
	}
	return s.At(ctx, id, seq)
}

// At returns the fragment at seq.
func (s *Store) At(ctx context.Context, id string, seq uint64) (Fragment, error) {
	e, err := s.entryAt(ctx, id, seq)
	if err != nil {
		return Fragment{}, s.fail(id, fmt.Sprintf("get fragment %d of", seq), err)
	}
	return e.fragment(seq), nil
}

// Read returns the stored fragment parsed back.
func (s *Store) Read(ctx context.Context, id string, f Fragment) (*mkv.Header, *mkv.Cluster, error) {
	rc, err := s.Open(ctx, id, f)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	r := mkv.NewReader(rc, mkv.ReaderOptions{MaxClusterBytes: max(f.Size, mkv.DefaultMaxClusterBytes), MaxTracks: 64})
	c, err := r.Next()
	if err != nil {
		return nil, nil, s.fail(id, fmt.Sprintf("read fragment %d of", f.Seq), err)
	}
	h, err := r.Header()
	if err != nil {
		return nil, nil, s.fail(id, fmt.Sprintf("read fragment %d of", f.Seq), err)
	}
	return h, c, nil
}

// Open streams the stored MKV bytes of f (Seq or Number identifies it).
func (s *Store) Open(ctx context.Context, id string, f Fragment) (io.ReadCloser, error) {
	seq := f.Seq
	if seq == 0 {
		seq, _ = ParseNumber(f.Number)
	}
	hd, err := s.handle(ctx, id)
	if err != nil {
		return nil, s.fail(id, "open fragment of", err)
	}
	e, err := s.entryAt(ctx, id, seq)
	if err != nil {
		return nil, s.fail(id, fmt.Sprintf("open fragment %d of", seq), err)
	}
	return &mediaReader{ctx: ctx, s: s, hd: hd, seq: seq, chunks: e.Chunks, left: e.Size}, nil
}

// mediaReader reads a fragment's chunks one direct get at a time.
type mediaReader struct {
	ctx    context.Context
	s      *Store
	hd     *handle
	seq    uint64
	chunks []uint64
	cur    []byte
	left   int64
	err    error
}

func (r *mediaReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if len(r.chunks) == 0 {
			if r.left != 0 {
				r.err = fmt.Errorf("videostore: read fragment %d of %s: %d bytes missing: %w", r.seq, r.hd.id, r.left, ErrFragmentNotFound)
			} else {
				r.err = io.EOF
			}
			return 0, r.err
		}
		m, err := r.hd.media.GetMsg(r.ctx, r.chunks[0])
		if err != nil {
			if isMsgNotFound(err) {
				err = ErrFragmentNotFound // expired or purged
			}
			r.err = r.s.fail(r.hd.id, fmt.Sprintf("read fragment %d of", r.seq), err)
			return 0, r.err
		}
		if m.Subject != mediaSubject(r.hd.id) {
			r.err = fmt.Errorf("videostore: read fragment %d of %s: chunk %d on %s: %w", r.seq, r.hd.id, r.chunks[0], m.Subject, ErrFragmentNotFound)
			return 0, r.err
		}
		r.chunks = r.chunks[1:]
		r.cur = m.Data
		r.left -= int64(len(m.Data))
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

func (r *mediaReader) Close() error {
	r.cur, r.chunks, r.err = nil, nil, errors.New("videostore: fragment reader closed")
	return nil
}

// state returns the index stream's first and last sequence and message count.
func (s *Store) state(ctx context.Context, id string) (first, last, msgs uint64, err error) {
	hd, err := s.handle(ctx, id)
	if err != nil {
		return 0, 0, 0, err
	}
	info, err := hd.index.Info(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	return info.State.FirstSeq, info.State.LastSeq, info.State.Msgs, nil
}

// Bounds returns the first and last seq still stored (0, 0 when empty).
func (s *Store) Bounds(ctx context.Context, id string) (first, last uint64, err error) {
	first, last, msgs, err := s.state(ctx, id)
	if err != nil {
		return 0, 0, s.fail(id, "bounds of", err)
	}
	if msgs == 0 {
		return 0, 0, nil
	}
	return first, last, nil
}

// Seek returns the seq of the first fragment whose timestamp of kind is at
// or after t, or last+1 if there is none (where the next fragment will be).
// Server timestamps never go back; producer timestamps may between
// sessions, so a binary search is followed by a walk back over earlier
// fragments that also qualify.
func (s *Store) Seek(ctx context.Context, id string, kind TimestampKind, t time.Time) (uint64, error) {
	first, last, msgs, err := s.state(ctx, id)
	if err != nil {
		return 0, s.fail(id, "seek in", err)
	}
	if msgs == 0 {
		return last + 1, nil
	}
	// at reports whether the fragment at seq is at or after t; a fragment
	// that expired meanwhile counts as before.
	at := func(seq uint64) (bool, error) {
		e, err := s.entryAt(ctx, id, seq)
		if errors.Is(err, ErrFragmentNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return !kind.of(e.fragment(seq)).Before(t), nil
	}
	lo, hi := first, last+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		ok, err := at(mid)
		if err != nil {
			return 0, s.fail(id, "seek in", err)
		}
		if ok {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if kind == ProducerTime {
		for lo > first {
			ok, err := at(lo - 1)
			if err != nil {
				return 0, s.fail(id, "seek in", err)
			}
			if !ok {
				break
			}
			lo--
		}
	}
	return lo, nil
}

// scanBatch is how many index entries Scan asks for at once.
const scanBatch = 512

// Scan calls fn for fragments from seq from on, in order, up to the last
// one stored when it was called; fn returns false to stop.
func (s *Store) Scan(ctx context.Context, id string, from uint64, fn func(Fragment) bool) error {
	first, last, msgs, err := s.state(ctx, id)
	if err != nil {
		return s.fail(id, "scan", err)
	}
	from = max(from, first)
	if msgs == 0 || from > last {
		return nil
	}
	cons, err := s.js.OrderedConsumer(ctx, indexName(id), jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: from,
		InactiveThreshold: 5 * time.Second, MaxResetAttempts: 3,
	})
	if err != nil {
		return s.fail(id, "scan", err)
	}
	for next := from; next <= last; {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("videostore: scan %s: %w", id, err)
		}
		batch, err := cons.FetchNoWait(int(min(last-next+1, scanBatch)))
		if err != nil {
			return s.fail(id, "scan", err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				return fmt.Errorf("videostore: scan %s: %w", id, err)
			}
			seq := md.Sequence.Stream
			if seq > last {
				return nil
			}
			next = seq + 1
			e, err := decodeEntry(m.Data())
			if err != nil {
				s.log.Warn("videostore: scan: skipping bad index entry", "id", id, "seq", seq, "err", err)
				continue
			}
			if !fn(e.fragment(seq)) {
				return nil
			}
		}
		if err := batch.Error(); err != nil {
			return s.fail(id, "scan", err)
		}
		if n == 0 {
			return nil // the rest expired
		}
	}
	return nil
}

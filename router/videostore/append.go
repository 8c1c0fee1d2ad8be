package videostore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kinesin/kinesin/internal/kvutil"
	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// maxAppendRetries bounds how often Append retries its index entry after
// another process appended first.
const maxAppendRetries = 100

// Append stores h+c as one self-contained MKV fragment (EBML header,
// Segment, Info, Tracks, one Cluster) and then its index entry; Number, Seq,
// Size and HeaderHash are filled in, ServerTimestamp when zero (it is moved
// up to the previous fragment's if it would go back) and Duration when zero.
// It returns once both are durable in JetStream (PERSISTED). Appends to one
// id are serialised.
func (s *Store) Append(ctx context.Context, id string, f Fragment, h *mkv.Header, c *mkv.Cluster) (Fragment, error) {
	hd, err := s.handle(ctx, id)
	if err != nil {
		return Fragment{}, s.fail(id, "append to", err)
	}
	if f.ServerTimestamp.IsZero() {
		f.ServerTimestamp = time.Now()
	}
	if f.Duration == 0 {
		f.Duration = c.Duration(h.TimecodeScale)
	}
	f.HeaderHash = HeaderHash(h)

	hd.mu.Lock()
	defer hd.mu.Unlock()

	chunks, size, err := s.putMedia(ctx, hd, h, c)
	if err != nil {
		return Fragment{}, s.fail(id, "append to", err)
	}
	f.Size = size
	e := entry{
		Chunks: chunks, Producer: unixNano(f.ProducerTimestamp), Duration: int64(f.Duration),
		Size: f.Size, Session: f.Session, Hash: f.HeaderHash, Keyframe: f.Keyframe,
	}
	for attempt := 0; ; attempt++ {
		if !hd.tailKnown {
			if err := s.loadTail(ctx, hd); err != nil {
				return Fragment{}, s.fail(id, "append to", err)
			}
		}
		ts := f.ServerTimestamp
		if ts.Before(hd.lastTime) {
			ts = hd.lastTime
		}
		e.Server = ts.UnixNano()
		e.End = hd.lastEnd + e.Size
		data, err := json.Marshal(&e)
		if err != nil {
			return Fragment{}, fmt.Errorf("videostore: append to %s: %w", id, err)
		}
		ack, err := s.js.Publish(ctx, indexSubject(id), data, jetstream.WithExpectLastSequence(hd.lastSeq), jetstream.WithExpectStream(indexName(id)))
		if err != nil {
			hd.tailKnown = false
			if kvutil.IsConflict(err) && attempt < maxAppendRetries {
				continue // another process appended: read the new tail
			}
			return Fragment{}, s.fail(id, "append to", err)
		}
		hd.lastSeq, hd.lastEnd, hd.lastTime = ack.Sequence, e.End, ts
		out := e.fragment(ack.Sequence)
		if hd.maxBytes > 0 || time.Since(hd.maxAt) > 10*time.Second {
			s.trim(ctx, hd)
		}
		return out, nil
	}
}

// mediaWriter publishes what is written to it as chunks of at most size
// bytes (asynchronously: the NATS client copies each message as it is
// published, so p is not kept), holding back at most one partial chunk.
type mediaWriter struct {
	js      jetstream.JetStream
	subj    string
	opt     jetstream.PublishOpt
	size    int
	pend    []byte
	n       int64
	futures []jetstream.PubAckFuture
	err     error
}

func (w *mediaWriter) publish(data []byte) {
	if w.err != nil {
		return
	}
	fut, err := w.js.PublishMsgAsync(&nats.Msg{Subject: w.subj, Data: data}, w.opt)
	if err != nil {
		w.err = err
		return
	}
	w.futures = append(w.futures, fut)
}

func (w *mediaWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && w.err == nil {
		if len(w.pend) == 0 && len(p) >= w.size {
			w.publish(p[:w.size])
			p = p[w.size:]
			continue
		}
		k := min(w.size-len(w.pend), len(p))
		w.pend = append(w.pend, p[:k]...)
		p = p[k:]
		if len(w.pend) == w.size {
			w.publish(w.pend)
			w.pend = w.pend[:0]
		}
	}
	if w.err != nil {
		return 0, w.err
	}
	w.n += int64(n)
	return n, nil
}

// appender is a reusable Matroska encoder feeding a mediaWriter: the
// encoder keeps its element buffer between fragments.
type appender struct {
	mw *mediaWriter
	w  *mkv.Writer
}

// putMedia writes h+c as one Matroska document to hd's media stream and
// returns its chunks' sequences and its size once all chunks are stored.
// hd.mu is held.
func (s *Store) putMedia(ctx context.Context, hd *handle, h *mkv.Header, c *mkv.Cluster) ([]uint64, int64, error) {
	id := hd.id
	if hd.app == nil {
		hd.app = &appender{mw: &mediaWriter{}}
		hd.app.w = mkv.NewWriter(hd.app.mw)
	}
	a := hd.app
	mw := a.mw
	*mw = mediaWriter{js: s.js, subj: mediaSubject(id), opt: jetstream.WithExpectStream(mediaName(id)), size: s.chunkSize,
		pend: mw.pend[:0], futures: mw.futures[:0]}
	if err := a.w.WriteHeader(h); err != nil {
		return nil, 0, fmt.Errorf("store media: %w", err)
	}
	if err := a.w.WriteCluster(c); err != nil {
		return nil, 0, fmt.Errorf("store media: %w", err)
	}
	if len(mw.pend) > 0 {
		mw.publish(mw.pend)
	}
	if mw.err != nil {
		return nil, 0, fmt.Errorf("store media: %w", mw.err)
	}
	seqs := make([]uint64, len(mw.futures))
	for i, fut := range mw.futures {
		select {
		case ack := <-fut.Ok():
			seqs[i] = ack.Sequence
		case err := <-fut.Err():
			return nil, 0, fmt.Errorf("store media: %w", err)
		case <-ctx.Done():
			return nil, 0, fmt.Errorf("store media: %w", ctx.Err())
		}
	}
	clear(mw.futures)
	return seqs, mw.n, nil
}

// loadTail reads the index stream's last sequence and last entry into hd.
func (s *Store) loadTail(ctx context.Context, hd *handle) error {
	info, err := hd.index.Info(ctx)
	if err != nil {
		return err
	}
	hd.maxBytes, hd.maxAt = metaBytes(info), time.Now()
	hd.lastSeq, hd.lastEnd, hd.lastTime = info.State.LastSeq, 0, time.Time{}
	if info.State.Msgs > 0 {
		m, err := hd.index.GetMsg(ctx, info.State.LastSeq)
		if err == nil {
			if e, err := decodeEntry(m.Data); err == nil {
				hd.lastEnd, hd.lastTime = e.End, fromUnixNano(e.Server)
			}
		}
	}
	hd.tailKnown = true
	return nil
}

// trim enforces the byte limit of a host-buffer stream: while the stored
// fragments (by their End offsets) exceed it, the oldest fragment's index
// entry and media are purged. It also refreshes the limit now and then, as
// another process may have changed the retention. Errors are logged: the
// fragment was stored.
func (s *Store) trim(ctx context.Context, hd *handle) {
	if time.Since(hd.maxAt) > 10*time.Second {
		if info, err := hd.index.Info(ctx); err == nil {
			hd.maxBytes, hd.maxAt = metaBytes(info), time.Now()
		}
	}
	if hd.maxBytes <= 0 || (hd.firstKnown && hd.lastEnd-hd.firstStart <= hd.maxBytes) {
		return
	}
	hd.firstKnown = false
	info, err := hd.index.Info(ctx)
	if err != nil || info.State.Msgs == 0 {
		return
	}
	first := info.State.FirstSeq
	keep := first // first seq to keep
	var keepMedia uint64
	for seq := first; seq < hd.lastSeq; seq++ {
		m, err := hd.index.GetMsg(ctx, seq)
		if err != nil {
			if isMsgNotFound(err) {
				keep = seq + 1
				continue
			}
			s.log.Warn("videostore: trim", "id", hd.id, "err", err)
			return
		}
		e, err := decodeEntry(m.Data)
		if err != nil {
			keep = seq + 1
			continue
		}
		if hd.lastEnd-(e.End-e.Size) <= hd.maxBytes {
			hd.firstStart, hd.firstKnown = e.End-e.Size, true
			break
		}
		keep = seq + 1
		if len(e.Chunks) > 0 {
			keepMedia = e.Chunks[len(e.Chunks)-1] + 1
		}
	}
	if keep == first {
		return
	}
	if err := hd.index.Purge(ctx, jetstream.WithPurgeSequence(keep)); err != nil {
		s.log.Warn("videostore: trim index", "id", hd.id, "err", err)
		return
	}
	if keepMedia > 0 {
		// Chunks of the kept fragments may interleave with dropped ones
		// (two writers): purge only below the first kept fragment's media.
		if m, err := hd.index.GetMsg(ctx, keep); err == nil {
			if e, err := decodeEntry(m.Data); err == nil && len(e.Chunks) > 0 {
				keepMedia = min(keepMedia, minSeq(e.Chunks))
			}
		}
		if err := hd.media.Purge(ctx, jetstream.WithPurgeSequence(keepMedia)); err != nil {
			s.log.Warn("videostore: trim media", "id", hd.id, "err", err)
		}
	}
}

func minSeq(seqs []uint64) uint64 {
	m := seqs[0]
	for _, s := range seqs[1:] {
		m = min(m, s)
	}
	return m
}

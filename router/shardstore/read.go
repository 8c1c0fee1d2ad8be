package shardstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// StoredRecord is one record read back, with its place and arrival time.
type StoredRecord struct {
	Pos     Position
	Arrival time.Time
	Key     []byte
	Data    []byte
}

// ReadResult is what one Read returns.
type ReadResult struct {
	Records []StoredRecord
	// Next is where the following read starts.
	Next Position
	// CaughtUp is true when nothing is stored after Next (yet).
	CaughtUp bool
	// End is true when the shard is closed and Next is past its last
	// record: the reader moves on to the children.
	End bool
}

// msgReq is JetStream's direct get request (batched form).
type msgReq struct {
	Seq       uint64     `json:"seq,omitempty"`
	Batch     int        `json:"batch,omitempty"`
	MaxBytes  int        `json:"max_bytes,omitempty"`
	StartTime *time.Time `json:"start_time,omitempty"`
	UpToSeq   uint64     `json:"up_to_seq,omitempty"`
}

type rawMsg struct {
	seq  uint64
	time time.Time
	data []byte
}

// replies routes the responses of direct gets: one wildcard subscription
// per store instead of a subscription per read.
type replies struct {
	prefix string
	sub    *nats.Subscription
	mu     sync.Mutex
	next   uint64
	open   map[string]chan *nats.Msg
}

func (s *Store) startReplies() error {
	r := &replies{prefix: s.nc.NewRespInbox() + ".", open: map[string]chan *nats.Msg{}}
	sub, err := s.nc.Subscribe(r.prefix+"*", func(m *nats.Msg) {
		token := m.Subject[len(r.prefix):]
		r.mu.Lock()
		c := r.open[token]
		r.mu.Unlock()
		if c != nil {
			select {
			case c <- m:
			default: // the reader gave up; drop
			}
		}
	})
	if err != nil {
		return fmt.Errorf("shardstore: reply subscription: %w", err)
	}
	_ = sub.SetPendingLimits(-1, -1)
	r.sub = sub
	s.replies = r
	return nil
}

func (r *replies) register(size int) (string, chan *nats.Msg) {
	c := make(chan *nats.Msg, size)
	r.mu.Lock()
	r.next++
	token := strconv.FormatUint(r.next, 36)
	r.open[token] = c
	r.mu.Unlock()
	return token, c
}

func (r *replies) unregister(token string) {
	r.mu.Lock()
	delete(r.open, token)
	r.mu.Unlock()
}

// directGet runs one batched direct get and returns the messages and how
// many are pending after them.
func (s *Store) directGet(ctx context.Context, stream string, req msgReq) ([]rawMsg, uint64, error) {
	body, _ := json.Marshal(req)
	token, replies := s.replies.register(req.Batch + 2)
	defer s.replies.unregister(token)
	if err := s.nc.PublishRequest("$JS.API.DIRECT.GET."+stream, s.replies.prefix+token, body); err != nil {
		return nil, 0, fmt.Errorf("shardstore: read: %w", err)
	}
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	var out []rawMsg
	for {
		var m *nats.Msg
		select {
		case m = <-replies:
		case <-ctx.Done():
			return nil, 0, fmt.Errorf("shardstore: read %s: %w", stream, ctx.Err())
		case <-timer.C:
			return nil, 0, fmt.Errorf("shardstore: read %s: no answer from JetStream", stream)
		}
		switch m.Header.Get("Status") {
		case "":
		case "404":
			return out, 0, nil
		case "204":
			pending, _ := strconv.ParseUint(m.Header.Get("Nats-Num-Pending"), 10, 64)
			return out, pending, nil
		case "503":
			return nil, 0, errStreamGone
		default:
			return nil, 0, fmt.Errorf("shardstore: read %s: status %s %s", stream, m.Header.Get("Status"), m.Header.Get("Description"))
		}
		seq, _ := strconv.ParseUint(m.Header.Get("Nats-Sequence"), 10, 64)
		ts, _ := time.Parse(time.RFC3339Nano, m.Header.Get("Nats-Time-Stamp"))
		out = append(out, rawMsg{seq: seq, time: ts, data: m.Data})
		if req.Batch == 0 {
			return out, 0, nil
		}
	}
}

var errStreamGone = errors.New("shardstore: shard storage is gone")

// Read returns records of a shard from position from, at most maxRecords
// and about maxBytes of data (at least one record is returned when one
// exists, however large). Records that retention removed are skipped.
func (s *Store) Read(ctx context.Context, st *Stream, index int, from Position, maxRecords, maxBytes int) (ReadResult, error) {
	res := ReadResult{Next: from}
	sh, ok := st.Shard(index)
	if !ok {
		return res, ErrNotFound
	}
	if sh.NoData || (sh.Sealed && from.Msg > sh.EndMsg) {
		res.End, res.CaughtUp = sh.Sealed, true
		return res, nil
	}
	if from.Msg == 0 {
		from = Position{Msg: 1}
		res.Next = from
	}
	bytes := 0
	name := jsName(st, index)
	for len(res.Records) < maxRecords && bytes < maxBytes {
		req := msgReq{Seq: from.Msg, Batch: s.messagesFor(name, maxRecords-len(res.Records)), MaxBytes: maxBytes - bytes + 1024}
		if sh.Sealed {
			req.UpToSeq = sh.EndMsg
		}
		msgs, pending, err := s.directGet(ctx, name, req)
		if errors.Is(err, errStreamGone) {
			res.CaughtUp, res.End = true, sh.Sealed
			return res, nil
		}
		if err != nil {
			return res, err
		}
		var full bool
		counted := 0
		for _, m := range msgs {
			if m.seq != from.Msg {
				from = Position{Msg: m.seq}
			}
			recs, err := DecodeBatch(nil, m.data)
			if err != nil {
				return res, fmt.Errorf("shardstore: %s message %d: %w", ShardID(index), m.seq, err)
			}
			counted += len(recs)
			for i := int(from.Index); i < len(recs); i++ {
				if len(res.Records) >= maxRecords || (bytes >= maxBytes && len(res.Records) > 0) {
					full = true
					break
				}
				res.Records = append(res.Records, StoredRecord{Pos: Position{m.seq, uint32(i)}, Arrival: m.time, Key: recs[i].Key, Data: recs[i].Data})
				bytes += len(recs[i].Data) + len(recs[i].Key)
				from = Position{m.seq, uint32(i + 1)}
			}
			if full {
				break
			}
			from = Position{Msg: m.seq + 1}
		}
		res.Next = from
		if len(msgs) > 0 {
			s.perMsg.Store(name, float64(counted)/float64(len(msgs)))
		}
		if full {
			break
		}
		if len(msgs) == 0 || pending == 0 {
			res.CaughtUp = true
			break
		}
	}
	if sh.Sealed && res.Next.Msg > sh.EndMsg {
		res.End, res.CaughtUp = true, true
	}
	return res, nil
}

// messagesFor is how many messages to ask for to get about n records: the
// records a message held on average last time, one more for a message
// partly read already, at most 64.
func (s *Store) messagesFor(name string, n int) int {
	per := 1.0
	if v, ok := s.perMsg.Load(name); ok {
		per = max(v.(float64), 1)
	}
	return min(int(float64(n)/per)+2, 64)
}

// Tip is the position after the last record stored in a shard (LATEST).
func (s *Store) Tip(ctx context.Context, st *Stream, index int) (Position, error) {
	sh, ok := st.Shard(index)
	if !ok {
		return Position{}, ErrNotFound
	}
	if sh.NoData {
		return Position{Msg: 1}, nil
	}
	if sh.Sealed {
		return Position{Msg: sh.EndMsg + 1}, nil
	}
	h, err := s.handle(ctx, st, index)
	if err != nil {
		return Position{}, err
	}
	info, err := h.Info(ctx)
	if err != nil {
		return Position{}, fmt.Errorf("shardstore: tip of %s: %w", ShardID(index), err)
	}
	return Position{Msg: info.State.LastSeq + 1}, nil
}

// AtTime is the position of the first record that arrived at or after t.
func (s *Store) AtTime(ctx context.Context, st *Stream, index int, t time.Time) (Position, error) {
	sh, ok := st.Shard(index)
	if !ok {
		return Position{}, ErrNotFound
	}
	if sh.NoData {
		return Position{Msg: 1}, nil
	}
	t = t.UTC()
	msgs, _, err := s.directGet(ctx, jsName(st, index), msgReq{StartTime: &t})
	if errors.Is(err, errStreamGone) {
		return Position{Msg: 1}, nil
	}
	if err != nil {
		return Position{}, err
	}
	if len(msgs) == 0 {
		return s.Tip(ctx, st, index)
	}
	return Position{Msg: msgs[0].seq}, nil
}

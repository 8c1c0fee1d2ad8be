package video

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/videostore"
)

// PutMedia limits (AWS's).
const (
	maxFragmentDuration = 10 * time.Second
	// ackQueue bounds the acknowledgements waiting to be written and
	// appendQueue the fragments read but not yet stored: a slow store holds
	// back the reading of the upload.
	ackQueue    = 64
	appendQueue = 4
)

// Ack event types.
const (
	ackBuffering = "BUFFERING"
	ackReceived  = "RECEIVED"
	ackPersisted = "PERSISTED"
	ackIdle      = "IDLE"
	ackError     = "ERROR"
)

// ack is one PutMedia acknowledgement, with AWS's member names and order.
type ack struct {
	EventType        string
	FragmentTimecode *int64 `json:",omitempty"`
	FragmentNumber   string `json:",omitempty"`
	ErrorId          int    `json:",omitempty"` //nolint:revive // AWS's member name
}

func newAck(event string, tc uint64) ack {
	t := int64(min(tc, math.MaxInt64))
	return ack{EventType: event, FragmentTimecode: &t}
}

// putParams are a PutMedia request's headers, checked.
type putParams struct {
	ref      videostore.StreamRef
	relative bool
	start    time.Time // producer start timestamp (RELATIVE)
	session  string
}

// putMedia answers PutMedia: errors in the request's headers as REST
// errors, then a 200 whose chunked body carries the acknowledgements while
// the upload is read.
func (s *Service) putMedia(r *router.Request) *router.Response {
	p, err := s.putParams(r)
	if err != nil {
		return s.errorResponse(r.Path, err)
	}
	body := r.BodyStream
	if body == nil {
		body = bytes.NewReader(bytes.Clone(r.Body))
	}
	// One session per connection, as AWS serves it: a session that ends
	// early (ERROR) leaves the client's upload unread, and the connection
	// is not reused for another request.
	return &router.Response{Status: 200, Header: map[string]string{"Content-Type": "application/json", "Connection": "close"},
		Stream: func(ctx context.Context, w router.StreamWriter) {
			s.m.sessions.WithLabelValues("PutMedia").Inc()
			defer s.m.sessions.WithLabelValues("PutMedia").Dec()
			s.runPut(ctx, w, body, p)
		}}
}

func (s *Service) putParams(r *router.Request) (putParams, error) {
	var p putParams
	name := strings.Clone(r.Header("x-amzn-stream-name"))
	arn := strings.Clone(r.Header("x-amzn-stream-arn"))
	ref, err := s.Resolve(r.Ctx, name, arn)
	if err != nil {
		return p, err
	}
	p.ref = ref
	switch tc := r.Header("x-amzn-fragment-timecode-type"); tc {
	case "ABSOLUTE":
	case "RELATIVE":
		p.relative = true
	case "":
		return p, ErrInvalidArgument.New("The x-amzn-fragment-timecode-type header is required.")
	default:
		return p, ErrInvalidArgument.New("Invalid x-amzn-fragment-timecode-type %q: must be ABSOLUTE or RELATIVE.", tc)
	}
	if v := r.Header("x-amzn-producer-start-timestamp"); v != "" {
		t, err := parseSeconds(v)
		if err != nil {
			return p, ErrInvalidArgument.New("Invalid x-amzn-producer-start-timestamp %q.", v)
		}
		p.start = t
	} else if p.relative {
		return p, ErrInvalidArgument.New("The x-amzn-producer-start-timestamp header is required with RELATIVE fragment timecodes.")
	}
	p.session = randomHex(8)
	return p, nil
}

// putJob is one fragment read, on its way to the store, or the error that
// ends the session once the fragments before it are stored.
type putJob struct {
	h        *mkv.Header
	c        *mkv.Cluster
	tc       uint64
	arrived  time.Time
	producer time.Time
	err      error
}

// runPut is one PutMedia session: a reader goroutine reads fragments and
// acknowledges BUFFERING and RECEIVED, an appender stores them in order and
// acknowledges PERSISTED, and this loop writes the acknowledgements (and
// IDLE ones) as they come.
func (s *Service) runPut(ctx context.Context, w router.StreamWriter, body io.Reader, p putParams) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()

	acks := make(chan ack, ackQueue)
	jobs := make(chan putJob, appendQueue)
	done := make(chan struct{})
	send := func(a ack) bool {
		select {
		case acks <- a:
			return true
		case <-ctx.Done():
			return false
		}
	}
	// The session may not end while the reader is inside a Read of the
	// body: net/http reads what is left of it once the handler returns. So
	// the reader stops at its next Read once ctx ends, and the session
	// waits for the Read under way (the client's next bytes, or its
	// closing the upload, which a client does after an ERROR).
	readerDone := make(chan struct{})
	defer func() {
		cancel()
		<-readerDone
	}()
	go func() {
		defer close(readerDone)
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("video: panic in PutMedia reader", "panic", v, "stack", string(debug.Stack()))
				select {
				case jobs <- putJob{err: &mkv.Error{Code: mkv.CodeInternal, Msg: "internal error"}}:
				case <-ctx.Done():
				}
			}
			close(jobs)
		}()
		s.readFragments(ctx, &ctxReader{ctx: ctx, r: body}, p, send, jobs)
	}()
	s.goSafe("PutMedia appender", func() {
		defer close(done)
		s.appendFragments(ctx, p, send, jobs)
	})

	write := func(a ack) bool {
		b, _ := json.Marshal(a)
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			return false
		}
		return w.Flush() == nil
	}
	idle := time.NewTicker(s.idleAck)
	defer idle.Stop()
	last := time.Now()
	for {
		select {
		case a := <-acks:
			if !write(a) {
				return
			}
			last = time.Now()
		case <-done:
			for {
				select {
				case a := <-acks:
					if !write(a) {
						return
					}
				default:
					return
				}
			}
		case <-idle.C:
			if time.Since(last) < s.idleAck {
				continue
			}
			if !s.streamExists(ctx, p.ref) {
				if ctx.Err() == nil {
					s.m.putError(p.ref.Name, int(mkv.CodeStreamDeleted))
					write(ack{EventType: ackError, ErrorId: int(mkv.CodeStreamDeleted)})
				}
				return
			}
			if !write(ack{EventType: ackIdle}) {
				return
			}
			last = time.Now()
		case <-ctx.Done():
			return
		}
	}
}

// streamExists says whether the stream of a session is still there (the
// same incarnation, not being deleted).
func (s *Service) streamExists(ctx context.Context, ref videostore.StreamRef) bool {
	m, _, err := s.tab.Get(ctx, ref.Name)
	if errors.Is(err, errNoStream) {
		return false
	}
	if err != nil {
		return true // unknown: let the store decide
	}
	return m.ID == ref.ID && m.Status != statusDeleting
}

// readFragments reads the upload one fragment at a time.
func (s *Service) readFragments(ctx context.Context, body io.Reader, p putParams, send func(ack) bool, jobs chan<- putJob) {
	var cur struct {
		tc      uint64
		arrived time.Time
	}
	opts := mkv.ReaderOptions{MaxClusterDuration: maxFragmentDuration, MaxClusterBytes: s.maxFragmentBytes,
		OnFragmentStart: func(tc uint64) {
			cur.tc, cur.arrived = tc, time.Now()
			send(newAck(ackBuffering, tc))
		}}
	rd := mkv.NewReader(body, opts)
	var chk mkv.TimecodeChecker
	fail := func(err error) {
		select {
		case jobs <- putJob{tc: cur.tc, err: err}:
		case <-ctx.Done():
		}
	}
	for {
		c, err := rd.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			fail(err)
			return
		}
		h, err := rd.Header()
		if err == nil {
			err = chk.Check(c.Timecode)
		}
		if err == nil {
			err = c.CheckTracks(h)
		}
		if err != nil {
			fail(err)
			return
		}
		producer, ok := producerTime(p, c.Timecode, h.TimecodeScale)
		if !ok {
			fail(&mkv.Error{Code: mkv.CodeInvalidProducerTime, Msg: "invalid producer timestamp"})
			return
		}
		if !send(newAck(ackReceived, c.Timecode)) {
			return
		}
		select {
		case jobs <- putJob{h: h, c: c, tc: c.Timecode, arrived: cur.arrived, producer: producer}:
		case <-ctx.Done():
			return
		}
	}
}

// producerTime is a fragment's producer timestamp: its cluster timecode
// (times the timecode scale) since the epoch (ABSOLUTE) or since the
// producer start timestamp (RELATIVE).
func producerTime(p putParams, tc, scale uint64) (time.Time, bool) {
	if scale == 0 {
		scale = mkv.DefaultTimecodeScale
	}
	if tc > math.MaxInt64/scale {
		return time.Time{}, false
	}
	d := time.Duration(tc * scale)
	if p.relative {
		return p.start.Add(d), true
	}
	return time.Unix(0, int64(d)).UTC(), true
}

// appendFragments stores the fragments read, in order, acknowledging each
// with PERSISTED; an error (the reader's or the store's) is acknowledged
// with ERROR and ends the session.
func (s *Service) appendFragments(ctx context.Context, p putParams, send func(ack) bool, jobs <-chan putJob) {
	fail := func(tc uint64, code mkv.Code) {
		s.m.putError(p.ref.Name, int(code))
		a := newAck(ackError, tc)
		a.ErrorId = int(code)
		send(a)
	}
	for j := range jobs {
		if j.err != nil {
			if ctx.Err() == nil {
				code := mkv.ErrorCode(j.err)
				if code == mkv.CodeInternal {
					s.log.Error("video: PutMedia read", "stream", p.ref.Name, "err", j.err)
				} else {
					s.log.Debug("video: PutMedia read", "stream", p.ref.Name, "err", j.err)
				}
				fail(j.tc, code)
			}
			return
		}
		if !s.streamExists(ctx, p.ref) {
			fail(j.tc, mkv.CodeStreamDeleted)
			return
		}
		f := videostore.Fragment{ProducerTimestamp: j.producer, ServerTimestamp: j.arrived.UTC(),
			Duration: j.c.Duration(j.h.TimecodeScale), Session: p.session, Keyframe: j.c.StartsWithKeyframe()}
		f, err := s.store.Append(ctx, p.ref.ID, f, j.h, j.c)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, videostore.ErrStreamNotFound) || errors.Is(err, videostore.ErrDeleted) {
				fail(j.tc, mkv.CodeStreamDeleted)
			} else {
				s.log.Error("video: PutMedia append", "stream", p.ref.Name, "err", err)
				fail(j.tc, mkv.CodePersistFailed)
			}
			return
		}
		s.m.persisted(p.ref.Name, j.c.Size, time.Since(j.arrived))
		a := newAck(ackPersisted, j.tc)
		a.FragmentNumber = f.Number
		if !send(a) {
			return
		}
	}
}

// ctxReader stops reading once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

package functions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/router"
)

// Function logs. What a function writes to stdout and stderr during an
// invocation (engine.Result.Logs) is published as one message per
// invocation to the stream Config.LogStream, subject
// kinesin.logs.<function>, so every kinesin process sharing the NATS
// cluster can serve every process's logs — kinesin's CloudWatch Logs.
// Publishing is asynchronous and best-effort: a full queue or a failed
// publish is logged and never fails or slows the invocation.
const (
	// LogsPath is the HTTP prefix of kinesin's log extension to the
	// Lambda API: GET LogsPath/{name}/logs?since=<unix ms>&follow=true.
	LogsPath = "/kinesin/v1/functions"

	logSubjectPrefix = "kinesin.logs."
	// Headers of a log message.
	logHeaderRequestID = "Kinesin-Request-Id"
	logHeaderVersion   = "Kinesin-Function-Version"
	logHeaderTime      = "Kinesin-Timestamp" // invocation start, RFC 3339 with nanoseconds
	// maxLogMessage caps one invocation's stored logs; longer output keeps
	// its tail, as Lambda's LogResult does.
	maxLogMessage = 256 << 10
	// logQueue is how many invocations' logs may wait to be published.
	logQueue = 4096
	// maxLogQueueBytes bounds the bytes of logs waiting to be published.
	maxLogQueueBytes = 64 << 20
	// logAckTimeout bounds the wait for JetStream's acknowledgements.
	logAckTimeout = 10 * time.Second
	// logTimeFormat is RFC 3339 with milliseconds, the time of a log line.
	logTimeFormat = "2006-01-02T15:04:05.000Z07:00"
)

func logSubject(name string) string { return logSubjectPrefix + name }

// logs publishes and reads function logs.
type logs struct {
	js      jetstream.JetStream
	stream  jetstream.Stream
	queue   chan *nats.Msg
	dropped atomic.Int64
	queued  atomic.Int64 // bytes in queue
}

// openLogs creates or updates the log stream.
func openLogs(ctx context.Context, js jetstream.JetStream, cfg Config) (*logs, error) {
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        cfg.LogStream,
		Description: "kinesin function logs, one message per invocation",
		Subjects:    []string{logSubjectPrefix + ">"},
		MaxAge:      cfg.LogMaxAge,
		MaxBytes:    cfg.LogMaxBytes,
		Discard:     jetstream.DiscardOld,
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("functions: open log stream %s: %w", cfg.LogStream, err)
	}
	return &logs{js: js, stream: st, queue: make(chan *nats.Msg, logQueue)}, nil
}

// publishLogs queues an invocation's log output for publishing; it never
// blocks. Invocations that wrote nothing publish nothing.
func (s *Service) publishLogs(name, version, requestID string, start time.Time, out []byte) {
	if len(out) == 0 {
		return
	}
	var data []byte
	if len(out) > maxLogMessage {
		note := fmt.Sprintf("[kinesin: %d bytes of log output dropped]\n", len(out)-maxLogMessage)
		data = make([]byte, 0, len(note)+maxLogMessage)
		data = append(append(data, note...), out[len(out)-maxLogMessage:]...)
	} else {
		data = append([]byte(nil), out...) // the engine may reuse its buffer
	}
	m := &nats.Msg{Subject: logSubject(name), Data: data, Header: nats.Header{}}
	m.Header.Set(logHeaderRequestID, requestID)
	m.Header.Set(logHeaderVersion, version)
	m.Header.Set(logHeaderTime, start.UTC().Format(time.RFC3339Nano))
	if s.logs.queued.Add(int64(len(data))) > maxLogQueueBytes {
		s.logs.queued.Add(-int64(len(data)))
		s.dropLogs(name, requestID)
		return
	}
	select {
	case s.logs.queue <- m:
	default:
		s.logs.queued.Add(-int64(len(data)))
		s.dropLogs(name, requestID)
	}
}

// dropLogs counts logs dropped for a full queue, logging now and then.
func (s *Service) dropLogs(name, requestID string) {
	{
		if n := s.logs.dropped.Add(1); n == 1 || n%1000 == 0 {
			s.log.Warn("functions: log queue full, invocation logs dropped", "function", name, "request", requestID, "dropped", n)
		}
	}
}

// runLogPublisher publishes queued logs until the service closes, then
// publishes what is still queued. It publishes asynchronously in batches
// and waits for their acknowledgements only to log failures.
func (s *Service) runLogPublisher() {
	var futures []jetstream.PubAckFuture
	publish := func(m *nats.Msg) {
		s.logs.queued.Add(-int64(len(m.Data)))
		f, err := s.logs.js.PublishMsgAsync(m)
		if err != nil {
			s.log.Warn("functions: publish logs", "subject", m.Subject, "err", err)
			return
		}
		futures = append(futures, f)
	}
	await := func() {
		timeout := time.NewTimer(logAckTimeout)
		defer timeout.Stop()
		for _, f := range futures {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				s.log.Warn("functions: publish logs", "subject", f.Msg().Subject, "err", err)
			case <-timeout.C:
				s.log.Warn("functions: publish logs: no acknowledgement", "pending", len(futures))
				futures = futures[:0]
				return
			}
		}
		clear(futures)
		futures = futures[:0]
	}
	for {
		select {
		case <-s.ctx.Done():
			for {
				select {
				case m := <-s.logs.queue:
					publish(m)
				default:
					await()
					return
				}
			}
		case m := <-s.logs.queue:
			publish(m)
		more:
			for len(futures) < 256 {
				select {
				case m := <-s.logs.queue:
					publish(m)
				default:
					break more
				}
			}
			await()
		}
	}
}

// serveLogs answers GET LogsPath/{name}/logs.
func (s *Service) serveLogs(r *router.Request) *router.Response {
	rest := strings.Trim(r.Path[len(LogsPath):], "/")
	name, op, ok := strings.Cut(rest, "/")
	if !ok || op != "logs" || r.Method != "GET" {
		return errorResponse(UnknownOperation.New("Unknown operation %s %s", r.Method, r.Path))
	}
	q, err := url.ParseQuery(r.RawQuery)
	if err != nil {
		return errorResponse(InvalidParameter.New("Invalid query string."))
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms < 0 {
			return errorResponse(InvalidParameter.New("since must be a time in milliseconds since the Unix epoch, not %q.", v))
		}
		since = time.UnixMilli(ms)
	}
	follow := false
	if v := q.Get("follow"); v != "" {
		if follow, err = strconv.ParseBool(v); err != nil {
			return errorResponse(InvalidParameter.New("follow must be true or false, not %q.", v))
		}
	}
	ctx := r.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	ref, err := s.parseRef(name, "")
	if err != nil {
		return errorResponse(err)
	}
	if _, _, err := s.loadFunc(ctx, ref.Name); err != nil {
		if !isAPIError(err) {
			s.log.Error("functions: request failed", "method", r.Method, "path", r.Path, "err", err)
		}
		return errorResponse(err)
	}
	subject := logSubject(ref.Name)
	// Without follow the answer ends at the function's last message now.
	var last uint64
	if !follow {
		m, err := s.logs.stream.GetLastMsgForSubject(ctx, subject)
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound):
		case err != nil:
			s.log.Error("functions: read logs", "function", ref.Name, "err", err)
			return errorResponse(ServiceError.New("Could not read the logs: %s", err.Error()))
		case since.IsZero() || !m.Time.Before(since):
			last = m.Sequence
		}
	}
	header := map[string]string{"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache"}
	if !follow && last == 0 {
		return &router.Response{Status: 200, Header: header}
	}
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}}
	if !since.IsZero() {
		cfg.DeliverPolicy = jetstream.DeliverByStartTimePolicy
		cfg.OptStartTime = &since
	}
	cons, err := s.logs.js.OrderedConsumer(ctx, s.cfg.LogStream, cfg)
	if err != nil {
		s.log.Error("functions: read logs", "function", ref.Name, "err", err)
		return errorResponse(ServiceError.New("Could not read the logs: %s", err.Error()))
	}
	return &router.Response{Status: 200, Header: header, Stream: func(ctx context.Context, w router.StreamWriter) {
		s.streamLogs(ctx, cons, last, w)
	}}
}

// streamLogs writes log messages as lines until the message with sequence
// last (0: until ctx ends, following new messages).
func (s *Service) streamLogs(ctx context.Context, cons jetstream.Consumer, last uint64, w router.StreamWriter) {
	it, err := cons.Messages()
	if err != nil {
		s.log.Error("functions: read logs", "err", err)
		return
	}
	defer it.Stop()
	// Send the headers now where the transport can (HTTP/2): a follower
	// may wait long for the first line. Over HTTP/1.1 they go out with it.
	if err := w.Flush(); err != nil {
		return
	}
	var buf bytes.Buffer
	next := func() (jetstream.Msg, error) {
		if last == 0 {
			return it.Next(jetstream.NextContext(ctx))
		}
		// Retention may remove the last message before it arrives.
		nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return it.Next(jetstream.NextContext(nctx))
	}
	for {
		m, err := next()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
				s.log.Warn("functions: read logs", "err", err)
			}
			return
		}
		meta, err := m.Metadata()
		if err != nil {
			continue
		}
		buf.Reset()
		formatLogs(&buf, m.Headers(), meta.Timestamp, m.Data())
		if _, err := w.Write(buf.Bytes()); err != nil {
			return
		}
		if err := w.Flush(); err != nil {
			return
		}
		if last != 0 && (meta.Sequence.Stream >= last || meta.NumPending == 0) {
			return
		}
	}
}

// formatLogs writes each line of one invocation's logs as
// "TIMESTAMP REQUEST-ID LINE\n".
func formatLogs(buf *bytes.Buffer, h nats.Header, stored time.Time, data []byte) {
	at := stored
	if t, err := time.Parse(time.RFC3339Nano, h.Get(logHeaderTime)); err == nil {
		at = t
	}
	prefix := at.UTC().Format(logTimeFormat) + " " + h.Get(logHeaderRequestID) + " "
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		buf.WriteString(prefix)
		buf.Write(bytes.TrimSuffix(line, []byte("\r")))
		buf.WriteByte('\n')
	}
}

package video

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/videostore"
)

// mediaContentType is the Content-Type of GetMedia and
// GetMediaForFragmentList responses.
const mediaContentType = "video/webm"

var (
	reFragmentNumber = regexp.MustCompile(`^[0-9]+$`)
	reToken          = regexp.MustCompile(`^[a-zA-Z0-9_\.\-]+$`)
	reListToken      = regexp.MustCompile(`^[a-zA-Z0-9+/]+={0,2}$`)
)

// Start selector types of GetMedia.
const (
	selNow          = "NOW"
	selEarliest     = "EARLIEST"
	selFragment     = "FRAGMENT_NUMBER"
	selProducerTime = "PRODUCER_TIMESTAMP"
	selServerTime   = "SERVER_TIMESTAMP"
	selContinuation = "CONTINUATION_TOKEN"
)

// streamID names a data-plane request's stream: by name or by ARN.
type streamID struct {
	StreamName, StreamARN *string
}

func (id *streamID) stream() (name, arn string) { return deref(id.StreamName), deref(id.StreamARN) }

// dataRequest is a data-plane request body naming its stream.
type dataRequest interface {
	check() error
	stream() (name, arn string)
}

// request decodes body into in, checks it and finds the stream it names.
func (s *Service) request(ctx context.Context, body []byte, in dataRequest) (videostore.StreamRef, error) {
	if err := decode(body, in); err != nil {
		return videostore.StreamRef{}, err
	}
	if err := in.check(); err != nil {
		return videostore.StreamRef{}, err
	}
	name, arn := in.stream()
	return s.Resolve(ctx, name, arn)
}

type getMediaInput struct {
	streamID
	StartSelector *startSelector
}

type startSelector struct {
	StartSelectorType   *string
	AfterFragmentNumber *string
	StartTimestamp      *epoch
	ContinuationToken   *string
}

// check validates a GetMedia request.
func (in *getMediaInput) check() error {
	var v awserr.Violations
	sel := in.StartSelector
	if v.Required(sel != nil, "startSelector") && v.Required(sel.StartSelectorType != nil, "startSelector.startSelectorType") {
		v.OneOf(sel.StartSelectorType, "startSelector.startSelectorType", selFragment, selServerTime, selProducerTime, selNow, selEarliest, selContinuation)
	}
	if sel != nil {
		v.Length(sel.AfterFragmentNumber, "startSelector.afterFragmentNumber", 1, 128)
		v.Match(sel.AfterFragmentNumber, "startSelector.afterFragmentNumber", reFragmentNumber, "^[0-9]+$")
		v.Length(sel.ContinuationToken, "startSelector.continuationToken", 1, 128)
		v.Match(sel.ContinuationToken, "startSelector.continuationToken", reToken, `^[a-zA-Z0-9_\.\-]+$`)
	}
	if err := validation(&v); err != nil {
		return err
	}
	switch *sel.StartSelectorType {
	case selFragment:
		if sel.AfterFragmentNumber == nil {
			return ErrInvalidArgument.New("AfterFragmentNumber is required when StartSelectorType is FRAGMENT_NUMBER.")
		}
	case selProducerTime, selServerTime:
		if sel.StartTimestamp == nil {
			return ErrInvalidArgument.New("StartTimestamp is required when StartSelectorType is %s.", *sel.StartSelectorType)
		}
	case selContinuation:
		if sel.ContinuationToken == nil {
			return ErrInvalidArgument.New("ContinuationToken is required when StartSelectorType is CONTINUATION_TOKEN.")
		}
	}
	return nil
}

// startSeq is where a GetMedia request starts: the seq of the first
// fragment to send.
func (s *Service) startSeq(ctx context.Context, id string, sel *startSelector) (uint64, error) {
	first, last, err := s.store.Bounds(ctx, id)
	if err != nil {
		return 0, err
	}
	switch *sel.StartSelectorType {
	case selEarliest:
		return max(first, 1), nil
	case selNow:
		return last + 1, nil
	case selFragment:
		seq, ok := videostore.ParseNumber(*sel.AfterFragmentNumber)
		if !ok {
			return 0, ErrInvalidArgument.New("Invalid fragment number %s.", *sel.AfterFragmentNumber)
		}
		return seq + 1, nil
	case selContinuation:
		seq, ok := videostore.ParseNumber(*sel.ContinuationToken)
		if !ok {
			return 0, ErrInvalidArgument.New("Invalid continuation token %s.", *sel.ContinuationToken)
		}
		return seq, nil
	case selProducerTime:
		return s.containing(ctx, id, first, videostore.ProducerTime, sel.StartTimestamp.Time)
	default: // selServerTime
		return s.containing(ctx, id, first, videostore.ServerTime, sel.StartTimestamp.Time)
	}
}

// containing is where GetMedia starts for a timestamp: "the chunk
// containing a fragment with the specified timestamp", that is the
// fragment that starts at or before t and lasts past it, else the first
// that starts after it.
func (s *Service) containing(ctx context.Context, id string, first uint64, kind videostore.TimestampKind, t time.Time) (uint64, error) {
	seq, err := s.store.Seek(ctx, id, kind, t)
	if err != nil || seq <= max(first, 1) {
		return seq, err
	}
	prev, err := s.store.At(ctx, id, seq-1)
	if errors.Is(err, videostore.ErrFragmentNotFound) {
		return seq, nil
	}
	if err != nil {
		return 0, err
	}
	start := prev.ServerTimestamp
	if kind == videostore.ProducerTime {
		start = prev.ProducerTimestamp
	}
	if !start.After(t) && start.Add(prev.Duration).After(t) {
		return seq - 1, nil
	}
	return seq, nil
}

// getMedia answers GetMedia: the stream's fragments from the start
// selector on, one MKV chunk each, following the stream live.
func (s *Service) getMedia(r *router.Request) *router.Response {
	var in getMediaInput
	ref, err := s.request(r.Ctx, r.Body, &in)
	if err != nil {
		return s.errorResponse(r.Path, err)
	}
	from, err := s.startSeq(r.Ctx, ref.ID, in.StartSelector)
	if err != nil {
		return s.errorResponse(r.Path, err)
	}
	return &router.Response{Status: 200, Header: map[string]string{"Content-Type": mediaContentType},
		Stream: func(ctx context.Context, w router.StreamWriter) {
			s.m.sessions.WithLabelValues("GetMedia").Inc()
			defer s.m.sessions.WithLabelValues("GetMedia").Dec()
			s.follow(ctx, w, ref, from)
		}}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// next is one result of Follower.Next.
type next struct {
	f   videostore.Fragment
	err error
}

// follow writes the fragments from seq from on as GetMedia chunks until the
// client goes away, the stream is deleted or the service closes; while
// caught up it writes a tags-only chunk with the continuation token every
// idleTags.
func (s *Service) follow(ctx context.Context, w router.StreamWriter, ref videostore.StreamRef, from uint64) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	fol, err := s.store.Follow(ctx, ref.ID, from)
	if err != nil {
		s.log.Warn("video: GetMedia follow", "stream", ref.Name, "err", err)
		return
	}
	nexts := make(chan next)
	fetched := make(chan struct{})
	go func() {
		defer close(fetched)
		for {
			f, err := fol.Next(ctx)
			select {
			case nexts <- next{f, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		cancel()
		<-fetched
		fol.Close()
	}()

	cw := &countWriter{w: w}
	mw := mkv.NewWriter(cw)
	idle := time.NewTimer(s.idleTags)
	defer idle.Stop()
	resume := from
	for {
		select {
		case n := <-nexts:
			if n.err != nil {
				if ctx.Err() == nil && !errors.Is(n.err, videostore.ErrDeleted) {
					s.log.Warn("video: GetMedia", "stream", ref.Name, "err", n.err)
				}
				return
			}
			cw.n = 0
			ok, err := s.writeChunk(ctx, mw, ref.ID, n.f, true)
			if err != nil {
				// Mostly a client that went away.
				s.log.Debug("video: GetMedia chunk", "stream", ref.Name, "fragment", n.f.Number, "err", err)
				return
			}
			if ok {
				if w.Flush() != nil {
					return
				}
				s.m.sent(ref.Name, cw.n)
			}
			resume = n.f.Seq + 1
			idle.Reset(s.idleTags)
		case <-idle.C:
			if err := mw.WriteTags([]mkv.SimpleTag{
				{Name: mkv.TagMillisBehindNow, Value: "0"},
				{Name: mkv.TagContinuationToken, Value: videostore.FormatNumber(resume)},
			}); err != nil || w.Flush() != nil {
				return
			}
			idle.Reset(s.idleTags)
		case <-ctx.Done():
			return
		}
	}
}

// The timestamp tags of GetMediaForFragmentList chunks, which AWS names
// differently from GetMedia's.
const (
	tagServerSideTimestamp   = "AWS_KINESISVIDEO_SERVER_SIDE_TIMESTAMP"
	tagProducerSideTimestamp = "AWS_KINESISVIDEO_PRODUCER_SIDE_TIMESTAMP"
)

// writeChunk writes fragment f as one chunk with its tags. live is GetMedia:
// its timestamp tag names, and the millis-behind-now and continuation-token
// tags after the cluster; otherwise GetMediaForFragmentList's tags. false:
// the fragment is gone (expired) and was skipped.
func (s *Service) writeChunk(ctx context.Context, mw *mkv.Writer, id string, f videostore.Fragment, live bool) (bool, error) {
	h, c, err := s.store.Read(ctx, id, f)
	if errors.Is(err, videostore.ErrFragmentNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	server, producer := mkv.TagServerTimestamp, mkv.TagProducerTimestamp
	if !live {
		server, producer = tagServerSideTimestamp, tagProducerSideTimestamp
	}
	before := []mkv.SimpleTag{
		{Name: mkv.TagFragmentNumber, Value: f.Number},
		{Name: server, Value: formatSeconds(f.ServerTimestamp)},
		{Name: producer, Value: formatSeconds(f.ProducerTimestamp)},
	}
	var after []mkv.SimpleTag
	if live {
		after = []mkv.SimpleTag{
			{Name: mkv.TagMillisBehindNow, Value: strconv.FormatInt(max(time.Since(f.ServerTimestamp).Milliseconds(), 0), 10)},
			{Name: mkv.TagContinuationToken, Value: videostore.FormatNumber(f.Seq + 1)},
		}
	}
	return true, mw.WriteChunk(h, before, c, after)
}

// countWriter counts the bytes written.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type listFragmentsInput struct {
	streamID
	MaxResults       *int64
	NextToken        *string
	FragmentSelector *struct {
		FragmentSelectorType *string
		TimestampRange       *struct {
			StartTimestamp, EndTimestamp *epoch
		}
	}
}

func (in *listFragmentsInput) check() error {
	var v awserr.Violations
	v.Range(in.MaxResults, "maxResults", 1, 1000)
	v.Length(in.NextToken, "nextToken", 1, 4096)
	v.Match(in.NextToken, "nextToken", reListToken, "[a-zA-Z0-9+/]+={0,2}")
	if fs := in.FragmentSelector; fs != nil {
		if v.Required(fs.FragmentSelectorType != nil, "fragmentSelector.fragmentSelectorType") {
			v.OneOf(fs.FragmentSelectorType, "fragmentSelector.fragmentSelectorType", "PRODUCER_TIMESTAMP", "SERVER_TIMESTAMP")
		}
		if v.Required(fs.TimestampRange != nil, "fragmentSelector.timestampRange") {
			v.Required(fs.TimestampRange.StartTimestamp != nil, "fragmentSelector.timestampRange.startTimestamp")
			v.Required(fs.TimestampRange.EndTimestamp != nil, "fragmentSelector.timestampRange.endTimestamp")
		}
	}
	if err := validation(&v); err != nil {
		return err
	}
	if fs := in.FragmentSelector; fs != nil && fs.TimestampRange.EndTimestamp.Before(fs.TimestampRange.StartTimestamp.Time) {
		return ErrInvalidArgument.New("The EndTimestamp must be later than the StartTimestamp.")
	}
	return nil
}

// fragmentOut is AWS's Fragment.
type fragmentOut struct {
	FragmentNumber               string
	FragmentSizeInBytes          int64
	ProducerTimestamp            epoch
	ServerTimestamp              epoch
	FragmentLengthInMilliseconds int64
}

func (s *Service) listFragments(ctx context.Context, body []byte) (any, error) {
	var in listFragmentsInput
	ref, err := s.request(ctx, body, &in)
	if err != nil {
		return nil, err
	}
	limit := 1000
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	first, _, err := s.store.Bounds(ctx, ref.ID)
	if err != nil {
		return nil, err
	}
	from := max(first, 1)
	var kind videostore.TimestampKind
	var lo, hi time.Time
	fs := in.FragmentSelector
	if fs != nil {
		lo, hi = fs.TimestampRange.StartTimestamp.Time, fs.TimestampRange.EndTimestamp.Time
		kind = videostore.ServerTime
		if *fs.FragmentSelectorType == "PRODUCER_TIMESTAMP" {
			kind = videostore.ProducerTime
		}
	}
	switch {
	case in.NextToken != nil:
		b, err := base64.StdEncoding.DecodeString(*in.NextToken)
		seq, perr := strconv.ParseUint(strings.TrimPrefix(string(b), "s:"), 10, 64)
		if err != nil || perr != nil || !strings.HasPrefix(string(b), "s:") {
			return nil, ErrInvalidArgument.New("Invalid NextToken.")
		}
		from = max(seq, from)
	case fs != nil:
		if from, err = s.store.Seek(ctx, ref.ID, kind, lo); err != nil {
			return nil, err
		}
	}
	frags := []fragmentOut{}
	nextSeq := uint64(0)
	err = s.store.Scan(ctx, ref.ID, from, func(f videostore.Fragment) bool {
		if fs != nil {
			t := f.ServerTimestamp
			if kind == videostore.ProducerTime {
				t = f.ProducerTimestamp
			}
			if t.After(hi) {
				// Server timestamps only grow; producer ones may
				// restart with a new session, so keep looking.
				return kind == videostore.ProducerTime
			}
			if t.Before(lo) {
				return true
			}
		}
		if len(frags) == limit {
			nextSeq = f.Seq
			return false
		}
		frags = append(frags, fragmentOut{FragmentNumber: f.Number, FragmentSizeInBytes: f.Size,
			ProducerTimestamp: epoch{f.ProducerTimestamp}, ServerTimestamp: epoch{f.ServerTimestamp},
			FragmentLengthInMilliseconds: f.Duration.Milliseconds()})
		return true
	})
	if err != nil {
		return nil, err
	}
	out := map[string]any{"Fragments": frags}
	if nextSeq != 0 {
		out["NextToken"] = base64.StdEncoding.EncodeToString([]byte("s:" + strconv.FormatUint(nextSeq, 10)))
	}
	return out, nil
}

type fragmentListInput struct {
	streamID
	Fragments []string
}

func (in *fragmentListInput) check() error {
	var v awserr.Violations
	if v.Required(in.Fragments != nil, "fragments") {
		if len(in.Fragments) < 1 || len(in.Fragments) > 1000 {
			v.Add(awserr.ListValue(in.Fragments), "fragments", "Member must have length between 1 and 1000")
		}
		for i := range in.Fragments {
			v.Length(&in.Fragments[i], "fragments", 1, 128)
			v.Match(&in.Fragments[i], "fragments", reFragmentNumber, "^[0-9]+$")
		}
	}
	return validation(&v)
}

// getMediaForFragmentList answers the fragments asked for, in that order,
// as MKV chunks with their tags; a fragment not stored fails the request.
func (s *Service) getMediaForFragmentList(r *router.Request) *router.Response {
	var in fragmentListInput
	ref, err := s.request(r.Ctx, r.Body, &in)
	if err != nil {
		return s.errorResponse(r.Path, err)
	}
	frags := make([]videostore.Fragment, len(in.Fragments))
	for i, n := range in.Fragments {
		f, err := s.store.Get(r.Ctx, ref.ID, n)
		if errors.Is(err, videostore.ErrFragmentNotFound) {
			return s.errorResponse(r.Path, ErrResourceNotFound.New("Fragment %s not found in stream %s.", n, ref.Name))
		}
		if err != nil {
			return s.errorResponse(r.Path, err)
		}
		frags[i] = f
	}
	return &router.Response{Status: 200, Header: map[string]string{"Content-Type": mediaContentType},
		Stream: func(ctx context.Context, w router.StreamWriter) {
			cw := &countWriter{w: w}
			mw := mkv.NewWriter(cw)
			for _, f := range frags {
				cw.n = 0
				ok, err := s.writeChunk(ctx, mw, ref.ID, f, false)
				if err != nil {
					s.log.Debug("video: GetMediaForFragmentList chunk", "stream", ref.Name, "fragment", f.Number, "err", err)
					return
				}
				if !ok {
					continue
				}
				if w.Flush() != nil {
					return
				}
				s.m.sent(ref.Name, cw.n)
			}
		}}
}

package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/router/videostore"
	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/triggers/mappings"
	"github.com/kinesin/kinesin/triggers/reader"
)

// A video stream mapping reads the stream as a single "shard" (index 0 of
// its checkpoint and lease): fragments are in one order, so one worker in
// the whole cluster follows them. Its checkpoint position's Msg is the
// seq (videostore.Fragment.Seq) of the next fragment to read.
const videoShard = 0

// Fragment event names.
const (
	videoEventName    = "kinesisvideo:Fragment"
	videoEventVersion = "1.0"
)

// videoRecord is one record of a fragment event.
type videoRecord struct {
	EventSource    string        `json:"eventSource"`
	EventSourceARN string        `json:"eventSourceARN"`
	EventName      string        `json:"eventName"`
	EventVersion   string        `json:"eventVersion"`
	AWSRegion      string        `json:"awsRegion"`
	EventID        string        `json:"eventID"`
	KinesisVideo   videoFragment `json:"kinesisVideo"`
}

// videoFragment is a fragment's metadata, with the endpoint its media is
// fetched from (POST {dataEndpoint}/getMediaForFragmentList).
type videoFragment struct {
	StreamName                   string  `json:"streamName"`
	FragmentNumber               string  `json:"fragmentNumber"`
	ProducerTimestamp            float64 `json:"producerTimestamp"` // epoch seconds
	ServerTimestamp              float64 `json:"serverTimestamp"`
	FragmentLengthInMilliseconds int64   `json:"fragmentLengthInMilliseconds"`
	FragmentSizeInBytes          int64   `json:"fragmentSizeInBytes"`
	DataEndpoint                 string  `json:"dataEndpoint"`
}

// videoBatchInfo describes the fragments of a batch given up on, in the
// on-failure record (as KinesisBatchInfo does for a Kinesis batch).
type videoBatchInfo struct {
	StreamArn                      string `json:"streamArn"`
	StreamName                     string `json:"streamName"`
	StartFragmentNumber            string `json:"startFragmentNumber"`
	EndFragmentNumber              string `json:"endFragmentNumber"`
	ServerTimestampOfFirstFragment string `json:"serverTimestampOfFirstFragment"`
	ServerTimestampOfLastFragment  string `json:"serverTimestampOfLastFragment"`
	BatchSize                      int    `json:"batchSize"`
}

func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// videoStream is a Kinesis Video stream as a mapping's source.
type videoStream struct {
	r   *Runner
	ref videostore.StreamRef
}

var _ source = (*videoStream)(nil)

func (v *videoStream) name() string     { return v.ref.Name }
func (v *videoStream) arn() string      { return v.ref.ARN }
func (v *videoStream) shardID() string  { return v.ref.Name }
func (v *videoStream) streamID() string { return v.ref.ID }

// retention: a stream with no retention keeps fragments in AWS's host
// buffer only.
func (v *videoStream) retention() time.Duration {
	if v.ref.Retention <= 0 {
		return videostore.HostBufferAge
	}
	return v.ref.Retention
}

func (v *videoStream) gone(err error) bool {
	return errors.Is(err, videostore.ErrDeleted) || errors.Is(err, videostore.ErrStreamNotFound)
}

// followed is one result of Follower.Next.
type followed struct {
	f   videostore.Fragment
	err error
}

// read follows the stream's fragments from the checkpoint (the oldest
// stored when there is none, or when retention removed the checkpointed
// one) and hands them to the worker in batches of up to BatchSize,
// gathered for up to MaximumBatchingWindowInSeconds (0: as soon as no
// more are waiting). A video stream never ends.
func (v *videoStream) read(ctx context.Context, w *worker) (bool, error) {
	store, id := v.r.cfg.Video, v.ref.ID
	first, _, err := store.Bounds(ctx, id)
	if err != nil {
		return false, fmt.Errorf("runner: video stream %s: %w", v.ref.Name, err)
	}
	from := w.cp.Position.Msg
	if from == 0 {
		from = max(first, 1)
	}
	if from < first {
		v.r.log.Warn("runner: fragments expired before they were handled", append(w.log(), "from", from, "oldest", first)...)
		from = first
	}
	fl, err := store.Follow(ctx, id, from)
	if err != nil {
		return false, fmt.Errorf("runner: follow video stream %s: %w", v.ref.Name, err)
	}
	// Next blocks; a pump feeds it to the batching loop, which also waits
	// for the batching window.
	pctx, cancel := context.WithCancel(ctx)
	items := make(chan followed)
	pumped := make(chan struct{})
	go func() {
		defer close(pumped)
		for {
			f, err := fl.Next(pctx)
			select {
			case items <- followed{f, err}:
			case <-pctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		cancel()
		<-pumped
		fl.Close()
	}()

	size := max(w.m.BatchSize, 1)
	window := time.Duration(w.m.MaximumBatchingWindowInSeconds) * time.Second
	var (
		batch    []videostore.Fragment
		deadline time.Time
		timer    *time.Timer
		expire   <-chan time.Time
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	known := uint64(0) // the last seq known to be stored
	for {
		var it followed
		got := false
		wait := true // block for the next fragment
		if len(batch) > 0 {
			// More fragments already stored come at once: wait for them.
			// Caught up, deliver, or wait for the batching window.
			if seq := batch[len(batch)-1].Seq; seq >= known {
				if _, last, err := store.Bounds(ctx, id); err == nil {
					known = last
				}
			}
			if batch[len(batch)-1].Seq >= known {
				wait = false
				if window > 0 && time.Now().Before(deadline) {
					select {
					case it = <-items:
						got = true
					case <-expire:
					case <-ctx.Done():
						return false, ctx.Err()
					}
				}
			}
		}
		if wait {
			select {
			case it = <-items:
				got = true
			case <-ctx.Done():
				return false, ctx.Err()
			}
		}
		if got {
			if it.err != nil {
				if ctx.Err() != nil {
					return false, ctx.Err()
				}
				return false, fmt.Errorf("runner: follow video stream %s: %w", v.ref.Name, it.err)
			}
			if len(batch) == 0 {
				deadline = time.Now().Add(window)
				if window > 0 {
					if timer == nil {
						timer = time.NewTimer(window)
					} else {
						timer.Reset(window)
					}
					expire = timer.C
				}
			}
			batch = append(batch, it.f)
			if len(batch) < size {
				continue
			}
		}
		if err := v.deliver(w, batch); err != nil {
			return false, err
		}
		batch = nil
		if timer != nil && !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// deliver runs fragments through the worker and checkpoints after them.
func (v *videoStream) deliver(w *worker, batch []videostore.Fragment) error {
	endpoint := ""
	if v.r.cfg.DataEndpoint != nil {
		endpoint = v.r.cfg.DataEndpoint()
	}
	recs := make([]engine.Record, len(batch))
	for i, f := range batch {
		recs[i] = v.record(f, endpoint)
	}
	last := batch[len(batch)-1]
	return w.handle(recs, shardstore.Position{Msg: last.Seq + 1}, last.Number, last.ServerTimestamp)
}

// record is a fragment as a function's record: its sequence number is the
// fragment number (the itemIdentifier of a partial batch response), its
// data the event record (what filters apply to).
func (v *videoStream) record(f videostore.Fragment, endpoint string) engine.Record {
	data, _ := json.Marshal(&videoRecord{ // plain strings and numbers: cannot fail
		EventSource: mappings.VideoEventSource, EventSourceARN: v.ref.ARN,
		EventName: videoEventName, EventVersion: videoEventVersion,
		AWSRegion: v.r.cfg.Region, EventID: f.Number,
		KinesisVideo: videoFragment{
			StreamName: v.ref.Name, FragmentNumber: f.Number,
			ProducerTimestamp: epochSeconds(f.ProducerTimestamp), ServerTimestamp: epochSeconds(f.ServerTimestamp),
			FragmentLengthInMilliseconds: f.Duration.Milliseconds(), FragmentSizeInBytes: f.Size,
			DataEndpoint: endpoint,
		},
	})
	return engine.Record{SequenceNumber: f.Number, ArrivalTime: f.ServerTimestamp, Data: data}
}

// videoEvent is the event of a batch: {"Records":[…]}.
func videoEvent(recs []engine.Record) []byte {
	n := len(`{"Records":[]}`)
	for i := range recs {
		n += len(recs[i].Data) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"Records":[`...)
	for i := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, recs[i].Data...)
	}
	return append(b, "]}"...)
}

func (v *videoStream) call(ctx context.Context, w *worker, b engine.Batch) (engine.BatchResult, string, error) {
	version := w.m.Qualifier
	if version == "" {
		version = "$LATEST"
	}
	resp, functionError, err := w.r.cfg.Functions.Invoke(ctx, w.m.FunctionName, w.m.Qualifier, videoEvent(b.Records))
	if err != nil {
		return engine.BatchResult{}, version, err
	}
	var res engine.BatchResult
	if functionError != "" {
		res.FunctionError = functionError
		var doc struct {
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(resp, &doc)
		res.ErrorMessage = doc.ErrorMessage
		return res, version, nil
	}
	res.Failed = batchItemFailures(b.Records, resp)
	return res, version, nil
}

// batchItemFailures reads a partial batch response as Lambda does: an
// item identifier that is empty or not in the batch fails the whole batch
// (the first record is reported); a response that is not such a document
// is a success.
func batchItemFailures(recs []engine.Record, resp []byte) []string {
	var doc struct {
		BatchItemFailures []struct {
			ItemIdentifier string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if len(bytes.TrimSpace(resp)) == 0 || json.Unmarshal(resp, &doc) != nil || len(doc.BatchItemFailures) == 0 {
		return nil
	}
	in := make(map[string]bool, len(recs))
	for i := range recs {
		in[recs[i].SequenceNumber] = true
	}
	var failed []string
	for _, f := range doc.BatchItemFailures {
		if !in[f.ItemIdentifier] {
			return []string{recs[0].SequenceNumber}
		}
		failed = append(failed, f.ItemIdentifier)
	}
	return failed
}

func (v *videoStream) batchInfo(rec *onFailureRecord, recs []engine.Record) {
	first, last := recs[0], recs[len(recs)-1]
	rec.KinesisVideoBatchInfo = &videoBatchInfo{
		StreamArn: v.ref.ARN, StreamName: v.ref.Name,
		StartFragmentNumber: first.SequenceNumber, EndFragmentNumber: last.SequenceNumber,
		ServerTimestampOfFirstFragment: isoMillis(first.ArrivalTime), ServerTimestampOfLastFragment: isoMillis(last.ArrivalTime),
		BatchSize: len(recs),
	}
}

// resolveVideo finds a mapping's video stream; ok is false when it is not
// there (unknown, deleted, being deleted, or no video store configured).
func (r *Runner) resolveVideo(ctx context.Context, m *mappings.Mapping) (ref videostore.StreamRef, ok bool, err error) {
	if r.cfg.Video == nil || r.cfg.VideoStreams == nil {
		return ref, false, nil
	}
	ref, err = r.cfg.VideoStreams.Resolve(ctx, "", m.EventSourceArn)
	if err != nil {
		if ae := awserr.As(err); (ae != nil && ae.Code == "ResourceNotFoundException") || errors.Is(err, videostore.ErrStreamNotFound) {
			return ref, false, nil
		}
		return ref, false, fmt.Errorf("runner: resolve %s: %w", m.EventSourceArn, err)
	}
	if ref.Status == "DELETING" {
		return ref, false, nil
	}
	return ref, true, nil
}

func (r *Runner) videoPlan(m *mappings.Mapping) (plan, bool, error) {
	ref, ok, err := r.resolveVideo(r.ctx, m)
	if !ok || err != nil {
		return plan{}, ok, err
	}
	return plan{
		streamID: ref.ID, shards: []int{videoShard},
		source: func(int) source { return &videoStream{r: r, ref: ref} },
	}, true, nil
}

// prepareVideo writes the starting checkpoint of a LATEST or AT_TIMESTAMP
// mapping of a video stream: after the last fragment stored now, or at the
// first fragment whose server timestamp is at or after the timestamp.
func (r *Runner) prepareVideo(ctx context.Context, m *mappings.Mapping) error {
	ref, ok, err := r.resolveVideo(ctx, m)
	if err != nil {
		return err
	}
	if !ok {
		return awserr.Kind{Code: "InvalidParameterValueException", Status: 400}.New("Stream not found: %s", m.EventSourceArn)
	}
	var seq uint64
	if m.StartingPosition == mappings.AtTimestamp {
		seq, err = r.cfg.Video.Seek(ctx, ref.ID, videostore.ServerTime, m.StartTime())
	} else {
		var last uint64
		_, last, err = r.cfg.Video.Bounds(ctx, ref.ID)
		seq = last + 1
	}
	if err != nil {
		return fmt.Errorf("runner: starting position in %s: %w", ref.Name, err)
	}
	cp := reader.Checkpoint{Position: shardstore.Position{Msg: seq}, StreamID: ref.ID}
	if _, err := r.cfg.Checkpoints.Save(ctx, m.UUID, videoShard, cp); err != nil {
		return fmt.Errorf("runner: starting checkpoint: %w", err)
	}
	return nil
}

// videoShards reports a video stream mapping's one "shard".
func (r *Runner) videoShards(ctx context.Context, m *mappings.Mapping) ([]mappings.ShardStatus, error) {
	ref, ok, err := r.resolveVideo(ctx, m)
	if !ok || err != nil {
		return nil, err
	}
	cps, err := r.cfg.Checkpoints.All(ctx, m.UUID)
	if err != nil {
		return nil, err
	}
	snap, err := r.cfg.Leases.Snapshot(ctx, m.UUID+".")
	if err != nil {
		return nil, err
	}
	cp := cps[videoShard]
	s := mappings.ShardStatus{
		ShardID: ref.Name, Checkpoint: cp.Last, Owner: snap.Holders[leaseKey(m.UUID, videoShard)], Stats: cp.Stats,
	}
	if cp.StreamID == "" || cp.StreamID == ref.ID {
		first, last, err := r.cfg.Video.Bounds(ctx, ref.ID)
		if next := max(cp.Position.Msg, first); err == nil && next > 0 && next <= last {
			if f, err := r.cfg.Video.At(ctx, ref.ID, next); err == nil {
				s.IteratorAgeMilliseconds = time.Since(f.ServerTimestamp).Milliseconds()
			}
		}
	}
	return []mappings.ShardStatus{s}, nil
}

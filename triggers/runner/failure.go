package runner

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/triggers/mappings"
	"github.com/kinesin/kinesin/triggers/reader"
)

// onFailureRecord is the document Lambda sends to an on-failure
// destination for a Kinesis batch it gave up on (kinesin's video sources
// describe their batch in KinesisVideoBatchInfo instead).
type onFailureRecord struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError"`
	} `json:"responseContext"`
	Version   string `json:"version"`
	Timestamp string `json:"timestamp"`
	// One of these describes the batch, by source.
	KinesisBatchInfo      *batchInfo      `json:"KinesisBatchInfo,omitempty"`
	KinesisVideoBatchInfo *videoBatchInfo `json:"KinesisVideoBatchInfo,omitempty"`
}

type batchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamArn                       string `json:"streamArn"`
}

func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// giveUp drops records that used up their retries or their age: they are
// counted, and described to the on-failure destination if there is one.
// Delivery to the destination is retried until it succeeds or the worker
// stops (then the batch is not checkpointed and comes again).
func (w *worker) giveUp(a attempt, condition string) error {
	if len(a.recs) == 0 {
		w.r.log.Warn("runner: final window call given up", append(w.log(), "condition", condition)...)
		return nil
	}
	w.r.log.Warn("runner: records given up", append(w.log(), "condition", condition, "records", len(a.recs),
		"first", a.recs[0].SequenceNumber, "invocations", a.invokes)...)
	dest := w.m.OnFailure()
	if dest != "" {
		body, err := json.Marshal(w.failureRecord(a, condition))
		if err != nil {
			return fmt.Errorf("runner: encode on-failure record: %w", err)
		}
		for backoff := 100 * time.Millisecond; ; backoff = min(2*backoff, 5*time.Second) {
			_, _, err := w.r.cfg.Destinations.PutRecord(w.runCtx, dest, w.id, body)
			if err == nil {
				break
			}
			w.r.log.Warn("runner: on-failure destination refused the record", append(w.log(), "destination", dest, "err", err)...)
			w.r.report(w.m.UUID, mappings.ResultDestination)
			if !clock.Sleep(w.readCtx, backoff) {
				return errStopped
			}
		}
		w.count(reader.Stats{OnFailure: 1})
		w.r.cfg.Metrics.onFailure(w.m.UUID)
	}
	w.count(reader.Stats{Dropped: int64(len(a.recs))})
	w.r.cfg.Metrics.dropped(w.m.UUID, len(a.recs))
	return nil
}

func (w *worker) failureRecord(a attempt, condition string) *onFailureRecord {
	var rec onFailureRecord
	rec.RequestContext.RequestID = uuid.New()
	rec.RequestContext.FunctionArn = w.m.FunctionArn
	rec.RequestContext.Condition = condition
	rec.RequestContext.ApproximateInvokeCount = a.invokes
	rec.ResponseContext.StatusCode = 200
	w.mu.Lock()
	rec.ResponseContext.ExecutedVersion = w.version
	w.mu.Unlock()
	if rec.ResponseContext.ExecutedVersion == "" {
		rec.ResponseContext.ExecutedVersion = "$LATEST"
	}
	if a.last != nil {
		rec.ResponseContext.FunctionError = a.last.FunctionError
	}
	rec.Version = "1.0"
	rec.Timestamp = isoMillis(time.Now())
	w.src.batchInfo(&rec, a.recs)
	return &rec
}

package runner

import (
	"errors"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/triggers/mappings"
	"github.com/kinesin/kinesin/triggers/reader"
)

// Give-up conditions of an on-failure record.
const (
	condRetries = "RetryAttemptsExhausted"
	condAge     = "RecordAgeExceeded"
)

// windowCall is the tumbling-window context of calls: the window, the
// state going in (updated by each successful call) and the flags of a
// final call.
type windowCall struct {
	window engine.Window
	state  []byte
	final  bool
	early  bool
}

// attempt is a slice of a batch still to deliver, with the retries it has
// used and the invocations its records went through.
type attempt struct {
	recs    []engine.Record
	retries int
	invokes int
	last    *engine.BatchResult // the last failed result, for the on-failure record
}

// process runs recs through the function until each record succeeded or
// was given up on (sent to the on-failure destination). It returns an
// error only when the worker must stop; the records are then not
// checkpointed.
func (w *worker) process(recs []engine.Record, win *windowCall) error {
	todo := []attempt{{recs: recs}}
	backoff := 25 * time.Millisecond
	for len(todo) > 0 {
		a := todo[0]
		todo = todo[1:]
		if kept, expired := w.expire(a.recs); len(expired) > 0 {
			if err := w.giveUp(attempt{recs: expired, invokes: a.invokes, last: a.last}, condAge); err != nil {
				return err
			}
			if a.recs = kept; len(kept) == 0 && (win == nil || !win.final) {
				continue
			}
		}
		res, err := w.invoke(a.recs, a.invokes+1, win)
		if err != nil {
			// Throttles and platform errors: the batch never reached
			// the function, so retries are not used up.
			if errors.Is(err, errStopped) {
				return err
			}
			if !clock.Sleep(w.readCtx, backoff) {
				return errStopped
			}
			backoff = min(2*backoff, 5*time.Second)
			todo = append([]attempt{a}, todo...)
			continue
		}
		a.invokes++
		failedAt := -1
		switch {
		case res.FunctionError != "":
			failedAt = 0
		case w.m.ReportsBatchItemFailures() && len(res.Failed) > 0:
			failedAt = lowestFailure(a.recs, &res)
		}
		if failedAt < 0 {
			w.count(reader.Stats{Records: int64(len(a.recs))})
			w.r.cfg.Metrics.processed(w.m.UUID, len(a.recs))
			if win != nil && !win.final {
				win.state = res.State
			}
			w.r.report(w.m.UUID, mappings.ResultOK)
			backoff = 25 * time.Millisecond
			continue
		}
		w.count(reader.Stats{Errors: 1})
		w.r.cfg.Metrics.errored(w.m.UUID)
		w.r.report(w.m.UUID, mappings.ResultFunctionError)
		if failedAt > 0 {
			// Partial success: the records before the lowest reported
			// failure are done.
			w.count(reader.Stats{Records: int64(failedAt)})
			w.r.cfg.Metrics.processed(w.m.UUID, failedAt)
			if win != nil && !win.final {
				win.state = res.State
			}
			a.recs = a.recs[failedAt:]
		}
		a.last = &res
		if res.FunctionError != "" && w.m.BisectBatchOnFunctionError && len(a.recs) > 1 {
			// Halve and retry each half; halving uses up no retries.
			half := len(a.recs) / 2
			todo = append([]attempt{
				{recs: a.recs[:half], retries: a.retries, invokes: a.invokes, last: a.last},
				{recs: a.recs[half:], retries: a.retries, invokes: a.invokes, last: a.last},
			}, todo...)
			continue
		}
		a.retries++
		if w.m.MaximumRetryAttempts >= 0 && a.retries > w.m.MaximumRetryAttempts {
			if err := w.giveUp(a, condRetries); err != nil {
				return err
			}
			continue
		}
		w.count(reader.Stats{Retried: int64(len(a.recs))})
		w.r.cfg.Metrics.retried(w.m.UUID, len(a.recs))
		if !clock.Sleep(w.readCtx, backoff) {
			return errStopped
		}
		backoff = min(2*backoff, 5*time.Second)
		todo = append([]attempt{a}, todo...)
	}
	return nil
}

// lowestFailure is the index of the lowest sequence number a partial batch
// response reported (the engines turn a malformed response into a failure
// of the first record).
func lowestFailure(recs []engine.Record, res *engine.BatchResult) int {
	failed := make(map[string]bool, len(res.Failed))
	for _, s := range res.Failed {
		failed[s] = true
	}
	for i := range recs {
		if failed[recs[i].SequenceNumber] {
			return i
		}
	}
	return 0
}

// expire splits off the records older than MaximumRecordAgeInSeconds or
// the stream's retention (records are in arrival order, so they are a
// prefix).
func (w *worker) expire(recs []engine.Record) (kept, expired []engine.Record) {
	limit := w.src.retention()
	if age := w.m.MaximumRecordAgeInSeconds; age >= 0 {
		limit = min(limit, time.Duration(age)*w.r.cfg.TimeUnit)
	}
	now := time.Now()
	i := 0
	for i < len(recs) && now.Sub(recs[i].ArrivalTime) > limit {
		i++
	}
	return recs[i:], recs[:i]
}

// invoke makes one call of the function. Its error is errStopped, or a
// failure to reach the function (a throttle, a missing function, a
// platform error) that is counted, reported and retried by the caller.
func (w *worker) invoke(recs []engine.Record, attemptNo int, win *windowCall) (engine.BatchResult, error) {
	if w.readCtx.Err() != nil {
		return engine.BatchResult{}, errStopped
	}
	b := engine.Batch{
		Context: engine.BatchContext{ShardID: w.id, StreamARN: w.arn, Attempt: attemptNo},
		Records: recs,
	}
	if win != nil {
		b.Context.Window = &win.window
		b.Context.State = win.state
		b.Context.FinalInvokeForWindow, b.Context.WindowTerminatedEarly = win.final, win.early
	}
	res, version, err := w.src.call(w.runCtx, w, b)
	if err != nil {
		if w.runCtx.Err() != nil {
			return res, errStopped
		}
		var apiErr *awserr.Error
		if errors.As(err, &apiErr) {
			// The function is missing or not ready (Pending, Failed).
			if w.r.report(w.m.UUID, mappings.ResultFunctionNotFound) {
				w.r.log.Warn("runner: function unavailable, retrying", append(w.log(), "err", err)...)
			}
			return res, err
		}
		if errors.Is(err, engine.ErrNoCapacity) {
			w.count(reader.Stats{Throttles: 1})
			w.r.cfg.Metrics.throttled(w.m.UUID)
			w.r.report(w.m.UUID, mappings.ResultThrottled)
		} else {
			w.r.log.Warn("runner: invocation failed", append(w.log(), "err", err)...)
		}
		return res, err
	}
	w.count(reader.Stats{Invocations: 1})
	w.r.cfg.Metrics.invoked(w.m.UUID)
	w.mu.Lock()
	w.version = version
	w.mu.Unlock()
	if res.FunctionError != "" {
		w.r.log.Debug("runner: function error", append(w.log(), "attempt", attemptNo, "records", len(recs), "message", res.ErrorMessage)...)
	}
	return res, nil
}

package functions

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// validateTimeout bounds an engine's check of new code.
const validateTimeout = 2 * time.Minute

// settleLater validates a function's $LATEST in the background and moves
// it out of Pending / InProgress.
func (s *Service) settleLater(name string) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.settle(name)
	}()
}

// resume settles functions another process left in progress.
func (s *Service) resume() {
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	keys, err := s.st.keys(ctx, "f.")
	cancel()
	if err != nil {
		if s.ctx.Err() == nil {
			s.log.Warn("functions: resume", "err", err)
		}
		return
	}
	for _, k := range keys {
		s.settle(strings.TrimPrefix(k, "f."))
	}
}

func (s *Service) settle(name string) {
	ctx, cancel := context.WithTimeout(s.ctx, validateTimeout)
	defer cancel()
	rec, _, err := s.loadFunc(ctx, name)
	if err != nil || rec.Config.LastUpdateStatus != updInProgress {
		return
	}
	if s.engines[engineKind(rec.Config.Runtime)] == nil {
		return // another process, which runs this runtime, settles it
	}
	revision := rec.Config.RevisionId
	creating := rec.Config.State == statePending
	verr := s.validate(ctx, rec)
	if s.ctx.Err() != nil {
		return // shutting down: the next process resumes
	}
	apply := func(c *FunctionConfiguration) {
		c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = "", ""
		if verr == nil {
			c.State, c.StateReason, c.StateReasonCode = stateActive, "", ""
			c.LastUpdateStatus = updSuccessful
			return
		}
		c.LastUpdateStatus = updFailed
		c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = verr.Error(), "FunctionError"
		if creating {
			c.State, c.StateReason, c.StateReasonCode = stateFailed, verr.Error(), "FunctionError"
		}
	}
	if verr != nil {
		s.log.Info("functions: code rejected", "function", name, "err", verr)
	}
	var version int
	_, err = s.updateFunc(ctx, name, func(rec *funcRecord) error {
		if rec.Config.RevisionId != revision || rec.Config.LastUpdateStatus != updInProgress {
			return errUnchanged // changed again meanwhile: that change settles itself
		}
		apply(&rec.Config)
		version = rec.LastVersion
		return nil
	})
	if err != nil {
		return
	}
	if version == 0 {
		return
	}
	// A version published with this revision (Publish on create or on
	// UpdateFunctionCode) shares its state.
	key := versionKey(name, strconv.Itoa(version))
	for range 5 {
		var cfg FunctionConfiguration
		rev, err := s.st.get(ctx, key, &cfg)
		if err != nil || rev == 0 || cfg.RevisionId != revision || cfg.LastUpdateStatus != updInProgress {
			return
		}
		apply(&cfg)
		if _, err := s.st.put(ctx, key, &cfg, rev); err != errConflict {
			return
		}
	}
}

// validate asks the function's engine whether its code can run.
func (s *Service) validate(ctx context.Context, rec *funcRecord) error {
	if err := s.checkRuntime(rec.Config.Runtime); err != nil {
		return err
	}
	fn, eng, err := s.function(ctx, &rec.Config, rec)
	if err != nil {
		return err
	}
	return eng.Validate(ctx, fn)
}

package sdk

import (
	"context"
	"encoding/json"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/runtime/wasm/abi"
)

// server answers kinesin_invoke calls; the wasip1 build holds one.
type server struct {
	h     *handler
	eb    engine.Batch
	batch Batch
}

// serve runs one call of the given kind on in and appends the framed
// output (status byte, payload) to dst. A panic in the handler becomes an
// error output.
func (s *server) serve(dst []byte, kind int32, in []byte) (out []byte) {
	start := len(dst)
	defer func() {
		if v := recover(); v != nil {
			out = appendError(dst[:start], v)
		}
	}()
	if s.h == nil {
		return appendError(dst, "sdk: no handler; call sdk.Start from an init function")
	}
	switch kind {
	case abi.KindJSON:
		payload, err := s.h.json(context.Background(), in)
		if err != nil {
			return appendError(dst, err)
		}
		return append(append(dst, abi.StatusOK), payload...)
	case abi.KindBatch:
		b := &s.batch
		if err := abi.DecodeEnvelope(in, &s.eb); err != nil {
			return appendError(dst, err)
		}
		b.Context, b.Records = s.eb.Context, s.eb.Records
		b.reset()
		ctx := context.Background()
		if d := b.Context.Deadline; !d.IsZero() {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, d.Add(-time.Millisecond))
			defer cancel()
		}
		if err := s.h.runBatch(ctx, b); err != nil {
			return appendError(dst, err)
		}
		dst = append(dst, abi.StatusOK)
		return abi.AppendResult(dst, b.Results, b.Failed, b.State)
	}
	return appendError(dst, "sdk: unknown input kind")
}

func appendError(dst []byte, v any) []byte {
	body, _ := json.Marshal(newErrorBody(v))
	return append(append(dst, abi.StatusError), body...)
}

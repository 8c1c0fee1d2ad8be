package mappings

import "context"

// Runner is what the API needs from the process that runs mappings
// (implemented by triggers/runner).
type Runner interface {
	// Prepare is called by CreateEventSourceMapping before the mapping is
	// stored: it validates what only the runner can (the filters compile,
	// the function resolves) and writes the starting checkpoints of
	// LATEST and AT_TIMESTAMP mappings, so that records put after the
	// call returns are not missed however late a shard reader starts. An
	// error it returns that is an *awserr.Error is answered as is.
	Prepare(ctx context.Context, m *Mapping) error
	// Shards reports each shard's checkpoint, owner and lag.
	Shards(ctx context.Context, m *Mapping) ([]ShardStatus, error)
}

package kinesis

import (
	"sync"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/shardstore"
)

// Provisioned shard limits, as AWS documents them.
const (
	shardWriteRecords = 1000
	shardWriteBytes   = 1 << 20
	shardReadCalls    = 5
)

// limiter emulates provisioned shards' throughput limits with one-second
// windows per shard. It always counts what AWS would throttle (the
// *ProvisionedThroughputExceeded metrics), and refuses it when enforcing.
// Windows are per process: several kinesin processes on one NATS each
// allow a shard's full rate.
type limiter struct {
	enforce bool
	mu      sync.Mutex
	shards  map[string]*window
}

type window struct {
	second        int64
	records, size int
	reads         int
}

func newLimiter(enforce bool) *limiter {
	return &limiter{enforce: enforce, shards: map[string]*window{}}
}

func (l *limiter) window(stream string, shard int, now int64) *window {
	key := stream + "/" + shardstore.ShardID(shard)
	w, ok := l.shards[key]
	if !ok {
		w = &window{}
		l.shards[key] = w
	}
	if w.second != now {
		*w = window{second: now}
	}
	return w
}

// limitWrites applies the write limits to a request's records grouped by
// shard, marking the records over the limit as throttled when enforcing.
func (s *Service) limitWrites(st *shardstore.Stream, groups map[int][]int, entries []entry, results []putResult) {
	if st.Mode != shardstore.ModeProvisioned {
		return
	}
	l := s.limits
	now := time.Now().Unix()
	l.mu.Lock()
	defer l.mu.Unlock()
	for shard, idx := range groups {
		w := l.window(st.Name, shard, now)
		over := 0
		for _, i := range idx {
			n := len(entries[i].key) + len(entries[i].data)
			if w.records+1 > shardWriteRecords || w.size+n > shardWriteBytes {
				over++
				if l.enforce {
					results[i].err = awserr.ThroughputExceeded.New("Rate exceeded for shard %s in stream %s under account %s.", shardstore.ShardID(shard), st.Name, s.cfg.AccountID)
					continue
				}
			}
			w.records++
			w.size += n
		}
		if over > 0 {
			s.metrics.throttledWrites(st.Name, shard, over)
		}
	}
}

// limitRead applies the five-calls-per-second read limit of a shard.
func (s *Service) limitRead(st *shardstore.Stream, shard int) error {
	if st.Mode != shardstore.ModeProvisioned {
		return nil
	}
	l := s.limits
	l.mu.Lock()
	w := l.window(st.Name, shard, time.Now().Unix())
	w.reads++
	over := w.reads > shardReadCalls
	l.mu.Unlock()
	if !over {
		return nil
	}
	s.metrics.throttledRead(st.Name, shard)
	if l.enforce {
		return awserr.ThroughputExceeded.New("Rate exceeded for Shard - %s in stream %s under account %s.", shardstore.ShardID(shard), st.Name, s.cfg.AccountID)
	}
	return nil
}

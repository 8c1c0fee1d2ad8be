package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kinesin/kinesin/bench/internal/cpu"
)

// phase is the result of one measured step.
type phase struct {
	Name           string  `json:"name"`
	Seconds        float64 `json:"seconds"`
	Requests       int64   `json:"requests"`
	Records        int64   `json:"records"` // records written (acknowledged) or read
	Bytes          int64   `json:"bytes"`   // their data bytes
	FailedRecords  int64   `json:"failed_records"`
	FailedRequests int64   `json:"failed_requests"`
	Missing        int64   `json:"missing,omitempty"` // drain: acknowledged but not read back
	RecordsPerSec  float64 `json:"records_per_s"`
	MBPerSec       float64 `json:"mb_per_s"`
	P50Ms          float64 `json:"p50_ms,omitempty"`
	P99Ms          float64 `json:"p99_ms,omitempty"`
	// CPUShare is the CPU time the whole process (load generator and
	// in-process server) used, as a share of all cores over the phase; well
	// under 1 on a saturated run means something else took CPU from it.
	CPUShare   float64 `json:"cpu_share,omitempty"`
	FirstError string  `json:"first_error,omitempty"`
}

// finish computes the rates of a phase that started at start and had used
// cpu0 of process CPU time then.
func (p *phase) finish(start time.Time, cpu0 time.Duration) {
	elapsed := time.Since(start)
	p.Seconds = elapsed.Seconds()
	if cpu := cpu.Process() - cpu0; cpu > 0 {
		p.CPUShare = cpu.Seconds() / p.Seconds / float64(runtime.NumCPU())
	}
	if p.Seconds > 0 {
		p.RecordsPerSec = float64(p.Records) / p.Seconds
		p.MBPerSec = float64(p.Bytes) / 1e6 / p.Seconds
	}
}

func (p *phase) fail(err error) {
	if p.FirstError == "" {
		p.FirstError = err.Error()
	}
}

// newClient returns a Kinesis client for endpoint with connections for every
// writer and no retries, so that every failure is counted.
func newClient(endpoint string, writers int) *kinesis.Client {
	hc := awshttp.NewBuildableClient().
		WithTimeout(time.Minute).
		WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = 4 * writers
			t.MaxIdleConnsPerHost = 4 * writers
		})
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("kinesisload", "kinesisload", ""),
		HTTPClient:   hc,
		Retryer:      aws.NopRetryer{},
	})
}

// randomPool returns random bytes that records of size bytes are sliced
// from, so the writers spend no time generating data.
func randomPool(size int) []byte {
	b := make([]byte, max(4<<20, 2*size))
	rand.Read(b)
	return b
}

// ingest runs o.Writers goroutines that loop PutRecords until o.Duration has
// passed and returns the totals and the acknowledged records per shard.
func ingest(ctx context.Context, c *kinesis.Client, stream string, o options, pool []byte) (phase, map[string]int64) {
	var (
		mu        sync.Mutex
		total     phase
		latencies []time.Duration
		perShard  = map[string]int64{}
		wg        sync.WaitGroup
	)
	start, cpu0 := time.Now(), cpu.Process()
	end := start.Add(o.Duration)
	for w := range o.Writers {
		wg.Go(func() {
			var (
				p       phase
				lat     []time.Duration
				shards  = map[string]int64{}
				rng     = mrand.New(mrand.NewPCG(uint64(start.UnixNano()), uint64(w)))
				entries = make([]types.PutRecordsRequestEntry, o.Records)
			)
			for ctx.Err() == nil && time.Now().Before(end) {
				for i := range entries {
					off := rng.IntN(len(pool) - o.Size + 1)
					entries[i].Data = pool[off : off+o.Size]
					entries[i].PartitionKey = aws.String(strconv.FormatUint(rng.Uint64(), 36))
				}
				t0 := time.Now()
				out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: &stream, Records: entries})
				lat = append(lat, time.Since(t0))
				p.Requests++
				if err != nil {
					p.FailedRequests++
					p.FailedRecords += int64(len(entries))
					p.fail(err)
					continue
				}
				for _, r := range out.Records {
					if r.ErrorCode != nil {
						p.FailedRecords++
						p.fail(fmt.Errorf("%s: %s", *r.ErrorCode, aws.ToString(r.ErrorMessage)))
						continue
					}
					p.Records++
					shards[aws.ToString(r.ShardId)]++
				}
			}
			p.Bytes = p.Records * int64(o.Size)
			mu.Lock()
			defer mu.Unlock()
			total.Requests += p.Requests
			total.Records += p.Records
			total.Bytes += p.Bytes
			total.FailedRecords += p.FailedRecords
			total.FailedRequests += p.FailedRequests
			if total.FirstError == "" {
				total.FirstError = p.FirstError
			}
			latencies = append(latencies, lat...)
			for s, n := range shards {
				perShard[s] += n
			}
		})
	}
	wg.Wait()
	total.finish(start, cpu0)
	if len(latencies) > 0 {
		slices.Sort(latencies)
		pct := func(q float64) float64 {
			return float64(latencies[int(q*float64(len(latencies)-1))]) / 1e6
		}
		total.P50Ms, total.P99Ms = pct(0.50), pct(0.99)
	}
	return total, perShard
}

// drain reads every shard from TRIM_HORIZON, one reader per shard, until it
// has read the records acknowledged for that shard, and reports what is
// missing if a shard ends or stays empty first.
func drain(ctx context.Context, c *kinesis.Client, stream string, want map[string]int64) phase {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var (
		mu    sync.Mutex
		total = phase{Name: "drain"}
		wg    sync.WaitGroup
	)
	start, cpu0 := time.Now(), cpu.Process()
	for shard, n := range want {
		wg.Go(func() {
			p := readShard(ctx, c, stream, shard, n)
			mu.Lock()
			defer mu.Unlock()
			total.Requests += p.Requests
			total.Records += p.Records
			total.Bytes += p.Bytes
			total.FailedRequests += p.FailedRequests
			total.Missing += max(0, n-p.Records)
			if total.FirstError == "" {
				total.FirstError = p.FirstError
			}
		})
	}
	wg.Wait()
	total.finish(start, cpu0)
	return total
}

// maxEmptyReads is how many consecutive empty GetRecords answers at the tip of
// a shard (MillisBehindLatest 0) a reader accepts before it gives up.
const maxEmptyReads = 100

func readShard(ctx context.Context, c *kinesis.Client, stream, shard string, want int64) phase {
	var p phase
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: &stream, ShardId: &shard, ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		p.FailedRequests++
		p.fail(fmt.Errorf("GetShardIterator %s: %w", shard, err))
		return p
	}
	iter, empty := it.ShardIterator, 0
	for p.Records < want && iter != nil {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(10000)})
		p.Requests++
		if err != nil {
			p.FailedRequests++
			p.fail(fmt.Errorf("GetRecords %s: %w", shard, err))
			if ctx.Err() != nil || !errors.As(err, new(*types.ProvisionedThroughputExceededException)) {
				return p
			}
			continue
		}
		for _, r := range out.Records {
			p.Bytes += int64(len(r.Data))
		}
		p.Records += int64(len(out.Records))
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			if empty++; empty >= maxEmptyReads {
				p.fail(fmt.Errorf("shard %s: at the tip after %d of %d records", shard, p.Records, want))
				return p
			}
		} else {
			empty = 0
		}
		iter = out.NextShardIterator
	}
	return p
}

func deleteStream(c *kinesis.Client, stream string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: &stream, EnforceConsumerDeletion: aws.Bool(true)})
}

package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kinesin/kinesin/bench/internal/cpu"
)

// phase is the result of one measured step.
type phase struct {
	Name           string  `json:"name"`
	Seconds        float64 `json:"seconds"`
	Records        int64   `json:"records"` // acknowledged (puts) or processed (mappings)
	FailedRecords  int64   `json:"failed_records,omitempty"`
	FailedRequests int64   `json:"failed_requests,omitempty"`
	RecordsPerSec  float64 `json:"records_per_s"`
	// CPUShare is the CPU time this process (load generator, server and
	// Wasm functions) used, as a share of all cores over the phase.
	CPUShare float64 `json:"cpu_share,omitempty"`
	// PerCPUSecond is records per second of this process's CPU time: on a
	// machine shared with other work, what the phase costs rather than
	// what it got.
	PerCPUSecond float64 `json:"records_per_cpu_s,omitempty"`
	FirstError   string  `json:"first_error,omitempty"`

	start time.Time
	cpu0  time.Duration
}

func begin(name string) phase {
	return phase{Name: name, start: time.Now(), cpu0: cpu.Process()}
}

// finish ends the phase at end.
func (p *phase) finish(end time.Time) {
	p.Seconds = end.Sub(p.start).Seconds()
	if cpu := cpu.Process() - p.cpu0; cpu > 0 && p.Seconds > 0 {
		p.CPUShare = cpu.Seconds() / p.Seconds / float64(runtime.NumCPU())
		p.PerCPUSecond = float64(p.Records) / cpu.Seconds()
	}
	if p.Seconds > 0 {
		p.RecordsPerSec = float64(p.Records) / p.Seconds
	}
}

func (p *phase) fail(err error) {
	if p.FirstError == "" {
		p.FirstError = err.Error()
	}
}

// randomPool returns random bytes that records of size bytes are sliced
// from, so the writers spend no time generating data.
func randomPool(size int) []byte {
	b := make([]byte, max(4<<20, 2*size))
	rand.Read(b)
	return b
}

// putBulk has writers goroutines loop PutRecords of up to perRequest
// records of size random bytes, random partition keys, until n records
// were sent. Retries are off: failed records are counted, not resent.
func putBulk(ctx context.Context, c *kinesis.Client, stream string, n int64, writers, perRequest, size int, pool []byte) phase {
	p := begin("put")
	var (
		claimed atomic.Int64
		mu      sync.Mutex
		wg      sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			var (
				q       phase
				rng     = mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
				entries = make([]types.PutRecordsRequestEntry, perRequest)
			)
			for ctx.Err() == nil {
				k := claimed.Add(int64(perRequest))
				take := min(int64(perRequest), n-(k-int64(perRequest)))
				if take <= 0 {
					break
				}
				batch := entries[:take]
				for i := range batch {
					off := rng.IntN(len(pool) - size + 1)
					batch[i].Data = pool[off : off+size]
					batch[i].PartitionKey = aws.String(strconv.FormatUint(rng.Uint64(), 36))
				}
				out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: &stream, Records: batch})
				if err != nil {
					q.FailedRequests++
					q.FailedRecords += int64(len(batch))
					q.fail(err)
					continue
				}
				for _, r := range out.Records {
					if r.ErrorCode != nil {
						q.FailedRecords++
						q.fail(fmt.Errorf("%s: %s", *r.ErrorCode, aws.ToString(r.ErrorMessage)))
						continue
					}
					q.Records++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			p.Records += q.Records
			p.FailedRecords += q.FailedRecords
			p.FailedRequests += q.FailedRequests
			if p.FirstError == "" {
				p.FirstError = q.FirstError
			}
		})
	}
	wg.Wait()
	p.finish(time.Now())
	return p
}

// pacedResult is what a paced run of single-record PutRecord calls did.
type pacedResult struct {
	phase
	// Ack is, per record id, the Unix nanoseconds at which its PutRecord
	// returned successfully (0: failed or not sent).
	Ack []int64
	// PutP50Ms and PutP99Ms are the PutRecord round trips.
	PutP50Ms, PutP99Ms float64
	// LateP99Ms is how late the 99th percentile put was sent against its
	// schedule (the producer falling behind the rate).
	LateP99Ms float64
}

// putPaced sends n records with ids 0…n-1 from conns goroutines, paced so
// that record i is due at start + i/rate, and notes when each was
// acknowledged. With perRequest 1 each record is one PutRecord call; with
// more, records go perRequest at a time in PutRecords calls (each record
// acknowledged when its call returns). Each record's data is its id (8
// bytes, big-endian) padded with random bytes to size. A producer that
// falls behind (a starved machine) stops a second after the last record
// was due, leaving the rest unsent.
func putPaced(ctx context.Context, c *kinesis.Client, stream string, n int, rate float64, conns, perRequest, size int, pool []byte) pacedResult {
	res := pacedResult{phase: begin("paced"), Ack: make([]int64, n)}
	var (
		next  atomic.Int64
		mu    sync.Mutex
		wg    sync.WaitGroup
		puts  []time.Duration
		lates []time.Duration
	)
	perRequest = max(perRequest, 1)
	t0 := time.Now()
	stop := t0.Add(time.Duration(float64(n)/rate*1e9) + time.Second)
	for w := range conns {
		wg.Go(func() {
			var (
				q       phase
				rng     = mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
				data    = make([]byte, perRequest*max(size, 8))
				entries = make([]types.PutRecordsRequestEntry, perRequest)
				put     []time.Duration
				late    []time.Duration
			)
			for ctx.Err() == nil {
				first := (next.Add(1) - 1) * int64(perRequest)
				if first >= int64(n) || time.Now().After(stop) {
					break
				}
				k := min(perRequest, n-int(first))
				due := t0.Add(time.Duration(float64(first) / rate * 1e9))
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				}
				recSize := len(data) / perRequest
				for j := range k {
					rec := data[j*recSize : (j+1)*recSize]
					off := rng.IntN(len(pool) - recSize + 8 + 1)
					copy(rec[8:], pool[off:])
					binary.BigEndian.PutUint64(rec, uint64(first)+uint64(j))
					entries[j] = types.PutRecordsRequestEntry{Data: rec, PartitionKey: aws.String(strconv.FormatUint(rng.Uint64(), 36))}
				}
				sent := time.Now()
				late = append(late, sent.Sub(due))
				var (
					out *kinesis.PutRecordsOutput
					err error
				)
				if perRequest == 1 {
					_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: &stream, Data: entries[0].Data, PartitionKey: entries[0].PartitionKey})
				} else {
					out, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: &stream, Records: entries[:k]})
				}
				ack := time.Now()
				if err != nil {
					q.FailedRecords += int64(k)
					q.FailedRequests++
					q.fail(err)
					continue
				}
				put = append(put, ack.Sub(sent))
				for j := range k {
					if out != nil && j < len(out.Records) && out.Records[j].ErrorCode != nil {
						q.FailedRecords++
						q.fail(fmt.Errorf("%s: %s", *out.Records[j].ErrorCode, aws.ToString(out.Records[j].ErrorMessage)))
						continue
					}
					res.Ack[first+int64(j)] = ack.UnixNano()
					q.Records++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.Records += q.Records
			res.FailedRecords += q.FailedRecords
			res.FailedRequests += q.FailedRequests
			if res.FirstError == "" {
				res.FirstError = q.FirstError
			}
			puts = append(puts, put...)
			lates = append(lates, late...)
		})
	}
	wg.Wait()
	res.finish(time.Now())
	res.PutP50Ms, res.PutP99Ms = quantileMs(puts, 0.5), quantileMs(puts, 0.99)
	res.LateP99Ms = quantileMs(lates, 0.99)
	return res
}

// quantileMs is the q-quantile of d in milliseconds (d is sorted in place).
func quantileMs(d []time.Duration, q float64) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return float64(d[int(q*float64(len(d)-1))]) / 1e6
}

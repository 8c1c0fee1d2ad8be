package nexmark

import (
	"fmt"
	"time"

	"github.com/kinesin/kinesin/runtime/sql/engine"
)

// errorStream is the in-application stream of rows that failed at run time.
const errorStream = "error_stream"

// Compile compiles q's code against Inputs.
func (q Query) Compile() (*engine.Program, error) {
	p, err := engine.Compile(q.Code, engine.Options{Inputs: Inputs()})
	if err != nil {
		return nil, fmt.Errorf("nexmark: compile %s: %w", q.Name, err)
	}
	return p, nil
}

// Result is what a Run took and produced.
type Result struct {
	Events  int           // events pushed
	Outputs int64         // rows of the query's output stream
	Elapsed time.Duration // from the first Push to the return of the final Advance
	// CPU is the CPU time the process used meanwhile, all threads (the
	// garbage collector's too); 0 where the system does not tell.
	CPU time.Duration
}

// EventsPerSecond answers the throughput of the run in wall-clock time.
func (r Result) EventsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Events) / r.Elapsed.Seconds()
}

// EventsPerCPUSecond answers the throughput per core: events per second
// of CPU time, the measure the Nexmark project reports (Throughput/Cores:
// events over cores × time, cores being the measured CPU usage). Unlike
// EventsPerSecond it does not drop when other processes take the CPU.
func (r Result) EventsPerCPUSecond() float64 {
	if r.CPU <= 0 {
		return 0
	}
	return float64(r.Events) / r.CPU.Seconds()
}

// FlushDelay is how far past the last event's time Run moves time at the
// end (Instance.Advance), so that every window holding an event closes, as
// Flink's bounded source ends with a final watermark: more than the
// longest window (10 s) plus the watermark delay (4 s), and no more, so
// that q7's join still holds the bids of the last window when its maximum
// arrives. The event-time windows of the queries have IDLE => INTERVAL '5'
// SECOND: once Advance's clock is 5 s past the last row, their event time
// follows that clock, so the final Advance moves their watermarks too.
const FlushDelay = 15 * time.Second

// Run starts a fresh instance of p (compiled from q), pushes every event
// of f in order, each with its event time as ROWTIME, and finally moves
// time FlushDelay past the last event with Advance (which, the input being
// idle, also moves the watermarks of event-time windows). emit, unless
// nil, sees every row of q.Output (valid only during the call). A row in
// error_stream fails the run: a benchmark must measure an engine that
// computes the query.
func (q Query) Run(p *engine.Program, f *Feed, emit func(engine.Row) error) (Result, error) {
	i := 0
	return q.run(p, f.Len(), func() (int, engine.Row) {
		i++
		return int(f.Input[i-1]), f.Rows[i-1]
	}, emit)
}

// RunGenerated is Run over events 0 to n-1 of c generated one by one as
// they are pushed, so that the result measures the generator too, as the
// Nexmark project's Flink figures do (its source generates the events in
// the job).
func (q Query) RunGenerated(p *engine.Program, c Config, n int, emit func(engine.Row) error) (Result, error) {
	c.NumEvents = 0
	g := NewGenerator(c)
	return q.run(p, n, func() (int, engine.Row) {
		e, _ := g.Next()
		return e.Row(nil)
	}, emit)
}

func (q Query) run(p *engine.Program, n int, next func() (int, engine.Row), emit func(engine.Row) error) (Result, error) {
	res := Result{Events: n}
	var runErr error
	inst, err := p.Start(nil, func(stream string, r engine.Row) error {
		switch stream {
		case q.Output:
			res.Outputs++
			if emit != nil {
				return emit(r)
			}
		case errorStream:
			if runErr == nil {
				runErr = fmt.Errorf("nexmark: %s: error_stream row %v", q.Name, r.Values)
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("nexmark: start %s: %w", q.Name, err)
	}
	start, cpu := time.Now(), processCPU()
	var last int64
	for i := range n {
		in, r := next()
		if err := inst.Push(in, r); err != nil {
			return res, fmt.Errorf("nexmark: %s: push event %d: %w", q.Name, i, err)
		}
		last = r.Time
	}
	if n > 0 {
		if err := inst.Advance(last + FlushDelay.Milliseconds()); err != nil {
			return res, fmt.Errorf("nexmark: %s: advance: %w", q.Name, err)
		}
	}
	res.Elapsed, res.CPU = time.Since(start), processCPU()-cpu
	return res, runErr
}

// RawLoop is a baseline for the queries' throughput: a plain Go loop over
// f that keeps the highest bid price per 10 s window of ROWTIME (q7's
// aggregate without SQL) and answers the sum of the maxima, so that the
// loop cannot be optimized away.
func RawLoop(f *Feed) int64 {
	const size = 10000
	var sum, maxPrice int64
	window := int64(-1)
	for i := range f.Rows {
		if f.Input[i] != InputBid {
			continue
		}
		r := &f.Rows[i]
		if w := r.Time / size; w != window {
			sum += maxPrice
			window, maxPrice = w, 0
		}
		maxPrice = max(maxPrice, r.Values[2].I)
	}
	return sum + maxPrice
}

// RunRawLoop measures RawLoop over f as a Result (Outputs: the number of
// windows is not counted; 0).
func RunRawLoop(f *Feed) Result {
	start, cpu := time.Now(), processCPU()
	rawSink += RawLoop(f)
	return Result{Events: f.Len(), Elapsed: time.Since(start), CPU: processCPU() - cpu}
}

// rawSink keeps RawLoop's result alive.
var rawSink int64

// RunGenerateOnly measures the generation of events 0 to n-1 of c as
// engine rows, one by one, without an engine: the baseline of
// RunGenerated.
func RunGenerateOnly(c Config, n int) Result {
	c.NumEvents = 0
	g := NewGenerator(c)
	start, cpu := time.Now(), processCPU()
	for range n {
		e, _ := g.Next()
		_, r := e.Row(nil)
		rawSink += r.Time
	}
	return Result{Events: n, Elapsed: time.Since(start), CPU: processCPU() - cpu}
}

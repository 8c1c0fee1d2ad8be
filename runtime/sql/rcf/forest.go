package rcf

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// AWS's defaults and limits for RANDOM_CUT_FOREST(_WITH_EXPLANATION).
const (
	DefaultTrees      = 100
	DefaultSampleSize = 256
	DefaultTimeDecay  = 100000
	DefaultShingle    = 1
	MaxColumns        = 30
)

// Config configures a Forest. Zero members take AWS's defaults.
type Config struct {
	// Dims is the number of numeric columns of a record (1..30).
	Dims int
	// Trees is numberOfTrees (1..1000, default 100).
	Trees int
	// SampleSize is subSampleSize (10..1000, default 256), the number of
	// points each tree keeps.
	SampleSize int
	// TimeDecay is timeDecay (1..2147483647, default 100000), in records
	// (shingles when shingling).
	TimeDecay int
	// ShingleSize is shingleSize (1..30, default 1).
	ShingleSize int
	// Seed makes the forest's random choices reproducible.
	Seed uint64
}

// Defaults fills AWS's defaults into zero members.
func (c *Config) Defaults() {
	if c.Trees == 0 {
		c.Trees = DefaultTrees
	}
	if c.SampleSize == 0 {
		c.SampleSize = DefaultSampleSize
	}
	if c.TimeDecay == 0 {
		c.TimeDecay = DefaultTimeDecay
	}
	if c.ShingleSize == 0 {
		c.ShingleSize = DefaultShingle
	}
}

// Validate checks the ranges the AWS SQL reference documents.
func (c Config) Validate() error {
	var errs []error
	if c.Dims < 1 || c.Dims > MaxColumns {
		errs = append(errs, fmt.Errorf("rcf: the input stream must have between 1 and %d numeric columns, got %d", MaxColumns, c.Dims))
	}
	if c.Trees < 1 || c.Trees > 1000 {
		errs = append(errs, fmt.Errorf("rcf: numberOfTrees must be between 1 and 1000, got %d", c.Trees))
	}
	if c.SampleSize < 10 || c.SampleSize > 1000 {
		errs = append(errs, fmt.Errorf("rcf: subSampleSize must be between 10 and 1000, got %d", c.SampleSize))
	}
	if c.TimeDecay < 1 {
		errs = append(errs, fmt.Errorf("rcf: timeDecay must be between 1 and 2147483647, got %d", c.TimeDecay))
	} else if c.SampleSize >= c.TimeDecay {
		errs = append(errs, fmt.Errorf("rcf: subSampleSize (%d) must be less than timeDecay (%d)", c.SampleSize, c.TimeDecay))
	}
	if c.ShingleSize < 1 || c.ShingleSize > 30 {
		errs = append(errs, fmt.Errorf("rcf: shingleSize must be between 1 and 30, got %d", c.ShingleSize))
	}
	return errors.Join(errs...)
}

// entry is one sampled point of a tree, with its sampling priority.
type entry struct {
	prio float64
	leaf *node
}

// sample is a max-heap on priority: the point most due for eviction on top.
type sample []entry

func (s sample) Len() int           { return len(s) }
func (s sample) Less(i, j int) bool { return s[i].prio > s[j].prio }
func (s sample) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
func (s *sample) Push(x any)        { *s = append(*s, x.(entry)) }
func (s *sample) Pop() any {
	old := *s
	e := old[len(old)-1]
	*s = old[:len(old)-1]
	return e
}

type member struct {
	tree
	sample sample
}

// Forest is a robust random cut forest over a stream. It is not safe for
// concurrent use: a stream's records are scored in order.
type Forest struct {
	cfg     Config
	dims    int // Dims * ShingleSize
	trees   []member
	shingle []float64 // last ShingleSize records, oldest first
	filled  int       // records in shingle
	seen    int64     // points (shingles) offered to the forest
	lambda  float64
	high    []float64
	low     []float64
}

// New builds a forest; c is defaulted and validated.
func New(c Config) (*Forest, error) {
	c.Defaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	f := &Forest{
		cfg:     c,
		dims:    c.Dims * c.ShingleSize,
		trees:   make([]member, c.Trees),
		shingle: make([]float64, c.Dims*c.ShingleSize),
		lambda:  1 / float64(c.TimeDecay),
	}
	f.high = make([]float64, f.dims)
	f.low = make([]float64, f.dims)
	for i := range f.trees {
		f.trees[i].dims = f.dims
		f.trees[i].rng = rand.New(rand.NewPCG(c.Seed, uint64(i)+1))
		f.trees[i].sample = make(sample, 0, c.SampleSize)
	}
	return f, nil
}

// Config answers the forest's configuration, defaults applied.
func (f *Forest) Config() Config { return f.cfg }

// Score scores one record (Dims values) against the forest as it stands,
// then adds the record to the forest. It answers 0 while the forest learns
// (the first SampleSize points, and while the first shingle fills).
func (f *Forest) Score(record []float64) (float64, error) {
	s, err := f.update(record, false)
	return s, err
}

// Attribution is one column's share of an anomaly score.
type Attribution struct {
	// Score is the column's attribution score; the scores of a record's
	// columns sum to its anomaly score.
	Score float64
	// Direction is "HIGH" when the value lies above the recently observed
	// data, "LOW" otherwise (and during learning).
	Direction string
	// Strength is the confidence in Direction: the difference between the
	// column's above and below attributions.
	Strength float64
}

// Explanation is a scored record with per-column attributions.
type Explanation struct {
	Score   float64
	Columns []Attribution // one per input column (Dims)
}

// ScoreWithExplanation is Score plus the per-column attributions that
// RANDOM_CUT_FOREST_WITH_EXPLANATION answers. With shingling, a column's
// attribution sums its attributions over every position of the shingle.
func (f *Forest) ScoreWithExplanation(record []float64) (Explanation, error) {
	s, err := f.update(record, true)
	if err != nil {
		return Explanation{}, err
	}
	ex := Explanation{Score: s, Columns: make([]Attribution, f.cfg.Dims)}
	for c := range ex.Columns {
		hi, lo := 0.0, 0.0
		if s > 0 {
			for k := 0; k < f.cfg.ShingleSize; k++ {
				hi += f.high[k*f.cfg.Dims+c]
				lo += f.low[k*f.cfg.Dims+c]
			}
		}
		a := Attribution{Score: hi + lo, Direction: "LOW", Strength: math.Abs(hi - lo)}
		if hi > lo {
			a.Direction = "HIGH"
		}
		ex.Columns[c] = a
	}
	return ex, nil
}

func (f *Forest) update(record []float64, explain bool) (float64, error) {
	if len(record) != f.cfg.Dims {
		return 0, fmt.Errorf("rcf: record has %d numeric values, the forest expects %d", len(record), f.cfg.Dims)
	}
	for i, v := range record {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("rcf: value %d is not a finite number", i)
		}
	}
	d := f.cfg.Dims
	copy(f.shingle, f.shingle[d:])
	copy(f.shingle[len(f.shingle)-d:], record)
	if f.filled < f.cfg.ShingleSize {
		f.filled++
		if f.filled < f.cfg.ShingleSize {
			return 0, nil
		}
	}
	p := make([]float64, f.dims)
	copy(p, f.shingle)
	clear(f.high)
	clear(f.low)
	learning := f.seen < int64(f.cfg.SampleSize)
	t := float64(f.seen)
	f.seen++
	total := 0.0
	for i := range f.trees {
		m := &f.trees[i]
		// Time-decayed reservoir sampling: the point's priority is
		// log(-log U) - λt, and each tree keeps the SampleSize smallest,
		// i.e. an A-Res sample with weights e^{λt} (newer points weigh more).
		u := m.rng.Float64()
		for u == 0 {
			u = m.rng.Float64()
		}
		prio := math.Log(-math.Log(u)) - f.lambda*t
		keep := len(m.sample) < f.cfg.SampleSize || prio < m.sample[0].prio
		if keep && len(m.sample) == f.cfg.SampleSize {
			old := heap.Pop(&m.sample).(entry)
			m.remove(old.leaf)
		}
		var hi, lo []float64
		if explain {
			hi, lo = f.high, f.low
		}
		switch {
		case keep:
			leaf := m.insert(p)
			heap.Push(&m.sample, entry{prio: prio, leaf: leaf})
			if !learning {
				total += m.codisp(leaf, hi, lo)
			}
		case !learning:
			total += m.simulate(p, hi, lo)
		}
	}
	if learning {
		return 0, nil
	}
	n := float64(len(f.trees))
	for i := range f.high {
		f.high[i] /= n
		f.low[i] /= n
	}
	return total / n, nil
}

package hotspots

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Config holds HOTSPOTS' arguments after the cursor.
type Config struct {
	// Dims is the number of numeric columns of a record.
	Dims int
	// WindowSize is windowSize: the records of the sliding window (100..1000).
	WindowSize int
	// ScanRadius is scanRadius: DBSCAN's ε, the Euclidean distance within
	// which two records are neighbours (> 0).
	ScanRadius float64
	// MinPoints is minimumNumberOfPointsInAHotspot (2..WindowSize).
	MinPoints int
}

// Validate checks the ranges the AWS SQL reference documents.
func (c Config) Validate() error {
	var errs []error
	if c.Dims < 1 {
		errs = append(errs, errors.New("hotspots: the input stream has no numeric columns"))
	}
	if c.WindowSize < 100 || c.WindowSize > 1000 {
		errs = append(errs, fmt.Errorf("hotspots: windowSize must be between 100 and 1000, got %d", c.WindowSize))
	}
	if !(c.ScanRadius > 0) || math.IsInf(c.ScanRadius, 0) {
		errs = append(errs, fmt.Errorf("hotspots: scanRadius must be a double greater than zero, got %v", c.ScanRadius))
	}
	if c.MinPoints < 2 || c.MinPoints > c.WindowSize {
		errs = append(errs, fmt.Errorf("hotspots: minimumNumberOfPointsInAHotspot must be between 2 and windowSize (%d), got %d", c.WindowSize, c.MinPoints))
	}
	return errors.Join(errs...)
}

// Hotspot is one dense region of the window.
type Hotspot struct {
	// Density is the number of records in the hotspot divided by its size
	// (see the package documentation for "size").
	Density float64
	// Count is the number of records in the hotspot (not part of AWS's
	// output; kept for callers and tests).
	Count int
	// MinValues and MaxValues bound the hotspot's records, per column.
	MinValues, MaxValues []float64
}

// Detector finds hotspots over a sliding window of records. It is not safe
// for concurrent use: a stream's records are added in order.
type Detector struct {
	cfg    Config
	window [][]float64 // ring buffer
	next   int
	full   bool
	nbrs   [][]int // nbrs[i]: window slots within ScanRadius of slot i
	label  []int   // cluster of each slot during a scan
	queue  []int
}

// New builds a detector for c.
func New(c Config) (*Detector, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Detector{cfg: c, window: make([][]float64, 0, c.WindowSize)}, nil
}

// Add slides the window over record and answers the hotspots of the window
// that now ends at record, densest first.
func (d *Detector) Add(record []float64) ([]Hotspot, error) {
	if len(record) != d.cfg.Dims {
		return nil, fmt.Errorf("hotspots: record has %d numeric values, want %d", len(record), d.cfg.Dims)
	}
	for i, v := range record {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("hotspots: value %d is not a finite number", i)
		}
	}
	p := slices.Clone(record)
	slot := len(d.window)
	if slot < d.cfg.WindowSize {
		d.window = append(d.window, p)
		d.nbrs = append(d.nbrs, nil)
		d.label = append(d.label, -1)
	} else {
		slot = d.next
		d.next = (d.next + 1) % d.cfg.WindowSize
		// Evict the oldest record from its neighbours' lists.
		for _, j := range d.nbrs[slot] {
			l := d.nbrs[j]
			if k := slices.Index(l, slot); k >= 0 {
				l[k] = l[len(l)-1]
				d.nbrs[j] = l[:len(l)-1]
			}
		}
		d.window[slot] = p
		d.nbrs[slot] = d.nbrs[slot][:0]
	}
	// Neighbour lists are kept incrementally: one pass over the window per
	// record, O(windowSize × columns).
	r2 := d.cfg.ScanRadius * d.cfg.ScanRadius
	for j, b := range d.window {
		if j == slot {
			continue
		}
		s := 0.0
		for k := range p {
			t := p[k] - b[k]
			s += t * t
			if s > r2 {
				break
			}
		}
		if s <= r2 {
			d.nbrs[slot] = append(d.nbrs[slot], j)
			d.nbrs[j] = append(d.nbrs[j], slot)
		}
	}
	return d.hotspots(), nil
}

// hotspots runs DBSCAN over the window: a record with at least MinPoints
// records (itself included) within ScanRadius is a core record; core
// records within ScanRadius of each other share a cluster, and non-core
// records within ScanRadius of a core record join its cluster. A cluster of
// at least MinPoints records is a hotspot.
func (d *Detector) hotspots() []Hotspot {
	n := len(d.window)
	for i := range d.label {
		d.label[i] = -1
	}
	core := func(i int) bool { return len(d.nbrs[i])+1 >= d.cfg.MinPoints }
	var out []Hotspot
	clusters := 0
	for i := 0; i < n; i++ {
		if d.label[i] >= 0 || !core(i) {
			continue
		}
		c := clusters
		clusters++
		d.label[i] = c
		d.queue = append(d.queue[:0], i)
		h := Hotspot{MinValues: slices.Clone(d.window[i]), MaxValues: slices.Clone(d.window[i])}
		for len(d.queue) > 0 {
			q := d.queue[len(d.queue)-1]
			d.queue = d.queue[:len(d.queue)-1]
			h.Count++
			for k, v := range d.window[q] {
				h.MinValues[k] = min(h.MinValues[k], v)
				h.MaxValues[k] = max(h.MaxValues[k], v)
			}
			if !core(q) {
				continue
			}
			for _, j := range d.nbrs[q] {
				if d.label[j] < 0 {
					d.label[j] = c
					d.queue = append(d.queue, j)
				}
			}
		}
		if h.Count < d.cfg.MinPoints {
			continue
		}
		h.Density = float64(h.Count) / d.size(h)
		out = append(out, h)
	}
	slices.SortStableFunc(out, func(a, b Hotspot) int {
		switch {
		case a.Density > b.Density:
			return -1
		case a.Density < b.Density:
			return 1
		}
		return 0
	})
	return out
}

// size is the hotspot's volume: the product over columns of its extent,
// each extent at least ScanRadius so a hotspot of identical records has a
// finite density.
func (d *Detector) size(h Hotspot) float64 {
	v := 1.0
	for k := range h.MinValues {
		v *= max(h.MaxValues[k]-h.MinValues[k], d.cfg.ScanRadius)
	}
	return v
}

// JSON renders the HOTSPOTS_RESULT column:
// {"hotspots":[{"density":…,"maxValues":[…],"minValues":[…]},…]}.
func JSON(hs []Hotspot) string {
	var b strings.Builder
	b.WriteString(`{"hotspots":[`)
	for i, h := range hs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"density":`)
		b.WriteString(number(h.Density))
		b.WriteString(`,"maxValues":`)
		list(&b, h.MaxValues)
		b.WriteString(`,"minValues":`)
		list(&b, h.MinValues)
		b.WriteByte('}')
	}
	b.WriteString(`]}`)
	return b.String()
}

func list(b *strings.Builder, vs []float64) {
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(number(v))
	}
	b.WriteByte(']')
}

func number(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return "null"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

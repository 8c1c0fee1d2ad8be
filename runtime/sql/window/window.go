package window

import (
	"fmt"

	"github.com/kinesin/kinesin/runtime/sql/agg"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// AggSpec is one aggregate call computed over a group or a frame.
type AggSpec struct {
	Func     *agg.Func
	ArgTypes []eval.Type
	Consts   []*eval.Value
	Distinct bool
}

// newAcc makes an accumulator; addOnly asks for the lighter one of
// structures that never remove rows (agg.Func.NewAddOnly) when there is one.
func (a AggSpec) newAcc(addOnly bool) agg.Accumulator {
	if addOnly && a.Func.NewAddOnly != nil {
		return a.Func.NewAddOnly(a.ArgTypes, a.Consts, a.Distinct)
	}
	return a.Func.New(a.ArgTypes, a.Consts, a.Distinct)
}

// resetter is implemented by accumulators that can start over without a
// new allocation; Sliding and Sessions use it when they recompute.
type resetter interface{ Reset() }

func newAccs(aggs []AggSpec, addOnly bool) []agg.Accumulator {
	accs := make([]agg.Accumulator, len(aggs))
	for i, a := range aggs {
		accs[i] = a.newAcc(addOnly)
	}
	return accs
}

// renew answers an empty accumulator for aggs[i], reusing acc when it can
// be reset.
func renew(a AggSpec, acc agg.Accumulator, addOnly bool) agg.Accumulator {
	if r, ok := acc.(resetter); ok {
		r.Reset()
		return acc
	}
	return a.newAcc(addOnly)
}

func argsOf(args [][]eval.Value, i int) []eval.Value {
	if i < len(args) {
		return args[i]
	}
	return nil
}

func addErr(a AggSpec, err error) error {
	return fmt.Errorf("window: %s: %w", a.Func.Name, err)
}

// Window is the half-open interval [Start, End) of times in milliseconds.
type Window struct{ Start, End int64 }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Tumble answers the tumbling window of the given size holding t; windows
// start at offset plus a multiple of size. A size <= 0 answers the empty
// window [t, t).
func Tumble(t, size, offset int64) Window {
	if size <= 0 {
		return Window{t, t}
	}
	start := floorDiv(t-offset, size)*size + offset
	return Window{start, start + size}
}

// Hop calls each with every hopping window of the given size, starting at
// multiples of slide, that holds t, oldest first (Flink HOP: a row belongs
// to ceil(size/slide) windows when slide divides size). Nothing is called
// when size or slide is <= 0.
func Hop(t, size, slide int64, each func(Window)) {
	if size <= 0 || slide <= 0 {
		return
	}
	last := floorDiv(t, slide) * slide
	if last <= t-size {
		return // between windows (slide > size)
	}
	first := last
	for first-slide > t-size {
		first -= slide
	}
	for s := first; s <= last; s += slide {
		each(Window{s, s + size})
	}
}

func errArgs(got, want int) error {
	return fmt.Errorf("got %d arguments, want %d", got, want)
}

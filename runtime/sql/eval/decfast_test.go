package eval

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestDecimalFastPath checks the int64 decimal arithmetic against the
// math/big path for random operands, scales and edge values.
func TestDecimalFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	edges := []int64{0, 1, -1, 5, -5, 15, -15, 49, 50, -50, 999999999999999999, -999999999999999999, 1 << 40, -(1 << 40)}
	val := func() Value {
		var x int64
		if rng.IntN(4) == 0 {
			x = edges[rng.IntN(len(edges))]
		} else {
			x = rng.Int64N(2_000_000_000) - 1_000_000_000
		}
		if rng.IntN(5) == 0 {
			return Value{Kind: BigInt, I: x}
		}
		return DecimalValue(x, int8(rng.IntN(8)))
	}
	slow := func(op string, a, b Value, scale int) (Value, error) {
		x, y := a.bigRat(), b.bigRat()
		z := new(big.Rat)
		switch op {
		case "+":
			z.Add(x, y)
		case "-":
			z.Sub(x, y)
		case "*":
			z.Mul(x, y)
		}
		return ratToDecimal(z, scale)
	}
	fast := 0
	const n = 50000
	for i := 0; i < n; i++ {
		a, b := val(), val()
		op := []string{"+", "-", "*"}[rng.IntN(3)]
		scale := rng.IntN(10)
		got, ok := decArithFast(op, a, b, scale)
		if ok {
			fast++
		}
		want, err := slow(op, a, b, scale)
		if ok && (err != nil || got != want) {
			t.Fatalf("%v %s %v to scale %d: fast %v, big %v (%v)", a, op, b, scale, got, want, err)
		}
		if c, ok := decCompareFast(a, b); ok && c != a.bigRat().Cmp(b.bigRat()) {
			t.Fatalf("compare %v, %v: fast %d", a, b, c)
		}
		c, ok := decCastFast(a, scale)
		cw, err := ratToDecimal(a.bigRat(), scale)
		if ok && (err != nil || c != cw) {
			t.Fatalf("CAST %v to scale %d: fast %v, big %v (%v)", a, scale, c, cw, err)
		}
	}
	if fast < n/2 {
		t.Errorf("the fast path applied to %d of %d cases", fast, n)
	}
}

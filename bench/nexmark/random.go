package nexmark

// javaRandom is the linear congruential generator java.util.Random specifies
// (48-bit state, multiplier 0x5DEECE66D, increment 0xB). The reference
// Nexmark generator seeds one with each event id and draws every field from
// it; using the same algorithm gives the same draws.
type javaRandom struct{ seed int64 }

const (
	jrMultiplier = 0x5DEECE66D
	jrAddend     = 0xB
	jrMask       = (1 << 48) - 1
)

func newJavaRandom(seed int64) javaRandom {
	return javaRandom{seed: (seed ^ jrMultiplier) & jrMask}
}

// next returns the next bits pseudo-random bits (1 ≤ bits ≤ 32) as Java's
// protected next(int) does, sign included for bits == 32.
func (r *javaRandom) next(bits uint) int32 {
	r.seed = (r.seed*jrMultiplier + jrAddend) & jrMask
	return int32(r.seed >> (48 - bits))
}

// nextInt is Java's nextInt(): 32 random bits.
func (r *javaRandom) nextInt() int32 { return r.next(32) }

// intn is Java's nextInt(bound), uniform in [0, bound); bound must be > 0
// (callers guarantee it; a non-positive bound answers 0).
func (r *javaRandom) intn(bound int32) int32 {
	if bound <= 0 {
		return 0
	}
	v := r.next(31)
	m := bound - 1
	if bound&m == 0 { // a power of two: take the high bits
		return int32((int64(bound) * int64(v)) >> 31)
	}
	// Reject the values of the last, partial bucket. The test relies on
	// int32 overflow exactly as Java's does.
	for u := v; ; u = r.next(31) {
		v = u % bound
		if u-v+m >= 0 {
			return v
		}
	}
}

// nextLong is Java's nextLong(): two 32-bit draws.
func (r *javaRandom) nextLong() int64 {
	hi := int64(r.next(32))
	lo := int64(r.next(32))
	return (hi << 32) + lo
}

// nextDouble is Java's nextDouble(): 53 random bits in [0, 1).
func (r *javaRandom) nextDouble() float64 {
	hi := int64(r.next(26))
	lo := int64(r.next(27))
	return float64((hi<<27)+lo) * (1.0 / (1 << 53))
}

// longn is the reference generator's LongGenerator.nextLong(random, n): a
// uniform int below n when n fits an int, otherwise |nextLong() % n| (skewed,
// as the reference notes, but only reached with billions of people).
func (r *javaRandom) longn(n int64) int64 {
	if n < 1<<31-1 {
		return int64(r.intn(int32(n)))
	}
	v := r.nextLong() % n
	if v < 0 {
		v = -v
	}
	return v
}

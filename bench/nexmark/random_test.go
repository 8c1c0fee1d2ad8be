package nexmark

import "testing"

// The expected values were printed by java.util.Random on a JDK:
// r = new Random(seed); r.nextInt(), r.nextInt(10), r.nextInt(1024),
// r.nextInt(1010), r.nextLong(), r.nextDouble(), then
// Math.round(Math.pow(10.0, r.nextDouble() * 6.0) * 100.0).
func TestJavaRandom(t *testing.T) {
	tests := []struct {
		seed                 int64
		i, i10, i1024, i1010 int32
		l                    int64
		d                    float64
		price                int64
	}{
		{0, -1155484576, 8, 246, 207, -6688467811848818630, 0.5504370051176339, 384832},
		{1, -1155869325, 8, 419, 243, 3831662765844904176, 0.3327170559595112, 64052407},
		{42, -1170105035, 3, 699, 594, 5694868678511409995, 0.27707849007413665, 984677},
		{123456789, -1442945365, 0, 467, 254, 7203573180470058788, 0.8933411602003871, 3146663},
		{-7, 1155869324, 7, 689, 947, -8826958116857042465, 0.8518782305056931, 327},
	}
	for _, tt := range tests {
		r := newJavaRandom(tt.seed)
		if got := r.nextInt(); got != tt.i {
			t.Errorf("seed %d: nextInt() = %d, want %d", tt.seed, got, tt.i)
		}
		if got := r.intn(10); got != tt.i10 {
			t.Errorf("seed %d: nextInt(10) = %d, want %d", tt.seed, got, tt.i10)
		}
		if got := r.intn(1024); got != tt.i1024 {
			t.Errorf("seed %d: nextInt(1024) = %d, want %d", tt.seed, got, tt.i1024)
		}
		if got := r.intn(1010); got != tt.i1010 {
			t.Errorf("seed %d: nextInt(1010) = %d, want %d", tt.seed, got, tt.i1010)
		}
		if got := r.nextLong(); got != tt.l {
			t.Errorf("seed %d: nextLong() = %d, want %d", tt.seed, got, tt.l)
		}
		if got := r.nextDouble(); got != tt.d {
			t.Errorf("seed %d: nextDouble() = %v, want %v", tt.seed, got, tt.d)
		}
		if got := nextPrice(&r); got != tt.price {
			t.Errorf("seed %d: price = %d, want %d", tt.seed, got, tt.price)
		}
	}
}

// TestPriceMatchesJava: the first price drawn for seeds 0..199999 hashes as
// on a JDK (sum = sum*31 + price over Math.round(Math.pow(10.0,
// new Random(s).nextDouble()*6.0)*100.0)), so Go's math.Pow gives Java's
// prices.
func TestPriceMatchesJava(t *testing.T) {
	var sum int64
	var first []int64
	for s := range int64(200000) {
		r := newJavaRandom(s)
		p := nextPrice(&r)
		sum = sum*31 + p
		if s < 5 {
			first = append(first, p)
		}
	}
	want := []int64{2431122, 2428114, 2437146, 2434132, 2419116}
	for i := range want {
		if first[i] != want[i] {
			t.Errorf("price(seed %d) = %d, want %d", i, first[i], want[i])
		}
	}
	if sum != -7538756864968760498 {
		t.Errorf("price hash = %d, want -7538756864968760498", sum)
	}
}

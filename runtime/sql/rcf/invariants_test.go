package rcf

import "testing"

// check verifies a subtree's links, masses and boxes.
func check(t *testing.T, n *node, dims int) (int, []float64, []float64) {
	if n.leaf() {
		return n.mass, n.point, n.point
	}
	if n.left.parent != n || n.right.parent != n {
		t.Fatalf("parent link broken")
	}
	lm, lmin, lmax := check(t, n.left, dims)
	rm, rmin, rmax := check(t, n.right, dims)
	if lm+rm != n.mass {
		t.Fatalf("mass %d != %d+%d", n.mass, lm, rm)
	}
	for d := 0; d < dims; d++ {
		if n.min[d] != min(lmin[d], rmin[d]) || n.max[d] != max(lmax[d], rmax[d]) {
			t.Fatalf("box wrong at dim %d: %v %v vs %v %v %v %v", d, n.min, n.max, lmin, rmin, lmax, rmax)
		}
	}
	return n.mass, n.min, n.max
}

func TestTreeInvariants(t *testing.T) {
	f, _ := New(Config{Dims: 1, Trees: 20, SampleSize: 32, TimeDecay: 64, Seed: 7})
	for i := range 2000 {
		if _, err := f.Score([]float64{sine(i)}); err != nil {
			t.Fatal(err)
		}
		for j := range f.trees {
			if r := f.trees[j].root; r != nil {
				check(t, r, 1)
			}
		}
	}
}

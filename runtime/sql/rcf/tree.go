package rcf

import (
	"math"
	"math/rand/v2"
)

// node is a node of a random cut tree. A leaf holds one distinct point
// (mass counts duplicates); an internal node holds a cut and the bounding
// box of every point below it.
type node struct {
	parent, left, right *node
	mass                int
	// internal nodes: the cut; every node: its bounding box (a leaf's min
	// and max are its point)
	dim      int
	cut      float64
	min, max []float64
	point    []float64 // leaves only
}

// newLeaf answers a leaf for p; its box is the point itself.
func newLeaf(p []float64) *node { return &node{point: p, min: p, max: p, mass: 1} }

func (n *node) leaf() bool { return n.point != nil }

// boxMin and boxMax answer a node's bounding box in dimension d.
func (n *node) boxMin(d int) float64 { return n.min[d] }

func (n *node) boxMax(d int) float64 { return n.max[d] }

// tree is one robust random cut tree (Guha et al. 2016, section 3).
type tree struct {
	root *node
	rng  *rand.Rand
	dims int
}

func equalPoints(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// insert adds p and answers its leaf. The cut is drawn over the bounding box
// of the node's points plus p, with a dimension chosen in proportion to its
// range; if the cut separates p from the node's box, p becomes a sibling of
// the node, otherwise p descends along the node's existing cut.
func (t *tree) insert(p []float64) *node {
	if t.root == nil {
		t.root = newLeaf(p)
		return t.root
	}
	n := t.root
	for {
		if n.leaf() && equalPoints(n.point, p) {
			for a := n; a != nil; a = a.parent {
				a.mass++
			}
			return n
		}
		dim, val := t.cut(n, p)
		if val < n.boxMin(dim) || val >= n.boxMax(dim) {
			leaf := newLeaf(p)
			in := &node{dim: dim, cut: val, parent: n.parent, mass: n.mass + 1}
			if p[dim] <= val {
				in.left, in.right = leaf, n
			} else {
				in.left, in.right = n, leaf
			}
			in.min, in.max = make([]float64, t.dims), make([]float64, t.dims)
			for d := 0; d < t.dims; d++ {
				in.min[d] = min(n.boxMin(d), p[d])
				in.max[d] = max(n.boxMax(d), p[d])
			}
			if n.parent == nil {
				t.root = in
			} else if n.parent.left == n {
				n.parent.left = in
			} else {
				n.parent.right = in
			}
			n.parent, leaf.parent = in, in
			for a := in.parent; a != nil; a = a.parent {
				a.mass++
				for d := 0; d < t.dims; d++ {
					a.min[d] = min(a.min[d], p[d])
					a.max[d] = max(a.max[d], p[d])
				}
			}
			return leaf
		}
		// n is internal here: a leaf's box is one point, so any cut inside
		// the joint box separates p from it.
		if p[n.dim] <= n.cut {
			n = n.left
		} else {
			n = n.right
		}
	}
}

// cut draws a random cut over the bounding box of n's points plus p: a
// dimension in proportion to its range, then a value uniform in the range.
func (t *tree) cut(n *node, p []float64) (int, float64) {
	// Ranges are halved so that extreme values cannot overflow to +Inf.
	total := 0.0
	for d := 0; d < t.dims; d++ {
		total += max(n.boxMax(d), p[d])/2 - min(n.boxMin(d), p[d])/2
	}
	r := t.rng.Float64() * total
	dim, last := -1, -1
	frac := 0.0
	for d := 0; d < t.dims; d++ {
		w := max(n.boxMax(d), p[d])/2 - min(n.boxMin(d), p[d])/2
		if w <= 0 {
			continue
		}
		last = d
		if r < w {
			dim, frac = d, r/w
			break
		}
		r -= w
	}
	if dim < 0 { // floating error left r past every range
		dim, frac = last, 0.5
	}
	if dim < 0 { // not reachable: n's box plus p is a single point
		return 0, n.boxMin(0)
	}
	lo, hi := min(n.boxMin(dim), p[dim]), max(n.boxMax(dim), p[dim])
	val := lo*(1-frac) + hi*frac
	// The cut lies in [lo, hi): rounding can reach hi, and a cut at hi
	// would send points equal to hi to the wrong side.
	if val >= hi {
		val = math.Nextafter(hi, math.Inf(-1))
	}
	return dim, max(val, lo)
}

// remove deletes one copy of the point held by leaf.
func (t *tree) remove(leaf *node) {
	if leaf.mass > 1 {
		for a := leaf; a != nil; a = a.parent {
			a.mass--
		}
		return
	}
	par := leaf.parent
	if par == nil {
		t.root = nil
		return
	}
	sib := par.left
	if sib == leaf {
		sib = par.right
	}
	g := par.parent
	sib.parent = g
	if g == nil {
		t.root = sib
		return
	}
	if g.left == par {
		g.left = sib
	} else {
		g.right = sib
	}
	for a := g; a != nil; a = a.parent {
		a.mass--
		for d := 0; d < t.dims; d++ {
			a.min[d] = min(a.left.boxMin(d), a.right.boxMin(d))
			a.max[d] = max(a.left.boxMax(d), a.right.boxMax(d))
		}
	}
}

// codisp answers the collusive displacement of the point at leaf (Guha et
// al. 2016, definition 6): the largest ratio, over the leaf's ancestors, of
// the sibling subtree's mass to the mass of the subtree holding the point.
// The per-dimension attribution of that score is added to high and low
// (when not nil).
func (t *tree) codisp(leaf *node, high, low []float64) float64 {
	best, bestSib := 0.0, (*node)(nil)
	for n := leaf; n.parent != nil; n = n.parent {
		sib := sibling(n)
		if r := float64(sib.mass) / float64(n.mass); r > best {
			best, bestSib = r, sib
		}
	}
	t.attribute(leaf.point, bestSib, best, high, low)
	return best
}

// simulate answers what codisp would answer had p been inserted, without
// changing the tree; it draws the same random cuts insert would.
func (t *tree) simulate(p []float64, high, low []float64) float64 {
	n := t.root
	if n == nil {
		return 0
	}
	best, bestSib := 0.0, (*node)(nil)
	for {
		if n.leaf() && equalPoints(n.point, p) {
			break
		}
		dim, val := t.cut(n, p)
		if val < n.boxMin(dim) || val >= n.boxMax(dim) {
			// p would become n's sibling, a leaf of mass 1.
			best, bestSib = float64(n.mass), n
			break
		}
		if p[n.dim] <= n.cut {
			n = n.left
		} else {
			n = n.right
		}
	}
	// Above the insertion point every subtree holding p is one heavier.
	for ; n.parent != nil; n = n.parent {
		sib := sibling(n)
		if r := float64(sib.mass) / float64(n.mass+1); r > best {
			best, bestSib = r, sib
		}
	}
	t.attribute(p, bestSib, best, high, low)
	return best
}

func sibling(n *node) *node {
	if n.parent.left == n {
		return n.parent.right
	}
	return n.parent.left
}

// attribute splits score over dimensions in proportion to how far p lies
// outside the colluding sibling's box: the chance that a random cut
// isolating p from that sibling falls in the dimension. Above the box goes
// to high, below to low.
func (t *tree) attribute(p []float64, sib *node, score float64, high, low []float64) {
	if high == nil || sib == nil || score == 0 {
		return
	}
	sum := 0.0
	for d := 0; d < t.dims; d++ {
		sum += max(0, p[d]-sib.boxMax(d)) + max(0, sib.boxMin(d)-p[d])
	}
	if sum <= 0 { // not reachable: a cut separates p from sib
		for d := 0; d < t.dims; d++ {
			low[d] += score / float64(t.dims)
		}
		return
	}
	for d := 0; d < t.dims; d++ {
		if g := p[d] - sib.boxMax(d); g > 0 {
			high[d] += score * g / sum
		}
		if g := sib.boxMin(d) - p[d]; g > 0 {
			low[d] += score * g / sum
		}
	}
}

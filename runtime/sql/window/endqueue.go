package window

import "container/heap"

// endQueue holds items by the End of their window: one bucket per End in
// insertion order, and a min-heap of the distinct Ends. Popping answers the
// items with the smallest End first, in insertion order within an End.
type endQueue[T any] struct {
	buckets map[int64][]T
	ends    int64Heap
	free    [][]T // emptied buckets, reused
}

func (q *endQueue[T]) push(end int64, item T) {
	if q.buckets == nil {
		q.buckets = make(map[int64][]T)
	}
	b, ok := q.buckets[end]
	if !ok {
		heap.Push(&q.ends, end)
		if n := len(q.free); n > 0 {
			b = q.free[n-1]
			q.free = q.free[:n-1]
		}
	}
	q.buckets[end] = append(b, item)
}

// next answers the smallest End held when it is <= upTo.
func (q *endQueue[T]) next(upTo int64) (int64, bool) {
	if len(q.ends) == 0 || q.ends[0] > upTo {
		return 0, false
	}
	return q.ends[0], true
}

// take removes and answers the bucket of the smallest End; the caller
// hands it back with recycle when done with it.
func (q *endQueue[T]) take() []T {
	end := heap.Pop(&q.ends).(int64)
	b := q.buckets[end]
	delete(q.buckets, end)
	return b
}

// putBack returns the unprocessed items of a taken bucket (after an error).
func (q *endQueue[T]) putBack(end int64, items []T) {
	for _, it := range items {
		q.push(end, it)
	}
}

func (q *endQueue[T]) recycle(b []T) {
	var zero T
	for i := range b {
		b[i] = zero
	}
	if cap(b) <= 1024 && len(q.free) < 64 {
		q.free = append(q.free, b[:0])
	}
}

// each calls f with every item, in End order.
func (q *endQueue[T]) each(f func(end int64, item T)) {
	ends := append([]int64(nil), q.ends...)
	h := int64Heap(ends)
	for len(h) > 0 {
		e := heap.Pop(&h).(int64)
		for _, it := range q.buckets[e] {
			f(e, it)
		}
	}
}

func (q *endQueue[T]) reset() {
	q.buckets = nil
	q.ends = q.ends[:0]
}

type int64Heap []int64

func (h int64Heap) Len() int           { return len(h) }
func (h int64Heap) Less(i, j int) bool { return h[i] < h[j] }
func (h int64Heap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *int64Heap) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *int64Heap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

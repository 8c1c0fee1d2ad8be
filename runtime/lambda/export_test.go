package lambda

// Waiting reports how many invocations of the function named name wait
// for a slot of its live (not evicted) pools.
func Waiting(e *Engine, name string) int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n := 0
	for k, pl := range e.pools {
		if k.name == name {
			n += int(pl.waiting.Load())
		}
	}
	return n
}

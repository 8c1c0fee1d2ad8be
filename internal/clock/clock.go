// Package clock holds kinesin's one way to wait: Sleep, a pause that ends
// early when its context does (retry backoffs, polling loops).
package clock

import (
	"context"
	"time"
)

// Sleep waits for d, or until ctx ends; it reports whether the whole
// duration passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

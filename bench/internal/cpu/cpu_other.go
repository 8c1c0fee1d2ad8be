//go:build !unix

package cpu

import "time"

// Process is unknown here; phases then report no CPU share.
func Process() time.Duration { return 0 }

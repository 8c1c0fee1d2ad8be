//go:build !unix

package nexmark

import "time"

// processCPU answers 0 where the process's CPU time is not available.
func processCPU() time.Duration { return 0 }

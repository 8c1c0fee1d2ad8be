//go:build !unix

package main

import "time"

// processCPU is unknown here; phases then report no CPU share.
func processCPU() time.Duration { return 0 }

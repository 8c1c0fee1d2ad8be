//go:build race

package runner_test

func init() { raceEnabled = true }

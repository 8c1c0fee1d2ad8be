//go:build race

package functions_test

func init() { raceEnabled = true }

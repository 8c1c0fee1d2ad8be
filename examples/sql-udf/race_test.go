//go:build race

package sqludf_test

func init() { raceEnabled = true }

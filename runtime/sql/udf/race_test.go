//go:build race

package udf_test

func init() { raceEnabled = true }

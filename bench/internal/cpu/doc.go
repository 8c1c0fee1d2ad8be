// Package cpu measures the CPU time of the benchmark process, so that the
// bench programs can report what a phase cost whatever else the shared
// machine runs.
package cpu

package functions

import "time"

// InFlight exposes the running invocations of a function to the tests.
func InFlight(s *Service, name string) int { return s.conc.inFlight(name) }

// ExtractZip exposes extractZip to the tests.
var ExtractZip = extractZip

// SetCodeGCGrace sets the grace period of the code collector for a test.
func SetCodeGCGrace(d time.Duration) (restore func()) {
	old := codeGCGrace
	codeGCGrace = d
	return func() { codeGCGrace = old }
}

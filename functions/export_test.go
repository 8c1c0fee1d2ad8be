package functions

// InFlight exposes the running invocations of a function to the tests.
func InFlight(s *Service, name string) int { return s.conc.inFlight(name) }

// Package pgtest starts a real PostgreSQL server for tests, from the
// binaries of the distribution's packages (Debian/Ubuntu: package
// "postgresql", binaries under /usr/lib/postgresql/<version>/bin; or
// initdb and postgres in PATH).
//
// Each server lives in its own temporary directory, listens on a free TCP
// port of 127.0.0.1 with trust authentication, and is stopped and removed
// when the test ends. PostgreSQL refuses to run as root: when the tests
// run as root (CI containers), initdb and postgres run as the "postgres"
// user (or "nobody" when there is none), with the directory handed to
// that user.
//
// Without PostgreSQL the test is skipped, unless the environment says
// CI=true, where a missing PostgreSQL is a failure.
package pgtest

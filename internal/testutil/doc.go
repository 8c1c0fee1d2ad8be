// Package testutil starts real kinesin servers for tests and builds the
// aws-sdk-go-v2 clients that talk to them, and polls for conditions so
// tests never sleep.
package testutil

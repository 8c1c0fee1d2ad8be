// Package server assembles one kinesin process: the NATS connection (an
// embedded JetStream server by default), the HTTP tier, every service
// registered on it, metrics and the pipeline file. `kinesin serve` and the
// integration tests start it the same way.
package server

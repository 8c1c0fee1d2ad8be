// Package lease shares work between kinesin processes on one NATS
// deployment: a process owns a piece of work (a shard of an event source
// mapping) while it holds that piece's lease, a JetStream KV entry naming
// it as owner until an expiry time it keeps pushing forward. A lease that
// is not renewed expires and any process may take it; every change is a
// compare-and-set on the entry's revision, so two processes never both
// believe they hold one lease.
//
// Processes also announce themselves (Heartbeat) so that each can count
// the live members and take only its fair share of the leases: when a
// process joins, the others give up their excess leases and it takes them;
// when one dies, its leases expire and the survivors take them.
//
// Expiry compares the holder's clock with the taker's, so clocks of the
// processes must agree to well within the TTL (NTP does).
package lease

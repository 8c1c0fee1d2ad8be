// Package failover tests kinesin processes sharing one NATS server: when
// one dies, event source mapping shards it owned move to the survivors
// through their leases, and every record is still delivered, at least
// once, with duplicates only from batches in flight at the kill.
package failover

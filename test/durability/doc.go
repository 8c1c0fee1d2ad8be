// Package durability holds tests that run the real kinesin binary as a
// separate process and kill it, to prove what --sync promises.
package durability

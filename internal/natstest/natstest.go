// Package natstest starts an embedded, in-process JetStream server for the
// tests of packages that talk to NATS directly (stores, checkpoints,
// leases), without the rest of kinesin.
package natstest

import (
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Start runs a JetStream server for the test and returns it with a
// connection to it; both stop when the test ends. With listen the server
// also takes TCP clients on a free local port (ns.ClientURL()), for
// kinesin processes started with --nats; otherwise the connection is
// in-process.
func Start(tb testing.TB, listen bool) (*natsserver.Server, *nats.Conn) {
	tb.Helper()
	opts := &natsserver.Options{JetStream: true, StoreDir: tb.TempDir(), NoSigs: true, MaxPayload: 8 << 20,
		Host: "127.0.0.1", Port: -1, DontListen: !listen}
	ns, err := natsserver.NewServer(opts)
	if err != nil {
		tb.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		tb.Fatal("nats not ready")
	}
	var nc *nats.Conn
	if listen {
		nc, err = nats.Connect(ns.ClientURL())
	} else {
		nc, err = nats.Connect("", nats.InProcessServer(ns))
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { nc.Close(); ns.Shutdown() })
	return ns, nc
}

// Conn runs an in-process JetStream server for the test and returns a
// connection to it.
func Conn(tb testing.TB) *nats.Conn {
	tb.Helper()
	_, nc := Start(tb, false)
	return nc
}

// JetStream is Conn's JetStream context.
func JetStream(tb testing.TB) jetstream.JetStream {
	tb.Helper()
	js, err := jetstream.New(Conn(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return js
}

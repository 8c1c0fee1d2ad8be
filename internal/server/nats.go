package server

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// embeddedNATS starts an in-process NATS server with JetStream storing
// under dataDir. It accepts no network clients: kinesin talks to it over an
// in-process connection, and users who want several processes point them
// at a NATS cluster with --nats instead.
func embeddedNATS(dataDir, sync string, log *slog.Logger) (*natsserver.Server, error) {
	opts := &natsserver.Options{
		ServerName:   "kinesin",
		DontListen:   true,
		JetStream:    true,
		StoreDir:     filepath.Join(dataDir, "jetstream"),
		NoSigs:       true,
		MaxPayload:   8 << 20,
		SyncInterval: time.Second,
		SyncAlways:   sync == "always",
	}
	ns, err := natsserver.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("server: embedded nats: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, fmt.Errorf("server: embedded nats did not start within 30s")
	}
	log.Info("embedded NATS JetStream ready", "store", opts.StoreDir, "sync", sync)
	return ns, nil
}

// connect opens the NATS connection: in-process to the embedded server, or
// to url.
func connect(ns *natsserver.Server, url string) (*nats.Conn, error) {
	opts := []nats.Option{nats.Name("kinesin"), nats.MaxReconnects(-1), nats.ReconnectBufSize(64 << 20)}
	if ns != nil {
		opts = append(opts, nats.InProcessServer(ns))
		url = ""
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("server: connect to nats %s: %w", url, err)
	}
	return nc, nil
}

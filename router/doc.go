// Package router is kinesin's HTTP tier: one port that speaks HTTP/1.1
// (fasthttp), HTTP/2 over cleartext with prior knowledge (h2c) and HTTP/2 or
// HTTP/1.1 over TLS (ALPN). Services register their operations with it —
// JSON-RPC services by X-Amz-Target prefix, REST services by method and path
// prefix — so no service is wired into the transport. The tier recovers
// panics into AWS-shaped 500 InternalFailure answers, serves /health and
// /metrics, and hands each handler a transport-neutral Request.
//
// Stream routes (HandleStreamPath, for PutMedia) get the request body as a
// reader while they answer (full duplex). fasthttp reads whole bodies
// before it calls a handler, so the sniffer that tells the protocols apart
// also recognises an HTTP/1.1 connection that opens with a stream route's
// request line and hands it to net/http instead; every other HTTP/1.1
// connection stays on fasthttp.
//
// Sub-packages hold the AWS wire protocols (awsproto) and the services
// (kinesis) and their storage.
package router

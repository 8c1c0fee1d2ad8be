package router

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSniff feeds the sniffer through net.Pipe, whose reads return one
// write at a time, so split prefaces are really split.
func TestSniff(t *testing.T) {
	preface := string(h2Preface)
	streams := &routeTable{heads: []string{"POST /putMedia", "PUT /up/"}, headMax: len("POST /putMedia")}
	cases := []struct {
		name   string
		writes []string
		want   proto
		peeked string
		err    bool
	}{
		{"http1 decided on the first byte", []string{"G", "ET / HTTP/1.1\r\n\r\n"}, protoHTTP1, "G", false},
		{"POST shares P with PRI", []string{"P", "OST / HTTP/1.1\r\n"}, protoHTTP1, "POST / HTTP/1.1\r\n", false},
		{"h2c in pieces", []string{"P", "RI * HTTP/2.0\r\n", "\r\nSM\r\n\r\n", "frames"}, protoH2C, preface, false},
		{"h2c at once", []string{preface + "frames"}, protoH2C, preface, false},
		{"tls", []string{"\x16\x03\x01\x02\x00"}, protoTLS, "\x16\x03\x01\x02\x00", false},
		{"short PRI then EOF", []string{"PRI * HT"}, 0, "", true},
		{"nothing", nil, 0, "", true},
		{"stream route", []string{"POST /putMedia HTTP/1.1\r\n"}, protoStream, "POST /putMedia HTTP/1.1\r", false},
		{"stream route in pieces", []string{"P", "OS", "T /put", "Media", "?x HTTP/1.1\r\n"}, protoStream, "POST /putMedia?x HTTP/1.", false},
		{"stream route below the prefix", []string{"POST /putMedia/a HTTP/1.1\r\n"}, protoStream, "POST /putMedia/a HTTP/1.", false},
		{"prefix ending in a slash", []string{"PUT /up/"}, protoStream, "PUT /up/", false},
		{"not a whole segment", []string{"POST /putMedia", "X HTTP/1.1\r\n"}, protoHTTP1, "POST /putMediaX HTTP/1.1", false},
		{"other path decided early", []string{"POST /", "getMedia HTTP/1.1\r\n"}, protoHTTP1, "POST /getMedia HTTP/1.1\r", false},
		{"other method decided on the first byte", []string{"G", "ET /putMedia HTTP/1.1\r\n"}, protoHTTP1, "G", false},
		{"h2c with stream routes", []string{"P", "RI * HTTP/2.0\r\n\r\nSM\r\n\r\n"}, protoH2C, preface, false},
		{"stream head then EOF", []string{"POST /put"}, 0, "", true},
	}
	// The sniffer reads at most max(len(h2Preface), longest head+1) bytes.
	// The cases from "stream route" on run with stream routes registered.
	firstStream := slices.IndexFunc(cases, func(c struct {
		name   string
		writes []string
		want   proto
		peeked string
		err    bool
	}) bool {
		return c.name == "stream route"
	})
	for i, c := range cases {
		routes := &routeTable{}
		if i >= firstStream {
			routes = streams
		}
		t.Run(c.name, func(t *testing.T) {
			client, server := net.Pipe()
			defer server.Close()
			go func() {
				for _, w := range c.writes {
					if _, err := io.WriteString(client, w); err != nil {
						return
					}
				}
				client.Close()
			}()
			sc := &conn{Conn: server}
			got, err := sc.sniff(routes)
			if c.err {
				if err == nil {
					t.Fatalf("sniff = %d, want an error", got)
				}
				return
			}
			if err != nil || got != c.want || string(sc.peeked) != c.peeked {
				t.Fatalf("sniff = %d, %v, peeked %q; want %d, %q", got, err, sc.peeked, c.want, c.peeked)
			}
			// Reading the conn gives back the whole stream, peeked bytes first.
			all, _ := io.ReadAll(sc)
			if want := strings.Join(c.writes, ""); string(all) != want {
				t.Errorf("replayed %q, want %q", all, want)
			}
		})
	}
}

// TestSilentClient: a connection that sends nothing must neither hold up
// other clients nor shutdown.
func TestSilentClient(t *testing.T) {
	h := newHarness(t, Config{}, transports()[0])
	silent, err := net.Dial("tcp", h.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	if r := h.do("GET", "/health", nil); r.StatusCode != 503 {
		t.Fatalf("health: %d", r.StatusCode)
	}
	h.client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	silent.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := silent.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("silent conn after Shutdown: %v, want EOF", err)
	}
}

func TestTLSOff(t *testing.T) {
	srv := New(Config{Listen: "127.0.0.1:0"})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	c, err := tls.Dial("tcp", srv.Addr(), &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		c.Close()
		t.Fatal("TLS handshake succeeded on a plain server")
	}
	resp, err := http.Get("http://" + srv.Addr() + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("health: %d", resp.StatusCode)
	}
}

func TestSelfSigned(t *testing.T) {
	cert, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		if err := cert.Leaf.VerifyHostname(host); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "localhost"}); err != nil {
		t.Errorf("verify against itself: %v", err)
	}
}

// TestTLSFiles serves a certificate from PEM files and verifies it as a
// client that trusts exactly that certificate would.
func TestTLSFiles(t *testing.T) {
	cert, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)

	srv := New(Config{Listen: "127.0.0.1:0", TLSCert: certFile, TLSKey: keyFile})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	srv.SetReady(true)
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	var protos http.Protocols
	protos.SetHTTP2(true)
	tr := &http.Transport{Protocols: &protos, TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	_, port, _ := net.SplitHostPort(srv.Addr())
	resp, err := (&http.Client{Transport: tr}).Get("https://localhost:" + port + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Errorf("%s %d", resp.Proto, resp.StatusCode)
	}
}

func TestStartErrors(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no listen":     {},
		"cert only":     {Listen: "127.0.0.1:0", TLSCert: "cert.pem"},
		"missing files": {Listen: "127.0.0.1:0", TLSCert: "nonexistent.pem", TLSKey: "nonexistent.key"},
		"bad address":   {Listen: "127.0.0.1:99999"},
	} {
		if err := New(cfg).Start(); err == nil {
			t.Errorf("%s: Start succeeded", name)
		}
	}
	srv := New(Config{Listen: "127.0.0.1:0"})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	if err := srv.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	if err := New(Config{}).Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown before Start: %v", err)
	}
}

func TestRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		var id requestID
		id.fill()
		u := string(id.uuid[:])
		if !uuidV4.MatchString(u) || seen[u] {
			t.Fatalf("bad or repeated id %q", u)
		}
		seen[u] = true
		if strings.ContainsAny(string(id.id2[:]), "\x00\r\n ") {
			t.Fatalf("x-amz-id-2 %q", id.id2)
		}
	}
}

package router

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// h2Preface is what an HTTP/2 client with prior knowledge sends first.
var h2Preface = []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")

// tlsHandshake is the first byte of a TLS record carrying a ClientHello.
const tlsHandshake = 0x16

type proto uint8

const (
	protoHTTP1 proto = iota
	protoH2C
	protoTLS
	protoStream // HTTP/1.1 whose first request is for a stream route
)

// conn is an accepted connection with the bytes the sniffer read put back
// in front, so that the server it is handed to sees the stream unchanged.
// Every path's Close (fasthttp's, net/http's, tls.Conn's) ends here, which
// untracks it.
type conn struct {
	net.Conn
	s      *Server
	buf    [64]byte // len(h2Preface), or the longest stream route head
	peeked []byte
	remote string // RemoteAddr().String() once, not per request
	handed atomic.Bool
	linger atomic.Bool // see lingerClose
	once   sync.Once
}

func (c *conn) Read(p []byte) (int, error) {
	if len(c.peeked) > 0 {
		n := copy(p, c.peeked)
		c.peeked = c.peeked[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

func (c *conn) Close() error {
	err := net.ErrClosed
	c.once.Do(func() {
		if c.linger.Load() {
			err = nil
			go c.lingerClose()
			return
		}
		err = c.closeNow()
	})
	return err
}

func (c *conn) closeNow() error {
	err := c.Conn.Close()
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
	return err
}

// Bounds of lingerClose.
const (
	lingerTimeout = time.Second
	lingerBytes   = 64 << 20
)

// lingerClose closes a connection the server answered before reading the
// whole request, as for a body over the limit. Closing a socket with
// unread input makes the kernel send RST, which can destroy the answer
// before the client reads it; so it sends FIN, reads and discards what the
// client still sends for a moment, and only then closes.
func (c *conn) lingerClose() {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	c.Conn.SetReadDeadline(time.Now().Add(lingerTimeout))
	io.Copy(io.Discard, io.LimitReader(c.Conn, lingerBytes))
	c.closeNow()
}

// sniff reads no more than it needs to tell the protocols apart: one byte
// for TLS and for every HTTP/1.1 method but PRI, and the whole preface for
// h2c. Only while the bytes could still start a stream route's request
// line (see HandleStreamPath) does it read on to tell those apart.
func (c *conn) sniff(t *routeTable) (proto, error) {
	buf := c.buf[:max(len(h2Preface), t.headMax+1)]
	if len(buf) > len(c.buf) {
		buf = make([]byte, len(buf))
	}
	n := 0
	for {
		m, err := c.Conn.Read(buf[n:])
		n += m
		c.peeked = buf[:n]
		if n > 0 {
			switch {
			case buf[0] == tlsHandshake:
				return protoTLS, nil
			case bytes.HasPrefix(c.peeked, h2Preface):
				return protoH2C, nil
			case bytes.HasPrefix(h2Preface, c.peeked):
				// could still be h2c
			default:
				switch t.matchHead(c.peeked) {
				case headNo:
					return protoHTTP1, nil
				case headYes:
					return protoStream, nil
				}
			}
		}
		if err != nil {
			return 0, err
		}
	}
}

// peekConn is a TLS connection whose first decrypted bytes the sniffer
// read, put back in front. It keeps tls.Conn's methods, so fasthttp still
// sees TLS.
type peekConn struct {
	*tls.Conn
	peeked []byte
}

func (p *peekConn) Read(b []byte) (int, error) {
	if len(p.peeked) > 0 {
		n := copy(b, p.peeked)
		p.peeked = p.peeked[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// sniffTLS tells whether the first request on an HTTP/1.1 TLS connection
// is for a stream route, reading only while the bytes could still say so.
func sniffTLS(tc *tls.Conn, t *routeTable) (*peekConn, headMatch, error) {
	buf := make([]byte, t.headMax+1)
	n := 0
	for {
		m, err := tc.Read(buf[n:])
		n += m
		if hm := t.matchHead(buf[:n]); n > 0 && hm != headMaybe {
			return &peekConn{Conn: tc, peeked: buf[:n]}, hm, nil
		}
		if err != nil {
			return nil, headNo, err
		}
	}
}

// ownConn finds the conn under a connection fasthttp serves.
func ownConn(nc net.Conn) *conn {
	if pc, ok := nc.(*peekConn); ok {
		nc = pc.Conn
	}
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	c, _ := nc.(*conn)
	return c
}

// remoteOf is Request.RemoteAddr for a connection fasthttp serves.
func remoteOf(nc net.Conn) string {
	if c := ownConn(nc); c != nil {
		return c.remote
	}
	return nc.RemoteAddr().String()
}

// acceptLoop only accepts: sniffing waits for the client, so it runs in a
// goroutine per connection under a deadline.
func (s *Server) acceptLoop() {
	defer s.serving.Done()
	var backoff time.Duration
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Error("router: accept", "err", err, "retryIn", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		c := &conn{Conn: nc, s: s, remote: nc.RemoteAddr().String()}
		s.mu.Lock()
		closing := s.shuttingDown
		if !closing {
			s.conns[c] = struct{}{}
		}
		s.mu.Unlock()
		if closing {
			nc.Close()
			continue
		}
		go s.handOff(c)
	}
}

// handOff sniffs c and gives it to the server of its protocol.
func (s *Server) handOff(c *conn) {
	c.SetDeadline(time.Now().Add(sniffTimeout))
	t := s.routes.Load()
	p, err := c.sniff(t)
	if err != nil {
		c.Close()
		return
	}
	switch p {
	case protoTLS:
		if s.tlsConf == nil {
			s.log.Debug("router: TLS client on a plain port", "remote", c.remote)
			c.Close()
			return
		}
		tc := tls.Server(c, s.tlsConf)
		if err := tc.Handshake(); err != nil {
			s.log.Debug("router: TLS handshake", "remote", c.remote, "err", err)
			c.Close()
			return
		}
		if tc.ConnectionState().NegotiatedProtocol == "h2" {
			c.SetDeadline(time.Time{})
			c.handed.Store(true)
			s.h2Ln.deliver(tc)
			return
		}
		if len(t.heads) == 0 {
			c.SetDeadline(time.Time{})
			c.handed.Store(true)
			s.fastLn.deliver(tc)
			return
		}
		// The first request is what it would have been on a plain port:
		// give it the time fasthttp gives a request.
		c.SetDeadline(time.Now().Add(readTimeout))
		pc, hm, err := sniffTLS(tc, t)
		if err != nil {
			c.Close()
			return
		}
		c.SetDeadline(time.Time{})
		c.handed.Store(true)
		if hm == headYes {
			s.h1Ln.deliver(pc)
		} else {
			s.fastLn.deliver(pc)
		}
	case protoH2C:
		c.SetDeadline(time.Time{})
		c.handed.Store(true)
		s.h2Ln.deliver(c)
	case protoStream:
		c.SetDeadline(time.Time{})
		c.handed.Store(true)
		s.h1Ln.deliver(c)
	default:
		c.SetDeadline(time.Time{})
		c.handed.Store(true)
		s.fastLn.deliver(c)
	}
}

// closeSniffing closes connections that have not shown their protocol yet,
// so a silent client does not hold shutdown for sniffTimeout.
func (s *Server) closeSniffing() {
	s.mu.Lock()
	var idle []*conn
	for c := range s.conns {
		if !c.handed.Load() {
			idle = append(idle, c)
		}
	}
	s.mu.Unlock()
	for _, c := range idle {
		c.Close()
	}
}

// chanListener is the net.Listener fasthttp and net/http serve: it yields
// the connections handOff sorted to it.
type chanListener struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, ch: make(chan net.Conn), done: make(chan struct{})}
}

// deliver blocks until the server accepts nc, or closes nc if the
// listener is closed first.
func (l *chanListener) deliver(nc net.Conn) {
	select {
	case l.ch <- nc:
	case <-l.done:
		nc.Close()
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case nc := <-l.ch:
		return nc, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }

package router

import (
	"cmp"
	"slices"
	"strings"
)

// routeTable is immutable once published: registration copies it, so the
// request path reads it through an atomic pointer without locks.
type routeTable struct {
	targets map[string]Handler // X-Amz-Target prefix → service
	paths   []pathRoute        // longest prefix first
	// heads are "METHOD PREFIX" of the stream routes, the request line
	// starts the connection sniffer looks for; headMax is the longest.
	heads   []string
	headMax int
}

type pathRoute struct {
	method, prefix string
	h              Handler
	stream         bool // body not read up front (HandleStreamPath)
}

// miss says why no handler matched, which picks the error answered.
type miss uint8

const (
	matched    miss = iota
	missTarget      // 400 UnknownOperationException
	missPath        // 404 UnknownOperationException
)

// HandleTarget routes POST requests whose X-Amz-Target is
// "<prefix>.<Operation>" to h, as the AWS JSON 1.1 and CBOR protocols
// address operations; h reads the operation from the header itself.
func (s *Server) HandleTarget(prefix string, h Handler) {
	if prefix == "" || h == nil {
		panic("router: HandleTarget needs a prefix and a handler")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.routes.Load().clone()
	t.targets[prefix] = h
	s.routes.Store(t)
}

// HandlePath routes requests whose path is pathPrefix or lies below it (a
// whole segment: "/a" matches "/a" and "/a/b", not "/ab") to h, for REST
// services. Method "" matches every method. The longest matching prefix
// wins; for equal prefixes a route with a method wins over one without.
func (s *Server) HandlePath(method, pathPrefix string, h Handler) {
	if !strings.HasPrefix(pathPrefix, "/") || h == nil {
		panic("router: HandlePath needs a path prefix starting with / and a handler")
	}
	s.addPath(pathRoute{method, pathPrefix, h, false})
}

// HandleStreamPath is HandlePath for routes whose request body is not read
// up front: Request.Body is nil and Request.BodyStream reads the body as it
// arrives (chunked or with a length), and the Response.Stream may keep
// reading BodyStream while it writes (full duplex), as PutMedia needs.
// MaxBodyBytes does not apply. The method is required.
//
// HTTP/2 streams are full duplex anyway. An HTTP/1.1 connection whose first
// request line starts with "METHOD PATHPREFIX" is served by net/http
// instead of fasthttp (later requests on it are routed as usual); a
// request for a stream route that arrives later on a connection fasthttp
// serves gets its body read whole first, within MaxBodyBytes, and
// BodyStream reads that copy.
func (s *Server) HandleStreamPath(method, pathPrefix string, h Handler) {
	if method == "" || strings.ContainsAny(method, " \r\n") || !strings.HasPrefix(pathPrefix, "/") || h == nil {
		panic("router: HandleStreamPath needs a method, a path prefix starting with / and a handler")
	}
	s.addPath(pathRoute{method, pathPrefix, h, true})
}

func (s *Server) addPath(route pathRoute) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.routes.Load().clone()
	t.paths = slices.DeleteFunc(t.paths, func(r pathRoute) bool { return r.method == route.method && r.prefix == route.prefix })
	t.paths = append(t.paths, route)
	slices.SortStableFunc(t.paths, func(a, b pathRoute) int {
		if c := cmp.Compare(len(b.prefix), len(a.prefix)); c != 0 {
			return c
		}
		return cmp.Compare(len(b.method), len(a.method))
	})
	t.heads, t.headMax = nil, 0
	for _, r := range t.paths {
		if r.stream {
			head := r.method + " " + r.prefix
			t.heads = append(t.heads, head)
			t.headMax = max(t.headMax, len(head))
		}
	}
	s.routes.Store(t)
}

func (t *routeTable) clone() *routeTable {
	c := &routeTable{targets: make(map[string]Handler, len(t.targets)+1), paths: slices.Clone(t.paths),
		heads: t.heads, headMax: t.headMax}
	for k, v := range t.targets {
		c.targets[k] = v
	}
	return c
}

// match picks the handler of a request and says whether its route is a
// stream route. A POST with X-Amz-Target is a JSON-RPC call and never
// falls through to REST routes.
func (t *routeTable) match(method, path, target string) (Handler, bool, miss) {
	if target != "" && method == "POST" {
		i := strings.LastIndexByte(target, '.')
		if i <= 0 || i == len(target)-1 {
			return nil, false, missTarget
		}
		if h := t.targets[target[:i]]; h != nil {
			return h, false, matched
		}
		return nil, false, missTarget
	}
	for _, r := range t.paths {
		if (r.method == "" || r.method == method) && underPrefix(path, r.prefix) {
			return r.h, r.stream, matched
		}
	}
	if method == "POST" && path == "/" {
		return nil, false, missTarget // a JSON-RPC call without X-Amz-Target
	}
	return nil, false, missPath
}

// headMatch is what the first bytes of an HTTP/1.1 connection say about
// its first request.
type headMatch uint8

const (
	headNo    headMatch = iota // not a stream route
	headMaybe                  // too few bytes to tell
	headYes                    // a stream route's request line
)

// matchHead compares the first bytes of a connection with the stream
// routes' request line starts. A prefix matches a whole path segment, so
// "POST /putMedia" needs the byte after it: a space, '?' or '/'.
func (t *routeTable) matchHead(b []byte) headMatch {
	res := headNo
	for _, h := range t.heads {
		switch {
		case len(b) > len(h):
			if string(b[:len(h)]) == h {
				if c := b[len(h)]; h[len(h)-1] == '/' || c == ' ' || c == '?' || c == '/' {
					return headYes
				}
			}
		case string(b) == h[:len(b)]:
			if len(b) == len(h) && h[len(h)-1] == '/' {
				return headYes
			}
			res = headMaybe
		}
	}
	return res
}

func underPrefix(path, prefix string) bool {
	return strings.HasPrefix(path, prefix) &&
		(len(path) == len(prefix) || prefix[len(prefix)-1] == '/' || path[len(prefix)] == '/')
}

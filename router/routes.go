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
}

type pathRoute struct {
	method, prefix string
	h              Handler
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
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.routes.Load().clone()
	t.paths = slices.DeleteFunc(t.paths, func(r pathRoute) bool { return r.method == method && r.prefix == pathPrefix })
	t.paths = append(t.paths, pathRoute{method, pathPrefix, h})
	slices.SortStableFunc(t.paths, func(a, b pathRoute) int {
		if c := cmp.Compare(len(b.prefix), len(a.prefix)); c != 0 {
			return c
		}
		return cmp.Compare(len(b.method), len(a.method))
	})
	s.routes.Store(t)
}

func (t *routeTable) clone() *routeTable {
	c := &routeTable{targets: make(map[string]Handler, len(t.targets)+1), paths: slices.Clone(t.paths)}
	for k, v := range t.targets {
		c.targets[k] = v
	}
	return c
}

// match picks the handler of a request. A POST with X-Amz-Target is a
// JSON-RPC call and never falls through to REST routes.
func (t *routeTable) match(method, path, target string) (Handler, miss) {
	if target != "" && method == "POST" {
		i := strings.LastIndexByte(target, '.')
		if i <= 0 || i == len(target)-1 {
			return nil, missTarget
		}
		if h := t.targets[target[:i]]; h != nil {
			return h, matched
		}
		return nil, missTarget
	}
	for _, r := range t.paths {
		if (r.method == "" || r.method == method) && underPrefix(path, r.prefix) {
			return r.h, matched
		}
	}
	if method == "POST" && path == "/" {
		return nil, missTarget // a JSON-RPC call without X-Amz-Target
	}
	return nil, missPath
}

func underPrefix(path, prefix string) bool {
	return strings.HasPrefix(path, prefix) &&
		(len(path) == len(prefix) || prefix[len(prefix)-1] == '/' || path[len(prefix)] == '/')
}

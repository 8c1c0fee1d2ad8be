package router

import (
	"testing"
)

func TestMatch(t *testing.T) {
	s := New(Config{})
	s.HandleTarget("Kinesis_20131202", handlerName{"kinesis"})
	s.HandleTarget("com.example.Svc_1", handlerName{"dotted"})
	s.HandlePath("GET", "/a", handlerName{"get-a"})
	s.HandlePath("", "/a", handlerName{"any-a"})
	s.HandlePath("GET", "/a/b", handlerName{"get-ab"})
	s.HandlePath("", "/c/", handlerName{"any-c"})
	s.HandlePath("GET", "/a", handlerName{"get-a2"}) // replaces get-a

	cases := []struct {
		method, path, target string
		want                 string
		miss                 miss
	}{
		{"POST", "/", "Kinesis_20131202.PutRecord", "kinesis", matched},
		{"POST", "/a", "Kinesis_20131202.PutRecord", "kinesis", matched}, // target wins over path
		{"POST", "/", "com.example.Svc_1.Op", "dotted", matched},
		{"POST", "/", "Kinesis_20131202", "", missTarget},
		{"POST", "/", "Kinesis_20131202.", "", missTarget},
		{"POST", "/", ".PutRecord", "", missTarget},
		{"POST", "/", "Other_1.PutRecord", "", missTarget},
		{"POST", "/", "", "", missTarget},
		{"POST", "/a", "", "any-a", matched},
		{"GET", "/a", "", "get-a2", matched},
		{"GET", "/a", "Kinesis_20131202.PutRecord", "get-a2", matched}, // targets are POST only
		{"GET", "/a/x", "", "get-a2", matched},
		{"GET", "/a/b", "", "get-ab", matched},
		{"GET", "/a/b/c", "", "get-ab", matched},
		{"PUT", "/a/b/c", "", "any-a", matched},
		{"GET", "/ab", "", "", missPath},
		{"GET", "/c/x", "", "any-c", matched},
		{"GET", "/c", "", "", missPath},
		{"GET", "/", "", "", missPath},
		{"POST", "/nope", "", "", missPath},
	}
	for _, c := range cases {
		h, _, m := s.routes.Load().match(c.method, c.path, c.target)
		got := ""
		if h != nil {
			got = h.(handlerName).name
		}
		if got != c.want || m != c.miss {
			t.Errorf("match(%s %s %q) = %q, %d; want %q, %d", c.method, c.path, c.target, got, m, c.want, c.miss)
		}
	}
}

type handlerName struct{ name string }

func (handlerName) Serve(*Request) *Response { return &Response{} }

func TestHandleBadRoutes(t *testing.T) {
	s := New(Config{})
	for name, f := range map[string]func(){
		"empty target":  func() { s.HandleTarget("", handlerName{}) },
		"nil handler":   func() { s.HandleTarget("X", nil) },
		"relative path": func() { s.HandlePath("GET", "a", handlerName{}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

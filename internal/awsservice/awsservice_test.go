package awsservice

import (
	"slices"
	"testing"
)

type kv struct{ k, v string }

func key(t kv) string { return t.k }

func TestTags(t *testing.T) {
	for _, tc := range []struct {
		name      string
		have, add []kv
		drop      []string
		want      []kv
	}{
		{"add", nil, []kv{{"a", "1"}, {"b", "2"}}, nil, []kv{{"a", "1"}, {"b", "2"}}},
		{"overwrite keeps place", []kv{{"a", "1"}, {"b", "2"}}, []kv{{"a", "3"}}, nil, []kv{{"a", "3"}, {"b", "2"}}},
		{"repeated key: last wins", nil, []kv{{"a", "1"}, {"a", "2"}}, nil, []kv{{"a", "2"}}},
		{"drop", []kv{{"a", "1"}, {"b", "2"}, {"c", "3"}}, nil, []string{"a", "c", "x"}, []kv{{"b", "2"}}},
	} {
		got := DropTags(MergeTags(tc.have, tc.add, key), key, tc.drop)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPage(t *testing.T) {
	s := func(v string) *string { return &v }
	id := func(v string) string { return v }
	for _, tc := range []struct {
		items []string
		after *string
		limit int
		want  []string
		more  bool
	}{
		{[]string{"c", "a", "b"}, nil, 10, []string{"a", "b", "c"}, false},
		{[]string{"c", "a", "b"}, nil, 2, []string{"a", "b"}, true},
		{[]string{"c", "a", "b"}, s("a"), 2, []string{"b", "c"}, false},
		{[]string{"c", "a", "b"}, s("c"), 2, nil, false},
		{[]string{"a"}, nil, 0, nil, true},
	} {
		got, more := Page(slices.Clone(tc.items), id, tc.after, tc.limit)
		if !slices.Equal(got, tc.want) || more != tc.more {
			t.Errorf("Page(%v, %v, %d) = %v, %v; want %v, %v", tc.items, tc.after, tc.limit, got, more, tc.want, tc.more)
		}
	}
}

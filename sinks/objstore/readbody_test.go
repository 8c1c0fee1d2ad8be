package objstore

import (
	"strings"
	"testing"
)

func TestReadBody(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		name    string
		body    string
		length  *int64
		want    string
		wantErr string
	}{
		{"announced", "hello", n(5), "hello", ""},
		{"unknown length", "hello", nil, "hello", ""},
		{"negative length", "hello", n(-1), "hello", ""},
		{"empty", "", n(0), "", ""},
		{"shorter", "hell", n(5), "", "shorter"},
		{"longer", "hello!", n(5), "", "longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBody(strings.NewReader(tt.body), tt.length)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("readBody = %q, %v; want an error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("readBody = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

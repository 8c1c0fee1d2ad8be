package dest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestRetry(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name      string
		r         Retry
		succeedAt int // 0: never
		attempts  int
		err       error
	}{
		{"first try", Retry{Duration: time.Second, Initial: time.Millisecond}, 1, 1, nil},
		{"third try", Retry{Duration: time.Second, Initial: time.Millisecond}, 3, 3, nil},
		{"no duration: one attempt", Retry{Initial: time.Millisecond}, 0, 1, boom},
		{"gives up", Retry{Duration: 20 * time.Millisecond, Initial: time.Millisecond, Max: 2 * time.Millisecond}, 0, -1, boom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := tc.r.Do(context.Background(), func(n int) (bool, error) {
				if n == tc.succeedAt {
					return true, nil
				}
				return false, boom
			})
			if !errors.Is(err, tc.err) && err != tc.err || tc.attempts > 0 && n != tc.attempts || n < 1 {
				t.Fatalf("attempts %d, err %v", n, err)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Retry{Duration: time.Hour}).Do(ctx, func(int) (bool, error) { return false, boom }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestFailureJSON(t *testing.T) {
	at := time.UnixMilli(1700000000123)
	f := Failure{Record: Record{ID: "r", Data: []byte("hi"), Arrival: at}, OutputType: "http-endpoint-failed",
		ErrorCode: "HttpEndpoint.DestinationException", ErrorMessage: "down", AttemptsMade: 3, AttemptEnding: at,
		Extra: map[string]any{"esDocumentId": "d"}}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"attemptsMade": 3.0, "arrivalTimestamp": 1700000000123.0, "errorCode": "HttpEndpoint.DestinationException",
		"errorMessage": "down", "attemptEndingTimestamp": 1700000000123.0, "rawData": "aGk=", "esDocumentId": "d"}
	if len(doc) != len(want) {
		t.Fatalf("document %v", doc)
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %v", k, doc[k], v)
		}
	}
}

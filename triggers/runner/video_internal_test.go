package runner

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/kinesin/kinesin/runtime/engine"
)

func videoRecs(numbers ...string) []engine.Record {
	out := make([]engine.Record, len(numbers))
	for i, n := range numbers {
		out[i] = engine.Record{SequenceNumber: n, Data: []byte(`{"eventID":"` + n + `"}`)}
	}
	return out
}

// TestBatchItemFailures: a video function's partial batch response, read
// as Lambda reads a Kinesis one.
func TestBatchItemFailures(t *testing.T) {
	recs := videoRecs("91", "92", "93")
	for _, c := range []struct {
		name, resp string
		want       []string
	}{
		{"nothing", ``, nil},
		{"null", `null`, nil},
		{"empty object", `{}`, nil},
		{"null list", `{"batchItemFailures":null}`, nil},
		{"empty list", `{"batchItemFailures":[]}`, nil},
		{"not JSON", `oops`, nil},
		{"another shape", `{"statusCode":200}`, nil},
		{"one", `{"batchItemFailures":[{"itemIdentifier":"92"}]}`, []string{"92"}},
		{"two", `{"batchItemFailures":[{"itemIdentifier":"93"},{"itemIdentifier":"92"}]}`, []string{"93", "92"}},
		{"unknown identifier", `{"batchItemFailures":[{"itemIdentifier":"92"},{"itemIdentifier":"99"}]}`, []string{"91"}},
		{"empty identifier", `{"batchItemFailures":[{"itemIdentifier":""}]}`, []string{"91"}},
		{"missing identifier", `{"batchItemFailures":[{}]}`, []string{"91"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := batchItemFailures(recs, []byte(c.resp)); !slices.Equal(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// FuzzBatchItemFailures: any response is read without panicking, and what
// it reports failed is in the batch.
func FuzzBatchItemFailures(f *testing.F) {
	f.Add([]byte(`{"batchItemFailures":[{"itemIdentifier":"92"}]}`))
	f.Add([]byte(`{"batchItemFailures":[{"itemIdentifier":""},null,1]}`))
	f.Add([]byte(`{"batchItemFailures":{"itemIdentifier":"92"}}`))
	f.Add([]byte(`[]`))
	recs := videoRecs("91", "92", "93")
	f.Fuzz(func(t *testing.T, resp []byte) {
		for _, s := range batchItemFailures(recs, resp) {
			if s != "91" && s != "92" && s != "93" {
				t.Fatalf("reported %q, not in the batch", s)
			}
		}
	})
}

// TestVideoEvent: the event is {"Records":[…]} of the records' data.
func TestVideoEvent(t *testing.T) {
	for _, recs := range [][]engine.Record{videoRecs(), videoRecs("1"), videoRecs("1", "2", "3")} {
		b := videoEvent(recs)
		var ev struct{ Records []struct{ EventID string } }
		if err := json.Unmarshal(b, &ev); err != nil || len(ev.Records) != len(recs) {
			t.Fatalf("event %s: %v", b, err)
		}
		for i := range recs {
			if ev.Records[i].EventID != recs[i].SequenceNumber {
				t.Fatalf("event %s", b)
			}
		}
	}
}

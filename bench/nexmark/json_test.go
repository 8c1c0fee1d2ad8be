package nexmark

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestJSONRoundTrip(t *testing.T) {
	events := Generate(Config{}, 2000)
	events = append(events,
		Event{Person: &Person{ID: 1, Name: "quote \" back \\ tab \t nl \n ctl \x01 é ☃", DateTime: time.UnixMilli(1).UTC()}},
		Event{Auction: &Auction{ID: -5, DateTime: time.UnixMilli(-1000).UTC(), Expires: time.UnixMilli(253402300799999).UTC()}},
		Event{Bid: &Bid{Price: 1 << 62, Extra: "</script>&", DateTime: BaseTime}},
	)
	for i, e := range events {
		b := e.JSON()
		if !json.Valid(b) {
			t.Fatalf("event %d: invalid JSON %s", i, b)
		}
		got, err := ParseEvent(b)
		if err != nil {
			t.Fatalf("event %d: ParseEvent(%s): %v", i, b, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("event %d: round trip\n got %+v\nwant %+v\njson %s", i, got, e, b)
		}
		// encoding/json reads the same strings.
		var m map[string]map[string]any
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		delete(raw, "event_type")
		rb, _ := json.Marshal(raw)
		if err := json.Unmarshal(rb, &m); err != nil {
			t.Fatal(err)
		}
		if p := e.Person; p != nil && m["person"]["name"] != p.Name {
			t.Fatalf("event %d: encoding/json reads name %q, want %q", i, m["person"]["name"], p.Name)
		}
	}
}

// TestJSONShape pins the member names and order, Flink's Nexmark JSON.
func TestJSONShape(t *testing.T) {
	tm := time.Date(2015, 7, 15, 0, 0, 1, 5e6, time.UTC)
	tests := []struct {
		e    Event
		want string
	}{
		{Event{Person: &Person{ID: 1000, Name: "Peter Jones", EmailAddress: "a@b.com", CreditCard: "0001 0002 0003 0004", City: "Bend", State: "OR", DateTime: tm, Extra: "x"}},
			`{"event_type":0,"person":{"id":1000,"name":"Peter Jones","emailAddress":"a@b.com","creditCard":"0001 0002 0003 0004","city":"Bend","state":"OR","dateTime":"2015-07-15 00:00:01.005","extra":"x"},"auction":null,"bid":null}`},
		{Event{Auction: &Auction{ID: 1001, ItemName: "i", Description: "d", InitialBid: 100, Reserve: 200, DateTime: tm, Expires: tm.Add(time.Second), Seller: 1000, Category: 10, Extra: ""}},
			`{"event_type":1,"person":null,"auction":{"id":1001,"itemName":"i","description":"d","initialBid":100,"reserve":200,"dateTime":"2015-07-15 00:00:01.005","expires":"2015-07-15 00:00:02.005","seller":1000,"category":10,"extra":""},"bid":null}`},
		{Event{Bid: &Bid{Auction: 1000, Bidder: 1001, Price: 5, Channel: "Apple", URL: "https://www.nexmark.com/a/b/c/item.htm?query=1", DateTime: tm, Extra: `a\b`}},
			`{"event_type":2,"person":null,"auction":null,"bid":{"auction":1000,"bidder":1001,"price":5,"channel":"Apple","url":"https://www.nexmark.com/a/b/c/item.htm?query=1","dateTime":"2015-07-15 00:00:01.005","extra":"a\\b"}}`},
		{Event{}, `{"event_type":-1,"person":null,"auction":null,"bid":null}`},
	}
	for _, tt := range tests {
		if got := string(tt.e.JSON()); got != tt.want {
			t.Errorf("JSON\n got %s\nwant %s", got, tt.want)
		}
	}
}

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name, in, err string
		want          Event
	}{
		{"flink fraction-less time", `{"event_type":2,"bid":{"auction":1,"dateTime":"2015-07-15 00:00:01"}}`, "",
			Event{Bid: &Bid{Auction: 1, DateTime: time.Date(2015, 7, 15, 0, 0, 1, 0, time.UTC)}}},
		{"rfc 3339 time, no event_type", `{"person":{"id":3,"dateTime":"2015-07-15T01:00:00.5+01:00"}}`, "",
			Event{Person: &Person{ID: 3, DateTime: time.Date(2015, 7, 15, 0, 0, 0, 5e8, time.UTC)}}},
		{"none set", `{"event_type":0,"person":null}`, "0 of person, auction and bid are set", Event{}},
		{"two set", `{"person":{},"bid":{}}`, "2 of person, auction and bid are set", Event{}},
		{"wrong type", `{"event_type":1,"bid":{}}`, "event_type 1 but the bid member is set", Event{}},
		{"bad time", `{"bid":{"dateTime":"yesterday"}}`, "timestamp \"yesterday\"", Event{}},
		{"not json", `{`, "parse event", Event{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseEvent(f *testing.F) {
	for _, i := range []int64{0, 1, 4} {
		f.Add(Config{}.Event(i).JSON())
	}
	f.Add([]byte(`{"event_type":2,"bid":{"auction":1,"dateTime":"2015-07-15 00:00:01"}}`))
	f.Add([]byte(`{"person":{"name":"\u0000\ud800"},"auction":null}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEvent(b)
		if err != nil {
			return
		}
		// What parses re-encodes to valid JSON that parses to the same
		// event (times to the millisecond, as records carry them).
		out := e.JSON()
		if !json.Valid(out) {
			t.Fatalf("re-encoded %q is not valid JSON", out)
		}
		again, err := ParseEvent(out)
		if err != nil {
			t.Fatalf("re-encoded %s does not parse: %v", out, err)
		}
		if !reflect.DeepEqual(again.JSON(), out) {
			t.Fatalf("not stable: %s then %s", out, again.JSON())
		}
	})
}

func TestAppendTime(t *testing.T) {
	for _, tm := range []time.Time{
		BaseTime,
		time.Date(1, 2, 3, 4, 5, 6, 7e6, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2024, 6, 30, 22, 0, 0, 0, time.FixedZone("x", -7200)),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		want := `,"t":"` + tm.UTC().Format(TimeLayout) + `"`
		if got := string(appendTime(nil, `,"t":`, tm)); got != want {
			t.Errorf("appendTime(%v) = %s, want %s", tm, got, want)
		}
	}
}

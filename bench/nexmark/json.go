package nexmark

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/kinesin/kinesin/internal/jsonenc"
)

// TimeLayout is the layout of timestamps in JSON records: SQL's TIMESTAMP
// literal form, UTC, to the millisecond.
const TimeLayout = "2006-01-02 15:04:05.000"

// JSON answers e as a JSON record (see the package documentation for the
// shape); the zero Event gives {"event_type":-1,...} with all members null.
func (e Event) JSON() []byte { return e.AppendJSON(make([]byte, 0, 320)) }

// AppendJSON appends e.JSON() to b without reflection, for producers that
// reuse buffers.
func (e Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"event_type":`...)
	b = strconv.AppendInt(b, int64(e.Kind()), 10)
	b = append(b, `,"person":`...)
	if p := e.Person; p != nil {
		b = appendInt(b, `{"id":`, p.ID)
		b = appendStr(b, `,"name":`, p.Name)
		b = appendStr(b, `,"emailAddress":`, p.EmailAddress)
		b = appendStr(b, `,"creditCard":`, p.CreditCard)
		b = appendStr(b, `,"city":`, p.City)
		b = appendStr(b, `,"state":`, p.State)
		b = appendTime(b, `,"dateTime":`, p.DateTime)
		b = appendStr(b, `,"extra":`, p.Extra)
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"auction":`...)
	if a := e.Auction; a != nil {
		b = appendInt(b, `{"id":`, a.ID)
		b = appendStr(b, `,"itemName":`, a.ItemName)
		b = appendStr(b, `,"description":`, a.Description)
		b = appendInt(b, `,"initialBid":`, a.InitialBid)
		b = appendInt(b, `,"reserve":`, a.Reserve)
		b = appendTime(b, `,"dateTime":`, a.DateTime)
		b = appendTime(b, `,"expires":`, a.Expires)
		b = appendInt(b, `,"seller":`, a.Seller)
		b = appendInt(b, `,"category":`, a.Category)
		b = appendStr(b, `,"extra":`, a.Extra)
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"bid":`...)
	if d := e.Bid; d != nil {
		b = appendInt(b, `{"auction":`, d.Auction)
		b = appendInt(b, `,"bidder":`, d.Bidder)
		b = appendInt(b, `,"price":`, d.Price)
		b = appendStr(b, `,"channel":`, d.Channel)
		b = appendStr(b, `,"url":`, d.URL)
		b = appendTime(b, `,"dateTime":`, d.DateTime)
		b = appendStr(b, `,"extra":`, d.Extra)
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	return append(b, '}')
}

func appendInt(b []byte, key string, v int64) []byte {
	return strconv.AppendInt(append(b, key...), v, 10)
}

func appendTime(b []byte, key string, t time.Time) []byte {
	b = append(b, key...)
	b = append(b, '"')
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		b = t.AppendFormat(b, TimeLayout)
		return append(b, '"')
	}
	h, mi, s := t.Clock()
	ms := t.Nanosecond() / 1e6
	// Digits by hand: AppendFormat costs a quarter of a record's encoding.
	return append(b,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+int(mo)/10), byte('0'+int(mo)%10), '-',
		byte('0'+d/10), byte('0'+d%10), ' ',
		byte('0'+h/10), byte('0'+h%10), ':',
		byte('0'+mi/10), byte('0'+mi%10), ':',
		byte('0'+s/10), byte('0'+s%10), '.',
		byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), '"')
}

// appendStr appends key and s as a JSON string.
func appendStr(b []byte, key, s string) []byte {
	return jsonenc.AppendString(append(b, key...), s)
}

// jsonTime is a timestamp member of a record.
type jsonTime struct{ t time.Time }

func (j *jsonTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := parseTime(s)
	if err != nil {
		return err
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Errorf("nexmark: timestamp %q is outside years 0 to 9999 UTC", s)
	}
	j.t = t
	return nil
}

// parseTime accepts the SQL form with 0 to 9 fraction digits (what Flink's
// JSON format writes) and RFC 3339.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02 15:04:05.999999999", s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("nexmark: timestamp %q is neither %q nor RFC 3339", s, TimeLayout)
}

type jsonPerson struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	EmailAddress string   `json:"emailAddress"`
	CreditCard   string   `json:"creditCard"`
	City         string   `json:"city"`
	State        string   `json:"state"`
	DateTime     jsonTime `json:"dateTime"`
	Extra        string   `json:"extra"`
}

type jsonAuction struct {
	ID          int64    `json:"id"`
	ItemName    string   `json:"itemName"`
	Description string   `json:"description"`
	InitialBid  int64    `json:"initialBid"`
	Reserve     int64    `json:"reserve"`
	DateTime    jsonTime `json:"dateTime"`
	Expires     jsonTime `json:"expires"`
	Seller      int64    `json:"seller"`
	Category    int64    `json:"category"`
	Extra       string   `json:"extra"`
}

type jsonBid struct {
	Auction  int64    `json:"auction"`
	Bidder   int64    `json:"bidder"`
	Price    int64    `json:"price"`
	Channel  string   `json:"channel"`
	URL      string   `json:"url"`
	DateTime jsonTime `json:"dateTime"`
	Extra    string   `json:"extra"`
}

type jsonEvent struct {
	EventType *int         `json:"event_type"`
	Person    *jsonPerson  `json:"person"`
	Auction   *jsonAuction `json:"auction"`
	Bid       *jsonBid     `json:"bid"`
}

// ParseEvent decodes a record in the shape Event.JSON writes. Exactly one
// of person, auction and bid must be non-null, and event_type, when
// present, must name it.
func ParseEvent(b []byte) (Event, error) {
	var j jsonEvent
	if err := json.Unmarshal(b, &j); err != nil {
		return Event{}, fmt.Errorf("nexmark: parse event: %w", err)
	}
	var e Event
	set := 0
	if p := j.Person; p != nil {
		set++
		e.Person = &Person{ID: p.ID, Name: p.Name, EmailAddress: p.EmailAddress, CreditCard: p.CreditCard,
			City: p.City, State: p.State, DateTime: p.DateTime.t, Extra: p.Extra}
	}
	if a := j.Auction; a != nil {
		set++
		e.Auction = &Auction{ID: a.ID, ItemName: a.ItemName, Description: a.Description, InitialBid: a.InitialBid,
			Reserve: a.Reserve, DateTime: a.DateTime.t, Expires: a.Expires.t, Seller: a.Seller, Category: a.Category, Extra: a.Extra}
	}
	if d := j.Bid; d != nil {
		set++
		e.Bid = &Bid{Auction: d.Auction, Bidder: d.Bidder, Price: d.Price, Channel: d.Channel, URL: d.URL,
			DateTime: d.DateTime.t, Extra: d.Extra}
	}
	if set != 1 {
		return Event{}, fmt.Errorf("nexmark: parse event: %d of person, auction and bid are set, want exactly 1", set)
	}
	if j.EventType != nil && Kind(*j.EventType) != e.Kind() {
		return Event{}, fmt.Errorf("nexmark: parse event: event_type %d but the %s member is set", *j.EventType, e.Kind())
	}
	return e, nil
}

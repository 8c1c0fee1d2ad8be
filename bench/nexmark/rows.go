package nexmark

import (
	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// The in-application input streams the queries read, in the order of
// Inputs: Flink's person, auction and bid views of its one datagen table,
// as three inputs (kinesin's engine takes rows per input, so the event
// kind needs no column of its own and no filter).
const (
	InputPerson  = 0
	InputAuction = 1
	InputBid     = 2
)

// Column names are Flink's, upper-cased as unquoted SQL identifiers are.
var (
	bigint    = eval.Type{Kind: eval.BigInt}
	varchar   = eval.Type{Kind: eval.Varchar}
	timestamp = eval.Type{Kind: eval.Timestamp}

	personColumns = []engine.Column{
		{Name: "ID", Type: bigint},
		{Name: "NAME", Type: varchar},
		{Name: "EMAILADDRESS", Type: varchar},
		{Name: "CREDITCARD", Type: varchar},
		{Name: "CITY", Type: varchar},
		{Name: "STATE", Type: varchar},
		{Name: "DATETIME", Type: timestamp},
		{Name: "EXTRA", Type: varchar},
	}
	auctionColumns = []engine.Column{
		{Name: "ID", Type: bigint},
		{Name: "ITEMNAME", Type: varchar},
		{Name: "DESCRIPTION", Type: varchar},
		{Name: "INITIALBID", Type: bigint},
		{Name: "RESERVE", Type: bigint},
		{Name: "DATETIME", Type: timestamp},
		{Name: "EXPIRES", Type: timestamp},
		{Name: "SELLER", Type: bigint},
		{Name: "CATEGORY", Type: bigint},
		{Name: "EXTRA", Type: varchar},
	}
	bidColumns = []engine.Column{
		{Name: "AUCTION", Type: bigint},
		{Name: "BIDDER", Type: bigint},
		{Name: "PRICE", Type: bigint},
		{Name: "CHANNEL", Type: varchar},
		{Name: "URL", Type: varchar},
		{Name: "DATETIME", Type: timestamp},
		{Name: "EXTRA", Type: varchar},
	}
)

// Inputs answers the engine inputs PERSON, AUCTION and BID (indexes
// InputPerson, InputAuction, InputBid) with Flink's columns. Strings are
// unbounded VARCHARs, as in Flink's schema.
func Inputs() []engine.Input {
	return []engine.Input{
		{Name: "PERSON", Columns: personColumns},
		{Name: "AUCTION", Columns: auctionColumns},
		{Name: "BID", Columns: bidColumns},
	}
}

// width answers how many values the row of an event of kind k has.
func width(k Kind) int {
	switch k {
	case KindPerson:
		return len(personColumns)
	case KindAuction:
		return len(auctionColumns)
	case KindBid:
		return len(bidColumns)
	}
	return 0
}

// Row answers the input (InputPerson, InputAuction or InputBid) and the
// engine row of e, its ROWTIME the event time. vals, when long enough,
// holds the values (so that many rows share one allocation); the row
// keeps it. The zero Event answers -1.
func (e Event) Row(vals []eval.Value) (int, engine.Row) {
	n := width(e.Kind())
	if len(vals) < n {
		vals = make([]eval.Value, n)
	}
	v := eval.Row(vals[:n:n])
	switch {
	case e.Person != nil:
		p := e.Person
		ms := p.DateTime.UnixMilli()
		v[0] = eval.BigIntValue(p.ID)
		v[1] = eval.Str(p.Name)
		v[2] = eval.Str(p.EmailAddress)
		v[3] = eval.Str(p.CreditCard)
		v[4] = eval.Str(p.City)
		v[5] = eval.Str(p.State)
		v[6] = eval.TimestampMillis(ms)
		v[7] = eval.Str(p.Extra)
		return InputPerson, engine.Row{Time: ms, Values: v}
	case e.Auction != nil:
		a := e.Auction
		ms := a.DateTime.UnixMilli()
		v[0] = eval.BigIntValue(a.ID)
		v[1] = eval.Str(a.ItemName)
		v[2] = eval.Str(a.Description)
		v[3] = eval.BigIntValue(a.InitialBid)
		v[4] = eval.BigIntValue(a.Reserve)
		v[5] = eval.TimestampMillis(ms)
		v[6] = eval.TimestampMillis(a.Expires.UnixMilli())
		v[7] = eval.BigIntValue(a.Seller)
		v[8] = eval.BigIntValue(a.Category)
		v[9] = eval.Str(a.Extra)
		return InputAuction, engine.Row{Time: ms, Values: v}
	case e.Bid != nil:
		b := e.Bid
		ms := b.DateTime.UnixMilli()
		v[0] = eval.BigIntValue(b.Auction)
		v[1] = eval.BigIntValue(b.Bidder)
		v[2] = eval.BigIntValue(b.Price)
		v[3] = eval.Str(b.Channel)
		v[4] = eval.Str(b.URL)
		v[5] = eval.TimestampMillis(ms)
		v[6] = eval.Str(b.Extra)
		return InputBid, engine.Row{Time: ms, Values: v}
	}
	return -1, engine.Row{}
}

// Feed is a stream of events pre-generated as engine rows, in stream
// order: event i goes to input Input[i] as Rows[i].
type Feed struct {
	Input []uint8
	Rows  []engine.Row
}

// Len answers the number of events.
func (f *Feed) Len() int { return len(f.Rows) }

// NewFeed converts events to a Feed; all values share one allocation.
// Zero Events are skipped.
func NewFeed(events []Event) *Feed {
	total := 0
	for _, e := range events {
		total += width(e.Kind())
	}
	vals := make([]eval.Value, total)
	f := &Feed{Input: make([]uint8, 0, len(events)), Rows: make([]engine.Row, 0, len(events))}
	for _, e := range events {
		in, r := e.Row(vals)
		if in < 0 {
			continue
		}
		vals = vals[len(r.Values):]
		f.Input = append(f.Input, uint8(in))
		f.Rows = append(f.Rows, r)
	}
	return f
}

// GenerateFeed answers events 0 to n-1 of c as a Feed, generating them in
// chunks so that the Events themselves need not all be in memory at once.
func GenerateFeed(c Config, n int) *Feed {
	const chunk = 1 << 20
	f := &Feed{Input: make([]uint8, 0, n), Rows: make([]engine.Row, 0, n)}
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		s := c
		s.FirstEventNumber = c.FirstEventNumber + int64(lo)
		part := NewFeed(Generate(s, hi-lo))
		f.Input = append(f.Input, part.Input...)
		f.Rows = append(f.Rows, part.Rows...)
	}
	return f
}

package nexmark

import "time"

// Person is a new person registering (Nexmark's Person / Flink's person
// row).
type Person struct {
	ID           int64
	Name         string
	EmailAddress string
	CreditCard   string
	City         string
	State        string
	DateTime     time.Time
	Extra        string
}

// Auction is a new auction opening (Nexmark's Auction / Flink's auction
// row). Prices are in cents.
type Auction struct {
	ID          int64
	ItemName    string
	Description string
	InitialBid  int64
	Reserve     int64
	DateTime    time.Time
	Expires     time.Time
	Seller      int64
	Category    int64
	Extra       string
}

// Bid is a bid on an auction (Nexmark's Bid / Flink's bid row). Price is in
// cents.
type Bid struct {
	Auction  int64
	Bidder   int64
	Price    int64
	Channel  string
	URL      string
	DateTime time.Time
	Extra    string
}

// Event is one event of the stream: exactly one member is set.
type Event struct {
	Person  *Person
	Auction *Auction
	Bid     *Bid
}

// Kind is an event's kind, numbered as Flink's event_type column.
type Kind int

// The kinds of event.
const (
	KindPerson  Kind = 0
	KindAuction Kind = 1
	KindBid     Kind = 2
	// KindNone is the kind of the zero Event.
	KindNone Kind = -1
)

// String answers "person", "auction", "bid" or "none".
func (k Kind) String() string {
	switch k {
	case KindPerson:
		return "person"
	case KindAuction:
		return "auction"
	case KindBid:
		return "bid"
	}
	return "none"
}

// Kind answers which member of e is set.
func (e Event) Kind() Kind {
	switch {
	case e.Person != nil:
		return KindPerson
	case e.Auction != nil:
		return KindAuction
	case e.Bid != nil:
		return KindBid
	}
	return KindNone
}

// Time answers the event's event time (its dateTime), the zero time for the
// zero Event.
func (e Event) Time() time.Time {
	switch {
	case e.Person != nil:
		return e.Person.DateTime
	case e.Auction != nil:
		return e.Auction.DateTime
	case e.Bid != nil:
		return e.Bid.DateTime
	}
	return time.Time{}
}

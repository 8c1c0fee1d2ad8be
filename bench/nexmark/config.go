package nexmark

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Constants of the reference generator (not configurable there either).
const (
	// FirstPersonID, FirstAuctionID and FirstCategoryID are the smallest
	// ids; starting above 0 helps queries find matches on small data sets.
	FirstPersonID   = 1000
	FirstAuctionID  = 1000
	FirstCategoryID = 10

	// NumCategories is how many categories auctions fall in.
	NumCategories = 5
	// PersonIDLead and AuctionIDLead are how many not yet created people
	// and auctions a random pick may name.
	PersonIDLead  = 10
	AuctionIDLead = 10
	// HotSellerRatio, HotAuctionRatio and HotBidderRatio: the hot seller
	// is the latest person whose base-0 id is a multiple of 100, the hot
	// auction the latest auction whose base-0 id is one, the hot bidder the
	// latest person whose base-0 id is one more than one.
	HotSellerRatio  = 100
	HotAuctionRatio = 100
	HotBidderRatio  = 100
)

// BaseTime is the event time of event number 0 in the reference generator
// when it does not use the wall clock: 2015-07-15T00:00:00Z.
var BaseTime = time.Date(2015, 7, 15, 0, 0, 0, 0, time.UTC)

// Config is the part of Nexmark's NexmarkConfiguration and GeneratorConfig
// that shapes the event stream. A zero member takes its default (the value
// DefaultConfig gives), so Config{} generates the standard stream.
type Config struct {
	// NumEvents bounds a Generator; 0 means unbounded.
	NumEvents int64
	// FirstEventRate is the overall event rate in events per second of
	// event time (default 10 000).
	FirstEventRate int
	// NumEventGenerators is how many generators share that rate, each on
	// its own timeline (default 1). The inter-event delay of one generator
	// is 10⁶/FirstEventRate × NumEventGenerators microseconds.
	NumEventGenerators int

	// PersonProportion, AuctionProportion and BidProportion set the mix
	// (defaults 1, 3, 46).
	PersonProportion  int
	AuctionProportion int
	BidProportion     int

	// AvgPersonByteSize, AvgAuctionByteSize and AvgBidByteSize are the
	// average idealized record sizes the "extra" member pads to (defaults
	// 200, 500, 100).
	AvgPersonByteSize  int
	AvgAuctionByteSize int
	AvgBidByteSize     int

	// HotAuctionRatio: a bid goes to the hot auction with probability
	// 1-1/HotAuctionRatio (default 2). HotSellersRatio and HotBiddersRatio
	// do the same for an auction's seller and a bid's bidder (default 4).
	// 1 disables hot entities.
	HotAuctionRatio int
	HotSellersRatio int
	HotBiddersRatio int

	// NumInFlightAuctions is the average number of open auctions (default
	// 100); NumActivePeople the number of recent people who sell and bid
	// (default 1000).
	NumInFlightAuctions int
	NumActivePeople     int

	// OutOfOrderGroupSize: every group of this many events is emitted in a
	// pseudo-random order (default 1: in order).
	OutOfOrderGroupSize int64

	// BaseTime is the event time of event number 0 (default BaseTime,
	// 2015-07-15T00:00:00Z). Times are kept to the millisecond.
	BaseTime time.Time
	// FirstEventID is added to every event id (default 0). Generators that
	// split a stream use distinct ranges of ids on the same timeline.
	FirstEventID int64
	// FirstEventNumber is the event number the generator starts at
	// (default 0).
	FirstEventNumber int64
}

// DefaultConfig answers the reference generator's defaults.
func DefaultConfig() Config {
	return Config{
		FirstEventRate:      10000,
		NumEventGenerators:  1,
		PersonProportion:    1,
		AuctionProportion:   3,
		BidProportion:       46,
		AvgPersonByteSize:   200,
		AvgAuctionByteSize:  500,
		AvgBidByteSize:      100,
		HotAuctionRatio:     2,
		HotSellersRatio:     4,
		HotBiddersRatio:     4,
		NumInFlightAuctions: 100,
		NumActivePeople:     1000,
		OutOfOrderGroupSize: 1,
		BaseTime:            BaseTime,
	}
}

// Validate reports every negative member (zero members take defaults).
func (c Config) Validate() error {
	var errs []error
	neg := func(name string, v int64) {
		if v < 0 {
			errs = append(errs, fmt.Errorf("nexmark: %s must not be negative, got %d", name, v))
		}
	}
	neg("NumEvents", c.NumEvents)
	neg("FirstEventRate", int64(c.FirstEventRate))
	neg("NumEventGenerators", int64(c.NumEventGenerators))
	neg("PersonProportion", int64(c.PersonProportion))
	neg("AuctionProportion", int64(c.AuctionProportion))
	neg("BidProportion", int64(c.BidProportion))
	neg("AvgPersonByteSize", int64(c.AvgPersonByteSize))
	neg("AvgAuctionByteSize", int64(c.AvgAuctionByteSize))
	neg("AvgBidByteSize", int64(c.AvgBidByteSize))
	neg("HotAuctionRatio", int64(c.HotAuctionRatio))
	neg("HotSellersRatio", int64(c.HotSellersRatio))
	neg("HotBiddersRatio", int64(c.HotBiddersRatio))
	neg("NumInFlightAuctions", int64(c.NumInFlightAuctions))
	neg("NumActivePeople", int64(c.NumActivePeople))
	neg("OutOfOrderGroupSize", c.OutOfOrderGroupSize)
	neg("FirstEventID", c.FirstEventID)
	neg("FirstEventNumber", c.FirstEventNumber)
	return errors.Join(errs...)
}

// withDefaults answers c with every non-positive member replaced by its
// default, so generation never divides by zero whatever the caller passed.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	pos := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	pos(&c.FirstEventRate, d.FirstEventRate)
	pos(&c.NumEventGenerators, d.NumEventGenerators)
	pos(&c.PersonProportion, d.PersonProportion)
	pos(&c.AuctionProportion, d.AuctionProportion)
	pos(&c.BidProportion, d.BidProportion)
	pos(&c.AvgPersonByteSize, d.AvgPersonByteSize)
	pos(&c.AvgAuctionByteSize, d.AvgAuctionByteSize)
	pos(&c.AvgBidByteSize, d.AvgBidByteSize)
	pos(&c.HotAuctionRatio, d.HotAuctionRatio)
	pos(&c.HotSellersRatio, d.HotSellersRatio)
	pos(&c.HotBiddersRatio, d.HotBiddersRatio)
	pos(&c.NumInFlightAuctions, d.NumInFlightAuctions)
	pos(&c.NumActivePeople, d.NumActivePeople)
	if c.OutOfOrderGroupSize <= 0 {
		c.OutOfOrderGroupSize = 1
	}
	if c.BaseTime.IsZero() {
		c.BaseTime = d.BaseTime
	}
	if c.NumEvents < 0 {
		c.NumEvents = 0
	}
	if c.FirstEventID < 0 {
		c.FirstEventID = 0
	}
	if c.FirstEventNumber < 0 {
		c.FirstEventNumber = 0
	}
	return c
}

// InterEventDelay answers the event-time gap between consecutive events of
// one generator.
func (c Config) InterEventDelay() time.Duration {
	g := newGen(c)
	return time.Duration(g.delayUs * float64(time.Microsecond))
}

// gen is a Config with defaults applied and derived values precomputed.
type gen struct {
	c          Config
	total      int64 // person + auction + bid proportions
	person     int64
	auction    int64
	delayUs    float64 // inter-event delay in microseconds
	baseMs     int64
	groupSize  int64
	auctionEvs int64 // events until NumInFlightAuctions more auctions open
}

func newGen(c Config) gen {
	c = c.withDefaults()
	g := gen{
		c:         c,
		person:    int64(c.PersonProportion),
		auction:   int64(c.AuctionProportion),
		total:     int64(c.PersonProportion + c.AuctionProportion + c.BidProportion),
		delayUs:   1e6 / float64(c.FirstEventRate) * float64(c.NumEventGenerators),
		baseMs:    c.BaseTime.UnixMilli(),
		groupSize: c.OutOfOrderGroupSize,
	}
	g.auctionEvs = int64(c.NumInFlightAuctions) * g.total / g.auction
	return g
}

// eventNumber is the event number of the generator's count-th event
// (nextEventNumber).
func (g *gen) eventNumber(count int64) int64 { return g.c.FirstEventNumber + count }

// adjustedEventNumber permutes event numbers within groups of
// OutOfOrderGroupSize (nextAdjustedEventNumber).
func (g *gen) adjustedEventNumber(count int64) int64 {
	n := g.eventNumber(count)
	base := (n / g.groupSize) * g.groupSize
	return base + (n*953)%g.groupSize
}

// timestampMs is the event time of an event number, in ms since the epoch
// (timestampForEvent).
func (g *gen) timestampMs(eventNumber int64) int64 {
	return g.baseMs + int64(float64(eventNumber)*g.delayUs)/1000
}

// lastBase0PersonID is the id (base 0) of the latest person at eventID, the
// person itself when eventID is a person's.
func (g *gen) lastBase0PersonID(eventID int64) int64 {
	epoch, offset := eventID/g.total, eventID%g.total
	if offset >= g.person {
		offset = g.person - 1
	}
	return epoch*g.person + offset
}

// lastBase0AuctionID is the id (base 0) of the latest auction at eventID,
// the auction itself when eventID is an auction's.
func (g *gen) lastBase0AuctionID(eventID int64) int64 {
	epoch, offset := eventID/g.total, eventID%g.total
	switch {
	case offset < g.person: // a person: the last auction of the last epoch
		epoch--
		offset = g.auction - 1
	case offset >= g.person+g.auction: // a bid: the last auction of this epoch
		offset = g.auction - 1
	default:
		offset -= g.person
	}
	return epoch*g.auction + offset
}

// nextBase0PersonID picks one of the active people, or one of the few to be
// created next.
func (g *gen) nextBase0PersonID(eventID int64, r *javaRandom) int64 {
	numPeople := g.lastBase0PersonID(eventID) + 1
	active := min(numPeople, int64(g.c.NumActivePeople))
	return numPeople - active + r.longn(active+PersonIDLead)
}

// nextBase0AuctionID picks one of the auctions likely still open, or one of
// the few to be created next.
func (g *gen) nextBase0AuctionID(eventID int64, r *javaRandom) int64 {
	maxAuction := g.lastBase0AuctionID(eventID)
	minAuction := max(maxAuction-int64(g.c.NumInFlightAuctions), 0)
	return minAuction + r.longn(maxAuction-minAuction+1+AuctionIDLead)
}

// Split divides c's NumEvents events among n generators on parallel
// timelines, as the reference generator's split does: each gets a distinct
// range of event ids (so distinct people, auctions and random draws), all
// start at c's first event number and time, and NumEventGenerators becomes
// n so that together they keep c's overall rate. The last one takes the
// remainder. n < 1 counts as 1; NumEvents 0 (unbounded) counts as
// math.MaxInt64 / (50 × 500), the reference's bound.
func (c Config) Split(n int) []Config {
	c = c.withDefaults()
	if n <= 1 {
		return []Config{c}
	}
	total := c.NumEvents
	if total == 0 {
		g := newGen(c)
		total = math.MaxInt64 / (g.total * int64(max(c.AvgPersonByteSize, c.AvgAuctionByteSize, c.AvgBidByteSize)))
	}
	each := total / int64(n)
	out := make([]Config, n)
	first := c.FirstEventID
	for i := range out {
		s := c
		s.NumEventGenerators = n
		s.FirstEventID = first
		s.NumEvents = each
		if i == n-1 {
			s.NumEvents = total - each*int64(n-1)
		}
		out[i] = s
		first += each
	}
	return out
}

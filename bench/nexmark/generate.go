package nexmark

import (
	"math"
	"math/bits"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// Tables of the reference generator; few values so that queries filtering
// on them find matches on small data sets.
var (
	usStates   = []string{"AZ", "CA", "ID", "OR", "WA", "WY"}
	usCities   = []string{"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"}
	firstNames = []string{"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"}
	lastNames  = []string{"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"}
	// hotChannels are the channels half of all bids come through (Flink's
	// generator).
	hotChannels = []string{"Google", "Facebook", "Baidu", "Apple"}
)

const (
	minStringLength = 3
	numChannels     = 10000
	// channelSeed seeds the URL tables; Flink's generator builds them from
	// an unseeded source at start-up, which makes runs differ.
	channelSeed = 0
)

// Channel URL tables, built once from channelSeed: the URL of each hot
// channel, and the name and URL of each of the other 10 000 channels.
var (
	channelsOnce sync.Once
	hotURLs      []string
	channelNames []string
	channelURLs  []string
)

func channelTables() {
	channelsOnce.Do(func() {
		r := newJavaRandom(channelSeed)
		hotURLs = make([]string, len(hotChannels))
		for i := range hotURLs {
			hotURLs[i] = string(appendBaseURL(nil, &r))
		}
		channelNames = make([]string, numChannels)
		channelURLs = make([]string, numChannels)
		for i := range numChannels {
			u := appendBaseURL(nil, &r)
			if r.intn(10) > 0 {
				id := int32(bits.Reverse32(uint32(i)))
				if id < 0 {
					id = -id // Java's Math.abs: MinInt32 stays negative
				}
				u = append(u, "&channel_id="...)
				u = strconv.AppendInt(u, int64(id), 10)
			}
			channelNames[i] = "channel-" + strconv.Itoa(i)
			channelURLs[i] = string(u)
		}
	})
}

func appendBaseURL(b []byte, r *javaRandom) []byte {
	b = append(b, "https://www.nexmark.com/"...)
	b = appendString(b, r, 5, '_')
	b = append(b, '/')
	b = appendString(b, r, 5, '_')
	b = append(b, '/')
	b = appendString(b, r, 5, '_')
	return append(b, "/item.htm?query=1"...)
}

// appendString appends a random string of 3 to maxLength-1 characters,
// lower-case letters and (1 in 13) the special character, trimmed of spaces
// at both ends as Java's String.trim does (nextString).
func appendString(b []byte, r *javaRandom, maxLength int32, special byte) []byte {
	start := len(b)
	for n := minStringLength + r.intn(maxLength-minStringLength); n > 0; n-- {
		if r.intn(13) == 0 {
			b = append(b, special)
		} else {
			b = append(b, byte('a'+r.intn(26)))
		}
	}
	if special != ' ' {
		return b
	}
	s := b[start:]
	lo, hi := 0, len(s)
	for lo < hi && s[lo] == ' ' {
		lo++
	}
	for hi > lo && s[hi-1] == ' ' {
		hi--
	}
	n := copy(s, s[lo:hi])
	return b[:start+n]
}

// appendExactString appends length random characters (nextExactString).
// The reference takes rnd % 26 of a signed int, so characters range from
// 'H' to 'z' and include '[', '\\', ']', '^', '_' and '`'; kept as is.
func appendExactString(b []byte, r *javaRandom, length int) []byte {
	var rnd int32
	n := 0
	for ; length > 0; length-- {
		if n == 0 {
			rnd = r.nextInt()
			n = 6 // log_26(2^31)
		}
		b = append(b, byte('a'+rnd%26))
		rnd /= 26
		n--
	}
	return b
}

// appendExtra appends padding so that currentSize plus its length averages
// desiredAverageSize (uniform within ±20%) (nextExtra).
func appendExtra(b []byte, r *javaRandom, currentSize, desiredAverageSize int) []byte {
	if currentSize > desiredAverageSize {
		return b
	}
	desired := desiredAverageSize - currentSize
	delta := int(javaRound(float64(desired) * 0.2))
	size := desired - delta
	if delta != 0 {
		size += int(r.intn(int32(2 * delta)))
	}
	return appendExactString(b, r, size)
}

// javaRound is Java's Math.round(double): the closest integer, ties up.
func javaRound(x float64) int64 { return int64(math.Floor(x + 0.5)) }

// nextPrice answers a price in cents, log-uniform from $1 to $1M.
func nextPrice(r *javaRandom) int64 {
	return javaRound(math.Pow(10.0, r.nextDouble()*6.0) * 100.0)
}

// strs collects an event's strings in one buffer that becomes one string,
// which the fields then slice: one allocation for all of them.
type strs struct {
	b    []byte
	ends [8]int
	n    int
}

func (s *strs) mark() { s.ends[s.n] = len(s.b); s.n++ }

// split answers the marked strings.
func (s *strs) split(out ...*string) {
	all := string(s.b)
	start := 0
	for i, p := range out {
		*p = all[start:s.ends[i]]
		start = s.ends[i]
	}
}

// Event answers the event of event number c.FirstEventNumber+n, a pure
// function of c and n.
func (c Config) Event(n int64) Event {
	g := newGen(c)
	return g.event(n)
}

func (g *gen) event(count int64) Event {
	// The event's strings are assembled here before becoming one string;
	// the array stays on the stack unless a record outgrows it.
	var arr [1024]byte
	scratch := arr[:0]
	adjusted := g.adjustedEventNumber(count)
	id := g.c.FirstEventID + adjusted
	ts := g.timestampMs(adjusted)
	r := newJavaRandom(id)
	switch rem := id % g.total; {
	case rem < g.person:
		return Event{Person: g.newPerson(id, &r, ts, scratch)}
	case rem < g.person+g.auction:
		return Event{Auction: g.newAuction(count, id, &r, ts, scratch)}
	default:
		return Event{Bid: g.newBid(id, &r, ts, scratch)}
	}
}

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func (g *gen) newPerson(id int64, r *javaRandom, ts int64, scratch []byte) *Person {
	p := &Person{ID: g.lastBase0PersonID(id) + FirstPersonID, DateTime: msTime(ts)}
	s := strs{b: scratch}
	s.b = append(s.b, firstNames[r.intn(int32(len(firstNames)))]...)
	s.b = append(s.b, ' ')
	s.b = append(s.b, lastNames[r.intn(int32(len(lastNames)))]...)
	s.mark()
	s.b = appendString(s.b, r, 7, ' ')
	s.b = append(s.b, '@')
	s.b = appendString(s.b, r, 5, ' ')
	s.b = append(s.b, ".com"...)
	s.mark()
	for i := range 4 {
		if i > 0 {
			s.b = append(s.b, ' ')
		}
		v := r.intn(10000)
		s.b = append(s.b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
	}
	s.mark()
	s.b = append(s.b, usCities[r.intn(int32(len(usCities)))]...)
	s.mark()
	s.b = append(s.b, usStates[r.intn(int32(len(usStates)))]...)
	s.mark()
	s.b = appendExtra(s.b, r, 8+len(s.b), g.c.AvgPersonByteSize)
	s.mark()
	s.split(&p.Name, &p.EmailAddress, &p.CreditCard, &p.City, &p.State, &p.Extra)
	return p
}

func (g *gen) newAuction(count, id int64, r *javaRandom, ts int64, scratch []byte) *Auction {
	a := &Auction{ID: g.lastBase0AuctionID(id) + FirstAuctionID, DateTime: msTime(ts)}
	if r.intn(int32(g.c.HotSellersRatio)) > 0 {
		a.Seller = (g.lastBase0PersonID(id) / HotSellerRatio) * HotSellerRatio
	} else {
		a.Seller = g.nextBase0PersonID(id, r)
	}
	a.Seller += FirstPersonID
	a.Category = FirstCategoryID + int64(r.intn(NumCategories))
	a.InitialBid = nextPrice(r)
	a.Expires = msTime(ts + g.auctionLengthMs(count, r, ts))
	s := strs{b: scratch}
	s.b = appendString(s.b, r, 20, ' ')
	s.mark()
	s.b = appendString(s.b, r, 100, ' ')
	s.mark()
	a.Reserve = a.InitialBid + nextPrice(r)
	s.b = appendExtra(s.b, r, 8+len(s.b)+8+8+8+8+8, g.c.AvgAuctionByteSize)
	s.mark()
	s.split(&a.ItemName, &a.Description, &a.Extra)
	return a
}

// auctionLengthMs answers how long an auction stays open: uniform up to
// twice the time NumInFlightAuctions more auctions take to open
// (nextAuctionLengthMs).
func (g *gen) auctionLengthMs(count int64, r *javaRandom, ts int64) int64 {
	future := g.timestampMs(g.adjustedEventNumber(count) + g.auctionEvs)
	horizon := future - ts
	return 1 + r.longn(max(horizon*2, 1))
}

func (g *gen) newBid(id int64, r *javaRandom, ts int64, scratch []byte) *Bid {
	channelTables()
	b := &Bid{DateTime: msTime(ts)}
	if r.intn(int32(g.c.HotAuctionRatio)) > 0 {
		b.Auction = (g.lastBase0AuctionID(id) / HotAuctionRatio) * HotAuctionRatio
	} else {
		b.Auction = g.nextBase0AuctionID(id, r)
	}
	b.Auction += FirstAuctionID
	if r.intn(int32(g.c.HotBiddersRatio)) > 0 {
		// The second person of the batch, so hot bidders and hot sellers
		// differ.
		b.Bidder = (g.lastBase0PersonID(id)/HotBidderRatio)*HotBidderRatio + 1
	} else {
		b.Bidder = g.nextBase0PersonID(id, r)
	}
	b.Bidder += FirstPersonID
	b.Price = nextPrice(r)
	if r.intn(2) > 0 {
		i := r.intn(int32(len(hotChannels)))
		b.Channel, b.URL = hotChannels[i], hotURLs[i]
	} else {
		i := r.intn(numChannels)
		b.Channel, b.URL = channelNames[i], channelURLs[i]
	}
	s := strs{b: scratch}
	s.b = appendExtra(s.b, r, 8+8+8+8, g.c.AvgBidByteSize)
	s.mark()
	s.split(&b.Extra)
	return b
}

// Generator iterates over a stream's events in order. It is not safe for
// concurrent use; run one Generator per goroutine (Config.Event is safe).
type Generator struct {
	g     gen
	count int64
}

// NewGenerator answers a Generator of c's events, starting at event number
// c.FirstEventNumber and ending after c.NumEvents events (never when 0).
func NewGenerator(c Config) *Generator {
	return &Generator{g: newGen(c)}
}

// Next answers the next event, or false when NumEvents have been generated.
func (it *Generator) Next() (Event, bool) {
	if it.g.c.NumEvents > 0 && it.count >= it.g.c.NumEvents {
		return Event{}, false
	}
	e := it.g.event(it.count)
	it.count++
	return e, true
}

// Count answers how many events Next has answered.
func (it *Generator) Count() int64 { return it.count }

// Generate answers events 0 to n-1 of c (c.NumEvents is ignored), generated
// in parallel on GOMAXPROCS goroutines; the result is the same as n calls
// of a Generator's Next.
func Generate(c Config, n int) []Event {
	if n <= 0 {
		return nil
	}
	g := newGen(c)
	out := make([]Event, n)
	workers := min(runtime.GOMAXPROCS(0), max(n/4096, 1))
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				out[i] = g.event(int64(i))
			}
		})
	}
	wg.Wait()
	return out
}

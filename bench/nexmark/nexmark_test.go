package nexmark

import (
	"reflect"
	"runtime"
	"testing"
	"time"
)

const testEvents = 100000

// TestMix: ids modulo 50 give exactly 1 person, 3 auctions and 46 bids in
// every 50 events, so 1e5 events from id 0 hold 2000, 6000 and 92000.
func TestMix(t *testing.T) {
	tests := []struct {
		name               string
		c                  Config
		n                  int
		person, auct, bids int
	}{
		{"defaults", Config{}, testEvents, 2000, 6000, 92000},
		{"partial epoch", Config{}, 60, 2, 6, 52},
		{"offset ids", Config{FirstEventID: 49}, 50, 1, 3, 46},
		{"other mix", Config{PersonProportion: 2, AuctionProportion: 3, BidProportion: 5}, 1000, 200, 300, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counts := map[Kind]int{}
			for _, e := range Generate(tt.c, tt.n) {
				counts[e.Kind()]++
			}
			if counts[KindPerson] != tt.person || counts[KindAuction] != tt.auct || counts[KindBid] != tt.bids {
				t.Errorf("mix = %d:%d:%d, want %d:%d:%d", counts[KindPerson], counts[KindAuction], counts[KindBid], tt.person, tt.auct, tt.bids)
			}
		})
	}
	// Within every window of 50 events the modulo scheme orders them person,
	// auction ×3, bid ×46.
	g := NewGenerator(Config{NumEvents: 100})
	for i := 0; ; i++ {
		e, ok := g.Next()
		if !ok {
			break
		}
		want := KindBid
		switch i % 50 {
		case 0:
			want = KindPerson
		case 1, 2, 3:
			want = KindAuction
		}
		if e.Kind() != want {
			t.Fatalf("event %d is a %s, want a %s", i, e.Kind(), want)
		}
	}
}

func TestDeterminism(t *testing.T) {
	c := DefaultConfig()
	all := Generate(c, 5000)
	g := NewGenerator(c)
	for i, want := range all {
		got, ok := g.Next()
		if !ok {
			t.Fatalf("generator ended at %d", i)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("event %d: generator %+v, Generate %+v", i, got, want)
		}
		if again := c.Event(int64(i)); !reflect.DeepEqual(again, want) {
			t.Fatalf("event %d: Event %+v, Generate %+v", i, again, want)
		}
	}
	// Generation in reverse order, on one goroutine, gives the same events.
	prev := runtime.GOMAXPROCS(1)
	one := Generate(c, 5000)
	runtime.GOMAXPROCS(prev)
	if !reflect.DeepEqual(one, all) {
		t.Error("Generate on one goroutine differs from Generate in parallel")
	}
	for i := len(all) - 1; i >= 0; i -= 97 {
		if got := c.Event(int64(i)); !reflect.DeepEqual(got, all[i]) {
			t.Fatalf("event %d generated out of order differs", i)
		}
	}
	// A different first event id is a different stream.
	if reflect.DeepEqual(Config{FirstEventID: 50}.Event(4), c.Event(4)) {
		t.Error("FirstEventID does not change the events")
	}
}

func TestNumEvents(t *testing.T) {
	g := NewGenerator(Config{NumEvents: 7})
	n := 0
	for _, ok := g.Next(); ok; _, ok = g.Next() {
		n++
	}
	if n != 7 || g.Count() != 7 {
		t.Errorf("generated %d (Count %d), want 7", n, g.Count())
	}
	if Generate(Config{}, 0) != nil {
		t.Error("Generate(0) is not empty")
	}
}

// TestIDs: person and auction ids are dense, ascending from 1000, and each
// is what lastBase0PersonId / lastBase0AuctionId say of its event id.
func TestIDs(t *testing.T) {
	wantPerson, wantAuction := int64(FirstPersonID), int64(FirstAuctionID)
	for i, e := range Generate(Config{}, testEvents) {
		switch {
		case e.Person != nil:
			if e.Person.ID != wantPerson {
				t.Fatalf("event %d: person id %d, want %d", i, e.Person.ID, wantPerson)
			}
			wantPerson++
		case e.Auction != nil:
			if e.Auction.ID != wantAuction {
				t.Fatalf("event %d: auction id %d, want %d", i, e.Auction.ID, wantAuction)
			}
			wantAuction++
		}
	}
	g := newGen(Config{})
	tests := []struct {
		eventID, person, auction int64
	}{
		{0, 0, -1}, // a person: the auction before it is the one of the last epoch
		{1, 0, 0},
		{3, 0, 2},
		{4, 0, 2},
		{49, 0, 2},
		{50, 1, 2},
		{51, 1, 3},
		{100, 2, 5},
	}
	for _, tt := range tests {
		if got := g.lastBase0PersonID(tt.eventID); got != tt.person {
			t.Errorf("lastBase0PersonID(%d) = %d, want %d", tt.eventID, got, tt.person)
		}
		if got := g.lastBase0AuctionID(tt.eventID); got != tt.auction {
			t.Errorf("lastBase0AuctionID(%d) = %d, want %d", tt.eventID, got, tt.auction)
		}
	}
}

// TestReferences: sellers, bidders and auctions of bids name people and
// auctions that exist, or one of the few ids just ahead (the lead the spec
// allows), and never ones older than the active people / in-flight
// auctions windows except the hot ones.
func TestReferences(t *testing.T) {
	c := DefaultConfig()
	var lastPerson, lastAuction int64 = FirstPersonID - 1, FirstAuctionID - 1
	var refs, ahead int
	checkPerson := func(i int, what string, id int64) {
		t.Helper()
		refs++
		if id > lastPerson {
			ahead++
		}
		if id < FirstPersonID || id > lastPerson+PersonIDLead {
			t.Fatalf("event %d: %s %d outside [%d, %d]", i, what, id, FirstPersonID, lastPerson+PersonIDLead)
		}
		if id < lastPerson-int64(c.NumActivePeople)-HotBidderRatio {
			t.Fatalf("event %d: %s %d older than the active people (last %d)", i, what, id, lastPerson)
		}
	}
	for i, e := range Generate(c, testEvents) {
		switch {
		case e.Person != nil:
			lastPerson = e.Person.ID
		case e.Auction != nil:
			lastAuction = e.Auction.ID
			checkPerson(i, "seller", e.Auction.Seller)
			if e.Auction.Category < FirstCategoryID || e.Auction.Category >= FirstCategoryID+NumCategories {
				t.Fatalf("event %d: category %d", i, e.Auction.Category)
			}
		case e.Bid != nil:
			checkPerson(i, "bidder", e.Bid.Bidder)
			a := e.Bid.Auction
			refs++
			if a > lastAuction {
				ahead++
			}
			if a < FirstAuctionID || a > lastAuction+AuctionIDLead {
				t.Fatalf("event %d: auction %d outside [%d, %d]", i, a, FirstAuctionID, lastAuction+AuctionIDLead)
			}
			if a < lastAuction-int64(c.NumInFlightAuctions)-HotAuctionRatio {
				t.Fatalf("event %d: auction %d older than the in-flight ones (last %d)", i, a, lastAuction)
			}
		}
	}
	// Ids ahead come from the leads of random picks (and hot bidders just
	// before their person): a few percent.
	if frac := float64(ahead) / float64(refs); frac > 0.05 {
		t.Errorf("%.3f of references name ids not generated yet, want ≤ 0.05", frac)
	}
}

// TestHotRatios: with ratio r, a bid goes to the hot auction (base-0 id a
// multiple of 100) with probability 1-1/r, plus the chance a random pick
// lands on one; likewise hot bidders (base-0 id ≡ 1 mod 100) and sellers
// (≡ 0).
func TestHotRatios(t *testing.T) {
	tests := []struct {
		name                         string
		c                            Config
		auction, bidder, seller, tol float64
	}{
		{"defaults", Config{}, 1 - 1.0/2, 1 - 1.0/4, 1 - 1.0/4, 0.03},
		{"ratio 10", Config{HotAuctionRatio: 10, HotBiddersRatio: 10, HotSellersRatio: 10}, 0.9, 0.9, 0.9, 0.03},
		{"ratio 1: none hot", Config{HotAuctionRatio: 1, HotBiddersRatio: 1, HotSellersRatio: 1}, 0, 0, 0, 0.03},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bids, hotAuction, hotBidder, auctions, hotSeller int
			for _, e := range Generate(tt.c, testEvents) {
				switch {
				case e.Bid != nil:
					bids++
					if (e.Bid.Auction-FirstAuctionID)%HotAuctionRatio == 0 {
						hotAuction++
					}
					if (e.Bid.Bidder-FirstPersonID)%HotBidderRatio == 1 {
						hotBidder++
					}
				case e.Auction != nil:
					auctions++
					if (e.Auction.Seller-FirstPersonID)%HotSellerRatio == 0 {
						hotSeller++
					}
				}
			}
			check := func(what string, got, want float64) {
				t.Helper()
				// A random pick is hot by chance about 1 time in 100.
				if got < want-tt.tol || got > want+0.01+tt.tol {
					t.Errorf("%s: %.3f hot, want %.3f ± %.2f", what, got, want, tt.tol)
				}
			}
			check("auctions of bids", float64(hotAuction)/float64(bids), tt.auction)
			check("bidders", float64(hotBidder)/float64(bids), tt.bidder)
			check("sellers", float64(hotSeller)/float64(auctions), tt.seller)
		})
	}
	// The hottest auction takes about half of the bids of its batch of 100
	// auctions: the most frequent auction has far more bids than average.
	perAuction := map[int64]int{}
	for _, e := range Generate(Config{}, testEvents) {
		if e.Bid != nil {
			perAuction[e.Bid.Auction]++
		}
	}
	top := 0
	for _, n := range perAuction {
		top = max(top, n)
	}
	if avg := 92000 / len(perAuction); top < 20*avg {
		t.Errorf("hottest auction has %d bids, average %d: no hot auction", top, avg)
	}
}

// TestTimestamps: event n is at BaseTime + floor(n × delay µs)/1000 ms.
func TestTimestamps(t *testing.T) {
	tests := []struct {
		name    string
		c       Config
		delayUs float64
	}{
		{"defaults: 10000/s, 100 µs", Config{}, 100},
		{"1000/s: 1 ms", Config{FirstEventRate: 1000}, 1000},
		{"3 generators at 3000/s: 1 ms each", Config{FirstEventRate: 3000, NumEventGenerators: 3}, 1000},
		{"10M/s: 0.1 µs", Config{FirstEventRate: 10_000_000}, 0.1},
		{"other base", Config{BaseTime: time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC), FirstEventRate: 7}, 1e6 / 7.0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := tt.c.withDefaults().BaseTime
			if got := tt.c.InterEventDelay(); got != time.Duration(tt.delayUs*1000) {
				t.Errorf("InterEventDelay = %v, want %v", got, time.Duration(tt.delayUs*1000))
			}
			var prev time.Time
			for i, e := range Generate(tt.c, 20000) {
				want := base.Add(time.Duration(int64(float64(i)*tt.delayUs)/1000) * time.Millisecond)
				if !e.Time().Equal(want) {
					t.Fatalf("event %d at %v, want %v", i, e.Time(), want)
				}
				if e.Time().Before(prev) {
					t.Fatalf("event %d goes back in time", i)
				}
				prev = e.Time()
				if a := e.Auction; a != nil && !a.Expires.After(a.DateTime) {
					t.Fatalf("auction %d expires %v, not after %v", a.ID, a.Expires, a.DateTime)
				}
			}
		})
	}
	// Default rate: 10 events per millisecond.
	if got := (Config{}).Event(10).Time().Sub(BaseTime); got != time.Millisecond {
		t.Errorf("event 10 at base + %v, want 1ms", got)
	}
}

// TestExpires: auctions last on average the time NumInFlightAuctions more
// auctions take to open (uniform up to twice it).
func TestExpires(t *testing.T) {
	var sum time.Duration
	var n int
	for _, e := range Generate(Config{}, testEvents) {
		if a := e.Auction; a != nil {
			sum += a.Expires.Sub(a.DateTime)
			n++
		}
	}
	// 100 auctions take 100×50/3 = 1666 events at 100 µs: 166 ms.
	avg := sum / time.Duration(n)
	if avg < 150*time.Millisecond || avg > 185*time.Millisecond {
		t.Errorf("average auction length %v, want about 166ms", avg)
	}
}

// TestOutOfOrder: groups of OutOfOrderGroupSize events are permuted; every
// event id appears once and timestamps follow the id.
func TestOutOfOrder(t *testing.T) {
	c := Config{OutOfOrderGroupSize: 10, NumEvents: 1000}
	g := newGen(c)
	seen := map[int64]bool{}
	for i := range int64(1000) {
		n := g.adjustedEventNumber(i)
		if n/10 != i/10 {
			t.Fatalf("event %d moved to %d, outside its group", i, n)
		}
		seen[n] = true
	}
	if len(seen) != 1000 {
		t.Fatalf("%d distinct event numbers, want 1000", len(seen))
	}
	if reflect.DeepEqual(c.Event(1), Config{}.Event(1)) {
		t.Error("event 1 not moved")
	}
	if got, want := c.Event(1), (Config{}).Event(953%10+0); !reflect.DeepEqual(got, want) {
		t.Errorf("event 1 of a group of 10 = %+v, want event %d %+v", got, 953%10, want)
	}
}

// TestSizes: padding brings records to the configured average sizes, as the
// spec counts them (8 bytes per number and timestamp, string lengths).
func TestSizes(t *testing.T) {
	sizes := map[Kind][]int{}
	for _, e := range Generate(Config{}, testEvents) {
		switch {
		case e.Person != nil:
			p := e.Person
			sizes[KindPerson] = append(sizes[KindPerson], 8+len(p.Name)+len(p.EmailAddress)+len(p.CreditCard)+len(p.City)+len(p.State)+len(p.Extra))
		case e.Auction != nil:
			a := e.Auction
			sizes[KindAuction] = append(sizes[KindAuction], 8+len(a.ItemName)+len(a.Description)+40+len(a.Extra))
		case e.Bid != nil:
			sizes[KindBid] = append(sizes[KindBid], 32+len(e.Bid.Extra))
		}
	}
	for k, want := range map[Kind]int{KindPerson: 200, KindAuction: 500, KindBid: 100} {
		sum := 0
		for _, s := range sizes[k] {
			sum += s
		}
		avg := float64(sum) / float64(len(sizes[k]))
		if avg < 0.97*float64(want) || avg > 1.03*float64(want) {
			t.Errorf("%s: average size %.1f, want %d ± 3%%", k, avg, want)
		}
	}
}

// TestFields: values come from the spec's tables and forms.
func TestFields(t *testing.T) {
	in := func(s string, set []string) bool {
		for _, v := range set {
			if s == v {
				return true
			}
		}
		return false
	}
	channels := 0
	for i, e := range Generate(Config{}, 20000) {
		switch {
		case e.Person != nil:
			p := e.Person
			if !in(p.City, usCities) || !in(p.State, usStates) {
				t.Fatalf("event %d: city %q state %q", i, p.City, p.State)
			}
			if len(p.CreditCard) != 19 {
				t.Fatalf("event %d: credit card %q", i, p.CreditCard)
			}
			if p.Name == "" || p.EmailAddress == "" {
				t.Fatalf("event %d: empty name or email: %+v", i, p)
			}
		case e.Auction != nil:
			a := e.Auction
			if a.Reserve < a.InitialBid || a.InitialBid < 100 || a.InitialBid > 100_000_000 {
				t.Fatalf("event %d: initial bid %d reserve %d", i, a.InitialBid, a.Reserve)
			}
		case e.Bid != nil:
			b := e.Bid
			if b.Price < 100 || b.Price > 100_000_000 {
				t.Fatalf("event %d: price %d", i, b.Price)
			}
			if b.Channel == "" || len(b.URL) < len("https://www.nexmark.com/") {
				t.Fatalf("event %d: channel %q url %q", i, b.Channel, b.URL)
			}
			if in(b.Channel, hotChannels) {
				channels++
			}
		}
	}
	if frac := float64(channels) / (20000 * 46 / 50); frac < 0.47 || frac > 0.53 {
		t.Errorf("%.3f of bids through hot channels, want about 0.5", frac)
	}
}

func TestValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("DefaultConfig: %v", err)
	}
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("Config{}: %v", err)
	}
	err := Config{HotAuctionRatio: -1, NumEvents: -2}.Validate()
	if err == nil {
		t.Fatal("negative members accepted")
	}
	want := "nexmark: NumEvents must not be negative, got -2\nnexmark: HotAuctionRatio must not be negative, got -1"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	// Invalid configurations still generate (with defaults), never panic.
	_ = Config{HotAuctionRatio: -1, PersonProportion: -3}.Event(7)
	if !reflect.DeepEqual(DefaultConfig().withDefaults(), (Config{}).withDefaults()) {
		t.Error("Config{} and DefaultConfig() differ")
	}
}

func BenchmarkGenerate(b *testing.B) {
	g := NewGenerator(Config{})
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := g.Next(); !ok {
			b.Fatal("generator ended")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkGenerateParallel(b *testing.B) {
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n += len(Generate(Config{}, 100000))
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkJSON(b *testing.B) {
	events := Generate(Config{}, 10000)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf = events[i%len(events)].AppendJSON(buf[:0])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func TestSplit(t *testing.T) {
	c := Config{NumEvents: 1000, FirstEventRate: 1000}
	parts := c.Split(3)
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	ids := map[int64]bool{}
	var total int64
	for i, p := range parts {
		if p.NumEventGenerators != 3 {
			t.Errorf("part %d: NumEventGenerators %d", i, p.NumEventGenerators)
		}
		total += p.NumEvents
		g := NewGenerator(p)
		for j := int64(0); ; j++ {
			e, ok := g.Next()
			if !ok {
				break
			}
			id := p.FirstEventID + j
			if ids[id] {
				t.Fatalf("event id %d generated twice", id)
			}
			ids[id] = true
			// Each timeline runs at a third of the rate: 3 ms apart.
			if want := BaseTime.Add(time.Duration(3*j) * time.Millisecond); !e.Time().Equal(want) {
				t.Fatalf("part %d event %d at %v, want %v", i, j, e.Time(), want)
			}
			if want := (Config{FirstEventID: p.FirstEventID, FirstEventRate: 1000, NumEventGenerators: 3}).Event(j); !reflect.DeepEqual(e, want) {
				t.Fatalf("part %d event %d differs from Config.Event", i, j)
			}
		}
	}
	if total != 1000 || len(ids) != 1000 || parts[2].NumEvents != 334 {
		t.Errorf("parts hold %d events, %d ids, last %d", total, len(ids), parts[2].NumEvents)
	}
	if got := (Config{}).Split(0); len(got) != 1 {
		t.Errorf("Split(0) answered %d configs", len(got))
	}
	if got := (Config{}).Split(2); got[1].FirstEventID <= 0 || got[1].NumEvents <= 0 {
		t.Errorf("unbounded split: %+v", got[1])
	}
}

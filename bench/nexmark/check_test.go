package nexmark

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// The brute-force checkers: each computes a query's result rows over a
// slice of events with plain Go, the way the query's SQL defines them, as
// canonical strings (canon) to compare with the engine's output as
// multisets (the order of rows within a window is the engine's choice).

// canonValue prints a value so that equal SQL values of different numeric
// types print alike (q1's price may be DECIMAL or DOUBLE).
func canonValue(v eval.Value) string {
	switch {
	case v.IsNull():
		return "NULL"
	case v.Kind.IsNumeric():
		return strconv.FormatFloat(v.Float(), 'f', 3, 64)
	case v.Kind.IsString():
		return v.S
	}
	return v.String()
}

// canon prints a row.
func canon(vals ...eval.Value) string {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(canonValue(v))
	}
	return b.String()
}

func ms(t int64) eval.Value    { return eval.TimestampMillis(t) }
func big(v int64) eval.Value   { return eval.BigIntValue(v) }
func str(s string) eval.Value  { return eval.Str(s) }
func floorTo(t, n int64) int64 { return t - ((t%n)+n)%n }

func bidsOf(events []Event) []*Bid {
	var out []*Bid
	for _, e := range events {
		if e.Bid != nil {
			out = append(out, e.Bid)
		}
	}
	return out
}

// expectQ0: every bid.
func expectQ0(events []Event) []string {
	var out []string
	for _, b := range bidsOf(events) {
		out = append(out, canon(big(b.Auction), big(b.Bidder), big(b.Price), ms(b.DateTime.UnixMilli()), str(b.Extra)))
	}
	return out
}

// expectQ1: every bid, its price times 0.908.
func expectQ1(events []Event) []string {
	var out []string
	for _, b := range bidsOf(events) {
		out = append(out, canon(big(b.Auction), big(b.Bidder), eval.DecimalValue(b.Price*908, 3), ms(b.DateTime.UnixMilli()), str(b.Extra)))
	}
	return out
}

// expectQ2: bids on auctions whose id is a multiple of 123.
func expectQ2(events []Event) []string {
	var out []string
	for _, b := range bidsOf(events) {
		if b.Auction%123 == 0 {
			out = append(out, canon(big(b.Auction), big(b.Price)))
		}
	}
	return out
}

// expectQ5: per hopping window (10 s every 2 s, aligned to the epoch), the
// auctions with the most bids, with their count (ties all listed).
func expectQ5(events []Event) []string {
	const size, slide = 10000, 2000
	counts := map[int64]map[int64]int64{} // window start → auction → bids
	for _, b := range bidsOf(events) {
		t := b.DateTime.UnixMilli()
		for s := floorTo(t, slide); s > t-size; s -= slide {
			if counts[s] == nil {
				counts[s] = map[int64]int64{}
			}
			counts[s][b.Auction]++
		}
	}
	var out []string
	for _, byAuction := range counts {
		var maxn int64
		for _, n := range byAuction {
			maxn = max(maxn, n)
		}
		for a, n := range byAuction {
			if n >= maxn {
				out = append(out, canon(big(a), big(n)))
			}
		}
	}
	return out
}

// expectQ7: per 10 s tumbling window with maximum bid price M ending at E,
// every bid of price M with E-10 s <= dateTime <= E (the BETWEEN of the
// Flink query, inclusive at both ends).
func expectQ7(events []Event) []string {
	const size = 10000
	bids := bidsOf(events)
	maxPrice := map[int64]int64{} // window end → max price
	for _, b := range bids {
		end := floorTo(b.DateTime.UnixMilli(), size) + size
		if p, ok := maxPrice[end]; !ok || b.Price > p {
			maxPrice[end] = b.Price
		}
	}
	var out []string
	for end, m := range maxPrice {
		for _, b := range bids {
			t := b.DateTime.UnixMilli()
			if b.Price == m && t >= end-size && t <= end {
				out = append(out, canon(big(b.Auction), big(b.Price), big(b.Bidder), ms(t), str(b.Extra)))
			}
		}
	}
	return out
}

// expectQ8: people who opened an auction in the 10 s tumbling window they
// registered in, with the window's start.
func expectQ8(events []Event) []string {
	const size = 10000
	type key struct{ start, id int64 }
	sellers := map[key]bool{}
	for _, e := range events {
		if a := e.Auction; a != nil {
			sellers[key{floorTo(a.DateTime.UnixMilli(), size), a.Seller}] = true
		}
	}
	type person struct {
		key
		name string
	}
	seen := map[person]bool{}
	var out []string
	for _, e := range events {
		p := e.Person
		if p == nil {
			continue
		}
		k := person{key{floorTo(p.DateTime.UnixMilli(), size), p.ID}, p.Name}
		if sellers[k.key] && !seen[k] {
			seen[k] = true
			out = append(out, canon(big(p.ID), str(p.Name), ms(k.start)))
		}
	}
	return out
}

// expectQ11: per bidder, sessions of bids at most gap apart (a bid at
// exactly last+gap starts a new session when sessionBridgesGap is false),
// with the bid count, the first bid's time and the last bid's time + gap.
func expectQ11(events []Event) []string {
	const gap = 10000
	type session struct{ start, last, n int64 }
	open := map[int64]*session{}
	var out []string
	emit := func(bidder int64, s *session) {
		out = append(out, canon(big(bidder), big(s.n), ms(s.start), ms(s.last+gap)))
	}
	for _, b := range bidsOf(events) {
		t := b.DateTime.UnixMilli()
		s := open[b.Bidder]
		if s != nil && (t < s.last+gap || sessionBridgesGap && t == s.last+gap) {
			s.last = max(s.last, t)
			s.n++
			continue
		}
		if s != nil {
			emit(b.Bidder, s)
		}
		open[b.Bidder] = &session{start: t, last: t, n: 1}
	}
	for bidder, s := range open {
		emit(bidder, s)
	}
	return out
}

// sessionBridgesGap: whether a row exactly gap after a session's last row
// still belongs to it: false, as package window chooses (Flink merges
// session windows that touch).
const sessionBridgesGap = false

// expectQ12: bids per bidder per 10 s tumbling window of ROWTIME (here the
// event time, which Run pushes as ROWTIME).
func expectQ12(events []Event) []string {
	const size = 10000
	type key struct{ start, bidder int64 }
	counts := map[key]int64{}
	for _, b := range bidsOf(events) {
		counts[key{floorTo(b.DateTime.UnixMilli(), size), b.Bidder}]++
	}
	var out []string
	for k, n := range counts {
		out = append(out, canon(big(k.bidder), big(n), ms(k.start), ms(k.start+size)))
	}
	return out
}

var expected = map[string]func([]Event) []string{
	"q0": expectQ0, "q1": expectQ1, "q2": expectQ2, "q5": expectQ5,
	"q7": expectQ7, "q8": expectQ8, "q11": expectQ11, "q12": expectQ12,
}

// diffRows compares two multisets of rows and describes the first
// differences.
func diffRows(got, want []string) string {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	var missing, extra []string
	i, j := 0, 0
	for i < len(g) || j < len(w) {
		switch {
		case j == len(w) || i < len(g) && g[i] < w[j]:
			extra = append(extra, g[i])
			i++
		case i == len(g) || w[j] < g[i]:
			missing = append(missing, w[j])
			j++
		default:
			i++
			j++
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "got %d rows, want %d: %d missing, %d unexpected", len(got), len(want), len(missing), len(extra))
	for k, r := range missing[:min(len(missing), 5)] {
		fmt.Fprintf(&b, "\n  missing[%d]    %s", k, r)
	}
	for k, r := range extra[:min(len(extra), 5)] {
		fmt.Fprintf(&b, "\n  unexpected[%d] %s", k, r)
	}
	return b.String()
}

// checkConfigs are the small streams the queries are checked on: the
// standard stream (10 000 events per second of event time) over 15 s, and
// a slow one (200 per second) over 150 s, whose windows and sessions hold
// few rows and whose bidders pause long enough to end sessions.
var checkConfigs = []struct {
	name   string
	config Config
	events int
}{
	{"standard", Config{}, 150_000},
	{"slow", Config{FirstEventRate: 200}, 30_000},
}

func TestQueries(t *testing.T) {
	for _, cc := range checkConfigs {
		events := Generate(cc.config, cc.events)
		if testing.Short() {
			events = events[:len(events)/5]
		}
		feed := NewFeed(events)
		for _, q := range Queries {
			t.Run(cc.name+"/"+q.Name, func(t *testing.T) {
				p, err := q.Compile()
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				res, err := q.Run(p, feed, func(r engine.Row) error {
					got = append(got, canon(r.Values...))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				want := expected[q.Name](events)
				if d := diffRows(got, want); d != "" {
					t.Fatalf("%s over %d events: %s", q.Name, res.Events, d)
				}
				if len(want) == 0 {
					t.Fatalf("%s: no result rows: the check checks nothing", q.Name)
				}
				t.Logf("%s: %d events, %d rows", q.Name, res.Events, res.Outputs)
				if cc.name != "slow" {
					return
				}
				// The same events generated while they are pushed.
				var again []string
				if _, err := q.RunGenerated(p, cc.config, len(events), func(r engine.Row) error {
					again = append(again, canon(r.Values...))
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if d := diffRows(again, want); d != "" {
					t.Fatalf("%s generated while pushed: %s", q.Name, d)
				}
			})
		}
	}
}

func TestQueryNames(t *testing.T) {
	for _, q := range Queries {
		if _, ok := expected[q.Name]; !ok {
			t.Errorf("%s has no checker", q.Name)
		}
		if got, ok := QueryByName(strings.ToUpper(q.Name)); !ok || got.Name != q.Name {
			t.Errorf("QueryByName(%q) = %v, %v", strings.ToUpper(q.Name), got.Name, ok)
		}
	}
	if _, ok := QueryByName("q99"); ok {
		t.Error("QueryByName(q99) found a query")
	}
}

func TestFeed(t *testing.T) {
	c := Config{FirstEventRate: 1000}
	events := Generate(c, 3000)
	f := NewFeed(events)
	g := GenerateFeed(c, 3000)
	if f.Len() != len(events) || g.Len() != len(events) {
		t.Fatalf("feeds of %d and %d rows for %d events", f.Len(), g.Len(), len(events))
	}
	widths := map[uint8]int{InputPerson: len(personColumns), InputAuction: len(auctionColumns), InputBid: len(bidColumns)}
	for i, e := range events {
		in, r := e.Row(nil)
		if int(f.Input[i]) != in || int(g.Input[i]) != in {
			t.Fatalf("event %d: inputs %d, %d, want %d", i, f.Input[i], g.Input[i], in)
		}
		if r.Time != e.Time().UnixMilli() || f.Rows[i].Time != r.Time || g.Rows[i].Time != r.Time {
			t.Fatalf("event %d: times %d, %d, %d, want %d", i, r.Time, f.Rows[i].Time, g.Rows[i].Time, e.Time().UnixMilli())
		}
		if len(r.Values) != widths[uint8(in)] || canon(f.Rows[i].Values...) != canon(r.Values...) || canon(g.Rows[i].Values...) != canon(r.Values...) {
			t.Fatalf("event %d: rows differ:\n%s\n%s\n%s", i, canon(r.Values...), canon(f.Rows[i].Values...), canon(g.Rows[i].Values...))
		}
	}
	if in, _ := (Event{}).Row(nil); in != -1 {
		t.Errorf("zero Event: input %d, want -1", in)
	}
	in := Inputs()
	if len(in) != 3 || in[InputPerson].Name != "PERSON" || in[InputAuction].Name != "AUCTION" || in[InputBid].Name != "BID" {
		t.Errorf("Inputs() = %v", in)
	}
}

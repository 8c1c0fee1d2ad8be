package nexmark_test

import (
	"fmt"

	"github.com/kinesin/kinesin/bench/nexmark"
)

// Events are a pure function of the configuration and the event number.
func ExampleGenerate() {
	events := nexmark.Generate(nexmark.DefaultConfig(), 50)
	counts := map[nexmark.Kind]int{}
	for _, e := range events {
		counts[e.Kind()]++
	}
	fmt.Println(counts[nexmark.KindPerson], counts[nexmark.KindAuction], counts[nexmark.KindBid])
	fmt.Println(events[1].Auction.ID, events[1].Auction.DateTime.Format(nexmark.TimeLayout))
	fmt.Println(events[49].Bid.DateTime.Format(nexmark.TimeLayout))
	// Output:
	// 1 3 46
	// 1000 2015-07-15 00:00:00.000
	// 2015-07-15 00:00:00.004
}

func ExampleGenerator() {
	g := nexmark.NewGenerator(nexmark.Config{NumEvents: 3})
	for e, ok := g.Next(); ok; e, ok = g.Next() {
		fmt.Println(e.Kind(), e.Time().Format(nexmark.TimeLayout))
	}
	// Output:
	// person 2015-07-15 00:00:00.000
	// auction 2015-07-15 00:00:00.000
	// auction 2015-07-15 00:00:00.000
}

// Package nexmark generates the Nexmark benchmark's event stream — people
// registering, auctions opening and bids — as the Nexmark specification's
// reference generator (Apache Beam's Nexmark suite, also used by the
// nexmark/nexmark project for Flink) defines it, so that kinesin's streaming
// SQL can be measured with the same queries and the same data as other
// engines.
//
// # The stream
//
// Event ids run from Config.FirstEventID. The id modulo
// PersonProportion+AuctionProportion+BidProportion (1+3+46 = 50) picks the
// kind: the first PersonProportion residues are people, the next
// AuctionProportion auctions, the rest bids, so every 50 events hold exactly
// 1 person, 3 auctions and 46 bids. Person and auction ids are dense and
// ascending (from 1000); each is derived from the event id alone
// (lastBase0PersonId / lastBase0AuctionId in the reference generator).
// Sellers and bidders are drawn from the NumActivePeople most recent people
// (plus a lead of 10 not yet created), bids go to one of the
// NumInFlightAuctions most recent auctions (plus a lead of 10). Hot entities
// dominate: with probability 1-1/HotAuctionRatio a bid goes to the latest
// auction whose base-0 id (id − 1000) is a multiple of 100, with probability
// 1-1/HotBiddersRatio it is placed by the latest person whose base-0 id is 1
// more than a multiple of 100, and with probability 1-1/HotSellersRatio an
// auction is sold by the latest person whose base-0 id is a multiple of 100.
//
// Event n has event time BaseTime + floor(n × interEventDelayµs) / 1000 ms,
// with interEventDelayµs = 10⁶ / FirstEventRate × NumEventGenerators, and
// an auction expires a random time after it opens averaging the time it
// takes for NumInFlightAuctions more auctions to open.
//
// Every field of an event comes from a random source seeded with the event
// id (Beam's generator: new java.util.Random(eventId)), drawn in the
// reference generator's order. The source implements java.util.Random's
// algorithm, checked against a JDK's output, so the draws are the
// reference's. Config.Event(n) is thus a pure function: events can be
// generated in any order, in parallel (Generate), on several timelines
// (Config.Split), and twice the same. Strings, prices, the name/city/state
// tables and the "extra" padding that brings the average record to
// AvgPersonByteSize / AvgAuctionByteSize / AvgBidByteSize follow the
// reference generator, including its quirks (extra strings hold characters
// 'H' to 'z', since the reference takes a signed remainder).
//
// # Records as kinesin reads them
//
// Event.JSON renders an event the way the Flink Nexmark benchmark puts it on
// Kafka (its JSON format of the "datagen" table): an object with
// "event_type" (0 person, 1 auction, 2 bid) and the members "person",
// "auction" and "bid", the two not in use being null:
//
//	{"event_type":2,"person":null,"auction":null,
//	 "bid":{"auction":1000,"bidder":1001,"price":2300,"channel":"Google",
//	        "url":"https://www.nexmark.com/…","dateTime":"2015-07-15 00:00:00.004","extra":"…"}}
//
// Member names are Flink's (person: id, name, emailAddress, creditCard,
// city, state, dateTime, extra; auction: id, itemName, description,
// initialBid, reserve, dateTime, expires, seller, category, extra; bid:
// auction, bidder, price, channel, url, dateTime, extra). Timestamps are
// UTC in SQL form "yyyy-MM-dd HH:mm:ss.SSS", the TIMESTAMP literal form
// Kinesis Data Analytics and Flink's JSON format parse. An application's
// input schema maps columns with paths such as "$.bid.price". ParseEvent
// reads such records back (and also accepts Flink's fraction-less and RFC
// 3339 timestamps).
//
// # Differences from the reference
//
//   - Bid.Channel and Bid.URL exist only in the Flink project's generator,
//     which draws them from an unseeded random source; here they are drawn
//     from the event's own random source (after the price, as Flink does)
//     and the table of 10 000 channel URLs comes from a fixed seed, so
//     they are reproducible too.
//   - Flink's generator takes extra padding as a slice of one pre-generated
//     1 MiB string; this package draws it character by character as Beam
//     does (the slice would need the unseeded string to be reproducible).
//   - Flink's generator adds the first person id to a bid's bidder twice
//     (bidders 2000 and up, pointing past every person); this package does
//     as Beam does and adds it once, so bids join with people.
//   - Defaults follow Beam's NexmarkConfiguration and its standard
//     generator config (first event id and number 0, event time from
//     2015-07-15T00:00:00Z) except NumEventGenerators, 1 as in the Flink
//     project (Beam's 100 assumes the stream is split 100 ways; Flink sets
//     it to the source parallelism). Flink's source starts event ids and
//     numbers at 1 and event time at the wall clock; set FirstEventID,
//     FirstEventNumber and BaseTime to reproduce that.
//   - The rate is constant (Flink's behaviour); Beam's SQUARE/SINE rate
//     shapes and its occasional-delay option are not implemented. The
//     inter-event delay is a float64 as in Flink, so rates above 10⁶ events
//     per second keep distinct timestamps (Beam rounds the delay to whole
//     microseconds; the default rate gives the same 100 µs in both).
//
// TestReferenceStream checks whole streams (100 000 events, two
// configurations) against dumps printed on a JDK by the Flink project's
// generator classes with the differences above applied: they are identical,
// field for field.
//
// # Queries and benchmarks
//
// Queries holds Nexmark's q0, q1, q2, q5, q7, q8, q11 and q12 as kinesin
// SQL applications, in the formulation of the Nexmark project's Flink SQL
// (nexmark-flink), over three in-application input streams PERSON,
// AUCTION and BID (Inputs) where Flink reads views of one datagen table
// filtered on event_type. Event.Row and Feed turn events into engine rows
// (no JSON), each with its event time as ROWTIME; Query.Run pushes a Feed
// through a fresh engine instance and measures it. The benchmarks
// (BenchmarkQ0 … BenchmarkQ12, BenchmarkRawLoop as the same-run baseline)
// report events/s over all events, people and auctions included, as the
// Nexmark project counts them:
//
//	go test -run XXX -bench . -cpu 1 ./bench/nexmark
//	go run ./bench/nexmark/cmd/nexmark -q q5 -events 10000000
//
// TestQueries checks every query's output on small streams against a
// plain Go computation of the same query over the same events.
package nexmark

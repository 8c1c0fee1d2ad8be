package nexmark

import "strings"

// Query is one Nexmark query as a kinesin SQL application over the inputs
// PERSON, AUCTION and BID (Inputs).
type Query struct {
	// Name is the query's Nexmark name, "q0" to "q12".
	Name string
	// Title is the query's name in the Nexmark suite.
	Title string
	// Code is the application code.
	Code string
	// Output is the in-application stream that holds the results.
	Output string
	// EventTime is set when the query has event-time windows, which close
	// as the event time of rows moves; when the input is idle, on Advance
	// too (IDLE => INTERVAL '5' SECOND).
	EventTime bool
}

// Queries are the Nexmark queries kinesin runs, in the formulation of the
// Nexmark project's Flink SQL (nexmark-flink's queries/qN.sql), written in
// kinesin's dialect: Kinesis Data Analytics CREATE STREAM / CREATE PUMP
// with Flink-style window table functions. Windows are in event time on
// the DATETIME column with a 4 s watermark delay (Flink's datagen table
// declares the same) except q12's, which are on ROWTIME, kinesin's
// processing time (Flink's PROCTIME()). Differences from Flink's text:
//
//   - The event-time windows also have IDLE => INTERVAL '5' SECOND: once
//     the clock given to Advance is 5 s past the last row, event time
//     follows it, so advancing past the end of the input closes the last
//     windows as the final watermark of Flink's bounded source does.
//   - q1's price is DECIMAL(18,3) (Flink: DECIMAL(23,3); kinesin's
//     decimals hold 18 digits, and 0.908 × any bid price fits).
//   - q5 writes the per-auction counts to an in-application stream both
//     sides read (Flink reuses the common sub-plan), and takes their
//     maximum per window with a ROWTIME window, STEP(... BY INTERVAL '2'
//     SECOND): the rows of one hop window all carry its end as ROWTIME,
//     and the engine takes a streaming GROUP BY only on a window table
//     function or a ROWTIME window, not on a subquery's window_start and
//     window_end columns. The join keeps the counts 10 s (OVER); it
//     needs more than 2 s: the maximum arrives with ROWTIME 2 s after its
//     window's counts, and a join matches rows in (t − range, t], so with
//     2 s the counts are exactly the range older and match nothing.
//   - q7 keeps the bids 30 s for the join (OVER): a stream join in
//     kinesin holds a side's rows for its OVER range; the maximum of a
//     window arrives 4 s (the watermark delay) after its end, and Run's
//     final flush moves time 15 s. Flink's q7 is a regular join keeping
//     every bid. Its result stream names the columns in the order the
//     query selects them (Flink's sink declares bidder before price and
//     so stores the price as the bidder).
//   - q11 uses the SESSION window table function where Flink's q11 uses
//     the older GROUP BY SESSION(...) with SESSION_START/SESSION_END: same
//     sessions, same result.
var Queries = []Query{
	{
		Name: "q0", Title: "Pass Through", Output: "NEXMARK_Q0",
		Code: `
CREATE OR REPLACE STREAM nexmark_q0 (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP, extra VARCHAR(1024));
CREATE OR REPLACE PUMP q0 AS INSERT INTO nexmark_q0
SELECT STREAM auction, bidder, price, dateTime, extra FROM bid;
`,
	},
	{
		Name: "q1", Title: "Currency Conversion", Output: "NEXMARK_Q1",
		Code: `
CREATE OR REPLACE STREAM nexmark_q1 (auction BIGINT, bidder BIGINT, price DECIMAL(18, 3), dateTime TIMESTAMP, extra VARCHAR(1024));
CREATE OR REPLACE PUMP q1 AS INSERT INTO nexmark_q1
SELECT STREAM
    auction,
    bidder,
    0.908 * price AS price, -- convert dollar to euro
    dateTime,
    extra
FROM bid;
`,
	},
	{
		Name: "q2", Title: "Selection", Output: "NEXMARK_Q2",
		Code: `
CREATE OR REPLACE STREAM nexmark_q2 (auction BIGINT, price BIGINT);
CREATE OR REPLACE PUMP q2 AS INSERT INTO nexmark_q2
SELECT STREAM auction, price FROM bid WHERE MOD(auction, 123) = 0;
`,
	},
	{
		Name: "q5", EventTime: true, Title: "Hot Items", Output: "NEXMARK_Q5",
		Code: `
CREATE OR REPLACE STREAM auction_bids (auction BIGINT, num BIGINT, starttime TIMESTAMP, endtime TIMESTAMP);
CREATE OR REPLACE PUMP q5_counts AS INSERT INTO auction_bids
SELECT STREAM
    auction,
    COUNT(*) AS num,
    window_start AS starttime,
    window_end AS endtime
FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND, DELAY => INTERVAL '4' SECOND, IDLE => INTERVAL '5' SECOND))
GROUP BY auction, window_start, window_end;

CREATE OR REPLACE STREAM nexmark_q5 (auction BIGINT, num BIGINT);
CREATE OR REPLACE PUMP q5 AS INSERT INTO nexmark_q5
SELECT STREAM AuctionBids.auction, AuctionBids.num
FROM auction_bids OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS AuctionBids
JOIN (
    SELECT STREAM MAX(num) AS maxn, starttime, endtime
    FROM auction_bids
    GROUP BY starttime, endtime, STEP(auction_bids.ROWTIME BY INTERVAL '2' SECOND)
) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime
   AND AuctionBids.endtime = MaxBids.endtime
   AND AuctionBids.num >= MaxBids.maxn;
`,
	},
	{
		Name: "q7", EventTime: true, Title: "Highest Bid", Output: "NEXMARK_Q7",
		Code: `
CREATE OR REPLACE STREAM nexmark_q7 (auction BIGINT, price BIGINT, bidder BIGINT, dateTime TIMESTAMP, extra VARCHAR(1024));
CREATE OR REPLACE PUMP q7 AS INSERT INTO nexmark_q7
SELECT STREAM B.auction, B.price, B.bidder, B.dateTime, B.extra
FROM bid OVER (RANGE INTERVAL '30' SECOND PRECEDING) AS B
JOIN (
    SELECT STREAM MAX(price) AS maxprice, window_end AS dateTime
    FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND, DELAY => INTERVAL '4' SECOND, IDLE => INTERVAL '5' SECOND))
    GROUP BY window_start, window_end
) B1
ON B.price = B1.maxprice
WHERE B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime;
`,
	},
	{
		Name: "q8", EventTime: true, Title: "Monitor New Users", Output: "NEXMARK_Q8",
		Code: `
CREATE OR REPLACE STREAM nexmark_q8 (id BIGINT, name VARCHAR(64), stime TIMESTAMP);
CREATE OR REPLACE PUMP q8 AS INSERT INTO nexmark_q8
SELECT STREAM P.id, P.name, P.starttime
FROM (
    SELECT STREAM id, name, window_start AS starttime, window_end AS endtime
    FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(dateTime), INTERVAL '10' SECOND, DELAY => INTERVAL '4' SECOND, IDLE => INTERVAL '5' SECOND))
    GROUP BY id, name, window_start, window_end
) P
JOIN (
    SELECT STREAM seller, window_start AS starttime, window_end AS endtime
    FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(dateTime), INTERVAL '10' SECOND, DELAY => INTERVAL '4' SECOND, IDLE => INTERVAL '5' SECOND))
    GROUP BY seller, window_start, window_end
) A
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;
`,
	},
	{
		Name: "q11", EventTime: true, Title: "User Sessions", Output: "NEXMARK_Q11",
		Code: `
CREATE OR REPLACE STREAM nexmark_q11 (bidder BIGINT, bid_count BIGINT, starttime TIMESTAMP, endtime TIMESTAMP);
CREATE OR REPLACE PUMP q11 AS INSERT INTO nexmark_q11
SELECT STREAM bidder, COUNT(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(dateTime), INTERVAL '10' SECOND, DELAY => INTERVAL '4' SECOND, IDLE => INTERVAL '5' SECOND))
GROUP BY bidder, window_start, window_end;
`,
	},
	{
		Name: "q12", Title: "Processing Time Windows", Output: "NEXMARK_Q12",
		Code: `
CREATE OR REPLACE STREAM nexmark_q12 (bidder BIGINT, bid_count BIGINT, starttime TIMESTAMP, endtime TIMESTAMP);
CREATE OR REPLACE PUMP q12 AS INSERT INTO nexmark_q12
SELECT STREAM bidder, COUNT(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ROWTIME), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end;
`,
	},
}

// QueryByName answers the query named name ("q5" or "Q5"), or false.
func QueryByName(name string) (Query, bool) {
	for _, q := range Queries {
		if strings.EqualFold(q.Name, name) {
			return q, true
		}
	}
	return Query{}, false
}

-- Nexmark q0, q1, q2, q5, q7, q8, q11 and q12 in kinesin SQL: the Flink
-- formulations, with Flink-style window table functions over the
-- in-application streams bid, auction and person.

-- q0: pass-through.
CREATE OR REPLACE STREAM nexmark_q0 (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP, extra VARCHAR(256));
CREATE OR REPLACE PUMP q0 AS INSERT INTO nexmark_q0
    SELECT STREAM auction, bidder, price, dateTime, extra FROM bid;

-- q1: currency conversion.
CREATE OR REPLACE PUMP q1 AS INSERT INTO nexmark_q1
    SELECT STREAM auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid;

-- q2: selection.
CREATE OR REPLACE PUMP q2 AS INSERT INTO nexmark_q2
    SELECT STREAM auction, price FROM bid WHERE MOD(auction, 123) = 0;

-- q5: hot items, HOP 10 s every 2 s.
CREATE OR REPLACE PUMP q5 AS INSERT INTO nexmark_q5
SELECT STREAM AuctionBids.auction, AuctionBids.num
FROM (
    SELECT STREAM auction, COUNT(*) AS num, window_start AS starttime, window_end AS endtime
    FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
    GROUP BY auction, window_start, window_end
) AS AuctionBids
JOIN (
    SELECT STREAM MAX(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime
    FROM (
        SELECT STREAM COUNT(*) AS num, window_start AS starttime, window_end AS endtime
        FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
        GROUP BY auction, window_start, window_end
    ) AS CountBids
    GROUP BY CountBids.starttime, CountBids.endtime
) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime
   AND AuctionBids.endtime = MaxBids.endtime
   AND AuctionBids.num >= MaxBids.maxn;

-- q7: highest bid per 10-second tumbling window.
CREATE OR REPLACE PUMP q7 AS INSERT INTO nexmark_q7
SELECT STREAM B.auction, B.price, B.bidder, B.dateTime, B.extra
FROM bid B
JOIN (
    SELECT STREAM MAX(price) AS maxprice, window_end AS dateTime
    FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
    GROUP BY window_start, window_end
) B1
ON B.price = B1.maxprice
WHERE B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime;

-- q8: new users who opened auctions in the same window.
CREATE OR REPLACE PUMP q8 AS INSERT INTO nexmark_q8
SELECT STREAM P.id, P.name, P.starttime
FROM (
    SELECT STREAM id, name, window_start AS starttime, window_end AS endtime
    FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
    GROUP BY id, name, window_start, window_end
) P
JOIN (
    SELECT STREAM seller, window_start AS starttime, window_end AS endtime
    FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
    GROUP BY seller, window_start, window_end
) A
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;

-- q11: bids per bidder session (10-second gap).
CREATE OR REPLACE PUMP q11 AS INSERT INTO nexmark_q11
SELECT STREAM bidder, COUNT(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end;

-- q12: processing-time windows (ROWTIME is the ingest time).
CREATE OR REPLACE PUMP q12 AS INSERT INTO nexmark_q12
SELECT STREAM bidder, COUNT(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM TABLE(TUMBLE(TABLE (SELECT STREAM *, ROWTIME AS p_time FROM bid), DESCRIPTOR(p_time), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end;

-- Flink's named-argument and bare forms.
SELECT STREAM * FROM TUMBLE(DATA => TABLE bid, TIMECOL => DESCRIPTOR(dateTime), SIZE => INTERVAL '10' MINUTES);
SELECT STREAM * FROM TABLE(SESSION(TABLE bid PARTITION BY (bidder, auction), DESCRIPTOR(dateTime), INTERVAL '5' MINUTE)) AS s;

-- Stream-to-stream joins: orders with trades placed within a minute.
SELECT STREAM ROWTIME, o.orderId, o.ticker, o.amount AS orderAmount, t.amount AS tradeAmount
FROM OrderStream AS o
JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t
ON o.orderId = t.orderId;

-- The same with the window named in a WINDOW clause.
SELECT STREAM ROWTIME, o.orderId, o.ticker, o.amount AS orderAmount, t.amount AS tradeAmount
FROM OrderStream AS o
JOIN TradeStream OVER lastMinute AS t
ON o.orderId = t.orderId
WINDOW lastMinute AS (RANGE INTERVAL '1' MINUTE PRECEDING);

-- Orders and shipments, both windowed.
CREATE OR REPLACE STREAM "ORDERS_STREAM" ("orderid" INT, "orderrowtime" TIMESTAMP);
CREATE OR REPLACE PUMP "ORDERS_STREAM_PUMP" AS INSERT INTO "ORDERS_STREAM"
    SELECT STREAM "orderid", "ROWTIME" FROM "SOURCE_SQL_STREAM_001" WHERE "orders" = 1;
CREATE OR REPLACE STREAM "SHIPMENTS_STREAM" ("orderid" INT, "shipmentrowtime" TIMESTAMP);
CREATE OR REPLACE PUMP "SHIPMENTS_STREAM_PUMP" AS INSERT INTO "SHIPMENTS_STREAM"
    SELECT STREAM "orderid", "ROWTIME" FROM "SOURCE_SQL_STREAM_001" WHERE "shipments" = 2;
CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("orderid" INT, "orderrowtime" TIMESTAMP, "shipmentrowtime" TIMESTAMP);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
    SELECT STREAM "ORDERS_STREAM"."orderid", "ORDERS_STREAM"."orderrowtime", "SHIPMENTS_STREAM"."shipmentrowtime"
    FROM "ORDERS_STREAM"
    JOIN "SHIPMENTS_STREAM" OVER (RANGE INTERVAL '1' MINUTE PRECEDING)
    ON "ORDERS_STREAM"."orderid" = "SHIPMENTS_STREAM"."orderid";

-- Row-based window on the right side.
SELECT STREAM * FROM "ORDERS_STREAM" AS o
RIGHT JOIN "SHIPMENTS_STREAM" OVER (ROWS 10 PRECEDING) AS s ON o."orderid" = s."orderid";

-- Date/time functions, niladic keywords, CASE and null handling.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "event_ts"   TIMESTAMP NOT NULL,
    "diff_ms"    BIGINT,
    "kind"       CHAR(1),
    "amount"     DECIMAL(10, 2),
    "ok"         BOOLEAN,
    "small"      SMALLINT,
    "tiny"       TINYINT,
    "ratio"      REAL,
    "f"          FLOAT,
    "d"          DATE,
    "t"          TIME,
    "raw"        VARBINARY(64),
    "fixed"      BINARY(16),
    "dp"         DOUBLE PRECISION,
    "n"          NUMERIC(5)
) DESCRIPTION 'every data type';

CREATE OR REPLACE PUMP "P" STOPPED AS INSERT INTO "DESTINATION_SQL_STREAM" ("event_ts", "diff_ms", "kind")
    SELECT STREAM
        TO_TIMESTAMP(CAST("epoch_ms" AS BIGINT)),
        TSDIFF(CURRENT_ROW_TIMESTAMP, "SOURCE_SQL_STREAM_001".ROWTIME),
        CASE "type" WHEN 'buy' THEN 'B' WHEN 'sell' THEN 'S' ELSE '?' END
    FROM "SOURCE_SQL_STREAM_001"
    WHERE "epoch_ms" IS NOT NULL
      AND "type" IN ('buy', 'sell', 'hold')
      AND "price" NOT BETWEEN 0 AND 1
      AND NOT "cancelled"
      AND UNIX_TIMESTAMP(ROWTIME) > 0
      AND ROWTIME > CURRENT_TIMESTAMP - INTERVAL '1' DAY
      AND "d" >= DATE '2020-01-01' AND "t" < TIME '12:00:00'
      AND EXTRACT(HOUR FROM ROWTIME) BETWEEN 9 AND 17
      AND CEIL(ROWTIME TO HOUR) <> FLOOR(ROWTIME TO HOUR)
      AND COALESCE("note", '') <> ''
      AND NULLIF("price", 0) IS NOT NULL;

SELECT STREAM DISTINCT "ticker" FROM "SOURCE_SQL_STREAM_001";

SELECT STREAM "ticker", COUNT(DISTINCT "trader") AS traders, SUM("qty") AS qty, COUNT("qty")
FROM "SOURCE_SQL_STREAM_001"
GROUP BY "ticker", FLOOR(ROWTIME TO HOUR)
HAVING SUM("qty") > 100 OR COUNT(*) >= 10;

-- Approximate top-K and distinct counts over tumbling windows.
SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(
    CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'ticker_symbol', 3, 60));
SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
    CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'ticker_symbol', 60));

-- Union of two inputs into one output.
CREATE OR REPLACE PUMP "MERGE_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM "event_ts" FROM "SOURCE_SQL_STREAM_001"
    UNION ALL
    SELECT STREAM "event_ts" FROM "SOURCE_SQL_STREAM_002";

-- Views, subqueries and scalar subqueries.
CREATE OR REPLACE VIEW "HIGH_VALUE" ("ticker", "price") DESCRIPTION 'over 100' AS
    SELECT STREAM "ticker", "price" FROM "SOURCE_SQL_STREAM_001" WHERE "price" > 100;
SELECT STREAM * FROM (SELECT STREAM "ticker", "price" * 2 AS p2 FROM "HIGH_VALUE") AS h WHERE h.p2 > 300;

-- Data-type casts and arithmetic.
SELECT STREAM CAST("price" AS DECIMAL(8, 2)) + 1, -"change", "qty" % 7, ABS(-1.5e3), MOD("qty", 3),
       CAST("s" AS CHAR(10)), CAST(ROWTIME AS VARCHAR(32)), 'it''s'
FROM "SOURCE_SQL_STREAM_001";

-- ORDER BY after UNION ALL orders the union; ordinals allowed.
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM x, y FROM t1 UNION ALL SELECT STREAM a, b FROM t2 ORDER BY ROWTIME, MOD(x, 5);
SELECT STREAM DISTINCT ROWTIME, ticker FROM trades ORDER BY ROWTIME, ticker;
SELECT STREAM state, city, SUM(amount) FROM orders GROUP BY FLOOR(ROWTIME TO HOUR), state, city ORDER BY FLOOR(ROWTIME TO HOUR), 3 DESC;
(SELECT STREAM a FROM t1 ORDER BY ROWTIME) UNION ALL SELECT STREAM b FROM t2;

-- Correlation names with column lists, NATURAL and CROSS joins, comma joins.
SELECT STREAM o.id, o.total FROM "Orders" AS o ("id", "total", "ts");
SELECT STREAM * FROM "Orders" NATURAL JOIN "Customers";
SELECT STREAM * FROM "Orders" NATURAL LEFT OUTER JOIN "Customers" AS c;
SELECT STREAM * FROM "Orders" CROSS JOIN "Rates";
SELECT STREAM * FROM "Orders" o FULL OUTER JOIN "Returns" OVER (RANGE INTERVAL '1' HOUR PRECEDING) r USING ("id");
SELECT STREAM * FROM "A" a, "B" b WHERE a.k = b.k;

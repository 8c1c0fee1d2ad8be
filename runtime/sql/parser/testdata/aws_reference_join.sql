-- Enrich the stream with an S3 reference table ("CompanyName").
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4),
    "Company"     VARCHAR(20),
    sector        VARCHAR(12),
    change        DOUBLE,
    price         DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol, "c"."Company", sector, change, price
    FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" AS "c"
    ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";

-- Inner join spelled out, and an outer join.
SELECT STREAM s.ticker_symbol, r."Company"
FROM "SOURCE_SQL_STREAM_001" AS s INNER JOIN "CompanyName" r ON s.ticker_symbol = r."Ticker";
SELECT STREAM s.ticker_symbol, r."Company"
FROM "SOURCE_SQL_STREAM_001" AS s LEFT OUTER JOIN "CompanyName" AS r ON s.ticker_symbol = r."Ticker";

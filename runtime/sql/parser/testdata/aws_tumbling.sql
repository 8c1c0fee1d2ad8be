-- Tumbling windows: MIN/MAX per ticker every 60 seconds with STEP, the
-- same with FLOOR, and the epoch-offset FLOOR idiom.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4),
    min_price     DOUBLE,
    max_price     DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol, MIN(price) AS min_price, MAX(price) AS max_price
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol,
             STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);

CREATE OR REPLACE PUMP "STREAM_PUMP_FLOOR" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol, MIN(price), MAX(price)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol, FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE);

-- Ten-second windows with FLOOR over the seconds since the epoch.
SELECT STREAM ticker_symbol, COUNT(*) AS ticker_count
FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol,
         FLOOR(("SOURCE_SQL_STREAM_001".ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND);

-- Event time and ingest time side by side.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ingest_time   TIMESTAMP,
    approx_time   TIMESTAMP,
    ticker_symbol VARCHAR(4),
    symbol_count  INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND) AS ingest_time,
        STEP("SOURCE_SQL_STREAM_001".APPROXIMATE_ARRIVAL_TIME BY INTERVAL '60' SECOND) AS approx_time,
        ticker_symbol, COUNT(*) AS symbol_count
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol,
        STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND),
        STEP("SOURCE_SQL_STREAM_001".APPROXIMATE_ARRIVAL_TIME BY INTERVAL '60' SECOND);

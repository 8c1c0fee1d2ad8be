-- Sliding windows: named and inline, time-based and row-based.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), avg_price DOUBLE, max_price DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol,
           AVG(price) OVER W1 AS avg_price,
           MAX(price) OVER W1 AS max_price
    FROM "SOURCE_SQL_STREAM_001"
    WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);

SELECT STREAM ticker_symbol,
       AVG(price) OVER (PARTITION BY ticker_symbol ROWS 10 PRECEDING) AS avg_last_10,
       AVG(change) OVER (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND PRECEDING) AS avg_change
FROM "SOURCE_SQL_STREAM_001";

-- Two windows, one of them over the last hour, compared in WHERE.
SELECT STREAM ticker_symbol, price,
       AVG(price) OVER last_hour AS hour_avg,
       COUNT(*) OVER last_ten AS n
FROM "SOURCE_SQL_STREAM_001"
WHERE price > 1.1 * AVG(price) OVER last_hour
WINDOW last_hour AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' HOUR PRECEDING),
       last_ten AS (ROWS 10 PRECEDING);

-- Sliding average per sensor (from a published IoT example).
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (time_stamp BIGINT, mean_value DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM
    MAX("COL_timestamp") OVER TEN_SECOND_SLIDING_WINDOW AS time_stamp,
    AVG(CAST("v" AS DOUBLE)) OVER TEN_SECOND_SLIDING_WINDOW AS mean_value
FROM "SOURCE_SQL_STREAM_001"
WHERE "id" = 'Simulation Examples.Functions.Sine4'
WINDOW TEN_SECOND_SLIDING_WINDOW AS (
    PARTITION BY "COL_timestamp"
    RANGE INTERVAL '10' SECOND PRECEDING);

-- Analytic functions over windows.
SELECT STREAM ticker_symbol,
       FIRST_VALUE(price) OVER w AS first_price,
       LAST_VALUE(price) OVER w AS last_price,
       LAG(price, 1) IGNORE NULLS OVER w AS prev_price,
       NTH_VALUE(price, 2) OVER w AS second_price,
       EXP_AVG(price, INTERVAL '30' SECOND) OVER w AS exp_avg
FROM "SOURCE_SQL_STREAM_001"
WINDOW w AS (PARTITION BY ticker_symbol ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

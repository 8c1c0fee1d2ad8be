-- Stagger windows: a window opens per partition key when its first row
-- arrives.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    event_time    TIMESTAMP,
    ticker_symbol VARCHAR(4),
    ticker_count  INTEGER);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM
        FLOOR(event_time TO MINUTE),
        ticker_symbol,
        COUNT(*) AS ticker_count
    FROM "SOURCE_SQL_STREAM_001"
    WINDOWED BY STAGGER (
        PARTITION BY FLOOR(event_time TO MINUTE), ticker_symbol
        RANGE INTERVAL '1' MINUTE);

-- User-defined SQL functions.
CREATE FUNCTION "fahrenheit_to_celsius" ("f" DOUBLE) RETURNS DOUBLE
    LANGUAGE SQL
    CONTAINS SQL
    RETURNS NULL ON NULL INPUT
    DETERMINISTIC
    RETURN ("f" - 32.0) * 5.0 / 9.0;

CREATE OR REPLACE FUNCTION minute_of (ts TIMESTAMP) RETURNS INTEGER
    LANGUAGE SQL NOT DETERMINISTIC READS SQL DATA CALLED ON NULL INPUT
    RETURN CAST(EXTRACT(MINUTE FROM ts) AS INTEGER);

CREATE FUNCTION "grade" (score INTEGER, pass_mark INTEGER) RETURNS VARCHAR(4)
    LANGUAGE SQL
    RETURN CASE WHEN score IS NULL THEN 'none'
                WHEN score >= pass_mark THEN 'pass'
                ELSE 'fail' END;

CREATE FUNCTION "noargs" () RETURNS TIMESTAMP LANGUAGE SQL RETURN CURRENT_ROW_TIMESTAMP;

SELECT STREAM "fahrenheit_to_celsius"("temp") AS celsius, "grade"(s.score, 50)
FROM "SOURCE_SQL_STREAM_001" AS s;

-- kinesin: a user function that calls a kinesin (Wasm or Lambda) function per row.
CREATE FUNCTION "geohash" (lat DOUBLE, lon DOUBLE, chars INTEGER) RETURNS VARCHAR(12)
    LANGUAGE WASM
    EXTERNAL NAME 'geohash:live';

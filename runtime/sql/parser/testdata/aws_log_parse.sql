-- The log-parsing functions.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (logs VARCHAR(256), match1 VARCHAR(64), match2 VARCHAR(64));

-- REGEX_LOG_PARSE returns a row; fields are read through an alias.
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM t."log", t.r.COLUMN1, t.r.COLUMN2
    FROM (SELECT STREAM "log",
                 REGEX_LOG_PARSE("log", '(\w.+) (\d.+) (\w.+) (\w.+)') AS r
          FROM "SOURCE_SQL_STREAM_001") AS t;

-- Field access on the call itself.
SELECT STREAM REGEX_LOG_PARSE("log", '(\w+) (\w+)').COLUMN1 AS first_word
FROM "SOURCE_SQL_STREAM_001";

SELECT STREAM FAST_REGEX_LOG_PARSER("log", '@ts{8}:(\S+)') AS r FROM "SOURCE_SQL_STREAM_001";

SELECT STREAM FIXED_COLUMN_LOG_PARSE("data",
    'ts TYPE VARCHAR(8) START 0 FOR 8, level TYPE VARCHAR(5) START 9 FOR 5') AS parsed
FROM "SOURCE_SQL_STREAM_001";

SELECT STREAM VARIABLE_COLUMN_LOG_PARSE("data",
    'COL1 TYPE VARCHAR(10), COL2 TYPE VARCHAR(10), COL3 TYPE VARCHAR(10)', ',', '"') AS parsed
FROM "SOURCE_SQL_STREAM_001";

SELECT STREAM SYS_LOG_PARSE("message") AS parsed FROM "SOURCE_SQL_STREAM_001";

SELECT STREAM W3C_LOG_PARSE("log", 'COMMON') AS parsed FROM "SOURCE_SQL_STREAM_001";
SELECT STREAM W3C_LOG_PARSE("log", 'COMBINED').COLUMN7 AS agent FROM "SOURCE_SQL_STREAM_001";

-- String manipulation on the parsed text.
SELECT STREAM REGEX_REPLACE("referrer", 'http://', 'https://', 1, 0) AS r,
       SUBSTRING("referrer" FROM 8 FOR 20) AS host_part,
       SUBSTRING("referrer" SIMILAR '%#"[a-z]+#"%' ESCAPE '#') AS word,
       SUBSTRING("referrer", 1, 4) AS scheme,
       TRIM(BOTH ' ' FROM "referrer") AS trimmed,
       TRIM(LEADING FROM "referrer") AS ltrimmed,
       TRIM("referrer") AS t,
       POSITION('://' IN "referrer") AS p,
       UPPER(LEFT("referrer", 4)) || '-' || LOWER("referrer") AS mixed,
       CHAR_LENGTH("referrer") AS len
FROM "SOURCE_SQL_STREAM_001"
WHERE "referrer" LIKE 'http%' AND "referrer" NOT LIKE '%\_x%' ESCAPE '\';

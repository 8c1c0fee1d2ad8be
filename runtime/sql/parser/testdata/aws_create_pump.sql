-- The CREATE PUMP reference: origin and destination streams with
-- descriptions, and a pump with column lists on both sides. AWS's example
-- annotates the lists with // comments, which the lexer accepts.
CREATE OR REPLACE STREAM "OrderDataWithCreateTime" (
    "key_order" VARCHAR(20),
    "key_user" VARCHAR(20),
    "key_billing_country" VARCHAR(20),
    "key_product" VARCHAR(20),
    "quantity" VARCHAR(20),
    "eur" VARCHAR(20),
    "usd" VARCHAR(20))
DESCRIPTION 'Creates origin stream for pump';

CREATE OR REPLACE STREAM "OrderData" (
    "key_order" VARCHAR(20),
    "key_user" VARCHAR(20),
    "country" VARCHAR(20),
    "key_product" VARCHAR(20),
    "quantity" VARCHAR(20),
    "eur" INTEGER,
    "usd" INTEGER)
DESCRIPTION 'Creates destination stream for pump';

CREATE OR REPLACE PUMP "200-ConditionedOrdersPump" AS
    INSERT INTO "OrderData" (
        "key_order", "key_user", "country",
        "key_product", "quantity", "eur", "usd")
        // the insert column list matches the query's select list
    SELECT STREAM
        "key_order", "key_user", "key_billing_country",
        "key_product", "quantity", "eur", "usd"
        // and the select list matches the insert's column list
    FROM "OrderDataWithCreateTime";

-- A stopped pump with a description; an error_stream reader.
CREATE PUMP "audit" STOPPED DESCRIPTION 'started by hand' AS
    INSERT INTO "AUDIT" SELECT STREAM * FROM "error_stream";

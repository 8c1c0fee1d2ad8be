// Package parser is a hand-written recursive-descent parser for the SQL
// dialect of Kinesis Data Analytics for SQL applications (SQLstream-derived,
// as AWS's "Amazon Kinesis Data Analytics SQL Reference" describes it) plus
// kinesin's Flink-style window table functions.
//
// Parse reads an application (statements separated by ';'), ParseStmt one
// statement and ParseExpr one expression. Errors are *Error values with the
// line and column of the offending token and a message naming what was
// expected and what was found. The parser never panics; nesting is bounded.
//
// Every node prints back as SQL (String, or Format with fullParens to see
// the tree's structure) so that parsing the printed text yields an equal
// tree, positions aside; the tests check this on every example, on random
// trees and under fuzzing.
//
// Identifiers: unquoted ones are case-insensitive and stored upper-cased, as
// the SQL standard and SQLstream do; "quoted" ones keep their case. Keywords
// are not a token kind: the parser recognises them by their upper-cased
// text, and only a small reserved set (SELECT, FROM, JOIN, STREAM, ...)
// cannot be a bare column name or an implicit alias.
//
// Grammar (informal; [] optional, {} repeated, | alternatives):
//
//	application  := [stmt] {';' [stmt]}
//	stmt         := CREATE [OR REPLACE] STREAM name '(' col type [NOT NULL] {, ...} ')' [DESCRIPTION 'text']
//	              | CREATE [OR REPLACE] VIEW name ['(' cols ')'] [DESCRIPTION 'text'] AS query
//	              | CREATE [OR REPLACE] PUMP name [STOPPED] [DESCRIPTION 'text'] AS insert
//	              | CREATE [OR REPLACE] FUNCTION name '(' [param type {, ...}] ')' RETURNS type
//	                    {LANGUAGE SQL | [NOT] DETERMINISTIC | CONTAINS SQL | READS SQL DATA | NO SQL
//	                     | RETURNS NULL ON NULL INPUT | CALLED ON NULL INPUT} RETURN expr
//	              | insert | query
//	insert       := INSERT INTO name ['(' cols ')'] query
//	query        := term {(UNION | EXCEPT) [ALL | DISTINCT] term} [ORDER BY order {, order}]
//	term         := primary {INTERSECT [ALL | DISTINCT] primary}      -- INTERSECT binds tighter
//	primary      := select | '(' query ')'
//	select       := SELECT [STREAM] [DISTINCT | ALL] item {, item} [FROM from]
//	                [WHERE expr] [WINDOWED BY STAGGER '(' PARTITION BY exprs RANGE interval ')']
//	                [GROUP BY exprs] [HAVING expr] [WINDOW w AS '(' window ')' {, ...}]
//	item         := * | name.* | expr [[AS] alias]
//	from         := table {(',' | [NATURAL] [INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER] | CROSS] JOIN)
//	                table [ON expr | USING '(' cols ')']}
//	table        := name [OVER (w | '(' window ')')] [correlation]          -- stream-to-stream join window
//	              | '(' query ')' [OVER ...] [correlation]
//	              | TABLE '(' f '(' args ')' ')' [correlation]              -- TABLE(RANDOM_CUT_FOREST(CURSOR(...)))
//	              | f '(' args ')' [correlation]                            -- TUMBLE(TABLE t, DESCRIPTOR(c), INTERVAL ...)
//	correlation  := [AS] alias ['(' cols ')']
//	window       := [w] [PARTITION BY exprs] [ORDER BY orders]
//	                [(ROWS | RANGE) (bound | BETWEEN bound AND bound)]
//	bound        := UNBOUNDED PRECEDING | UNBOUNDED FOLLOWING | CURRENT ROW | expr (PRECEDING | FOLLOWING)
//	order        := expr [ASC | DESC] [NULLS FIRST | NULLS LAST]
//
// Expressions, loosest first: OR; AND; NOT; comparisons (= <> != < <= > >=),
// IS [NOT] NULL|TRUE|FALSE|UNKNOWN, [NOT] BETWEEN, [NOT] IN (list | query),
// [NOT] LIKE [ESCAPE], [NOT] SIMILAR TO [ESCAPE]; ||; + -; * / %; unary + -.
// Primaries: literals (numbers, quoted strings (a doubled quote escapes one), TRUE, FALSE,
// NULL, TIMESTAMP|DATE|TIME 'text', INTERVAL ['-']'n' unit [(p)] [TO unit]),
// (possibly qualified) names, name.*, calls f([DISTINCT|ALL] args | *)
// [IGNORE|RESPECT NULLS] [OVER (w | '(' window ')')], named arguments
// (name => expr), CASE (simple and searched), CAST(x AS type), STEP(x BY
// interval), FLOOR|CEIL|CEILING(x TO unit), SUBSTRING(x FROM a [FOR b]),
// SUBSTRING(x SIMILAR p [ESCAPE e]), TRIM([BOTH|LEADING|TRAILING] [c] FROM
// x), POSITION(a IN b), OVERLAY(x PLACING y FROM a [FOR b]), EXTRACT(unit
// FROM x), CURSOR(query), DESCRIPTOR(cols), TABLE name|(query) [PARTITION BY
// key | '(' keys ')'], EXISTS(query), (query), (x - y) unit [TO unit] (a
// datetime difference as an interval), .field on calls and parenthesised
// expressions, and the parameterless CURRENT_ROW_TIMESTAMP,
// CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME, LOCALTIME, LOCALTIMESTAMP.
//
// Types: VARCHAR(n), CHAR(n), CHARACTER [VARYING], INTEGER, INT, BIGINT,
// SMALLINT, TINYINT, DOUBLE [PRECISION], REAL, FLOAT, DECIMAL|DEC|NUMERIC(p,s),
// BOOLEAN, TIMESTAMP, DATE, TIME, VARBINARY(n), BINARY(n); INT, DEC,
// CHARACTER [VARYING] and DOUBLE PRECISION are stored under their canonical
// names.
//
// Comments are -- and // to the end of the line (AWS's own examples use //)
// and /* ... */.
package parser

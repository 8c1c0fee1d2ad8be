// Package logparse implements the log parsing functions of Kinesis Data
// Analytics for SQL applications as pure Go, after AWS's "Amazon Kinesis
// Data Analytics SQL Reference" (Log Parsing Functions):
//
//	REGEX_LOG_PARSE(input, pattern[, columns])          CompileRegexLogParse, RegexLogParse
//	FAST_REGEX_LOG_PARSER(input, pattern[, columns])    CompileFastRegexLogParse, FastRegexLogParse
//	FIXED_COLUMN_LOG_PARSE(input, column descriptions)  CompileFixedColumnLogParse, FixedColumnLogParse
//	VARIABLE_COLUMN_LOG_PARSE(input, columns, delimiter[, escape, quote])
//	                                                    CompileVariableColumnLogParse, VariableColumnLogParse
//	SYS_LOG_PARSE(message)                              SysLogParse
//	W3C_LOG_PARSE(input, format)                        CompileW3CLogParse, W3CLogParse
//
// Each Compile function checks and compiles the constant arguments once (the
// engine calls it when it plans a query; its error is the query's error);
// the parser's Parse then runs per row and is safe for concurrent use. The
// one-shot functions compile and parse at once.
//
// # Results
//
// Every function answers a *Row (see Row): ordered columns, each with a
// name, a SQL type and a value (nil for NULL). A nil *Row is a NULL result
// (REGEX_LOG_PARSE and FAST_REGEX_LOG_PARSER when the pattern does not
// match, SYS_LOG_PARSE and W3C_LOG_PARSE when the line does not have the
// expected shape). The engine maps a NULL input argument to a NULL result
// without calling Parse. Without a column list the columns are COLUMN1 ..
// COLUMNn VARCHAR(1024), as the reference says; a VARCHAR(n) value longer
// than n characters is cut to n. Values of other types are converted from
// the field's text (trimmed of blanks; an all-blank field is NULL; a field
// that does not convert is an error naming the column), and a missing field
// of a NOT NULL column is an error.
//
// Column lists: REGEX_LOG_PARSE and FAST_REGEX_LOG_PARSER take
// "name [type], ..." (type defaults to VARCHAR(1024)), naming the groups
// from the left; FIXED_COLUMN_LOG_PARSE takes "name TYPE type ['format']
// [NOT NULL] START n [FOR len], ..."; VARIABLE_COLUMN_LOG_PARSE takes a
// number of columns or "name TYPE type [NOT NULL], ...". Names are SQL
// identifiers (bare ones upper-cased, "quoted" ones as written). DATE, TIME
// and TIMESTAMP columns take a java.text.SimpleDateFormat pattern (package
// datefmt: letters G y Y M L d D E u a H k K h m s S F w W z Z X and
// 'quoted' text; the whole text must match); without one the SQL literal
// forms are read. Timestamps are UTC; a zone in the text is applied.
//
// # Where AWS's text is ambiguous, and what kinesin does
//
//   - REGEX_LOG_PARSE: the pattern must match the whole input (as Java's
//     Matcher.matches, which the reference's examples, wrapped in ".*",
//     imply). Patterns run on Go's RE2 engine, whose submatch choice is
//     Java's for the constructs both have; Java's POSIX classes (\p{Alpha},
//     \P{Space}, ...) are translated; back-references, lookaround,
//     possessive quantifiers and atomic groups are compile errors. With a
//     column list, columns beyond the number of groups are NULL and groups
//     beyond the list are dropped.
//   - FAST_REGEX_LOG_PARSER uses its own dialect (reference: "Character
//     Class Symbols for Fast Regex"): . any character, [..] and [^..]
//     classes with ranges, | union, ? * + {n} {n,} {n,m}, # the empty
//     language, @ any string, "text" a literal string, () the empty string,
//     <Digit> <Upper> <Lower> <ASCII> <Alpha> <Alnum> <Punct> <Blank>
//     <Space> <Cntrl> <XDigit> <Print> <Graph>, \c the character c (so \d
//     is the letter d, not a digit). Intersection (&) and numerical
//     intervals (<n-m>) are not supported (compile errors). Only top-level
//     parenthetical expressions are columns; nested ones only group.
//     Evaluation follows the reference's description: the pattern is split
//     into one expression per group and per stretch outside groups; a
//     repeated fixed-width atom x+ counts as x x* (the reference treats
//     "_+" as "__*"); fixed-length beginnings move to the end of the
//     previous expression (entirely fixed expressions merge with it); the
//     expressions are then matched in turn without backtracking, a group
//     taking as little as lets the following fixed text match right after
//     it and a stretch outside groups as much, and the input must be used
//     up. This reproduces the reference's examples A, B and C and the
//     "omit the final asterisk" remark. Its first example states COLUMN2 =
//     'a_little_lamb' for ('Mary_had_a_little_lamb', '(.*)_(._.*)_.*'),
//     which no reading of the pattern allows (the '_' after the group must
//     match something); kinesin answers 'a_little'. A pattern with a
//     top-level | is matched as one expression with lazy quantifiers.
//   - FIXED_COLUMN_LOG_PARSE: positions count characters from 0; without
//     FOR a column runs to the end of the input; a column starting past the
//     end is NULL, one running past it is cut short.
//   - VARIABLE_COLUMN_LOG_PARSE: the delimiter string is one separator (of
//     any length); quote characters are removed from the value (with two
//     quote characters, either may end a quoted stretch, as the reference
//     allows); fields
//     missing at the end are NULL; fields beyond the last column are
//     dropped. With a number n the columns are COLUMN1..COLUMNn
//     VARCHAR(1024).
//   - SYS_LOG_PARSE: COLUMN1 TIMESTAMP, COLUMN2 VARCHAR — the reference
//     gives no length; kinesin uses VARCHAR(1024). COLUMN2 is everything
//     after the timestamp and one blank ("server message"). Syslog
//     timestamps have no year; SimpleDateFormat's default year, 1970, is
//     used (SysLogParseYear takes one).
//   - W3C_LOG_PARSE: the reference names no columns; kinesin answers
//     COLUMN1..COLUMNn, one per specifier. Its prose says %b is numeric
//     and %B text (the table's descriptions say the reverse of Apache's);
//     kinesin follows the prose: %b BIGINT ("-" is NULL), %B VARCHAR. %t is
//     text, brackets included, as the reference's Example 1 shows
//     ("[24/May/2004:22:01:02 -0700]"; a format written [%t] drops them);
//     %s %p %P INTEGER, %D %T %I %O %k BIGINT, the rest VARCHAR(1024) ("-"
//     kept as text). Fields are matched lazily up to the format's next
//     literal text.
//     %[Name]x and Apache's %{Name}x are both accepted; status conditions
//     (%!200,304s) and < > are read and ignored. IIS is Microsoft's IIS log
//     format (15 comma-separated fields); "#Fields: f1 f2 ..." parses W3C
//     extended log lines (blank-separated, one VARCHAR column per field).
//   - DATE, TIME and TIMESTAMP formats read a two-digit year (yy) as
//     20yy (datefmt.Options.TwoDigitYearStart 2000).
package logparse

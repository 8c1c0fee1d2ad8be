// Package discover infers the input schema of sampled stream records, the
// work behind Kinesis Data Analytics' DiscoverInputSchema API
// (KinesisAnalytics_20150814). Discover takes the sampled records (and,
// when an input processor ran, the processed ones) and answers the API's
// response shape with AWS's JSON member names — InputSchema (RecordFormat,
// RecordEncoding "UTF-8", RecordColumns), ParsedInputRecords,
// ProcessedInputRecords, RawInputRecords — or an
// *UnableToDetectSchemaException carrying the sampled records as AWS's
// does. It reads no stream itself: the API layer samples records and calls
// it.
//
// What AWS documents, and this package follows:
//
//   - Formats: UTF-8 JSON and CSV ("Schema Discovery Issues"). JSON sources
//     get RecordRowPath "$" and a Mapping per column; CSV sources get
//     CSVMappingParameters and no Mapping.
//   - Column names ("Column Naming During Schema Discovery"): names that are
//     reserved SQL words, hold characters other than letters, digits and
//     '_', begin with a digit or are longer than 100 characters are prefixed
//     with COL_, keeping what can be kept in its case (USER → COL_USER,
//     USER@DOMAIN → COL_USERDOMAIN, year → COL_year); a name with nothing
//     left becomes COL_<n> with n the column's place (@@ → COL_0).
//   - The static-data example's full response (a CRLF CSV file with a header
//     row) is reproduced exactly by the tests: RecordRowDelimiter "\r\n",
//     INTEGER for whole numbers, VARCHAR sizes 4/64/4/16 for longest values
//     of 2/35/4/9 characters (so: the next power of two, at least 4; the
//     header row does not count), and the header row listed in
//     ParsedInputRecords with null where its text is no value of the
//     column's type.
//   - Date-time strings stay VARCHAR (AWS's examples have users change
//     EVENT_TIME to TIMESTAMP after discovery).
//
// Where AWS is silent or ambiguous, kinesin chooses (and the tests pin):
//
//   - Numbers: whole numbers are INTEGER when they fit 32 bits, else BIGINT;
//     numbers with a fraction or exponent are REAL (AWS's API examples show
//     REAL for prices; its "JSON Input Schema Example" shows TINYINT and
//     DECIMAL(5,2) for the stock ticker, which reads as hand-written, not
//     discovered), DOUBLE beyond REAL's range. Widening across samples:
//     INTEGER < BIGINT < REAL < DOUBLE, BIGINT with REAL gives DOUBLE;
//     booleans alone give BOOLEAN; any string, or booleans mixed with
//     numbers, give VARCHAR sized over the text of all values. A column
//     seen only as null is VARCHAR(4). Nulls and missing keys do not
//     affect the type.
//   - Nested JSON objects are flattened to one column per leaf, named by the
//     leaf's key, mapped as $.a.b; when the leaf name is taken, the column is
//     named by its whole path joined with '_' (user_id), then suffixed _2,
//     _3, ... Keys that are not plain identifiers map with bracket notation
//     ($['my key']). Arrays become one VARCHAR column holding the array's
//     source text, mapped $.name[0:] ("Retrieve All Elements in an Array in
//     a Single Row"). Objects nested deeper than 32 levels are kept as text.
//   - A record may hold several JSON objects (one row each). The source is
//     JSON when most non-empty records are JSON objects; the others give no
//     rows. Otherwise it is CSV. A top-level JSON array is not a JSON row.
//   - CSV: column delimiter the first of , TAB | ; that splits every row
//     into the same number (≥ 2) of fields; else the one whose usual count
//     (≥ 2) covers at least 80% of the rows, other rows cut or padded with
//     nulls; otherwise one column per row, with a delimiter that occurs in
//     no row. Fields may be double-quoted (RFC 4180 style).
//     A header row is detected as a sniffer does (columns whose other values
//     are numbers or booleans vote for it when the first row's value is
//     not one). Headerless columns are COL_1, COL_2, ... (1-based, as AWS's
//     log-parsing examples name them — note the 0-based COL_0 above).
//   - "Letters" in names are ASCII letters; the 100-character limit counts
//     the COL_ prefix; duplicate names get _2, _3, ...; more than 1000
//     columns (AWS's RecordColumns limit) are cut to the first 1000.
//   - Records that are not valid UTF-8 are left out of inference (they stay
//     in RawInputRecords, invalid bytes replaced by U+FFFD).
//   - The UnableToDetectSchemaException message texts are kinesin's; AWS
//     does not document its own.
package discover

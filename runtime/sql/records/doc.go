// Package records converts between the records of a Kinesis Data Analytics
// application's sources and destinations and the rows of its in-application
// streams: Parser reads a record as an input schema (types.SourceSchema)
// describes it, Formatter writes a row in a DestinationSchema's format and
// LoadReference reads a reference data object.
//
// What AWS documents ("Mapping Streaming Source Elements to SQL Input
// Columns", "Working with JSONPath", "Error Handling"), and this package
// follows:
//
//   - JSON: each column's Mapping is a JSONPath: $.name, nested
//     $.a.b.c, ['name'] for keys that are no plain names, [n] for an array
//     element. $.array[0:] alone is the array's text (compacted) in one
//     row; $.array[0:].element returns each element as a separate row,
//     with the other columns repeated; only one array can be flattened,
//     one level deep. An empty array, or one none of whose elements has
//     the element, still gives one row (its columns NULL). A path that
//     matches nothing gives NULL (paths are case sensitive).
//   - CSV: columns map by position; trailing fields may be left out.
//   - Conversions ("Mapping JSON Data Types to SQL Data Types"): null is
//     NULL for every type; true/false are 1/0 for numbers, TRUE/FALSE for
//     BOOLEAN, "true"/"false" for strings, a 1-byte value for VARBINARY and
//     an error for datetimes; numbers convert exactly to numeric types (a
//     value that needs rounding or is out of range, 123.4 to INT, is an
//     error), 0 is FALSE and any other number TRUE, strings get the
//     number's text, binaries and datetimes fail; strings convert to
//     numbers when they read as one, to BOOLEAN TRUE when "true" (any
//     case) and FALSE otherwise, to CHAR/VARCHAR truncated to the length
//     without error, to VARBINARY from X'3F67A23A' (or base64, which the
//     SQL reference's data types table names); objects and arrays convert
//     only to strings (their source text).
//   - UTF-8 is the only RecordEncoding.
//   - A record that does not conform to the schema, and a value that
//     cannot be converted (a coercion error), go to error_stream: Parse
//     answers an *Error whose Name the host writes as ERROR_NAME.
//
// Where AWS is silent, kinesin chooses:
//
//   - ERROR_NAME values are Parse_Error and Coercion_Error (AWS documents
//     the two cases, not its names for them).
//   - Datetime strings: yyyy-MM-dd, yyyy-MM-dd HH:mm[:ss[.f...]] with a
//     blank or T between date and time (AWS's examples write
//     "1992-02-14 18:35:44.0" and "2018-05-09T12:50:41.337510"), optionally
//     followed by Z or an offset (±HH:mm, ±HHmm) that converts to UTC.
//     Digits below the millisecond are cut. DATE takes the date of such a
//     string, TIME its time of day or a HH:mm[:ss[.f]] string.
//   - A mapping may repeat the RecordRowPath ($.data.x under RecordRowPath
//     $.data); otherwise mappings are relative to the row ($.x).
//     RecordRowPath may itself flatten ($.items[0:]); a row path ending on
//     an array makes each element a row. A record whose RecordRowPath
//     matches nothing is a Parse_Error.
//   - One record may hold several JSON values (JSON lines or concatenated
//     objects): each gives its rows. Unmapped parts of a record are checked
//     for balanced brackets and strings, not fully validated.
//   - CSV: empty fields are NULL; fields may be double-quoted (RFC 4180) to
//     hold the column delimiter; empty lines give no row; with the row
//     delimiter "\n" a '\r' ending a line is dropped. String values are not
//     trimmed; numbers, booleans and datetimes ignore surrounding blanks.
//   - A JSON number written to a CHAR/VARCHAR column keeps its text as the
//     record writes it ("1.50" stays 1.50); AWS says only "a string
//     representation of the number".
//   - A row with a coercion error is left out; the record's other rows are
//     still parsed and Parse answers the first problem.
//   - Output JSON: one object per record, no separator or newline (as AWS
//     writes them), members named as the stream's columns, in order, NULL
//     as null, numbers as JSON numbers (REAL/DOUBLE as Java prints them:
//     1.0, 1.0E7; NaN and infinities as strings), TIMESTAMP as
//     java.sql.Timestamp prints it ("2018-08-01 20:17:00.0"), VARBINARY as
//     base64. Output CSV: comma-separated fields, one line per record ending
//     in "\n", NULL as an empty field, quoted when needed.
//   - LoadReference leaves out rows that do not convert (a header line).
package records

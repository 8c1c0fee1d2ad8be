// Package convert implements Firehose record format conversion: JSON
// records in, one Apache Parquet file per buffer flush out.
//
// It follows Firehose's DataFormatConversionConfiguration, except that the
// Glue table (SchemaConfiguration) is replaced by a schema declared inline:
// a list of columns with Hive type strings as Glue stores them (string, int,
// bigint, smallint, tinyint, double, float, boolean, timestamp, date,
// decimal(p,s), binary, array<T>, map<string,T>, struct<a:T,...>; also
// varchar(n)/char(n) read as string). ParseType parses those strings.
//
// Input deserializers:
//   - OpenXJsonSerDe (the default): keys matched case-insensitively unless
//     CaseInsensitive is false; ConvertDotsInJsonKeysToUnderscores;
//     ColumnToJsonKeyMappings (top-level columns). Timestamps: epoch
//     seconds, epoch milliseconds (integers >= 1e11), floating epoch
//     seconds, yyyy-MM-dd'T'HH:mm:ss[.S]'Z' and yyyy-[M]M-[d]d HH:mm:ss[.S].
//   - HiveJsonSerDe: TimestampFormats as Joda-Time patterns (a common
//     subset, translated to Go layouts when the configuration is compiled)
//     or "millis"; by default java.sql.Timestamp.valueOf's format.
//
// A record may hold several concatenated JSON objects ({"a":1}{"a":2}),
// each a row; a JSON array is not valid input, as in Firehose. Missing keys
// and nulls become Parquet nulls. Records that are not JSON objects or hold
// a value that cannot be converted to its column type are returned as
// Failures, to be delivered to the error output with error-output-type
// "format-conversion-failed".
//
// Output (ParquetSerDe): Compression SNAPPY (default), GZIP, UNCOMPRESSED;
// PageSizeBytes (default 1 MiB, min 64 KiB); WriterVersion V1 (default) or
// V2 data pages; EnableDictionaryCompression dictionary-encodes every
// non-boolean column. BlockSizeBytes and MaxPaddingBytes are validated but
// not applied: they size HDFS blocks and padding, and each Convert writes a
// single row group. Timestamps are written as INT64 TIMESTAMP(MILLIS, UTC)
// rather than Hive's INT96; decimals as INT32/INT64/BINARY by precision;
// lists and maps in the standard three-level layout. Columns appear in the
// file in name order (parquet-go orders group fields by name), which
// readers that resolve columns by name, like Athena and Spark, ignore.
//
// ORC output (OrcSerDe) is not implemented: no well-kept Go library writes
// ORC. scritchley/orc and its forks say their writer is not ready for use;
// fallintoplace/orc-go is weeks old, pre-1.0 and imported by nothing (as of
// November 2026). Callers should reject configurations that ask for ORC.
package convert

// Package postgres is Firehose's Amazon Redshift destination, played by
// PostgreSQL: a delivery stream created with a
// RedshiftDestinationConfiguration loads each buffer of records into a
// PostgreSQL table, as Firehose runs a Redshift COPY for each buffer it
// has staged in S3.
//
// # Configuration
//
// Config is AWS's RedshiftDestinationConfiguration. ClusterJDBCURL takes
// AWS's jdbc:redshift://host:port/database, and as kinesin's extension
// jdbc:postgresql://… and postgres:// URLs with any host (ParseURL).
// Username and Password log in (Secrets Manager is not supported). The
// buffering hints are those of the S3Configuration (BufferingFrom; AWS's
// defaults 5 MiB and 300 s).
//
// # Loading
//
// Each batch is loaded in one transaction with PostgreSQL's COPY … FROM
// STDIN: all of its rows or none, as a Redshift COPY (MAXERROR 0) loads a
// staged object. CopyOptions are read as Redshift reads them
// (ParseCopyOptions):
//
//   - JSON 'auto' (also FORMAT AS JSON 'auto', 'auto ignorecase'): each
//     record holds JSON objects; members are matched to the table's
//     columns (or DataTableColumns) by name, exactly or else ignoring case
//     (Redshift's 'auto' matches lowercase names only, 'auto ignorecase'
//     any case; kinesin does the latter for both). Members without a
//     column are ignored; missing members load NULL, except that columns
//     with a DEFAULT that no object of the batch names are left out of the
//     COPY so their default applies. Objects and arrays load as JSON text;
//     json/jsonb columns take any value as JSON.
//   - Delimited text (the default, delimiter '|'; DELIMITER, ESCAPE,
//     REMOVEQUOTES, NULL AS, FILLRECORD, IGNOREBLANKLINES) and CSV (CSV,
//     QUOTE AS, DELIMITER): fields fill DataTableColumns or the table's
//     columns in order. A record is one or more lines; a record not ending
//     in a newline gets one.
//   - IGNOREHEADER n skips the batch's first n lines (Firehose stages a
//     batch as one object); EMPTYASNULL, BLANKSASNULL, TRIMBLANKS and
//     TRUNCATECOLUMNS apply to character columns; empty and blank fields
//     of other columns load NULL, as on Redshift.
//   - TIMEFORMAT 'epochsecs' / 'epochmillisecs' read numbers as epoch
//     times (under 'auto' or none, JSON numbers are epoch seconds); other
//     date and time text goes to PostgreSQL's date/time input, which reads
//     ISO 8601 and the usual forms 'auto' reads. Timestamps without a zone
//     are UTC (the session's time zone is UTC).
//   - GZIP, LZOP, BZIP2 and ZSTD are accepted and ignored: records reach
//     the destination uncompressed. Tuning options (MAXERROR, COMPUPDATE,
//     STATUPDATE, …) are ignored too. JSONPaths files, FIXEDWIDTH and the
//     columnar formats are not supported.
//
// Values are converted by PostgreSQL's own input functions for the
// columns' types (the rows go as COPY text), so any column type loads:
// text, integers, numeric, floating point, boolean, dates and timestamps,
// json/jsonb, uuid, arrays…
//
// # Failures
//
// A bad record fails the whole batch, as it fails Redshift's COPY. Failed
// attempts (bad data, a missing table, a database that is down) are
// retried with backoff for RetryOptions.DurationInSeconds (default 3600);
// then every record of the batch becomes a dest.Failure with OutputType
// "redshift-failed", an errorCode as Firehose reports Redshift errors
// (Redshift.DataLoadFailed, Redshift.ConnectionFailed,
// Redshift.TableNotFound, Redshift.ColumnNotFound, …) and an errorMessage
// that is Firehose's text followed by the cause (for bad data: which
// record, which column, what PostgreSQL said). Firehose itself writes a
// manifest of the skipped S3 objects under errors/; kinesin stages no
// objects, so it writes the records, like the other destinations.
//
// A connection lost during COMMIT leaves the outcome unknown; the retry
// may then load the batch twice (Firehose's Redshift delivery is
// at-least-once too).
package postgres

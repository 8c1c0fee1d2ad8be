package postgres

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Error codes as Firehose reports Redshift delivery errors (CloudWatch
// Logs and the failure documents' errorCode).
const (
	CodeConnectionFailed      = "Redshift.ConnectionFailed"
	CodeAuthenticationFailed  = "Redshift.AuthenticationFailed"
	CodeDatabaseNotFound      = "Redshift.DatabaseNotFound"
	CodeTableNotFound         = "Redshift.TableNotFound"
	CodeColumnNotFound        = "Redshift.ColumnNotFound"
	CodeMissingColumn         = "Redshift.MissingColumn"
	CodeSyntaxError           = "Redshift.SyntaxError"
	CodeIncorrectCopyOptions  = "Redshift.IncorrectCopyOptions"
	CodeDataLoadFailed        = "Redshift.DataLoadFailed"
	CodeInsufficientPrivilege = "Redshift.InsufficientPrivilege"
	CodeReadOnlyCluster       = "Redshift.ReadOnlyCluster"
	CodeDiskFull              = "Redshift.DiskFull"
	CodeInternalError         = "InternalError"
)

// messages are Firehose's texts for the codes; kinesin appends the cause.
var messages = map[string]string{
	CodeConnectionFailed:      "The connection to the specified Amazon Redshift cluster failed. Ensure that security settings allow Firehose connections, that the cluster or database specified in the Amazon Redshift destination configuration or JDBC URL is correct, and that the cluster is available.",
	CodeAuthenticationFailed:  "The provided user name and password failed authentication. Provide a valid user name and password.",
	CodeDatabaseNotFound:      "The database specified in the Amazon Redshift destination configuration or JDBC URL was not found. Specify a valid database name.",
	CodeTableNotFound:         "The table to which to load data was not found. Ensure that the specified table exists.",
	CodeColumnNotFound:        "A column in the COPY command does not exist in the table. Specify a valid column name.",
	CodeMissingColumn:         "There is a column defined in the table schema as NOT NULL without a DEFAULT value and not included in the column list. Exclude this column, ensure that the loaded data always provides a value for this column, or add a default value to the Amazon Redshift schema for this table.",
	CodeSyntaxError:           "The COPY command contains a syntax error. Retry the command.",
	CodeIncorrectCopyOptions:  "Conflicting or redundant COPY options were provided. Some options are not compatible in certain combinations. Check the COPY command reference for more info.",
	CodeDataLoadFailed:        "Loading data into the table failed. Check STL_LOAD_ERRORS system table for details.",
	CodeInsufficientPrivilege: "The user does not have permissions to load data into the table. Check the Amazon Redshift user permissions for the INSERT privilege.",
	CodeReadOnlyCluster:       "The query cannot be executed because the system is in resize mode. Try the query again later.",
	CodeDiskFull:              "Data could not be loaded because the disk is full. Increase the capacity of the Amazon Redshift cluster or delete unused data to free disk space.",
	CodeInternalError:         "An internal error occurred while attempting to deliver data. Delivery will be retried; if the error persists, then it will be reported to AWS for resolution.",
}

// loadError is one failed attempt: the Firehose code and the cause.
type loadError struct {
	code  string
	cause string
	// conn: the connection is broken and is to be dropped.
	conn bool
}

func (e *loadError) Error() string { return e.code + ": " + e.cause }

// message is the failure document's errorMessage: Firehose's text for the
// code, then what went wrong.
func (e *loadError) message() string {
	m := messages[e.code]
	if m == "" {
		m = messages[CodeInternalError]
	}
	if e.cause == "" {
		return m
	}
	return m + " Cause: " + e.cause
}

func fail(code, cause string) *loadError { return &loadError{code: code, cause: cause} }

// classify maps a driver error to a loadError.
func classify(err error, connecting bool) *loadError {
	var le *loadError
	if errors.As(err, &le) {
		return le
	}
	var oe *optionError
	if errors.As(err, &oe) {
		return fail(oe.code, oe.msg)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		cause := pe.Message
		if pe.Detail != "" {
			cause += " (" + pe.Detail + ")"
		}
		e := &loadError{cause: cause}
		switch c := pe.Code; {
		case c == "28P01" || c == "28000":
			e.code, e.conn = CodeAuthenticationFailed, true
		case c == "3D000":
			e.code, e.conn = CodeDatabaseNotFound, true
		case c == "42P01":
			e.code = CodeTableNotFound
		case c == "42703":
			e.code = CodeColumnNotFound
		case c == "42501":
			e.code = CodeInsufficientPrivilege
		case c == "42601":
			e.code = CodeSyntaxError
		case c == "53100":
			e.code = CodeDiskFull
		case c == "25006":
			e.code = CodeReadOnlyCluster
		case strings.HasPrefix(c, "22") || strings.HasPrefix(c, "23"):
			e.code = CodeDataLoadFailed
		case strings.HasPrefix(c, "08") || strings.HasPrefix(c, "57P") || strings.HasPrefix(c, "53"):
			e.code, e.conn = CodeConnectionFailed, true
		default:
			e.code = CodeInternalError
		}
		return e
	}
	var ne net.Error
	if connecting || errors.As(err, &ne) || pgconn.SafeToRetry(err) || errors.Is(err, context.DeadlineExceeded) {
		return &loadError{code: CodeConnectionFailed, cause: err.Error(), conn: true}
	}
	return &loadError{code: CodeInternalError, cause: err.Error(), conn: true}
}

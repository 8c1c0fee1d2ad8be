package keys

import (
	"fmt"
	"strings"
)

// CodeInvalidArgument is the AWS error code Firehose returns for a bad
// prefix configuration.
const CodeInvalidArgument = "InvalidArgumentException"

// Error is a prefix configuration error as the Firehose API reports it.
type Error struct {
	Code    string // AWS error code, CodeInvalidArgument
	Message string // AWS-style message
}

func (e *Error) Error() string { return e.Message }

func invalid(format string, a ...any) error {
	return &Error{Code: CodeInvalidArgument, Message: fmt.Sprintf(format, a...)}
}

// Validate applies the rules Firehose applies to an S3 destination's
// Prefix and ErrorOutputPrefix when a delivery stream is created or
// updated. It returns the first violation as an *Error, or nil.
func Validate(prefix, errorOutputPrefix string, dynamicPartitioning bool) error {
	if len(prefix) > MaxPrefixLen {
		return invalid("Prefix length must be less than or equal to %d", MaxPrefixLen)
	}
	if len(errorOutputPrefix) > MaxPrefixLen {
		return invalid("ErrorOutputPrefix length must be less than or equal to %d", MaxPrefixLen)
	}
	p, err := compile(prefix)
	if err != nil {
		return invalid("Prefix is invalid: %s", strings.TrimPrefix(err.Error(), "keys: "))
	}
	e, err := compile(errorOutputPrefix)
	if err != nil {
		return invalid("ErrorOutputPrefix is invalid: %s", strings.TrimPrefix(err.Error(), "keys: "))
	}
	if p.UsesErrorOutputType() {
		return invalid("The '!{firehose:error-output-type}' expression is only allowed in ErrorOutputPrefix.")
	}
	if errorOutputPrefix == "" && p.HasExpressions() {
		return invalid("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions")
	}
	if e.HasExpressions() && !e.UsesErrorOutputType() {
		return invalid("ErrorOutputPrefix must contain at least one instance of '!{firehose:error-output-type}' when it contains expressions")
	}
	if e.UsesPartitionKeys() {
		return invalid("The partitionKeyFromQuery and partitionKeyFromLambda namespaces are not allowed in ErrorOutputPrefix.")
	}
	if p.UsesPartitionKeys() && !dynamicPartitioning {
		return invalid("Prefix contains dynamic partitioning key expressions, but dynamic partitioning is not enabled.")
	}
	if dynamicPartitioning && !p.UsesPartitionKeys() {
		return invalid("When dynamic partitioning is enabled, Prefix must contain at least one partitionKeyFromQuery or partitionKeyFromLambda expression.")
	}
	return nil
}

package httpendpoint

import (
	"fmt"
	"strings"

	"github.com/kinesin/kinesin/internal/awserr"
)

// ConfigError is a configuration kinesin refuses. Error is the message of
// the API's answer; Kind is the exception AWS answers with:
// ValidationException for the model's constraints ("N validation errors
// detected: ..."), InvalidArgumentException for the rules between members.
// errors.As finds the *awserr.Error inside, so awserr.As(err) answers the
// right exception.
type ConfigError struct {
	Kind    awserr.Kind
	Message string
}

func (e *ConfigError) Error() string { return e.Message }

// Unwrap is the AWS-shaped error.
func (e *ConfigError) Unwrap() error { return &awserr.Error{Kind: e.Kind, Message: e.Message} }

func invalidArgument(format string, args ...any) *ConfigError {
	return &ConfigError{Kind: awserr.InvalidArgument, Message: fmt.Sprintf(format, args...)}
}

// validationError is v's ValidationException as a *ConfigError, or nil.
func validationError(v *awserr.Violations) error {
	if e := v.Err(); e != nil {
		return &ConfigError{Kind: e.Kind, Message: e.Message}
	}
	return nil
}

// lineOnly reports whether s matches Java's ".*": no line terminators.
func lineOnly(s string) bool {
	return !strings.ContainsAny(s, "\n\r\u0085\u2028\u2029")
}

// nonBlank reports whether s matches ^(?!\s*$).+ in Java: not empty, not
// only whitespace, no line terminators.
func nonBlank(s string) bool {
	if s == "" || !lineOnly(s) {
		return false
	}
	return strings.Trim(s, " \t\n\x0B\f\r") != "" // Java's \s
}

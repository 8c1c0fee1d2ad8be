package httpendpoint

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

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

// violations collects the model's constraint violations in the wording of
// awserr.Violations, plus AWS's form for sensitive members, whose value
// the message leaves out ("Value at 'x' failed to satisfy ...").
type violations struct{ list []string }

func (v *violations) push(s string) {
	if len(v.list) < awserr.MaxViolations {
		v.list = append(v.list, s)
	}
}

func (v *violations) null(path string) {
	v.push("Value null at '" + path + "' failed to satisfy constraint: Member must not be null")
}

func (v *violations) add(value, path, constraint string) {
	v.push("Value '" + value + "' at '" + path + "' failed to satisfy constraint: " + constraint)
}

func (v *violations) addSensitive(path, constraint string) {
	v.push("Value at '" + path + "' failed to satisfy constraint: " + constraint)
}

// given records a missing required member and reports whether it is there.
func (v *violations) given(there bool, path string, required bool) bool {
	if !there && required {
		v.null(path)
	}
	return there
}

func (v *violations) length(s, path string, minLen, maxLen int) {
	n := javaLen(s)
	if n < minLen {
		v.add(s, path, awserr.MinLen(minLen))
	}
	if n > maxLen {
		v.add(s, path, awserr.MaxLen(maxLen))
	}
}

func (v *violations) lengthSensitive(s, path string, minLen, maxLen int) {
	n := javaLen(s)
	if n < minLen {
		v.addSensitive(path, awserr.MinLen(minLen))
	}
	if n > maxLen {
		v.addSensitive(path, awserr.MaxLen(maxLen))
	}
}

func (v *violations) pattern(s, path string, re *regexp.Regexp, shown string) {
	if !re.MatchString(s) {
		v.add(s, path, awserr.Pattern(shown))
	}
}

func (v *violations) rangeOf(n *int64, path string, minVal, maxVal int64) {
	if n == nil {
		return
	}
	if *n < minVal {
		v.add(strconv.FormatInt(*n, 10), path, awserr.MinVal(minVal))
	}
	if *n > maxVal {
		v.add(strconv.FormatInt(*n, 10), path, awserr.MaxVal(maxVal))
	}
}

func (v *violations) enum(s *string, path string, values ...string) {
	if s == nil {
		return
	}
	for _, x := range values {
		if *s == x {
			return
		}
	}
	v.add(*s, path, awserr.Enum(values...))
}

func (v *violations) err() error {
	switch n := len(v.list); n {
	case 0:
		return nil
	case 1:
		return &ConfigError{Kind: awserr.Validation, Message: "1 validation error detected: " + v.list[0]}
	default:
		return &ConfigError{Kind: awserr.Validation, Message: strconv.Itoa(n) + " validation errors detected: " + strings.Join(v.list, "; ")}
	}
}

// javaLen is the length AWS's Java validators count: UTF-16 code units.
func javaLen(s string) int { return len(utf16.Encode([]rune(s))) }

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

package awserr

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Kind is one row of the catalogue: an AWS error code and the HTTP status a
// service answers it with. The same code can have different statuses in
// different services (Kinesis answers ResourceNotFoundException with 400,
// Lambda with 404), so each service uses its own rows.
type Kind struct {
	Code   string
	Status int
}

// Kinesis Data Streams (JSON 1.1 / CBOR, Kinesis_20131202).
var (
	Serialization          = Kind{"SerializationException", 400}
	Validation             = Kind{"ValidationException", 400}
	InvalidArgument        = Kind{"InvalidArgumentException", 400}
	ResourceNotFound       = Kind{"ResourceNotFoundException", 400}
	ResourceInUse          = Kind{"ResourceInUseException", 400}
	LimitExceeded          = Kind{"LimitExceededException", 400}
	ExpiredIterator        = Kind{"ExpiredIteratorException", 400}
	ExpiredNextToken       = Kind{"ExpiredNextTokenException", 400}
	ThroughputExceeded     = Kind{"ProvisionedThroughputExceededException", 400}
	UnknownOperation       = Kind{"UnknownOperationException", 400}
	AccessDenied           = Kind{"AccessDeniedException", 400}
	MissingAuthToken       = Kind{"MissingAuthenticationTokenException", 403}
	InternalFailure        = Kind{"InternalFailure", 500}
	ServiceUnavailable     = Kind{"ServiceUnavailable", 503}
	KMSThrottling          = Kind{"KMSThrottlingException", 400}
	ValidationAccessDenied = Kind{"AccessDeniedException", 400}
)

// Error is an AWS-shaped error: it becomes {"__type": Code, "message": Message}
// with the Kind's HTTP status.
type Error struct {
	Kind
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// New builds an error of this kind with a formatted message.
func (k Kind) New(format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Kind: k, Message: format}
	}
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Is reports whether err is an *Error of this kind.
func (k Kind) Is(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// As returns the *Error inside err, or an InternalFailure that hides err's
// text from the client (the caller logs the original).
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return InternalFailure.New("")
}

// Violations collects constraint violations in the order AWS checks them
// and renders them as AWS's ValidationException:
//
//	2 validation errors detected: Value '0' at 'shardCount' failed to satisfy
//	constraint: Member must have value greater than or equal to 1; Value ...
//
// Like AWS, it keeps the first MaxViolations and drops the rest.
type Violations struct {
	list []string
}

// MaxViolations is how many violations AWS reports at most.
const MaxViolations = 10

// Null records a missing required member.
func (v *Violations) Null(path string) {
	v.add("Value null at '" + path + "' failed to satisfy constraint: Member must not be null")
}

// Add records that value (already rendered, without quotes) at path broke
// constraint.
func (v *Violations) Add(value, path, constraint string) {
	v.add("Value '" + value + "' at '" + path + "' failed to satisfy constraint: " + constraint)
}

func (v *Violations) add(s string) {
	if len(v.list) < MaxViolations {
		v.list = append(v.list, s)
	}
}

// Len is the number of violations recorded.
func (v *Violations) Len() int { return len(v.list) }

// Err is nil when nothing was recorded, else the ValidationException.
func (v *Violations) Err() *Error {
	switch n := len(v.list); n {
	case 0:
		return nil
	case 1:
		return &Error{Kind: Validation, Message: "1 validation error detected: " + v.list[0]}
	default:
		return &Error{Kind: Validation, Message: strconv.Itoa(n) + " validation errors detected: " + strings.Join(v.list, "; ")}
	}
}

// Constraint texts as the AWS services word them.
func MaxLen(n int) string { return "Member must have length less than or equal to " + strconv.Itoa(n) }
func MinLen(n int) string {
	return "Member must have length greater than or equal to " + strconv.Itoa(n)
}
func MaxVal(n int64) string {
	return "Member must have value less than or equal to " + strconv.FormatInt(n, 10)
}
func MinVal(n int64) string {
	return "Member must have value greater than or equal to " + strconv.FormatInt(n, 10)
}
func Pattern(p string) string { return "Member must satisfy regular expression pattern: " + p }
func Enum(values ...string) string {
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}

// Values as AWS's Java services print them in validation messages.

// BlobValue renders a binary member of n bytes.
func BlobValue(n int) string {
	s := strconv.Itoa(n)
	return "java.nio.HeapByteBuffer[pos=0 lim=" + s + " cap=" + s + "]"
}

// ListValue renders a list of strings: [a, b].
func ListValue(items []string) string { return "[" + strings.Join(items, ", ") + "]" }

// MapValue renders a map of strings, keys sorted: {a=1, b=2}.
func MapValue(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k + "=" + m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// ObjectListValue renders a list of n structures, which Java prints with
// Object.toString: [class@hash, ...]. The hashes are made up.
func ObjectListValue(class string, n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = class + "@" + strconv.FormatUint(uint64(uint32(i+1)*2654435761>>1), 16)
	}
	return ListValue(items)
}

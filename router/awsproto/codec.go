package awsproto

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"

	"github.com/kinesin/kinesin/internal/awserr"
)

// Content types of the JSON-RPC protocols.
const (
	ContentTypeJSON = "application/x-amz-json-1.1"
	ContentTypeCBOR = "application/x-amz-cbor-1.1"
)

// Encoding is the body encoding of one request, and so of its response.
type Encoding uint8

const (
	JSON Encoding = iota
	CBOR
)

// EncodingOf picks the encoding from a Content-Type header. Anything that is
// not CBOR is read as JSON, as AWS does for application/json and friends.
func EncodingOf(contentType string) Encoding {
	if strings.HasPrefix(contentType, "application/x-amz-cbor") || strings.HasPrefix(contentType, "application/cbor") {
		return CBOR
	}
	return JSON
}

// ContentType is the response Content-Type for this encoding.
func (e Encoding) ContentType() string {
	if e == CBOR {
		return ContentTypeCBOR
	}
	return ContentTypeJSON
}

var (
	cborDec cbor.DecMode
	cborEnc cbor.EncMode
)

func init() {
	var err error
	cborDec, err = cbor.DecOptions{
		MaxNestedLevels:  32,
		MaxArrayElements: 1 << 16,
		MaxMapPairs:      1 << 16,
		DupMapKey:        cbor.DupMapKeyQuiet,
		IndefLength:      cbor.IndefLengthAllowed,
		TagsMd:           cbor.TagsAllowed,
		DefaultMapType:   nil,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	cborEnc, err = cbor.EncOptions{Time: cbor.TimeUnixMicro, ShortestFloat: cbor.ShortestFloatNone}.EncMode()
	if err != nil {
		panic(err)
	}
}

// Unmarshal decodes a request body into v. Bodies that are empty or do not
// parse as an object are a SerializationException without a message, and
// members of the wrong type one with Coral's text, as AWS answers them
// (an SDK sends {} for an operation without input).
func (e Encoding) Unmarshal(body []byte, v any) error {
	if e == CBOR {
		return unmarshalCBOR(body, v)
	}
	if b := bytes.TrimLeft(body, " \t\r\n"); len(b) == 0 || b[0] != '{' {
		return awserr.Serialization.New("")
	}
	err := json.Unmarshal(body, v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, new(*awserr.Error)):
		return err
	case errors.As(err, &te):
		kind, _, _ := strings.Cut(te.Value, " ") // "number 1.5"
		return typeError(shapeOf(te.Type), kind)
	}
	return awserr.Serialization.New("")
}

func unmarshalCBOR(body []byte, v any) error {
	if len(body) == 0 {
		return awserr.Serialization.New("")
	}
	err := cborDec.Unmarshal(body, v)
	switch {
	case err == nil:
		return nil
	case errors.As(err, new(*awserr.Error)):
		return err
	case errors.As(err, new(*cbor.UnmarshalTypeError)):
		return awserr.Serialization.New("%s", strings.TrimPrefix(err.Error(), "cbor: "))
	}
	return awserr.Serialization.New("")
}

// Coral's wording of a JSON value of one kind (string, number, bool,
// array, object) sent for a member of another shape.
var (
	coralClass = map[string]string{"string": "java.lang.String", "bool": "java.lang.Boolean",
		"number": "com.amazon.coral.value.json.numbers.TruncatingBigNumber"}
	coralTarget = map[string]string{"Integer": "an Integer", "Double": "an Double", "String": "an String",
		"Boolean": "an Boolean", "Blob": "a Blob", "Timestamp": "milliseconds since epoch"}
	coralExpected = map[string]string{"List": "Expected list or null", "Map": "Expected map or null", "Structure": "Expected null"}
)

func typeError(shape, kind string) *awserr.Error {
	msg := "class " + coralClass[kind] + " can not be converted to " + coralTarget[shape]
	switch {
	case kind == "array" && shape != "List":
		msg = "Start of list found where not expected"
	case kind == "object" && shape != "Map" && shape != "Structure":
		msg = "Start of structure or map found where not expected."
	case coralExpected[shape] != "":
		msg = coralExpected[shape]
	}
	return awserr.Serialization.New("%s", msg)
}

// shapeOf names the model shape a Go member type stands for.
func shapeOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "String"
	case reflect.Bool:
		return "Boolean"
	case reflect.Float32, reflect.Float64:
		return "Double"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "Blob"
		}
		return "List"
	case reflect.Map:
		return "Map"
	case reflect.Struct, reflect.Interface, reflect.Pointer:
		return "Structure"
	}
	return "Integer"
}

// jsonKind is the kind of a raw JSON value, as encoding/json names it.
func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "null"
	}
	switch b[0] {
	case '"':
		return "string"
	case '[':
		return "array"
	case '{':
		return "object"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// Blob is a binary member: base64 in JSON, a byte string in CBOR. It
// accepts exactly what encoding/json accepts for []byte and words its
// refusals as Coral does.
type Blob []byte

// UnmarshalJSON decodes a base64 string.
func (d *Blob) UnmarshalJSON(b []byte) error {
	if k := jsonKind(b); k != "string" {
		if k == "null" {
			return nil
		}
		return typeError("Blob", k)
	}
	raw := b[1 : len(b)-1]
	if bytes.IndexByte(raw, '\\') >= 0 {
		var unq string
		if err := json.Unmarshal(b, &unq); err != nil {
			return err
		}
		raw = []byte(unq)
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(raw)))
	n, err := base64.StdEncoding.Decode(out, raw)
	if err == nil {
		*d = out[:n]
		return nil
	}
	s := string(raw)
	msg := "Invalid last non-pad Base64 character dectected" // sic
	if i := strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune(base64Chars, r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		msg = fmt.Sprintf("Invalid Base64 character: '%c'", r)
	}
	if len(s)%4 != 0 {
		msg = "Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(s))
	}
	return awserr.Serialization.New("'%s' can not be converted to a Blob: %s", s, msg)
}

const base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

// Marshal encodes a response body.
func (e Encoding) Marshal(v any) ([]byte, error) {
	if e == CBOR {
		return cborEnc.Marshal(v)
	}
	return json.Marshal(v)
}

// errorBody is the AWS error shape shared by JSON 1.1 and CBOR.
type errorBody struct {
	Type    string `json:"__type" cbor:"__type"`
	Message string `json:"message,omitempty" cbor:"message,omitempty"`
}

// MarshalError encodes an AWS error body.
func (e Encoding) MarshalError(err *awserr.Error) []byte {
	b, mErr := e.Marshal(errorBody{Type: err.Code, Message: err.Message})
	if mErr != nil {
		return []byte(`{"__type":"InternalFailure"}`)
	}
	return b
}

// Timestamp is an AWS timestamp member. JSON carries it as epoch seconds
// with a fraction (what aws-sdk-go-v2, boto3 and the CLI send and expect);
// CBOR as epoch milliseconds under tag 1, as the Java SDKs write and read it.
type Timestamp time.Time

// Time converts back to time.Time.
func (t Timestamp) Time() time.Time { return time.Time(t) }

// MarshalJSON writes epoch seconds with millisecond precision.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', 3, 64), nil
}

// UnmarshalJSON reads epoch seconds (number or numeric string) or an
// ISO-8601 string.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	s := string(b)
	switch jsonKind(b) {
	case "null":
		return nil
	case "number":
	case "string":
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if ts, err := time.Parse(time.RFC3339Nano, s); err == nil {
			*t = Timestamp(ts)
			return nil
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return typeError("Timestamp", "string")
		}
	default:
		return typeError("Timestamp", jsonKind(b))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return awserr.Serialization.New("class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Date")
	}
	*t = Timestamp(secondsToTime(f))
	return nil
}

func secondsToTime(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC()
}

// MarshalCBOR writes tag 1 with epoch milliseconds, the Java SDK's format.
func (t Timestamp) MarshalCBOR() ([]byte, error) {
	return cborEnc.Marshal(cbor.Tag{Number: 1, Content: time.Time(t).UnixMilli()})
}

// UnmarshalCBOR reads integers (tagged or not) as epoch milliseconds and
// floats as epoch seconds.
func (t *Timestamp) UnmarshalCBOR(b []byte) error {
	var raw cbor.RawTag
	if err := cborDec.Unmarshal(b, &raw); err == nil {
		b = raw.Content
	}
	var v any
	if err := cborDec.Unmarshal(b, &v); err != nil {
		return err
	}
	switch n := v.(type) {
	case nil:
		return nil
	case uint64:
		*t = Timestamp(time.UnixMilli(int64(n)).UTC())
	case int64:
		*t = Timestamp(time.UnixMilli(n).UTC())
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return awserr.Serialization.New("invalid timestamp")
		}
		*t = Timestamp(secondsToTime(n))
	case string:
		ts, err := time.Parse(time.RFC3339Nano, n)
		if err != nil {
			return awserr.Serialization.New("invalid timestamp %q", n)
		}
		*t = Timestamp(ts)
	default:
		return awserr.Serialization.New("invalid timestamp of type %T", v)
	}
	return nil
}

// String renders the timestamp for logs and messages.
func (t Timestamp) String() string { return fmt.Sprint(time.Time(t).UTC()) }

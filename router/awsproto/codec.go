package awsproto

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

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

// Unmarshal decodes a request body into v. An empty body is an empty
// object. Bodies that do not parse, or members of the wrong type, are
// SerializationException as AWS answers them.
func (e Encoding) Unmarshal(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var err error
	if e == CBOR {
		err = cborDec.Unmarshal(body, v)
	} else {
		err = json.Unmarshal(body, v)
	}
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return awserr.Serialization.New("Unexpected value type in payload: %s cannot be %s", te.Field, te.Value)
	case errors.As(err, &se):
		return awserr.Serialization.New("Start of structure or map found where not expected")
	case errors.As(err, new(*awserr.Error)):
		return err
	}
	return awserr.Serialization.New("%s", cleanErr(err))
}

func cleanErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "json: ")
	s = strings.TrimPrefix(s, "cbor: ")
	return s
}

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
	if s == "null" {
		return nil
	}
	if unq, err := strconv.Unquote(s); err == nil {
		s = unq
		if ts, err := time.Parse(time.RFC3339Nano, s); err == nil {
			*t = Timestamp(ts)
			return nil
		}
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

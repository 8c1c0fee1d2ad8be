package awsproto

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
)

// fuzzInput has a member of each kind the services decode: optional
// strings and numbers, blobs, lists of structures and timestamps.
type fuzzInput struct {
	StreamName              *string
	Limit                   *int
	Data                    []byte
	Records                 []fuzzRecord
	Timestamp               *Timestamp
	StreamCreationTimestamp Timestamp
}

type fuzzRecord struct {
	Data            []byte
	PartitionKey    *string
	ExplicitHashKey *string
}

// checkUnmarshal is the property both fuzz targets hold a body to: decoding
// never panics and fails only with a SerializationException, which is what
// the client must get for a body that does not parse.
func checkUnmarshal(t *testing.T, enc Encoding, body []byte) {
	var v fuzzInput
	err := enc.Unmarshal(body, &v)
	if err == nil {
		if _, err := enc.Marshal(v); err != nil {
			t.Logf("re-encoding a decoded body: %v", err) // extreme timestamps may not encode; no panic is the point
		}
		return
	}
	ae, ok := err.(*awserr.Error)
	if !ok || ae.Code != awserr.Serialization.Code {
		t.Fatalf("Unmarshal(%q) = %T %v, want *awserr.Error SerializationException", body, err, err)
	}
}

func FuzzUnmarshalJSON(f *testing.F) {
	valid, err := JSON.Marshal(sampleInput())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(valid),
		`{"StreamName":"s","Limit":10,"Data":"aGVsbG8=","Records":[{"Data":"AA==","PartitionKey":"k","ExplicitHashKey":"1"}],` +
			`"Timestamp":1700000000.123,"StreamCreationTimestamp":"2024-01-01T00:00:00Z"}`,
		`{"Timestamp":"1700000000"}`,
		``, `  `, `{}`, `null`, `[]`, `"s"`, `1`,
		`{"StreamName":`, `{"StreamName":"s"`, `{"StreamName":"s",}`,
		`{"StreamName":1}`, `{"Limit":"ten"}`, `{"Limit":1.5}`, `{"Limit":1e400}`, `{"Limit":99999999999999999999}`,
		`{"Data":"!!!"}`, `{"Data":1}`, `{"Records":[1]}`, `{"Records":{}}`, `{"Records":[{"Data":null,"PartitionKey":null}]}`,
		`{"Timestamp":"yesterday"}`, `{"Timestamp":1e400}`, `{"Timestamp":-1e300}`, `{"Timestamp":"NaN"}`,
		`{"Timestamp":null}`, `{"Timestamp":true}`, `{"Timestamp":{}}`, `{"StreamCreationTimestamp":[1]}`,
		"{\"StreamName\":\"\xff\xfe\"}", `{"StreamName":"\ud800"}`,
		string(bytes.Repeat([]byte("["), 500)),
		`{"Records":` + string(bytes.Repeat([]byte(`[`), 200)) + `}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkUnmarshal(t, JSON, body) })
}

func FuzzUnmarshalCBOR(f *testing.F) {
	valid, err := CBOR.Marshal(sampleInput())
	if err != nil {
		f.Fatal(err)
	}
	floatTS, err := CBOR.Marshal(map[string]any{"Timestamp": 1.7e9, "StreamCreationTimestamp": "2024-01-01T00:00:00Z"})
	if err != nil {
		f.Fatal(err)
	}
	seeds := [][]byte{
		valid,
		valid[:len(valid)/2], // truncated
		floatTS,
		{},
		{0xa0}, // {}
		{0xf6}, // null
		{0xff}, // break outside an indefinite item
		{0xbf}, // indefinite map never closed
		{0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},                                        // array of 2^64-1 elements
		{0xa1, 0x65, 'L', 'i', 'm', 'i', 't', 0x63, 'a', 'b', 'c'},                                    // Limit: "abc"
		{0xa1, 0x64, 'D', 'a', 't', 'a', 0x01},                                                        // Data: 1
		{0xa1, 0x69, 'T', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0xc1, 0x61, 'x'},                    // Timestamp: 1("x")
		{0xa1, 0x69, 'T', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0xf9, 0x7e, 0x00},                   // Timestamp: NaN
		{0xa1, 0x69, 'T', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0xfb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0}, // +Inf
		{0xa1, 0x69, 'T', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{0xa1, 0x69, 'T', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0xa0}, // Timestamp: {}
		{0xa1, 0x67, 'R', 'e', 'c', 'o', 'r', 'd', 's', 0x81, 0x01},     // Records: [1]
		bytes.Repeat([]byte{0x81}, 100),                                 // nested arrays beyond MaxNestedLevels
		{0xd9, 0xd9, 0xf7, 0xa0},                                        // self-described CBOR tag around {}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkUnmarshal(t, CBOR, body) })
}

func sampleInput() fuzzInput {
	name, key, limit := "stream", "pk", 10
	ts := Timestamp(time.UnixMilli(1700000000123).UTC())
	return fuzzInput{
		StreamName: &name,
		Limit:      &limit,
		Data:       []byte{0, 1, 2, 0xff},
		Records: []fuzzRecord{
			{Data: []byte("hello"), PartitionKey: &key},
			{Data: nil, PartitionKey: &key, ExplicitHashKey: &name},
		},
		Timestamp:               &ts,
		StreamCreationTimestamp: Timestamp(time.Unix(math.MaxInt32, 0).UTC()),
	}
}

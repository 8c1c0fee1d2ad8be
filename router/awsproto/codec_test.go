package awsproto

import (
	"testing"

	"github.com/kinesin/kinesin/internal/awserr"
)

// TestUnmarshalErrors pins the SerializationException texts of Coral (as
// captured from AWS by kinesalite) for bodies that do not decode.
func TestUnmarshalErrors(t *testing.T) {
	type inner struct{ A *string }
	type input struct {
		N  *int64
		S  *string
		B  *bool
		D  Blob
		T  *Timestamp
		L  []inner
		M  map[string]string
		St *inner
	}
	for _, tc := range []struct {
		enc  Encoding
		body string
		msg  string // "" for success; "-" for no message
	}{
		{JSON, `{}`, ""},
		{JSON, ` {"N":1,"S":"s","D":"AA==","T":1.5,"L":[{"A":"a"}],"M":{"k":"v"},"St":{}} `, ""},
		{JSON, ``, "-"},
		{JSON, ` `, "-"},
		{JSON, `null`, "-"},
		{JSON, `[]`, "-"},
		{JSON, `{not json`, "-"},
		{JSON, `{"N":"x"}`, "class java.lang.String can not be converted to an Integer"},
		{JSON, `{"N":true}`, "class java.lang.Boolean can not be converted to an Integer"},
		{JSON, `{"N":[1]}`, "Start of list found where not expected"},
		{JSON, `{"N":{}}`, "Start of structure or map found where not expected."},
		{JSON, `{"S":5}`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{JSON, `{"B":5}`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean"},
		{JSON, `{"St":"x"}`, "Expected null"},
		{JSON, `{"St":[]}`, "Start of list found where not expected"},
		{JSON, `{"L":"x"}`, "Expected list or null"},
		{JSON, `{"L":{}}`, "Start of structure or map found where not expected."},
		{JSON, `{"M":"x"}`, "Expected map or null"},
		{JSON, `{"M":[]}`, "Start of list found where not expected"},
		{JSON, `{"M":{"k":1}}`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{JSON, `{"D":true}`, "class java.lang.Boolean can not be converted to a Blob"},
		{JSON, `{"D":"abcde"}`, "'abcde' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{JSON, `{"D":"ab!d"}`, "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'"},
		{JSON, `{"T":"soon"}`, "class java.lang.String can not be converted to milliseconds since epoch"},
		{JSON, `{"T":false}`, "class java.lang.Boolean can not be converted to milliseconds since epoch"},
		{CBOR, "\xa0", ""},
		{CBOR, ``, "-"},
		{CBOR, "\xbf", "-"},
	} {
		var v input
		err := tc.enc.Unmarshal([]byte(tc.body), &v)
		if tc.msg == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.body, err)
			}
			continue
		}
		e, ok := err.(*awserr.Error)
		want := map[bool]string{true: "", false: tc.msg}[tc.msg == "-"]
		if !ok || e.Kind != awserr.Serialization || e.Message != want {
			t.Errorf("%q: got %v, want SerializationException %q", tc.body, err, want)
		}
	}
}

package firehose

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/awsservice"
	"github.com/kinesin/kinesin/router/awsproto"
)

// batchBodies are PutRecordBatch bodies with whether the single-pass
// scanner (rather than the encoding/json fallback) should take them.
var batchBodies = []struct {
	name string
	body string
	fast bool
}{
	{"plain", `{"DeliveryStreamName":"s","Records":[{"Data":"eHl6"},{"Data":"QQ=="},{"Data":"QUI="}]}`, true},
	{"reordered", `{"Records":[{"Data":"eHl6"}],"DeliveryStreamName":"s"}`, true},
	{"whitespace", " \r\n\t{ \"DeliveryStreamName\" :\t\"s\" ,\n\"Records\" : [ { \"Data\" : \"eHl6\" } , null , { } ] } \n", true},
	{"empty object", `{}`, true},
	{"empty records", `{"DeliveryStreamName":"s","Records":[]}`, true},
	{"null records", `{"DeliveryStreamName":"s","Records":null}`, true},
	{"null name", `{"DeliveryStreamName":null,"Records":[{"Data":"eHl6"}]}`, true},
	{"null data", `{"DeliveryStreamName":"s","Records":[{"Data":null},null,{}]}`, true},
	{"empty data", `{"DeliveryStreamName":"s","Records":[{"Data":""}]}`, true},
	{"unknown members", `{"X":{"a":[1,-2.5e+3,true,false,null,"\"\\\/\b\f\n\r\t\u00e9"],"b":{}},"DeliveryStreamName":"s","Y":[],"Records":[{"Z":[[[]]],"Data":"eHl6","W":"}]"}]}`, true},
	{"unknown number forms", `{"a":0,"b":-0,"c":1.0,"d":1E9,"e":1e-9,"f":123456789012345678901234567890,"Records":[]}`, true},
	{"escaped slash", `{"DeliveryStreamName":"s","Records":[{"Data":"a\/8="},{"Data":"\/\/\/\/"}]}`, true},
	{"escaped newlines", `{"DeliveryStreamName":"s","Records":[{"Data":"eHl6\neHl6\r\n"}]}`, true},
	{"unicode escapes", `{"DeliveryStreamName":"s","Records":[{"Data":"\u0065\u0048l\u0036"}]}`, true},
	{"non-ascii in unknown value", "{\"u\":\"é\xff\",\"DeliveryStreamName\":\"s\",\"Records\":[{\"v\":\"\xfe\",\"Data\":\"eHl6\"}]}", true},
	{"non-ascii key", `{"Ω":"é","DeliveryStreamName":"s","Records":[]}`, false},
	{"long record", `{"DeliveryStreamName":"s","Records":[{"Data":"` + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", 5000))) + `"}]}`, true},

	// The fallback's cases, value or error.
	{"empty body", ``, false},
	{"array body", `[]`, false},
	{"not json", `nope`, false},
	{"truncated", `{"DeliveryStreamName":"s","Records":[{"Data":"eHl6"}`, false},
	{"truncated string", `{"DeliveryStreamName":"s","Records":[{"Data":"eHl`, false},
	{"truncated escape", `{"DeliveryStreamName":"s","Records":[{"Data":"eHl\`, false},
	{"trailing garbage", `{"DeliveryStreamName":"s"} x`, false},
	{"trailing comma", `{"DeliveryStreamName":"s",}`, false},
	{"trailing comma in records", `{"Records":[{"Data":"eHl6"},]}`, false},
	{"two objects", `{}{}`, false},
	{"bad base64 char", `{"DeliveryStreamName":"s","Records":[{"Data":"eH*6"}]}`, false},
	{"bad base64 length", `{"DeliveryStreamName":"s","Records":[{"Data":"eHl"}]}`, false},
	{"bad base64 padding", `{"DeliveryStreamName":"s","Records":[{"Data":"eQ=a"}]}`, false},
	{"raw newline in data", "{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"eHl6\n\"}]}", false},
	{"raw newlines in data x4", "{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"eHl6\n\n\n\n\"}]}", false},
	{"escaped tab in data", `{"DeliveryStreamName":"s","Records":[{"Data":"eHl6\t"}]}`, false},
	{"escaped quote in data", `{"DeliveryStreamName":"s","Records":[{"Data":"eH\"6"}]}`, false},
	{"non-ascii unicode escape in data", `{"DeliveryStreamName":"s","Records":[{"Data":"eHl\u00e9"}]}`, false},
	{"non-ascii data", `{"DeliveryStreamName":"s","Records":[{"Data":"eHlé"}]}`, false},
	{"data number", `{"DeliveryStreamName":"s","Records":[{"Data":1}]}`, false},
	{"data object", `{"DeliveryStreamName":"s","Records":[{"Data":{}}]}`, false},
	{"record string", `{"DeliveryStreamName":"s","Records":["eHl6"]}`, false},
	{"records object", `{"Records":{"Data":1}}`, false},
	{"name number", `{"DeliveryStreamName":1,"Records":[]}`, false},
	{"name escaped", `{"DeliveryStreamName":"\u0073","Records":[]}`, false},
	{"name non-ascii", `{"DeliveryStreamName":"é","Records":[]}`, false},
	{"folded name", `{"deliverystreamname":"s","Records":[]}`, false},
	{"folded records", `{"DeliveryStreamName":"s","RECORDS":[{"Data":"eHl6"}]}`, false},
	{"folded data", `{"DeliveryStreamName":"s","Records":[{"data":"eHl6"}]}`, false},
	{"escaped key", `{"DeliveryStreamName":"s","Record\u0073":[{"Data":"eHl6"}]}`, false},
	{"duplicate name", `{"DeliveryStreamName":"s","DeliveryStreamName":"t"}`, false},
	{"duplicate records", `{"Records":[{"Data":"eHl6"}],"Records":[{},{}]}`, false},
	{"duplicate data", `{"Records":[{"Data":"eHl6","Data":null}]}`, false},
	{"bad number", `{"a":01,"Records":[]}`, false},
	{"bad number dot", `{"a":1.,"Records":[]}`, false},
	{"bad number exp", `{"a":1e,"Records":[]}`, false},
	{"bad literal", `{"a":nul,"Records":[]}`, false},
	{"bad escape in unknown", `{"a":"\x","Records":[]}`, false},
	{"control char in unknown", "{\"a\":\"\x01\",\"Records\":[]}", false},
	{"deep unknown", `{"a":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `,"Records":[]}`, false},
	{"too deep", `{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, false},
}

// stdDecode is the existing path: the generic decoder.
func stdDecode(body []byte) (*putBatchIn, error) {
	in := new(putBatchIn)
	if err := awsproto.JSON.Unmarshal(body, in); err != nil {
		return nil, err
	}
	return in, nil
}

// sameResult reports a difference between two decodings or checks.
func sameResult(got *putBatchIn, gotErr error, want *putBatchIn, wantErr error) string {
	if (gotErr == nil) != (wantErr == nil) {
		return fmt.Sprintf("error %v, want %v", gotErr, wantErr)
	}
	if gotErr != nil {
		g, w := awserr.As(gotErr), awserr.As(wantErr)
		if g.Code != w.Code || g.Status != w.Status || g.Message != w.Message {
			return fmt.Sprintf("error %#v, want %#v", g, w)
		}
		return ""
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("value %s, want %s", dump(got), dump(want))
	}
	return ""
}

func dump(in *putBatchIn) string {
	if in == nil {
		return "nil"
	}
	var b strings.Builder
	if in.DeliveryStreamName == nil {
		b.WriteString("name=nil")
	} else {
		fmt.Fprintf(&b, "name=%q", *in.DeliveryStreamName)
	}
	if in.Records == nil {
		b.WriteString(" records=nil")
	}
	for i, r := range in.Records {
		if r.Data == nil {
			fmt.Fprintf(&b, " %d:nil", i)
		} else {
			fmt.Fprintf(&b, " %d:%q(nil=%v)", i, *r.Data, *r.Data == nil)
		}
	}
	return b.String()
}

func TestDecodePutBatch(t *testing.T) {
	for _, tc := range batchBodies {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			want, wantErr := stdDecode(body)
			got, err := decodePutBatch(body)
			if d := sameResult(got, err, want, wantErr); d != "" {
				t.Fatalf("decodePutBatch(%.200q): %s", tc.body, d)
			}
			if _, fast := scanPutBatch(body); fast != tc.fast {
				t.Fatalf("scanner took %.200q: %v, want %v", tc.body, fast, tc.fast)
			}
			in, err := inputPutBatch(&call{Body: body})
			want, wantErr = awsservice.Input(&call{Body: body}, checkPutBatch)
			if d := sameResult(in, err, want, wantErr); d != "" {
				t.Fatalf("inputPutBatch(%.200q): %s", tc.body, d)
			}
		})
	}
}

// TestDecodePutBatchData checks the records' bytes themselves and that
// they do not overlap (each its own part of the arena).
func TestDecodePutBatchData(t *testing.T) {
	want := [][]byte{[]byte("a"), {}, []byte("hello, world"), {0, 1, 2, 255}, []byte(strings.Repeat("z", 1000))}
	var b strings.Builder
	b.WriteString(`{"DeliveryStreamName":"s","Records":[`)
	for i, d := range want {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"Data":%q}`, base64.StdEncoding.EncodeToString(d))
	}
	b.WriteString("]}")
	in, ok := scanPutBatch([]byte(b.String()))
	if !ok {
		t.Fatal("scanner refused a plain body")
	}
	for i, d := range want {
		if string(*in.Records[i].Data) != string(d) {
			t.Fatalf("record %d: %q, want %q", i, *in.Records[i].Data, d)
		}
	}
	*in.Records[0].Data = append(*in.Records[0].Data, 'X') // capped: must not write into record 1
	if string(*in.Records[2].Data) != "hello, world" || len(*in.Records[1].Data) != 0 {
		t.Fatal("appending to a record changed the next one")
	}
}

func TestPutBatchValid(t *testing.T) {
	s := func(v string) *string { return &v }
	d := func(n int) *blob { b := blob(make([]byte, n)); return &b }
	many := make([]record, maxBatchRecords+1)
	for i := range many {
		many[i].Data = d(1)
	}
	for _, in := range []putBatchIn{
		{DeliveryStreamName: s("s"), Records: []record{{Data: d(0)}}},
		{DeliveryStreamName: s("a.b-c_D9"), Records: many[:maxBatchRecords]},
		{DeliveryStreamName: s("s"), Records: []record{{Data: d(maxRecordBytes)}}},
		{Records: []record{{Data: d(1)}}},
		{DeliveryStreamName: s(""), Records: []record{{Data: d(1)}}},
		{DeliveryStreamName: s("a b"), Records: []record{{Data: d(1)}}},
		{DeliveryStreamName: s(strings.Repeat("a", 65)), Records: []record{{Data: d(1)}}},
		{DeliveryStreamName: s("s")},
		{DeliveryStreamName: s("s"), Records: []record{}},
		{DeliveryStreamName: s("s"), Records: many},
		{DeliveryStreamName: s("s"), Records: []record{{}}},
		{DeliveryStreamName: s("s"), Records: []record{{Data: d(maxRecordBytes + 1)}}},
	} {
		var v awserr.Violations
		checkPutBatch(&v, &in)
		if valid, err := putBatchValid(&in), v.Err(); valid != (err == nil) {
			t.Errorf("%s: putBatchValid %v, checkPutBatch %v", dump(&in), valid, err)
		}
	}
}

func TestEncodePutBatchOut(t *testing.T) {
	for _, n := range []int{0, 1, 2, 500} {
		out := putBatchOut{RequestResponses: make([]batchEntry, n)}
		for i := range n {
			out.RequestResponses[i].RecordId = recordID("my.stream", 1234567, i)
		}
		want, err := awsproto.JSON.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		if got := encodePutBatchOut("my.stream", 1234567, n); string(got) != string(want) {
			t.Fatalf("n=%d:\n got %.300s\nwant %.300s", n, got, want)
		}
	}
}

// FuzzDecodePutBatch holds decodePutBatch and inputPutBatch to the
// existing path's answer on every body.
func FuzzDecodePutBatch(f *testing.F) {
	for _, tc := range batchBodies {
		if len(tc.body) < 1000 {
			f.Add([]byte(tc.body))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, wantErr := stdDecode(body)
		if in, ok := scanPutBatch(body); ok {
			if d := sameResult(in, nil, want, wantErr); d != "" {
				t.Fatalf("scanner on %q: %s", body, d)
			}
		}
		got, err := decodePutBatch(body)
		if d := sameResult(got, err, want, wantErr); d != "" {
			t.Fatalf("decodePutBatch(%q): %s", body, d)
		}
		got, err = inputPutBatch(&call{Body: body})
		want, wantErr = awsservice.Input(&call{Body: body}, checkPutBatch)
		if d := sameResult(got, err, want, wantErr); d != "" {
			t.Fatalf("inputPutBatch(%q): %s", body, d)
		}
	})
}

// benchBatch is what bench/firehoseload sends: n JSON records of about
// size bytes each, as the AWS SDK encodes a PutRecordBatch.
func benchBatch(n, size int) []byte {
	pad := strings.Repeat("x", max(size-40, 1))
	type rec struct {
		Data []byte
	}
	in := struct {
		DeliveryStreamName string
		Records            []rec
	}{DeliveryStreamName: "load"}
	for i := range n {
		in.Records = append(in.Records, rec{Data: []byte(fmt.Sprintf("{\"n\":%d,\"pad\":\"%s\"}\n", i, pad))})
	}
	b, err := json.Marshal(in)
	if err != nil {
		panic(err)
	}
	return b
}

func BenchmarkDecodePutBatch(b *testing.B) {
	body := benchBatch(500, 1024)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodePutBatch(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePutBatchStdlib(b *testing.B) {
	body := benchBatch(500, 1024)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := stdDecode(body); err != nil {
			b.Fatal(err)
		}
	}
}

// The Input pair adds the constraint checks: the whole decode step of
// putRecordBatch.
func BenchmarkInputPutBatch(b *testing.B) {
	c := &call{Body: benchBatch(500, 1024)}
	b.SetBytes(int64(len(c.Body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := inputPutBatch(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInputPutBatchStdlib(b *testing.B) {
	c := &call{Body: benchBatch(500, 1024)}
	b.SetBytes(int64(len(c.Body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := awsservice.Input(c, checkPutBatch); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodePutBatchOut(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = encodePutBatchOut("load", 12345, 500)
	}
}

// BenchmarkEncodePutBatchOutStdlib is what putRecordBatch and Serve do
// today: a recordID per record, then json.Marshal.
func BenchmarkEncodePutBatchOutStdlib(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		out := putBatchOut{RequestResponses: make([]batchEntry, 500)}
		for i := range out.RequestResponses {
			out.RequestResponses[i].RecordId = recordID("load", 12345, i)
		}
		if _, err := awsproto.JSON.Marshal(out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeBatch(b *testing.B) {
	in, err := decodePutBatch(benchBatch(500, 1024))
	if err != nil {
		b.Fatal(err)
	}
	records := make([][]byte, len(in.Records))
	for i, r := range in.Records {
		records[i] = *r.Data
	}
	b.SetBytes(500 * 1024)
	b.ReportAllocs()
	for b.Loop() {
		_ = encodeBatch(records)
	}
}

func TestMarshalOut(t *testing.T) {
	b, err := marshalOut(rawOut(encodePutBatchOut("s", 1, 2)))
	if err != nil || string(b) != string(encodePutBatchOut("s", 1, 2)) {
		t.Fatalf("rawOut: %s, %v", b, err)
	}
	b, err = marshalOut(putRecordOut{RecordId: "x"})
	if err != nil || string(b) != `{"RecordId":"x","Encrypted":false}` {
		t.Fatalf("putRecordOut: %s, %v", b, err)
	}
}

// BenchmarkEncodePutBatchOutRaw is encodePutBatchOut handed to
// json.Marshal as a json.RawMessage (which validates and copies it), the
// price of not special-casing rawOut in Serve.
func BenchmarkEncodePutBatchOutRaw(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(json.RawMessage(encodePutBatchOut("load", 12345, 500))); err != nil {
			b.Fatal(err)
		}
	}
}

package process_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/sinks/process"
)

func param(name, value string) process.Parameter {
	return process.Parameter{ParameterName: name, ParameterValue: value}
}

func cfg(procs ...process.Processor) process.Config {
	return process.Config{Enabled: true, Processors: procs}
}

func proc(typ string, params ...process.Parameter) process.Processor {
	return process.Processor{Type: typ, Parameters: params}
}

func gz(t testing.TB, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestCompileErrors(t *testing.T) {
	lambdaInv := lambdaInvoker{} // never called: Compile only
	tests := []struct {
		name string
		cfg  process.Config
		inv  process.Invoker
		want string // substring of the message; "" means valid
	}{
		{"disabled ignores processors", process.Config{Processors: []process.Processor{{Type: "Bogus"}}}, nil, ""},
		{"unknown type", cfg(proc("Bogus")), nil, `Processor type "Bogus"`},
		{"duplicate type", cfg(proc(process.TypeAppendDelimiterToRecord), proc(process.TypeAppendDelimiterToRecord)), nil, "Duplicate processor type"},
		{"parameter of another type", cfg(proc(process.TypeDecompression, param(process.ParamLambdaArn, "f"))), nil, "not supported for processor type Decompression"},
		{"blank value", cfg(proc(process.TypeDecompression, param(process.ParamCompressionFormat, " "))), nil, "not blank"},
		{"lambda without arn", cfg(proc(process.TypeLambda)), lambdaInv, "LambdaArn is required"},
		{"lambda bad arn", cfg(proc(process.TypeLambda, param(process.ParamLambdaArn, "arn:aws:s3:::bucket"))), lambdaInv, "Invalid LambdaArn"},
		{"lambda without invoker", cfg(proc(process.TypeLambda, param(process.ParamLambdaArn, "f"))), nil, "needs a function invoker"},
		{"retries range", cfg(proc(process.TypeLambda, param(process.ParamLambdaArn, "f"), param(process.ParamNumberOfRetries, "301"))), lambdaInv, "NumberOfRetries"},
		{"buffer size range", cfg(proc(process.TypeLambda, param(process.ParamLambdaArn, "f"), param(process.ParamBufferSizeInMBs, "4"))), lambdaInv, "BufferSizeInMBs"},
		{"buffer interval range", cfg(proc(process.TypeLambda, param(process.ParamLambdaArn, "f"), param(process.ParamBufferIntervalInSeconds, "901"))), lambdaInv, "BufferIntervalInSeconds"},
		{"lambda ok", cfg(proc(process.TypeLambda, param(process.ParamLambdaArn, "arn:aws:lambda:us-east-1:123456789012:function:f:live"),
			param(process.ParamNumberOfRetries, "0"), param(process.ParamBufferSizeInMBs, "0.2"), param(process.ParamBufferIntervalInSeconds, "0"))), lambdaInv, ""},
		{"gzip only", cfg(proc(process.TypeDecompression, param(process.ParamCompressionFormat, "ZSTD"))), nil, "only GZIP"},
		{"cwl needs decompression", cfg(proc(process.TypeCloudWatchLogProcessing, param(process.ParamDataMessageExtraction, "true"))), nil, "requires the Decompression"},
		{"cwl bad flag", cfg(proc(process.TypeDecompression), proc(process.TypeCloudWatchLogProcessing, param(process.ParamDataMessageExtraction, "yes"))), nil, "DataMessageExtraction"},
		{"sub record type", cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "XML"))), nil, "Invalid SubRecordType"},
		{"delimited needs delimiter", cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "DELIMITED"))), nil, "Delimiter is required"},
		{"delimiter base64", cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "DELIMITED"), param(process.ParamDelimiter, "####"))), nil, "base64"},
		{"delimiter without DELIMITED", cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "JSON"), param(process.ParamDelimiter, "IyMjIw=="))), nil, "only valid when"},
		{"jq engine", cfg(proc(process.TypeMetadataExtraction, param(process.ParamMetadataExtractionQuery, "{a:.a}"), param(process.ParamJsonParsingEngine, "JQ-1.5"))), nil, "JsonParsingEngine"},
		{"jq missing query", cfg(proc(process.TypeMetadataExtraction, param(process.ParamJsonParsingEngine, "JQ-1.6"))), nil, "MetadataExtractionQuery is required"},
		{"jq syntax", cfg(proc(process.TypeMetadataExtraction, param(process.ParamMetadataExtractionQuery, "{a: .a"))), nil, "Invalid MetadataExtractionQuery"},
		{"cel syntax", cfg(proc(process.TypeMetadataExtraction, param(process.ParamMetadataExtractionQuery, `cel:{"a": data.a`))), nil, "Invalid MetadataExtractionQuery"},
		{"cel type", cfg(proc(process.TypeMetadataExtraction, param(process.ParamMetadataExtractionQuery, `cel:1 + 2`))), nil, "must return map(string, string)"},
		{"every problem reported", cfg(proc("Bogus"), proc(process.TypeDecompression, param(process.ParamCompressionFormat, "ZSTD"))), nil, "ZSTD"},
		{"all ok", cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "DELIMITED"), param(process.ParamDelimiter, "IyMjIw==")),
			proc(process.TypeDecompression, param(process.ParamCompressionFormat, "GZIP")),
			proc(process.TypeCloudWatchLogProcessing, param(process.ParamDataMessageExtraction, "true")),
			proc(process.TypeMetadataExtraction, param(process.ParamMetadataExtractionQuery, `cel:{"a": string(data.a)}`)),
			proc(process.TypeAppendDelimiterToRecord)), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := process.Compile(tt.cfg, tt.inv)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !awserr.InvalidArgument.Is(err) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want InvalidArgumentException containing %q", err, tt.want)
			}
		})
	}
}

func TestParseLambdaArn(t *testing.T) {
	tests := []struct {
		arn, name, qualifier string
		bad                  bool
	}{
		{"f", "f", "", false},
		{"arn:aws:lambda:us-east-1:123456789012:function:f", "f", "", false},
		{"arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST", "f", "$LATEST", false},
		{"arn:aws:lambda:us-east-1:123456789012:function:f:live", "f", "live", false},
		{"arn:aws:lambda:us-east-1:123456789012:function:f:", "", "", true},
		{"arn:aws:lambda:us-east-1:123456789012:layer:f", "", "", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:", "", "", true},
		{"f:1", "", "", true},
		{"", "", "", true},
	}
	for _, tt := range tests {
		name, q, err := process.ParseLambdaArn(tt.arn)
		if (err != nil) != tt.bad || name != tt.name || q != tt.qualifier {
			t.Errorf("ParseLambdaArn(%q) = %q, %q, %v", tt.arn, name, q, err)
		}
	}
}

func TestSplit(t *testing.T) {
	jsonTests := []struct {
		in   string
		want []string
		bad  bool
	}{
		{`{"a":1}{"a":2}`, []string{`{"a":1}`, `{"a":2}`}, false},
		{"{\"a\":1}\n{\"a\":2}\n", []string{`{"a":1}`, `{"a":2}`}, false},
		{`{"a":1}`, []string{`{"a":1}`}, false},
		{`[{"a":1},{"a":2}]`, nil, true},
		{`{"a":1}{"a":`, nil, true},
		{`{"a":1} 5`, nil, true},
	}
	for _, tt := range jsonTests {
		got, err := process.SplitJSON([]byte(tt.in))
		if (err != nil) != tt.bad || len(got) != len(tt.want) {
			t.Errorf("SplitJSON(%q) = %q, %v", tt.in, got, err)
			continue
		}
		for i := range got {
			if string(got[i]) != tt.want[i] {
				t.Errorf("SplitJSON(%q)[%d] = %q, want %q", tt.in, i, got[i], tt.want[i])
			}
		}
	}
	delimTests := []struct {
		in, delim string
		want      []string
	}{
		{"a####b", "####", []string{"a", "b"}},
		{"a####b####", "####", []string{"a", "b"}},
		{"ab", "####", []string{"ab"}},
		{"a\n\nb", "\n", []string{"a", "", "b"}},
	}
	for _, tt := range delimTests {
		got := process.SplitDelimited([]byte(tt.in), []byte(tt.delim))
		var s []string
		for _, g := range got {
			s = append(s, string(g))
		}
		if !reflect.DeepEqual(s, tt.want) {
			t.Errorf("SplitDelimited(%q, %q) = %q, want %q", tt.in, tt.delim, s, tt.want)
		}
	}
}

type outcome struct {
	ok      []string          // id=data
	keys    map[string]string // id/key=value of query partition keys
	failed  []string          // id:output:code
	dropped int
}

func run(t *testing.T, c process.Config, recs ...process.Record) outcome {
	t.Helper()
	p, err := process.Compile(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Process(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	o := outcome{dropped: res.Dropped, keys: map[string]string{}}
	for _, r := range res.Ok {
		o.ok = append(o.ok, r.ID+"="+string(r.Data))
		for k, v := range r.PartitionKeys {
			o.keys[r.ID+"/"+k] = v
		}
	}
	for _, f := range res.Failed {
		o.failed = append(o.failed, f.ID+":"+f.OutputType+":"+f.ErrorCode)
	}
	return o
}

func rec(id, data string) process.Record {
	return process.Record{ID: id, Data: []byte(data), Arrival: time.UnixMilli(1_700_000_000_000)}
}

func recBytes(id string, data []byte) process.Record {
	return process.Record{ID: id, Data: data, Arrival: time.UnixMilli(1_700_000_000_000)}
}

func TestProcessors(t *testing.T) {
	kpl := process.AggregateKPL([]process.KPLRecord{
		{PartitionKey: "p1", Data: []byte(`{"c":"x"}`)},
		{PartitionKey: "p2", ExplicitHashKey: "123", Data: []byte(`{"c":"y"}`)},
	})
	cwl := `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":["f"],` +
		`"logEvents":[{"id":"1","timestamp":1,"message":"first"},{"id":"2","timestamp":2,"message":"second"}]}`
	jq := func(q string) process.Processor {
		return proc(process.TypeMetadataExtraction, param(process.ParamMetadataExtractionQuery, q), param(process.ParamJsonParsingEngine, "JQ-1.6"))
	}
	tests := []struct {
		name string
		cfg  process.Config
		recs []process.Record
		want outcome
	}{
		{"disabled passes through", process.Config{Processors: []process.Processor{proc(process.TypeAppendDelimiterToRecord)}},
			[]process.Record{rec("a", "x")}, outcome{ok: []string{"a=x"}}},
		{"append delimiter", cfg(proc(process.TypeAppendDelimiterToRecord)),
			[]process.Record{rec("a", "x"), rec("b", "")}, outcome{ok: []string{"a=x\n", "b=\n"}}},
		{"kpl deaggregation", cfg(proc(process.TypeRecordDeAggregation)),
			[]process.Record{recBytes("a", kpl), rec("b", "plain")}, outcome{ok: []string{`a:0={"c":"x"}`, `a:1={"c":"y"}`, "b=plain"}}},
		{"kpl from a stream source without processing", process.Config{DeaggregateKPL: true},
			[]process.Record{recBytes("a", kpl), rec("b", "plain")}, outcome{ok: []string{`a:0={"c":"x"}`, `a:1={"c":"y"}`, "b=plain"}}},
		{"kpl not de-aggregated by default", process.Config{},
			[]process.Record{recBytes("a", kpl)}, outcome{ok: []string{"a=" + string(kpl)}}},
		{"kpl with bad body fails", cfg(proc(process.TypeRecordDeAggregation)),
			[]process.Record{recBytes("a", badKPL())}, outcome{failed: []string{"a:processing-failed:RecordDeAggregation.Failed"}}},
		{"json deaggregation", cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "JSON"))),
			[]process.Record{rec("a", `{"n":1}{"n":2}`), rec("b", `[{"n":1}]`)},
			outcome{ok: []string{`a:0={"n":1}`, `a:1={"n":2}`}, failed: []string{"b:processing-failed:RecordDeAggregation.Failed"}}},
		{"jsonl alias", cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "JSONL"))),
			[]process.Record{rec("a", "{\"n\":1}\n{\"n\":2}\n")}, outcome{ok: []string{`a:0={"n":1}`, `a:1={"n":2}`}}},
		{"delimited deaggregation", cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "DELIMITED"),
			param(process.ParamDelimiter, base64.StdEncoding.EncodeToString([]byte("####"))))),
			[]process.Record{rec("a", "x####y####")}, outcome{ok: []string{"a:0=x", "a:1=y"}}},
		{"too many sub-records", cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "DELIMITED"), param(process.ParamDelimiter, "LA=="))),
			[]process.Record{rec("a", strings.Repeat("x,", 501))}, outcome{failed: []string{"a:processing-failed:RecordDeAggregation.Failed"}}},
		{"kpl then json", cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "JSON"))),
			[]process.Record{recBytes("a", process.AggregateKPL([]process.KPLRecord{{PartitionKey: "p", Data: []byte(`{"n":1}{"n":2}`)}, {PartitionKey: "p", Data: []byte(`{"n":3}`)}}))},
			outcome{ok: []string{`a:0={"n":1}`, `a:1={"n":2}`, `a:2={"n":3}`}}},
		{"decompression", cfg(proc(process.TypeDecompression, param(process.ParamCompressionFormat, "GZIP"))),
			[]process.Record{recBytes("a", gz(t, "hello")), rec("b", "not gzip")},
			outcome{ok: []string{"a=hello"}, failed: []string{"b:decompression-failed:Decompression.Failed"}}},
		{"cloudwatch logs message extraction", cfg(proc(process.TypeDecompression), proc(process.TypeCloudWatchLogProcessing, param(process.ParamDataMessageExtraction, "true")), proc(process.TypeAppendDelimiterToRecord)),
			[]process.Record{recBytes("a", gz(t, cwl)), recBytes("b", gz(t, `{"messageType":"CONTROL_MESSAGE","logEvents":[{"message":"CWL CONTROL MESSAGE"}]}`)), recBytes("c", gz(t, "plain"))},
			outcome{ok: []string{"a:0=first\n", "a:1=second\n"}, dropped: 1, failed: []string{"c:processing-failed:CloudWatchLogProcessing.Failed"}}},
		{"cloudwatch logs without extraction", cfg(proc(process.TypeDecompression), proc(process.TypeCloudWatchLogProcessing, param(process.ParamDataMessageExtraction, "false"))),
			[]process.Record{recBytes("a", gz(t, "whole"))}, outcome{ok: []string{"a=whole"}}},
		{"jq keys", cfg(jq(`{customer_id: .customer_id, n: .n, ok: .ok, year: (.ts | strftime("%Y"))}`)),
			[]process.Record{rec("a", `{"customer_id":"c1","n":42,"ok":true,"ts":1700000000}`)},
			outcome{ok: []string{`a={"customer_id":"c1","n":42,"ok":true,"ts":1700000000}`}, keys: map[string]string{"a/customer_id": "c1", "a/n": "42", "a/ok": "true", "a/year": "2023"}}},
		{"jq failures", cfg(jq(`{customer_id: .customer_id}`)),
			[]process.Record{rec("a", "not json"), rec("b", `{"other":1}`), rec("c", `{"customer_id":{"x":1}}`), rec("d", `{"customer_id":"ok"}`)},
			outcome{ok: []string{`d={"customer_id":"ok"}`}, keys: map[string]string{"d/customer_id": "ok"}, failed: []string{
				"a:processing-failed:DynamicPartitioning.MetadataExtractionFailed",
				"b:processing-failed:DynamicPartitioning.MetadataExtractionFailed",
				"c:processing-failed:DynamicPartitioning.MetadataExtractionFailed"}}},
		{"jq query error and non-object", cfg(jq(`.a | error("boom")`)),
			[]process.Record{rec("a", `{"a":"x"}`)}, outcome{failed: []string{"a:processing-failed:DynamicPartitioning.MetadataExtractionFailed"}}},
		{"cel keys", cfg(proc(process.TypeMetadataExtraction, param(process.ParamMetadataExtractionQuery, `cel:{"customer": data.customer_id, "big": string(data.n > 10)}`))),
			[]process.Record{rec("a", `{"customer_id":"c1","n":42}`), rec("b", `{"n":1}`), rec("c", "nope")},
			outcome{ok: []string{`a={"customer_id":"c1","n":42}`}, keys: map[string]string{"a/customer": "c1", "a/big": "true"}, failed: []string{
				"b:processing-failed:DynamicPartitioning.MetadataExtractionFailed",
				"c:processing-failed:DynamicPartitioning.MetadataExtractionFailed"}}},
		{"cel non-string value fails", cfg(proc(process.TypeMetadataExtraction, param(process.ParamMetadataExtractionQuery, `cel:{"n": data.n}`))),
			[]process.Record{rec("a", `{"n":1}`), rec("b", `{"n":"one"}`)},
			outcome{ok: []string{`b={"n":"one"}`}, keys: map[string]string{"b/n": "one"}, failed: []string{"a:processing-failed:DynamicPartitioning.MetadataExtractionFailed"}}},
		{"aws order whatever the listed order", cfg(proc(process.TypeAppendDelimiterToRecord), jq(`{c: .c}`), proc(process.TypeDecompression), proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "JSON"))),
			[]process.Record{recBytes("a", process.AggregateKPL([]process.KPLRecord{{PartitionKey: "p", Data: gz(t, `{"c":"x"}`)}, {PartitionKey: "p", Data: gz(t, `{"c":"y"}`)}}))},
			// deaggregation comes first, so the JSON split sees gzip bytes and fails the KPL record
			outcome{failed: []string{"a:processing-failed:RecordDeAggregation.Failed"}}},
		{"kpl then gzip then jq then delimiter", cfg(proc(process.TypeAppendDelimiterToRecord), jq(`{c: .c}`), proc(process.TypeDecompression), proc(process.TypeRecordDeAggregation)),
			[]process.Record{recBytes("a", process.AggregateKPL([]process.KPLRecord{{PartitionKey: "p", Data: gz(t, `{"c":"x"}`)}, {PartitionKey: "p", Data: gz(t, `{"c":"y"}`)}}))},
			outcome{ok: []string{"a:0={\"c\":\"x\"}\n", "a:1={\"c\":\"y\"}\n"}, keys: map[string]string{"a:0/c": "x", "a:1/c": "y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, tt.cfg, tt.recs...)
			if tt.want.keys == nil {
				tt.want.keys = map[string]string{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// badKPL has the magic and a matching checksum over a protobuf that is
// not an AggregatedRecord (a record without data).
func badKPL() []byte {
	body := []byte{0x1a, 0x02, 0x08, 0x00} // records { partition_key_index: 0 }
	return withChecksum(body)
}

func TestFailedRecordJSON(t *testing.T) {
	f := process.FailedRecord{ID: "a", OutputType: process.OutputProcessingFailed, RawData: []byte("hi"),
		Arrival: time.UnixMilli(1_700_000_000_000), ErrorCode: process.CodeFunctionError, ErrorMessage: "boom",
		AttemptsMade: 4, AttemptEnding: time.UnixMilli(1_700_000_001_000), LambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:f"}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"attemptsMade":4,"arrivalTimestamp":1700000000000,"errorCode":"Lambda.FunctionError","errorMessage":"boom",` +
		`"attemptEndingTimestamp":1700000001000,"rawData":"aGk=","lambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

// FuzzProcess runs arbitrary records through every decoder of the
// pipeline (deaggregation, gzip, CloudWatch Logs JSON, JSON parsing for
// jq and CEL): no panics, and every failed record says why.
func FuzzProcess(f *testing.F) {
	f.Add([]byte(`{"c":"x"}{"c":"y"}`))
	f.Add(process.AggregateKPL([]process.KPLRecord{{PartitionKey: "p", Data: []byte(`{"c":1}`)}}))
	f.Add(gz(f, `{"messageType":"DATA_MESSAGE","logEvents":[{"message":"{\"c\":\"m\"}"}]}`))
	f.Add([]byte("{\"c\":\"x\"}\n[1]\n"))
	configs := []process.Config{
		cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "JSON")),
			proc(process.TypeMetadataExtraction, param(process.ParamMetadataExtractionQuery, `{c: .c}`))),
		cfg(proc(process.TypeRecordDeAggregation, param(process.ParamSubRecordType, "DELIMITED"), param(process.ParamDelimiter, "Cg==")),
			proc(process.TypeMetadataExtraction, param(process.ParamMetadataExtractionQuery, `cel:{"c": string(data.c)}`))),
		cfg(proc(process.TypeDecompression), proc(process.TypeCloudWatchLogProcessing, param(process.ParamDataMessageExtraction, "true")),
			proc(process.TypeMetadataExtraction, param(process.ParamMetadataExtractionQuery, `{c: .c}`)), proc(process.TypeAppendDelimiterToRecord)),
	}
	var pipes []*process.Pipeline
	for _, c := range configs {
		p, err := process.Compile(c, nil)
		if err != nil {
			f.Fatal(err)
		}
		pipes = append(pipes, p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range pipes {
			res, err := p.Process(context.Background(), []process.Record{recBytes("a", data)})
			if err != nil {
				t.Fatal(err)
			}
			for _, fr := range res.Failed {
				if fr.ErrorCode == "" || fr.OutputType == "" {
					t.Fatalf("failed record without code: %+v", fr)
				}
			}
		}
	})
}

package filter

import "testing"

// videoRecord is a fragment event record as triggers/runner builds it.
const videoRecord = `{"eventSource":"kinesin:kinesisvideo","eventSourceARN":"arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam/1700000000000",` +
	`"eventName":"kinesisvideo:Fragment","eventVersion":"1.0","awsRegion":"us-east-1","eventID":"91343852333181432392682062607743920146264440679",` +
	`"kinesisVideo":{"streamName":"cam","fragmentNumber":"91343852333181432392682062607743920146264440679","producerTimestamp":1764140012.3,` +
	`"serverTimestamp":1764140012.412,"fragmentLengthInMilliseconds":2000,"fragmentSizeInBytes":183417,"dataEndpoint":"http://127.0.0.1:4567"}}`

// TestCompileRecord: patterns of whole-record filters may name any
// top-level key; rules work on the record as on Kinesis data.
func TestCompileRecord(t *testing.T) {
	for _, c := range []matchCase{
		{"no filters", nil, videoRecord, true},
		{"empty pattern", []string{`{}`}, videoRecord, true},
		{"top-level value", []string{`{"eventName":["kinesisvideo:Fragment"]}`}, videoRecord, true},
		{"top-level other value", []string{`{"eventName":["aws:kinesis:record"]}`}, videoRecord, false},
		{"nested numeric", []string{`{"kinesisVideo":{"fragmentSizeInBytes":[{"numeric":[">",100000]}]}}`}, videoRecord, true},
		{"nested numeric no", []string{`{"kinesisVideo":{"fragmentSizeInBytes":[{"numeric":["<",100000]}]}}`}, videoRecord, false},
		{"and", []string{`{"eventSource":["kinesin:kinesisvideo"],"kinesisVideo":{"streamName":[{"prefix":"ca"}]}}`}, videoRecord, true},
		{"and one fails", []string{`{"eventSource":["kinesin:kinesisvideo"],"kinesisVideo":{"streamName":[{"prefix":"x"}]}}`}, videoRecord, false},
		{"or", []string{`{"$or":[{"eventID":["1"]},{"kinesisVideo":{"fragmentLengthInMilliseconds":[2000]}}]}`}, videoRecord, true},
		{"exists false", []string{`{"kinesisVideo":{"keyframe":[{"exists":false}]}}`}, videoRecord, true},
		{"data is just a key", []string{`{"data":{"streamName":["cam"]}}`}, videoRecord, false},
		{"cel", []string{`cel:data.kinesisVideo.fragmentLengthInMilliseconds >= 2000 && data.awsRegion == "us-east-1"`}, videoRecord, true},
		{"cel no", []string{`cel:data.kinesisVideo.streamName == "other"`}, videoRecord, false},
		{"not JSON", []string{`{"eventName":["x"]}`}, `nope`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := CompileRecord(c.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match([]byte(c.data)); got != c.want {
				t.Fatalf("Match = %v, want %v", got, c.want)
			}
		})
	}
	for _, bad := range []string{`{"eventName":"x"}`, `{"eventName":[]}`, `[]`, `{"kinesisVideo":{}}`} {
		if _, err := CompileRecord([]string{bad}); err == nil {
			t.Errorf("CompileRecord(%s) accepted", bad)
		}
	}
	// The Kinesis form still allows only "data" at the top.
	if _, err := Compile([]string{`{"eventName":["x"]}`}); err == nil {
		t.Error(`Compile accepted a top-level key other than "data"`)
	}
}

// FuzzRecordFilter is FuzzFilter for whole-record filters.
func FuzzRecordFilter(f *testing.F) {
	f.Add(`{"kinesisVideo":{"fragmentSizeInBytes":[{"numeric":[">",1]}]}}`, []byte(videoRecord))
	f.Add(`{"$or":[{"a":[1]},{"b":[{"exists":true}]}]}`, []byte(`{"b":[1,{"c":2}]}`))
	f.Add(`cel:data.eventID != ""`, []byte(videoRecord))
	f.Fuzz(func(t *testing.T, pattern string, data []byte) {
		flt, err := CompileRecord([]string{pattern})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("CompileRecord error %T is not *Error", err)
			}
			return
		}
		if a, b := flt.Match(data), flt.Match(data); a != b {
			t.Fatalf("Match not deterministic for %q on %q", pattern, data)
		}
	})
}

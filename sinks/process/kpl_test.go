package process_test

import (
	"bytes"
	"crypto/md5"
	"reflect"
	"testing"

	"github.com/kinesin/kinesin/sinks/process"
)

var magic = []byte{0xF3, 0x89, 0x9A, 0xC2}

func withChecksum(body []byte) []byte {
	sum := md5.Sum(body)
	return append(append(append([]byte{}, magic...), body...), sum[:]...)
}

func TestDeaggregateKPL(t *testing.T) {
	recs := []process.KPLRecord{
		{PartitionKey: "a", Data: []byte("one")},
		{PartitionKey: "b", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte("two"), Tags: map[string]string{"k": "v"}},
		{PartitionKey: "a", Data: []byte{}},
	}
	agg := process.AggregateKPL(recs)
	corrupt := bytes.Clone(agg)
	corrupt[len(corrupt)-1] ^= 1
	tests := []struct {
		name       string
		in         []byte
		want       []process.KPLRecord
		aggregated bool
		bad        bool
	}{
		{"round trip", agg, recs, true, false},
		{"plain record", []byte("hello"), nil, false, false},
		{"magic only", magic, nil, false, false},
		{"checksum mismatch is not aggregated", corrupt, nil, false, false},
		{"empty aggregate", withChecksum(nil), []process.KPLRecord{}, true, false},
		// partition_key_table "p", records { partition_key_index: 1, data: "x" }
		{"key index out of range", withChecksum([]byte{0x0a, 0x01, 'p', 0x1a, 0x05, 0x08, 0x01, 0x1a, 0x01, 'x'}), nil, true, true},
		{"missing data", withChecksum([]byte{0x0a, 0x01, 'p', 0x1a, 0x02, 0x08, 0x00}), nil, true, true},
		{"truncated length", withChecksum([]byte{0x0a, 0x05, 'p'}), nil, true, true},
		{"bad wire type", withChecksum([]byte{0x0b}), nil, true, true},
		{"unknown fields skipped", withChecksum([]byte{0x0a, 0x01, 'p', 0x20, 0x07, 0x2d, 1, 2, 3, 4, 0x1a, 0x05, 0x08, 0x00, 0x1a, 0x01, 'x'}),
			[]process.KPLRecord{{PartitionKey: "p", Data: []byte("x")}}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, agg, err := process.DeaggregateKPL(tt.in)
			if agg != tt.aggregated || (err != nil) != tt.bad {
				t.Fatalf("aggregated=%v err=%v", agg, err)
			}
			if tt.bad {
				return
			}
			if tt.want == nil && got == nil {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func FuzzDeaggregateKPL(f *testing.F) {
	f.Add([]byte("plain"))
	f.Add(process.AggregateKPL([]process.KPLRecord{{PartitionKey: "a", Data: []byte("x")}, {PartitionKey: "b", ExplicitHashKey: "1", Data: []byte("y"), Tags: map[string]string{"t": "v"}}}))
	f.Add(withChecksum([]byte{0x0a, 0x01, 'p', 0x1a, 0x05, 0x08, 0x01, 0x1a, 0x01, 'x'}))
	f.Add(withChecksum([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, withChecksum(data)} {
			recs, agg, err := process.DeaggregateKPL(in)
			if err != nil || !agg {
				continue
			}
			// What decodes re-encodes to records that decode the same.
			again, agg2, err := process.DeaggregateKPL(process.AggregateKPL(recs))
			if err != nil || !agg2 || len(again) != len(recs) {
				t.Fatalf("re-encode: %v %v %d != %d", err, agg2, len(again), len(recs))
			}
			for i := range recs {
				if !bytes.Equal(again[i].Data, recs[i].Data) || again[i].PartitionKey != recs[i].PartitionKey ||
					again[i].ExplicitHashKey != recs[i].ExplicitHashKey {
					t.Fatalf("record %d: %+v != %+v", i, again[i], recs[i])
				}
			}
		}
	})
}

func FuzzSplitJSON(f *testing.F) {
	f.Add([]byte(`{"a":1}{"a":2}`))
	f.Add([]byte("{\"a\":1}\n{\"a\":2}\n"))
	f.Add([]byte(`[{"a":1}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		parts, err := process.SplitJSON(data)
		if err != nil {
			return
		}
		for _, p := range parts {
			if len(p) == 0 || p[0] != '{' {
				t.Fatalf("part %q", p)
			}
		}
	})
}

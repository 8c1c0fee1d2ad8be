package filter

import "testing"

// benchRecord is a 200-byte JSON record.
var benchRecord = []byte(`{"eventType":"order","region":"us-east-1","order":{"id":"o-123456789","type":"buy","stock":"ANYCO","quantity":1000,"price":12.5},"tags":["retail","priority"],"customer":{"tier":"gold","id":123456789}}`)

var benchPatterns = []string{
	`{"data":{"region":[{"prefix":"eu-"}],"order":{"type":["sell"]}}}`,
	`{"data":{"customer":{"tier":[{"equals-ignore-case":"platinum"}]}}}`,
	`{"data":{"order":{"quantity":[{"numeric":[">=",100,"<",5000]}],"stock":["ANYCO"]},"tags":["priority"]}}`,
}

func BenchmarkMatch(b *testing.B) {
	if len(benchRecord) != 200 {
		b.Fatalf("record is %d bytes, want 200", len(benchRecord))
	}
	f, err := Compile(benchPatterns)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchRecord)))
	b.ReportAllocs()
	for b.Loop() {
		if !f.Match(benchRecord) {
			b.Fatal("want match")
		}
	}
}

func BenchmarkMatchCEL(b *testing.B) {
	f, err := Compile([]string{`cel:data.order.quantity >= 100 && "priority" in data.tags`})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !f.Match(benchRecord) {
			b.Fatal("want match")
		}
	}
}

func TestBenchRecordSize(t *testing.T) {
	if len(benchRecord) != 200 {
		t.Fatalf("benchRecord is %d bytes, want 200", len(benchRecord))
	}
}

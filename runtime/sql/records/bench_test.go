package records

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// A Nexmark bid event as a JSON record (the shape bench/nexmark writes).
const nexmarkBid = `{"event_type":2,"person":null,"auction":null,"bid":{"auction":1007,"bidder":2001,"price":1784,` +
	`"channel":"channel-5901","url":"https://www.nexmark.com/kdhu/yrpd/zncu/item.htm?query=1&channel_id=1207959552",` +
	`"dateTime":"2026-01-01 00:00:01.123","extra":"ffbgtfzeghd[lbzzcfdahd^_sljbusylmrw\\mffmdqmmebhr[c"}}`

func nexmarkParser(b *testing.B) *Parser {
	p, err := NewParser(jsonSchema("$", "EVENT_TYPE INTEGER $.event_type",
		"AUCTION BIGINT $.bid.auction", "BIDDER BIGINT $.bid.bidder", "PRICE BIGINT $.bid.price",
		"CHANNEL VARCHAR(16) $.bid.channel", "URL VARCHAR(128) $.bid.url",
		"DATE_TIME TIMESTAMP $.bid.dateTime", "EXTRA VARCHAR(64) $.bid.extra",
		"SELLER BIGINT $.auction.seller", "NAME VARCHAR(32) $.person.name"))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkParseJSON reports records/s of a Nexmark bid (all members
// mapped). Target: > 300k records/s per core.
func BenchmarkParseJSON(b *testing.B) {
	p := nexmarkParser(b)
	data := []byte(nexmarkBid)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := p.Parse(data, func(eval.Row) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkParseCSV(b *testing.B) {
	p, err := NewParser(csvSchema(",", "\n", "AUCTION BIGINT", "BIDDER BIGINT", "PRICE BIGINT", "CHANNEL VARCHAR(16)",
		"URL VARCHAR(128)", "DATE_TIME TIMESTAMP", "EXTRA VARCHAR(64)"))
	if err != nil {
		b.Fatal(err)
	}
	data := []byte("1007,2001,1784,channel-5901,https://www.nexmark.com/kdhu/yrpd/zncu/item.htm?query=1&channel_id=1207959552,2026-01-01 00:00:01.123,ffbgtfzeghdlbzzcfdahd_sljbusylmrw\n")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Parse(data, func(eval.Row) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkFormatJSON(b *testing.B) {
	p := nexmarkParser(b)
	var row eval.Row
	_ = p.Parse([]byte(nexmarkBid), func(r eval.Row) error { row = r; return nil })
	f, _ := NewFormatter(types.DestinationSchema{RecordFormatType: types.RecordFormatTypeJson}, p.Columns())
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], row)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

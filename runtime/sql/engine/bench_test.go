package engine

import (
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

var bidInput = Input{Name: "bid", Columns: []Column{
	{"AUCTION", eval.Type{Kind: eval.BigInt}},
	{"BIDDER", eval.Type{Kind: eval.BigInt}},
	{"PRICE", eval.Type{Kind: eval.BigInt}},
	{"DATETIME", eval.Type{Kind: eval.Timestamp}},
	{"EXTRA", eval.Type{Kind: eval.Varchar, Len: 256}},
}}

func benchProgram(b *testing.B, code string) {
	b.Helper()
	p, err := Compile(code, Options{Inputs: []Input{bidInput}})
	if err != nil {
		b.Fatal(err)
	}
	out := 0
	in, err := p.Start(nil, func(string, Row) error { out++; return nil })
	if err != nil {
		b.Fatal(err)
	}
	row := make(eval.Row, 5)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := int64(1767225600000 + i)
		row[0] = eval.BigIntValue(int64(i % 1000))
		row[1] = eval.BigIntValue(int64(i % 10000))
		row[2] = eval.BigIntValue(int64(i % 977))
		row[3] = eval.TimestampMillis(t)
		row[4] = eval.Str("extra")
		if err := in.Push(0, Row{Time: t, Values: row}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if out == 0 && b.N > 20000 {
		b.Fatal("no output")
	}
}

// BenchmarkProjection is Nexmark q0: a pass-through pump.
func BenchmarkProjection(b *testing.B) {
	benchProgram(b, `CREATE OR REPLACE STREAM nexmark_q0 (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP, extra VARCHAR(256));
CREATE OR REPLACE PUMP q0 AS INSERT INTO nexmark_q0
    SELECT STREAM auction, bidder, price, dateTime, extra FROM bid;`)
}

// BenchmarkFilter is Nexmark q2: a selection.
func BenchmarkFilter(b *testing.B) {
	benchProgram(b, `CREATE OR REPLACE STREAM nexmark_q2 (auction BIGINT, price BIGINT);
CREATE OR REPLACE PUMP q2 AS INSERT INTO nexmark_q2
    SELECT STREAM auction, price FROM bid WHERE MOD(auction, 123) = 0;`)
}

// BenchmarkTumble is a tumbling GROUP BY on ROWTIME (10-second windows).
func BenchmarkTumble(b *testing.B) {
	benchProgram(b, `CREATE OR REPLACE STREAM o (auction BIGINT, n BIGINT, maxprice BIGINT);
CREATE OR REPLACE PUMP p AS INSERT INTO o
    SELECT STREAM auction, COUNT(*), MAX(price) FROM bid
    GROUP BY auction, STEP(bid.ROWTIME BY INTERVAL '10' SECOND);`)
}

// BenchmarkTumbleTVF is Nexmark q7's inner query: TUMBLE over event time.
func BenchmarkTumbleTVF(b *testing.B) {
	benchProgram(b, `CREATE OR REPLACE STREAM o (maxprice BIGINT, dateTime TIMESTAMP);
CREATE OR REPLACE PUMP p AS INSERT INTO o
    SELECT STREAM MAX(price) AS maxprice, window_end AS dateTime
    FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
    GROUP BY window_start, window_end;`)
}

// BenchmarkSliding is a sliding AVG per partition over one minute.
func BenchmarkSliding(b *testing.B) {
	benchProgram(b, `CREATE OR REPLACE STREAM o (auction BIGINT, a DOUBLE);
CREATE OR REPLACE PUMP p AS INSERT INTO o
    SELECT STREAM auction, AVG(CAST(price AS DOUBLE)) OVER (PARTITION BY auction RANGE INTERVAL '1' MINUTE PRECEDING) FROM bid;`)
}

// TestProjectionAllocs keeps the pass-through path allocation-free.
func TestProjectionAllocs(t *testing.T) {
	p, err := Compile(`CREATE OR REPLACE STREAM o (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP, extra VARCHAR(256));
CREATE OR REPLACE PUMP q0 AS INSERT INTO o SELECT STREAM auction, bidder, price, dateTime, extra FROM bid WHERE price > 10;`, Options{Inputs: []Input{bidInput}})
	if err != nil {
		t.Fatal(err)
	}
	in, err := p.Start(nil, func(string, Row) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	row := eval.Row{eval.BigIntValue(1), eval.BigIntValue(2), eval.BigIntValue(30), eval.TimestampMillis(5), eval.Str("x")}
	n := testing.AllocsPerRun(1000, func() {
		if err := in.Push(0, Row{Time: 5, Values: row}); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("Push allocates %v times per row on the projection path", n)
	}
}

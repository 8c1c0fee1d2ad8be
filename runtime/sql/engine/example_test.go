package engine_test

import (
	"fmt"
	"time"

	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// A tumbling window: MIN/MAX per ticker per minute, emitted when the
// minute ends.
func Example() {
	input := engine.Input{Name: "SOURCE_SQL_STREAM_001", Columns: []engine.Column{
		{Name: "TICKER", Type: eval.Type{Kind: eval.Varchar, Len: 4}},
		{Name: "PRICE", Type: eval.Type{Kind: eval.Double}},
	}}
	prog, err := engine.Compile(`
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), min_price DOUBLE, max_price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker, MIN(price), MAX(price) FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);`,
		engine.Options{Inputs: []engine.Input{input}})
	if err != nil {
		fmt.Println(err)
		return
	}
	inst, err := prog.Start(nil, func(stream string, r engine.Row) error {
		fmt.Println(stream, eval.TimestampMillis(r.Time), r.Values[0], r.Values[1], r.Values[2])
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for i, p := range []float64{10.5, 9.25, 11} {
		_ = inst.Push(0, engine.Row{Time: t0 + int64(i)*1000, Values: eval.Row{eval.Str("AMZN"), eval.DoubleValue(p)}})
	}
	_ = inst.Advance(t0 + 60000)
	// Output:
	// DESTINATION_SQL_STREAM 2026-01-01 00:01:00 AMZN 9.25 11.0
}

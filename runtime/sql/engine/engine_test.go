package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

var tickerInput = Input{Name: "SOURCE_SQL_STREAM_001", Columns: []Column{
	{"TICKER", eval.Type{Kind: eval.Varchar, Len: 4}},
	{"PRICE", eval.Type{Kind: eval.Double}},
}}

const windowCode = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker, COUNT(*) AS n FROM "SOURCE_SQL_STREAM_001"
  GROUP BY ticker, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
`

func TestSnapshotRestore(t *testing.T) {
	p, err := Compile(windowCode, Options{Inputs: []Input{tickerInput}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	emit := func(s string, r Row) error {
		got = append(got, s+" "+eval.TimestampMillis(r.Time).String()+" "+r.Values[0].String()+" "+r.Values[1].String())
		return nil
	}
	in, err := p.Start(nil, emit)
	if err != nil {
		t.Fatal(err)
	}
	row := eval.Row{eval.Str("AMZN"), eval.DoubleValue(1)}
	for i := int64(1); i <= 3; i++ {
		if err := in.Push(0, Row{Time: 1000 * i, Values: row}); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := in.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	in2, err := p.Start(snap, emit)
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(4); i <= 5; i++ {
		if err := in2.Push(0, Row{Time: 1000 * i, Values: row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := in2.Advance(11000); err != nil {
		t.Fatal(err)
	}
	if want := []string{"DESTINATION_SQL_STREAM 1970-01-01 00:00:10 AMZN 5"}; strings.Join(got, ";") != strings.Join(want, ";") {
		t.Fatalf("got %q, want %q", got, want)
	}
	// A snapshot of other code is refused.
	p2, err := Compile(windowCode+"\n-- changed", Options{Inputs: []Input{tickerInput}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p2.Start(snap, emit); !errors.Is(err, ErrSnapshotMismatch) {
		t.Fatalf("Start with another program's snapshot: %v", err)
	}
}

func TestEmitErrorReachesCaller(t *testing.T) {
	p, err := Compile(`CREATE STREAM o (t VARCHAR(4)); CREATE PUMP p AS INSERT INTO o SELECT STREAM ticker FROM SOURCE_SQL_STREAM_001;`, Options{Inputs: []Input{tickerInput}})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	in, err := p.Start(nil, func(string, Row) error { return boom })
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Push(0, Row{Time: 1, Values: eval.Row{eval.Str("A"), eval.DoubleValue(1)}}); !errors.Is(err, boom) {
		t.Fatalf("Push: %v, want the emit error", err)
	}
	if err := in.Push(5, Row{}); err == nil {
		t.Fatal("Push to a missing input succeeded")
	}
}

func TestStreams(t *testing.T) {
	p, err := Compile(windowCode, Options{Inputs: []Input{tickerInput}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range p.Streams() {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "SOURCE_SQL_STREAM_001,error_stream,DESTINATION_SQL_STREAM" {
		t.Fatalf("Streams: %s", got)
	}
}

func TestExternalFunc(t *testing.T) {
	double := &eval.Func{Params: []eval.Type{{Kind: eval.Double}}, Returns: eval.Type{Kind: eval.Double},
		Call: func(a []eval.Value) (eval.Value, error) { return eval.DoubleValue(2 * a[0].F), nil }}
	p, err := Compile(`CREATE STREAM o (d DOUBLE); CREATE PUMP p AS INSERT INTO o SELECT STREAM "DOUBLE_IT"(price) FROM SOURCE_SQL_STREAM_001;`,
		Options{Inputs: []Input{tickerInput}, Funcs: map[string]*eval.Func{"DOUBLE_IT": double}})
	if err != nil {
		t.Fatal(err)
	}
	var got eval.Value
	in, _ := p.Start(nil, func(_ string, r Row) error { got = r.Values[0]; return nil })
	if err := in.Push(0, Row{Time: 1, Values: eval.Row{eval.Str("A"), eval.DoubleValue(21)}}); err != nil {
		t.Fatal(err)
	}
	if got.F != 42 {
		t.Fatalf("got %v", got)
	}
}

func FuzzRestore(f *testing.F) {
	p, err := Compile(windowCode, Options{Inputs: []Input{tickerInput}})
	if err != nil {
		f.Fatal(err)
	}
	in, _ := p.Start(nil, nil)
	_ = in.Push(0, Row{Time: 5, Values: eval.Row{eval.Str("A"), eval.DoubleValue(1)}})
	snap, _ := in.Snapshot()
	f.Add(snap)
	f.Add([]byte("KSQ1"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := p.Start(b, nil)
		if err == nil {
			_ = in.Push(0, Row{Time: 6, Values: eval.Row{eval.Str("A"), eval.DoubleValue(1)}})
			_ = in.Advance(100000)
		}
	})
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{windowCode,
		`CREATE STREAM o (a INTEGER); CREATE PUMP p AS INSERT INTO o SELECT STREAM COUNT(*) OVER (ROWS 2 PRECEDING) FROM SOURCE_SQL_STREAM_001;`,
		`SELECT STREAM * FROM TABLE(TUMBLE(TABLE SOURCE_SQL_STREAM_001, DESCRIPTOR(ROWTIME), INTERVAL '1' SECOND))`,
		`SELECT STREAM a.ticker FROM SOURCE_SQL_STREAM_001 a JOIN SOURCE_SQL_STREAM_001 OVER (RANGE INTERVAL '1' SECOND PRECEDING) b ON a.ticker = b.ticker`,
	} {
		f.Add(s)
	}
	// Every golden script's code.
	files, _ := filepath.Glob("testdata/*.txt")
	more, _ := filepath.Glob("testdata/*/*.txt")
	for _, file := range append(files, more...) {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, s := range parseScript(string(b)) {
			if s.kind == "code" {
				f.Add(strings.Join(s.body, "\n"))
			}
		}
	}
	f.Fuzz(func(t *testing.T, code string) {
		p, err := Compile(code, Options{Inputs: []Input{tickerInput}})
		if err != nil {
			return
		}
		in, err := p.Start(nil, func(string, Row) error { return nil })
		if err != nil {
			return
		}
		_ = in.Push(0, Row{Time: 5, Values: eval.Row{eval.Str("A"), eval.DoubleValue(1)}})
		_ = in.Advance(100000)
		if _, err := in.Snapshot(); err != nil {
			t.Fatal(err)
		}
	})
}

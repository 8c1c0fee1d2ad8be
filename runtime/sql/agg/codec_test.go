package agg

import (
	"math"
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

var codecSeeds = []eval.Value{
	eval.NullValue,
	eval.Bool(true), eval.Bool(false),
	{Kind: eval.TinyInt, I: -128}, {Kind: eval.SmallInt, I: 32767}, eval.Int(-7), eval.BigIntValue(math.MinInt64), eval.BigIntValue(math.MaxInt64),
	eval.DecimalValue(-12345, 3), eval.DecimalValue(999999999999999999, 18),
	eval.RealValue(1.5), eval.DoubleValue(math.Inf(-1)), eval.DoubleValue(math.Copysign(0, -1)), eval.DoubleValue(math.NaN()), eval.DoubleValue(1e-300),
	{Kind: eval.Char, S: "ab "}, eval.Str(""), eval.Str("héllo, wörld"), {Kind: eval.Varbinary, S: "\x00\xff"},
	{Kind: eval.Date, I: -719162}, {Kind: eval.Time, I: 86399999}, eval.TimestampMillis(1767225600123),
	{Kind: eval.IntervalDayTime, Aux: eval.UnitMinute, I: -90000}, {Kind: eval.IntervalYearMonth, Aux: eval.UnitYear, I: 24},
}

func identical(a, b eval.Value) bool {
	return a.Kind == b.Kind && a.Aux == b.Aux && a.I == b.I && math.Float64bits(a.F) == math.Float64bits(b.F) && a.S == b.S
}

func TestValueRoundTrip(t *testing.T) {
	var b []byte
	for _, v := range codecSeeds {
		b = AppendValue(b, v)
	}
	b = append(b, 0xAB)
	for _, want := range codecSeeds {
		got, rest, err := ReadValue(b)
		if err != nil {
			t.Fatalf("%v: %v", want, err)
		}
		if !identical(got, want) {
			t.Fatalf("got %#v, want %#v", got, want)
		}
		b = rest
	}
	if len(b) != 1 || b[0] != 0xAB {
		t.Fatalf("rest %x", b)
	}
}

func TestReadValueErrors(t *testing.T) {
	for _, b := range [][]byte{
		nil,
		{99},
		{byte(eval.Boolean), 2},
		{byte(eval.Integer)},
		{byte(eval.Integer), 0x80},
		{byte(eval.Double), 1, 2, 3},
		{byte(eval.Varchar), 5, 'a'},
		{byte(eval.Decimal), 19, 0},
		{byte(eval.IntervalDayTime), 9, 0},
	} {
		if _, _, err := ReadValue(b); err == nil {
			t.Errorf("ReadValue(%x): no error", b)
		}
	}
}

func TestAppendKeyEquality(t *testing.T) {
	eq := [][2]eval.Value{
		{eval.Int(5), eval.BigIntValue(5)},
		{eval.DecimalValue(500, 2), eval.Int(5)},
		{eval.DecimalValue(150, 2), eval.DecimalValue(15, 1)},
		{eval.DoubleValue(0), eval.DoubleValue(math.Copysign(0, -1))},
		{eval.RealValue(1.5), eval.DoubleValue(1.5)},
		{{Kind: eval.Char, S: "a  "}, eval.Str("a")},
	}
	for _, p := range eq {
		if string(appendKey(nil, p[0])) != string(appendKey(nil, p[1])) {
			t.Errorf("keys of %#v and %#v differ", p[0], p[1])
		}
	}
	if string(appendKey(nil, eval.Str("a"))) == string(appendKey(nil, eval.Str("a "))) {
		t.Error("VARCHAR trailing blanks ignored")
	}
}

func FuzzReadValue(f *testing.F) {
	for _, v := range codecSeeds {
		f.Add(AppendValue(nil, v))
	}
	f.Add([]byte{byte(eval.Varchar), 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, rest, err := ReadValue(b)
		if err != nil {
			return
		}
		if len(rest) > len(b) {
			t.Fatal("rest grew")
		}
		enc := AppendValue(nil, v)
		w, rest2, err := ReadValue(enc)
		if err != nil || len(rest2) != 0 || !identical(v, w) {
			t.Fatalf("re-read %#v: %#v, %d left, %v", v, w, len(rest2), err)
		}
	})
}

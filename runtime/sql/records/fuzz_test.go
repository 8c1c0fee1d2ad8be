package records

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

func fuzzParse(f *testing.F, schemas []types.SourceSchema, seeds []string) {
	var parsers []*Parser
	for _, s := range schemas {
		p, err := NewParser(s)
		if err != nil {
			f.Fatal(err)
		}
		parsers = append(parsers, p)
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range parsers {
			fm, _ := NewFormatter(types.DestinationSchema{RecordFormatType: types.RecordFormatTypeJson}, p.Columns())
			_ = p.Parse(data, func(r eval.Row) error {
				if len(r) != len(p.Columns()) {
					t.Fatalf("row of %d values for %d columns", len(r), len(p.Columns()))
				}
				for i, v := range r {
					if !v.IsNull() && v.Kind != p.Columns()[i].Type.Kind {
						t.Fatalf("column %d: %s value for %s", i, v.Kind, p.Columns()[i].Type)
					}
				}
				_ = fm.Append(nil, r)
				return nil
			})
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	fuzzParse(f, []types.SourceSchema{
		jsonSchema("$", "NAME VARCHAR(16) $.customerName", "ID INTEGER $.orders[0:].orderId",
			"PRICE DECIMAL(5,2) $.orders[0:].itemPrice", "ALL VARCHAR(64) $.orders[0:]", "CITY VARCHAR(8) $.address.city",
			"I1 BIGINT $.a[1]", "B BOOLEAN $.b", "T TIMESTAMP $.t", "D DOUBLE $.d", "R REAL $.d", "BIN VARBINARY(4) $.bin",
			"DT DATE $.t", "TM TIME $.t", "C CHAR(3) $['c k']"),
		jsonSchema("$.items[0:]", "X INTEGER $.x", "Y VARCHAR(4) $.items[0:].y"),
	}, []string{
		customer,
		`{"items":[{"x":1,"y":"ab"},{"x":2}]}`,
		`{"a":[0,7],"b":"TRUE","t":"2018-05-09T12:50:41.337510+01:00","d":1e300,"bin":"X'00ff'","c k":"\ud83d\ude00"}`,
		`[{"b":1},{"b":0}]` + "\n" + `{"t":"1992-02-14 18:35:44.0"}`,
		`{"orders":[]}`, `{"x":`, `"\u12`, `[[[[[[[[[[`, `{"d":-0.0e-0}`,
	})
}

func FuzzParseCSV(f *testing.F) {
	fuzzParse(f, []types.SourceSchema{
		csvSchema(",", "\n", "A VARCHAR(4)", "B INTEGER", "C DOUBLE", "D TIMESTAMP", "E BOOLEAN", "F DECIMAL(4,1)"),
		csvSchema("||", "\r\n", "A CHAR(2)", "B VARBINARY(8)", "C TIME", "D DATE"),
	}, []string{
		"Doe,1,2.5,2018-05-09 12:50:41,true,123.4\nRoe,,,,,\n",
		`"a,""b",1`, "x||X'AB'||12:00||2020-02-29\r\n", ",,,,,,,,\n\n", "\"unterminated,1",
	})
}

package celdata

import (
	"testing"

	"github.com/google/cel-go/cel"
)

func TestCompile(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []*cel.Type
		ok   bool
	}{
		{"data.n > 10", []*cel.Type{cel.BoolType}, true},
		{"data.n", []*cel.Type{cel.BoolType}, true}, // dyn: checked when evaluated
		{"1 + 2", []*cel.Type{cel.BoolType}, false},
		{`{"k": "v"}`, []*cel.Type{cel.MapType(cel.StringType, cel.StringType)}, true},
		{"", []*cel.Type{cel.BoolType}, false},
		{"data.", []*cel.Type{cel.BoolType}, false},
	} {
		_, err := Compile(tc.expr, tc.want...)
		if (err == nil) != tc.ok {
			t.Errorf("Compile(%q): %v", tc.expr, err)
		}
	}
}

func TestEvalWithActivation(t *testing.T) {
	prg, err := Compile("data.n > 1 && data.n < 3.5", cel.BoolType)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n    any
		want bool
	}{{int64(2), true}, {3.0, true}, {int64(4), false}} {
		out, _, err := prg.Eval(&Activation{Data: map[string]any{"n": tc.n}})
		if err != nil || out.Value() != tc.want {
			t.Errorf("n=%v: %v %v", tc.n, out, err)
		}
	}
}

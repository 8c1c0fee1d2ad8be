// Package celdata is kinesin's one CEL environment for expressions over a
// record's data (filters of event source mappings, Firehose metadata
// extraction): one variable, data — the parsed JSON record, or bytes when
// it is not JSON — with cross-type numeric comparisons, built once;
// programs are compiled when configuration loads, never per record, and
// evaluated with a cost limit.
package celdata

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/interpreter"
)

// CostLimit bounds the runtime cost of one evaluation (one record); past
// it the evaluation fails.
const CostLimit = 100_000

var env = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(cel.Variable("data", cel.DynType), cel.CrossTypeNumericComparisons(true))
})

// Compile compiles expr, requiring its type to be one of want (or dyn),
// into a cost-limited program.
func Compile(expr string, want ...*cel.Type) (cel.Program, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("empty CEL expression")
	}
	e, err := env()
	if err != nil {
		return nil, fmt.Errorf("cel environment: %w", err)
	}
	ast, iss := e.Compile(expr)
	if iss.Err() != nil {
		return nil, fmt.Errorf("cel: %w", iss.Err())
	}
	t := ast.OutputType()
	ok := t == cel.DynType
	for _, w := range want {
		ok = ok || t.IsExactType(w)
	}
	if !ok {
		names := make([]string, len(want))
		for i, w := range want {
			names[i] = w.String()
		}
		return nil, fmt.Errorf("cel: expression must return %s, not %s", strings.Join(names, " or "), t)
	}
	prg, err := e.Program(ast, cel.CostLimit(CostLimit))
	if err != nil {
		return nil, fmt.Errorf("cel: %w", err)
	}
	return prg, nil
}

// Activation binds data for one evaluation without the map a
// cel.Activation would allocate.
type Activation struct{ Data any }

// ResolveName implements interpreter.Activation.
func (a *Activation) ResolveName(name string) (any, bool) {
	if name == "data" {
		return a.Data, true
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *Activation) Parent() interpreter.Activation { return nil }

package filter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/interpreter"
)

// CELCostLimit bounds the runtime cost of one CEL evaluation (one record);
// an expression that exceeds it counts as not matching.
const CELCostLimit = 100_000

// celEnv is the one CEL environment shared by every filter (DESIGN rule 6).
// data is dyn: a map for JSON objects, bytes when the record is not JSON.
var celEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("data", cel.DynType),
		cel.CrossTypeNumericComparisons(true),
	)
})

func compileCEL(expr string) (cel.Program, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("empty CEL expression")
	}
	env, err := celEnv()
	if err != nil {
		return nil, fmt.Errorf("cel environment: %w", err)
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, fmt.Errorf("cel: %w", iss.Err())
	}
	if t := ast.OutputType(); t != cel.BoolType && t != cel.DynType {
		return nil, fmt.Errorf("cel: expression must return bool, not %s", t)
	}
	return env.Program(ast, cel.CostLimit(CELCostLimit))
}

// activation binds data without the map a cel.Activation would allocate.
type activation struct{ data any }

func (a *activation) ResolveName(name string) (any, bool) {
	if name == "data" {
		return a.data, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// number gives CEL an int64 for integral JSON numbers, so data.n == 5 and
// data.n + 1 behave as users expect, and a double otherwise.
func number(raw string, f float64) any {
	if !strings.ContainsAny(raw, ".eE") {
		if i, err := strconv.ParseInt(raw, 10, 64); err == nil {
			return i
		}
	}
	return f
}

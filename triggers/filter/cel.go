package filter

import (
	"strconv"
	"strings"

	"github.com/google/cel-go/cel"

	"github.com/kinesin/kinesin/internal/celdata"
)

// CELCostLimit bounds the runtime cost of one CEL evaluation (one record);
// an expression that exceeds it counts as not matching.
const CELCostLimit = celdata.CostLimit

// compileCEL compiles a filter expression: a bool over data, in kinesin's
// one CEL environment (internal/celdata).
func compileCEL(expr string) (cel.Program, error) { return celdata.Compile(expr, cel.BoolType) }

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

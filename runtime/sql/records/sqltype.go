package records

import (
	"fmt"
	"strings"

	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/parser"
)

// SQLType converts a RecordColumn's SqlType ("VARCHAR(8)", "DOUBLE",
// "DECIMAL(10,2)", "CHARACTER VARYING(4)", "int", ...) to an eval.Type. It
// reads the type with the SQL parser's own data type grammar, so a column
// accepts exactly the types CREATE STREAM accepts.
func SQLType(s string) (eval.Type, error) {
	if strings.TrimSpace(s) == "" {
		return eval.Type{}, fmt.Errorf("records: empty SqlType")
	}
	if strings.ContainsAny(s, "\";-/") {
		return eval.Type{}, fmt.Errorf("records: invalid SqlType %q", s)
	}
	st, err := parser.ParseStmt(`CREATE STREAM "S" ("C" ` + s + `)`)
	if err != nil {
		return eval.Type{}, fmt.Errorf("records: invalid SqlType %q", s)
	}
	cs, ok := st.(*parser.CreateStream)
	if !ok || len(cs.Columns) != 1 || cs.Description != nil || cs.Columns[0].NotNull {
		return eval.Type{}, fmt.Errorf("records: invalid SqlType %q", s)
	}
	dt := cs.Columns[0].Type
	t, err := eval.TypeOf(dt.Name, dt.Args)
	if err != nil {
		return eval.Type{}, fmt.Errorf("records: SqlType %q: %w", s, err)
	}
	return t, nil
}

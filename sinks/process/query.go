package process

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/itchyny/gojq"

	"github.com/kinesin/kinesin/internal/celdata"
)

// celPrefix marks a MetadataExtractionQuery written in CEL.
const celPrefix = "cel:"

// CELCostLimit bounds the runtime cost of one CEL extraction (one record);
// a record whose query exceeds it fails.
const CELCostLimit = celdata.CostLimit

// extractor computes the partition keys of a parsed JSON record.
type extractor interface {
	extract(v any) (map[string]string, error)
}

func compileQuery(q string) (extractor, error) {
	if rest, ok := strings.CutPrefix(q, celPrefix); ok {
		return compileCEL(rest)
	}
	parsed, err := gojq.Parse(q)
	if err != nil {
		return nil, err
	}
	code, err := gojq.Compile(parsed)
	if err != nil {
		return nil, err
	}
	return jqQuery{code}, nil
}

type jqQuery struct{ code *gojq.Code }

// extract runs the query; it must yield exactly one object whose values
// are strings, numbers or booleans (numbers and booleans are keyed by
// their JSON text).
func (q jqQuery) extract(v any) (map[string]string, error) {
	iter := q.code.Run(v)
	out, ok := iter.Next()
	if !ok {
		return nil, errors.New("query produced no result")
	}
	if err, ok := out.(error); ok {
		return nil, err
	}
	if _, more := iter.Next(); more {
		return nil, errors.New("query produced more than one result")
	}
	obj, ok := out.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("query result is %s, not an object", gojq.TypeOf(out))
	}
	keys := make(map[string]string, len(obj))
	for k, val := range obj {
		s, err := keyString(k, val)
		if err != nil {
			return nil, err
		}
		keys[k] = s
	}
	return keys, nil
}

func keyString(k string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10), nil
		}
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case nil:
		return "", fmt.Errorf("partition key %q is null", k)
	default:
		if b, err := json.Marshal(x); err == nil && len(b) > 0 && b[0] != '{' && b[0] != '[' {
			return string(b), nil // *big.Int and the like
		}
		return "", fmt.Errorf("partition key %q is %s, not a string", k, gojq.TypeOf(x))
	}
}

type celQuery struct{ prg cel.Program }

var stringMap = reflect.TypeFor[map[string]string]()

func compileCEL(expr string) (extractor, error) {
	prg, err := celdata.Compile(expr, cel.MapType(cel.StringType, cel.StringType), cel.MapType(cel.StringType, cel.DynType))
	if err != nil {
		return nil, err
	}
	return celQuery{prg}, nil
}

func (q celQuery) extract(v any) (map[string]string, error) {
	out, _, err := q.prg.Eval(&celdata.Activation{Data: v})
	if err != nil {
		return nil, err
	}
	m, err := out.ConvertToNative(stringMap)
	if err != nil {
		return nil, fmt.Errorf("cel: result is not a map(string, string): %w", err)
	}
	return m.(map[string]string), nil
}

// parseJSON decodes one JSON value: integers become int (gojq's and
// CEL's integer), other numbers float64.
func parseJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return numbers(v), nil
}

func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil && !strings.ContainsAny(string(x), ".eE") {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	}
	return v
}

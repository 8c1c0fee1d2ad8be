package analytics

import (
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/runtime/sql/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/host"
	"github.com/kinesin/kinesin/runtime/sql/parser"
	"github.com/kinesin/kinesin/runtime/sql/records"
	"github.com/kinesin/kinesin/runtime/sql/udf"
)

// schemaColumns checks a SourceSchema as the host will read records with
// it and answers its columns.
func schemaColumns(s *types.SourceSchema, what string) ([]engine.Column, error) {
	if s == nil {
		return nil, invalidArgument.New("%s is required.", what)
	}
	p, err := records.NewParser(*s)
	if err != nil {
		return nil, invalidArgument.New("%s is not valid: %s", what, schemaMessage(err))
	}
	return p.Columns(), nil
}

func schemaMessage(err error) string {
	var re *records.Error
	if errors.As(err, &re) {
		return re.Message
	}
	return strings.TrimPrefix(err.Error(), "records: ")
}

// compileOptions are the engine options of m's inputs and references (the
// reference tables without rows: they are loaded when the application
// runs) and of its LANGUAGE WASM functions (bound, not called).
func (s *Service) compileOptions(m *Meta) (engine.Options, error) {
	var o engine.Options
	if s.cfg.UDFs != nil {
		o.External = func(fn string, params []eval.Type, returns eval.Type) (*eval.Func, error) {
			return udf.New(s.cfg.UDFs, fn, params, returns)
		}
	}
	for _, in := range m.Inputs {
		cols, err := schemaColumns(in.InputSchema, "InputSchema")
		if err != nil {
			return o, err
		}
		cols = host.InputColumns(cols, in.KinesisStreamsInputDescription != nil)
		for _, name := range in.InAppStreamNames {
			o.Inputs = append(o.Inputs, engine.Input{Name: name, Columns: cols})
		}
	}
	for _, r := range m.References {
		cols, err := schemaColumns(r.ReferenceSchema, "ReferenceSchema")
		if err != nil {
			return o, err
		}
		o.References = append(o.References, engine.Reference{Name: deref(r.TableName), Columns: cols})
	}
	return o, nil
}

// compile compiles m's code against its inputs and references.
func (s *Service) compile(m *Meta) (*engine.Program, error) {
	o, err := s.compileOptions(m)
	if err != nil {
		return nil, err
	}
	p, err := engine.Compile(deref(m.Code), o)
	if err != nil {
		var ce *engine.CompileError
		if errors.As(err, &ce) {
			return nil, codeValidation.New("%s", ce.Error())
		}
		return nil, codeValidation.New("%s", err.Error())
	}
	return p, nil
}

// checkCode validates m's code as AWS does when code or inputs change:
// code is compiled once the application has its streaming source; before
// that (the in-application input streams it reads do not exist yet) only
// its syntax is checked.
func (s *Service) checkCode(m *Meta) error {
	code := deref(m.Code)
	if code == "" {
		return nil
	}
	if len(m.Inputs) == 0 {
		if _, err := parser.Parse(code); err != nil {
			return codeValidation.New("%s", err.Error())
		}
		return nil
	}
	_, err := s.compile(m)
	return err
}

// checkRunnable is StartApplication's check of the whole configuration:
// the code compiles and every output names a stream the code has.
func (s *Service) checkRunnable(m *Meta) error {
	if deref(m.Code) == "" {
		return invalidAppConfig.New("Application %s has no application code.", m.Name)
	}
	p, err := s.compile(m)
	if err != nil {
		return invalidAppConfig.New("Application code is not valid: %s", awserr.As(err).Message)
	}
	streams := map[string]bool{}
	for _, st := range p.Streams() {
		streams[st.Name] = true
	}
	for _, o := range m.Outputs {
		name := deref(o.Name)
		if !streams[name] && !streams[strings.ToUpper(name)] {
			return invalidAppConfig.New("Output %s names in-application stream %s, which the application code does not create.", deref(o.OutputId), name)
		}
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

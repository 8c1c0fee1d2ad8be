package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	katypes "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"gopkg.in/yaml.v3"

	sqlparser "github.com/kinesin/kinesin/runtime/sql/parser"
	"github.com/kinesin/kinesin/runtime/sql/records"
)

// Application is one entry of the applications section: a streaming SQL
// application (Kinesis Data Analytics for SQL), as CreateApplication takes
// it, with its reference tables and whether it runs.
type Application struct {
	Name        string
	Description string
	// Code is the SQL code: the code field, or the content of CodeFile
	// once Load (or Apply) read it.
	Code string
	// CodeFile is the code's path, joined to the directory of the
	// pipeline file when relative; "" when the code is inline.
	CodeFile   string
	Inputs     []ApplicationInput
	Outputs    []ApplicationOutput
	References []ApplicationReference
	// Start says whether the application runs (apply starts a READY one
	// from StartingPosition) or not (apply stops a RUNNING one).
	Start            bool
	StartingPosition katypes.InputStartingPosition
	// Tags is never nil; an empty map means "no tags".
	Tags map[string]string
	// Line is where the entry starts in the file.
	Line int

	codeLine int // where code_file is written
}

// ApplicationInput is an item of an application's inputs: the members of
// AWS's Input, except that the source is named by Stream or
// DeliveryStream (a name, or an ARN) instead of KinesisStreamsInput or
// KinesisFirehoseInput, and RoleARN is shared.
type ApplicationInput struct {
	// Stream is the Kinesis stream read; DeliveryStream the Firehose
	// delivery stream read. Exactly one is given.
	Stream         *string
	DeliveryStream *string
	// NamePrefix names the in-application streams (NamePrefix_001, ...).
	NamePrefix *string
	RoleARN    *string
	// InputSchema is AWS's SourceSchema; nil means "discover it"
	// (DiscoverInputSchema on the stream's records, when the application
	// is created).
	InputSchema      *katypes.SourceSchema
	InputParallelism *katypes.InputParallelism
	// Preprocessor is a function (name or ARN) that transforms records
	// before they are parsed: AWS's InputLambdaProcessor.
	Preprocessor *string
}

// ApplicationOutput is an item of an application's outputs: where the rows
// of the in-application stream Name go (exactly one of Stream,
// DeliveryStream and Function, each a name or an ARN), in which record
// format (DestinationSchema, default JSON).
type ApplicationOutput struct {
	Name              *string
	Stream            *string
	DeliveryStream    *string
	Function          *string
	RoleARN           *string
	DestinationSchema *katypes.DestinationSchema
}

// ApplicationReference is an item of an application's reference_data: an
// S3 object (BucketARN, FileKey) read into the in-application table
// TableName with ReferenceSchema (AWS's ReferenceDataSource, flattened).
type ApplicationReference struct {
	TableName       *string
	BucketARN       *string
	FileKey         *string
	RoleARN         *string
	ReferenceSchema *katypes.SourceSchema
}

// DefaultAnalyticsRoleARN is the RoleARN sent with an application's inputs,
// outputs and reference data when the file gives none. kinesin does not
// check roles; AWS requires one.
const DefaultAnalyticsRoleARN = "arn:aws:iam::000000000000:role/kinesin-analytics"

// DefaultNamePrefix is the NamePrefix of an input that gives none: the
// code reads SOURCE_SQL_STREAM_001.
const DefaultNamePrefix = "SOURCE_SQL_STREAM"

// maxCodeLength is AWS's limit on ApplicationCode, in characters.
const maxCodeLength = 102400

var applicationsSection = &Section{
	Name: "applications",
	Doc: "Streaming SQL applications (Kinesis Data Analytics for SQL): each reads a stream as the in-application stream `SOURCE_SQL_STREAM_001`, runs its SQL code (windows, joins, anomaly detection) and writes the rows of its in-application output streams to streams, delivery streams or functions. " +
		"Apply runs last, after streams, functions, event source mappings and delivery streams, so an application may read and write what the file declares. " +
		"It creates a missing application (discovering the input schema from the stream's records when the file gives none), changes the code, input, outputs and reference data of an existing one that differ (UpdateApplication, AddApplicationOutput, DeleteApplicationOutput, AddApplicationReferenceDataSource, ...; outputs and reference tables not in the entry are removed from the application), makes its tags equal to the file's, then starts or stops it as `start` says. " +
		"Applications not in the file are left alone.",
	Fields: []Field{
		{
			Name: "name", Type: String, Required: true,
			Doc:    "Application name, unique within the file.",
			Checks: []Check{matches(`[a-zA-Z0-9_.-]{1,128}`)},
		},
		{
			Name: "description", Type: String, DefaultDoc: "none",
			Doc:    "Description of the application.",
			Checks: []Check{lengthBetween(0, 1024)},
		},
		{
			Name: "code", Type: String, DefaultDoc: "— (`code` or `code_file` is required)",
			Doc:    "The SQL code, usually a YAML block (`code: |`): `CREATE STREAM`, `CREATE PUMP … AS INSERT INTO … SELECT STREAM …`, … Loading the file checks its syntax; errors point at the line in the pipeline file.",
			Checks: []Check{lengthBetween(1, maxCodeLength)},
		},
		{
			Name: "code_file", Type: String,
			Doc:    "A file holding the SQL code, in place of `code`; a relative path is relative to the directory of the pipeline file. Loading the file reads it and checks its syntax (errors point at the line in that file).",
			Checks: []Check{lengthBetween(1, 4096)},
		},
		{
			Name: "inputs", Type: Structure, Shape: reflect.TypeFor[[]ApplicationInput](), Required: true,
			Doc: "A list of one input (AWS allows one streaming source): `Stream` (a stream's name, declared in this file or already on the server, or its ARN) or `DeliveryStream` (a Firehose delivery stream), " +
				"`NamePrefix` (default `" + DefaultNamePrefix + "`: the code reads `" + DefaultNamePrefix + "_001`), `InputSchema` (AWS's `SourceSchema`: `RecordFormat: {RecordFormatType: JSON | CSV, MappingParameters: …}`, `RecordEncoding`, `RecordColumns: [{Name, SqlType, Mapping}]`; without it apply discovers the schema from the records already in the stream when it creates the application), " +
				"`InputParallelism: {Count}`, `Preprocessor` (a function that transforms records first: AWS's InputLambdaProcessor) and `RoleARN` (default `" + DefaultAnalyticsRoleARN + "`; kinesin does not check it).",
		},
		{
			Name: "outputs", Type: Structure, Shape: reflect.TypeFor[[]ApplicationOutput](), DefaultDoc: "none",
			Doc: "Where the rows of in-application streams go, at most three: each has `Name` (the in-application stream, such as `DESTINATION_SQL_STREAM`), one of `Stream`, `DeliveryStream` or `Function` (a name or an ARN), " +
				"`DestinationSchema: {RecordFormatType: JSON | CSV}` (default JSON) and `RoleARN`.",
		},
		{
			Name: "reference_data", Type: Structure, Shape: reflect.TypeFor[[]ApplicationReference](), DefaultDoc: "none",
			Doc: "Reference tables the code can join: each reads the S3 object `FileKey` of `BucketARN` (without an S3 endpoint, kinesin reads `s3/BUCKET/KEY` under its data directory) into the in-application table `TableName` with `ReferenceSchema` (a `SourceSchema`, as `InputSchema`), and `RoleARN`.",
		},
		{
			Name: "start", Type: Bool, Default: true,
			Doc: "Whether the application runs: apply starts it when it is READY, and `false` stops it when it is RUNNING.",
		},
		{
			Name: "starting_position", Type: Enum, Default: string(katypes.InputStartingPositionNow),
			Doc:  "Where apply starts a READY application reading its input: `NOW` (records put from then on), `TRIM_HORIZON` (every record the stream holds) or `LAST_STOPPED_POINT` (where it stopped, with its window state).",
			Enum: []string{string(katypes.InputStartingPositionNow), string(katypes.InputStartingPositionTrimHorizon), string(katypes.InputStartingPositionLastStoppedPoint)},
		},
		{
			Name: "tags", Type: StringMap, Default: map[string]string{},
			Doc:         "Tags of the application; apply adds, changes and removes tags so that they equal this map.",
			Checks:      []Check{maxEntries(50)},
			KeyChecks:   []Check{lengthBetween(1, 128), notPrefix("aws:")},
			ValueChecks: []Check{lengthBetween(0, 256)},
		},
	},
	build:  buildApplication,
	finish: uniqueApplications,
}

func uniqueApplications(_ *File, es []*entry) { uniqueNames("application", es) }

func buildApplication(f *File, e *entry) {
	app := Application{
		Name:             e.str("name"),
		Description:      e.str("description"),
		Code:             e.str("code"),
		Start:            e.bool("start"),
		StartingPosition: katypes.InputStartingPosition(e.str("starting_position")),
		Tags:             e.strMap("tags"),
		Line:             e.node.Line,
		codeLine:         e.line("code_file"),
	}
	switch {
	case e.given("code") && e.given("code_file"):
		e.errorf("code_file", "not allowed with code (give one of them)")
	case !e.given("code") && !e.given("code_file"):
		e.p.add(e.node.Line, e.path+".code", "required field is missing (or give code_file)")
	case e.given("code") && app.Code != "":
		checkSQL(e, app.Code)
	}
	if p := e.str("code_file"); p != "" {
		app.CodeFile = filepath.FromSlash(p)
		if !filepath.IsAbs(app.CodeFile) {
			app.CodeFile = filepath.Join(filepath.Dir(e.p.name), app.CodeFile)
		}
	}

	if v, ok := e.vals["inputs"]; ok {
		if err := fill(reflect.ValueOf(&app.Inputs).Elem(), v, nil); err != nil {
			e.errorf("inputs", "%v", err)
		}
		switch {
		case len(app.Inputs) == 0:
			e.errorf("inputs", "must have one input")
		case len(app.Inputs) > 1:
			e.errorf("inputs", "must have one input, not %d (AWS allows one streaming source per application)", len(app.Inputs))
		}
		for i := range app.Inputs {
			checkInput(e, i, &app.Inputs[i])
		}
	}
	if v, ok := e.vals["outputs"]; ok {
		if err := fill(reflect.ValueOf(&app.Outputs).Elem(), v, nil); err != nil {
			e.errorf("outputs", "%v", err)
		}
		if len(app.Outputs) > 3 {
			e.errorf("outputs", "must have at most 3 outputs, not %d (AWS's limit)", len(app.Outputs))
		}
		for i := range app.Outputs {
			checkOutput(e, i, &app.Outputs[i])
		}
	}
	if v, ok := e.vals["reference_data"]; ok {
		if err := fill(reflect.ValueOf(&app.References).Elem(), v, nil); err != nil {
			e.errorf("reference_data", "%v", err)
		}
		seen := map[string]int{}
		for i := range app.References {
			r := &app.References[i]
			checkReference(e, i, r)
			if name := aws.ToString(r.TableName); name != "" {
				if j, dup := seen[name]; dup {
					memberError(e, "reference_data", i, "TableName", "duplicate table %q (also reference_data[%d])", name, j)
				}
				seen[name] = i
			}
		}
	}
	f.Applications = append(f.Applications, app)
}

// itemNode is the node of item i of the list field, or of the field.
func itemNode(e *entry, field string, i int) *yaml.Node {
	n := deref(e.written[field].val)
	if n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return deref(n.Content[i])
	}
	return n
}

// memberError reports a problem with member (or the item, when member is
// "") of item i of a list field, at the member's line.
func memberError(e *entry, field string, i int, member, format string, args ...any) {
	n := itemNode(e, field, i)
	path := fmt.Sprintf("%s.%s[%d]", e.path, field, i)
	if member != "" {
		n = nodeAt(n, member)
		path += "." + member
	}
	e.p.add(n.Line, path, format, args...)
}

// exactlyOne reports unless exactly one of the members is given.
func exactlyOne(e *entry, field string, i int, given map[string]bool, names ...string) {
	var set []string
	for _, n := range names {
		if given[n] {
			set = append(set, n)
		}
	}
	switch len(set) {
	case 0:
		memberError(e, field, i, "", "needs one of %s", strings.Join(names, ", "))
	case 1:
	default:
		memberError(e, field, i, set[1], "not allowed with %s (give one of %s)", set[0], strings.Join(names, ", "))
	}
}

func checkInput(e *entry, i int, in *ApplicationInput) {
	exactlyOne(e, "inputs", i, map[string]bool{"Stream": in.Stream != nil, "DeliveryStream": in.DeliveryStream != nil}, "Stream", "DeliveryStream")
	if s := in.Stream; s != nil {
		if msg := streamOrARN().fn(*s); msg != "" {
			memberError(e, "inputs", i, "Stream", "%s", msg)
		}
	}
	if p := in.NamePrefix; p != nil && !namePrefix.MatchString(*p) {
		memberError(e, "inputs", i, "NamePrefix", "must be 1 to 32 letters, digits or _ (an in-application stream name), got %q", *p)
	}
	if p := in.InputParallelism; p != nil && p.Count != nil && (*p.Count < 1 || *p.Count > 64) {
		memberError(e, "inputs", i, "InputParallelism.Count", "must be between 1 and 64")
	}
	if in.InputSchema != nil {
		checkSchema(e, "inputs", i, "InputSchema", in.InputSchema)
	}
}

func checkOutput(e *entry, i int, o *ApplicationOutput) {
	if aws.ToString(o.Name) == "" {
		memberError(e, "outputs", i, "", "Name is required: the in-application stream whose rows go out, such as DESTINATION_SQL_STREAM")
	}
	exactlyOne(e, "outputs", i, map[string]bool{"Stream": o.Stream != nil, "DeliveryStream": o.DeliveryStream != nil, "Function": o.Function != nil},
		"Stream", "DeliveryStream", "Function")
	if s := o.Stream; s != nil {
		if msg := streamOrARN().fn(*s); msg != "" {
			memberError(e, "outputs", i, "Stream", "%s", msg)
		}
	}
	if d := o.DestinationSchema; d != nil && d.RecordFormatType == "" {
		memberError(e, "outputs", i, "DestinationSchema", "RecordFormatType is required: JSON or CSV")
	}
}

func checkReference(e *entry, i int, r *ApplicationReference) {
	for _, m := range []struct {
		name string
		set  bool
	}{{"TableName", aws.ToString(r.TableName) != ""}, {"BucketARN", aws.ToString(r.BucketARN) != ""}, {"FileKey", aws.ToString(r.FileKey) != ""}, {"ReferenceSchema", r.ReferenceSchema != nil}} {
		if !m.set {
			memberError(e, "reference_data", i, "", "%s is required", m.name)
		}
	}
	if r.ReferenceSchema != nil {
		checkSchema(e, "reference_data", i, "ReferenceSchema", r.ReferenceSchema)
	}
}

// checkSchema checks a SourceSchema with the parser that reads records by
// it, so that the file is refused for the schemas the server refuses.
func checkSchema(e *entry, field string, i int, member string, s *katypes.SourceSchema) {
	switch {
	case s.RecordFormat == nil:
		memberError(e, field, i, member, "RecordFormat is required")
		return
	case len(s.RecordColumns) == 0:
		memberError(e, field, i, member, "RecordColumns must list at least one column")
		return
	}
	for j, c := range s.RecordColumns {
		if aws.ToString(c.Name) == "" || aws.ToString(c.SqlType) == "" {
			memberError(e, field, i, fmt.Sprintf("%s.RecordColumns[%d]", member, j), "Name and SqlType are required")
			return
		}
	}
	if _, err := records.NewParser(*s); err != nil {
		memberError(e, field, i, member, "%s", strings.TrimPrefix(err.Error(), "records: "))
	}
}

// namePrefix is what an in-application stream name prefix may be.
var namePrefix = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]{0,31}$`)

// checkSQL checks the syntax of inline code, reporting an error at its
// line in the pipeline file.
func checkSQL(e *entry, code string) {
	_, err := sqlparser.Parse(code)
	var pe *sqlparser.Error
	if !errors.As(err, &pe) {
		return
	}
	n := deref(e.written["code"].val)
	line := n.Line
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		// A block scalar's content starts on the line after | or >.
		line = n.Line + pe.Line
	}
	e.p.add(line, e.path+".code", "SQL syntax: %d:%d: %s", pe.Line, pe.Col, pe.Msg)
}

// checkApplicationCode reads the code files of the applications into
// Code and checks their syntax; problems are reported as FILE:LINE of the
// code file (or of the pipeline file, when the code file cannot be read).
func (f *File) checkApplicationCode() Errors {
	var errs Errors
	for i := range f.Applications {
		app := &f.Applications[i]
		if app.CodeFile == "" {
			continue
		}
		data, err := os.ReadFile(app.CodeFile)
		if err != nil {
			msg := err.Error()
			if errors.Is(err, os.ErrNotExist) {
				msg = app.CodeFile + " does not exist"
			}
			errs = append(errs, &Error{File: f.Name, Line: app.codeLine, Path: fmt.Sprintf("applications[%d].code_file", i), Msg: msg})
			continue
		}
		app.Code = string(data)
		if len([]rune(app.Code)) > maxCodeLength {
			errs = append(errs, &Error{File: f.Name, Line: app.codeLine, Path: fmt.Sprintf("applications[%d].code_file", i),
				Msg: fmt.Sprintf("the code is longer than %d characters (AWS's limit)", maxCodeLength)})
			continue
		}
		var pe *sqlparser.Error
		if _, err := sqlparser.Parse(app.Code); errors.As(err, &pe) {
			errs = append(errs, &Error{File: app.CodeFile, Line: pe.Line, Msg: fmt.Sprintf("SQL syntax: %d:%d: %s", pe.Line, pe.Col, pe.Msg)})
		}
	}
	return errs
}

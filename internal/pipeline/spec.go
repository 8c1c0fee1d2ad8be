package pipeline

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Type is the YAML shape a field accepts.
type Type int

const (
	// String is a YAML scalar taken as text (name: 123 is the string "123").
	String Type = iota
	// Int is a YAML integer.
	Int
	// Enum is a string from Field.Enum.
	Enum
	// StringMap is a mapping of scalar keys to scalar values, both taken as
	// text; null or an absent field is the empty map.
	StringMap
	// Bool is a YAML boolean: true or false (not yes/no/on/off).
	Bool
	// StringList is a list of scalars taken as text; null or an absent field
	// is the empty list.
	StringList
	// Structure is a mapping passed to an AWS API as one structure, with
	// AWS's member names; Field.Shape is its aws-sdk-go-v2 type. Its value
	// is a map[string]any of plain values (see deliverystreams_shape.go).
	Structure
)

func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Int:
		return "integer"
	case Enum:
		return "enum"
	case StringMap:
		return "map of string to string"
	case Bool:
		return "boolean"
	case StringList:
		return "list of strings"
	case Structure:
		return "mapping of AWS members"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Check is one validation rule of a field. Doc says what it requires, for the
// reference table; fn returns what is wrong with a value ("" when nothing),
// worded to follow "path: ", such as "must be at least 1".
type Check struct {
	Doc string
	fn  func(v any) string
}

// Field declares one field of a section entry, once: the parser validates
// against it and the reference in docs/pipeline.md is generated from it.
type Field struct {
	Name     string
	Type     Type
	Required bool
	// Default is the value used when the field is absent (nil: none). It is
	// typed like the field's values: string, int, bool, map[string]string
	// or []string.
	Default any
	// DefaultDoc replaces the rendering of Default in the docs when the
	// default depends on other fields.
	DefaultDoc string
	Doc        string
	// Enum lists the accepted values of an Enum field.
	Enum []string
	// Checks apply to the whole value: the string, the integer, the map or
	// the list.
	Checks []Check
	// KeyChecks and ValueChecks apply to each entry of a StringMap;
	// ValueChecks also to each item of a StringList.
	KeyChecks, ValueChecks []Check
	// Shape is the aws-sdk-go-v2 type of a Structure field.
	Shape reflect.Type
}

// Section is one top-level key of the pipeline file: a list of entries, each
// a mapping with the section's Fields. A section without Fields is known but
// not implemented yet, so that a file using it fails with a clear message
// instead of "unknown section".
type Section struct {
	Name   string
	Doc    string
	Fields []Field
	// build turns one validated entry into the File. It also runs the
	// checks that involve several fields.
	build func(f *File, e *entry)
	// finish runs once all entries are built (checks across entries).
	finish func(f *File, es []*entry)
}

// Implemented reports whether the section can be used today.
func (s *Section) Implemented() bool { return s.build != nil }

// Field returns the declaration of the named field, or nil.
func (s *Section) Field(name string) *Field {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}

// Sections returns the top-level sections of the pipeline file in the order
// they are documented. Callers must not modify them.
func Sections() []*Section { return sections }

// Lookup returns the top-level section with that name, or nil.
func Lookup(name string) *Section {
	for _, s := range sections {
		if s.Name == name {
			return s
		}
	}
	return nil
}

var sections = []*Section{
	streamsSection,
	functionsSection,
	mappingsSection,
	deliveryStreamsSection,
	applicationsSection,
	videoStreamsSection,
}

// Stream modes, as written in the file.
const (
	ModeProvisioned = "provisioned"
	ModeOnDemand    = "on-demand"
)

var streamsSection = &Section{
	Name: "streams",
	Doc:  "Kinesis data streams. Apply creates missing ones and changes existing ones until they match; streams not in the file are left alone.",
	Fields: []Field{
		{
			Name: "name", Type: String, Required: true,
			Doc:    "Stream name, unique within the file.",
			Checks: []Check{matches(`[a-zA-Z0-9_.-]{1,128}`)},
		},
		{
			Name: "shards", Type: Int, Default: 1, DefaultDoc: "1 (provisioned)",
			Doc:    "Number of open shards of a provisioned stream; apply reaches a new count with UpdateShardCount (UNIFORM_SCALING), doubling or halving at most per step. Not allowed with `mode: on-demand`.",
			Checks: []Check{atLeast(1)},
		},
		{
			Name: "mode", Type: Enum, Default: ModeProvisioned,
			Doc:  "Capacity mode: `provisioned` (fixed shard count) or `on-demand` (kinesin manages shards).",
			Enum: []string{ModeProvisioned, ModeOnDemand},
		},
		{
			Name: "retention_hours", Type: Int, Default: 24,
			Doc:    "How long records stay readable, in hours (1 to 365 days).",
			Checks: []Check{between(24, 8760)},
		},
		{
			Name: "tags", Type: StringMap, Default: map[string]string{},
			Doc:         "Tags of the stream; apply adds, changes and removes tags so that they equal this map.",
			Checks:      []Check{maxEntries(50)},
			KeyChecks:   []Check{lengthBetween(1, 128), notPrefix("aws:")},
			ValueChecks: []Check{lengthBetween(0, 256)},
		},
	},
	build:  buildStream,
	finish: uniqueStreamNames,
}

// Function runtimes, as written in the file and sent to the Lambda API.
const (
	RuntimeWasm = "wasm"
)

// Runtimes lists the runtimes a function may declare: WebAssembly, or a
// bootstrap process speaking the Lambda Runtime API.
var Runtimes = []string{RuntimeWasm, "provided.al2023", "provided.al2", "provided", "go1.x"}

// reservedEnv are the environment variables Lambda sets itself and refuses
// in a function's configuration.
var reservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION",
	"AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_NAME",
	"AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
	"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_REGION", "AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN", "LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT",
}

var functionsSection = &Section{
	Name: "functions",
	Doc:  "Functions (WebAssembly modules or Lambda runtime processes) that process records. Apply packages each one as `kinesin functions deploy` does, creates missing functions and updates the code (when its SHA-256 differs), the configuration and the reserved concurrency of existing ones; functions not in the file are left alone.",
	Fields: []Field{
		{
			Name: "name", Type: String, Required: true,
			Doc:    "Function name, unique within the file.",
			Checks: []Check{matches(`[a-zA-Z0-9_-]{1,64}`)},
		},
		{
			Name: "runtime", Type: Enum, Default: RuntimeWasm,
			Doc:  "`wasm` runs a WebAssembly module; the others run a `bootstrap` executable that speaks the Lambda Runtime API.",
			Enum: Runtimes,
		},
		{
			Name: "path", Type: String, Required: true,
			Doc:    "The code: a `.wasm` module (runtime `wasm`), a `.zip` deployment package, an executable (zipped as `bootstrap`), or a directory holding a Go main package, built on every apply for the runtime (`GOOS=wasip1 GOARCH=wasm -buildmode=c-shared` for `wasm`, else `GOOS=linux CGO_ENABLED=0 -tags lambda.norpc`). A relative path is relative to the directory of the pipeline file; loading the file checks that the path exists.",
			Checks: []Check{lengthBetween(1, 4096)},
		},
		{
			Name: "handler", Type: String, Default: "bootstrap",
			Doc:    "Handler name passed to the function (`_HANDLER`).",
			Checks: []Check{matches(`[^\s]{1,128}`)},
		},
		{
			Name: "timeout", Type: Int, Default: 3,
			Doc:    "Longest run of one invocation, in seconds.",
			Checks: []Check{between(1, 900)},
		},
		{
			Name: "memory", Type: Int, Default: 128,
			Doc:    "Memory size in MB; it caps a WebAssembly instance's memory.",
			Checks: []Check{between(128, 10240)},
		},
		{
			Name: "environment", Type: StringMap, Default: map[string]string{},
			Doc:       "Environment variables of the function; apply makes them equal to this map.",
			Checks:    []Check{maxTotalSize(4096)},
			KeyChecks: []Check{matches(`[a-zA-Z][a-zA-Z0-9_]+`), notOneOf(reservedEnv, "reserved by Lambda")},
		},
		{
			Name: "concurrency", Type: Int, DefaultDoc: "none (unreserved)",
			Doc:    "Reserved concurrency: the most invocations that run at once, also kept free for this function; 0 stops all invocations. Without it, apply removes a reservation.",
			Checks: []Check{atLeast(0)},
		},
	},
	build:  buildFunction,
	finish: uniqueFunctionNames,
}

// Starting positions of an event source mapping, as the Lambda API names
// them.
const (
	TrimHorizon = "TRIM_HORIZON"
	Latest      = "LATEST"
	AtTimestamp = "AT_TIMESTAMP"
)

var mappingsSection = &Section{
	Name: "event_source_mappings",
	Doc:  "Event source mappings: each reads a stream and invokes a function with batches of its records, as Lambda's CreateEventSourceMapping does. Apply runs after streams and functions, so a mapping may refer to both. It creates the missing mappings and updates existing ones (the same function and source) that differ; mappings not in the file are left alone. A mapping's starting position cannot change once it exists: to start over, delete it (`kinesin mappings rm`) and apply again.",
	Fields: []Field{
		{
			Name: "function", Type: String, Required: true,
			Doc:    "Name of the function to invoke (declared in this file or already deployed), optionally with a version or alias: `enrich:live`.",
			Checks: []Check{functionRef()},
		},
		{
			Name: "stream", Type: String, DefaultDoc: "— (`stream` or `source_arn` is required)",
			Doc:    "Name of the stream to read (declared in this file or already on the server); apply looks up its ARN. Give either `stream` or `source_arn`.",
			Checks: []Check{matches(`[a-zA-Z0-9_.-]{1,128}`)},
		},
		{
			Name: "source_arn", Type: String,
			Doc:    "ARN of the stream to read, or of a registered stream consumer (enhanced fan-out), or of a Kinesis Video stream, in place of `stream`.",
			Checks: []Check{sourceARN()},
		},
		{
			Name: "video_stream", Type: String,
			Doc:    "Name of a Kinesis Video stream to read in place of `stream` (declared under `video_streams:` or already on the server): the function gets an event per stored fragment (see docs/video.md). Apply looks up its ARN, which carries the stream's creation time. `batch_size` defaults to 10 here; `parallelization_factor` must be 1 and there are no tumbling windows.",
			Checks: []Check{videoNameCheck()},
		},
		{
			Name: "starting_position", Type: Enum, Default: TrimHorizon,
			Doc:  "Where a new mapping starts reading each shard: `TRIM_HORIZON` (the oldest record kept, so records put before the mapping existed are processed too), `LATEST` (only records put after it is created) or `AT_TIMESTAMP` (records put at or after `starting_timestamp`). Used when the mapping is created; once it runs, it continues from its checkpoints.",
			Enum: []string{TrimHorizon, Latest, AtTimestamp},
		},
		{
			Name: "starting_timestamp", Type: String, DefaultDoc: "— (required with `AT_TIMESTAMP`)",
			Doc:    "Start time of an `AT_TIMESTAMP` mapping: an RFC 3339 time such as `2025-01-31T08:00:00Z`, or a date (midnight UTC).",
			Checks: []Check{timestamp()},
		},
		{
			Name: "batch_size", Type: Int, Default: 100,
			Doc:    "Most records in one invocation.",
			Checks: []Check{between(1, 10000)},
		},
		{
			Name: "batching_window_seconds", Type: Int, Default: 0,
			Doc:    "How long to gather records before invoking with a batch smaller than `batch_size`, in seconds; 0 invokes as soon as records are there.",
			Checks: []Check{between(0, 300)},
		},
		{
			Name: "parallelization_factor", Type: Int, Default: 1,
			Doc:    "Batches of one shard processed at once; records with the same partition key stay in order.",
			Checks: []Check{between(1, 10)},
		},
		{
			Name: "maximum_retry_attempts", Type: Int, Default: -1,
			Doc:    "Retries of a failed batch before its records are given up on (and sent to `on_failure`); -1 retries until the records expire.",
			Checks: []Check{between(-1, 10000)},
		},
		{
			Name: "maximum_record_age_seconds", Type: Int, Default: -1,
			Doc:    "Records older than this are given up on (and sent to `on_failure`) instead of being retried, in seconds; -1 means no limit.",
			Checks: []Check{minusOneOrBetween(60, 604800)},
		},
		{
			Name: "bisect_on_error", Type: Bool, Default: false,
			Doc: "Split a failed batch in two and retry the halves separately, to isolate a bad record (halving does not count as a retry).",
		},
		{
			Name: "report_batch_item_failures", Type: Bool, Default: false,
			Doc: "The function reports the records that failed (`{\"batchItemFailures\":[{\"itemIdentifier\":\"SEQUENCE-NUMBER\"}]}`); the batch is retried from the first of them instead of as a whole (FunctionResponseTypes ReportBatchItemFailures).",
		},
		{
			Name: "tumbling_window_seconds", Type: Int, Default: 0,
			Doc:    "Length of tumbling windows in seconds: the function gets the state it returned for the window so far and aggregates across batches; 0 means no windows.",
			Checks: []Check{between(0, 900)},
		},
		{
			Name: "filters", Type: StringList, Default: []string{},
			Doc:         "Filter patterns, ORed: only records whose data matches one of them reach the function, the others are skipped. A pattern is Lambda's JSON filter syntax on `data`, such as `{\"data\":{\"type\":[\"order\"]}}`, or kinesin's `cel:` followed by a CEL expression over `data`, such as `cel:data.amount > 100`. Loading the file compiles them.",
			Checks:      []Check{maxItems(5)},
			ValueChecks: filterChecks,
		},
		{
			Name: "on_failure", Type: String, DefaultDoc: "none",
			Doc:    "Where each batch that is given up on is described, with Lambda's OnFailure record (shard, sequence number range, reason; not the data): a stream other than the source, by name (declared in this file or already on the server) or ARN. kinesin delivers only to Kinesis streams.",
			Checks: []Check{streamOrARN()},
		},
		{
			Name: "enabled", Type: Bool, Default: true,
			Doc: "Whether the mapping reads and invokes; `false` pauses it, keeping its checkpoints.",
		},
	},
	build:  buildMapping,
	finish: uniqueMappings,
}

// Check constructors. Their Doc is the constraint column of the reference.

func atLeast(n int) Check {
	return Check{Doc: fmt.Sprintf("≥ %d", n), fn: func(v any) string {
		if v.(int) < n {
			return fmt.Sprintf("must be at least %d", n)
		}
		return ""
	}}
}

func between(lo, hi int) Check {
	return Check{Doc: fmt.Sprintf("%d–%d", lo, hi), fn: func(v any) string {
		switch i := v.(int); {
		case i < lo:
			return fmt.Sprintf("must be at least %d", lo)
		case i > hi:
			return fmt.Sprintf("must be at most %d", hi)
		}
		return ""
	}}
}

func matches(pattern string) Check {
	re := regexp.MustCompile(`^(?:` + pattern + `)$`)
	return Check{Doc: "matches `" + pattern + "`", fn: func(v any) string {
		if !re.MatchString(v.(string)) {
			return "must match " + pattern + ", got " + strconv.Quote(v.(string))
		}
		return ""
	}}
}

func lengthBetween(lo, hi int) Check {
	doc := fmt.Sprintf("%d–%d characters", lo, hi)
	if lo == 0 {
		doc = fmt.Sprintf("at most %d characters", hi)
	}
	return Check{Doc: doc, fn: func(v any) string {
		switch n := utf8.RuneCountInString(v.(string)); {
		case n < lo && lo == 1:
			return "must not be empty"
		case n < lo:
			return fmt.Sprintf("must be at least %d characters long", lo)
		case n > hi:
			return fmt.Sprintf("must be at most %d characters long", hi)
		}
		return ""
	}}
}

func notPrefix(p string) Check {
	return Check{Doc: "not starting with `" + p + "`", fn: func(v any) string {
		if strings.HasPrefix(strings.ToLower(v.(string)), p) {
			return "must not start with " + strconv.Quote(p) + " (reserved by AWS)"
		}
		return ""
	}}
}

func maxEntries(n int) Check {
	return Check{Doc: fmt.Sprintf("at most %d entries", n), fn: func(v any) string {
		if len(v.(map[string]string)) > n {
			return fmt.Sprintf("must have at most %d entries", n)
		}
		return ""
	}}
}

func notOneOf(vals []string, why string) Check {
	return Check{Doc: "not " + why, fn: func(v any) string {
		if slices.Contains(vals, v.(string)) {
			return "must not be " + v.(string) + " (" + why + ")"
		}
		return ""
	}}
}

// maxTotalSize bounds the keys and values of a map together, in bytes, as
// Lambda bounds a function's environment.
func maxTotalSize(n int) Check {
	return Check{Doc: fmt.Sprintf("at most %d bytes of keys and values in all", n), fn: func(v any) string {
		size := 0
		for k, val := range v.(map[string]string) {
			size += len(k) + len(val)
		}
		if size > n {
			return fmt.Sprintf("must hold at most %d bytes of keys and values in all, got %d", n, size)
		}
		return ""
	}}
}

func maxItems(n int) Check {
	return Check{Doc: fmt.Sprintf("at most %d items", n), fn: func(v any) string {
		if len(v.([]string)) > n {
			return fmt.Sprintf("must have at most %d items", n)
		}
		return ""
	}}
}

// minusOneOrBetween accepts -1 (no limit) or lo–hi.
func minusOneOrBetween(lo, hi int) Check {
	return Check{Doc: fmt.Sprintf("-1 or %d–%d", lo, hi), fn: func(v any) string {
		if i := v.(int); i != -1 && (i < lo || i > hi) {
			return fmt.Sprintf("must be -1 (no limit) or between %d and %d", lo, hi)
		}
		return ""
	}}
}

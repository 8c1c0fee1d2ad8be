package pipeline

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kinesin/kinesin/triggers/filter"
)

// Mapping is one entry of the event_source_mappings section: a stream
// read by a function, as Lambda's EventSourceMappingConfiguration has it.
type Mapping struct {
	// Function is the function's name, with ":QUALIFIER" when one is given.
	Function string
	// Stream is the name of the stream read; "" when SourceARN or
	// VideoStream is given instead. Apply looks up its ARN.
	Stream    string
	SourceARN string
	// VideoStream is the name of a Kinesis Video stream read instead.
	VideoStream string
	// StartingPosition is TrimHorizon, Latest or AtTimestamp;
	// StartingTimestamp is set only with AtTimestamp.
	StartingPosition  string
	StartingTimestamp time.Time
	BatchSize         int
	// Durations are in seconds, as the Lambda API has them; -1 means no
	// limit for MaximumRetryAttempts and MaximumRecordAgeSeconds.
	BatchingWindowSeconds   int
	ParallelizationFactor   int
	MaximumRetryAttempts    int
	MaximumRecordAgeSeconds int
	TumblingWindowSeconds   int
	BisectOnError           bool
	ReportBatchItemFailures bool
	// Filters are the FilterCriteria patterns; never nil, empty means no
	// filtering.
	Filters []string
	// OnFailure is a stream name or an ARN; "" means none.
	OnFailure string
	Enabled   bool
	// Line is where the entry starts in the file.
	Line int
}

// Source is what the mapping reads, for messages: the stream name, or the
// ARN when the file gives one.
func (m *Mapping) Source() string {
	switch {
	case m.Stream != "":
		return m.Stream
	case m.VideoStream != "":
		return m.VideoStream
	}
	return m.SourceARN
}

// Name identifies the mapping in apply's messages: "SOURCE → FUNCTION".
func (m *Mapping) Name() string { return m.Source() + " → " + m.Function }

func buildMapping(f *File, e *entry) {
	m := Mapping{
		Function:                e.str("function"),
		Stream:                  e.str("stream"),
		SourceARN:               e.str("source_arn"),
		VideoStream:             e.str("video_stream"),
		StartingPosition:        e.str("starting_position"),
		BatchSize:               e.int("batch_size"),
		BatchingWindowSeconds:   e.int("batching_window_seconds"),
		ParallelizationFactor:   e.int("parallelization_factor"),
		MaximumRetryAttempts:    e.int("maximum_retry_attempts"),
		MaximumRecordAgeSeconds: e.int("maximum_record_age_seconds"),
		TumblingWindowSeconds:   e.int("tumbling_window_seconds"),
		BisectOnError:           e.bool("bisect_on_error"),
		ReportBatchItemFailures: e.bool("report_batch_item_failures"),
		Filters:                 e.strList("filters"),
		OnFailure:               e.str("on_failure"),
		Enabled:                 e.bool("enabled"),
		Line:                    e.node.Line,
	}
	switch {
	case e.given("stream") && e.given("source_arn"):
		e.errorf("source_arn", "not allowed with stream (give one of them)")
	case e.given("video_stream") && (e.given("stream") || e.given("source_arn")):
		e.errorf("video_stream", "not allowed with stream or source_arn (give one of them)")
	case !e.given("stream") && !e.given("source_arn") && !e.given("video_stream"):
		e.p.add(e.node.Line, e.path+".stream", "required field is missing (or give source_arn or video_stream)")
	}
	video := e.given("video_stream") || videoStreamARN.MatchString(m.SourceARN)
	sourceFilters(e, video)
	if video {
		videoSourceChecks(e)
		if !e.given("batch_size") {
			m.BatchSize = videoBatchSize
		}
	}
	if ts := e.str("starting_timestamp"); ts != "" {
		m.StartingTimestamp, _ = parseTimestamp(ts)
	}
	switch {
	case m.StartingPosition == AtTimestamp && !e.given("starting_timestamp"):
		e.errorf("starting_position", "%s needs starting_timestamp", AtTimestamp)
	case m.StartingPosition != AtTimestamp && e.given("starting_timestamp") && e.given("starting_position"):
		e.errorf("starting_timestamp", "only allowed with starting_position: %s, not %s", AtTimestamp, m.StartingPosition)
	case m.StartingPosition != AtTimestamp && e.given("starting_timestamp"):
		e.errorf("starting_timestamp", "only allowed with starting_position: %s", AtTimestamp)
	}
	f.Mappings = append(f.Mappings, m)
}

// uniqueMappings reports a second entry with the same function and source:
// Lambda keeps at most one mapping of a function per stream.
func uniqueMappings(_ *File, es []*entry) {
	type key struct{ function, source string }
	first := map[key]*entry{}
	for _, e := range es {
		k := key{e.str("function"), e.str("stream") + e.str("source_arn")}
		if v := e.str("video_stream"); v != "" {
			k.source = "video stream " + v // not the same as a data stream of that name
		}
		if k.function == "" || k.source == "" {
			continue
		}
		if prev, dup := first[k]; dup {
			e.errorf("function", "duplicate mapping of %s to %s (also %s at line %d)", k.source, k.function, prev.path, prev.node.Line)
			continue
		}
		first[k] = e
	}
}

var functionName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}(:(\$LATEST|[a-zA-Z0-9_-]{1,128}))?$`)

// functionRef accepts NAME or NAME:QUALIFIER (a version or an alias).
func functionRef() Check {
	return Check{Doc: "matches `[a-zA-Z0-9_-]{1,64}`, optionally with `:VERSION` or `:ALIAS`", fn: func(v any) string {
		if !functionName.MatchString(v.(string)) {
			return fmt.Sprintf("must be a function name ([a-zA-Z0-9_-]{1,64}), optionally followed by :VERSION or :ALIAS, got %q", v)
		}
		return ""
	}}
}

var (
	streamARN   = regexp.MustCompile(`^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/[a-zA-Z0-9_.-]{1,128}$`)
	consumerARN = regexp.MustCompile(`^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/[a-zA-Z0-9_.-]{1,128}/consumer/[a-zA-Z0-9_.-]{1,128}:[0-9]+$`)
)

// kinesisARN accepts a stream ARN, and with consumers a stream consumer
// ARN too.
func kinesisARN(consumers bool) Check {
	doc := "a Kinesis stream ARN"
	if consumers {
		doc = "a Kinesis stream or stream consumer ARN"
	}
	return Check{Doc: doc, fn: func(v any) string {
		s := v.(string)
		if streamARN.MatchString(s) || (consumers && consumerARN.MatchString(s)) {
			return ""
		}
		return "must be " + doc + " such as arn:aws:kinesis:us-east-1:000000000000:stream/orders, got " + fmt.Sprintf("%q", s)
	}}
}

// sourceARN accepts what a mapping's source_arn may name: a Kinesis
// stream, a stream consumer or a Kinesis Video stream.
func sourceARN() Check {
	kinesis := kinesisARN(true)
	return Check{Doc: kinesis.Doc + ", or a Kinesis Video stream ARN", fn: func(v any) string {
		if videoStreamARN.MatchString(v.(string)) {
			return ""
		}
		if msg := kinesis.fn(v); msg != "" {
			return msg + " (or a Kinesis Video stream ARN arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MILLIS)"
		}
		return ""
	}}
}

var streamName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)

// streamOrARN accepts a stream name or a stream ARN.
func streamOrARN() Check {
	return Check{Doc: "a stream name or a Kinesis stream ARN", fn: func(v any) string {
		s := v.(string)
		if streamName.MatchString(s) || streamARN.MatchString(s) {
			return ""
		}
		return fmt.Sprintf("must be a stream name ([a-zA-Z0-9_.-]{1,128}) or a Kinesis stream ARN, got %q", s)
	}}
}

func timestamp() Check {
	return Check{Doc: "RFC 3339 time or date", fn: func(v any) string {
		if _, err := parseTimestamp(v.(string)); err != nil {
			return err.Error()
		}
		return ""
	}}
}

// parseTimestamp reads an RFC 3339 time (YAML's timestamp with a T or a
// space) or a date, which is midnight UTC.
func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("must be an RFC 3339 time such as 2025-01-31T08:00:00Z or a date such as 2025-01-31, got %q", s)
}

var filterChecks = []Check{lengthBetween(1, filter.MaxPatternLength), filterPattern()}

// filterPattern compiles one pattern with the compilers the mapping's
// runner uses, so that a file is refused for the patterns the API refuses.
// A field check does not know the entry's source, so here a pattern passes
// if a Kinesis stream's compiler (patterns name data) or a video stream's
// (patterns name the fragment event record's keys) takes it;
// sourceFilters then holds it to its own source's.
func filterPattern() Check {
	return Check{Doc: "a valid pattern (JSON, or `cel:` and a CEL expression)", fn: func(v any) string {
		if n := utf8.RuneCountInString(v.(string)); n == 0 || n > filter.MaxPatternLength {
			return "" // reported by the length check
		}
		_, err := filter.Compile([]string{v.(string)})
		if err == nil {
			return ""
		}
		if _, rerr := filter.CompileRecord([]string{v.(string)}); rerr == nil {
			return ""
		}
		return "invalid filter pattern: " + filterMessage(err)
	}}
}

// sourceFilters checks each filter the field check let through with the
// compiler of the entry's source.
func sourceFilters(e *entry, video bool) {
	kv, ok := e.written["filters"]
	if !ok {
		return
	}
	// The written items, even when the list as a whole is refused (too
	// long): each pattern's own problem is worth reporting too.
	for i, item := range deref(kv.val).Content {
		f := deref(item).Value
		if n := utf8.RuneCountInString(f); n == 0 || n > filter.MaxPatternLength {
			continue
		}
		_, kerr := filter.Compile([]string{f})
		_, rerr := filter.CompileRecord([]string{f})
		err, kind := kerr, "Kinesis stream"
		if video {
			err, kind = rerr, "video stream"
		}
		if err == nil || (kerr != nil && rerr != nil) {
			continue // valid, or already reported
		}
		e.p.add(item.Line, fmt.Sprintf("%s.filters[%d]", e.path, i), "invalid filter pattern for a %s source: %s", kind, filterMessage(err))
	}
}

// filterMessage is one line saying what is wrong with a pattern.
func filterMessage(err error) string {
	msg := err.Error()
	if fe := (*filter.Error)(nil); errors.As(err, &fe) {
		msg = cmp.Or(fe.Reason, strings.TrimSuffix(fe.Message, "."))
	}
	// CEL's messages point at the mistake on extra lines; a problem
	// is one line here.
	msg, _, _ = strings.Cut(msg, "\n")
	return msg
}

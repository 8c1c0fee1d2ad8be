package keys

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2018, time.August, 27, 10, 30, 5, 123456789, time.UTC)

func fixedRandom(vals ...string) func() string {
	i := 0
	return func() string { s := vals[i%len(vals)]; i++; return s }
}

func TestRender(t *testing.T) {
	tests := []struct {
		name, prefix string
		errorOutput  bool
		at           time.Time
		vars         Vars
		want         string
	}{
		{"default", "", false, t0, Vars{}, "2018/08/27/10/"},
		{"literal gets default appended", "myFirehosePrefix/", false, t0, Vars{}, "myFirehosePrefix/2018/08/27/10/"},
		{"literal without slash", "logs", false, t0, Vars{}, "logs2018/08/27/10/"},
		{"aws example hive style", "myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/", false,
			time.Date(2018, 7, 6, 23, 0, 0, 0, time.UTC), Vars{}, "myPrefix/year=2018/month=07/day=06/hour=23/"},
		{"aws example quoted", "myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}", true,
			time.Date(2018, 7, 6, 23, 0, 0, 0, time.UTC), Vars{ErrorOutputType: ProcessingFailed},
			"myErrorPrefix/year=2018/month=07/day=06/hour=23/processing-failed"},
		{"aws example random", "myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}", false, t0,
			Vars{RandomString: fixedRandom("5abf82daaa5")}, "myFirehose/DeliveredYear=2018/anyMonth/rand=5abf82daaa5"},
		{"random is fresh per use", "!{firehose:random-string}/!{firehose:random-string}/!{timestamp:yyyy}", false, t0,
			Vars{RandomString: fixedRandom("a", "b")}, "a/b/2018"},
		{"error output no timestamp appended", "myFirehoseFailures/!{firehose:error-output-type}/", true, t0,
			Vars{ErrorOutputType: FormatConversionFailed}, "myFirehoseFailures/format-conversion-failed/"},
		{"default error output", DefaultErrorOutputPrefix("myFirehosePrefix/"), true, t0,
			Vars{ErrorOutputType: ProcessingFailed}, "myFirehosePrefix/processing-failed/2018/08/27/10/"},
		{"partition keys", "customer_id=!{partitionKeyFromQuery:customer_id}/device=!{partitionKeyFromLambda:device}/!{timestamp:yyyy}/", false, t0,
			Vars{PartitionKeys: map[string]string{"customer_id": "42", "device": "x"}}, "customer_id=42/device=x/2018/"},
		{"short fields", "!{timestamp:yy-M-d-H-m-s}", false, time.Date(2009, 3, 4, 5, 6, 7, 0, time.UTC), Vars{}, "09-3-4-5-6-7"},
		{"fraction and day of year", "!{timestamp:yyyy-DDD HH:mm:ss.SSS}", false, t0, Vars{}, "2018-239 10:30:05.123"},
		{"texts", "!{timestamp:EEE EEEE MMM MMMM a hh G}", false, t0, Vars{}, "Mon Monday Aug August AM 10 AD"},
		{"escaped quote", "!{timestamp:''yyyy'''s'}", false, t0, Vars{}, "'2018's"},
		{"clock hours", "!{timestamp:h k K}", false, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Vars{}, "12 24 0"},
		{"custom zone", "!{timestamp:yyyy/MM/dd/HH}", false, t0.In(time.FixedZone("JST", 9*3600)), Vars{}, "2018/08/27/19"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := Parse
			if tt.errorOutput {
				parse = ParseErrorOutput
			}
			p, err := parse(tt.prefix)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Render(tt.at, tt.vars)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Render(%q) = %q, want %q", tt.prefix, got, tt.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name, prefix string
		vars         Vars
		want         error
	}{
		{"missing error type", "x/!{firehose:error-output-type}/", Vars{}, ErrMissingVar},
		{"missing key", "!{partitionKeyFromQuery:a}/", Vars{PartitionKeys: map[string]string{"b": "1"}}, ErrMissingVar},
		{"too long", strings.Repeat("a", 600), Vars{}, ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseErrorOutput(tt.prefix)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Render(t0, tt.vars); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{
		"!{timestamp:yyyy",           // unterminated
		"!{timestamp:yyyy!{x:y}}",    // nested
		"!{foo:bar}",                 // namespace
		"!{firehose:uuid}",           // firehose value
		"!{timestamp}",               // no colon
		"!{timestamp:}",              // empty pattern
		"!{timestamp:YYYY}",          // week-based year unsupported
		"!{timestamp:ww}",            // unsupported letter
		"!{timestamp:ddd}",           // too many letters
		"!{timestamp:'abc}",          // unterminated quote
		"!{timestamp:yyyy[MM]}",      // optional section
		"!{partitionKeyFromQuery:}",  // empty key
		"!{partitionKeyFromLambda:}", // empty key
	} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded, want error", s)
		}
	}
}

func TestRandomString(t *testing.T) {
	a, b := RandomString(), RandomString()
	if len(a) != RandomStringLen || a == b {
		t.Errorf("RandomString() = %q, %q", a, b)
	}
	u := RandomUUID()
	if len(u) != 36 || u[14] != '4' || strings.Count(u, "-") != 4 {
		t.Errorf("RandomUUID() = %q", u)
	}
	p, _ := Parse("!{firehose:random-string}/")
	s, err := p.Render(t0, Vars{})
	if err != nil || len(s) != RandomStringLen+len("/2018/08/27/10/") {
		t.Errorf("Render = %q, %v", s, err)
	}
}

func TestObjectName(t *testing.T) {
	tests := []struct {
		stream  string
		version int
		at      time.Time
		random  string
		ext     string
		want    string
	}{
		{"my-stream", 1, t0, "0a1b2c3d-0000-4000-8000-000000000000", ".gz",
			"my-stream-1-2018-08-27-10-30-05-0a1b2c3d-0000-4000-8000-000000000000.gz"},
		{"s", 12, time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC), "r", "", "s-12-2021-01-02-03-04-05-r"},
	}
	for _, tt := range tests {
		if got := ObjectName(tt.stream, tt.version, tt.at, tt.random, tt.ext); got != tt.want {
			t.Errorf("ObjectName = %q, want %q", got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	const eot = "!{firehose:error-output-type}"
	tests := []struct {
		name, prefix, errPrefix string
		dp                      bool
		wantSub                 string // "" means valid
	}{
		{"empty", "", "", false, ""},
		{"literal only", "logs/", "", false, ""},
		{"error prefix only", "", "myFirehoseFailures/" + eot + "/", false, ""},
		{"literal error prefix", "logs/", "errors/", false, ""},
		{"expressions need error prefix", "!{timestamp:yyyy/MM/dd}", "", false, "ErrorOutputPrefix cannot be null"},
		{"full", "a/!{timestamp:yyyy}/", "e/" + eot + "/!{timestamp:yyyy}/", false, ""},
		{"error type in prefix", "a/" + eot + "/", "e/" + eot, false, "only allowed in ErrorOutputPrefix"},
		{"error prefix without type", "a/!{timestamp:yyyy}/", "e/!{timestamp:yyyy}/", false, "at least one instance"},
		{"nested", "a/!{timestamp:!{timestamp:yyyy}}/", "e/" + eot, false, "nested"},
		{"bad namespace", "a/!{foo:bar}/", "e/" + eot, false, "unknown namespace"},
		{"bad error prefix", "", "e/!{firehose:nope}", false, "ErrorOutputPrefix is invalid"},
		{"keys need dp", "a/!{partitionKeyFromQuery:k}/", "e/" + eot, false, "not enabled"},
		{"dp with keys", "a/!{partitionKeyFromQuery:k}/!{partitionKeyFromLambda:l}/", "e/" + eot, true, ""},
		{"dp needs keys", "a/!{timestamp:yyyy}/", "e/" + eot, true, "at least one partitionKey"},
		{"keys in error prefix", "a/!{partitionKeyFromQuery:k}/", "e/" + eot + "/!{partitionKeyFromQuery:k}", true, "not allowed in ErrorOutputPrefix"},
		{"prefix too long", strings.Repeat("a", 1025), "", false, "less than or equal to 1024"},
		{"error prefix too long", "", strings.Repeat("a", 1025), false, "less than or equal to 1024"},
		{"max length ok", strings.Repeat("a", 1024), "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.prefix, tt.errPrefix, tt.dp)
			if tt.wantSub == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalidArgument {
				t.Fatalf("Validate = %v, want *Error InvalidArgumentException", err)
			}
			if !strings.Contains(e.Message, tt.wantSub) && !strings.Contains(e.Message, strings.ReplaceAll(tt.wantSub, "partitionKey", "partitionKeyFromQuery")) {
				t.Errorf("message %q does not contain %q", e.Message, tt.wantSub)
			}
		})
	}
}

func FuzzParseRender(f *testing.F) {
	for _, s := range []string{
		"", "logs/", "!{timestamp:yyyy/MM/dd/HH/}", "!{timestamp:'year='yyyy}", "!{firehose:random-string}",
		"e/!{firehose:error-output-type}/", "!{partitionKeyFromQuery:k}", "!{timestamp:''}", "!{", "!{a:b}}", "!{timestamp:SSSSSSSSS}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		_ = Validate(s, s, false)
		if err != nil {
			return
		}
		_, _ = p.Render(t0, Vars{ErrorOutputType: ProcessingFailed, PartitionKeys: map[string]string{}})
	})
}

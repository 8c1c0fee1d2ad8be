package mappings

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/awsproto"
)

func TestParseKinesisARN(t *testing.T) {
	for _, c := range []struct {
		in   string
		want kinesisARN
		ok   bool
	}{
		{"arn:aws:kinesis:us-east-1:123456789012:stream/s1", kinesisARN{Region: "us-east-1", Account: "123456789012", Stream: "s1"}, true},
		{"arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a.b_c-d", kinesisARN{Region: "cn-north-1", Account: "123456789012", Stream: "a.b_c-d"}, true},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/s1/consumer/c1:1700000000",
			kinesisARN{Region: "us-east-1", Account: "123456789012", Stream: "s1", Consumer: "c1", Created: 1700000000}, true},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/", kinesisARN{}, false},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/s1/consumer/c1", kinesisARN{}, false},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/s1/consumer/c1:-1", kinesisARN{}, false},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/s1/consumer/c1:01", kinesisARN{}, false},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/s1/consumer/:1", kinesisARN{}, false},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/s 1", kinesisARN{}, false},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/" + strings.Repeat("x", 129), kinesisARN{}, false},
		{"arn:aws:kinesis:us-east-1:123456789012:table/s1", kinesisARN{}, false},
		{"arn:aws:sqs:us-east-1:123456789012:q", kinesisARN{}, false},
		{"arn:gcp:kinesis:us-east-1:123456789012:stream/s1", kinesisARN{}, false},
		{"kinesis:stream/s1", kinesisARN{}, false},
		{"", kinesisARN{}, false},
	} {
		got, ok := parseKinesisARN(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("parseKinesisARN(%q) = %+v, %v; want %+v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestArnService(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:kinesis:us-east-1:123456789012:stream/s": "kinesis",
		"arn:aws:sqs:us-east-1:123456789012:q":            "sqs",
		"arn:aws:dynamodb:us-east-1:1:table/t/stream/x":   "dynamodb",
		"arn:aws:kafka":      "",
		"nope:aws:kinesis:x": "",
	} {
		if got := arnService(in); got != want {
			t.Errorf("arnService(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPatterns(t *testing.T) {
	for _, c := range []struct {
		re       string
		in       string
		matchARN bool
		matchDst bool
	}{
		{"", "arn:aws:kinesis:us-east-1:123456789012:stream/s", true, true},
		{"", "arn:aws:sqs:us-east-1:123456789012:q", true, true},
		{"", "arn:aws:s3:::bucket", true, true},
		{"", "", false, true},
		{"", "kafka://topic", false, true},
		{"", "arn:aws:_-/!lambda:us-east-1:123456789012:function:f", false, false},
		{"", "not-an-arn", false, false},
	} {
		if got := arnRe.MatchString(c.in); got != c.matchARN {
			t.Errorf("arnRe(%q) = %v", c.in, got)
		}
		if got := destinationRe.MatchString(c.in); got != c.matchDst {
			t.Errorf("destinationRe(%q) = %v", c.in, got)
		}
	}
}

func i64(n int64) *int64 { return &n }

// TestSettingsCheck covers every bound of the model constraints.
func TestSettingsCheck(t *testing.T) {
	type tc struct {
		name string
		in   settings
		want string // "" for no violation
	}
	cases := []tc{{"empty", settings{}, ""}}
	for _, b := range []struct {
		path   string
		set    func(*settings, *int64)
		lo, hi int64
	}{
		{"batchSize", func(s *settings, n *int64) { s.BatchSize = n }, 1, 10000},
		{"maximumBatchingWindowInSeconds", func(s *settings, n *int64) { s.MaximumBatchingWindowInSeconds = n }, 0, 300},
		{"parallelizationFactor", func(s *settings, n *int64) { s.ParallelizationFactor = n }, 1, 10},
		{"maximumRecordAgeInSeconds", func(s *settings, n *int64) { s.MaximumRecordAgeInSeconds = n }, -1, 604800},
		{"maximumRetryAttempts", func(s *settings, n *int64) { s.MaximumRetryAttempts = n }, -1, 10000},
		{"tumblingWindowInSeconds", func(s *settings, n *int64) { s.TumblingWindowInSeconds = n }, 0, 900},
	} {
		for _, n := range []int64{b.lo, b.hi} {
			var s settings
			b.set(&s, i64(n))
			cases = append(cases, tc{b.path + "=" + strconv.FormatInt(n, 10), s, ""})
		}
		var lo, hi settings
		b.set(&lo, i64(b.lo-1))
		b.set(&hi, i64(b.hi+1))
		cases = append(cases,
			tc{b.path + " below", lo, "Value '" + strconv.FormatInt(b.lo-1, 10) + "' at '" + b.path + "' failed to satisfy constraint: " + awserr.MinVal(b.lo)},
			tc{b.path + " above", hi, "Value '" + strconv.FormatInt(b.hi+1, 10) + "' at '" + b.path + "' failed to satisfy constraint: " + awserr.MaxVal(b.hi)})
	}
	cases = append(cases,
		tc{"response types ok", settings{FunctionResponseTypes: []string{"ReportBatchItemFailures"}}, ""},
		tc{"response types bad", settings{FunctionResponseTypes: []string{"Nope"}},
			"Value '[Nope]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]"},
		tc{"response types two", settings{FunctionResponseTypes: []string{"ReportBatchItemFailures", "ReportBatchItemFailures"}},
			"Value '[ReportBatchItemFailures, ReportBatchItemFailures]' at 'functionResponseTypes' failed to satisfy constraint: Member must have length less than or equal to 1"},
		tc{"destination bad", settings{DestinationConfig: &DestinationConfig{OnFailure: &Destination{Destination: "nope"}}},
			"Value 'nope' at 'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: " + destinationPattern},
		tc{"destination long", settings{DestinationConfig: &DestinationConfig{OnFailure: &Destination{Destination: "arn:aws:kinesis:us-east-1:123456789012:stream/" + strings.Repeat("s", 320)}}},
			"at 'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must have length less than or equal to 350"},
		tc{"function name long", settings{FunctionName: new(strings.Repeat("f", 257))}, "at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 256"},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v awserr.Violations
			c.in.check(&v)
			err := v.Err()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Message, c.want)):
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestCreateCheck(t *testing.T) {
	var v awserr.Violations
	(&createInput{StartingPosition: new("invalid"), EventSourceArn: new("bad")}).check(&v)
	want := "3 validation errors detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null; " +
		"Value 'bad' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " + arnPattern + "; " +
		"Value 'invalid' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"
	if err := v.Err(); err == nil || err.Message != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

func TestCheckStart(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	ts := func(d time.Duration) *awsproto.Timestamp { x := awsproto.Timestamp(now.Add(d)); return &x }
	for _, c := range []struct {
		pos  *string
		ts   *awsproto.Timestamp
		want string
	}{
		{nil, nil, "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null."},
		{new(""), nil, "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null."},
		{new(TrimHorizon), nil, ""},
		{new(Latest), nil, ""},
		{new(AtTimestamp), ts(-time.Hour), ""},
		{new(AtTimestamp), ts(0), ""},
		{new(AtTimestamp), nil, "Need to specify a timestamp"},
		{new(AtTimestamp), ts(time.Minute), "StartingPositionTimestamp cannot be in the future."},
		{new(Latest), ts(-time.Hour), "StartingPositionTimestamp is only allowed with StartingPosition AT_TIMESTAMP."},
	} {
		err := checkStart(c.pos, c.ts, now)
		got := ""
		if err != nil {
			e := awserr.As(err)
			if e.Code != "InvalidParameterValueException" {
				t.Errorf("code %s", e.Code)
			}
			got = e.Message
		}
		if got != c.want {
			t.Errorf("checkStart(%v, %v) = %q, want %q", c.pos, c.ts, got, c.want)
		}
	}
}

func TestCheckRecordAge(t *testing.T) {
	for n, ok := range map[int64]bool{-1: true, 0: false, 59: false, 60: true, 604800: true} {
		if err := checkRecordAge(&n); (err == nil) != ok {
			t.Errorf("%d: %v", n, err)
		}
	}
	if checkRecordAge(nil) != nil {
		t.Error("nil refused")
	}
}

func TestCheckFilters(t *testing.T) {
	f := func(p ...string) *FilterCriteria {
		fc := &FilterCriteria{}
		for _, s := range p {
			fc.Filters = append(fc.Filters, Filter{Pattern: s})
		}
		return fc
	}
	for _, c := range []struct {
		name string
		fc   *FilterCriteria
		code string
		msg  string
	}{
		{"none", nil, "", ""},
		{"empty", f(), "", ""},
		{"ok", f(`{"data":{"k":["v"]}}`, `cel:data.k == "v"`), "", ""},
		{"empty pattern", f(""), "InvalidParameterValueException", "Invalid filter pattern definition."},
		{"not object", f("[]"), "InvalidParameterValueException", "Invalid filter pattern definition."},
		{"six", f("{}", "{}", "{}", "{}", "{}", "{}"), "InvalidParameterValueException", "The number of filters (6) exceeds the maximum allowed number of filters (5)."},
		{"long", f(`{"data":{"k":["` + strings.Repeat("v", 4096) + `"]}}`), "ValidationException",
			"1 validation error detected: Value at 'filterCriteria.filters.1.member.pattern' failed to satisfy constraint: Member must have length less than or equal to 4096"},
	} {
		err := checkFilters(c.fc, false)
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		e := awserr.As(err)
		if e.Code != c.code || e.Message != c.msg {
			t.Errorf("%s: got %s %q, want %s %q", c.name, e.Code, e.Message, c.code, c.msg)
		}
	}
}

func TestDecodeBody(t *testing.T) {
	var in createInput
	if err := decodeBody(nil, &in); err != nil {
		t.Fatal(err)
	}
	err := decodeBody([]byte(`{"BatchSize":"x"}`), &in)
	if e := awserr.As(err); e.Code != "InvalidParameterValueException" || !strings.HasPrefix(e.Message, "Could not parse request body into json: Cannot deserialize value of type int64 for field BatchSize") {
		t.Fatalf("got %v", err)
	}
	if err := decodeBody([]byte(`{`), &in); awserr.As(err).Code != "InvalidParameterValueException" {
		t.Fatalf("got %v", err)
	}
	if err := decodeBody([]byte(`{"StartingPositionTimestamp":1700000000.5,"FunctionResponseTypes":[]}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.StartingPositionTimestamp.Time().UnixMilli() != 1700000000500 || in.FunctionResponseTypes == nil {
		t.Fatalf("decoded %+v", in)
	}
}

// FuzzParseKinesisARN checks that what parses prints back to itself.
func FuzzParseKinesisARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:kinesis:us-east-1:123456789012:stream/s1",
		"arn:aws:kinesis:us-east-1:123456789012:stream/s1/consumer/c:1700000000",
		"arn:aws:kinesis:::stream/x/consumer/y:0",
		"arn:aws:sqs:us-east-1:123456789012:q",
		"arn:aws:kinesis:us-east-1:123456789012:stream/s1/consumer/c:99999999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseKinesisARN(s)
		if !ok {
			return
		}
		i := strings.Index(s, ":stream/")
		back := s[:i] + ":stream/" + a.Stream
		if a.Consumer != "" {
			back += "/consumer/" + a.Consumer + ":" + strconv.FormatInt(a.Created, 10)
		}
		if back != s || !strings.HasSuffix(s[:i], ":"+a.Region+":"+a.Account) {
			t.Fatalf("%q parsed as %+v", s, a)
		}
	})
}

// FuzzCreateBody runs request bodies through decoding and every check that
// needs no server: none may panic, and what they accept must be in range.
func FuzzCreateBody(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"FunctionName":"f","EventSourceArn":"arn:aws:kinesis:us-east-1:123456789012:stream/s","StartingPosition":"LATEST"}`,
		`{"BatchSize":0,"ParallelizationFactor":11,"MaximumRecordAgeInSeconds":30,"TumblingWindowInSeconds":901}`,
		`{"StartingPosition":"AT_TIMESTAMP","StartingPositionTimestamp":"2020-01-01T00:00:00Z"}`,
		`{"FilterCriteria":{"Filters":[{"Pattern":"{\"data\":{\"a\":[1]}}"},{"Pattern":"cel:true"}]}}`,
		`{"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:kinesis:us-east-1:123456789012:stream/d"},"OnSuccess":{}}}`,
		`{"FunctionResponseTypes":["ReportBatchItemFailures","x"],"BatchSize":1e30}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in createInput
		if decodeBody(body, &in) != nil {
			return
		}
		var v awserr.Violations
		in.check(&v)
		_ = checkOnSuccess(in.DestinationConfig)
		_ = checkStart(in.StartingPosition, in.StartingPositionTimestamp, time.Now())
		_ = checkRecordAge(in.MaximumRecordAgeInSeconds)
		_ = checkFilters(in.FilterCriteria, false)
		if in.EventSourceArn != nil {
			parseKinesisARN(*in.EventSourceArn)
		}
		if v.Len() > 0 {
			return
		}
		m := &Mapping{}
		in.apply(m)
		if in.BatchSize != nil && (m.BatchSize < 1 || m.BatchSize > 10000) {
			t.Fatalf("accepted BatchSize %d", m.BatchSize)
		}
		if m.DestinationConfig == nil || m.DestinationConfig.OnFailure == nil || m.FunctionResponseTypes == nil {
			t.Fatalf("apply left response members nil: %+v", m)
		}
	})
}

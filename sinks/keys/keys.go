package keys

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Namespaces of !{namespace:value} expressions.
const (
	NSTimestamp              = "timestamp"
	NSFirehose               = "firehose"
	NSPartitionKeyFromQuery  = "partitionKeyFromQuery"
	NSPartitionKeyFromLambda = "partitionKeyFromLambda"
)

// Values of the firehose namespace.
const (
	ValueErrorOutputType = "error-output-type"
	ValueRandomString    = "random-string"
)

// Values !{firehose:error-output-type} evaluates to, by failure reason.
// ElasticsearchFailed is the older name of the OpenSearch value.
const (
	ProcessingFailed              = "processing-failed"
	AmazonOpenSearchServiceFailed = "AmazonOpenSearchService-failed"
	ElasticsearchFailed           = "elasticsearch-failed"
	SplunkFailed                  = "splunk-failed"
	FormatConversionFailed        = "format-conversion-failed"
	HTTPEndpointFailed            = "http-endpoint-failed"
)

// DefaultTimestampPattern is what Firehose appends to a Prefix that has no
// timestamp expression, and the whole prefix when none is configured.
const DefaultTimestampPattern = "yyyy/MM/dd/HH/"

// RandomStringLen is the length of !{firehose:random-string}.
const RandomStringLen = 11

// MaxPrefixLen bounds Prefix and ErrorOutputPrefix in the API and the
// evaluated prefixes.
const (
	MaxPrefixLen          = 1024 // API length constraint of Prefix / ErrorOutputPrefix
	MaxEvaluatedPrefixLen = 512  // "Neither Prefix nor ErrorOutputPrefix can be greater than 512 characters after they're evaluated"
)

var (
	// ErrMissingVar is wrapped by Render when Vars lacks a value the prefix needs.
	ErrMissingVar = errors.New("keys: missing variable")
	// ErrTooLong is wrapped by Render when the evaluated prefix exceeds MaxEvaluatedPrefixLen.
	ErrTooLong = errors.New("keys: evaluated prefix too long")
)

// Vars are the per-object values a Prefix may refer to.
type Vars struct {
	// RandomString returns a fresh value per !{firehose:random-string};
	// nil uses RandomString.
	RandomString func() string
	// ErrorOutputType is the value of !{firehose:error-output-type}.
	ErrorOutputType string
	// PartitionKeys holds the dynamic partitioning keys of the object, for
	// both partitionKeyFromQuery and partitionKeyFromLambda.
	PartitionKeys map[string]string
}

type partKind uint8

const (
	partLiteral partKind = iota
	partTimestamp
	partRandom
	partErrorType
	partKeyQuery
	partKeyLambda
)

type part struct {
	kind partKind
	text string // literal text or key name
	tf   timeFormat
}

// Prefix is a compiled Prefix or ErrorOutputPrefix template.
type Prefix struct {
	src   string
	parts []part
}

// String returns the template as configured.
func (p *Prefix) String() string { return p.src }

// HasExpressions reports whether the configured template has any !{…}.
func (p *Prefix) HasExpressions() bool {
	for _, pt := range p.parts {
		if pt.kind != partLiteral {
			return true
		}
	}
	return false
}

func (p *Prefix) has(k partKind) bool {
	for _, pt := range p.parts {
		if pt.kind == k {
			return true
		}
	}
	return false
}

// UsesErrorOutputType reports whether the template has !{firehose:error-output-type}.
func (p *Prefix) UsesErrorOutputType() bool { return p.has(partErrorType) }

// UsesPartitionKeys reports whether the template has a partitionKeyFrom… expression.
func (p *Prefix) UsesPartitionKeys() bool { return p.has(partKeyQuery) || p.has(partKeyLambda) }

// Parse compiles a Prefix (the successful-records prefix). As Firehose
// does, a prefix without a timestamp expression gets
// !{timestamp:yyyy/MM/dd/HH/} appended, so "" renders as YYYY/MM/dd/HH/.
func Parse(prefix string) (*Prefix, error) {
	p, err := compile(prefix)
	if err != nil {
		return nil, err
	}
	if !p.has(partTimestamp) {
		tf, _ := compileTimeFormat(DefaultTimestampPattern)
		p.parts = append(p.parts, part{kind: partTimestamp, tf: tf})
	}
	return p, nil
}

// ParseErrorOutput compiles an ErrorOutputPrefix. Nothing is appended.
// For an empty ErrorOutputPrefix use DefaultErrorOutputPrefix first.
func ParseErrorOutput(errorOutputPrefix string) (*Prefix, error) {
	return compile(errorOutputPrefix)
}

// DefaultErrorOutputPrefix is the ErrorOutputPrefix Firehose uses when
// none is configured (allowed only when prefix has no expressions):
// <prefix><error-output-type>/YYYY/MM/dd/HH/.
func DefaultErrorOutputPrefix(prefix string) string {
	return prefix + "!{firehose:error-output-type}/!{timestamp:" + DefaultTimestampPattern + "}"
}

func compile(s string) (*Prefix, error) {
	p := &Prefix{src: s}
	rest := s
	for {
		i := strings.Index(rest, "!{")
		if i < 0 {
			if rest != "" {
				p.parts = append(p.parts, part{kind: partLiteral, text: rest})
			}
			return p, nil
		}
		if i > 0 {
			p.parts = append(p.parts, part{kind: partLiteral, text: rest[:i]})
		}
		rest = rest[i+2:]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return nil, fmt.Errorf("keys: %q: unterminated expression", s)
		}
		expr := rest[:end]
		rest = rest[end+1:]
		if strings.Contains(expr, "!{") {
			return nil, fmt.Errorf("keys: %q: nested expressions are not supported", s)
		}
		ns, val, ok := strings.Cut(expr, ":")
		if !ok {
			return nil, fmt.Errorf("keys: %q: expression !{%s} is not of the form !{namespace:value}", s, expr)
		}
		switch ns {
		case NSTimestamp:
			tf, err := compileTimeFormat(val)
			if err != nil {
				return nil, err
			}
			if val == "" {
				return nil, fmt.Errorf("keys: %q: empty timestamp pattern", s)
			}
			p.parts = append(p.parts, part{kind: partTimestamp, tf: tf})
		case NSFirehose:
			switch val {
			case ValueRandomString:
				p.parts = append(p.parts, part{kind: partRandom})
			case ValueErrorOutputType:
				p.parts = append(p.parts, part{kind: partErrorType})
			default:
				return nil, fmt.Errorf("keys: %q: unknown firehose namespace value %q", s, val)
			}
		case NSPartitionKeyFromQuery, NSPartitionKeyFromLambda:
			if val == "" {
				return nil, fmt.Errorf("keys: %q: empty partition key name", s)
			}
			k := partKeyQuery
			if ns == NSPartitionKeyFromLambda {
				k = partKeyLambda
			}
			p.parts = append(p.parts, part{kind: k, text: val})
		default:
			return nil, fmt.Errorf("keys: %q: unknown namespace %q", s, ns)
		}
	}
}

// Render evaluates the prefix for one object. t is the approximate arrival
// time of the oldest record in the object, already in the stream's time
// zone (t.UTC() unless CustomTimeZone is set); every timestamp expression
// sees the same instant.
func (p *Prefix) Render(t time.Time, v Vars) (string, error) {
	b := make([]byte, 0, len(p.src)+32)
	for _, pt := range p.parts {
		switch pt.kind {
		case partLiteral:
			b = append(b, pt.text...)
		case partTimestamp:
			b = pt.tf.appendTo(b, t)
		case partRandom:
			if v.RandomString != nil {
				b = append(b, v.RandomString()...)
			} else {
				b = append(b, RandomString()...)
			}
		case partErrorType:
			if v.ErrorOutputType == "" {
				return "", fmt.Errorf("%w: error output type", ErrMissingVar)
			}
			b = append(b, v.ErrorOutputType...)
		case partKeyQuery, partKeyLambda:
			val, ok := v.PartitionKeys[pt.text]
			if !ok {
				return "", fmt.Errorf("%w: partition key %q", ErrMissingVar, pt.text)
			}
			b = append(b, val...)
		}
	}
	if len(b) > MaxEvaluatedPrefixLen {
		return "", fmt.Errorf("%w: %d > %d characters", ErrTooLong, len(b), MaxEvaluatedPrefixLen)
	}
	return string(b), nil
}

// RandomString returns RandomStringLen lowercase hex characters, the
// default for !{firehose:random-string}.
func RandomString() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])[:RandomStringLen]
}

// RandomUUID returns a random (version 4) UUID string, for the <uuid> part
// of ObjectName.
func RandomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// ObjectName returns the object suffix Firehose appends to the evaluated
// prefix: <stream>-<version>-YYYY-MM-dd-HH-mm-ss-<random><ext>. t is the
// same instant and zone as used for the prefix; random is normally
// RandomUUID(); ext includes its dot (see compress.Extension) or is "".
func ObjectName(stream string, version int, t time.Time, random string, ext string) string {
	return fmt.Sprintf("%s-%d-%04d-%02d-%02d-%02d-%02d-%02d-%s%s",
		stream, version, t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(), random, ext)
}

// PartitionKeyRef is one partitionKeyFrom… expression of a prefix.
type PartitionKeyRef struct {
	Name string
	// Lambda is true for partitionKeyFromLambda, false for
	// partitionKeyFromQuery.
	Lambda bool
}

// PartitionKeys lists the prefix's partition key expressions, each once,
// in order of appearance.
func (p *Prefix) PartitionKeys() []PartitionKeyRef {
	var refs []PartitionKeyRef
	for _, pt := range p.parts {
		if pt.kind != partKeyQuery && pt.kind != partKeyLambda {
			continue
		}
		r := PartitionKeyRef{Name: pt.text, Lambda: pt.kind == partKeyLambda}
		if !slices.Contains(refs, r) {
			refs = append(refs, r)
		}
	}
	return refs
}

package process

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/runtime/engine"
)

// Processor types (Firehose API Processor.Type).
const (
	TypeRecordDeAggregation     = "RecordDeAggregation"
	TypeDecompression           = "Decompression"
	TypeCloudWatchLogProcessing = "CloudWatchLogProcessing"
	TypeLambda                  = "Lambda"
	TypeMetadataExtraction      = "MetadataExtraction"
	TypeAppendDelimiterToRecord = "AppendDelimiterToRecord"
)

// Parameter names (Firehose API ProcessorParameter.ParameterName).
const (
	ParamLambdaArn               = "LambdaArn"
	ParamNumberOfRetries         = "NumberOfRetries"
	ParamMetadataExtractionQuery = "MetadataExtractionQuery"
	ParamJsonParsingEngine       = "JsonParsingEngine"
	ParamRoleArn                 = "RoleArn"
	ParamBufferSizeInMBs         = "BufferSizeInMBs"
	ParamBufferIntervalInSeconds = "BufferIntervalInSeconds"
	ParamSubRecordType           = "SubRecordType"
	ParamDelimiter               = "Delimiter"
	ParamCompressionFormat       = "CompressionFormat"
	ParamDataMessageExtraction   = "DataMessageExtraction"
)

// Defaults AWS documents for ProcessorParameter.
const (
	DefaultNumberOfRetries         = 3
	DefaultBufferSizeInMBs         = 1.0
	DefaultBufferIntervalInSeconds = 60
	// MaxSubRecords caps JSON and delimited deaggregation per record, as
	// Firehose does.
	MaxSubRecords = 500
	// DefaultRetryBackoff is kinesin's pause before the first retry of a
	// failed invocation; the n-th retry waits n times as long.
	DefaultRetryBackoff = 100 * time.Millisecond
)

// Config mirrors the Firehose API's ProcessingConfiguration.
type Config struct {
	Enabled    bool
	Processors []Processor
	// DeaggregateKPL is kinesin's, not part of the AWS shape: set it for
	// a delivery stream whose source is a Kinesis data stream. Firehose
	// de-aggregates KPL aggregated records read from a stream before
	// anything else, whether or not processing is enabled. The
	// RecordDeAggregation processor de-aggregates KPL records too.
	DeaggregateKPL bool
}

// Processor mirrors the Firehose API's Processor.
type Processor struct {
	Type       string
	Parameters []Parameter
}

// Parameter mirrors the Firehose API's ProcessorParameter.
type Parameter struct {
	ParameterName  string
	ParameterValue string
}

// Invoker runs a batch through a function; functions.Service implements
// it. Records carry RecordID, so engines build a KinesisFirehoseEvent and
// answer one RecordResult per record, in order.
type Invoker interface {
	InvokeBatch(ctx context.Context, name, qualifier string, b engine.Batch) (engine.BatchResult, string, error)
}

// allowed lists the parameters each processor type takes.
var allowed = map[string][]string{
	TypeRecordDeAggregation:     {ParamSubRecordType, ParamDelimiter},
	TypeDecompression:           {ParamCompressionFormat},
	TypeCloudWatchLogProcessing: {ParamDataMessageExtraction},
	TypeLambda:                  {ParamLambdaArn, ParamNumberOfRetries, ParamRoleArn, ParamBufferSizeInMBs, ParamBufferIntervalInSeconds},
	TypeMetadataExtraction:      {ParamMetadataExtractionQuery, ParamJsonParsingEngine},
	TypeAppendDelimiterToRecord: nil,
}

// Compile validates cfg as the Firehose API does and compiles its queries
// once. Every problem is reported, in one InvalidArgumentException. A
// disabled or empty configuration gives a Pipeline that passes records
// through. invoker may be nil when there is no Lambda processor.
func Compile(cfg Config, invoker Invoker) (*Pipeline, error) {
	p := &Pipeline{invoker: invoker, retries: DefaultNumberOfRetries,
		bufferBytes: int(DefaultBufferSizeInMBs * 1024 * 1024), BufferInterval: DefaultBufferIntervalInSeconds * time.Second,
		RetryBackoff: DefaultRetryBackoff}
	p.kpl = cfg.DeaggregateKPL
	if !cfg.Enabled {
		return p, nil
	}
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	seen := map[string]bool{}
	for i, proc := range cfg.Processors {
		names, ok := allowed[proc.Type]
		if !ok {
			bad("Processor type %q at index %d is not one of RecordDeAggregation, Decompression, CloudWatchLogProcessing, Lambda, MetadataExtraction, AppendDelimiterToRecord.", proc.Type, i)
			continue
		}
		if seen[proc.Type] {
			bad("Duplicate processor type %s.", proc.Type)
			continue
		}
		seen[proc.Type] = true
		params := map[string]string{}
		for _, prm := range proc.Parameters {
			if !contains(names, prm.ParameterName) {
				bad("Parameter %q is not supported for processor type %s.", prm.ParameterName, proc.Type)
				continue
			}
			if _, dup := params[prm.ParameterName]; dup {
				bad("Duplicate parameter %s for processor type %s.", prm.ParameterName, proc.Type)
				continue
			}
			if strings.TrimSpace(prm.ParameterValue) == "" || len(prm.ParameterValue) > 5120 {
				bad("Parameter %s of processor type %s must be 1 to 5120 characters, not blank.", prm.ParameterName, proc.Type)
				continue
			}
			params[prm.ParameterName] = prm.ParameterValue
		}
		switch proc.Type {
		case TypeRecordDeAggregation:
			p.deagg = true
			switch t := params[ParamSubRecordType]; strings.ToUpper(t) {
			case "":
			case "JSON", "JSONL":
				p.subType = "JSON"
			case "DELIMITED":
				p.subType = "DELIMITED"
				d, ok := params[ParamDelimiter]
				if !ok {
					bad("Parameter Delimiter is required when SubRecordType is DELIMITED.")
					break
				}
				dec, err := base64.StdEncoding.DecodeString(d)
				if err != nil || len(dec) == 0 {
					bad("Parameter Delimiter must be a base64-encoded, non-empty string.")
					break
				}
				p.delimiter = dec
			default:
				bad("Invalid SubRecordType %q: must be JSON or DELIMITED.", t)
			}
			if _, ok := params[ParamDelimiter]; ok && p.subType != "DELIMITED" {
				bad("Parameter Delimiter is only valid when SubRecordType is DELIMITED.")
			}
		case TypeDecompression:
			if f, ok := params[ParamCompressionFormat]; ok && f != "GZIP" {
				bad("Invalid CompressionFormat %q: only GZIP is supported.", f)
			}
			p.gunzip = true
		case TypeCloudWatchLogProcessing:
			switch v := params[ParamDataMessageExtraction]; strings.ToLower(v) {
			case "true":
				p.cwlExtract = true
			case "false":
			default:
				bad("Invalid DataMessageExtraction %q: must be true or false.", v)
			}
		case TypeLambda:
			arn, ok := params[ParamLambdaArn]
			if !ok {
				bad("Parameter LambdaArn is required for processor type Lambda.")
			} else if name, q, err := ParseLambdaArn(arn); err != nil {
				bad("%s", err.Error())
			} else {
				p.lambdaArn, p.fnName, p.fnQualifier = arn, name, q
			}
			if v, ok := params[ParamNumberOfRetries]; ok {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n > 300 {
					bad("Invalid NumberOfRetries %q: must be an integer from 0 to 300.", v)
				}
				p.retries = n
			}
			if v, ok := params[ParamBufferSizeInMBs]; ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f < 0.2 || f > 3 {
					bad("Invalid BufferSizeInMBs %q: must be from 0.2 to 3.", v)
				}
				p.bufferBytes = int(f * 1024 * 1024)
			}
			if v, ok := params[ParamBufferIntervalInSeconds]; ok {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n > 900 {
					bad("Invalid BufferIntervalInSeconds %q: must be an integer from 0 to 900.", v)
				}
				p.BufferInterval = time.Duration(n) * time.Second
			}
			if invoker == nil {
				bad("Processor type Lambda needs a function invoker.")
			}
			p.lambda = true
		case TypeMetadataExtraction:
			q, ok := params[ParamMetadataExtractionQuery]
			if !ok {
				bad("Parameter MetadataExtractionQuery is required for processor type MetadataExtraction.")
				break
			}
			isCEL := strings.HasPrefix(q, celPrefix)
			if e, ok := params[ParamJsonParsingEngine]; ok && e != "JQ-1.6" && !isCEL {
				bad("Invalid JsonParsingEngine %q: only JQ-1.6 is supported.", e)
				break
			}
			ex, err := compileQuery(q)
			if err != nil {
				bad("Invalid MetadataExtractionQuery: %v", err)
				break
			}
			p.extract = ex
		case TypeAppendDelimiterToRecord:
			p.appendDelim = true
		}
	}
	if p.cwlExtract && !p.gunzip {
		bad("Processor type CloudWatchLogProcessing requires the Decompression processor.")
	}
	if len(problems) > 0 {
		return nil, awserr.InvalidArgument.New("%s", strings.Join(problems, " "))
	}
	return p, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ParseLambdaArn gives the function name and qualifier of a LambdaArn:
// arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], or a bare name.
func ParseLambdaArn(arn string) (name, qualifier string, err error) {
	if !strings.HasPrefix(arn, "arn:") {
		if arn == "" || strings.ContainsAny(arn, ": /") {
			return "", "", fmt.Errorf("Invalid LambdaArn %q.", arn)
		}
		return arn, "", nil
	}
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[2] != "lambda" || parts[5] != "function" || parts[6] == "" {
		return "", "", fmt.Errorf("Invalid LambdaArn %q: expected arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER].", arn)
	}
	if len(parts) == 8 {
		if parts[7] == "" {
			return "", "", fmt.Errorf("Invalid LambdaArn %q: empty qualifier.", arn)
		}
		qualifier = parts[7]
	}
	return parts[6], qualifier, nil
}

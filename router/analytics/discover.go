package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/internal/awsservice"
	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/runtime/sql/discover"
	"github.com/kinesin/kinesin/runtime/sql/host"
	"github.com/kinesin/kinesin/sinks/objstore"
	"github.com/kinesin/kinesin/sinks/process"
	"github.com/kinesin/kinesin/sinks/source"
)

// sampleSize is how many records DiscoverInputSchema samples from a stream.
const sampleSize = 100

// sample is one record sampled from a stream.
type sample struct {
	data    []byte
	key     string
	seq     string
	shard   string
	arrival time.Time
}

func (s *Service) discover(c *call) (any, error) {
	in, err := awsservice.Input(c, checkDiscover)
	if err != nil {
		return nil, err
	}
	var samples []sample
	switch {
	case in.S3Configuration != nil && in.ResourceARN != nil:
		return nil, invalidArgument.New("Either ResourceARN or S3Configuration can be given, not both.")
	case in.S3Configuration != nil:
		data, err := s.object(c.Ctx, *in.S3Configuration.BucketARN, *in.S3Configuration.FileKey)
		if err != nil {
			return nil, err
		}
		samples = []sample{{data: data}}
	case in.ResourceARN != nil:
		pos := types.InputStartingPositionNow
		if p := in.InputStartingPositionConfiguration; p != nil && p.InputStartingPosition != "" {
			pos = p.InputStartingPosition
		}
		if samples, err = s.sampleStream(c.Ctx, *in.ResourceARN, pos); err != nil {
			return nil, err
		}
	default:
		return nil, invalidArgument.New("Either ResourceARN or S3Configuration is required.")
	}
	raw := make([][]byte, len(samples))
	for i, r := range samples {
		raw[i] = r.data
	}
	var o discover.Options
	if p := in.InputProcessingConfiguration; p != nil && len(samples) > 0 {
		if o.Processed, err = s.preprocess(c.Ctx, p, deref(in.ResourceARN), samples); err != nil {
			return nil, err
		}
	}
	res, err := discover.Discover(raw, o)
	if err != nil {
		var ue *discover.UnableToDetectSchemaException
		if errors.As(err, &ue) {
			return nil, &schemaError{Type: unableToDetect.Code, Message: ue.Message, RawInputRecords: ue.RawInputRecords,
				ProcessedInputRecords: ue.ProcessedInputRecords}
		}
		return nil, err
	}
	return res, nil
}

// object reads an S3 object through the object store.
func (s *Service) object(ctx context.Context, bucketARN, key string) ([]byte, error) {
	bucket := bucketARN[strings.LastIndexByte(bucketARN, ':')+1:]
	if s.cfg.Objects == nil {
		return nil, invalidArgument.New("S3 access is not configured in this process.")
	}
	data, err := s.cfg.Objects.Get(ctx, bucket, key)
	if errors.Is(err, objstore.ErrNotFound) || errors.Is(err, objstore.ErrInvalidKey) {
		return nil, resourceNotFound.New("S3 object %s in bucket %s not found", key, bucket)
	}
	if err != nil {
		return nil, fmt.Errorf("analytics: read s3://%s/%s: %w", bucket, key, err)
	}
	return data, nil
}

// sampleStream reads up to sampleSize records of a Kinesis stream: the
// oldest ones (TRIM_HORIZON) or the newest (NOW, LAST_STOPPED_POINT:
// discovery has no stopped point, and records that arrive after the call
// would make it wait).
func (s *Service) sampleStream(ctx context.Context, arn string, pos types.InputStartingPosition) ([]sample, error) {
	name, err := source.StreamName(arn)
	if err != nil {
		if _, ferr := host.DeliveryStreamName(arn); ferr == nil {
			return nil, invalidArgument.New("Schema discovery from a Firehose delivery stream is not supported by kinesin; discover from its source stream, or from an S3 object.")
		}
		return nil, invalidArgument.New("ResourceARN %s is not a Kinesis stream ARN.", arn)
	}
	if s.cfg.Streams == nil {
		return nil, invalidArgument.New("Kinesis streams are not available in this process.")
	}
	st, err := s.cfg.Streams.GetFresh(ctx, name)
	if errors.Is(err, shardstore.ErrNotFound) {
		return nil, resourceNotFound.New("Stream %s under account %s not found.", name, s.cfg.AccountID)
	}
	if err != nil {
		return nil, err
	}
	var all []sample
	for _, sh := range st.Shards {
		var got []shardstore.StoredRecord
		if pos == types.InputStartingPositionTrimHorizon {
			res, err := s.cfg.Streams.Read(ctx, st, sh.Index, shardstore.Position{}, sampleSize, 8<<20)
			if err != nil {
				return nil, fmt.Errorf("analytics: sample %s: %w", name, err)
			}
			got = res.Records
		} else {
			if sh.Closed {
				continue
			}
			if got, err = s.newest(ctx, st, sh.Index); err != nil {
				return nil, fmt.Errorf("analytics: sample %s: %w", name, err)
			}
		}
		for _, r := range got {
			all = append(all, sample{data: r.Data, key: string(r.Key), seq: shardstore.FormatSeq(sh.Index, r.Pos),
				shard: shardstore.ShardID(sh.Index), arrival: r.Arrival})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].arrival.Before(all[j].arrival) })
	if len(all) > sampleSize {
		if pos == types.InputStartingPositionTrimHorizon {
			all = all[:sampleSize]
		} else {
			all = all[len(all)-sampleSize:]
		}
	}
	return all, nil
}

// newest reads the last sampleSize records of a shard: from a few stored
// batches before its tip, further back until enough records are found.
func (s *Service) newest(ctx context.Context, st *shardstore.Stream, index int) ([]shardstore.StoredRecord, error) {
	tip, err := s.cfg.Streams.Tip(ctx, st, index)
	if err != nil {
		return nil, err
	}
	for back := uint64(4); ; back *= 4 {
		start := shardstore.Position{Msg: 1}
		if tip.Msg > back {
			start.Msg = tip.Msg - back
		}
		var got []shardstore.StoredRecord
		for from := start; ; {
			res, err := s.cfg.Streams.Read(ctx, st, index, from, 10000, 16<<20)
			if err != nil {
				return nil, err
			}
			got = append(got, res.Records...)
			if len(got) > 10*sampleSize {
				got = append(got[:0], got[len(got)-sampleSize:]...)
			}
			if res.CaughtUp || res.End || len(res.Records) == 0 || !from.Less(res.Next) {
				break
			}
			from = res.Next
		}
		if len(got) >= sampleSize || start.Msg <= 1 || back >= 1<<20 {
			if len(got) > sampleSize {
				got = got[len(got)-sampleSize:]
			}
			return got, nil
		}
	}
}

// The input preprocessing event and response (AWS's
// KinesisAnalyticsStreamsInputPreprocessingEvent).
type preprocessEvent struct {
	InvocationID   string            `json:"invocationId"`
	ApplicationARN string            `json:"applicationArn"`
	StreamARN      string            `json:"streamArn"`
	Records        []preprocessInRec `json:"records"`
}

type preprocessInRec struct {
	RecordID string          `json:"recordId"`
	Metadata *streamMetadata `json:"kinesisStreamRecordMetadata,omitempty"`
	Data     []byte          `json:"data"`
}

type streamMetadata struct {
	SequenceNumber              string `json:"sequenceNumber"`
	PartitionKey                string `json:"partitionKey"`
	ShardID                     string `json:"shardId"`
	ApproximateArrivalTimestamp int64  `json:"approximateArrivalTimestamp"`
}

type preprocessOut struct {
	Records []struct {
		RecordID string `json:"recordId"`
		Result   string `json:"result"`
		Data     []byte `json:"data"`
	} `json:"records"`
}

// preprocess runs the sampled records through the InputLambdaProcessor's
// function, as the application would, and answers the records it
// returns Ok.
func (s *Service) preprocess(ctx context.Context, p *types.InputProcessingConfiguration, streamARN string, samples []sample) ([][]byte, error) {
	arn := *p.InputLambdaProcessor.ResourceARN
	name, qualifier, err := process.ParseLambdaArn(arn)
	if err != nil {
		return nil, invalidArgument.New("InputLambdaProcessor ResourceARN %s is not a Lambda function ARN.", arn)
	}
	if s.cfg.Functions == nil {
		return nil, invalidArgument.New("Functions are not available in this process.")
	}
	ev := preprocessEvent{InvocationID: uuid.New(), StreamARN: streamARN}
	for i, r := range samples {
		rec := preprocessInRec{RecordID: fmt.Sprint(i), Data: r.data}
		if r.seq != "" {
			rec.Metadata = &streamMetadata{SequenceNumber: r.seq, PartitionKey: r.key, ShardID: r.shard, ApproximateArrivalTimestamp: r.arrival.UnixMilli()}
		}
		ev.Records = append(ev.Records, rec)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	resp, fnErr, err := s.cfg.Functions.Invoke(ctx, name, qualifier, payload)
	if err != nil {
		return nil, invalidArgument.New("Input processing function %s could not be invoked: %v", arn, err)
	}
	if fnErr != "" {
		return nil, invalidArgument.New("Input processing function %s failed: %s", arn, resp)
	}
	var out preprocessOut
	if err := json.Unmarshal(resp, &out); err != nil {
		return nil, invalidArgument.New("Input processing function %s answered an invalid response: %v", arn, err)
	}
	processed := [][]byte{}
	for _, r := range out.Records {
		if r.Result == "Ok" {
			processed = append(processed, r.Data)
		}
	}
	return processed, nil
}

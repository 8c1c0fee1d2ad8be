package firehose

import (
	"context"
	"time"

	"github.com/kinesin/kinesin/sinks/source"
)

// KinesisStreamAsSource: a delivery stream that reads a kinesin stream.
// sinks/source copies the stream's records into the delivery stream's
// record store (in every process, shards shared by leases), and delivery
// goes on from there as for DirectPut.

// errNotDirectPut answers puts to a delivery stream that reads a stream.
var errNotDirectPut = invalidArgument.New("This operation is not permitted on KinesisStreamAsSource delivery stream type.")

// buildSource checks the DeliveryStreamType and its source configuration
// (nil for DirectPut).
func (s *Service) buildSource(ctx context.Context, typ string, in *createIn) (*Source, error) {
	if in.MSKSourceConfiguration != nil || typ == "MSKAsSource" || typ == "DatabaseAsSource" {
		return nil, invalidArgument.New("DeliveryStreamType %s is not supported by kinesin; DirectPut and KinesisStreamAsSource are.", typ)
	}
	ks := in.KinesisStreamSourceConfiguration
	if typ == TypeDirectPut {
		if ks != nil {
			return nil, invalidArgument.New("KinesisStreamSourceConfiguration is only allowed when DeliveryStreamType is KinesisStreamAsSource.")
		}
		return nil, nil
	}
	if ks == nil || ks.KinesisStreamARN == nil || ks.RoleARN == nil {
		return nil, invalidArgument.New("KinesisStreamSourceConfiguration with KinesisStreamARN and RoleARN is required when DeliveryStreamType is KinesisStreamAsSource.")
	}
	name, err := source.StreamName(*ks.KinesisStreamARN)
	if err != nil {
		return nil, invalidArgument.New("KinesisStreamARN %s is not a Kinesis stream ARN.", *ks.KinesisStreamARN)
	}
	if s.cfg.Streams == nil {
		return nil, invalidArgument.New("KinesisStreamAsSource is not available in this process.")
	}
	if _, err := s.cfg.Streams.GetFresh(ctx, name); err != nil {
		return nil, invalidArgument.New("Stream %s under account %s not found.", name, s.cfg.AccountID)
	}
	return &Source{StreamARN: *ks.KinesisStreamARN, RoleARN: *ks.RoleARN}, nil
}

// pump copies the source stream of m into its record store until ctx ends.
func (s *Service) pump(ctx context.Context, m *Meta) {
	err := source.Run(ctx, source.Config{
		Name: m.Name, StreamARN: m.Source.StreamARN, Start: m.Source.Start, Store: s.cfg.Streams, JS: s.st.js,
		LeaseTTL: s.cfg.LeaseTTL, Logger: s.log,
		Append: func(ctx context.Context, records [][]byte, _ []time.Time) error {
			if _, err := s.st.append(ctx, m.Name, records); err != nil {
				return err
			}
			s.metrics.incoming(m.Name, records)
			return nil
		},
	})
	if err != nil && ctx.Err() == nil {
		s.log.Error("firehose: source", "name", m.Name, "err", err)
	}
}

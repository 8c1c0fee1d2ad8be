package firehose

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/awsservice"
	"github.com/kinesin/kinesin/sinks/httpendpoint"
	"github.com/kinesin/kinesin/sinks/kinesisdest"
	"github.com/kinesin/kinesin/sinks/opensearch"
	"github.com/kinesin/kinesin/sinks/postgres"
	"github.com/kinesin/kinesin/sinks/splunk"
)

// UpdateDestination changes a delivery stream's destination configuration
// in place: members given replace the current ones, the others are kept.
// The version id goes up by one; it names the objects delivered from then
// on. Switching to another kind of destination is not supported.

var concurrentModification = awserr.Kind{Code: "ConcurrentModificationException", Status: 400}

type updateIn struct {
	DeliveryStreamName                       *string         `json:"DeliveryStreamName"`
	CurrentDeliveryStreamVersionId           *string         `json:"CurrentDeliveryStreamVersionId"`
	DestinationId                            *string         `json:"DestinationId"`
	S3DestinationUpdate                      json.RawMessage `json:"S3DestinationUpdate"`
	ExtendedS3DestinationUpdate              json.RawMessage `json:"ExtendedS3DestinationUpdate"`
	HttpEndpointDestinationUpdate            json.RawMessage `json:"HttpEndpointDestinationUpdate"`
	SplunkDestinationUpdate                  json.RawMessage `json:"SplunkDestinationUpdate"`
	AmazonopensearchserviceDestinationUpdate json.RawMessage `json:"AmazonopensearchserviceDestinationUpdate"`
	ElasticsearchDestinationUpdate           json.RawMessage `json:"ElasticsearchDestinationUpdate"`
	RedshiftDestinationUpdate                json.RawMessage `json:"RedshiftDestinationUpdate"`
	KinesisStreamDestinationUpdate           json.RawMessage `json:"KinesisStreamDestinationUpdate"`
	SnowflakeDestinationUpdate               json.RawMessage `json:"SnowflakeDestinationUpdate"`
	IcebergDestinationUpdate                 json.RawMessage `json:"IcebergDestinationUpdate"`
}

func checkUpdate(v *awserr.Violations, in *updateIn) {
	checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	checkString(v, in.CurrentDeliveryStreamVersionId, "currentDeliveryStreamVersionId", 1, 50, versionRe, "[0-9]+", true)
	checkString(v, in.DestinationId, "destinationId", 1, 100, prefixRe, ".*", true)
}

func present(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

func (s *Service) updateDestination(c *call) (any, error) {
	in, err := awsservice.Input(c, checkUpdate)
	if err != nil {
		return nil, err
	}
	updates := 0
	for _, raw := range []json.RawMessage{in.S3DestinationUpdate, in.ExtendedS3DestinationUpdate, in.HttpEndpointDestinationUpdate,
		in.SplunkDestinationUpdate, in.AmazonopensearchserviceDestinationUpdate, in.ElasticsearchDestinationUpdate,
		in.RedshiftDestinationUpdate, in.KinesisStreamDestinationUpdate, in.SnowflakeDestinationUpdate, in.IcebergDestinationUpdate} {
		if present(raw) {
			updates++
		}
	}
	if updates != 1 {
		return nil, invalidArgument.New("Exactly one destination update must be provided.")
	}
	_, err = s.st.Update(c.Ctx, *in.DeliveryStreamName, func(m *Meta) error {
		if m.Status != StatusActive {
			return resourceInUse.New("Firehose %s is not in the ACTIVE state.", m.Name)
		}
		if cur := strconv.Itoa(m.Version); *in.CurrentDeliveryStreamVersionId != cur {
			return concurrentModification.New("Firehose %s version id %s does not match the current version id %s.", m.Name, *in.CurrentDeliveryStreamVersionId, cur)
		}
		if *in.DestinationId != destinationID {
			return invalidArgument.New("Destination %s not found for Firehose %s.", *in.DestinationId, m.Name)
		}
		if err := s.applyUpdate(m, in); err != nil {
			return err
		}
		m.Version++
		return nil
	})
	if err != nil {
		return nil, s.storeErr(*in.DeliveryStreamName, err)
	}
	return struct{}{}, nil
}

// applyUpdate applies the one destination update of in to m.
func (s *Service) applyUpdate(m *Meta, in *updateIn) error {
	o := m.Other
	wrongKind := invalidArgument.New("Changing the destination type of Firehose %s is not supported by kinesin.", m.Name)
	switch {
	case present(in.S3DestinationUpdate) || present(in.ExtendedS3DestinationUpdate):
		if o != nil {
			return wrongKind
		}
		raw, extended := in.ExtendedS3DestinationUpdate, true
		if !present(raw) {
			raw, extended = in.S3DestinationUpdate, false
		}
		if extended && !m.Destination.DynamicPartitioning() && dynamicRequested(raw) {
			return invalidArgument.New("Dynamic partitioning cannot be enabled on an existing Firehose stream.")
		}
		d, err := s.updateS3(m.Destination, raw, extended || m.Destination.extended(), "extendedS3DestinationUpdate")
		if err != nil {
			return err
		}
		m.Destination = d
		return nil
	case present(in.HttpEndpointDestinationUpdate):
		if o == nil || o.HTTP == nil {
			return wrongKind
		}
		return updateOther(s, o, in.HttpEndpointDestinationUpdate, func(u *httpendpoint.Update) (json.RawMessage, json.RawMessage, error) {
			n, err := o.HTTP.Apply(*u)
			o.HTTP = &n
			return u.S3Update, u.ProcessingConfiguration, err
		})
	case present(in.SplunkDestinationUpdate):
		if o == nil || o.Splunk == nil {
			return wrongKind
		}
		return updateOther(s, o, in.SplunkDestinationUpdate, func(u *splunk.Update) (json.RawMessage, json.RawMessage, error) {
			n, err := o.Splunk.Apply(*u)
			o.Splunk = &n
			return u.S3Update, u.ProcessingConfiguration, err
		})
	case present(in.AmazonopensearchserviceDestinationUpdate) || present(in.ElasticsearchDestinationUpdate):
		raw, cfg := in.AmazonopensearchserviceDestinationUpdate, &o.OpenSearch
		if !present(raw) {
			raw, cfg = in.ElasticsearchDestinationUpdate, &o.ES
		}
		if o == nil || *cfg == nil {
			return wrongKind
		}
		return updateOther(s, o, raw, func(u *opensearch.Update) (json.RawMessage, json.RawMessage, error) {
			kind := (*cfg).Kind
			n, err := (*cfg).Apply(*u)
			n.Kind = kind
			*cfg = &n
			return u.S3Update, u.ProcessingConfiguration, err
		})
	case present(in.RedshiftDestinationUpdate):
		if o == nil || o.Redshift == nil {
			return wrongKind
		}
		return updateOther(s, o, in.RedshiftDestinationUpdate, func(u *postgres.Update) (json.RawMessage, json.RawMessage, error) {
			n, err := o.Redshift.Apply(*u)
			o.Redshift = &n
			return u.S3Update, u.ProcessingConfiguration, err
		})
	case present(in.KinesisStreamDestinationUpdate):
		if o == nil || o.Kinesis == nil {
			return wrongKind
		}
		return updateOther(s, o, in.KinesisStreamDestinationUpdate, func(u *kinesisdest.Update) (json.RawMessage, json.RawMessage, error) {
			n, err := o.Kinesis.Apply(*u)
			o.Kinesis = &n
			return u.S3Update, u.ProcessingConfiguration, err
		})
	}
	return invalidArgument.New("Snowflake and Iceberg destinations are not supported by kinesin.")
}

// updateOther decodes a destination package's Update, applies it, then the
// S3Update and ProcessingConfiguration it carries.
func updateOther[U any](s *Service, o *Other, raw json.RawMessage, apply func(u *U) (s3Update, processing json.RawMessage, err error)) error {
	var u U
	if err := json.Unmarshal(raw, &u); err != nil {
		return invalidArgument.New("The destination update is malformed: %v", err)
	}
	s3u, proc, err := apply(&u)
	if err != nil {
		return configError(err)
	}
	if present(s3u) {
		if o.Backup, err = s.updateS3(o.Backup, s3u, false, "s3Update"); err != nil {
			return err
		}
	}
	if present(proc) {
		var pc processingConfig
		if err := json.Unmarshal(proc, &pc); err != nil {
			return invalidArgument.New("ProcessingConfiguration is malformed: %v", err)
		}
		if o.Backup.Processing, err = s.compileProcessing(&pc); err != nil {
			return err
		}
	}
	return nil
}

// dynamicRequested reports whether an ExtendedS3DestinationUpdate turns
// dynamic partitioning on.
func dynamicRequested(raw json.RawMessage) bool {
	var u struct {
		DynamicPartitioningConfiguration *dynamicPartitioningConfig
	}
	_ = json.Unmarshal(raw, &u)
	return u.DynamicPartitioningConfiguration != nil && enabled(true, u.DynamicPartitioningConfiguration.Enabled)
}

// updateS3 merges an S3 or ExtendedS3 update into d and checks the result
// as creation does. Members present in the update replace the current
// ones; S3BackupUpdate merges into the backup configuration.
func (s *Service) updateS3(d Destination, raw json.RawMessage, extended bool, path string) (Destination, error) {
	merged, err := mergeS3(d.config(), raw)
	if err != nil {
		return d, invalidArgument.New("The destination update is malformed: %v", err)
	}
	var c s3Config
	if err := json.Unmarshal(merged, &c); err != nil {
		return d, invalidArgument.New("The destination update is malformed: %v", err)
	}
	var v awserr.Violations
	checkS3(&v, &c, path)
	if err := v.Err(); err != nil {
		return d, err
	}
	return s.buildS3(&c, extended)
}

// mergeS3 overlays the members of update on base (a configuration as
// JSON), recursing into S3BackupUpdate → S3BackupConfiguration.
func mergeS3(base *s3Config, update json.RawMessage) (json.RawMessage, error) {
	b, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	var cur, upd map[string]json.RawMessage
	if err := json.Unmarshal(b, &cur); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(update, &upd); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	for k, v := range upd {
		if !present(v) {
			continue
		}
		if k == "S3BackupUpdate" {
			var backup s3Config
			if present(cur["S3BackupConfiguration"]) {
				if err := json.Unmarshal(cur["S3BackupConfiguration"], &backup); err != nil {
					return nil, err
				}
			}
			if cur["S3BackupConfiguration"], err = mergeS3(&backup, v); err != nil {
				return nil, err
			}
			continue
		}
		cur[k] = v
	}
	return json.Marshal(cur)
}

// config is d as the configuration that builds it.
func (d Destination) config() *s3Config {
	size, interval := d.SizeInMBs, d.IntervalInSeconds
	c := &s3Config{RoleARN: &d.RoleARN, BucketARN: &d.BucketARN, Prefix: &d.Prefix, ErrorOutputPrefix: &d.ErrorOutputPrefix,
		BufferingHints:    &bufferingHints{SizeInMBs: &size, IntervalInSeconds: &interval},
		CompressionFormat: &d.CompressionFormat, ProcessingConfiguration: processingOut(d.Processing),
		DataFormatConversionConfiguration: d.Conversion, DynamicPartitioningConfiguration: d.Dynamic}
	if d.extended() {
		mode := d.BackupMode
		c.S3BackupMode = &mode
		if d.FileExtension != "" {
			c.FileExtension = &d.FileExtension
		}
		if d.CustomTimeZone != "" {
			c.CustomTimeZone = &d.CustomTimeZone
		}
	}
	if d.Backup != nil {
		c.S3BackupConfiguration = d.Backup.config()
	}
	return c
}

// extended reports whether d uses members only ExtendedS3 has.
func (d Destination) extended() bool {
	return d.BackupMode != "" || d.Processing != nil || d.Conversion != nil || d.Dynamic != nil || d.FileExtension != "" || d.CustomTimeZone != ""
}

package firehose

import (
	"errors"
	"strings"

	"github.com/kinesin/kinesin/sinks/convert"
	"github.com/kinesin/kinesin/sinks/keys"
)

// Members of ExtendedS3DestinationConfiguration beyond S3's: record format
// conversion, dynamic partitioning and the S3 backup.

// conversionConfig is the API's DataFormatConversionConfiguration. The
// schema comes from SchemaConfiguration.Columns, kinesin's stand-in for the
// Glue table AWS reads it from.
type conversionConfig struct {
	Enabled                   *bool         `json:"Enabled,omitempty"`
	SchemaConfiguration       *schemaConfig `json:"SchemaConfiguration,omitempty"`
	InputFormatConfiguration  *inputFormat  `json:"InputFormatConfiguration,omitempty"`
	OutputFormatConfiguration *outputFormat `json:"OutputFormatConfiguration,omitempty"`
}

type schemaConfig struct {
	RoleARN      *string `json:"RoleARN,omitempty"`
	CatalogId    *string `json:"CatalogId,omitempty"`
	DatabaseName *string `json:"DatabaseName,omitempty"`
	TableName    *string `json:"TableName,omitempty"`
	Region       *string `json:"Region,omitempty"`
	VersionId    *string `json:"VersionId,omitempty"`
	// Columns is kinesin's: the table's columns, in place of Glue.
	Columns []column `json:"Columns,omitempty"`
}

type column struct {
	Name string `json:"Name"`
	Type string `json:"Type"`
}

type inputFormat struct {
	Deserializer *struct {
		OpenXJsonSerDe *struct {
			ConvertDotsInJsonKeysToUnderscores *bool             `json:"ConvertDotsInJsonKeysToUnderscores,omitempty"`
			CaseInsensitive                    *bool             `json:"CaseInsensitive,omitempty"`
			ColumnToJsonKeyMappings            map[string]string `json:"ColumnToJsonKeyMappings,omitempty"`
		} `json:"OpenXJsonSerDe,omitempty"`
		HiveJsonSerDe *struct {
			TimestampFormats []string `json:"TimestampFormats,omitempty"`
		} `json:"HiveJsonSerDe,omitempty"`
	} `json:"Deserializer,omitempty"`
}

type outputFormat struct {
	Serializer *struct {
		ParquetSerDe *struct {
			BlockSizeBytes              *int64  `json:"BlockSizeBytes,omitempty"`
			PageSizeBytes               *int64  `json:"PageSizeBytes,omitempty"`
			Compression                 *string `json:"Compression,omitempty"`
			EnableDictionaryCompression *bool   `json:"EnableDictionaryCompression,omitempty"`
			MaxPaddingBytes             *int64  `json:"MaxPaddingBytes,omitempty"`
			WriterVersion               *string `json:"WriterVersion,omitempty"`
		} `json:"ParquetSerDe,omitempty"`
		OrcSerDe any `json:"OrcSerDe,omitempty"`
	} `json:"Serializer,omitempty"`
}

type dynamicPartitioningConfig struct {
	Enabled      *bool         `json:"Enabled,omitempty"`
	RetryOptions *retryOptions `json:"RetryOptions,omitempty"`
}

type retryOptions struct {
	DurationInSeconds *int64 `json:"DurationInSeconds,omitempty"`
}

// enabled reports whether a configuration is present and not disabled
// (Firehose's Enabled members default to true).
func enabled(present bool, e *bool) bool { return present && (e == nil || *e) }

// compileConversion checks a DataFormatConversionConfiguration and
// answers the converter configuration (nil when conversion is off).
func compileConversion(c *conversionConfig) (*convert.Config, error) {
	if c == nil || !enabled(true, c.Enabled) {
		return nil, nil
	}
	if c.SchemaConfiguration == nil || c.InputFormatConfiguration == nil || c.OutputFormatConfiguration == nil {
		return nil, invalidArgument.New("SchemaConfiguration, InputFormatConfiguration and OutputFormatConfiguration are required when DataFormatConversionConfiguration is enabled.")
	}
	sc := c.SchemaConfiguration
	if len(sc.Columns) == 0 {
		return nil, invalidArgument.New("SchemaConfiguration.Columns is required: kinesin reads the table's columns from the configuration, not from AWS Glue.")
	}
	var cfg convert.Config
	for _, col := range sc.Columns {
		cfg.Schema = append(cfg.Schema, convert.Column{Name: col.Name, Type: col.Type})
	}
	if d := c.InputFormatConfiguration.Deserializer; d != nil {
		if d.OpenXJsonSerDe != nil {
			o := d.OpenXJsonSerDe
			cfg.Deserializer.OpenX = &convert.OpenXJSON{CaseInsensitive: o.CaseInsensitive, ColumnToJsonKeyMappings: o.ColumnToJsonKeyMappings,
				ConvertDotsInJsonKeysToUnderscores: o.ConvertDotsInJsonKeysToUnderscores != nil && *o.ConvertDotsInJsonKeysToUnderscores}
		}
		if d.HiveJsonSerDe != nil {
			cfg.Deserializer.Hive = &convert.HiveJSON{TimestampFormats: d.HiveJsonSerDe.TimestampFormats}
		}
	}
	s := c.OutputFormatConfiguration.Serializer
	switch {
	case s == nil || s.ParquetSerDe == nil && s.OrcSerDe == nil:
		return nil, invalidArgument.New("OutputFormatConfiguration.Serializer must set ParquetSerDe or OrcSerDe.")
	case s.OrcSerDe != nil:
		return nil, invalidArgument.New("OrcSerDe is not supported by kinesin (no well-kept Go library writes ORC); use ParquetSerDe.")
	}
	p := s.ParquetSerDe
	cfg.Parquet = convert.Parquet{BlockSizeBytes: intOr(p.BlockSizeBytes), PageSizeBytes: intOr(p.PageSizeBytes),
		Compression: strOr(p.Compression), EnableDictionaryCompression: p.EnableDictionaryCompression != nil && *p.EnableDictionaryCompression,
		MaxPaddingBytes: intOr(p.MaxPaddingBytes), WriterVersion: strOr(p.WriterVersion)}
	if _, err := convert.Compile(cfg); err != nil {
		return nil, invalidArgument.New("%s", strings.TrimPrefix(err.Error(), convert.ErrInvalidArgument.Error()+": "))
	}
	return &cfg, nil
}

func intOr(p *int64) int {
	if p == nil {
		return 0
	}
	return int(*p)
}

func strOr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// validatePrefixes applies keys.Validate and answers its error as an
// InvalidArgumentException.
func validatePrefixes(prefix, errorOutputPrefix string, dynamic bool) error {
	if err := keys.Validate(prefix, errorOutputPrefix, dynamic); err != nil {
		var ke *keys.Error
		if errors.As(err, &ke) {
			return invalidArgument.New("%s", ke.Message)
		}
		return invalidArgument.New("%s", err.Error())
	}
	return nil
}

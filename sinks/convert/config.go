package convert

import (
	"errors"
	"fmt"
	"strings"
)

// Column is one column of the schema that replaces Firehose's Glue table.
type Column struct {
	Name string `json:"name" yaml:"name"`
	Type string `json:"type" yaml:"type"` // Hive type string, e.g. "array<struct<a:int>>"
}

// Deserializer selects and configures the JSON input SerDe (exactly one of
// the two, as in Firehose's InputFormatConfiguration.Deserializer). Both nil
// means OpenX with its defaults.
type Deserializer struct {
	OpenX *OpenXJSON `json:"openXJsonSerDe,omitempty" yaml:"openXJsonSerDe,omitempty"`
	Hive  *HiveJSON  `json:"hiveJsonSerDe,omitempty" yaml:"hiveJsonSerDe,omitempty"`
}

// OpenXJSON mirrors Firehose's OpenXJsonSerDe.
type OpenXJSON struct {
	// CaseInsensitive lowercases JSON keys before matching; nil means true.
	CaseInsensitive *bool `json:"caseInsensitive,omitempty" yaml:"caseInsensitive,omitempty"`
	// ColumnToJsonKeyMappings maps a column name to the JSON key it reads.
	ColumnToJsonKeyMappings map[string]string `json:"columnToJsonKeyMappings,omitempty" yaml:"columnToJsonKeyMappings,omitempty"`
	// ConvertDotsInJsonKeysToUnderscores turns "a.b" keys into "a_b".
	ConvertDotsInJsonKeysToUnderscores bool `json:"convertDotsInJsonKeysToUnderscores,omitempty" yaml:"convertDotsInJsonKeysToUnderscores,omitempty"`
}

// HiveJSON mirrors Firehose's HiveJsonSerDe.
type HiveJSON struct {
	// TimestampFormats are Joda-Time patterns, or "millis". Empty means
	// java.sql.Timestamp.valueOf ("yyyy-[m]m-[d]d hh:mm:ss[.f...]").
	TimestampFormats []string `json:"timestampFormats,omitempty" yaml:"timestampFormats,omitempty"`
}

// Parquet mirrors Firehose's ParquetSerDe. Zero values take Firehose's defaults.
type Parquet struct {
	BlockSizeBytes              int    `json:"blockSizeBytes,omitempty" yaml:"blockSizeBytes,omitempty"` // validated, not applied
	PageSizeBytes               int    `json:"pageSizeBytes,omitempty" yaml:"pageSizeBytes,omitempty"`
	Compression                 string `json:"compression,omitempty" yaml:"compression,omitempty"` // SNAPPY (default) | GZIP | UNCOMPRESSED
	EnableDictionaryCompression bool   `json:"enableDictionaryCompression,omitempty" yaml:"enableDictionaryCompression,omitempty"`
	MaxPaddingBytes             int    `json:"maxPaddingBytes,omitempty" yaml:"maxPaddingBytes,omitempty"` // validated, not applied
	WriterVersion               string `json:"writerVersion,omitempty" yaml:"writerVersion,omitempty"`     // V1 (default) | V2
}

// Config is a delivery stream's DataFormatConversionConfiguration with the
// Glue table reference replaced by an inline Schema.
type Config struct {
	Schema       []Column     `json:"schema" yaml:"schema"`
	Deserializer Deserializer `json:"deserializer" yaml:"deserializer"`
	Parquet      Parquet      `json:"parquetSerDe" yaml:"parquetSerDe"`
}

// Limits from the Firehose API reference (ParquetSerDe, HiveJsonSerDe, OpenXJsonSerDe).
const (
	DefaultBlockSizeBytes = 256 << 20
	MinBlockSizeBytes     = 64 << 20
	DefaultPageSizeBytes  = 1 << 20
	MinPageSizeBytes      = 64 << 10
	maxPatternLen         = 1024
)

// ErrInvalidArgument is wrapped by every validation error of Compile, so
// callers can map it to the InvalidArgumentException wire error.
var ErrInvalidArgument = errors.New("InvalidArgumentException")

type invalidArgs []string

func (v *invalidArgs) addf(format string, a ...any) { *v = append(*v, fmt.Sprintf(format, a...)) }

func (v invalidArgs) err() error {
	if len(v) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalidArgument, strings.Join(v, "; "))
}

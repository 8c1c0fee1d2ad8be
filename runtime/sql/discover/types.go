package discover

import "fmt"

// Record format types (AWS's RecordFormatType enum).
const (
	FormatJSON = "JSON"
	FormatCSV  = "CSV"
)

// Encoding is the only RecordEncoding AWS accepts and returns.
const Encoding = "UTF-8"

// MaxColumns is AWS's limit on SourceSchema.RecordColumns (1 to 1000 items).
const MaxColumns = 1000

// Result is DiscoverInputSchema's response (AWS JSON member names).
type Result struct {
	InputSchema *SourceSchema `json:"InputSchema,omitempty"`
	// ParsedInputRecords holds one array per row; an element is null when
	// the row has no value for the column or the value does not convert
	// to the column's type (as AWS shows for a CSV header row).
	ParsedInputRecords    [][]*string `json:"ParsedInputRecords,omitempty"`
	ProcessedInputRecords []string    `json:"ProcessedInputRecords,omitempty"`
	RawInputRecords       []string    `json:"RawInputRecords,omitempty"`
}

// SourceSchema is AWS's SourceSchema shape.
type SourceSchema struct {
	RecordColumns  []RecordColumn `json:"RecordColumns"`
	RecordEncoding *string        `json:"RecordEncoding,omitempty"`
	RecordFormat   *RecordFormat  `json:"RecordFormat"`
}

// RecordColumn is AWS's RecordColumn shape. Mapping is set for JSON
// sources only.
type RecordColumn struct {
	Mapping *string `json:"Mapping,omitempty"`
	Name    string  `json:"Name"`
	SqlType string  `json:"SqlType"`
}

// RecordFormat is AWS's RecordFormat shape.
type RecordFormat struct {
	MappingParameters *MappingParameters `json:"MappingParameters,omitempty"`
	RecordFormatType  string             `json:"RecordFormatType"`
}

// MappingParameters is AWS's MappingParameters shape.
type MappingParameters struct {
	CSVMappingParameters  *CSVMappingParameters  `json:"CSVMappingParameters,omitempty"`
	JSONMappingParameters *JSONMappingParameters `json:"JSONMappingParameters,omitempty"`
}

// CSVMappingParameters is AWS's CSVMappingParameters shape.
type CSVMappingParameters struct {
	RecordColumnDelimiter string `json:"RecordColumnDelimiter"`
	RecordRowDelimiter    string `json:"RecordRowDelimiter"`
}

// JSONMappingParameters is AWS's JSONMappingParameters shape.
type JSONMappingParameters struct {
	RecordRowPath string `json:"RecordRowPath"`
}

// UnableToDetectSchemaException is AWS's error of that name: the sampled
// data has no format discovery recognises. It carries the records AWS
// returns with it.
type UnableToDetectSchemaException struct {
	Message               string   `json:"message"`
	RawInputRecords       []string `json:"RawInputRecords,omitempty"`
	ProcessedInputRecords []string `json:"ProcessedInputRecords,omitempty"`
}

// ErrorCode is the AWS error code (the __type of the JSON 1.1 error body).
func (e *UnableToDetectSchemaException) ErrorCode() string { return "UnableToDetectSchemaException" }

func (e *UnableToDetectSchemaException) Error() string {
	return fmt.Sprintf("discover: %s: %s", e.ErrorCode(), e.Message)
}

func ptr[T any](v T) *T { return &v }

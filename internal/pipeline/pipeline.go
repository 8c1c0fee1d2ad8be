package pipeline

import (
	"fmt"
	"os"
)

// File is a parsed and validated pipeline file. Defaults are filled in, so
// every field holds the value apply converges to.
type File struct {
	// Name is the file name errors and logs refer to.
	Name      string
	Streams   []Stream
	Functions []Function
	Mappings  []Mapping
	// DeliveryStreams are the Firehose delivery streams.
	DeliveryStreams []DeliveryStream
	// Applications are the streaming SQL applications.
	Applications []Application
	// VideoStreams are the Kinesis Video streams.
	VideoStreams []VideoStream
}

// Stream is one entry of the streams section.
type Stream struct {
	Name string
	// Mode is ModeProvisioned or ModeOnDemand.
	Mode string
	// Shards is the open shard count of a provisioned stream; 0 for
	// on-demand streams, whose shard count kinesin manages.
	Shards         int
	RetentionHours int
	// Tags is never nil; an empty map means "no tags".
	Tags map[string]string
	// Line is where the entry starts in the file.
	Line int
}

// Function is one entry of the functions section.
type Function struct {
	Name string
	// Runtime is one of Runtimes.
	Runtime string
	// Path is the code's path as written, joined to the directory of the
	// pipeline file when it is relative.
	Path    string
	Handler string
	// Timeout is in seconds, Memory in MB.
	Timeout int
	Memory  int
	// Environment is never nil; an empty map means "no variables".
	Environment map[string]string
	// Concurrency is the reserved concurrency; nil means unreserved.
	Concurrency *int
	// Line is where the entry starts in the file.
	Line int

	pathLine int
}

// Load reads and parses the pipeline file at path. Problems with the
// content come back as Errors. Unlike Parse, Load also checks the files the
// pipeline refers to (the path of each function), since they are on disk
// beside it.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	f, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if err := f.CheckPaths(); err != nil {
		return nil, err
	}
	return f, nil
}

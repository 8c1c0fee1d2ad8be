package pipeline

import (
	"fmt"
	"os"
)

// File is a parsed and validated pipeline file. Defaults are filled in, so
// every field holds the value apply converges to.
type File struct {
	// Name is the file name errors and logs refer to.
	Name    string
	Streams []Stream
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

// Load reads and parses the pipeline file at path. Problems with the
// content come back as Errors.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	return Parse(path, data)
}

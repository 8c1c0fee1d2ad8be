package pipeline

import (
	"sort"
	"strconv"
	"strings"
)

// Error is one problem in a pipeline file.
type Error struct {
	File string
	// Line is 1-based; 0 when the problem has no place in the file.
	Line int
	// Path is the YAML path of the value, such as streams[0].shards; empty
	// for problems with the document as a whole.
	Path string
	Msg  string
}

// Error renders FILE:LINE: PATH: MSG, the form editors and CI logs link.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in a file, in line order. Parse and Load
// return it (as error) so that a user fixes all problems in one round.
type Errors []*Error

// Error renders one problem per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes the individual problems to errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Line < es[j].Line })
}

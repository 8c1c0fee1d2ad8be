// Package engine is the contract between the function registry, the
// triggers and the function runtimes (runtime/wasm, runtime/lambda): what a
// deployable function is, what one invocation carries and returns, and the
// record-batch shapes that event source mappings and Firehose transforms
// pass through a function.
package engine

import (
	"context"
	"errors"
	"time"
)

// ErrNoCapacity is wrapped by the error of an invocation that got no free
// instance or process before its context ended (the registry answers
// TooManyRequestsException).
var ErrNoCapacity = errors.New("engine: no free instance before the deadline")

// Function is one immutable version of a function: its code and the
// configuration a runtime needs to run it.
type Function struct {
	Name    string
	Version string // "$LATEST" or "1", "2", …
	ARN     string // unqualified function ARN
	// Runtime is "wasm" for WebAssembly, or a Lambda runtime identifier
	// ("provided.al2023", "provided.al2", "provided", "go1.x") for a
	// bootstrap process speaking the Lambda Runtime API.
	Runtime string
	Handler string
	// Code is the WebAssembly module (wasm). CodeDir is the directory the
	// function's ZIP was extracted to (Lambda runtimes: it holds bootstrap).
	Code    []byte
	CodeDir string
	// CodeSHA256 identifies the code (base64 SHA-256 of the deployment
	// package, as Lambda reports it); runtimes cache compiled code by it.
	CodeSHA256  string
	MemoryMB    int
	Timeout     time.Duration
	Environment map[string]string
	// Concurrency caps simultaneous invocations (reserved concurrency, or
	// the runtime's default when 0).
	Concurrency int
	Region      string
	AccountID   string
}

// Invocation is one call of a function with a JSON event (Lambda's Invoke).
type Invocation struct {
	RequestID     string
	Payload       []byte
	Deadline      time.Time
	ClientContext string // base64 JSON, as Lambda passes it
	TraceID       string
}

// Result is what one invocation produced. A failure of the function itself
// (an error it returned, a panic, a trap, a timeout, a crash) is a Result
// with FunctionError set and an error body {"errorMessage","errorType"} in
// Payload, as Lambda answers it; only failures of the platform are errors.
type Result struct {
	Payload       []byte
	FunctionError string // "" or "Unhandled"
	Logs          []byte // what the function wrote during this invocation
}

// Record is one record of a batch.
type Record struct {
	SequenceNumber string
	PartitionKey   string
	ArrivalTime    time.Time
	RecordID       string // Firehose's recordId; empty for streams
	Data           []byte
}

// Window is a tumbling window of an event source mapping.
type Window struct{ Start, End time.Time }

// BatchContext tells a function where a batch comes from.
type BatchContext struct {
	FunctionName string
	ShardID      string
	StreamARN    string
	Attempt      int
	Deadline     time.Time
	Window       *Window
	State        []byte // tumbling-window state carried between calls
	// FinalInvokeForWindow marks the last call of a window, carrying its
	// final state; WindowTerminatedEarly marks a window cut short because
	// its state grew past the 1 MB cap (the next call starts the same
	// window with fresh state).
	FinalInvokeForWindow  bool
	WindowTerminatedEarly bool
}

// Batch is what a trigger or a Firehose transform hands a function.
type Batch struct {
	Context BatchContext
	Records []Record
}

// Status is a record's outcome in a batch result.
type Status uint8

const (
	Ok Status = iota
	Dropped
	ProcessingFailed
)

// RecordResult is one record's outcome. Data nil means unchanged.
type RecordResult struct {
	Status        Status
	Data          []byte
	PartitionKeys map[string]string
}

// BatchResult is what a function returned for a batch: one result per
// record, in order, the sequence numbers it reported failed (Lambda's
// batchItemFailures), and new window state.
type BatchResult struct {
	Records       []RecordResult
	Failed        []string
	State         []byte
	FunctionError string // "" or "Unhandled": the whole batch failed
	ErrorMessage  string
	Logs          []byte
}

// Engine runs functions of one kind.
type Engine interface {
	// Validate checks code at deploy time (a WebAssembly module compiles
	// and exports the ABI; a Lambda package has an executable bootstrap).
	Validate(ctx context.Context, fn *Function) error
	// Invoke runs one invocation with a JSON event.
	Invoke(ctx context.Context, fn *Function, inv Invocation) (Result, error)
	// InvokeBatch runs one batch through the function.
	InvokeBatch(ctx context.Context, fn *Function, b Batch) (BatchResult, error)
	// Evict drops warm instances or processes of every version of a
	// function (its code or configuration changed, or it was deleted).
	Evict(name string)
	// Close stops every instance and process.
	Close(ctx context.Context) error
}

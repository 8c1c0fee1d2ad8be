// Package functions is kinesin's function registry: it stores functions,
// their published versions, aliases and reserved concurrency in a JetStream
// KV bucket and their code in a JetStream object store, so every kinesin
// process sharing a NATS cluster can serve and run them, and it answers the
// AWS Lambda REST API (2015-03-31 paths) through the HTTP tier.
//
// A function's Runtime picks the engine that validates and runs it: "wasm"
// for WebAssembly, "provided*" and "go1.x" for a bootstrap process speaking
// the Lambda Runtime API. Code is validated in the background after
// CreateFunction and UpdateFunctionCode, as AWS does: a new function is
// Pending until its engine accepts the code, then Active (or Failed with a
// StateReason), and LastUpdateStatus goes InProgress → Successful, so the
// AWS CLI's function-active-v2 and function-updated-v2 waiters work.
//
// The rest of kinesin (event source mappings, Firehose transforms) calls
// functions through Resolve, which turns a name, partial ARN or ARN and a
// qualifier (version or alias) into an engine.Function and its engine.
//
// What a function writes to stdout and stderr is published after each
// invocation, one message per invocation, to the JetStream stream
// KINESIN_FUNCTION_LOGS (subjects kinesin.logs.<function>, kept a day), so
// any process can serve any process's logs, as CloudWatch Logs does for
// Lambda. Publishing is asynchronous and never fails an invocation. kinesin
// serves them beside the Lambda API at
// GET /kinesin/v1/functions/{name}/logs?since=<unix ms>&follow=true as
// text lines "TIMESTAMP REQUEST-ID LINE".
//
// Reserved concurrency is enforced per process: a cluster of N kinesin
// processes can run up to N times the reserved number at once.
package functions

// Package lambda runs functions packaged for a Lambda "provided" runtime:
// a `bootstrap` executable that speaks the Lambda Runtime API, such as a Go
// program built with github.com/aws/aws-lambda-go/lambda.Start.
//
// Every process gets its own Runtime API endpoint (a loopback HTTP listener
// whose host:port is the process's AWS_LAMBDA_RUNTIME_API), so the engine
// knows which process asks for work without trusting anything it sends.
// Warm processes are kept per function version; each serves one invocation
// at a time, as in Lambda, and up to Function.Concurrency of them run at
// once (AWS's Runtime Interface Emulator serves a single one).
//
// Failures of the function are Results, as Lambda answers them: an error
// the function posts, a timeout (the process group is killed with SIGKILL),
// a crash (Runtime.ExitError, the process is replaced) and an init failure
// (the next invocation starts a fresh process). Output the process writes
// to stdout and stderr while an invocation runs is returned in Result.Logs
// and logged through slog line by line.
package lambda

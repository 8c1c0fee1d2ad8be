// Package awscli checks kinesin against the stock AWS CLI: its test starts a
// server in-process and runs kinesis.sh, which drives the Kinesis Data
// Streams API with `aws kinesis …` (CLI v1 or v2) and checks every answer.
// Without `aws` on PATH the test is skipped, except in CI (CI=true), where
// that is a failure.
package awscli

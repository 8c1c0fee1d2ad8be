// Package httpendpoint is Firehose's HTTP endpoint destination
// (HttpEndpointDestinationConfiguration): it POSTs each buffer to a URL in
// the request format of the Firehose developer guide's "HTTP endpoint
// delivery request and response specifications", so endpoints written for
// Amazon Data Firehose (Datadog, New Relic, Sumo Logic, your own) work
// unchanged.
//
// # Configuration
//
// Config, Update and Description are AWS's shapes with AWS's member names.
// Defaults: BufferingHints 5 MiB / 300 s (SizeInMBs 1–64, IntervalInSeconds
// 0–900), RetryOptions.DurationInSeconds 300 (0–7200),
// RequestConfiguration.ContentEncoding NONE (or GZIP), S3BackupMode
// FailedDataOnly (or AllData). Model constraints (Url 1–1000 characters,
// Name 1–256 and not blank, AccessKey ≤ 4096, at most 50 CommonAttributes
// with names of 1–256 and values of ≤ 1024 characters, RoleARN and
// SecretARN patterns) are ValidationExceptions whose messages leave out the
// values of the members the model marks sensitive (Url, AccessKey,
// attribute names and values), as AWS does. Description leaves out the
// AccessKey. UpdateDestination merges: members an Update leaves out keep
// their values.
//
// kinesin's departures, on purpose:
//   - Url may be http:// as well as https://, on any port (AWS: https on
//     port 443 only), so that endpoints on the same machine or in a test can
//     be used.
//   - SecretsManagerConfiguration with Enabled=true is refused
//     (InvalidArgumentException): kinesin has no Secrets Manager; give the
//     key in EndpointConfiguration.AccessKey. Enabled=false is accepted and
//     described.
//   - Two CommonAttributes with the same name are refused: the header is a
//     JSON object, which cannot carry both.
//
// # Requests
//
// One POST per buffer, as Firehose sends (the specification's body schema
// lists at most 10,000 records; kinesin does not split a buffer of more
// small records, so an endpoint that enforces that cap answers 413), with
// the
// headers X-Amz-Firehose-Protocol-Version: 1.0, X-Amz-Firehose-Request-Id
// (a UUID, the same on every retry of the buffer), X-Amz-Firehose-Source-Arn
// (the delivery stream's ARN), X-Amz-Firehose-Access-Key (when configured),
// X-Amz-Firehose-Common-Attributes ({"commonAttributes":{…}}, when
// configured), Content-Type: application/json, Content-Encoding: gzip (with
// ContentEncoding GZIP; absent otherwise) and User-Agent: Amazon Kinesis
// Data Firehose Agent/1.0. The body is {"requestId": "…", "timestamp": <ms
// since the epoch>, "records": [{"data": "<base64>"}, …]}.
//
// # Responses and retries
//
// Only a 200 is a delivery, and only with Content-Type application/json, no
// Content-Encoding, and a body of exactly requestId (equal to the
// request's), timestamp (a number) and optionally errorMessage; anything
// else is HttpEndpoint.InvalidResponseFromDestination. Redirects are not
// followed. Bodies over 1 MiB are HttpEndpoint.ResponseTooLarge. Every
// other status is HttpEndpoint.DestinationException. Each attempt waits up
// to 3 minutes for the answer (Settings.ResponseTimeout; by default 180 of
// the configuration's seconds, so tests that shorten dest.Options.TimeUnit
// shorten it too), then HttpEndpoint.RequestTimeout; connections that fail
// are HttpEndpoint.ConnectionFailed, ConnectionReset or SSLHandshakeFailure.
// Failed attempts are retried with exponential backoff (1 s, doubling, up
// to 2 min, with jitter) until RetryOptions.DurationInSeconds is used up,
// counted from the first attempt (AWS counts only the time after the first
// failure and not the time spent waiting for answers, so kinesin may make
// a few attempts fewer).
//
// A 413 ends the retries at once. AWS's specification says it then drops
// the batch without writing it to the error output; kinesin writes the
// records to the error output like any other failure, so that nothing is
// lost silently.
//
// # Failures
//
// Records given up on become dest.Failures with OutputType
// "http-endpoint-failed", the error codes above (the codes AWS documents in
// "Troubleshooting HTTP endpoints") and a message in AWS's words where AWS
// documents them: "The following response was received from the endpoint
// destination. <status>: <body>" for DestinationException (the body holds
// the endpoint's errorMessage), "The response received from the specified
// endpoint is invalid. Contact the owner of the endpoint to resolve the
// issue. Response for request <id> …" for InvalidResponseFromDestination.
// The messages of the timeout and connection errors are kinesin's own; AWS
// does not document them. The failure documents have no members beyond
// the common ones (AWS documents none for this destination).
package httpendpoint

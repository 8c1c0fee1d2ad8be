// Package splunk is Firehose's Splunk destination
// (SplunkDestinationConfiguration): it delivers each buffer of records to a
// Splunk HTTP Event Collector (HEC) with indexer acknowledgement, the way
// Amazon Data Firehose does.
//
// Wire behaviour, as AWS documents it:
//
//   - The request body is the records' bytes concatenated, for both
//     endpoint types ("Firehose concatenates the bytes that you send"):
//     Raw posts to {HECEndpoint}/services/collector/raw, Event posts to
//     {HECEndpoint}/services/collector/event, where every record must
//     already be an HEC event object ({"event": ...}), usually made by a
//     transformation Lambda. Delimiters are the producer's business.
//   - Every request carries "Authorization: Splunk <HECToken>" and an
//     X-Splunk-Request-Channel that stays the same for the destination's
//     life. HEC answers {"text":"Success","code":0,"ackId":N}; the
//     destination then polls /services/collector/ack with {"acks":[N]}
//     until HEC answers {"acks":{"N":true}} or HECAcknowledgmentTimeout
//     passes (Splunk.AckTimeout). A token without indexer acknowledgement
//     is Splunk.DisabledAck: Firehose requires acknowledgement.
//   - Every delivery error is retried ("any data delivery error triggers
//     the retry logic if your retry duration is greater than 0") with
//     exponential backoff. The retry duration starts after the first
//     attempt fails and does not count the time spent waiting for
//     acknowledgements; an attempt that started waits for its
//     acknowledgement even after the duration ran out.
//   - Records given up on become failure documents with OutputType
//     "splunk-failed", the error code and message of the last attempt as
//     Firehose words them (Splunk.InvalidToken, Splunk.ServerError, ...)
//     and the member EventId (the record id and its sub-record number,
//     "<id>.<n>").
//
// SecretsManagerConfiguration with Enabled=true is rejected: kinesin has
// no Secrets Manager.
package splunk

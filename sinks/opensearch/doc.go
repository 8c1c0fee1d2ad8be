// Package opensearch is Firehose's Amazon OpenSearch Service destination
// (AmazonopensearchserviceDestinationConfiguration, and the older
// ElasticsearchDestinationConfiguration, which has the same members: a
// Config's Kind says which one it is).
//
// kinesin delivers to ClusterEndpoint, the http or https URL of any
// OpenSearch or Elasticsearch compatible server; a user and password in
// the URL are sent as HTTP basic authentication (a kinesin extension). A
// DomainARN cannot be resolved and is rejected, as is VpcConfiguration.
//
// Delivery follows Firehose's documentation:
//
//   - One _bulk request per batch: newline-delimited JSON, an "index"
//     action per record with _index, _id (unless DocumentIdOptions is
//     NO_DOCUMENT_ID) and _type (when TypeName is set), then the record as
//     one line of JSON. Pretty-printed records are compacted to one line;
//     records that are not JSON are not sent and fail with errorCode
//     "400".
//   - The index name gets the rotation suffix of the record's arrival time
//     in UTC (IndexName): -YYYY-MM-DD-HH, -YYYY-MM-DD, -YYYY-wWW or
//     -YYYY-MM.
//   - FIREHOSE_DEFAULT document ids are the record ids, the same on every
//     attempt, so retries do not index a document twice.
//   - Documents the cluster answers 429 or 5xx for, and whole requests
//     that fail (no connection, a status other than 2xx), are retried with
//     backoff until RetryOptions.DurationInSeconds has passed; documents
//     rejected with another status (a 400 mapping error, say) are given up
//     on at once.
//   - Documents given up on become dest.Failures with OutputType
//     "AmazonOpenSearchService-failed" ("elasticsearch-failed" for an
//     ElasticsearchDestinationConfiguration), errorCode the HTTP status the
//     cluster answered, errorMessage its error (the item's error object as
//     JSON), and the failure document members esDocumentId, esIndexName
//     and esTypeName.
package opensearch

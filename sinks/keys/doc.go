// Package keys names the Amazon S3 objects a Firehose delivery stream
// writes, the way Amazon Data Firehose names them.
//
// An object key is <evaluated prefix><suffix>. The suffix comes from
// [ObjectName]: <stream>-<version>-YYYY-MM-dd-HH-mm-ss-<uuid><extension>.
// The prefix is a user template compiled once by [Parse] (or
// [ParseErrorOutput] for ErrorOutputPrefix) and evaluated per object by
// [Prefix.Render]. Templates may contain !{namespace:value} expressions:
//
//	!{timestamp:<java DateTimeFormatter pattern>}
//	!{firehose:random-string}       11 random characters, new per use
//	!{firehose:error-output-type}   processing-failed, … (ErrorOutputPrefix only)
//	!{partitionKeyFromQuery:key}    dynamic partitioning keys
//	!{partitionKeyFromLambda:key}
//
// [Validate] applies the rules CreateDeliveryStream applies to a Prefix and
// ErrorOutputPrefix pair and reports a violation as an *[Error] carrying
// AWS's InvalidArgumentException code.
//
// Rules follow https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
// and https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html.
// The package is pure: time, randomness and partition keys come from the
// caller, so the delivery engine and tests get the same answers.
package keys

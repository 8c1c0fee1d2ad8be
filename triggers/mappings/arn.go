package mappings

import (
	"regexp"
	"strconv"
	"strings"
)

// arnPattern is the Lambda model's pattern of EventSourceArn and of a
// destination ARN, as ValidationException quotes it.
const arnPattern = `arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)`

// destinationPattern is the model's pattern of a DestinationArn (max 350
// characters), which may also be empty or a Kafka topic.
const destinationPattern = `$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|` + arnPattern

var (
	arnRe         = regexp.MustCompile(`^` + arnPattern + `$`)
	destinationRe = regexp.MustCompile(`^(|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|` + arnPattern + `)$`)
	streamNameRe  = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)
)

// arnService is the service part of an ARN ("" when s is no ARN).
func arnService(s string) string {
	parts := strings.SplitN(s, ":", 4)
	if len(parts) < 4 || parts[0] != "arn" {
		return ""
	}
	return parts[2]
}

// kinesisARN is a parsed Kinesis stream or stream consumer ARN, or a
// Kinesis Video stream ARN (Video set).
type kinesisARN struct {
	Region, Account string
	Stream          string
	// Video: a Kinesis Video stream (stream/NAME/CREATION_MILLIS).
	Video bool
	// Consumer and Created (its registration time, epoch seconds) are set
	// for a consumer ARN: stream/NAME/consumer/CONSUMER:CREATED.
	Consumer string
	Created  int64
}

// parseKinesisARN reads arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME or
// a consumer ARN under it; ok is false for anything else.
func parseKinesisARN(s string) (a kinesisARN, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kinesis" {
		return kinesisARN{}, false
	}
	a.Region, a.Account = parts[3], parts[4]
	rest, found := strings.CutPrefix(parts[5], "stream/")
	if !found {
		return kinesisARN{}, false
	}
	stream, consumer, isConsumer := strings.Cut(rest, "/consumer/")
	if !streamNameRe.MatchString(stream) {
		return kinesisARN{}, false
	}
	a.Stream = stream
	if !isConsumer {
		return a, true
	}
	name, created, found := strings.Cut(consumer, ":")
	if !found || !streamNameRe.MatchString(name) {
		return kinesisARN{}, false
	}
	n, err := strconv.ParseInt(created, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != created {
		return kinesisARN{}, false
	}
	a.Consumer, a.Created = name, n
	return a, true
}

// videoStreamNameRe is KinesisVideo's StreamName pattern and length.
var videoStreamNameRe = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,256}$`)

// parseVideoARN reads
// arn:PARTITION:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_MILLIS;
// ok is false for anything else.
func parseVideoARN(s string) (a kinesisARN, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kinesisvideo" {
		return kinesisARN{}, false
	}
	rest, found := strings.CutPrefix(parts[5], "stream/")
	if !found {
		return kinesisARN{}, false
	}
	name, millis, found := strings.Cut(rest, "/")
	if !found || !videoStreamNameRe.MatchString(name) {
		return kinesisARN{}, false
	}
	n, err := strconv.ParseInt(millis, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != millis {
		return kinesisARN{}, false
	}
	return kinesisARN{Region: parts[3], Account: parts[4], Stream: name, Video: true}, true
}

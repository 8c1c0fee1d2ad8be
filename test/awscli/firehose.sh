#!/usr/bin/env bash
# Drives Firehose with the stock AWS CLI (v1 or v2): a DirectPut delivery
# stream to the embedded S3 stand-in, records put with put-record and
# put-record-batch, found as a GZIP object under the server's data dir
# (DATA_DIR) with Firehose's key layout; then describe, list, errors and
# delete.
set -euo pipefail

: "${AWS_ENDPOINT_URL:?set AWS_ENDPOINT_URL to the server URL}"
: "${DATA_DIR:?set DATA_DIR to the server data dir}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

f() { aws "${blob[@]}" --endpoint-url "$AWS_ENDPOINT_URL" firehose "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

f create-delivery-stream --delivery-stream-name clicks --extended-s3-destination-configuration '{
  "BucketARN": "arn:aws:s3:::lake", "RoleARN": "arn:aws:iam::000000000000:role/firehose",
  "Prefix": "clicks/", "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}, "CompressionFormat": "GZIP"}' |
	json 'd["DeliveryStreamARN"]' | grep -q 'arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks' ||
	fail "create-delivery-stream ARN"
active() { [[ $(f describe-delivery-stream --delivery-stream-name clicks | json 'd["DeliveryStreamDescription"]["DeliveryStreamStatus"]') == ACTIVE ]]; }
poll "clicks ACTIVE" active
expect "list" "$(f list-delivery-streams | json '",".join(d["DeliveryStreamNames"])')" "clicks"

# Blobs are given raw (v1 takes them so; v2 with raw-in-base64-out).
f put-record --delivery-stream-name clicks --record '{"Data":"one\n"}' | json 'len(d["RecordId"]) > 0' | grep -q True || fail "put-record RecordId"
expect "put-record-batch FailedPutCount" \
	"$(f put-record-batch --delivery-stream-name clicks --records '[{"Data":"two\n"},{"Data":"three\n"}]' | json 'd["FailedPutCount"]')" 0

lines() { cat "$DATA_DIR"/s3/lake/clicks/*/*/*/*/clicks-1-*.gz 2>/dev/null | gunzip -c | sort | tr '\n' ' '; }
delivered() { [[ $(lines) == "one three two " ]]; }
poll "three records in gzip objects under s3/lake/clicks/YYYY/MM/dd/HH/" delivered
echo "ok: delivered $(ls "$DATA_DIR"/s3/lake/clicks/*/*/*/*/ | head -1)"

err=$(f put-record --delivery-stream-name nope --record Data=eAo= 2>&1 || true)
[[ $err == *ResourceNotFoundException* ]] || fail "put to unknown stream: $err"
echo "ok: unknown stream is ResourceNotFoundException"
err=$(f create-delivery-stream --delivery-stream-name bad --extended-s3-destination-configuration '{
  "BucketARN": "arn:aws:s3:::lake", "RoleARN": "arn:aws:iam::000000000000:role/firehose",
  "Prefix": "y=!{timestamp:yyyy}/"}' 2>&1 || true)
[[ $err == *InvalidArgumentException* ]] || fail "prefix expression without ErrorOutputPrefix: $err"
echo "ok: prefix with expressions needs ErrorOutputPrefix"

# update-destination: the new prefix and version name the next objects.
f update-destination --delivery-stream-name clicks --current-delivery-stream-version-id 1 \
	--destination-id destinationId-000000000001 --extended-s3-destination-update '{"Prefix": "v2/"}' >/dev/null ||
	fail "update-destination"
expect "VersionId after update" "$(f describe-delivery-stream --delivery-stream-name clicks | json 'd["DeliveryStreamDescription"]["VersionId"]')" 2
err=$(f update-destination --delivery-stream-name clicks --current-delivery-stream-version-id 1 \
	--destination-id destinationId-000000000001 --extended-s3-destination-update '{"Prefix": "v3/"}' 2>&1 || true)
[[ $err == *ConcurrentModificationException* ]] || fail "stale version id: $err"
f put-record --delivery-stream-name clicks --record '{"Data":"four\n"}' >/dev/null
v2() { cat "$DATA_DIR"/s3/lake/v2/*/*/*/*/clicks-2-*.gz 2>/dev/null | gunzip -c | grep -q four; }
poll "a version-2 object under s3/lake/v2/" v2
echo "ok: update-destination"

f delete-delivery-stream --delivery-stream-name clicks >/dev/null
gone() { ! f describe-delivery-stream --delivery-stream-name clicks >/dev/null 2>&1; }
poll "clicks deleted" gone
echo "ok: deleted"

#!/usr/bin/env bash
# Drives event source mappings with the stock AWS CLI (v1 or v2): a
# WebAssembly function fed by a Kinesis stream through
# create-event-source-mapping, records put with `aws kinesis put-record`
# reaching the function, then get/list/update/delete and the error paths.
# Needs AWS_ENDPOINT_URL and FUNCTION_WASM (a zipped WebAssembly build of
# examples/functions/go-handler, which reports a record whose data is "fail"
# in batchItemFailures). What the function did is read from the mapping's
# per-shard progress, kinesin's extension
# GET /kinesin/v1/event-source-mappings/UUID/shards (with curl).
set -euo pipefail

: "${AWS_ENDPOINT_URL:?set AWS_ENDPOINT_URL to the server URL}"
: "${FUNCTION_WASM:?set FUNCTION_WASM to a zipped WebAssembly KinesisEvent handler}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
region=${AWS_DEFAULT_REGION:-us-east-1}

k() { aws "${blob[@]}" --endpoint-url "$AWS_ENDPOINT_URL" kinesis "$@"; }
l() { aws "${blob[@]}" --endpoint-url "$AWS_ENDPOINT_URL" lambda "$@"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

stream="orders-$$-$RANDOM"
f="esm-$$-$RANDOM"
arn="arn:aws:kinesis:$region:000000000000:stream/$stream"

k create-stream --stream-name "$stream" --shard-count 1
k wait stream-exists --stream-name "$stream"
expect "stream ARN" "$(k describe-stream-summary --stream-name "$stream" --query StreamDescriptionSummary.StreamARN --output text)" "$arn"
l create-function --function-name "$f" --runtime wasm --handler handler \
	--role arn:aws:iam::000000000000:role/r --zip-file "fileb://$FUNCTION_WASM" >/dev/null
l wait function-active-v2 --function-name "$f"

# Create: the answer is the new mapping, in state Creating (or already
# Enabled if a runner was quick).
l create-event-source-mapping --function-name "$f" --event-source-arn "$arn" \
	--starting-position TRIM_HORIZON --batch-size 100 >"$out/create.json"
uuid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["UUID"])' "$out/create.json")
[[ $uuid =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || fail "UUID '$uuid'"
echo "ok: created mapping $uuid"
get() { l get-event-source-mapping --uuid "$uuid" --query "$1" --output text; }
expect "created source, function, batch size, position" "$(get '[EventSourceArn, FunctionArn, BatchSize, StartingPosition]')" \
	"$arn"$'\t'"arn:aws:lambda:$region:000000000000:function:$f"$'\t100\tTRIM_HORIZON'
state_is() { [[ $(get State) == "$1" ]]; }
poll "state Enabled" state_is Enabled
expect "last result before any record" "$(get LastProcessingResult)" "No records processed"

expect "list by function" "$(l list-event-source-mappings --function-name "$f" --query 'EventSourceMappings[].UUID' --output text)" "$uuid"
expect "list by source" "$(l list-event-source-mappings --event-source-arn "$arn" --query 'EventSourceMappings[].UUID' --output text)" "$uuid"

# A record put with the CLI reaches the function: the mapping's shard
# progress (kinesin's extension) counts it and checkpoints at its sequence
# number.
progress() { # prints "RECORDS ERRORS DROPPED CHECKPOINT" of the one shard
	curl -fsS "$AWS_ENDPOINT_URL/kinesin/v1/event-source-mappings/$uuid/shards" | python3 -c '
import json, sys
s = json.load(sys.stdin)["Shards"][0]
print(s["Stats"]["Records"], s["Stats"]["Errors"], s["Stats"]["Dropped"], s.get("Checkpoint") or "-")'
}
seq=$(k put-record --stream-name "$stream" --partition-key pk --data hello --query SequenceNumber --output text)
[[ $seq =~ ^[0-9]+$ ]] || fail "put-record: SequenceNumber '$seq'"
poll "the function handled record $seq" eval '[[ $(progress) == "1 0 0 $seq" ]]'
expect "last result" "$(get LastProcessingResult)" OK

# Update: settings change, the state goes through Updating back to Enabled.
l update-event-source-mapping --uuid "$uuid" --batch-size 50 --maximum-retry-attempts 2 \
	--bisect-batch-on-function-error --function-response-types ReportBatchItemFailures >/dev/null
poll "state Enabled after update" state_is Enabled
expect "updated settings" "$(get '[BatchSize, MaximumRetryAttempts, BisectBatchOnFunctionError, FunctionResponseTypes[0]]')" \
	$'50\t2\tTrue\tReportBatchItemFailures'
# The function reports a record whose data is "fail" as failed: with
# ReportBatchItemFailures that fails the batch, which is retried twice and
# then given up on, so the function saw the record's data.
seq2=$(k put-record --stream-name "$stream" --partition-key pk --data fail --query SequenceNumber --output text)
poll "record $seq2 failed in the function, given up after 2 retries" eval '[[ $(progress) =~ ^[12]\ [1-9][0-9]*\ 1\ $seq2$ ]]'
l update-event-source-mapping --uuid "$uuid" --no-enabled >/dev/null
poll "state Disabled" state_is Disabled
l update-event-source-mapping --uuid "$uuid" --enabled >/dev/null
poll "state Enabled again" state_is Enabled

# Errors: a second mapping of the same function and stream, an unknown
# UUID, a starting position the API refuses.
if l create-event-source-mapping --function-name "$f" --event-source-arn "$arn" --starting-position LATEST 2>"$out/dup.txt" >/dev/null; then
	fail "a second mapping of the same function and stream was created"
fi
grep -q ResourceConflictException "$out/dup.txt" || fail "duplicate: $(cat "$out/dup.txt")"
echo "ok: duplicate → ResourceConflictException"
if l get-event-source-mapping --uuid 00000000-0000-0000-0000-000000000000 2>"$out/nf.txt" >/dev/null; then
	fail "get of an unknown UUID succeeded"
fi
grep -q ResourceNotFoundException "$out/nf.txt" || fail "unknown UUID: $(cat "$out/nf.txt")"
echo "ok: unknown UUID → ResourceNotFoundException"
if l create-event-source-mapping --function-name "$f" --event-source-arn "$arn" --starting-position AT_TIMESTAMP 2>"$out/ts.txt" >/dev/null; then
	fail "AT_TIMESTAMP without a timestamp was accepted"
fi
grep -q InvalidParameterValueException "$out/ts.txt" || fail "AT_TIMESTAMP without a timestamp: $(cat "$out/ts.txt")"
echo "ok: AT_TIMESTAMP without a timestamp → InvalidParameterValueException"

# Delete: Deleting, then gone.
expect "delete answers" "$(l delete-event-source-mapping --uuid "$uuid" --query State --output text)" Deleting
gone() { ! l get-event-source-mapping --uuid "$uuid" >/dev/null 2>&1; }
poll "mapping deleted" gone
expect "list after delete" "$(l list-event-source-mappings --function-name "$f" --query 'length(EventSourceMappings)' --output text)" 0

l delete-function --function-name "$f" >/dev/null
k delete-stream --stream-name "$stream"
echo "mappings.sh: all checks passed"

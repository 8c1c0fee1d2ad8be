#!/usr/bin/env bash
# Drives Kinesis Data Analytics (SQL applications) with the stock AWS CLI
# (v1 or v2): a stream of JSON ticker records, discover-input-schema on it,
# create-application with that schema, an output stream and a tumbling
# window, start-application from TRIM_HORIZON, the window's rows read back
# from the output stream with `aws kinesis get-records`, then
# describe/list, update-application, the error paths, stop-application and
# delete-application. Needs AWS_ENDPOINT_URL.
set -euo pipefail

: "${AWS_ENDPOINT_URL:?set AWS_ENDPOINT_URL to the server URL}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
region=${AWS_DEFAULT_REGION:-us-east-1}

k() { aws "${blob[@]}" --endpoint-url "$AWS_ENDPOINT_URL" kinesis "$@"; }
ka() { aws --endpoint-url "$AWS_ENDPOINT_URL" kinesisanalytics "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

in="ticker-$$-$RANDOM"
dest="stats-$$-$RANDOM"
app="stats-$$-$RANDOM"
role=arn:aws:iam::000000000000:role/kinesis-analytics
for s in "$in" "$dest"; do
	k create-stream --stream-name "$s" --shard-count 1
	k wait stream-exists --stream-name "$s"
done
in_arn="arn:aws:kinesis:$region:000000000000:stream/$in"
dest_arn="arn:aws:kinesis:$region:000000000000:stream/$dest"

for r in '{"ticker":"AMZN","price":10.5}' '{"ticker":"MSFT","price":9}' '{"ticker":"AMZN","price":12}'; do
	k put-record --stream-name "$in" --partition-key p --data "$r" >/dev/null
done
echo "ok: put 3 records"

# discover-input-schema samples the stream: JSON, two columns.
ka discover-input-schema --resource-arn "$in_arn" --role-arn "$role" \
	--input-starting-position-configuration InputStartingPosition=TRIM_HORIZON >"$out/discover.json"
expect "discovered format" "$(json 'd["InputSchema"]["RecordFormat"]["RecordFormatType"]' <"$out/discover.json")" JSON
expect "discovered columns" "$(json '",".join(c["Name"]+" "+c["SqlType"]+" "+c["Mapping"] for c in d["InputSchema"]["RecordColumns"])' <"$out/discover.json")" \
	'ticker VARCHAR(4) $.ticker,price REAL $.price'
expect "raw records" "$(json 'len(d["RawInputRecords"])' <"$out/discover.json")" 3

# create-application with the discovered schema, one output, a tumbling window.
code='CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), lo DOUBLE, hi DOUBLE, n INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "ticker", MIN("price"), MAX("price"), COUNT(*) FROM "SOURCE_SQL_STREAM_001"
  GROUP BY "ticker", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '"'1'"' SECOND);'
schema=$(json 'json.dumps(d["InputSchema"])' <"$out/discover.json")
ka create-application --application-name "$app" --application-code "$code" \
	--inputs "[{\"NamePrefix\": \"SOURCE_SQL_STREAM\", \"KinesisStreamsInput\": {\"ResourceARN\": \"$in_arn\", \"RoleARN\": \"$role\"}, \"InputSchema\": $schema}]" \
	--outputs "[{\"Name\": \"DESTINATION_SQL_STREAM\", \"KinesisStreamsOutput\": {\"ResourceARN\": \"$dest_arn\", \"RoleARN\": \"$role\"}, \"DestinationSchema\": {\"RecordFormatType\": \"JSON\"}}]" \
	>"$out/create.json"
expect "created" "$(json 'd["ApplicationSummary"]["ApplicationStatus"]' <"$out/create.json")" READY
expect "application ARN" "$(json 'd["ApplicationSummary"]["ApplicationARN"]' <"$out/create.json")" \
	"arn:aws:kinesisanalytics:$region:000000000000:application/$app"
listed() { ka list-applications | json '"'"$app"'" in [a["ApplicationName"] for a in d["ApplicationSummaries"]]'; }
expect "listed" "$(listed)" True

ka describe-application --application-name "$app" >"$out/describe.json"
input_id=$(json 'd["ApplicationDetail"]["InputDescriptions"][0]["InputId"]' <"$out/describe.json")
expect "input id" "$input_id" 1.1
expect "in-application stream" "$(json 'd["ApplicationDetail"]["InputDescriptions"][0]["InAppStreamNames"][0]' <"$out/describe.json")" SOURCE_SQL_STREAM_001
expect "version" "$(json 'd["ApplicationDetail"]["ApplicationVersionId"]' <"$out/describe.json")" 1

ka start-application --application-name "$app" \
	--input-configurations "Id=$input_id,InputStartingPositionConfiguration={InputStartingPosition=TRIM_HORIZON}"
running() { [[ $(ka describe-application --application-name "$app" | json 'd["ApplicationDetail"]["ApplicationStatus"]') == RUNNING ]]; }
poll "$app RUNNING" running

# The window's rows arrive in the output stream once its second is over.
rows() {
	local it
	it=$(k get-shard-iterator --stream-name "$dest" --shard-id shardId-000000000000 --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
	k get-records --shard-iterator "$it" |
		python3 -c 'import base64,json,sys; print(" ".join(sorted(base64.b64decode(r["Data"]).decode() for r in json.load(sys.stdin)["Records"])))'
}
windowed() { [[ $(rows) == '{"TICKER":"AMZN","LO":10.5,"HI":12.0,"N":2} {"TICKER":"MSFT","LO":9.0,"HI":9.0,"N":1}' ]]; }
poll "one row per ticker in $dest" windowed

# update-application: new code, version 2.
ka update-application --application-name "$app" --current-application-version-id 1 \
	--application-update "{\"ApplicationCodeUpdate\": $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1] + "\n-- v2\n"))' "$code")}"
expect "version after update" "$(ka describe-application --application-name "$app" | json 'd["ApplicationDetail"]["ApplicationVersionId"]')" 2

# Errors as AWS names them.
err=$(ka describe-application --application-name nope 2>&1 || true)
[[ $err == *ResourceNotFoundException* ]] || fail "describe unknown application: $err"
err=$(ka update-application --application-name "$app" --current-application-version-id 1 \
	--application-update '{"ApplicationCodeUpdate": "SELECT 1"}' 2>&1 || true)
[[ $err == *ConcurrentModificationException* ]] || fail "stale version id: $err"
err=$(ka create-application --application-name "$app" --application-code "$code" 2>&1 || true)
[[ $err == *ResourceInUseException* ]] || fail "create twice: $err"
echo "ok: errors"

ka stop-application --application-name "$app"
ready() { [[ $(ka describe-application --application-name "$app" | json 'd["ApplicationDetail"]["ApplicationStatus"]') == READY ]]; }
poll "$app READY" ready

created=$(ka describe-application --application-name "$app" | json 'd["ApplicationDetail"]["CreateTimestamp"]')
ka delete-application --application-name "$app" --create-timestamp "$created"
gone() { ! ka describe-application --application-name "$app" >/dev/null 2>&1; }
poll "$app deleted" gone
expect "listed after delete" "$(listed)" False

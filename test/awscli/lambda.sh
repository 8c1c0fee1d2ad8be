#!/usr/bin/env bash
# Drives the Lambda API with the stock AWS CLI: the commands of the README
# (create-function with a ZIP, wait function-active-v2, invoke) and the
# version, alias, configuration and error paths. Needs AWS_ENDPOINT_URL and
# FUNCTION_ZIP (a provided.al2023 package of examples/functions/lambda-noop).
set -euo pipefail

: "${AWS_ENDPOINT_URL:?set AWS_ENDPOINT_URL to the server URL}"
: "${FUNCTION_ZIP:?set FUNCTION_ZIP to a deployment package}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

l() { aws "${blob[@]}" --endpoint-url "$AWS_ENDPOINT_URL" lambda "$@"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
f="cli-$$-$RANDOM"

l create-function --function-name "$f" --runtime provided.al2023 --handler bootstrap \
	--role arn:aws:iam::000000000000:role/r --zip-file "fileb://$FUNCTION_ZIP" >"$out/create.json"
l wait function-active-v2 --function-name "$f"
expect "state" "$(l get-function-configuration --function-name "$f" --query State --output text)" Active

l invoke --function-name "$f" --payload '{"hello":"world"}' "$out/resp.json" >"$out/meta.json"
expect "echo" "$(tr -d ' \n' <"$out/resp.json")" '{"hello":"world"}'
expect "status" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["StatusCode"])' "$out/meta.json" 2>/dev/null || grep -o '"StatusCode": *[0-9]*' "$out/meta.json" | grep -o '[0-9]*$')" 200

l invoke --function-name "$f" --payload '{"error":"boom"}' "$out/err.json" >"$out/errmeta.json"
grep -q '"FunctionError": "Unhandled"' "$out/errmeta.json" || fail "function error not reported: $(cat "$out/errmeta.json")"
grep -q boom "$out/err.json" || fail "error body: $(cat "$out/err.json")"
echo "ok: function error → Unhandled"

l invoke --function-name "$f" --payload '{"log":"hello-log"}' --log-type Tail "$out/log.json" \
	--query LogResult --output text | base64 -d | grep -q hello-log || fail "log tail lacks the function's output"
echo "ok: log tail"

l update-function-configuration --function-name "$f" --timeout 10 --environment 'Variables={STAGE=test}' >/dev/null
l wait function-updated-v2 --function-name "$f"
expect "timeout" "$(l get-function-configuration --function-name "$f" --query Timeout --output text)" 10
l invoke --function-name "$f" --payload '{"env":["STAGE"]}' "$out/env.json" >/dev/null
expect "environment" "$(tr -d ' \n' <"$out/env.json")" '{"STAGE":"test"}'

expect "published version" "$(l publish-version --function-name "$f" --query Version --output text)" 1
l create-alias --function-name "$f" --name live --function-version 1 >/dev/null
l invoke --function-name "$f" --qualifier live --payload '{}' "$out/alias.json" >"$out/aliasmeta.json"
grep -q '"ExecutedVersion": "1"' "$out/aliasmeta.json" || fail "alias did not run version 1: $(cat "$out/aliasmeta.json")"
echo "ok: alias live → version 1"

l list-functions --query "Functions[?FunctionName=='$f'].FunctionName" --output text | grep -q "$f" || fail "list-functions"
echo "ok: list-functions"

l delete-function --function-name "$f"
if l get-function --function-name "$f" 2>"$out/nf.txt"; then fail "deleted function still there"; fi
grep -q ResourceNotFoundException "$out/nf.txt" || fail "missing function: $(cat "$out/nf.txt")"
echo "ok: ResourceNotFoundException after delete"
# A WebAssembly function, created the same way with kinesin's runtime name.
if [[ -n ${FUNCTION_WASM:-} ]]; then
	w="wasm-$$-$RANDOM"
	l create-function --function-name "$w" --runtime wasm --handler handler \
		--role arn:aws:iam::000000000000:role/r --zip-file "fileb://$FUNCTION_WASM" >/dev/null
	l wait function-active-v2 --function-name "$w"
	event='{"Records":[{"kinesis":{"partitionKey":"k","sequenceNumber":"1","data":"b2s="},"eventID":"shardId-000000000000:1"},{"kinesis":{"partitionKey":"k","sequenceNumber":"2","data":"ZmFpbA=="},"eventID":"shardId-000000000000:2"}]}'
	l invoke --function-name "$w" --payload "$event" "$out/wasm.json" >/dev/null
	expect "wasm KinesisEvent handler" "$(tr -d ' \n' <"$out/wasm.json")" '{"batchItemFailures":[{"itemIdentifier":"2"}]}'
	l delete-function --function-name "$w"
fi
echo "lambda.sh: all checks passed"

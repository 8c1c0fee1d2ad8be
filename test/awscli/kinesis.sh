#!/usr/bin/env bash
# Drives a Kinesis Data Streams endpoint with the stock AWS CLI (v1 or v2) and
# checks the answers. Needs AWS_ENDPOINT_URL (passed explicitly with
# --endpoint-url, because older CLIs ignore the variable), credentials and a
# region in the environment. Run by awscli_test.go against an in-process
# kinesin; it also works against any other endpoint.
set -euo pipefail

: "${AWS_ENDPOINT_URL:?set AWS_ENDPOINT_URL to the server URL}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

k() { aws "${blob[@]}" --endpoint-url "$AWS_ENDPOINT_URL" kinesis "$@"; }
summary() { k describe-stream-summary --stream-name "$stream" --query "StreamDescriptionSummary.$1" --output text; }

stream="awscli-$$-$RANDOM"
echo "stream: $stream"

k create-stream --stream-name "$stream" --shard-count 2
k wait stream-exists --stream-name "$stream"
expect "status after create" "$(summary StreamStatus)" ACTIVE
expect "open shards after create" "$(summary OpenShardCount)" 2
expect "list-streams has the stream" \
	"$(k list-streams --query "length(StreamNames[?@ == '$stream'])" --output text)" 1

shard=$(k put-record --stream-name "$stream" --partition-key pk-0 --data "hello kinesin" --query ShardId --output text)
[[ $shard == shardId-* ]] || fail "put-record: ShardId '$shard'"
echo "ok: put-record went to $shard"
expect "put-records failed/accepted" "$(k put-records --stream-name "$stream" \
	--records Data=one,PartitionKey=pk-1 Data=two,PartitionKey=pk-2 Data=three,PartitionKey=pk-3 \
	--query '[FailedRecordCount, length(Records)]' --output text)" $'0\t3'

# Read every shard from TRIM_HORIZON until a read comes back empty.
read_all() {
	local shard it line words d n
	for shard in $(k list-shards --stream-name "$stream" --query 'Shards[].ShardId' --output text); do
		it=$(k get-shard-iterator --stream-name "$stream" --shard-id "$shard" \
			--shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
		for ((n = 0; n < 10; n++)); do
			# One line: the records' base64 data, then the next iterator (END at a
			# closed shard's end).
			line=$(k get-records --shard-iterator "$it" --output text \
				--query "join(' ', [Records[].Data, [NextShardIterator || 'END']][])")
			read -r -a words <<<"$line"
			it=${words[-1]}
			((${#words[@]} > 1)) || break
			for d in "${words[@]:0:${#words[@]}-1}"; do
				printf '%s' "$d" | base64 -d
				echo
			done
			[[ $it != END ]] || break
		done
	done
}
got=$(read_all | sort)
expect "records read back" "$(wc -l <<<"$got")" 4
expect "data read back" "$(tr '\n' '|' <<<"$got")" "hello kinesin|one|three|two|"

expect "list-shards count" "$(k list-shards --stream-name "$stream" --query 'length(Shards)' --output text)" 2
# Two shards split the hash key space evenly; split the first one in half.
expect "first shard's ending hash key" "$(k list-shards --stream-name "$stream" \
	--query "Shards[?ShardId=='shardId-000000000000'].HashKeyRange.EndingHashKey | [0]" --output text)" \
	170141183460469231731687303715884105727
k split-shard --stream-name "$stream" --shard-to-split shardId-000000000000 \
	--new-starting-hash-key 85070591730234615865843651857942052864
k wait stream-exists --stream-name "$stream"
expect "status after split" "$(summary StreamStatus)" ACTIVE
expect "open shards after split" "$(summary OpenShardCount)" 3
if out=$(k list-shards --stream-name "$stream" --shard-filter Type=AT_LATEST --query 'length(Shards)' --output text 2>&1); then
	expect "list-shards AT_LATEST" "$out" 3
elif [[ $out == *"Unknown options"* || $out == *"Unknown parameter"* ]]; then
	echo "this CLI has no --shard-filter: counting open shards by query"
else
	fail "list-shards --shard-filter: $out"
fi
expect "shards without an ending sequence number" "$(k list-shards --stream-name "$stream" \
	--query 'length(Shards[?SequenceNumberRange.EndingSequenceNumber == null])' --output text)" 3
expect "all shards after split" "$(k list-shards --stream-name "$stream" --query 'length(Shards)' --output text)" 4

k add-tags-to-stream --stream-name "$stream" --tags team=data,env=test
expect "tag team" "$(k list-tags-for-stream --stream-name "$stream" --query "Tags[?Key=='team'].Value | [0]" --output text)" data
expect "tag count" "$(k list-tags-for-stream --stream-name "$stream" --query 'length(Tags)' --output text)" 2

k increase-stream-retention-period --stream-name "$stream" --retention-period-hours 48
expect "retention hours" "$(summary RetentionPeriodHours)" 48

if err=$(k describe-stream --stream-name "$stream-missing" 2>&1 >/dev/null); then
	fail "describe-stream on a missing stream succeeded"
fi
[[ $err == *ResourceNotFoundException* ]] || fail "describe-stream on a missing stream: $err"
echo "ok: missing stream gives ResourceNotFoundException"

k delete-stream --stream-name "$stream"
k wait stream-not-exists --stream-name "$stream"
echo "ok: deleted"
echo PASS

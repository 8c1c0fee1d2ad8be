#!/usr/bin/env bash
# Drives Kinesis Video Streams with the stock AWS CLI (v1 or v2) and curl as
# the producer (the AWS producer SDKs upload through libcurl the same way): a
# stream made with `aws kinesisvideo create-stream`, ffmpeg's H.264 in MKV
# sent to PutMedia from the endpoint get-data-endpoint names, the
# per-fragment acknowledgements, list-fragments, get-media-for-fragment-list,
# the HLS and DASH session URLs played by ffprobe, get-clip's MP4,
# get-images, metadata updates, the error paths and delete-stream. Needs
# AWS_ENDPOINT_URL, ffmpeg, ffprobe and curl.
set -euo pipefail

: "${AWS_ENDPOINT_URL:?set AWS_ENDPOINT_URL to the server URL}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
region=${AWS_DEFAULT_REGION:-us-east-1}

kv() { aws --endpoint-url "$AWS_ENDPOINT_URL" kinesisvideo "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# frames URL|FILE: "width,height,frames" of the first video stream (ffprobe
# prints an HLS stream once more under its program: the first line is it).
frames() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=width,height,nb_read_frames -of csv=p=0 "$1" | head -n 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

name="cam-$$-$RANDOM"
kv create-stream --stream-name "$name" --data-retention-in-hours 2 --media-type video/h264 \
	--tags owner=ci >"$out/create.json"
arn=$(json 'd["StreamARN"]' <"$out/create.json")
[[ $arn == arn:aws:kinesisvideo:$region:000000000000:stream/$name/* ]] || fail "stream ARN $arn"
echo "ok: created $arn"
active() { [[ $(kv describe-stream --stream-name "$name" | json 'd["StreamInfo"]["Status"]') == ACTIVE ]]; }
poll "stream ACTIVE" active
expect "retention" "$(kv describe-stream --stream-arn "$arn" | json 'd["StreamInfo"]["DataRetentionInHours"]')" 2
expect "listed" "$(kv list-streams | json '"'"$name"'" in [s["StreamName"] for s in d["StreamInfoList"]]')" True
expect "tags" "$(kv list-tags-for-stream --stream-name "$name" | json 'd["Tags"]["owner"]')" ci

# A real producer first asks where to send media.
ep=$(kv get-data-endpoint --stream-name "$name" --api-name PUT_MEDIA | json 'd["DataEndpoint"]')
[[ -n $ep ]] || fail "no data endpoint"
echo "ok: data endpoint $ep"

# 6 s of 320x180 H.264, one cluster (fragment) per 1 s GOP.
ffmpeg -v error -f lavfi -i testsrc=size=320x180:rate=30 -t 6 -c:v libx264 -g 30 -keyint_min 30 \
	-sc_threshold 0 -bf 0 -pix_fmt yuv420p -f matroska -cluster_time_limit 1100 "$out/in.mkv"
curl -sS -N --fail-with-body -X POST "$ep/putMedia" \
	-H "x-amzn-stream-name: $name" -H "x-amzn-fragment-timecode-type: RELATIVE" \
	-H "x-amzn-producer-start-timestamp: $(date +%s).000" -H "Transfer-Encoding: chunked" \
	--data-binary @"$out/in.mkv" >"$out/acks.txt"
acks() { python3 -c "
import json,sys
evs=[json.loads(l) for l in open('$out/acks.txt') if l.strip()]
print(sum(1 for e in evs if e['EventType']=='$1'))"; }
expect "PERSISTED acks" "$(acks PERSISTED)" 6
expect "ERROR acks" "$(acks ERROR)" 0

ka() { aws --endpoint-url "$ep" kinesis-video-archived-media "$@"; }
ka list-fragments --stream-name "$name" >"$out/frags.json"
expect "fragments" "$(json 'len(d["Fragments"])' <"$out/frags.json")" 6
expect "fragment length" "$(json 'sorted({round(f["FragmentLengthInMilliseconds"]/100) for f in d["Fragments"]})' <"$out/frags.json")" "[10]"
first=$(json 'sorted(d["Fragments"], key=lambda f: int(f["FragmentNumber"]))[0]["FragmentNumber"]' <"$out/frags.json")
ka get-media-for-fragment-list "$out/one.mkv" --stream-name "$name" --fragments "$first" >/dev/null
expect "fragment frames" "$(frames "$out/one.mkv")" "320,180,30"

now=$(date +%s)
for c in FRAGMENTED_MP4 MPEG_TS; do
	url=$(ka get-hls-streaming-session-url --stream-name "$name" --playback-mode ON_DEMAND --container-format $c \
		--hls-fragment-selector "FragmentSelectorType=SERVER_TIMESTAMP,TimestampRange={StartTimestamp=$((now - 600)),EndTimestamp=$now}" |
		json 'd["HLSStreamingSessionURL"]')
	expect "HLS $c frames" "$(frames "$url")" "320,180,180"
done
url=$(ka get-dash-streaming-session-url --stream-name "$name" --playback-mode ON_DEMAND \
	--dash-fragment-selector "FragmentSelectorType=SERVER_TIMESTAMP,TimestampRange={StartTimestamp=$((now - 600)),EndTimestamp=$now}" |
	json 'd["DASHStreamingSessionURL"]')
expect "DASH frames" "$(frames "$url")" "320,180,180"

ka get-clip --stream-name "$name" \
	--clip-fragment-selector "FragmentSelectorType=SERVER_TIMESTAMP,TimestampRange={StartTimestamp=$((now - 600)),EndTimestamp=$now}" \
	"$out/clip.mp4" >/dev/null
expect "clip frames" "$(frames "$out/clip.mp4")" "320,180,180"
[[ -z $(ffmpeg -v error -i "$out/clip.mp4" -f null - 2>&1) ]] || fail "clip does not decode cleanly"
echo "ok: clip decodes"

start=$(json 'min(f["ProducerTimestamp"] for f in d["Fragments"])' <"$out/frags.json")
ka get-images --stream-name "$name" --image-selector-type PRODUCER_TIMESTAMP \
	--start-timestamp "$start" --end-timestamp "$(python3 -c "print($start + 3)")" \
	--sampling-interval 1000 --format JPEG >"$out/images.json"
expect "images" "$(json 'sum(1 for i in d["Images"] if i.get("ImageContent"))' <"$out/images.json")" 3

# Metadata updates bump the version; a stale version is refused.
v1=$(kv describe-stream --stream-name "$name" | json 'd["StreamInfo"]["Version"]')
kv update-data-retention --stream-name "$name" --current-version "$v1" \
	--operation INCREASE_DATA_RETENTION --data-retention-change-in-hours 3
expect "retention increased" "$(kv describe-stream --stream-name "$name" | json 'd["StreamInfo"]["DataRetentionInHours"]')" 5
if kv update-stream --stream-name "$name" --current-version "$v1" --media-type video/h265 2>"$out/err"; then
	fail "stale version accepted"
fi
grep -q VersionMismatchException "$out/err" || fail "stale version: $(cat "$out/err")"
echo "ok: stale version refused"

# Errors: a missing stream, a duplicate name.
if ka list-fragments --stream-name "nope-$$" 2>"$out/err"; then fail "missing stream listed"; fi
grep -q ResourceNotFoundException "$out/err" || fail "missing stream: $(cat "$out/err")"
if kv create-stream --stream-name "$name" 2>"$out/err"; then fail "duplicate created"; fi
grep -q ResourceInUseException "$out/err" || fail "duplicate: $(cat "$out/err")"
echo "ok: errors"

kv delete-stream --stream-arn "$arn"
gone() { ! kv describe-stream --stream-name "$name" >/dev/null 2>&1; }
poll "stream deleted" gone

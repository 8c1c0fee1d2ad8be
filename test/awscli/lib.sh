# Shared by the AWS CLI scripts (sourced, not run): JSON output, no pager,
# the blob flag for the CLI's major version, and fail/expect/poll.
export AWS_DEFAULT_OUTPUT=json AWS_PAGER=""

version=$(aws --version 2>&1)
echo "$version"
# CLI v2 reads blob arguments as base64 unless told otherwise; v1 reads them
# raw and does not know the option.
blob=()
case $version in
aws-cli/1.*) ;;
*) blob=(--cli-binary-format raw-in-base64-out) ;;
esac

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
expect() { # expect WHAT GOT WANT
	[[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"
	echo "ok: $1 = $3"
}
# poll WHAT COMMAND...: runs COMMAND until it succeeds, for up to a minute.
poll() {
	local what=$1 deadline=$((SECONDS + 60))
	shift
	until "$@"; do
		((SECONDS < deadline)) || fail "timed out waiting for $what"
		sleep 0.2
	done
	echo "ok: $what"
}

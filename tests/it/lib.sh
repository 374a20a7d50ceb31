# Shared by the integration scripts (sourced): pass/fail counting and small
# helpers for HTTP, SQL and Redis against the services integration.sh
# started. The environment carries URL, A_KEY, B_KEY, A_ID, B_ID, BOMD,
# BOMCTL, ROOT, STATE and the BOMD_TEST_* connection details.
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
bad() { FAIL=$((FAIL + 1)); echo "not ok - $1${2:+: $2}"; }
check() {	# check NAME WANT GOT
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "want '$2', got '$3'"; fi
}
check_contains() {	# check_contains NAME NEEDLE HAYSTACK
	case "$3" in *"$2"*) ok "$1" ;; *) bad "$1" "'$2' not in '$3'" ;; esac
}
sql() {
	psql -X -A -t -q -h "$BOMD_TEST_PG_HOST" -p "$BOMD_TEST_PG_PORT" \
	    -U postgres bomd -c "$1"
}
rcli() { redis-cli -p "$BOMD_TEST_REDIS_PORT" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# wait_for TRIES COMMAND...: retries every 0.1 s until COMMAND succeeds
wait_for() {
	local n=$1
	shift
	for _ in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
# summary NAME: the closing line integration.sh reads
summary() {
	echo "$1: $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
# req KEY METHOD PATH [curl args...]: sets CODE and BODY
req() {
	local key=$1 method=$2 path=$3 out
	shift 3
	out=$(curl -s -w '\n%{http_code}' -X "$method" -H "X-API-Key: $key" \
	    "$@" "$URL$path")
	CODE=${out##*$'\n'}
	BODY=${out%$'\n'*}
}
# reqj KEY METHOD PATH JSON: req with a JSON body
reqj() {
	req "$1" "$2" "$3" -H 'Content-Type: application/json' --data-binary "$4"
}
detail() { echo "$BODY" | jq -r .detail; }
TSRE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'
# free_port: a random port in 20000-39999 that nothing listens on
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$(( 20000 + RANDOM % 20000 ))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	echo "$p"
}

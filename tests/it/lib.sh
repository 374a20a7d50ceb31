# Shared by the integration scripts (sourced): pass/fail counting and small
# helpers for HTTP, SQL and Redis against the services integration.sh
# started. The environment carries URL, A_KEY, B_KEY, A_ID, B_ID, BOMD,
# BOMCTL, ROOT, STATE and the BOMD_TEST_* connection details; a suite
# that starts its own services (own_services: auth.sh, checkpoint.sh,
# llm.sh, search.sh) may also run alone, with the tree and the daemon of
# this checkout.
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BOMD=${BOMD:-$ROOT/build/asan/bin/bomd}
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
# check_sanitizers NAME LOG: a check that the daemons logging to LOG
# reported no AddressSanitizer error and no undefined behaviour
check_sanitizers() {
	if grep -q 'ERROR: AddressSanitizer\|runtime error:' "$2"; then
		bad "$1" "$(grep -m3 'AddressSanitizer\|runtime error' "$2")"
	else
		ok "$1"
	fi
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
# stop_pid VAR: stops the process whose PID the variable VAR holds
# (SIGTERM, then waits for it) and empties VAR
stop_pid() {
	if [ -n "${!1}" ]; then
		kill -TERM "${!1}" 2>/dev/null
		wait "${!1}" 2>/dev/null
	fi
	printf -v "$1" '%s' ""
}
# mock_start TOOL DIR SCRIPT PORT [ARGS...]: tests/tools/TOOL (a mock
# server) on PORT (0: a free one), answering by SCRIPT (its faults, one a
# line) and logging to DIR/mock.log; sets MOCK_PID and MPORT (1 and a
# failed check when it does not come up)
mock_start() {
	local tool=$1 dir=$2
	printf '%s\n' "$3" > "$dir/script"
	: > "$dir/mock.out"
	"$ROOT/build/asan/tests/tools/$tool" --port "$4" \
	    --script "$dir/script" --log "$dir/mock.log" "${@:5}" \
	    > "$dir/mock.out" 2>&1 &
	MOCK_PID=$!
	wait_for 100 grep -q '^port=' "$dir/mock.out" ||
	    { bad "mock starts" "$(cat "$dir/mock.out")"; return 1; }
	MPORT=$(sed -n 's/^port=//p' "$dir/mock.out")
}
# mock_stop DIR: stops the mock of mock_start(), its log kept in
# DIR/mock_all.log
mock_stop() {
	stop_pid MOCK_PID
	[ -f "$1/mock.log" ] && cat "$1/mock.log" >> "$1/mock_all.log"
	rm -f "$1/mock.log"
}
# start_bomd LOG URL [ARGS...]: "bomd serve ARGS" in the background,
# configured by the environment, appending to LOG; sets SERVE_PID and
# waits until URL/health answers (1 when it does not)
start_bomd() {
	local log=$1 url=$2
	shift 2
	"$BOMD" serve "$@" >> "$log" 2>&1 &
	SERVE_PID=$!
	wait_for 600 curl -sf -o /dev/null "$url/health"
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
# check_refused NAME CODE DETAIL: the answer of the last req is CODE with
# the detail DETAIL (two checks: "NAME is CODE" and "NAME: detail")
check_refused() {
	check "$1 is $2" "$2" "$CODE"
	check "$1: detail" "$3" "$(detail)"
}
TSRE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'
# the keys of a project summary and of a trace step, as jq -c 'keys' lists
SUMMARY_KEYS='["created_at","line_item_count","project_id","project_name","status","updated_at"]'
STEP_KEYS='["agent","message","reasoning","references","step","timestamp"]'
# own_services NAME DIR [VAR=VALUE...]: the suite's own Redis and
# PostgreSQL in DIR (made when missing), started with the extra
# environment; from here on sql and rcli talk to them. 1 and a failed
# check when they do not start
own_services() {
	local name=$1 dir=$2 out
	shift 2
	out=$(env "$@" "$ROOT/scripts/local-services" start "$dir") &&
	    eval "$out" || { bad "$name: own services start"; return 1; }
}
# own_services_stop DIR [LOG]: the tail of LOG when a check failed, then
# stops the services of own_services() in DIR
own_services_stop() {
	if [ "$FAIL" -gt 0 ] && [ -n "${2:-}" ]; then
		echo "--- $(basename "$2") (tail)"
		tail -40 "$2" 2>/dev/null
	fi
	"$ROOT/scripts/local-services" stop "$1" >/dev/null 2>&1
}
# free_port: a port nothing listens on, below the ephemeral range
# (scripts/free-port)
free_port() { "$ROOT/scripts/free-port"; }
# serve WORKERS [VAR=VALUE...]: "bomd serve --workers WORKERS" with the
# extra environment, on a port free at that moment (a shared machine),
# appending to $LOG; sets SERVE (its pid), SPORT and SURL and exports
# BOMD_LISTEN; waits for its health and its workers (1 when they do not
# come)
serve() {
	local n=$1
	shift
	echo "--- serve $n $*" >> "$LOG"
	SPORT=$(free_port)
	SURL=http://127.0.0.1:$SPORT
	export BOMD_LISTEN=127.0.0.1:$SPORT
	env "$@" "$BOMD" serve --workers "$n" >> "$LOG" 2>&1 &
	SERVE=$!
	wait_for 600 curl -sf -o /dev/null "$SURL/health" &&
	    wait_for 300 test "$(nworkers)" = "$n" && sleep 0.3
}
# stop_serve: SIGTERM to the daemon of serve(); its exit status
stop_serve() {
	kill -TERM "$SERVE"
	wait "$SERVE"
	local rc=$?
	SERVE=""
	return $rc
}
nworkers() { ps -o args= --ppid "$SERVE" | grep -c '^bomd: worker'; }
# child_pid PARENT ROLE: the pid of each child of PARENT whose process
# title is "bomd: ROLE" or "bomd: ROLE N", one a line: "api" names the
# API process, "worker" every worker, "worker 2" worker 2 alone
child_pid() {
	ps -o pid=,args= --ppid "$1" | awk -v r="bomd: $2" '{
		t = $2; for (i = 3; i <= NF; i++) t = t " " $i
		if (t == r || (index(t, r " ") == 1 &&
		    substr(t, length(r) + 2) ~ /^[0-9]+$/)) print $1
	}'
}

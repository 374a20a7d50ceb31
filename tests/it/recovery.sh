#!/bin/bash
# No job lost: workers killed with -9 mid-job, Redis (AOF) and PostgreSQL
# restarted mid-run, a poison job dead-lettered after N crashes, a job over
# its deadline retried, SIGTERM with jobs in flight, pool resizing, dead
# job listing and retry through bomctl. Runs its OWN Redis (AOF on) and
# PostgreSQL and its own daemons; the shared ones are never touched.
#
# Test-only hooks (daemon/stage_intake.c), set only on the daemons here:
#   BOMD_TEST_CRASH_MPN=MPN     a worker whose BOM has MPN calls abort()
#   BOMD_TEST_SLOW_MPN=MPN:MS   sleep MS ms on a job's first attempt
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
ulimit -c 0

RS=$STATE/recovery
SERVE=""
cleanup() {
	stop_pid SERVE
	own_services_stop "$RS"
}
trap cleanup EXIT
own_services recovery "$RS" BOMD_REDIS_AOF=1 || { summary recovery; exit 1; }
PGBIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
RPORT=$(free_port)
export BOMD_LISTEN=127.0.0.1:$RPORT BOMD_SYNC_WAIT=5 BOMD_LOG_LEVEL=info
RURL=http://127.0.0.1:$RPORT
unset BOMD_TEST_CRASH_MPN BOMD_TEST_SLOW_MPN

"$BOMD" migrate >/dev/null 2>&1 || bad "migrate own database"
"$BOMD" offers import tests/fixtures/offers_demo.csv >/dev/null 2>&1
newclient() { "$BOMD" client create --name "$1" 2>/dev/null; }
C1=$(newclient "Recovery Kill"); C1_ID=$(echo "$C1" | jq -r .client_id)
C2=$(newclient "Recovery Restart"); C2_ID=$(echo "$C2" | jq -r .client_id)
C3=$(newclient "Recovery Poison"); C3_ID=$(echo "$C3" | jq -r .client_id)
C3_KEY=$(echo "$C3" | jq -r .api_key)
C4=$(newclient "Recovery Stop"); C4_ID=$(echo "$C4" | jq -r .client_id)
C5=$(newclient "Recovery Other"); C5_KEY=$(echo "$C5" | jq -r .api_key)

LOG=$RS/serve.log
# start_serve WORKERS [VAR=VALUE...]: serve() (lib.sh) on a free RPORT
start_serve() {
	serve "$@"
	local rc=$?
	RPORT=$SPORT RURL=$SURL
	export BOMCTL_URL=$RURL
	return $rc
}
worker_pid() { child_pid "$SERVE" "worker $1"; }
# submit CLIENT JOB_ID LINE...: one small inline BOM via redis-cli (the
# values need no JSON escaping)
submit() {
	local c=$1 j=$2 bom='RefDes,Qty,MPN\nR1,2,RC0805FR-0710KL\n' l
	shift 2
	for l in "$@"; do bom="$bom$l\\n"; done
	rcli XADD bomd:jobs '*' job \
	    "{\"client_id\":\"$c\",\"job_id\":\"$j\",\"bom_csv\":\"$bom\"}" >/dev/null
}
count_status() { sql "SELECT count(*) FROM jobs WHERE client_id = '$1' AND status = '$2'"; }
all_complete() { [ "$(count_status "$1" complete)" = "$2" ]; }
times_used() { sql "SELECT bomd_part_times_used('$1', 'RC0805FR-0710KL')"; }
projects() { sql "SELECT count(*) FROM projects WHERE client_id = '$1'"; }
queue_idle() {
	[ "$(rcli XPENDING bomd:jobs bomd | head -1)" = "0" ] &&
	    [ "$(rcli ZCARD bomd:retry)" = "0" ]
}
now_ms() { date +%s%3N; }

# --- startup warnings ------------------------------------------------------
rcli CONFIG SET maxmemory-policy allkeys-lru >/dev/null
start_serve 4 BOMD_JOB_MAX_ATTEMPTS=10 BOMD_JOB_RETRY_BASE_MS=100 \
    BOMD_TEST_SLOW_MPN=SLOW-R:3000 || bad "daemon starts"
rcli CONFIG SET maxmemory-policy noeviction >/dev/null
check_contains "warns when maxmemory-policy is not noeviction" \
    "maxmemory-policy is allkeys-lru" "$(grep 'master: redis' "$LOG")"

# --- recovery time of a killed worker's job --------------------------------
submit "$C1_ID" recover-1 "U1,1,SLOW-R"
wait_for 50 test "$(rcli XPENDING bomd:jobs bomd | head -1)" = 1
owner=$(rcli XPENDING bomd:jobs bomd - + 1 | sed -n 2p)
pid=$(worker_pid "${owner##*:}")
t0=$(now_ms)
kill -9 "$pid"
wait_for 300 all_complete "$C1_ID" 1
t1=$(now_ms)
echo "recovery_ms=$((t1 - t0))"
check "killed worker's job completes elsewhere" "complete 2" \
    "$(sql "SELECT status || ' ' || attempts FROM jobs WHERE job_id = 'recover-1'")"

stop_serve; check "SIGTERM after the recovery measure: exit 0" "0" "$?"

# --- kill -9 random workers while 200 jobs run ------------------------------
# each job sleeps 100 ms on its first attempt, so the kills hit jobs in flight
start_serve 4 BOMD_JOB_MAX_ATTEMPTS=10 BOMD_JOB_RETRY_BASE_MS=100 \
    BOMD_TEST_SLOW_MPN=SLOW-K:100 || bad "kill daemon starts"
# the killer runs while the jobs are submitted and processed
(
	for _ in $(seq 1 15); do
		all_complete "$C1_ID" 201 && break
		pid=$(child_pid "$SERVE" worker | shuf -n 1)
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && echo "$pid"
		sleep 0.3
	done > "$RS/kills"
) &
killer=$!
for i in $(seq 1 200); do
	submit "$C1_ID" "kill-$i" "C$i,1,CL21B104KBCNNNC" "U1,1,SLOW-K"
done
wait "$killer"
echo "# killed $(wc -l < "$RS/kills") workers"
wait_for 900 all_complete "$C1_ID" 201
check "200 jobs complete despite kill -9" "201" "$(count_status "$C1_ID" complete)"
check "one project per job" "201" "$(projects "$C1_ID")"
check "usage counted exactly once per job" "201" "$(times_used "$C1_ID")"
check "no job dead or failed" "0" "$(sql "SELECT count(*) FROM jobs WHERE client_id = '$C1_ID' AND status <> 'complete'")"
wait_for 100 queue_idle
check "nothing pending or waiting to retry" "0 0" "$(rcli XPENDING bomd:jobs bomd | head -1) $(rcli ZCARD bomd:retry)"
check "the pool is whole again" "4" "$(wait_for 100 test "$(nworkers)" = 4; nworkers)"
check "hand-backs logged" "1" "$(grep -c -m1 'handed back' "$LOG")"

stop_serve; check "SIGTERM after the kill storm: exit 0" "0" "$?"

# --- restart Redis (AOF) and PostgreSQL in the middle of a run --------------
# jobs sleep 200 ms on their first attempt, so the restarts hit jobs in flight
start_serve 3 BOMD_JOB_MAX_ATTEMPTS=10 BOMD_JOB_RETRY_BASE_MS=100 \
    BOMD_TEST_SLOW_MPN=SLOW-2:200 || bad "restart daemon starts"
for i in $(seq 1 100); do
	submit "$C2_ID" "restart-$i" "C$i,1,CL21B104KBCNNNC" "U1,1,SLOW-2"
done
wait_for 100 test "$(count_status "$C2_ID" complete)" -ge 5
kill -9 "$(cat "$RS/redis.pid")"
wait_for 50 eval '! rcli PING >/dev/null 2>&1'
echo "# redis killed with $(count_status "$C2_ID" complete) of 100 complete"
BOMD_REDIS_AOF=1 scripts/local-services start "$RS" >/dev/null
check "redis back on the same port" "PONG" "$(rcli PING)"
echo "# postgresql restarted with $(count_status "$C2_ID" complete) of 100 complete"
as_pg "$PGBIN/pg_ctl" -D "$RS/pg/data" -m fast -w restart >/dev/null 2>&1
check "postgresql restarted" "1" "$(sql 'SELECT 1')"
wait_for 900 all_complete "$C2_ID" 100
check "every job completes across both restarts" "100" "$(count_status "$C2_ID" complete)"
check "one project per job after restarts" "100" "$(projects "$C2_ID")"
check "usage counted once per job after restarts" "100" "$(times_used "$C2_ID")"
wait_for 100 queue_idle
check "queue drained after restarts" "0" "$(rcli XPENDING bomd:jobs bomd | head -1)"
stop_serve; check "SIGTERM: exit 0" "0" "$?"

# --- poison job, a job over its deadline ----------------------------------
start_serve 3 BOMD_JOB_MAX_ATTEMPTS=3 BOMD_JOB_RETRY_BASE_MS=100 \
    BOMD_TEST_CRASH_MPN=POISON-1 BOMD_JOB_TIMEOUT_MS=1000 \
    BOMD_TEST_SLOW_MPN=SLOW-T:1500 || bad "poison daemon starts"
crashes() { grep -c 'master: worker .* killed by signal 6' "$LOG"; }
crashes0=$(crashes)
for i in $(seq 1 10); do submit "$C3_ID" "around-$i" "C$i,1,CL21B104KBCNNNC"; done
submit "$C3_ID" poison-1 "U1,1,POISON-1"
for i in $(seq 11 20); do submit "$C3_ID" "around-$i" "C$i,1,CL21B104KBCNNNC"; done
submit "$C3_ID" slow-t "U2,1,SLOW-T"
wait_for 300 test "$(sql "SELECT status FROM jobs WHERE job_id = 'poison-1'")" = dead
wait_for 300 all_complete "$C3_ID" 21
check "poison job is dead" "dead" "$(sql "SELECT status FROM jobs WHERE job_id = 'poison-1'")"
check "it crashed a worker job_max_attempts times" "3" "$(( $(crashes) - crashes0 ))"
err=$(sql "SELECT error FROM jobs WHERE job_id = 'poison-1'")
check_contains "dead job says why" "gave up after 3 attempts" "$err"
check_contains "dead job names the crash" "killed by signal 6" "$err"
dead=$(rcli XRANGE bomd:dead - + | tr '\n' ' ')
check_contains "poison job in bomd:dead" "poison-1" "$dead"
check_contains "bomd:dead entry has the reason" "killed by signal 6" "$dead"
check "jobs around it complete" "21" "$(count_status "$C3_ID" complete)"
check "job over its deadline retried and completed" "complete 2" \
    "$(sql "SELECT status || ' ' || attempts FROM jobs WHERE job_id = 'slow-t'")"
check_contains "timeout recorded as the reason for the retry" "timed out" "$(grep 'job=slow-t' "$LOG" | grep retry)"

# --- bomctl jobs dead / retry, GET /jobs -------------------------------------
export BOMCTL_URL=$RURL
out=$(BOMCTL_API_KEY=$C3_KEY "$BOMCTL" jobs dead); rc=$?
check "bomctl jobs dead exits 0" "0" "$rc"
check_contains "bomctl jobs dead lists the poison job" "poison-1" "$out"
check "bomctl --json jobs dead" "poison-1 dead" "$(BOMCTL_API_KEY=$C3_KEY "$BOMCTL" --json jobs dead | jq -r '.[] | "\(.job_id) \(.status)"')"
check "another client sees no dead job" "no dead jobs" "$(BOMCTL_API_KEY=$C5_KEY "$BOMCTL" jobs dead)"
check "GET /jobs?status=bogus is 422" "422" "$(code -H "X-API-Key: $C3_KEY" "$RURL/jobs?status=bogus")"
check "GET /jobs lists all states" "22" "$(curl -s -H "X-API-Key: $C3_KEY" "$RURL/jobs" | jq length)"
BOMCTL_API_KEY=$C5_KEY "$BOMCTL" jobs retry poison-1 >/dev/null 2>&1
check "retry of another client's job is 404 (exit 5)" "5" "$?"
check "retry of a complete job is 409" "409" "$(code -X POST -H "X-API-Key: $C3_KEY" "$RURL/jobs/around-1/retry")"
check "retry of an unknown job is 404" "404" "$(code -X POST -H "X-API-Key: $C3_KEY" "$RURL/jobs/nope/retry")"
stop_serve; check "SIGTERM after the poison run: exit 0" "0" "$?"

# --- SIGTERM with jobs in flight, resize, restart drains --------------------
start_serve 2 BOMD_TEST_SLOW_MPN=SLOW-S:1000 || bad "stop daemon starts"
kill -TTIN "$SERVE"
check "SIGTTIN adds a worker" "3" "$(wait_for 50 test "$(nworkers)" = 3; nworkers)"
kill -TTOU "$SERVE"
check "SIGTTOU removes a worker" "2" "$(wait_for 100 test "$(nworkers)" = 2; nworkers)"
out=$(BOMCTL_API_KEY=$C3_KEY "$BOMCTL" jobs retry poison-1); rc=$?
check "bomctl jobs retry exits 0" "0" "$rc"
check_contains "bomctl jobs retry says so" "queued again" "$out"
check "retried job is no longer dead" "0" "$(sql "SELECT count(*) FROM jobs WHERE job_id = 'poison-1' AND status = 'dead'")"
wait_for 100 test "$(sql "SELECT status FROM jobs WHERE job_id = 'poison-1'")" = complete
# jobs of 1 s each: SIGTERM lands while both workers are inside one
for i in $(seq 1 30); do submit "$C4_ID" "stop-$i" "U$i,1,SLOW-S"; done
wait_for 100 test "$(count_status "$C4_ID" running)" -ge 2
stop_serve; check "SIGTERM with jobs in flight: exit 0" "0" "$?"
check "no job left running after a graceful stop" "0" "$(count_status "$C4_ID" running)"
left=$((30 - $(count_status "$C4_ID" complete)))
echo "# $left jobs left for the restart"
start_serve 2 || bad "restart"
wait_for 300 all_complete "$C4_ID" 30
check "restart drains the rest: all complete" "30" "$(count_status "$C4_ID" complete)"
check "each exactly once" "30 30" "$(projects "$C4_ID") $(times_used "$C4_ID")"
check "retried dead job completes, attempts reset" "complete 1" "$(sql "SELECT status || ' ' || attempts FROM jobs WHERE job_id = 'poison-1'")"
stop_serve; check "final SIGTERM: exit 0" "0" "$?"

check_sanitizers "sanitizers clean in the recovery daemons" "$LOG"
summary recovery

#!/bin/bash
# Redis Sentinel (issue 18, #10): a primary, one replica and three
# Sentinels of its own; bomd finds the primary through
# redis_url=redis-sentinel://...; the primary is killed (-9) in the middle
# of a run, with jobs it acknowledged that never reached the replica.
# Every accepted job completes exactly once, and the API keeps answering.
# Then the old primary comes back as a replica and SENTINEL FAILOVER moves
# the primary to it, with the same checks.
# Runs its OWN PostgreSQL (local-services; its plain Redis stays unused)
# and its own daemon; the shared services are never touched.
#
# Test-only hook (daemon/worker/stage_intake.c), set only on the daemon here:
#   BOMD_TEST_SLOW_MPN=MPN:MS   sleep MS ms on a job's first attempt
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
ulimit -c 0

SD=$(mktemp -d "${STATE:-/tmp}/it_sentinel.XXXXXX") && chmod 755 "$SD"
SERVE=""
SUBMITTER=""
MASTER=bomdp
cleanup() {
	local f
	[ -n "$SUBMITTER" ] && kill "$SUBMITTER" 2>/dev/null &&
	    wait "$SUBMITTER" 2>/dev/null
	if [ -n "$SERVE" ] && kill -0 "$SERVE" 2>/dev/null; then
		kill -TERM "$SERVE"
		wait "$SERVE" 2>/dev/null
	fi
	for f in "$SD"/r-*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	scripts/local-services stop "$SD" >/dev/null 2>&1
}
trap cleanup EXIT

mkdir -p "$SD"
eval "$(scripts/local-services start "$SD")" ||
    { bad "own services start"; summary sentinel; exit 1; }
unset BOMD_TEST_CRASH_MPN BOMD_TEST_SLOW_MPN

# --- a primary, a replica, three Sentinels --------------------------------
# redis_start NAME PORT [ARGS...]: a Redis in SD/NAME, its pid in
# SD/r-NAME.pid
redis_start() {
	local name=$1 port=$2
	shift 2
	mkdir -p "$SD/$name"
	redis-server --port "$port" --bind 127.0.0.1 --save '' \
	    --appendonly no --repl-diskless-sync-delay 0 --daemonize yes \
	    --dir "$SD/$name" \
	    --pidfile "$SD/r-$name.pid" --logfile "$SD/$name.log" "$@" \
	    >/dev/null
	wait_for 100 redis-cli -p "$port" PING >/dev/null 2>&1
}
# sentinel_start NAME PORT: a Sentinel watching the primary, quick to
# call it down (1 s) and to fail over
sentinel_start() {
	mkdir -p "$SD/$1"
	cat > "$SD/$1/sentinel.conf" <<-EOF
	port $2
	bind 127.0.0.1
	daemonize yes
	pidfile $SD/r-$1.pid
	logfile $SD/$1.log
	dir $SD/$1
	sentinel monitor $MASTER 127.0.0.1 $PPORT 2
	sentinel down-after-milliseconds $MASTER 1000
	sentinel failover-timeout $MASTER 4000
	sentinel parallel-syncs $MASTER 1
	EOF
	redis-server "$SD/$1/sentinel.conf" --sentinel >/dev/null
}
# info PORT NAME: the value of NAME in INFO replication on PORT
info() { redis-cli -p "$1" INFO replication | tr -d '\r' | sed -n "s/^$2://p"; }
# master_field SENTINEL NAME: a field of SENTINEL MASTER as one Sentinel
# sees the primary
master_field() {
	redis-cli -p "$1" SENTINEL MASTER "$MASTER" 2>/dev/null |
	    awk -v f="$2" 'p == f { print; exit } { p = $0 }'
}
# the primary's port as Sentinel S names it
primary_port() {
	redis-cli -p "$1" SENTINEL get-master-addr-by-name "$MASTER" \
	    2>/dev/null | sed -n 2p
}
# the primary's port as each Sentinel names it, on one line
primaries() {
	local s ports=()
	for s in "${SPORTS[@]}"; do
		ports+=("$(primary_port "$s")")
	done
	echo "${ports[*]}"
}
sentinels_ready() {
	local s
	for s in "${SPORTS[@]}"; do
		[ "$(master_field "$s" num-slaves)" = 1 ] &&
		    [ "$(master_field "$s" num-other-sentinels)" = 2 ] ||
		    return 1
	done
}

PPORT=$(free_port)
RPORT=$(free_port)
while [ "$RPORT" = "$PPORT" ]; do RPORT=$(free_port); done
redis_start primary "$PPORT" || bad "primary starts"
redis_start replica "$RPORT" --replicaof 127.0.0.1 "$PPORT" ||
    bad "replica starts"
SPORTS=()
for i in 1 2 3; do
	p=$(free_port)
	while [[ " $PPORT $RPORT ${SPORTS[*]} " == *" $p "* ]]; do
		p=$(free_port)
	done
	SPORTS+=("$p")
	sentinel_start "s$i" "$p"
done
wait_for 150 eval '[ "$(info "$RPORT" master_link_status)" = up ]' ||
    bad "the replica syncs"
wait_for 200 sentinels_ready ||
    bad "three Sentinels see the replica and each other"
check "every Sentinel names the primary" "$PPORT $PPORT $PPORT" \
    "$(primaries)"

# --- bomd through the Sentinels ---------------------------------------------
# the first Sentinel named does not exist: the next ones are asked
DEAD=$(free_port)
while [[ " $PPORT $RPORT ${SPORTS[*]} " == *" $DEAD "* ]]; do
	DEAD=$(free_port)
done
export BOMD_REDIS_URL="redis-sentinel://127.0.0.1:$DEAD,127.0.0.1:${SPORTS[0]},127.0.0.1:${SPORTS[1]},127.0.0.1:${SPORTS[2]}/$MASTER"
export BOMD_SYNC_WAIT=5 BOMD_LOG_LEVEL=info
out=$(BOMD_REDIS_URL='redis-sentinel://:hunter2@127.0.0.1:1/' "$BOMD" -n 2>&1)
check_contains "a sentinel url without a name is refused" "redis_url" "$out"
check "and the reason does not quote the password" "0" "$(echo "$out" | grep -c hunter2)"
check "a good one passes" "configuration OK" "$("$BOMD" -n 2>&1)"

"$BOMD" migrate >/dev/null 2>&1 || bad "migrate own database"
"$BOMD" offers import tests/fixtures/offers_demo.csv >/dev/null 2>&1
C=$("$BOMD" client create --name "Sentinel $$ $RANDOM" 2>/dev/null)
C_ID=$(echo "$C" | jq -r .client_id)
C_KEY=$(echo "$C" | jq -r .api_key)
K=$("$BOMD" key create --client "$C_ID" --name spare 2>/dev/null)
K_ID=$(echo "$K" | jq -r .key_id)
K_KEY=$(echo "$K" | jq -r .api_key)
printf 'RefDes,Qty,MPN\nR1,2,RC0805FR-0710KL\nC1,1,CL21B104KBCNNNC\n' > "$SD/small.csv"
printf 'RefDes,Qty,MPN\nR1,2,RC0805FR-0710KL\nS1,1,SLOW-R\n' > "$SD/slow.csv"

LOG=$SD/serve.log
# one job in flight per worker, so two slow jobs hold both; jobs Redis lost
# are queued again after 2 s
serve 2 BOMD_WORKER_INFLIGHT=1 BOMD_RECONCILE_AFTER=2 \
    BOMD_TEST_SLOW_MPN=SLOW-R:6000 || bad "daemon starts through the Sentinels"
URL=$SURL
check "health through the Sentinels" '{"status":"healthy","postgres":"ok","redis":"ok"}' \
    "$(curl -s "$URL/health")"

ACCEPTED=$SD/accepted	# job ids answered 202, one a line
REFUSED=$SD/refused	# uploads answered otherwise: "code body"
: > "$ACCEPTED"
: > "$REFUSED"
# submit FILE: one upload, async; its job id goes to ACCEPTED on 202
submit() {
	local r
	r=$(curl -s -m 30 -w ' %{http_code}' -H "X-API-Key: $C_KEY" \
	    -H 'Prefer: respond-async' -F "bom_file=@$1" \
	    "$URL/projects/upload-and-process")
	if [ "${r##* }" = 202 ]; then
		echo "${r% *}" | jq -r .job_id >> "$ACCEPTED"
	else
		echo "${r##* } ${r% *}" >> "$REFUSED"
	fi
}
# submit_meanwhile N: N uploads in the background, one every 0.3 s; sets
# SUBMITTER
submit_meanwhile() {
	( for _ in $(seq 1 "$1"); do submit "$SD/small.csv" & sleep 0.3; done
	    wait ) &
	SUBMITTER=$!
}
n_accepted() { wc -l < "$ACCEPTED"; }
id_list() { sed "s/.*/'&'/" "$1" | paste -sd, -; }
jobs_in() { sql "SELECT count(*) FROM jobs WHERE client_id = '$C_ID' AND job_id IN ($(id_list "$ACCEPTED")) AND status = '$1'"; }
rp() { redis-cli -p "$1" "${@:2}"; }

# --- a run: jobs before the failover -----------------------------------------
for _ in 1 2 3 4 5 6; do submit "$SD/small.csv"; done
check "six uploads accepted" "6" "$(n_accepted)"
wait_for 300 eval '[ "$(jobs_in complete)" = 6 ]'
check "and complete through the primary" "6" "$(jobs_in complete)"

# two slow jobs hold both workers, so what comes next stays in the stream
submit "$SD/slow.csv"; submit "$SD/slow.csv"
wait_for 100 eval '[ "$(rp "$PPORT" XPENDING bomd:jobs bomd | head -1)" = 2 ]'
check "both workers hold a slow job" "2" "$(rp "$PPORT" XPENDING bomd:jobs bomd | head -1)"

# replication cut (the replica cannot log in again): what the primary
# acknowledges now dies with it, as async replication allows
rp "$RPORT" CONFIG SET masterauth not-the-password >/dev/null
rp "$RPORT" CLIENT KILL TYPE master >/dev/null
wait_for 50 eval '[ "$(info "$RPORT" master_link_status)" = down ]'
check "the replica has lost its primary" "down" "$(info "$RPORT" master_link_status)"
cp "$ACCEPTED" "$SD/before-window"
for _ in 1 2 3 4; do submit "$SD/small.csv"; done
comm -13 <(sort "$SD/before-window") <(sort "$ACCEPTED") > "$SD/window"
check "four uploads accepted by the primary alone" "4" "$(wc -l < "$SD/window")"
check "entries the replica never got" "4" \
    "$(( $(rp "$PPORT" XLEN bomd:jobs) - $(rp "$RPORT" XLEN bomd:jobs) ))"

# --- the primary dies -------------------------------------------------------
PRIMARY_PID=$(cat "$SD/r-primary.pid")
kill -9 "$PRIMARY_PID"
wait_for 50 eval '! kill -0 "$PRIMARY_PID" 2>/dev/null'
rm -f "$SD/r-primary.pid"
rp "$RPORT" CONFIG SET masterauth "" >/dev/null
# uploads go on through the failover, one every 0.3 s
before=$(n_accepted)
submit_meanwhile 12
wait_for 200 eval '[ "$(primary_port "${SPORTS[0]}")" = "$RPORT" ]'
# the others learn the new configuration from its hello messages (every
# 2 s): slower on a loaded machine
wait_for 200 eval '[ "$(primary_port "${SPORTS[1]}") $(primary_port "${SPORTS[2]}")" = "$RPORT $RPORT" ]'
check "the Sentinels promote the replica" "$RPORT $RPORT $RPORT" \
    "$(primaries)"
check "the replica is a primary now" "master" "$(info "$RPORT" role)"
wait "$SUBMITTER"
SUBMITTER=""
n_during=$(( $(n_accepted) - before ))
echo "# during the failover: $n_during of 12 uploads accepted, $(wc -l < "$REFUSED") refused"
check "an upload refused meanwhile says so" "" "$(grep -v '^503 .*queue unavailable' "$REFUSED")"

# --- after the failover -----------------------------------------------------
before=$(n_accepted)
for _ in 1 2 3 4; do submit "$SD/small.csv"; done
check "uploads accepted after the failover" "4" "$(( $(n_accepted) - before ))"
check "health after the failover" '{"status":"healthy","postgres":"ok","redis":"ok"}' \
    "$(curl -s "$URL/health")"
# all_once WHEN: every job accepted so far completes, exactly once
all_once() {
	N=$(n_accepted)
	wait_for 450 eval '[ "$(jobs_in complete)" = "$N" ]'
	check "$1: every accepted job completes" "$N" "$(jobs_in complete)"
	check "$1: one project each, complete" "$N" "$(sql "SELECT count(*) FROM projects p JOIN jobs j USING (client_id, project_id) WHERE j.client_id = '$C_ID' AND j.job_id IN ($(id_list "$ACCEPTED")) AND p.status = 'complete' AND p.line_count = 2")"
	check "$1: no other job or project left behind" "$N $N" \
	    "$(sql "SELECT count(*) FROM jobs WHERE client_id = '$C_ID'") $(sql "SELECT count(*) FROM projects WHERE client_id = '$C_ID'")"
	check "$1: each job's lines decided once" "$N" \
	    "$(sql "SELECT count(*) FROM projects p, json_array_elements(p.trace::json) s WHERE p.client_id = '$C_ID' AND s->>'lines' IS NOT NULL")"
}
all_once "primary killed"
lost=0
while read -r j; do
	grep -q "reconcile: job $j of client" "$LOG" && lost=$((lost + 1))
done < "$SD/window"
check "the four jobs Redis lost were queued again from PostgreSQL" "4" "$lost"
wait_for 100 eval '[ "$(rp "$RPORT" XPENDING bomd:jobs bomd | head -1)" = 0 ]'
check "the new primary's queue drains" "0 0" \
    "$(rp "$RPORT" XPENDING bomd:jobs bomd | head -1) $(rp "$RPORT" ZCARD bomd:retry)"

# --- a planned switchover: the old primary back, as a replica, promoted --
# Sentinel promotes it, then demotes the current primary (REPLICAOF and
# CLIENT KILL): meanwhile a Sentinel may name a primary that is a replica
# already, which ROLE tells
redis_start primary "$PPORT" --replicaof 127.0.0.1 "$RPORT" ||
    bad "the old primary comes back"
wait_for 150 eval '[ "$(info "$PPORT" master_link_status)" = up ]'
check "as a replica of the new one" "up" "$(info "$PPORT" master_link_status)"
before=$(n_accepted)
submit_meanwhile 8
wait_for 150 eval '[ "$(rp "${SPORTS[0]}" SENTINEL FAILOVER "$MASTER")" = OK ]'
wait_for 200 eval '[ "$(primaries)" = "$PPORT $PPORT $PPORT" ]'
check "SENTINEL FAILOVER: the old primary leads again" "$PPORT $PPORT $PPORT" \
    "$(primaries)"
wait "$SUBMITTER"
SUBMITTER=""
echo "# during the switchover: $(( $(n_accepted) - before )) of 8 uploads accepted"
before=$(n_accepted)
for _ in 1 2; do submit "$SD/small.csv"; done
check "uploads accepted after the switchover" "2" "$(( $(n_accepted) - before ))"
check "an upload refused says so" "" "$(grep -v '^503 .*queue unavailable' "$REFUSED")"
all_once "switchover"
wait_for 100 eval '[ "$(info "$RPORT" role) $(info "$RPORT" master_link_status)" = "slave up" ]'
wait_for 100 eval '[ "$(rp "$PPORT" XPENDING bomd:jobs bomd | head -1)" = 0 ]'
check "its queue drains" "0 0" \
    "$(rp "$PPORT" XPENDING bomd:jobs bomd | head -1) $(rp "$PPORT" ZCARD bomd:retry)"
check "no worker died" "2" "$(nworkers)"

# the offline commands find the new primary too: a revoked key is refused
err=$("$BOMD" key revoke "$K_ID" 2>&1 >/dev/null)
check "key revoke reaches the new primary" "" "$err"
wait_for 50 eval '[ "$(code -H "X-API-Key: $K_KEY" "$URL/projects")" = 401 ]'
check "and the API refuses the key" "401" "$(code -H "X-API-Key: $K_KEY" "$URL/projects")"

# a Sentinel that names a replica (here: told to watch one) is not
# believed: ROLE says it is none
rp "${SPORTS[0]}" SENTINEL MONITOR other 127.0.0.1 "$RPORT" 2 >/dev/null
K2_ID=$("$BOMD" key create --client "$C_ID" --name other 2>/dev/null | jq -r .key_id)
err=$(BOMD_REDIS_URL="redis-sentinel://127.0.0.1:${SPORTS[0]}/other" \
    "$BOMD" key revoke "$K2_ID" 2>&1 >/dev/null)
check_contains "a primary that is a replica is refused" \
    "no primary 'other' from 1 sentinel (last: primary 127.0.0.1:$RPORT: not a primary" "$err"
rp "${SPORTS[0]}" SENTINEL REMOVE other >/dev/null

stop_serve; check "SIGTERM: exit 0" "0" "$?"
check_sanitizers "no sanitizer report" "$LOG"
summary sentinel

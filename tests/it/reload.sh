#!/bin/bash
# SIGHUP: the master re-reads its configuration file, resizes the pool and
# replaces its children without dropping jobs; an invalid file is refused
# and the old configuration kept.
. "$(dirname "$0")/lib.sh"
P=$(free_port)
CONF=$STATE/reload.conf
SPID=""
S2=""
cleanup() {
	stop_pid SPID
	stop_pid S2
}
trap cleanup EXIT
nworkers() { ps -o args= --ppid "$SPID" | grep -c '^bomd: worker'; }
printf 'workers = 1;\nlog_level = "info";\n' > "$CONF"
BOMD_LISTEN=127.0.0.1:$P "$BOMD" -c "$CONF" serve > "$STATE/reload.log" 2>&1 &
SPID=$!
wait_for 300 curl -sf "http://127.0.0.1:$P/health" -o /dev/null
wait_for 50 test "$(nworkers)" = 1
check "starts with the file's worker count" "1" "$(nworkers)"

# jobs in flight across the reload
for i in $(seq 1 10); do
	rcli XADD bomd:jobs '*' job "{\"client_id\":\"$A_ID\",\"job_id\":\"reload-$i\",\"bom_csv\":\"RefDes,Qty,MPN\\nR1,1,RC0805FR-0710KL\\n\"}" >/dev/null
done
printf 'workers = 2;\nlog_level = "debug";\n' > "$CONF"
kill -HUP "$SPID"
wait_for 100 test "$(nworkers)" = 2
check "SIGHUP applies the new worker count" "2" "$(nworkers)"
check_contains "reload is logged" "reloaded configuration (2 workers)" "$(cat "$STATE/reload.log")"
wait_for 150 test "$(sql "SELECT count(*) FROM jobs WHERE job_id LIKE 'reload-%' AND status = 'complete'")" = 10
check "no job dropped across the reload" "10" "$(sql "SELECT count(*) FROM jobs WHERE job_id LIKE 'reload-%' AND status = 'complete'")"
check "each once" "10" "$(sql "SELECT count(*) FROM projects p JOIN jobs j USING (client_id, project_id) WHERE j.job_id LIKE 'reload-%'")"
wait_for 300 curl -sf "http://127.0.0.1:$P/health" -o /dev/null
check "API serves after the reload" "200" "$(code "http://127.0.0.1:$P/health")"

# the listening socket is the master's: a request made while the API
# process is being replaced waits in its backlog for the next one
apid=$(child_pid "$SPID" api)
kill -KILL "$apid"
check "a request while the API process is replaced: served, not refused" "200" "$(code -m 60 "http://127.0.0.1:$P/health")"
check "by a new API process" "true" "$(p=$(child_pid "$SPID" api); [ -n "$p" ] && [ "$p" != "$apid" ] && echo true)"
# an API process that stops cleanly leaves the socket listening for the
# next one (libmicrohttpd would shut it down, for every process, unless
# quiesced first)
for _ in 1 2 3; do
	apid=$(child_pid "$SPID" api)
	kill -TERM "$apid"
	wait_for 300 test ! -d "/proc/$apid"
	c=$(code -m 60 "http://127.0.0.1:$P/health")
	[ "$c" = 200 ] || break
done
check "after an API process stops cleanly, the next one serves" "200" "$c"
# a second daemon on the port, under timeout: one that bound by mistake
# would serve for ever; killed (124), it fails the exit-status check
# instead of hanging the suite
out=$(BOMD_LISTEN=127.0.0.1:$P timeout 20 "$BOMD" -c "$CONF" serve 2>&1)
check "a second daemon on the port: exit 1" "1" "$?"
check "and one line that says why" "bomd: cannot listen on 127.0.0.1:$P: Address already in use" "$out"

printf 'workers = "many";\n' > "$CONF"
kill -HUP "$SPID"
wait_for 50 grep -q 'keeping the old configuration' "$STATE/reload.log"
check_contains "a bad file is refused" "keeping the old configuration" "$(cat "$STATE/reload.log")"
sleep 1
check "the old configuration stays" "2" "$(nworkers)"
check "still serving" "200" "$(code "http://127.0.0.1:$P/health")"

# listen from the file (no BOMD_LISTEN): a reload moves the API to the
# file's new address; an address it cannot bind keeps the old one
CONF2=$STATE/reload2.conf
P2=$(free_port)
printf 'workers = 1;\nlisten = "127.0.0.1:%s";\n' "$P2" > "$CONF2"
env -u BOMD_LISTEN "$BOMD" -c "$CONF2" serve > "$STATE/reload2.log" 2>&1 &
S2=$!
wait_for 300 curl -sf "http://127.0.0.1:$P2/health" -o /dev/null
P3=$(free_port)
printf 'workers = 1;\nlisten = "127.0.0.1:%s";\n' "$P3" > "$CONF2"
kill -HUP "$S2"
wait_for 300 curl -sf "http://127.0.0.1:$P3/health" -o /dev/null
check "a reload moves the API to the file's new address" "200" "$(code "http://127.0.0.1:$P3/health")"
check "and off the old one" "000" "$(code -m 5 "http://127.0.0.1:$P2/health")"
printf 'workers = 1;\nlisten = "127.0.0.1:%s";\n' "$P" > "$CONF2"
kill -HUP "$S2"
wait_for 50 grep -q "cannot listen on 127.0.0.1:$P" "$STATE/reload2.log"
check_contains "an address in use: the reload is refused" "reload: cannot listen on 127.0.0.1:$P: Address already in use; keeping the old configuration" "$(cat "$STATE/reload2.log")"
check "and the old address serves on" "200" "$(code "http://127.0.0.1:$P3/health")"
stop_pid S2

kill -TERM "$SPID"
wait "$SPID"
check "SIGTERM after reloads exits 0" "0" "$?"
SPID=""
summary reload

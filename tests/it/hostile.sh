#!/bin/bash
# A hostile client and a compromised process (issue 18): odd queue entries
# and failures that repeat, designator bombs, the database roles under
# attack, Redis lost with accepted jobs, retention, unauthenticated floods
# and per-key caps. Runs its OWN Redis and PostgreSQL and its own daemons
# (the shared ones are never touched); the daemons log in as a runtime
# role that does not own the schema (BOMD_DATABASE_URL) and migrate as the
# owner (BOMD_DATABASE_OWNER_URL).
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
ulimit -c 0

HS=$STATE/hostile
SERVE=""
cleanup() {
	if [ -n "$SERVE" ] && kill -0 "$SERVE" 2>/dev/null; then
		kill -TERM "$SERVE"
		wait "$SERVE" 2>/dev/null
	fi
	scripts/local-services stop "$HS" >/dev/null 2>&1
}
trap cleanup EXIT

mkdir -p "$HS"
# from here on sql/rcli (lib.sh) talk to this suite's own services
eval "$(scripts/local-services start "$HS")" ||
    { bad "own services start"; summary hostile; exit 1; }
HPORT=$(( 20000 + RANDOM % 20000 ))
export BOMD_LISTEN=127.0.0.1:$HPORT BOMD_SYNC_WAIT=10 BOMD_LOG_LEVEL=info
HURL=http://127.0.0.1:$HPORT
unset BOMD_TEST_CRASH_MPN BOMD_TEST_SLOW_MPN BOMD_TEST_CRASH_AFTER_CHECKPOINT

"$BOMD" migrate >/dev/null 2>&1 || bad "migrate own database"
"$BOMD" offers import tests/fixtures/offers_demo.csv >/dev/null 2>&1
newclient() { "$BOMD" client create --name "$1" 2>/dev/null; }
H1=$(newclient "Hostile One"); H1_ID=$(echo "$H1" | jq -r .client_id)
H1_KEY=$(echo "$H1" | jq -r .api_key)
H2=$(newclient "Hostile Two"); H2_ID=$(echo "$H2" | jq -r .client_id)
H2_KEY=$(echo "$H2" | jq -r .api_key)

LOG=$HS/serve.log
# start_serve WORKERS [VAR=VALUE...]: a daemon on HPORT with extra env
start_serve() {
	local n=$1
	shift
	echo "--- serve $n $*" >> "$LOG"
	env "$@" "$BOMD" serve --workers "$n" >> "$LOG" 2>&1 &
	SERVE=$!
	wait_for 150 curl -sf -o /dev/null "$HURL/health" &&
	    wait_for 100 test "$(nworkers)" = "$n" && sleep 0.3
}
stop_serve() {
	kill -TERM "$SERVE"
	wait "$SERVE"
	local rc=$?
	SERVE=""
	return $rc
}
nworkers() { ps -o args= --ppid "$SERVE" | grep -c '^bomd: worker'; }
api_pid() { ps -o pid=,args= --ppid "$SERVE" | awk '$3 == "api" { print $1 }'; }
# xadd JSON: one entry through redis-cli, as any producer may write it
xadd() { rcli XADD bomd:jobs '*' job "$1" >/dev/null; }
status_of() { sql "SELECT status FROM jobs WHERE job_id = '$1'"; }
in_dead() { rcli XRANGE bomd:dead - + | grep -q -- "$1"; }

# --- #4: ids normalised at parse; a failure that repeats ends dead --------
start_serve 2 BOMD_JOB_MAX_ATTEMPTS=3 BOMD_JOB_RETRY_BASE_MS=50 ||
    bad "daemon starts"
upper=$(echo "$H1_ID" | tr a-f A-F)
xadd "{\"client_id\":\"$upper\",\"job_id\":\"upper-1\",\"bom_csv\":\"RefDes,Qty,MPN\\nR1,1,RC0805FR-0710KL\\n\"}"
wait_for 100 test "$(status_of upper-1)" = complete
check "an upper-case client id completes" "complete $H1_ID" \
    "$(sql "SELECT status || ' ' || client_id FROM jobs WHERE job_id = 'upper-1'")"
# the database refuses one job's rows on every try (a constraint, a
# trigger): it is counted, and ends dead, not retried forever
sql "CREATE FUNCTION hostile_refuse() RETURNS trigger LANGUAGE plpgsql AS
    \$\$ BEGIN IF NEW.job_id = 'refused-1' THEN
    RAISE EXCEPTION 'hostile: refused'; END IF; RETURN NEW; END \$\$;
    CREATE TRIGGER hostile_refuse BEFORE INSERT OR UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION hostile_refuse()"
xadd "{\"client_id\":\"$H1_ID\",\"job_id\":\"refused-1\",\"bom_csv\":\"RefDes,Qty,MPN\\nR1,1,RC0805FR-0710KL\\n\"}"
xadd "{\"client_id\":\"$H1_ID\",\"job_id\":\"beside-1\",\"bom_csv\":\"RefDes,Qty,MPN\\nR1,1,RC0805FR-0710KL\\n\"}"
wait_for 200 in_dead refused-1
check "a job the database refuses ends in bomd:dead" "1" \
    "$(rcli XRANGE bomd:dead - + | grep -cx refused-1)"
check "the job beside it completes" "complete" "$(status_of beside-1)"
sleep 1
check "nothing of it is left to retry" "0 0" \
    "$(rcli ZCARD bomd:retry) $(rcli XPENDING bomd:jobs bomd | head -1)"
sql "DROP TRIGGER hostile_refuse ON jobs; DROP FUNCTION hostile_refuse()"
# a batch that fails as a whole on every read (here: the offers cannot be
# read) is counted by its deliveries and ends dead too
sql "REVOKE SELECT ON offers FROM bomd_app"
xadd "{\"client_id\":\"$H1_ID\",\"job_id\":\"wholesale-1\",\"bom_csv\":\"RefDes,Qty,MPN\\nU1,1,NEVER-CACHED-1\\n\"}"
wait_for 300 test "$(status_of wholesale-1)" = dead
sql "GRANT SELECT ON offers TO bomd_app"
check "a batch failing on every read ends dead" "dead" "$(status_of wholesale-1)"
check_contains "it says why" "its batch failed each time" \
    "$(sql "SELECT error FROM jobs WHERE job_id = 'wholesale-1'")"
check "and is in bomd:dead" "1" "$(rcli XRANGE bomd:dead - + | grep -cx wholesale-1)"
stop_serve; check "SIGTERM: exit 0" "0" "$?"

# --- #2: the designator bomb ------------------------------------------------
start_serve 1 || bad "daemon starts"
{ echo "RefDes,Qty,MPN"; for i in $(seq 1 100); do echo "R1-R10000,10000,BOMB-$i"; done; } > "$HS/bomb.csv"
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$(api_pid)/status"; }
hwm0=$(hwm)
t0=$(date +%s%3N)
r=$(curl -s -w ' %{http_code}' -H "X-API-Key: $H1_KEY" -F bom_file=@"$HS/bomb.csv" "$HURL/projects/upload-and-process")
t1=$(date +%s%3N)
check "the designator bomb is 400" "400" "${r##* }"
check_contains "the 400 names the limit" "more than 50000 designators" "$r"
check "it is refused quickly" "1" "$(( t1 - t0 < 3000 ))"
pids=()
for i in 1 2 3 4; do
	curl -s -o /dev/null -H "X-API-Key: $H1_KEY" -F bom_file=@"$HS/bomb.csv" "$HURL/projects/upload-and-process" &
	pids+=($!)
done
wait "${pids[@]}"
hwm1=$(hwm)
echo "# api peak RSS ${hwm0} kB before, ${hwm1} kB after 5 bombs"
check "the API's peak RSS grows by less than 40 MB" "1" "$(( hwm1 - hwm0 < 40960 ))"
check "no project written for a bomb" "0" "$(sql "SELECT count(*) FROM projects WHERE bom_csv LIKE '%BOMB-1%'")"
stop_serve; check "SIGTERM: exit 0" "0" "$?"

if grep -q 'ERROR: AddressSanitizer\|runtime error:' "$LOG"; then
	bad "sanitizers clean in the hostile daemons" "$(grep -m3 'AddressSanitizer\|runtime error' "$LOG")"
else
	ok "sanitizers clean in the hostile daemons"
fi
summary hostile

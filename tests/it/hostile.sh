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

# Two roles, as in production: bomd_owner owns the database and the schema
# (not a superuser: forced row-level security binds it too) and runs bomd
# migrate and the offline commands; the daemon logs in as bomd_rt, which
# migrate makes a member of bomd_app.
sql "CREATE ROLE bomd_owner LOGIN CREATEROLE; CREATE ROLE bomd_rt LOGIN;
    ALTER DATABASE bomd OWNER TO bomd_owner" >/dev/null
SUPER_URL=$BOMD_DATABASE_URL
export BOMD_DATABASE_OWNER_URL=${SUPER_URL/user=postgres/user=bomd_owner}
export BOMD_DATABASE_URL=${SUPER_URL/user=postgres/user=bomd_rt}
out=$("$BOMD" migrate 2>&1) || bad "migrate own database as bomd_owner" "$out"
check_contains "migrate grants the runtime role" "granted bomd_app to bomd_rt" "$out"
check "migrate twice: the grant is not repeated" "schema is current" "$("$BOMD" migrate 2>&1)"
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

# --- #5: row-level security holds against the runtime role --------------
# as ROLE: one session of SQL; prints the result or the error
as() {
	psql -X -A -t -q -h "$BOMD_TEST_PG_HOST" -p "$BOMD_TEST_PG_PORT" \
	    -U "$1" bomd -c "$2" 2>&1
}
rt() { as bomd_rt "$1"; }
n_jobs=$(sql "SELECT count(*) FROM jobs")
check "the suite has jobs to hide" "1" "$(( n_jobs > 0 ))"
check "no tenant named: no rows" "0" "$(rt "SELECT count(*) FROM jobs")"
check "'*' from the runtime role: no rows" "0 0 0 0" \
    "$(rt "SET bomd.client_id = '*'; SELECT count(*) FROM jobs; SELECT count(*) FROM projects; SELECT count(*) FROM api_keys; SELECT count(*) FROM clients" | tr '\n' ' ' | sed 's/ $//')"
check "RESET ROLE, then '*': no rows" "0" \
    "$(rt "RESET ROLE; SET bomd.client_id = '*'; SELECT count(*) FROM jobs")"
check "after SET ROLE bomd_app too" "0" \
    "$(rt "SET ROLE bomd_app; RESET ROLE; SET bomd.client_id = '*'; SELECT count(*) FROM projects")"
check_contains "SET ROLE to the owner is refused" "permission denied to set role" \
    "$(rt "SET ROLE bomd_owner")"
check_contains "SET ROLE to the admin realm's owner is refused" "permission denied to set role" \
    "$(rt "SET ROLE bomd_admin")"
check_contains "SET SESSION AUTHORIZATION is refused" "permission denied" \
    "$(rt "SET SESSION AUTHORIZATION bomd_owner")"
check "a tenant sees its own rows" "$(sql "SELECT count(*) FROM jobs WHERE client_id = '$H1_ID'")" \
    "$(rt "SET bomd.client_id = '$H1_ID'; SELECT count(*) FROM jobs")"
check "and no other tenant's" "0" \
    "$(rt "SET bomd.client_id = '$H2_ID'; SELECT count(*) FROM jobs WHERE client_id = '$H1_ID'")"
check_contains "a tenant that is no uuid fails closed" "invalid input syntax for type uuid" \
    "$(rt "SET bomd.client_id = 'x'; SELECT count(*) FROM jobs")"
check_contains "upper-case tenants compare as uuids" "$(sql "SELECT count(*) FROM jobs WHERE client_id = '$H1_ID'")" \
    "$(rt "SET bomd.client_id = '${H1_ID^^}'; SELECT count(*) FROM jobs")"
denied() {	# denied NAME SQL: the runtime role is refused
	local out
	out=$(rt "$2")
	case $out in
	*"must be owner"*|*"permission denied"*) ok "$1" ;;
	*) bad "$1" "not refused: '$out'" ;;
	esac
}
for w in "INSERT INTO clients (client_id, name, slug) VALUES (gen_random_uuid(), 'x', 'x')" \
    "UPDATE clients SET name = 'x'" "DELETE FROM clients" \
    "INSERT INTO schema_migrations VALUES ('9999_x')" \
    "DELETE FROM schema_migrations" "UPDATE catalog_version SET version = 0" \
    "DELETE FROM rejected_jobs" "UPDATE rejected_jobs SET reason = 'x'" \
    "SELECT count(*) FROM rejected_jobs" "TRUNCATE offers" \
    "ALTER TABLE projects DISABLE ROW LEVEL SECURITY" \
    "ALTER TABLE jobs NO FORCE ROW LEVEL SECURITY" "DROP POLICY tenant ON jobs" \
    "CREATE FUNCTION public.x() RETURNS int LANGUAGE sql AS 'SELECT 1'" \
    "UPDATE bomd_admin.clients SET name = 'x'" \
    "UPDATE bomd_admin.api_keys SET key_hash = 'x'" \
    "ALTER VIEW bomd_admin.clients OWNER TO bomd_rt"; do
	denied "refused: $w" "$w"
done
# what the code writes of shared tables, and nothing more
check "the runtime role's writes to shared tables" \
    "offer_lookups:DELETE offer_lookups:INSERT offer_lookups:UPDATE offers:DELETE offers:INSERT offers:UPDATE rejected_jobs:INSERT x402_nonces:INSERT" \
    "$(sql "SELECT string_agg(table_name || ':' || privilege_type, ' ' ORDER BY table_name, privilege_type) FROM information_schema.role_table_grants WHERE grantee = 'bomd_app' AND table_schema = 'public' AND privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE') AND table_name NOT IN ('api_keys', 'projects', 'jobs', 'part_knowledge', 'supplier_knowledge', 'llm_calls', 'job_checkpoints')")"
# forced: the owner too names a tenant, or '*'
check "the owner without a tenant sees no rows" "0" "$(as bomd_owner "SELECT count(*) FROM jobs")"
check "the owner with '*' sees every tenant's" "$n_jobs" "$(as bomd_owner "SET bomd.client_id = '*'; SELECT count(*) FROM jobs")"
check "every table with client_id: row-level security enabled and forced" "" \
    "$(sql "SELECT string_agg(c.relname, ',') FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND a.attname = 'client_id' AND NOT a.attisdropped AND NOT (c.relrowsecurity AND c.relforcerowsecurity)")"
check "no daemon warning about its login role" "0" "$(grep -c 'owns the schema' "$LOG")"

# --- #9: Redis lost with accepted jobs -------------------------------------
# the API alone accepts five uploads; Redis dies and comes back empty (no
# persistence, as make demo runs it); then the workers start
echo "--- serve --role api" >> "$LOG"
"$BOMD" serve --role api >> "$LOG" 2>&1 &
SERVE=$!
wait_for 150 curl -sf -o /dev/null "$HURL/health" || bad "api-only daemon starts"
lost=()
for i in 1 2 3 4 5; do
	r=$(curl -s -w ' %{http_code}' -H "X-API-Key: $H2_KEY" -H 'Prefer: respond-async' \
	    -F bom_file=@tests/fixtures/demo_bom.csv "$HURL/projects/upload-and-process")
	[ "${r##* }" = 202 ] && lost+=("$(echo "${r% *}" | jq -r .job_id)")
done
check "five uploads accepted (202)" "5" "${#lost[@]}"
check "five entries in the stream" "5" "$(rcli XLEN bomd:jobs)"
kill -9 "$(cat "$HS/redis.pid")"
wait_for 50 eval '! rcli PING >/dev/null 2>&1'
scripts/local-services start "$HS" >/dev/null
check "redis back, empty" "PONG 0" "$(rcli PING) $(rcli DBSIZE)"
stop_serve; check "SIGTERM of the API alone: exit 0" "0" "$?"
jobs_in() { sql "SELECT count(*) FROM jobs WHERE client_id = '$H2_ID' AND job_id IN ($(printf "'%s'," "${lost[@]}" | sed 's/,$//')) AND status = '$1'"; }
start_serve 2 BOMD_RECONCILE_AFTER=2 || bad "daemon starts"
wait_for 600 test "$(jobs_in complete)" = 5
check "every accepted job completes" "5" "$(jobs_in complete)"
check "each queued again once" "5" "$(grep -c 'reconcile: job .* queued again' "$LOG")"
sleep 4
check "and never again once complete" "5" "$(grep -c 'reconcile: job .* queued again' "$LOG")"
check "one project each, complete" "5" "$(sql "SELECT count(*) FROM projects p JOIN jobs j USING (client_id, project_id) WHERE j.client_id = '$H2_ID' AND j.job_id IN ($(printf "'%s'," "${lost[@]}" | sed 's/,$//')) AND p.status = 'complete' AND p.line_count = 40")"
check "each job's lines decided once (one decision step per run)" "5" \
    "$(sql "SELECT count(*) FROM projects p, json_array_elements(p.trace::json) s WHERE p.client_id = '$H2_ID' AND s->>'lines' IS NOT NULL")"
stop_serve; check "SIGTERM: exit 0" "0" "$?"

# --- #8: retention ------------------------------------------------------------
old_rows() {
	sql "INSERT INTO jobs (client_id, job_id, status, finished_at, updated_at)
	    VALUES ('$H1_ID', 'ret-old', 'complete', now() - interval '40 days', now() - interval '40 days'),
	    ('$H1_ID', 'ret-new', 'complete', now() - interval '2 days', now()),
	    ('$H1_ID', 'ret-queued', 'queued', NULL, now() - interval '40 days');
	    INSERT INTO llm_calls (client_id, job_id, stage, model, outcome, created_at)
	    VALUES ('$H1_ID', 'ret-old', 'assess', 'm', 'ok', now() - interval '40 days'),
	    ('$H1_ID', 'ret-new', 'assess', 'm', 'ok', now());
	    INSERT INTO rejected_jobs (stream_id, reason, created_at)
	    VALUES ('1-1', 'old', now() - interval '40 days'), ('1-2', 'new', now());
	    INSERT INTO job_checkpoints (client_id, job_id, stage, data, created_at)
	    VALUES ('$H1_ID', 'ret-old', 'assessed', '{}', now() - interval '40 days');
	    UPDATE projects SET trace = (SELECT json_agg(json_build_object('step', 's' || i) ORDER BY i)::text
	    FROM generate_series(1, 30) i) WHERE project_id = (SELECT project_id FROM projects WHERE client_id = '$H1_ID' LIMIT 1)" >/dev/null
	for i in $(seq 1 30); do rcli XADD bomd:dead '*' id "x-$i" reason old >/dev/null; done
}
old_rows
traced=$(sql "SELECT project_id FROM projects WHERE client_id = '$H1_ID' AND json_array_length(trace::json) = 30 LIMIT 1")
start_serve 1 BOMD_RETENTION_DAYS=30 BOMD_RETENTION_TRACE_STEPS=10 \
    BOMD_RETENTION_DEAD_MAX=5 BOMD_RETENTION_EVERY=2 || bad "daemon starts"
wait_for 100 test "$(sql "SELECT count(*) FROM jobs WHERE job_id = 'ret-old'")" = 0
check "final jobs past retention removed, newer and unfinished kept" "ret-new ret-queued" \
    "$(sql "SELECT string_agg(job_id, ' ' ORDER BY job_id) FROM jobs WHERE job_id LIKE 'ret-%'")"
check "old LLM calls removed" "ret-new" "$(sql "SELECT string_agg(job_id, ' ') FROM llm_calls WHERE job_id LIKE 'ret-%'")"
check "old rejected entries removed" "new" "$(sql "SELECT string_agg(reason, ' ') FROM rejected_jobs WHERE stream_id IN ('1-1', '1-2')")"
check "old checkpoints removed" "0" "$(sql "SELECT count(*) FROM job_checkpoints WHERE job_id = 'ret-old'")"
check "a trace keeps its newest steps" "10 s21 s30" "$(sql "SELECT json_array_length(trace::json) || ' ' || (trace::json->0->>'step') || ' ' || (trace::json->-1->>'step') FROM projects WHERE project_id = '$traced'")"
check "the dead letters are capped" "5" "$(rcli XLEN bomd:dead)"
check_contains "retention says what it removed" "retention: removed" "$(grep 'retention:' "$LOG")"

# --- #6: /metrics cached, no tenant's figures, optionally a token ---------------
stop_serve; check "SIGTERM: exit 0" "0" "$?"
start_serve 1 BOMD_METRICS_TOKEN=hostile-metrics-token-0123 || bad "daemon starts"
MT=(-H "Authorization: Bearer hostile-metrics-token-0123")
check "metrics without the token: 401" "401" "$(code "$HURL/metrics")"
check "metrics with a wrong token: 401" "401" "$(code -H 'Authorization: Bearer nope' "$HURL/metrics")"
failed() { curl -s "${MT[@]}" "$HURL/metrics" | grep '^bomd_jobs{state="failed"}'; }
m1=$(failed)
sql "INSERT INTO jobs (client_id, job_id, status) VALUES ('$H1_ID', 'metrics-probe', 'failed')"
check "metrics are cached: a new row is not counted at once" "$m1" "$(failed)"
sleep 5.5
check "and is counted after the cache time" "1" "$(( ${m1##* } + 1 == $(failed | awk '{ print $2 }') ))"
mtext=$(curl -s "${MT[@]}" "$HURL/metrics")
check "no client id in the metrics" "0" "$(echo "$mtext" | grep -c "$H1_ID\|$H2_ID")"
pids=()
for i in $(seq 1 50); do curl -s -o /dev/null "${MT[@]}" "$HURL/metrics" & pids+=($!); done
wait "${pids[@]}"
check "a scrape flood changes nothing" "200" "$(code "${MT[@]}" "$HURL/metrics")"

# --- #11: the master's sockets stay the master's --------------------------------
socks() { ls -l "/proc/$1/fd" 2>/dev/null | grep -o 'socket:\[[0-9]*\]' | sort -u; }
msocks=$(socks "$SERVE")
leaked=0
for p in $(ps -o pid= --ppid "$SERVE"); do
	[ -n "$msocks" ] && leaked=$((leaked + $(comm -12 <(echo "$msocks") <(socks "$p") | wc -l)))
done
check "the master holds sockets" "1" "$([ -n "$msocks" ] && echo 1)"
check "no child shares a socket of the master" "0" "$leaked"
stop_serve; check "SIGTERM: exit 0" "0" "$?"

if grep -q 'ERROR: AddressSanitizer\|runtime error:' "$LOG"; then
	bad "sanitizers clean in the hostile daemons" "$(grep -m3 'AddressSanitizer\|runtime error' "$LOG")"
else
	ok "sanitizers clean in the hostile daemons"
fi
summary hostile

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

HS=$(mktemp -d "${STATE:-/tmp}/it_hostile.XXXXXX")
SERVE=""
cleanup() {
	stop_mock
	stop_pid SERVE
	own_services_stop "$HS"
}
trap cleanup EXIT
own_services hostile "$HS" || { summary hostile; exit 1; }
HPORT=$(free_port)
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
# start_serve WORKERS [VAR=VALUE...]: serve() (lib.sh) on a free HPORT
start_serve() {
	serve "$@"
	local rc=$?
	HPORT=$SPORT HURL=$SURL
	return $rc
}
stop_mock() { [ -n "${MOCK_PID:-}" ] && mock_stop "$HS"; MOCK_PID=""; }
api_pid() { child_pid "$SERVE" api; }
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
    "offer_lookups:DELETE offer_lookups:INSERT offer_lookups:UPDATE offer_sets:INSERT offers:DELETE offers:INSERT offers:UPDATE rejected_jobs:INSERT x402_nonces:INSERT" \
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
# but for the API's listening socket, which the master opens for every API
# process it starts (its inode from /proc/net/tcp: the port, state 0A)
socks() { ls -l "/proc/$1/fd" 2>/dev/null | grep -o 'socket:\[[0-9]*\]' | sort -u; }
lsock=$(awk -v p=":$(printf '%04X' "$HPORT")" '$2 ~ p"$" && $4 == "0A" { print "socket:[" $10 "]" }' /proc/net/tcp)
msocks=$(socks "$SERVE" | grep -vxF "$lsock")
leaked=0
for p in $(ps -o pid= --ppid "$SERVE"); do
	[ -n "$msocks" ] && leaked=$((leaked + $(comm -12 <(echo "$msocks") <(socks "$p") | wc -l)))
done
check "the master holds sockets" "1" "$([ -n "$msocks" ] && echo 1)"
check "no child shares a socket of the master" "0" "$leaked"
check "the master holds the API's listening socket" "1" "$(socks "$SERVE" | grep -cxF "$lsock")"
check "which the API process serves on" "1" "$(socks "$(api_pid)" | grep -cxF "$lsock")"
wpid=$(child_pid "$SERVE" worker | head -1)
check "a worker runs" "1" "$([ -n "$wpid" ] && echo 1)"
check "and no worker has" "0" "$(socks "$wpid" | grep -cxF "$lsock")"
stop_serve; check "SIGTERM: exit 0" "0" "$?"

# --- #1, #3, #7: floods from another address; per-client caps --------------
# hold.py HOST PORT N SECONDS SRC [SEND]: N connections from address SRC,
# each sending SEND (nothing by default); prints how many connected and
# how many the server closed within SECONDS
cat > "$HS/hold.py" <<'PY'
import select, socket, sys, time
host, port, n, hold, src = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
send = sys.argv[6].encode() if len(sys.argv) > 6 else b""
socks = []
for _ in range(n):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    try:
        s.connect((host, port))
        if send:
            s.sendall(send)
        socks.append(s)
    except OSError:
        pass
closed, end = set(), time.time() + hold
while time.time() < end and len(closed) < len(socks):
    r, _, _ = select.select([s for s in socks if s not in closed], [], [], 0.1)
    for s in r:
        try:
            d = s.recv(65536)
        except OSError:
            d = b""
        if not d:
            closed.add(s)
print(len(socks), len(closed))
PY
mock_start mock_llm "$HS" ok 0 --delay-ms 2000 || bad "mock llm starts"
start_serve 1 BOMD_PER_IP_CONNECTIONS=20 BOMD_UNAUTH_TIMEOUT=2 \
    BOMD_AUTH_FAIL_LIMIT=10 BOMD_STREAMS_PER_CLIENT=2 BOMD_CHATS_PER_CLIENT=1 \
    BOMD_WAITS_PER_CLIENT=1 BOMD_RATE_LIMIT=0 BOMD_API_PROBE_EVERY=1 \
    BOMD_LLM_PROVIDER=openai BOMD_LLM_API_KEY=test \
    BOMD_LLM_BASE_URL=http://127.0.0.1:$MPORT/v1 BOMD_LLM_TIMEOUT_MS=10000 ||
    bad "daemon starts"
other() { curl -s --interface 127.0.0.2 "$@"; }
# a tenant's reads keep answering within a bound (from 127.0.0.1)
bounded() {	# bounded NAME: GET /projects as H2 within 3 s
	local t0 t1 c
	t0=$(date +%s%3N)
	c=$(code -m 10 -H "X-API-Key: $H2_KEY" "$HURL/projects")
	t1=$(date +%s%3N)
	check "$1: another tenant's GET /projects answers within 3 s" "200 1" "$c $(( t1 - t0 < 3000 ))"
}

# unauthenticated uploads of 10 MB: refused at the headers, bodies unread
head -c 10000000 /dev/zero > "$HS/ten.bin"
hwm0=$(hwm)
t0=$(date +%s%3N)
pids=()
for i in $(seq 1 16); do
	other -o /dev/null -w '%{http_code}\n' -H 'Expect:' --data-binary @"$HS/ten.bin" \
	    "$HURL/projects/upload-and-process" > "$HS/pre.$i" 2>/dev/null &
	pids+=($!)
done
bounded "pre-auth uploads"
wait "${pids[@]}"
t1=$(date +%s%3N)
# each is 401, or cut off by the close before curl read the 401
check "sixteen uploads without a key refused" "16 0" \
    "$(cat "$HS"/pre.* | grep -c '^401$\|^000$') $(cat "$HS"/pre.* | grep -vc '^401$\|^000$')"
hwm1=$(hwm)
echo "# api peak RSS ${hwm0} kB before, ${hwm1} kB after 160 MB of refused bodies ($((t1 - t0)) ms)"
check "their bodies were not buffered (peak RSS +< 40 MB)" "1" "$(( hwm1 - hwm0 < 40960 ))"
r=$(curl -s -w ' %{http_code}' -H 'Expect:' -H "X-API-Key: $H1_KEY" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$HS/ten.bin" --data-binary @"$HS/ten.bin" "$HURL/projects/upload-and-process")
check "a body announced over max_upload is 413 at once" "413" "${r##* }"
# a chunked body (no length) over the limit: 413 without reading it all
r=$(head -c 30000000 /dev/zero | curl -s -o /dev/null -w '%{http_code} %{size_upload}' -H 'Expect:' \
    -H "X-API-Key: $H1_KEY" -H 'Transfer-Encoding: chunked' --data-binary @- \
    "$HURL/projects/upload-and-process")
check "a chunked body over max_upload is refused before its end" "1" "$(( ${r##* } < 25000000 ))"

# idle connections that never authenticate are closed after unauth_timeout
read -r conn closed < <(python3 "$HS/hold.py" 127.0.0.1 "$HPORT" 15 5 127.0.0.2)
check "idle unauthenticated connections closed after 2 s" "15 15" "$conn $closed"
read -r conn closed < <(python3 "$HS/hold.py" 127.0.0.1 "$HPORT" 15 5 127.0.0.2 'GET /health HTTP/1.1\r\nHost: x\r\n')
check "so are slow ones (headers never finished)" "15 15" "$conn $closed"
# more connections from one address than per_ip_connections: refused
python3 "$HS/hold.py" 127.0.0.1 "$HPORT" 40 4 127.0.0.2 > "$HS/perip" &
hold=$!
sleep 1
bounded "40 connections from one address"
wait "$hold"
read -r conn closed < "$HS/perip"
check "an address gets at most 20 connections" "1" "$(( conn - closed <= 20 && closed >= 20 ))"

# failed keys: refused per address after auth_fail_limit, before any lookup
for i in $(seq 1 6); do
	code --interface 127.0.0.3 -H "X-API-Key: bk_$(printf '%064d' "$i")" "$HURL/projects"; echo
	code --interface 127.0.0.3 -H "X-API-Key: %%%$i" "$HURL/projects"; echo
done > "$HS/fails"
check "ten wrong or malformed keys are 401, then 429" "10 2" "$(grep -c '^401$' "$HS/fails") $(grep -c '^429$' "$HS/fails")"
check "the 429 says when to retry" "1" \
    "$(curl -s --interface 127.0.0.3 -D - -o /dev/null -H 'X-API-Key: bk_0' "$HURL/projects" | grep -ci '^retry-after')"
check "the address is refused even with a good key" "429" "$(code --interface 127.0.0.3 -H "X-API-Key: $H1_KEY" "$HURL/projects")"
check "no key at all is no failure" "401" "$(code --interface 127.0.0.2 "$HURL/projects")"
check "another address is not refused" "200" "$(code -H "X-API-Key: $H1_KEY" "$HURL/projects")"
# behind a proxy on this host: the address it forwards counts
for i in $(seq 1 10); do
	code --interface 127.0.0.4 -H 'X-Forwarded-For: 198.51.100.1, 203.0.113.7' -H "X-API-Key: bk_$i" "$HURL/projects" >/dev/null
done
check "a proxied address past its budget is refused" "429" \
    "$(code --interface 127.0.0.4 -H 'X-Forwarded-For: 203.0.113.7' -H "X-API-Key: $H1_KEY" "$HURL/projects")"
check "another one through the same proxy is not" "200" \
    "$(code --interface 127.0.0.4 -H 'X-Forwarded-For: 203.0.113.8' -H "X-API-Key: $H1_KEY" "$HURL/projects")"

# per-client caps: event streams, waits, chats (429 beyond)
P=$(curl -s -H "X-API-Key: $H1_KEY" -F bom_file=@tests/fixtures/demo_bom.csv "$HURL/projects" | jq -r .project_id)
sse() { curl -s -N -m "$2" -H "X-API-Key: $1" "$HURL/projects/$P/events"; }
sse "$H1_KEY" 6 > "$HS/sse.1" & s1=$!
sse "$H1_KEY" 6 > "$HS/sse.2" & s2=$!
sleep 1
check "a third event stream of a client is 429" "429" "$(code -m 5 -H "X-API-Key: $H1_KEY" "$HURL/projects/$P/events")"
wait "$s1" "$s2"
# the server sees the two gone at its next write (a poll, 200 ms)
sleep 1
K2=$(curl -s -H "X-API-Key: $H1_KEY" -H 'Content-Type: application/json' -d '{"name":"sse"}' "$HURL/api-keys")
sse "$(echo "$K2" | jq -r .raw_key)" 30 > "$HS/sse.3" & s3=$!
sleep 1
curl -s -o /dev/null -X POST -H "X-API-Key: $H1_KEY" "$HURL/api-keys/$(echo "$K2" | jq -r .key.key_id)/revoke"
t0=$(date +%s)
wait "$s3"
check "a stream ends soon after a key is revoked" "1" "$(( $(date +%s) - t0 < 10 ))"
check_contains "and says why" "event: reauth" "$(cat "$HS/sse.3")"
chat() { curl -s -o /dev/null -w '%{http_code}\n' -m 30 -H "X-API-Key: $1" -H 'Content-Type: application/json' \
    -d '{"model":"bom-agent","messages":[{"role":"user","content":"what did I build?"}]}' "$HURL/v1/chat/completions"; }
t0=$(date +%s%3N)
chat "$H1_KEY" > "$HS/chat.1" & c1=$!
sleep 0.3
chat "$H2_KEY" > "$HS/chat.2" & c2=$!
sleep 0.3
check "a second chat of one client at once is 429" "429" "$(chat "$H1_KEY")"
wait "$c1" "$c2"
t1=$(date +%s%3N)
check "two clients' chats both answered" "200 200" "$(cat "$HS/chat.1") $(cat "$HS/chat.2")"
echo "# two 2 s LLM chats took $((t1 - t0)) ms"
check "and side by side, not one after the other" "1" "$(( t1 - t0 < 3800 ))"
up() { curl -s -o /dev/null -w '%{http_code}\n' -m 30 -H "X-API-Key: $H1_KEY" -F bom_file=@tests/fixtures/demo_bom.csv "$@" "$HURL/projects/upload-and-process"; }
stop_mock
up > "$HS/wait.1" & w1=$!
sleep 0.3
check "a client's wait beyond waits_per_client is 429" "429" "$(up)"
check "an async upload meanwhile is accepted" "202" "$(up -H 'Prefer: respond-async')"
wait "$w1"

# --- #11: the small ones -------------------------------------------------
r=$(curl -s -w ' %{http_code}' -H "X-API-Key: $H1_KEY" -F bom_file=@tests/fixtures/demo_bom.csv \
    -F quantity=1 -F quantity=0 "$HURL/projects")
check "a form field sent twice is 400" "400" "${r##* }"
check_contains "naming it" "'quantity' is given twice" "$r"
check "a part named ZZ/alternates is banned" "200" \
    "$(code -X POST -H "X-API-Key: $H1_KEY" -H 'Content-Type: application/json' -d '{"reason":"x"}' "$HURL/knowledge/parts/ZZ%2Falternates/ban")"
check "%2F keeps the part: GET ZZ%2Falternates is the part" "ZZ/alternates true" \
    "$(curl -s -H "X-API-Key: $H1_KEY" "$HURL/knowledge/parts/ZZ%2Falternates" | jq -r '"\(.mpn) \(.banned)"')"
curl -s -o /dev/null -H "X-API-Key: $H1_KEY" -H 'Content-Type: application/json' \
    -d '{"alternate_mpn":"YY","reason":"x"}' "$HURL/knowledge/parts/ZZ/alternates"
check "and GET ZZ/alternates is ZZ's list" '["YY"]' \
    "$(curl -s -H "X-API-Key: $H1_KEY" "$HURL/knowledge/parts/ZZ/alternates" | jq -c .)"
check "%00 in a path is 404" "404" "$(code -H "X-API-Key: $H1_KEY" "$HURL/knowledge/parts/A%00B")"
check "a 300-byte segment is 404" "404" "$(code -H "X-API-Key: $H1_KEY" "$HURL/knowledge/parts/$(printf 'A%.0s' $(seq 1 300))")"
xadd "{\"client_id\":\"$H1_ID\",\"job_id\":\"forge\\n<3>master: forged line\",\"bom_csv\":\"MPN\\n\"}"
wait_for 100 grep -q 'job=forge' "$LOG"
check "a newline in a job id forges no log line" "0" "$(grep -c '^<3>master: forged' "$LOG")"
check_contains "it is escaped in its own line" 'job=forge\x0a<3>master' "$(grep 'job=forge' "$LOG")"
for u in systemd/bomd.service systemd/bomd-worker.service; do
	for k in MemoryMax= TasksMax= ProtectProc=invisible ProcSubset=pid SocketBindDeny=any; do
		check "$u has $k" "1" "$(grep -c "^$k" "$u")"
	done
done
# the watchdog covers the API process: a hung one is killed and restarted
api0=$(api_pid)
kill -STOP "$api0"
wait_for 300 test "$(api_pid)" != "$api0"
check "a hung API process is restarted" "1" "$([ -n "$(api_pid)" ] && [ "$(api_pid)" != "$api0" ] && echo 1)"
check_contains "the master says why" "did not answer 3 probes" "$(grep 'probes' "$LOG")"
wait_for 150 curl -sf -o /dev/null "$HURL/health"
check "and it answers again" "200" "$(code "$HURL/health")"
stop_serve; check "SIGTERM: exit 0" "0" "$?"

check_sanitizers "sanitizers clean in the hostile daemons" "$LOG"
summary hostile

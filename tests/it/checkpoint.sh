#!/bin/bash
# Stage checkpoints: a job whose worker dies after the LLM assessment is
# retried from its checkpoint — the LLM is not asked again, its accounting
# is recorded once, and the result equals an uninterrupted run. Own Redis,
# PostgreSQL, mock LLM and daemon; all stopped by PID.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
S=$(mktemp -d "${STATE:-/tmp}/it_cp.XXXXXX")
SERVE_PID=""
MOCK_PID=""
cleanup() {
	stop_pid SERVE_PID
	stop_pid MOCK_PID
	own_services_stop "$S" "$S/serve.log"
	rm -rf "$S"
}
trap cleanup EXIT
own_services checkpoint "$S" || { summary checkpoint; exit 1; }
"$BOMD" migrate >/dev/null 2>&1
A=$("$BOMD" client create --name "CP Acme" --slug cp-acme 2>/dev/null)
A_ID=$(echo "$A" | jq -r .client_id)
A_KEY=$(echo "$A" | jq -r .api_key)
"$BOMD" offers import tests/fixtures/offers_demo.csv >/dev/null 2>&1
# cp-1 answered; the next request hangs until bomd gives up on it
mock_start mock_llm "$S" $'ok\nhang' 0 --hang-ms 600000
PORT=$(free_port)
BOMD_LISTEN=127.0.0.1:$PORT BOMD_LLM_PROVIDER=openai BOMD_LLM_API_KEY=test \
    BOMD_LLM_MODEL=gpt-5-mini BOMD_LLM_BASE_URL=http://127.0.0.1:$MPORT/v1 \
    BOMD_TEST_CRASH_AFTER_CHECKPOINT=CL21B104KBCNNNC BOMD_RATE_LIMIT=0 \
    BOMD_LLM_TIMEOUT_MS=10000 BOMD_LLM_MAX_RETRIES=0 \
    start_bomd "$S/serve.log" "http://127.0.0.1:$PORT" --workers 1

job=$(jq -cn --arg c "$A_ID" '{client_id: $c, job_id: "cp-1", bom_csv: "RefDes,Qty,MPN\nC1,2,CL21B104KBCNNNC\nR1,1,RC0805FR-0710KL\n"}')
redis-cli -p "$BOMD_TEST_REDIS_PORT" XADD bomd:jobs '*' job "$job" >/dev/null
wait_for 300 test "$(sql "SELECT status FROM jobs WHERE job_id = 'cp-1'")" = complete
check "the job completes after its worker died" "complete" "$(sql "SELECT status FROM jobs WHERE job_id = 'cp-1'")"
check "it took a second attempt" "2" "$(sql "SELECT attempts FROM jobs WHERE job_id = 'cp-1'")"
check_contains "the worker really died after the checkpoint" "killed by signal 6" "$(cat "$S/serve.log")"
check "the LLM was asked once" "1" "$(wc -l < "$S/mock.log" | tr -d ' ')"
check "its call is recorded once" "1" "$(sql "SELECT count(*) FROM llm_calls WHERE job_id = 'cp-1'")"
P=$(sql "SELECT project_id FROM jobs WHERE job_id = 'cp-1'")
check "the retry says it resumed" "1" "$(sql "SELECT count(*) FROM trace_steps WHERE project_id = '$P' AND message LIKE 'resumed from checkpoint%'")"
check "decisions persisted" "2" "$(sql "SELECT count(*) FROM line_items WHERE project_id = '$P' AND final_decision IS NOT NULL")"
check "exact prices kept" "t" "$(sql "SELECT bool_and(extended_price_micros = order_quantity * unit_price_micros) FROM line_items WHERE project_id = '$P' AND selected_mpn IS NOT NULL")"
check "the checkpoint is gone after commit" "0" "$(sql "SELECT count(*) FROM job_checkpoints")"
check "totals.llm came through the checkpoint" "1" "$(sql "SELECT totals->'llm'->>'calls' FROM projects WHERE project_id = '$P'")"

# line items move through their statuses while a job runs: while the LLM
# request hangs, the lines exist and are enriched; at commit, final
# (the LLM timeout, 10 s, must outlast these checks on a loaded machine:
# at 3 s a load of 10 let the job finish before them)
job=$(jq -cn --arg c "$A_ID" '{client_id: $c, job_id: "cp-2", bom_csv: "RefDes,Qty,MPN\nR1,1,RC0805FR-0710KL\nU1,1,NO-SUCH-PART-1\n"}')
redis-cli -p "$BOMD_TEST_REDIS_PORT" XADD bomd:jobs '*' job "$job" >/dev/null
# the live state comes from Redis through the API (PostgreSQL has no row
# of a job before its commit)
api() { curl -s -H "X-API-Key: $A_KEY" "http://127.0.0.1:$PORT$1"; }
live_pid() { api /jobs/cp-2 | jq -r .project_id; }
live_lines() { api "/projects/$(live_pid)" | jq -r '[.line_items[].status] | join(",")'; }
wait_for 100 test "$(live_lines)" = "enriched,enriched"
check "lines are enriched while the job runs" "enriched,enriched" "$(live_lines)"
check "the project says decisioning meanwhile" "decisioning" "$(api "/projects/$(live_pid)" | jq -r .status)"
check "the job says running meanwhile" "running" "$(api /jobs/cp-2 | jq -r .status)"
check "a running line has the original's agent decisions, null" "null null null null" \
    "$(api "/projects/$(live_pid)" | jq -r '.line_items[0] | [.engineering_decision, .sourcing_decision, .finance_decision, .purchasing_decision] | map(tostring) | join(" ")')"
check "nothing of it in PostgreSQL yet" "0" "$(sql "SELECT count(*) FROM projects WHERE project_id = '$(live_pid)'")"
wait_for 400 test "$(sql "SELECT status FROM jobs WHERE job_id = 'cp-2'")" = complete
check "final statuses after commit" "pending_purchase,pending_final_decision" "$(sql "SELECT string_agg(l.status, ',' ORDER BY l.line_no) FROM line_items l JOIN jobs j USING (client_id, project_id) WHERE j.job_id = 'cp-2'")"
check "still one set of line items" "2" "$(sql "SELECT count(*) FROM line_items l JOIN jobs j USING (client_id, project_id) WHERE j.job_id = 'cp-2'")"
check_contains "the LLM timeout fell back to the rules" "decisions from rules" "$(sql "SELECT string_agg(message, ' | ') FROM trace_steps t JOIN jobs j USING (client_id, project_id) WHERE j.job_id = 'cp-2'")"
summary checkpoint

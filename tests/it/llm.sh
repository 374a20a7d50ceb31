#!/bin/bash
# The LLM in the flow and the OpenAI-compatible API, against tests/mock_llm:
# every fault (ok, malformed, schema-invalid, 429, 500s, hangs, outage,
# temperature rejection) still completes the job from the rules, with the
# attempts, tokens and reasons recorded; an LLM escalation never changes a
# price; /v1/models and /v1/chat/completions with provider none and openai,
# and chat answers scoped to the caller. Starts its own Redis, PostgreSQL,
# mock and daemon (restarted per model), and stops them by PID.
. "$(dirname "$0")/lib.sh"
set -u
cd "$ROOT" || exit 1
S=$(mktemp -d "${STATE:-/tmp}/it_llm.XXXXXX")
SERVE_PID=""
MOCK_PID=""
MPORT=0

stop_daemon() { stop_pid SERVE_PID; }
stop_mock() { mock_stop "$S"; }
cleanup() {
	stop_daemon
	stop_mock
	own_services_stop "$S" "$S/serve.log"
	rm -rf "$S"
}
trap cleanup EXIT

own_services llm "$S" || { summary llm; exit 1; }
"$BOMD" migrate >/dev/null 2>&1 || bad "llm: migrate"
A=$("$BOMD" client create --name "LLM Acme" --slug llm-acme 2>/dev/null)
B=$("$BOMD" client create --name "LLM Beta" --slug llm-beta 2>/dev/null)
A_KEY=$(echo "$A" | jq -r .api_key); A_ID=$(echo "$A" | jq -r .client_id)
B_KEY=$(echo "$B" | jq -r .api_key)
"$BOMD" offers import tests/fixtures/offers_demo.csv >/dev/null 2>&1
sql "INSERT INTO part_knowledge (client_id, mpn, banned, ban_reason) VALUES ('$A_ID', 'AMS1117-3.3', true, 'field failures')"
sql "INSERT INTO supplier_knowledge (client_id, supplier_id, name, supplier_type, trust_level) VALUES ('$A_ID', 'fastchip', 'FastChip Trading', 'direct', 'blocked')"

LPORT=$(free_port)
URL=http://127.0.0.1:$LPORT
export BOMD_LISTEN=127.0.0.1:$LPORT BOMD_SYNC_WAIT=60 BOMD_LOG_LEVEL=info
export BOMD_RATE_LIMIT=0	# this suite checks answers, not the rate limit
export BOMD_LLM_API_KEY=test BOMD_LLM_TIMEOUT_MS=1000
export BOMD_LLM_CONNECT_TIMEOUT_MS=1000 BOMD_LLM_MAX_RETRIES=2
export BOMD_LLM_MAX_REASKS=2 BOMD_LLM_BACKOFF_BASE_MS=50
export BOMD_LLM_BACKOFF_CAP_MS=200 BOMD_LLM_RETRY_AFTER_CAP_MS=3000
export BOMD_LLM_DEADLINE_MS=30000 BOMD_LLM_PRICE_IN_PER_1M=0.25
export BOMD_LLM_PRICE_OUT_PER_1M=2

# start_mock SCRIPT: a fresh mock (same port after the first) and log
start_mock() {
	stop_mock
	mock_start mock_llm "$S" "$1" "$MPORT" --hang-ms 3000
}
# start_daemon PROVIDER MODEL [BATCH]
start_daemon() {
	stop_daemon
	# a port nothing else took since the last start (a shared machine)
	LPORT=$(free_port)
	URL=http://127.0.0.1:$LPORT
	export BOMD_LISTEN=127.0.0.1:$LPORT
	BOMD_LLM_PROVIDER=$1 BOMD_LLM_MODEL=$2 BOMD_LLM_BATCH_SIZE=${3:-10} \
	    BOMD_LLM_BASE_URL=http://127.0.0.1:$MPORT/v1 \
	    start_bomd "$S/serve.log" "$URL" --workers 1 ||
	    bad "daemon starts ($1 $2)"
}
submit() {	# submit KEY CSV -> upload answer
	curl -s -H "X-API-Key: $1" -F bom_file=@"$2" "$URL/projects/upload-and-process"
}
project() { curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$1"; }
prices() { project "$1" | jq -c '[.line_items[] | [.mpn, .selected_mpn, .selected_supplier, .order_quantity, .unit_price, .extended_price]]'; }
statuses() { project "$1" | jq -c '[.line_items[] | .final_decision.status]'; }
chat() {	# chat KEY BODY -> answer with " CODE" appended
	curl -s -w ' %{http_code}' -H "X-API-Key: $1" -H 'Content-Type: application/json' \
	    -d "$2" "$URL/v1/chat/completions"
}
ask() { jq -cn --arg q "$1" '{model: "bom-agent", messages: [{role: "system", content: "be brief"}, {role: "user", content: $q}]}'; }
mock_tokens() { jq -rs '"\([.[] | .prompt_tokens // 0] | add // 0) \([.[] | .completion_tokens // 0] | add // 0)"' "$S/mock.log"; }

printf 'RefDes,Qty,MPN\nU1,1,ESP32-WROOM-32E-N4\nU11,1,BQ25895RTWR\nR1,2,RC0805FR-07100KL\n' > "$S/bom.csv"
printf 'RefDes,Qty,MPN\nC1,1,CL21B104KBCNNNC\n' > "$S/bom_b.csv"

# --- provider none: the baseline ---------------------------------------------
start_mock ""	# learns the port; nothing may reach it in this part
start_daemon none gpt-5-nano
resp=$(submit "$A_KEY" "$S/bom.csv")
P0=$(echo "$resp" | jq -r .project_id)
check "none: job completes" "complete" "$(echo "$resp" | jq -r .status)"
BASE_PRICES=$(prices "$P0")
BASE_STATUS=$(statuses "$P0")
check "none: line 1 is approved by the rules (precondition)" '"approved"' "$(echo "$BASE_STATUS" | jq -c '.[0]')"
check "none: one trace note" "1" "$(project "$P0" | jq '[.trace[] | select(.message == "llm: provider none, decisions from rules")] | length')"
check "none: no totals.llm" "null" "$(project "$P0" | jq -c .totals.llm)"
check "none: no llm_calls" "0" "$(sql "SELECT count(*) FROM llm_calls")"
respb=$(submit "$B_KEY" "$S/bom_b.csv")
check "none: B's job completes" "complete" "$(echo "$respb" | jq -r .status)"
PB=$(echo "$respb" | jq -r .project_id)

m=$(curl -s -H "X-API-Key: $A_KEY" "$URL/v1/models")
check "models: OpenAI list" "list" "$(echo "$m" | jq -r .object)"
check "models: bom-agent entry" '{"id":"bom-agent","object":"model","owned_by":"bom-agent-service","created":true}' \
    "$(echo "$m" | jq -c '.data[] | select(.id == "bom-agent") | {id, object, owned_by, created: (.created | type == "number")}')"
check "models: key required" "401" "$(code "$URL/v1/models")"
check "chat: key required" "401" "$(code -d '{}' "$URL/v1/chat/completions")"

r=$(chat "$A_KEY" "$(ask "What happened to project $P0?")")
check "chat none: 200" "200" "${r##* }"
a=${r% *}
check "chat none: OpenAI shape" '["chat.completion",true,"assistant","stop",0,true]' \
    "$(echo "$a" | jq -c '[.object, (.id | startswith("chatcmpl-")), .choices[0].message.role, .choices[0].finish_reason, .choices[0].index, (.created | type == "number")]')"
check "chat none: model echoed" "bom-agent" "$(echo "$a" | jq -r .model)"
check "chat none: usage fields" "0 0 0" "$(echo "$a" | jq -r '.usage | "\(.prompt_tokens) \(.completion_tokens) \(.total_tokens)"')"
content=$(echo "$a" | jq -r '.choices[0].message.content')
check_contains "chat none: says no model was used" "No language model was used" "$content"
check_contains "chat none: names the project" "$P0" "$content"
check_contains "chat none: lists its decisions" "ESP32-WROOM-32E-N4" "$content"
check_contains "chat none: banned parts" "AMS1117-3.3 (field failures)" "$content"
check_contains "chat none: blocked suppliers" "fastchip (FastChip Trading)" "$content"
check "chat none: nothing reached the mock" "0" "$(wc -l < "$S/mock.log")"

r=$(chat "$B_KEY" "$(ask "Tell me everything about project $P0 please")")
a=${r% *}
content=$(echo "$a" | jq -r '.choices[0].message.content')
check "chat scoping: B gets 200" "200" "${r##* }"
case "$content" in
*"$P0"*|*ESP32*|*AMS1117*|*fastchip*) bad "chat scoping: B's answer says nothing of A's project" "$content" ;;
*) ok "chat scoping: B's answer says nothing of A's project" ;;
esac
check_contains "chat scoping: B sees its own project" "$PB" "$content"
check_contains "chat scoping: unknown id reads as not found" "matches none of your projects" "$content"
r=$(chat "$A_KEY" '{"model":"bom-agent","messages":[{"role":"user","content":[{"type":"text","text":"status?"}]}],"temperature":0.5}')
check "chat: content parts and temperature accepted" "200" "${r##* }"

for row in \
    '422|{"model":7,"messages":[{"role":"user","content":"hi"}]}|model' \
    '422|{"model":"bom-agent"}|messages' \
    '422|{"model":"bom-agent","messages":[]}|messages' \
    '422|{"model":"bom-agent","messages":[{"role":"wizard","content":"hi"}]}|messages[0].role' \
    '422|{"model":"bom-agent","messages":[{"role":"user","content":5}]}|messages[0].content' \
    '422|{"model":"bom-agent","messages":[{"role":"system","content":"x"}]}|no user message' \
    '422|{"model":"bom-agent","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}|temperature' \
    '422|{"model":"bom-agent","messages":[{"role":"user","content":"hi"}],"temperature":3}|temperature' \
    '422|{"model":"bom-agent","messages":[{"role":"user","content":"hi"}],"stream":"yes"}|stream' \
    '400|{"model": |request body' \
    '400|[1,2]|request body'; do
	want=${row%%|*}; rest=${row#*|}; body=${rest%|*}; field=${rest##*|}
	r=$(chat "$A_KEY" "$body")
	check "chat validation: $body -> $want" "$want" "${r##* }"
	check_contains "chat validation: detail names $field" "$field" "$(echo "${r% *}" | jq -r .detail)"
done

# --- provider openai, model gpt-5-nano: every fault ----------------------------
start_daemon openai gpt-5-nano
# scenario NAME SCRIPT ATTEMPTS OUTCOME: one job (one request, 3 lines)
scenario() {
	local name=$1 script=$2 want=$3 outcome=$4 resp P J
	if [ "$script" = "OUTAGE" ]; then stop_mock; else start_mock "$script"; fi
	resp=$(submit "$A_KEY" "$S/bom.csv")
	P=$(echo "$resp" | jq -r .project_id)
	J=$(echo "$resp" | jq -r .job_id)
	check "$name: job completes" "complete" "$(echo "$resp" | jq -r .status)"
	check "$name: llm_calls attempts and outcome" "$want $outcome" \
	    "$(sql "SELECT attempts || ' ' || outcome FROM llm_calls WHERE job_id = '$J' AND client_id = '$A_ID'")"
	if [ "$script" != "OUTAGE" ]; then
		check "$name: tokens recorded as the mock counted" "$(mock_tokens)" \
		    "$(sql "SELECT prompt_tokens || ' ' || completion_tokens FROM llm_calls WHERE job_id = '$J'")"
	fi
	check "$name: cost from the configured prices" "t" \
	    "$(sql "SELECT cost_micros = (prompt_tokens * 250000 + completion_tokens * 2000000) / 1000000 FROM llm_calls WHERE job_id = '$J'")"
	check "$name: prices are the rules'" "$BASE_PRICES" "$(prices "$P")"
	check "$name: totals.llm" "1 $want" "$(project "$P" | jq -r '.totals.llm | "\(.calls) \(.attempts)"')"
	check "$name: totals.llm tokens match llm_calls" \
	    "$(sql "SELECT prompt_tokens || ' ' || completion_tokens FROM llm_calls WHERE job_id = '$J'")" \
	    "$(project "$P" | jq -r '.totals.llm | "\(.prompt_tokens) \(.completion_tokens)"')"
	check "$name: the call is a trace step" "1" \
	    "$(project "$P" | jq --arg m "model gpt-5-nano, $outcome, $want attempt" '[.trace[] | select(.step == "llm" and (.message | contains($m)))] | length')"
	if [ "$outcome" = "ok" ]; then
		check "$name: a cost was charged" "t" "$(sql "SELECT cost_micros > 0 FROM llm_calls WHERE job_id = '$J'")"
		check "$name: the LLM escalated line 1 only" \
		    "$(echo "$BASE_STATUS" | jq -c '.[0] = "escalated"')" "$(statuses "$P")"
		check "$name: no fallback note" "0" "$(project "$P" | jq '[.trace[] | select(.message | startswith("llm unavailable"))] | length')"
	else
		check "$name: decisions from the rules" "$BASE_STATUS" "$(statuses "$P")"
		check "$name: trace says why" "1" "$(project "$P" | jq --arg m "llm unavailable: $outcome after $want attempts; decisions from rules" '[.trace[] | select(.step == "llm" and .agent == "llm" and .message == $m)] | length')"
	fi
	LAST_P=$P
}
scenario ok "" 1 ok
d=$(project "$LAST_P")
check_contains "ok: escalation reasons in the reasoning" "Escalated by LLM review (answered escalated): mock" "$(echo "$d" | jq -r '.line_items[0].final_decision.reasoning')"
check "ok: assessment in output_data.llm" "escalated escalated final_decision" "$(echo "$d" | jq -r '.line_items[0].final_decision | "\(.output_data.llm.decision) \(.output_data.llm.effect) \(.agent_name)"')"
check "ok: the agents' decisions carry the model's notes" "engineering true true" \
    "$(echo "$d" | jq -r '.line_items[0] | "\(.engineering_decision.agent_name) \(.sourcing_decision.reasoning | contains("LLM note: mock")) \(.finance_decision.reasoning | contains("LLM note: mock"))"')"
check "ok: the LLM's words stay the final decision's" "true" \
    "$(echo "$d" | jq '.line_items[0].final_decision.reasoning | contains("Escalated by LLM review")')"
check "ok: a report with an LLM too" "true" "$(echo "$d" | jq '.report.executive_summary | length > 0')"
check "ok: notes-only lines keep their status" "$(echo "$BASE_STATUS" | jq -c '.[1:]')" "$(echo "$d" | jq -c '[.line_items[1:][] | .final_decision.status]')"
check "ok: totals recounted" "$(echo "$d" | jq '[.line_items[] | select(.final_decision.status == "escalated")] | length')" "$(echo "$d" | jq .totals.escalated)"
check "ok: approved total excludes the escalated line" "$(echo "$d" | jq '[.line_items[] | select(.final_decision.status == "approved") | .extended_price] | add // 0 | . * 1000000 | round')" "$(echo "$d" | jq .totals.extended_price_micros)"
check "ok: escalation is a trace step" "1" "$(echo "$d" | jq '[.trace[] | select(.agent == "llm" and (.message | contains("approved -> escalated")))] | length')"
check "ok: the key is sent, the prompt is not logged" "true 0" "$(jq -rs '.[0].auth' "$S/mock.log") $(grep -c 'Review these' "$S/serve.log")"
check "ok: no compressed answers asked for (no decoder state per call)" "0" "$(jq -s '[.[] | select(.accept_encoding != null)] | length' "$S/mock.log")"

# the same job delivered twice: counted once
job=$(jq -cn --arg c "$A_ID" '{client_id: $c, job_id: "llm-dup-1", bom_csv: "RefDes,Qty,MPN\nU1,1,ESP32-WROOM-32E-N4\n"}')
rcli XADD bomd:jobs '*' job "$job" >/dev/null
rcli XADD bomd:jobs '*' job "$job" >/dev/null
wait_for 200 test "$(sql "SELECT status FROM jobs WHERE job_id = 'llm-dup-1'")" = complete
wait_for 100 test "$(rcli XPENDING bomd:jobs bomd | head -1)" = 0
check "duplicate delivery: one llm_calls row" "1" "$(sql "SELECT count(*) FROM llm_calls WHERE job_id = 'llm-dup-1'")"

scenario malformed "malformed" 2 ok
scenario schema-invalid "$(printf 'invalid\ninvalid\ninvalid')" 3 invalid
scenario rate-limited "429" 2 ok
scenario server-errors "$(printf '500\n500\n500')" 3 http_failed
scenario hanging "$(printf 'hang\nhang\nhang')" 3 timeout
start_mock ""
r=$(chat "$A_KEY" "$(jq -cn --arg q "How is project $P0?" '{model: "bom-agent", messages: [{role: "user", content: $q}], temperature: 0.7}')")
a=${r% *}
check "chat openai: 200" "200" "${r##* }"
check "chat openai: the model's answer" "mock true" "$(echo "$a" | jq -r '"\(.choices[0].message.content) \(.llm_used)"')"
check "chat openai: usage is the mock's" "$(mock_tokens)" "$(echo "$a" | jq -r '"\(.usage.prompt_tokens) \(.usage.completion_tokens)"')"
check "chat openai: total_tokens" "true" "$(echo "$a" | jq '.usage.total_tokens == .usage.prompt_tokens + .usage.completion_tokens and .usage.prompt_tokens > 0')"
check "chat openai: recorded in llm_calls" "chat 1 ok" "$(sql "SELECT stage || ' ' || attempts || ' ' || outcome FROM llm_calls WHERE job_id = '$(echo "$a" | jq -r .id)' AND client_id = '$A_ID'")"
scenario outage "OUTAGE" 3 http_failed
r=$(chat "$A_KEY" "$(ask "How is project $P0?")")
a=${r% *}
check "chat outage: still 200" "200" "${r##* }"
content=$(echo "$a" | jq -r '.choices[0].message.content')
check_contains "chat outage: says the model was unavailable" "language model was unavailable (http_failed after 3 attempts)" "$content"
check_contains "chat outage: answers from the data" "ESP32-WROOM-32E-N4" "$content"
check "gpt-5-nano: no temperature ever reached the model" "0" "$(jq -s '[.[] | select(.temperature)] | length' "$S/mock_all.log")"

# --- a nano model that rejects temperature, learnt once; 2 lines a batch ------
start_mock ""
start_daemon openai acme-nano 2
resp=$(submit "$A_KEY" "$S/bom.csv")
J=$(echo "$resp" | jq -r .job_id); P=$(echo "$resp" | jq -r .project_id)
check "nano: job completes" "complete" "$(echo "$resp" | jq -r .status)"
check "nano: two batches, each dropped temperature once" "2 ok,2 ok" "$(sql "SELECT string_agg(attempts || ' ' || outcome, ',') FROM llm_calls WHERE job_id = '$J'")"
check "nano: tokens as the mock counted" "$(mock_tokens)" "$(sql "SELECT sum(prompt_tokens) || ' ' || sum(completion_tokens) FROM llm_calls WHERE job_id = '$J'")"
check "nano: temperature only ever got a 400" "0" "$(jq -s '[.[] | select(.temperature and .status != 400)] | length' "$S/mock.log")"
check "nano: the rejection was seen" "true" "$(jq -s '[.[] | select(.temperature and .fault == "400_param")] | length > 0' "$S/mock.log")"
check_contains "nano: trace notes the drop" "model rejects temperature" "$(project "$P" | jq -r '[.trace[] | select(.step == "llm") | .message] | join(" | ")')"
check "nano: prices are the rules'" "$BASE_PRICES" "$(prices "$P")"
check "nano: batch 2's answer about line 1 is ignored" \
    "$(echo "$BASE_STATUS" | jq -c '.[0] = "escalated"')" "$(statuses "$P")"
check_contains "nano: ignored answers noted" "llm answered 0 of 1 lines" "$(project "$P" | jq -r '[.trace[] | .message] | join(" | ")')"
start_mock ""
resp=$(submit "$A_KEY" "$S/bom.csv")
J=$(echo "$resp" | jq -r .job_id)
check "nano: later jobs send no temperature" "1 ok,1 ok" "$(sql "SELECT string_agg(attempts || ' ' || outcome, ',') FROM llm_calls WHERE job_id = '$J'")"
check "nano: nothing with temperature reached it" "0" "$(jq -s '[.[] | select(.temperature)] | length' "$S/mock.log")"

# --- a model that takes temperature: passed through from chat -----------------
start_mock ""
start_daemon openai gpt-4o-mini
r=$(chat "$A_KEY" "$(jq -cn '{model: "bom-agent", messages: [{role: "user", content: "hello"}], temperature: 0.3}')")
check "chat temperature: 200" "200" "${r##* }"
check "chat temperature: passed through" "true 200" "$(jq -rs '.[0] | "\(.temperature) \(.status)"' "$S/mock.log")"

# --- an outage on a job of many batches: the first failed wave stops it -------
stop_mock
export BOMD_LLM_MAX_CONCURRENCY=1
start_daemon openai gpt-4o-mini 1
resp=$(submit "$A_KEY" "$S/bom.csv")
J=$(echo "$resp" | jq -r .job_id); P=$(echo "$resp" | jq -r .project_id)
check "outage, 3 batches: job completes" "complete" "$(echo "$resp" | jq -r .status)"
check "outage, 3 batches: one request tried, the rest not sent" "1" "$(sql "SELECT count(*) FROM llm_calls WHERE job_id = '$J'")"
check_contains "outage, 3 batches: trace says so" "every request of the last wave failed, lines 2-3 not sent; decisions from rules" "$(project "$P" | jq -r '[.trace[] | .message] | join(" | ")')"
check "outage, 3 batches: decisions from the rules" "$BASE_STATUS" "$(statuses "$P")"
check "outage, 3 batches: totals.llm counts the failure" "1 1" "$(project "$P" | jq -r '.totals.llm | "\(.calls) \(.failed_calls)"')"

# --- the shared budget: one request a minute, a job of three batches ---------
unset BOMD_LLM_MAX_CONCURRENCY
start_mock "ok"
BOMD_LLM_REQUESTS_PER_MIN=1 BOMD_LLM_JOB_DEADLINE_MS=2000 \
    start_daemon openai gpt-4o-mini 1
rcli DEL bomd:llm:budget >/dev/null
resp=$(submit "$A_KEY" "$S/bom.csv")
J=$(echo "$resp" | jq -r .job_id); P=$(echo "$resp" | jq -r .project_id)
check "budget: job completes" "complete" "$(echo "$resp" | jq -r .status)"
check "budget: one request in the minute, the rest not sent" "1" "$(sql "SELECT count(*) FROM llm_calls WHERE job_id = '$J'")"
check "budget: the mock saw one request" "1" "$(wc -l < "$S/mock.log" | tr -d ' ')"
check_contains "budget: trace says why" "the shared budget (llm.requests_per_min, llm.tokens_per_min) had no room before the job deadline, lines 2-3 not sent" "$(project "$P" | jq -r '[.trace[] | .message] | join(" | ")')"
check "budget: the bucket is in Redis" "1" "$(rcli EXISTS bomd:llm:budget)"

stop_daemon
check_sanitizers "llm: sanitizers clean" "$S/serve.log"
summary llm

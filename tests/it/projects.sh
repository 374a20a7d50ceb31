#!/bin/bash
# Project routes against the shared daemon: POST /projects (create without
# processing), POST /projects/{id}/process (sync, async, reprocessing),
# GET /projects/{id}/trace, DELETE /projects/{id}, intake warnings kept on
# the project, tenant isolation of each, and a ban set between two runs of
# the same project. Uses its own MPNs (ITP-*) where results are counted.
. "$(dirname "$0")/lib.sh"
set -u
cd "$ROOT"
T=$(mktemp -d "$STATE/it_projects.XXXXXX")

JOB_KEYS='["job_id","message","project_id","status"]'
GHOST=00000000-0000-4000-8000-00000000abcd
job_status() { curl -s -H "X-API-Key: $1" "$URL/jobs/$2" | jq -r .status; }
job_final() { case "$(job_status "$1" "$2")" in complete|failed|dead) return 0 ;; esac; return 1; }

cat > "$T/offers.csv" <<'EOF'
mpn,manufacturer,supplier_id,supplier_name,supplier_type,sku,stock,moq,order_multiple,lead_time_days,currency,breaks
ITP-REG-1,PjTest,itp-dist,ITP Dist,authorized,ITP-1,10000,1,1,5,USD,1:0.50|100:0.40
ITP-ALT-1,PjTest,itp-dist,ITP Dist,authorized,ITP-ALT,10000,1,1,5,USD,1:0.55
EOF
"$BOMD" offers import "$T/offers.csv" >/dev/null 2>&1
printf 'RefDes,Qty,MPN\nU1,1,ITP-REG-1\nR1-R2,2,ITP-RES-2\nU9,1,ITP-UNIQ-1\n' > "$T/bom.csv"
printf 'RefDes,Qty,MPN\n' > "$T/header.csv"
printf 'project:\n  name: ITP yaml\n  colour: blue\nrequirements:\n  quantity: 2\n  shoe_size: 9\n' > "$T/intake.yaml"

# --- POST /projects ------------------------------------------------------------
n_before=$(sql "SELECT count(*) FROM projects")
req "$A_KEY" POST /projects -F other=1
check "create without bom_file is 422" "422" "$CODE"
check "422 names bom_file" "bom_file: field required" "$(detail)"
req "$A_KEY" POST /projects -F bom_file=@"$T/header.csv"
check "create with a header-only CSV is 400" "400" "$CODE"
check_contains "400 says why" "No valid line items found in BOM" "$(detail)"
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv" -F quantity=-3
check "create with a bad form field is 422" "422" "$CODE"
check_contains "422 names the form field" "quantity" "$(detail)"
printf 'requirements: {quantity: -3}\n' > "$T/bad.yaml"
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv" -F intake_file=@"$T/bad.yaml"
check "create with a bad intake file is 400" "400" "$CODE"
check_contains "400 names the intake field" "requirements.quantity" "$(detail)"
check "nothing written for bad creates" "$n_before" "$(sql "SELECT count(*) FROM projects")"
check "create without a key is 401" "401" "$(code -F bom_file=@"$T/bom.csv" "$URL/projects")"

req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv" -F project_name="ITP form" \
    -F quantity=3 -F allow_brokers=true -F max_lead_time_days=30
check "create is 200" "200" "$CODE"
check "create answers the summary" "$SUMMARY_KEYS" "$(echo "$BODY" | jq -c keys)"
P=$(echo "$BODY" | jq -r .project_id)
check "summary values" "ITP form created 3" "$(echo "$BODY" | jq -r '"\(.project_name) \(.status) \(.line_item_count)"')"
check "summary timestamps are RFC 3339 UTC" "true" "$(echo "$BODY" | jq --arg re "$TSRE" '(.created_at | test($re)) and (.updated_at | test($re))')"
check "create does not enqueue" "0" "$(sql "SELECT count(*) FROM jobs WHERE project_id = '$P'")"
check "created project belongs to A" "$A_ID created" "$(sql "SELECT client_id || ' ' || status FROM projects WHERE project_id = '$P'")"
check "line items pending enrichment" "3 3" "$(sql "SELECT count(*) || ' ' || count(*) FILTER (WHERE status = 'pending_enrichment') FROM line_items WHERE project_id = '$P'")"
req "$A_KEY" GET "/projects/$P"
check "created project readable" "200 created" "$CODE $(echo "$BODY" | jq -r .status)"
check "form context stored" "3 true 30 ITP form" "$(echo "$BODY" | jq -r '"\(.context.quantity) \(.context.sourcing_constraints.allow_brokers) \(.context.sourcing_constraints.max_lead_time_days) \(.context.project_name)"')"
check "created line items listed" '["ITP-REG-1","ITP-RES-2","ITP-UNIQ-1"]' "$(echo "$BODY" | jq -c '[.line_items[].mpn]')"
check "designator ranges expanded" '["R1","R2"]' "$(echo "$BODY" | jq -c '.line_items[1].designators')"
check "undecided lines carry the agents' decisions, null" "true" "$(echo "$BODY" | jq '(.line_items | length > 0) and ([.line_items[] | . as $l | ["engineering_decision", "sourcing_decision", "finance_decision", "purchasing_decision"] | all(. as $k | $l | has($k) and .[$k] == null)] | all)')"
req "$A_KEY" GET /projects
check "list counts the created line items" "3 created" "$(echo "$BODY" | jq -r --arg p "$P" '.[] | select(.project_id == $p) | "\(.line_item_count) \(.status)"')"
req "$B_KEY" GET "/projects/$P"
check "B cannot read A's created project" "404" "$CODE"

# intake file with unknown keys: the warnings are kept on the project
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv" -F intake_file=@"$T/intake.yaml"
check "create with an intake file" "200 ITP yaml" "$CODE $(echo "$BODY" | jq -r .project_name)"
PY=$(echo "$BODY" | jq -r .project_id)
req "$A_KEY" GET "/projects/$PY"
check "intake file context stored" "2" "$(echo "$BODY" | jq -r .context.quantity)"
check_contains "unknown intake key warned" "colour" "$(echo "$BODY" | jq -c .warnings)"
check_contains "unknown nested intake key warned" "shoe_size" "$(echo "$BODY" | jq -c .warnings)"

# a CP1252 file (not UTF-8) is stored as UTF-8 text and processed the same
printf 'RefDes,Qty,MPN,Description\nU1,1,ITP-REG-1,regulator 5\xb5A\n' > "$T/cp1252.csv"
req "$A_KEY" POST /projects -F bom_file=@"$T/cp1252.csv"
check "create with a CP1252 file" "200 1" "$CODE $(echo "$BODY" | jq -r .line_item_count)"
PC=$(echo "$BODY" | jq -r .project_id)
req "$A_KEY" GET "/projects/$PC"
check "CP1252 text decoded" "regulator 5µA" "$(echo "$BODY" | jq -r '.line_items[0].description')"
req "$A_KEY" POST "/projects/$PC/process"
check "CP1252 project processes" "200 complete" "$CODE $(echo "$BODY" | jq -r .status)"
req "$A_KEY" GET "/projects/$PC"
check "CP1252 text kept by the worker" "regulator 5µA" "$(echo "$BODY" | jq -r '.line_items[0].description')"
req "$A_KEY" POST /projects/upload-and-process -F bom_file=@"$T/cp1252.csv"
check "upload-and-process with a CP1252 file" "200 complete" "$CODE $(echo "$BODY" | jq -r .status)"
PC2=$(echo "$BODY" | jq -r .project_id)

# --- GET /projects/{id}/trace before processing ----------------------------------
req "$A_KEY" GET "/projects/$P/trace"
check "trace of an unprocessed project is empty" "200 []" "$CODE $BODY"
req "$A_KEY" GET "/projects/$GHOST/trace"
check "trace of an unknown project is 404" "404 Project not found: $GHOST" "$CODE $(detail)"
req "$A_KEY" GET /projects/not-an-id/trace
check "trace of an invalid id is 404" "404 Project not found: not-an-id" "$CODE $(detail)"

# --- POST /projects/{id}/process --------------------------------------------------
req "$A_KEY" POST "/projects/$GHOST/process"
check "process of an unknown project is 404" "404 Project not found: $GHOST" "$CODE $(detail)"
req "$A_KEY" POST /projects/not-an-id/process
check "process of an invalid id is 404" "404" "$CODE"
req "$B_KEY" POST "/projects/$P/process"
check "B cannot process A's project" "404 Project not found: $P" "$CODE $(detail)"
check "B's attempt wrote no job" "0" "$(sql "SELECT count(*) FROM jobs WHERE project_id = '$P'")"
check "B's attempt left the project alone" "created" "$(sql "SELECT status FROM projects WHERE project_id = '$P'")"

req "$A_KEY" POST "/projects/$P/process"
check "process waits and completes" "200 complete" "$CODE $(echo "$BODY" | jq -r .status)"
check "process answer fields" "$JOB_KEYS" "$(echo "$BODY" | jq -c keys)"
check "process answers the project" "$P" "$(echo "$BODY" | jq -r .project_id)"
J1=$(echo "$BODY" | jq -r .job_id)
check "job row for the process" "complete $P" "$(sql "SELECT status || ' ' || project_id FROM jobs WHERE job_id = '$J1' AND client_id = '$A_ID'")"
req "$A_KEY" GET "/projects/$P"
check "processed project complete" "complete" "$(echo "$BODY" | jq -r .status)"
check "every line decided" "3" "$(echo "$BODY" | jq '[.line_items[] | select(.final_decision.status != null)] | length')"
check "stored context used (build quantity 3)" "3" "$(echo "$BODY" | jq -r '.line_items[] | select(.mpn == "ITP-REG-1") | .order_quantity')"
check "approved from our offer" "approved itp-dist" "$(echo "$BODY" | jq -r '.line_items[] | select(.mpn == "ITP-REG-1") | "\(.final_decision.status) \(.selected_supplier)"')"
check "no offers escalated" "escalated" "$(echo "$BODY" | jq -r '.line_items[] | select(.mpn == "ITP-UNIQ-1") | .final_decision.status')"
trace_in_project=$(echo "$BODY" | jq -c .trace)

req "$A_KEY" GET "/projects/$P/trace"
check "trace is 200" "200" "$CODE"
check "trace is a list of steps" "true" "$(echo "$BODY" | jq 'type == "array" and length > 2')"
check "trace step fields" "$STEP_KEYS" "$(echo "$BODY" | jq -c '.[0] | keys')"
check "trace steps have RFC 3339 timestamps" "true" "$(echo "$BODY" | jq --arg re "$TSRE" 'map(.timestamp | test($re)) | all')"
check "trace references are lists" "true" "$(echo "$BODY" | jq 'map(.references | type == "array") | all')"
check "trace route equals the project's trace" "$trace_in_project" "$(echo "$BODY" | jq -c .)"
check "trace starts with intake" "intake" "$(echo "$BODY" | jq -r '.[0].step')"
req "$B_KEY" GET "/projects/$P/trace"
check "B cannot read A's trace" "404" "$CODE"

# reprocess: one set of line items, a new job, usage counted per job
req "$A_KEY" POST "/projects/$P/process"
check "reprocess completes" "200 complete" "$CODE $(echo "$BODY" | jq -r .status)"
J2=$(echo "$BODY" | jq -r .job_id)
check "reprocess is a new job" "true" "$([ -n "$J2" ] && [ "$J2" != "$J1" ] && echo true || echo false)"
check "still one set of line items" "3" "$(sql "SELECT count(*) FROM line_items WHERE project_id = '$P'")"
check "two jobs for the project" "2" "$(sql "SELECT count(*) FROM jobs WHERE project_id = '$P' AND status = 'complete'")"
check "trace keeps both runs" "2" "$(sql "SELECT count(DISTINCT job_id) FROM trace_steps WHERE project_id = '$P'")"
check "part usage counted per job" "2" "$(sql "SELECT bomd_part_times_used('$A_ID', 'ITP-UNIQ-1')")"
check "project listed once in the part's usage" '["'"$P"'"]' "$(sql "SELECT bomd_part_projects('$A_ID', 'ITP-UNIQ-1')::text" | tr -d ' ')"

# async
req "$A_KEY" POST "/projects/$P/process" -H 'Prefer: respond-async'
check "Prefer: respond-async is 202" "202" "$CODE"
check "202 answer fields" "$JOB_KEYS" "$(echo "$BODY" | jq -c keys)"
check "202 status is queued or running" "true" "$(echo "$BODY" | jq '.status == "queued" or .status == "running"')"
J3=$(echo "$BODY" | jq -r .job_id)
check "async job row exists at once" "1" "$(sql "SELECT count(*) FROM jobs WHERE job_id = '$J3'")"
wait_for 300 job_final "$A_KEY" "$J3"
check "async job completes" "complete" "$(job_status "$A_KEY" "$J3")"
req "$A_KEY" POST "/projects/$P/process?async=1"
check "?async=1 is 202" "202" "$CODE"
J4=$(echo "$BODY" | jq -r .job_id)
wait_for 300 job_final "$A_KEY" "$J4"
check "?async=1 job completes" "complete" "$(job_status "$A_KEY" "$J4")"
check "line items still one set after four runs" "3" "$(sql "SELECT count(*) FROM line_items WHERE project_id = '$P'")"
check "usage after four runs" "4" "$(sql "SELECT bomd_part_times_used('$A_ID', 'ITP-UNIQ-1')")"

# a ban set between two runs applies to the next run of the same project
req "$A_KEY" POST /knowledge/parts/ITP-REG-1/ban -H 'Content-Type: application/json' --data-binary '{"reason": "itp ban test"}'
check "ban through the API" "200" "$CODE"
req "$A_KEY" POST /knowledge/parts/ITP-REG-1/alternates -H 'Content-Type: application/json' --data-binary '{"alternate_mpn": "ITP-ALT-1", "reason": "drop-in"}'
check "alternate through the API" "200" "$CODE"
req "$A_KEY" POST "/projects/$P/process"
check "run after the ban completes" "complete" "$(echo "$BODY" | jq -r .status)"
req "$A_KEY" GET "/projects/$P"
check "banned part rejected on reprocess, alternate proposed" "rejected ITP-ALT-1 itp-dist" "$(echo "$BODY" | jq -r '.line_items[] | select(.mpn == "ITP-REG-1") | "\(.final_decision.status) \(.selected_mpn) \(.selected_supplier)"')"
req "$A_KEY" POST /knowledge/parts/ITP-REG-1/unban

# intake warnings of upload-and-process survive processing and reprocessing
req "$A_KEY" POST /projects/upload-and-process -F bom_file=@"$T/bom.csv" -F intake_file=@"$T/intake.yaml"
check "upload with unknown intake keys completes" "200 complete" "$CODE $(echo "$BODY" | jq -r .status)"
PU=$(echo "$BODY" | jq -r .project_id)
req "$A_KEY" GET "/projects/$PU"
check_contains "upload keeps intake warnings" "colour" "$(echo "$BODY" | jq -c .warnings)"
check "intake warnings stored on the project" "2" "$(sql "SELECT jsonb_array_length(intake_warnings) FROM projects WHERE project_id = '$PU'")"
req "$A_KEY" POST "/projects/$PU/process"
req "$A_KEY" GET "/projects/$PU"
check_contains "intake warnings survive reprocessing" "shoe_size" "$(echo "$BODY" | jq -c .warnings)"
check "warnings not duplicated" "1" "$(echo "$BODY" | jq '[.warnings[] | select(contains("colour"))] | length')"
req "$A_KEY" POST "/projects/$PY/process"
check "process a project created with an intake file" "complete" "$(echo "$BODY" | jq -r .status)"
req "$A_KEY" GET "/projects/$PY"
check "created project's warnings kept after processing" "true" "$(echo "$BODY" | jq '(.warnings | map(select(contains("colour"))) | length) == 1')"

# --- DELETE /projects/{id} ----------------------------------------------------------
req "$B_KEY" DELETE "/projects/$P"
check "B cannot delete A's project" "404 Project not found: $P" "$CODE $(detail)"
check "A's project still there" "1 3" "$(sql "SELECT count(*) || ' ' || (SELECT count(*) FROM line_items WHERE project_id = '$P') FROM projects WHERE project_id = '$P'")"
req "$A_KEY" DELETE "/projects/$GHOST"
check "delete of an unknown project is 404" "404 Project not found: $GHOST" "$CODE $(detail)"
req "$A_KEY" DELETE /projects/not-an-id
check "delete of an invalid id is 404" "404" "$CODE"
req "$A_KEY" DELETE "/projects/$P"
check "delete is 200" "200" "$CODE"
check "delete answer" "{\"deleted\":\"$P\"}" "$(echo "$BODY" | jq -c .)"
check "project row gone" "0" "$(sql "SELECT count(*) FROM projects WHERE project_id = '$P'")"
check "line items gone with it" "0" "$(sql "SELECT count(*) FROM line_items WHERE project_id = '$P'")"
check "trace gone with it" "0" "$(sql "SELECT count(*) FROM trace_steps WHERE project_id = '$P'")"
check "jobs keep their history" "5" "$(sql "SELECT count(*) FROM jobs WHERE project_id = '$P'")"
check "deleted project is 404" "404" "$(code -H "X-API-Key: $A_KEY" "$URL/projects/$P")"
req "$A_KEY" GET "/projects/$P/trace"
check "trace of a deleted project is 404" "404" "$CODE"
req "$A_KEY" POST "/projects/$P/process"
check "process of a deleted project is 404" "404" "$CODE"
req "$A_KEY" DELETE "/projects/$P"
check "delete twice is 404" "404" "$CODE"
req "$A_KEY" GET "/jobs/$J1"
check "a deleted project's job is still readable" "200 complete" "$CODE $(echo "$BODY" | jq -r .status)"

# a project that was never processed
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv"
PD=$(echo "$BODY" | jq -r .project_id)
req "$A_KEY" DELETE "/projects/$PD"
check "delete a never-processed project" "200" "$CODE"
check "its line items are gone" "0" "$(sql "SELECT count(*) FROM line_items WHERE project_id = '$PD'")"

# --- root names the routes, as the original's endpoints object ------------------
eps=$(curl -s "$URL/" | jq -c .endpoints)
for ep in projects:/projects knowledge:/knowledge chat:/v1/chat/completions \
    health:/health jobs:/jobs; do
	check_contains "root names $ep" "\"${ep%%:*}\":\"${ep#*:}\"" "$eps"
done

# leave A's knowledge as other suites expect it
for p in "$PU" "$PY" "$PC" "$PC2"; do
	code -X DELETE -H "X-API-Key: $A_KEY" "$URL/projects/$p" >/dev/null
done
sql "DELETE FROM part_knowledge WHERE client_id = '$A_ID' AND mpn LIKE 'ITP-%'"
rm -rf "$T"
summary projects

#!/bin/bash
# Persist stage (one statement per batch, line items encoded without jansson):
# text that needs JSON escaping is stored exactly; a job delivered twice
# is committed once; the whole result is there after one commit. Runs
# against the shared daemon, client A only.
. "$(dirname "$0")/lib.sh"

RUN=persist-$$-$(date +%s)
DESC='say "hi" \ back\slash, µΩ ✓ </script> {"x":[1]}'
MFR='Yägeo "quoted"'
# CSV: quotes doubled inside a quoted field
csv_q() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }
BOM="RefDes,Qty,MPN,Manufacturer,Description
\"R1,R2\",2,RC0805FR-0710KL,$(csv_q "$MFR"),$(csv_q "$DESC")
C1,1,NOPE-$RUN,,plain
"
job() {	# job JOB_ID: the job field as JSON
	jq -cn --arg c "$A_ID" --arg j "$1" --arg b "$BOM" \
	    --arg n "name \"$RUN\" \\ ü" \
	    '{client_id: $c, job_id: $j, bom_csv: $b, project_name: $n}'
}
status() {
	sql "SELECT status FROM jobs WHERE client_id = '$A_ID' AND job_id = '$1'"
}
pid_of() {
	sql "SELECT project_id FROM jobs WHERE client_id = '$A_ID' AND job_id = '$1'"
}

rcli XADD bomd:jobs '*' job "$(job "$RUN-1")" >/dev/null
wait_for 300 test "$(status "$RUN-1")" = complete
check "escaped job completes" complete "$(status "$RUN-1")"
P=$(pid_of "$RUN-1")
check "description stored exactly" "$DESC" \
    "$(sql "SELECT description FROM line_items WHERE project_id = '$P' AND line_no = 1")"
check "manufacturer stored exactly" "$MFR" \
    "$(sql "SELECT manufacturer FROM line_items WHERE project_id = '$P' AND line_no = 1")"
check "designators stored" "{R1,R2}" \
    "$(sql "SELECT designators FROM line_items WHERE project_id = '$P' AND line_no = 1")"
check "project name stored exactly" "name \"$RUN\" \\ ü" \
    "$(sql "SELECT name FROM projects WHERE project_id = '$P'")"
check "project complete" complete \
    "$(sql "SELECT status FROM projects WHERE project_id = '$P'")"
check "two line items" 2 \
    "$(sql "SELECT count(*) FROM line_items WHERE project_id = '$P'")"
check "priced line has a selection" "RC0805FR-0710KL t approved" \
    "$(sql "SELECT selected_mpn, unit_price_micros > 0, final_decision->>'status' FROM line_items WHERE project_id = '$P' AND line_no = 1" | tr '|' ' ')"
check "its words are rendered by the API" "true" \
    "$(curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$P" | jq '.line_items[0].final_decision | has("output_data") and (.reasoning | startswith("approved"))')"
# the offers it was decided from are a stored set, named by its basis
check "basis names its offer set" "t" \
    "$(sql "SELECT basis LIKE '%\"sets\":[\"%' AND position('\"offers\":[]' IN basis) > 0 FROM projects WHERE project_id = '$P'")"
check "the sets it names are stored, its part's among them" "t" \
    "$(sql "SELECT count(*) = count(s.hash) AND bool_or(s.offers LIKE '[\"RC0805FR-0710KL\"%') FROM (SELECT (regexp_matches(basis, '\"([0-9a-f]{32})\"', 'g'))[1] AS h FROM projects WHERE project_id = '$P') n LEFT JOIN offer_sets s ON s.hash = n.h")"
check "bomd_basis() puts its offers back" "t" \
    "$(sql "SELECT bool_or(o->>0 = 'RC0805FR-0710KL') FROM projects, json_array_elements(bomd_basis(basis)::json->'offers') o WHERE project_id = '$P'")"
check "unpriced line has no price" "t t" \
    "$(sql "SELECT unit_price_micros IS NULL, currency IS NULL FROM line_items WHERE project_id = '$P' AND line_no = 2" | tr '|' ' ')"
check "trace stored" t \
    "$(sql "SELECT count(*) > 2 FROM trace_steps WHERE job_id = '$RUN-1'")"
check "usage stored for both parts" "t" \
    "$(sql "SELECT bomd_part_times_used('$A_ID', 'RC0805FR-0710KL') >= 1 AND bomd_part_times_used('$A_ID', 'NOPE-$RUN') = 1")"
# the API reads it back as JSON with the same text
got=$(curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$P" |
    jq -r '.line_items[] | select(.mpn == "RC0805FR-0710KL") | .description')
check "API returns the description" "$DESC" "$got"

# the same job twice in a row: committed once
NEW=NEWPART-$RUN
BOM="RefDes,Qty,MPN
U1,1,$NEW
"
rcli XADD bomd:jobs '*' job "$(job "$RUN-2")" >/dev/null
rcli XADD bomd:jobs '*' job "$(job "$RUN-2")" >/dev/null
wait_for 300 test "$(status "$RUN-2")" = complete
# both entries handled: the count of deliveries settles
wait_for 300 test "$(sql "SELECT count(*) FROM jobs WHERE client_id = '$A_ID' AND job_id = '$RUN-2'")" = 1
sleep 1
P2=$(pid_of "$RUN-2")
check "duplicate: one project" 1 \
    "$(sql "SELECT count(*) FROM projects WHERE client_id = '$A_ID' AND name = 'name \"$RUN\" \\ ü' AND project_id = '$P2'")"
check "duplicate: line items once" 1 \
    "$(sql "SELECT count(*) FROM line_items WHERE project_id = '$P2'")"
check "duplicate: counted once" 1 \
    "$(sql "SELECT bomd_part_times_used('$A_ID', '$NEW')")"
check "duplicate: trace once" 1 \
    "$(sql "SELECT count(*) FROM trace_steps WHERE job_id = '$RUN-2' AND step = 'enrich'")"

# a commit failing (no INSERT on projects for the worker's role): nothing
# of the job is kept, it is retried (the error on its jobs row), then
# completes once
restore() { sql "GRANT INSERT ON projects TO bomd_app" >/dev/null 2>&1; }
trap restore EXIT
sql "REVOKE INSERT ON projects FROM bomd_app" >/dev/null
BOM="RefDes,Qty,MPN
R1,1,RC0805FR-0710KL
U1,1,FAIL-$RUN
"
rcli XADD bomd:jobs '*' job "$(job "$RUN-3")" >/dev/null
errored() {
	[ -n "$(sql "SELECT error FROM jobs WHERE client_id = '$A_ID' AND job_id = '$RUN-3' AND error IS NOT NULL")" ]
}
wait_for 300 errored
P3=$(pid_of "$RUN-3")
check "failed write: job not complete" "" \
    "$(sql "SELECT status FROM jobs WHERE job_id = '$RUN-3' AND status = 'complete'")"
# none of the failed commit's rows may have been kept
check "failed write: no line items kept" 0 \
    "$(sql "SELECT count(*) FROM line_items WHERE project_id = '$P3'")"
check "failed write: no trace kept" 0 \
    "$(sql "SELECT count(*) FROM trace_steps WHERE job_id = '$RUN-3'")"
check "failed write: not counted" 0 \
    "$(sql "SELECT bomd_part_times_used('$A_ID', 'FAIL-$RUN')")"
restore
trap - EXIT
wait_for 600 test "$(status "$RUN-3")" = complete
check "failed write: completes after the retry" complete "$(status "$RUN-3")"
check "failed write: attempts counted" t \
    "$(sql "SELECT attempts >= 2 FROM jobs WHERE job_id = '$RUN-3'")"
check "failed write: line items once" 2 \
    "$(sql "SELECT count(*) FROM line_items WHERE project_id = '$P3'")"
check "failed write: counted once" 1 \
    "$(sql "SELECT bomd_part_times_used('$A_ID', 'FAIL-$RUN')")"

summary persist

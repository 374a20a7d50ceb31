#!/bin/bash
# JSON shapes of the GET project routes, which PostgreSQL builds as text:
# exact key sets, value types (money as JSON numbers in currency units,
# integers, nulls), line items by line number and trace steps in order,
# empty lists, 404 for another client's project. Also the API key cache
# (a revoke through the API or the command line is at once) and the
# rate limiter's EVALSHA with its fallback after SCRIPT FLUSH.
. "$(dirname "$0")/lib.sh"
set -u
cd "$ROOT"
T=$(mktemp -d "$STATE/it_api_shapes.XXXXXX")
AK=(-H "X-Admin-Key: $BOMD_ADMIN_KEY")
TSRE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$'
PROJECT_KEYS='["bom_filename","context","created_at","line_items","project_id","project_name","report","status","totals","trace","updated_at","warnings"]'
ITEM_KEYS='["approved_alternates","currency","description","designators","engineering_decision","extended_price","final_decision","finance_decision","line_id","line_number","manufacturer","mpn","order_quantity","package","purchasing_decision","quantity","reference_designators","selected_mpn","selected_supplier","sourcing_decision","status","unit_price","value"]'
GHOST=00000000-0000-4000-8000-00000000a5a5

# prices: a whole amount, six decimals, a tiny one; one MPN without offers
cat > "$T/offers.csv" <<'EOF'
mpn,manufacturer,supplier_id,supplier_name,supplier_type,sku,stock,moq,order_multiple,lead_time_days,currency,breaks
ITS-WHOLE-1,ShapeCo,its-dist,ITS Dist,authorized,ITS-W,10000,1,1,5,USD,1:2.00
ITS-FRAC-1,ShapeCo,its-dist,ITS Dist,authorized,ITS-F,10000,1,1,5,USD,1:0.123456
ITS-TINY-1,ShapeCo,its-dist,ITS Dist,authorized,ITS-T,10000,1,1,5,USD,1:0.00005
EOF
"$BOMD" offers import "$T/offers.csv" >/dev/null 2>&1
printf 'RefDes,Qty,MPN,Description\nU1,1,ITS-WHOLE-1,"a ""quoted"" part, with comma"\nR1-R3,3,ITS-FRAC-1,\nC1,1,ITS-TINY-1,\nX1,1,ITS-NONE-1,no offer\n' > "$T/bom.csv"

P=$(curl -s -H "X-API-Key: $A_KEY" -F bom_file=@"$T/bom.csv" -F project_name="Shapes µ" "$URL/projects/upload-and-process" | jq -r .project_id)
check "upload completes" "complete" "$(curl -s -H "X-API-Key: $A_KEY" "$URL/jobs/$(sql "SELECT job_id FROM jobs WHERE project_id = '$P'")" | jq -r .status)"
curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$P" > "$T/p.json"

# --- GET /projects/{id} --------------------------------------------------------
check "project keys" "$PROJECT_KEYS" "$(jq -c keys "$T/p.json")"
check "project scalar types" "string string string string string string" \
    "$(jq -r '[.project_id, .project_name, .status, .bom_filename, .created_at, .updated_at] | map(type) | join(" ")' "$T/p.json")"
check "project name kept (UTF-8)" "Shapes µ" "$(jq -r .project_name "$T/p.json")"
check "timestamps RFC 3339 UTC" "true" "$(jq --arg re "$TSRE" '[.created_at, .updated_at, .trace[].timestamp] | map(test($re)) | all' "$T/p.json")"
check "context, totals objects; warnings array" "object object array" \
    "$(jq -r '[.context, .totals, .warnings] | map(type) | join(" ")' "$T/p.json")"
check "totals keys" '["approved","currency","escalated","extended_price","rejected"]' \
    "$(jq -c '.totals | keys - ["extended_price_micros"]' "$T/p.json")"
check "totals counts are integers" "true" "$(jq '.totals | [.approved, .rejected, .escalated] | map(type == "number" and . == floor) | all' "$T/p.json")"
check "every line item has exactly the keys" "true" \
    "$(jq --argjson k "$ITEM_KEYS" '[.line_items[] | keys == $k] | all and length == 4' "$T/p.json")"
check "line items by line number" "[1,2,3,4]" "$(jq -c '[.line_items[].line_number]' "$T/p.json")"
check "line items in stored order" "$(sql "SELECT string_agg(mpn, ' ' ORDER BY line_no) FROM line_items WHERE project_id = '$P'")" \
    "$(jq -r '[.line_items[].mpn] | join(" ")' "$T/p.json")"
check "item string fields" "true" \
    "$(jq '[.line_items[] | [.mpn, .manufacturer, .description, .package, .value, .status] | map(type == "string") | all] | all' "$T/p.json")"
check "description with quotes and comma" 'a "quoted" part, with comma' "$(jq -r '.line_items[0].description' "$T/p.json")"
check "designators are string lists" '["R1","R2","R3"]' "$(jq -c '.line_items[1].designators' "$T/p.json")"
check "quantity and order_quantity integers" "true" \
    "$(jq '[.line_items[0:3][] | [.quantity, .order_quantity] | map(type == "number" and . == floor) | all] | all' "$T/p.json")"
check "prices are numbers" "true" \
    "$(jq '[.line_items[0:3][] | [.unit_price, .extended_price] | map(type == "number") | all] | all' "$T/p.json")"
# exact in currency units: micro-units / 10^6
check "prices equal the stored micro-units" \
    "$(sql "SELECT json_agg(json_build_array(unit_price_micros, extended_price_micros) ORDER BY line_no)::text FROM line_items WHERE project_id = '$P'" | tr -d ' ')" \
    "$(jq -c '[.line_items[] | [.unit_price, .extended_price] | map(if . == null then null else (. * 1000000 | round) end)]' "$T/p.json")"
check "six-decimal price" "0.123456" "$(jq -r '.line_items[1].unit_price' "$T/p.json")"
check "whole amount printed as a real" "1" "$(grep -Ec '"unit_price" *: *2\.0[,}]' "$T/p.json")"
check "no offers: selection and prices null" "null null null null null" \
    "$(jq -r '.line_items[3] | [.selected_mpn, .selected_supplier, .order_quantity, .unit_price, .extended_price] | map(tostring) | join(" ")' "$T/p.json")"
check "final_decision shape" "true" \
    "$(jq '[.line_items[].final_decision | (type == "object") and (.status | type == "string") and (.reasoning | type == "string") and has("agent_name") and has("output_data")] | all' "$T/p.json")"
check "selected fields strings when chosen" "true" \
    "$(jq '[.line_items[0:3][] | [.selected_mpn, .selected_supplier, .currency] | map(type == "string") | all] | all' "$T/p.json")"
check "trace step keys" "true" "$(jq --argjson k "$STEP_KEYS" '[.trace[] | keys == $k] | all and length > 2' "$T/p.json")"
# the stored trace has one step for the decisions of all lines; the API
# writes it out as one step per line (and one per check that did not pass)
check "trace in stored order" "$(sql "SELECT string_agg(step, ' ' ORDER BY id) FROM trace_steps WHERE project_id = '$P'")" \
    "$(jq -r '[.trace[].step] | reduce .[] as $s ([]; if .[-1] == $s then . else . + [$s] end) | join(" ")' "$T/p.json")"
check "a decision step per line, with its reasoning" "true" \
    "$(jq '[.trace[] | select(.step == "decision" and (.message | test(": (approved|rejected|escalated)$")))] as $d | ($d | length) == (.line_items | length) and ([$d[] | .reasoning | length > 0] | all)' "$T/p.json")"
check "trace references are lists" "true" "$(jq '[.trace[].references | type == "array"] | all' "$T/p.json")"

# --- GET /projects/{id}/trace --------------------------------------------------
curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$P/trace" > "$T/t.json"
check "trace route equals the project's trace" "$(jq -c .trace "$T/p.json")" "$(jq -c . "$T/t.json")"
check "trace of another client's project is 404" "404 Project not found: $P" \
    "$(code -H "X-API-Key: $B_KEY" "$URL/projects/$P/trace") $(curl -s -H "X-API-Key: $B_KEY" "$URL/projects/$P/trace" | jq -r .detail)"
check "project of another client is 404" "404 Project not found: $P" \
    "$(code -H "X-API-Key: $B_KEY" "$URL/projects/$P") $(curl -s -H "X-API-Key: $B_KEY" "$URL/projects/$P" | jq -r .detail)"
check "unknown project is 404" "404 Project not found: $GHOST" \
    "$(code -H "X-API-Key: $A_KEY" "$URL/projects/$GHOST") $(curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$GHOST/trace" | jq -r .detail)"

# --- a project not processed: empty trace, null totals ------------------------
Q=$(curl -s -H "X-API-Key: $A_KEY" -F bom_file=@"$T/bom.csv" "$URL/projects" | jq -r .project_id)
curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$Q" > "$T/q.json"
check "unprocessed: keys" "$PROJECT_KEYS" "$(jq -c keys "$T/q.json")"
check "unprocessed: trace [] and totals null" '[] null' "$(jq -c .trace "$T/q.json") $(jq -c .totals "$T/q.json")"
check "unprocessed: items pending, decision null" "true" \
    "$(jq '[.line_items[] | .status == "pending_enrichment" and .final_decision == null and .unit_price == null] | all and length == 4' "$T/q.json")"
check "unprocessed: trace route []" "[]" "$(curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$Q/trace" | jq -c .)"

# --- GET /projects -------------------------------------------------------------
curl -s -H "X-API-Key: $A_KEY" "$URL/projects?limit=2" > "$T/l.json"
check "list: two summaries, newest first" "$Q $P" "$(jq -r '[.[].project_id] | join(" ")' "$T/l.json")"
check "list: summary keys" "true" "$(jq --argjson k "$SUMMARY_KEYS" '[.[] | keys == $k] | all' "$T/l.json")"
check "list: line_item_count integer" "4 number" "$(jq -r '.[1] | "\(.line_item_count) \(.line_item_count | type)"' "$T/l.json")"
check "list: fields as the project" "true" \
    "$(jq --slurpfile p "$T/p.json" '.[1] | .project_name == $p[0].project_name and .status == $p[0].status and .created_at == $p[0].created_at and .updated_at == $p[0].updated_at' "$T/l.json")"
check "list: B does not see A's projects" "0" "$(curl -s -H "X-API-Key: $B_KEY" "$URL/projects?limit=1000" | jq --arg p "$P" '[.[] | select(.project_id == $p)] | length')"
E=$("$BOMD" client create --name "Shapes Empty" --slug "its-empty-$$" 2>/dev/null)
check "list: a client without projects gets []" "[]" "$(curl -s -H "X-API-Key: $(echo "$E" | jq -r .api_key)" "$URL/projects" | jq -c .)"
check "list: bad limit is 422" "422" "$(code -H "X-API-Key: $A_KEY" "$URL/projects?limit=0")"

# --- key cache: revocation -------------------------------------------------------
E_ID=$(echo "$E" | jq -r .client_id)
K1=$("$BOMD" key create --client "$E_ID" --name its-1 2>/dev/null)
K1_KEY=$(echo "$K1" | jq -r .api_key)
check "new key works (now cached)" "200" "$(code -H "X-API-Key: $K1_KEY" "$URL/projects")"
check "admin revoke" "200" "$(code -X POST "${AK[@]}" "$URL/admin/api-keys/$(echo "$K1" | jq -r .key_id)/revoke")"
check "key revoked through the API is 401 at once" "401" "$(code -H "X-API-Key: $K1_KEY" "$URL/projects")"
K2=$("$BOMD" key create --client "$E_ID" --name its-2 2>/dev/null)
K2_KEY=$(echo "$K2" | jq -r .api_key)
check "second key works (now cached)" "200" "$(code -H "X-API-Key: $K2_KEY" "$URL/projects")"
"$BOMD" key revoke "$(echo "$K2" | jq -r .key_id)" >/dev/null
check "key revoked by the CLI is 401 at once" "401" "$(code -H "X-API-Key: $K2_KEY" "$URL/projects")"
check "a bad key is 401" "401" "$(code -H "X-API-Key: bk_0123456700000000000000000000000000000000000000000000000000000000" "$URL/projects")"

# --- rate limiter: EVALSHA, and EVAL when Redis lost the script -------------------
rcli SCRIPT FLUSH >/dev/null
check "request after SCRIPT FLUSH" "200" "$(code -H "X-API-Key: $A_KEY" "$URL/projects?limit=1")"
check "limiter still counts this key" "1" "$(rcli --scan --pattern 'bomd:rate:*' | head -1 | grep -c .)"
check "the script is loaded again" "200" "$(code -H "X-API-Key: $A_KEY" "$URL/projects?limit=1")"

summary api_shapes

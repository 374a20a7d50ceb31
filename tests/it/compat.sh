#!/bin/bash
# The original service's contracts (issue 14), as its clients see them:
# GET / endpoints, the knowledge write answers and lists of strings, the
# ProjectContext of its intake sheet and of POST /projects form fields,
# statuses, /api-keys and /clients for a tenant, an admin and a key of
# scope admin, /admin/status, bootstrap and reset-demo, revocation at once
# in two API processes, imported pbom_sk_ keys, the chat tasks and
# streaming, and the bomctl commands of the original's CLI.
. "$(dirname "$0")/lib.sh"
set -u
cd "$ROOT"
T=$(mktemp -d "$STATE/it_compat.XXXXXX")
AK=(-H "X-Admin-Key: $BOMD_ADMIN_KEY")
GHOST=00000000-0000-4000-8000-0000000c0c0c
API2_PID=""
cleanup() {
	[ -n "$API2_PID" ] && kill -TERM "$API2_PID" 2>/dev/null &&
	    wait "$API2_PID" 2>/dev/null
}
trap cleanup EXIT
# adm METHOD PATH [JSON]: as req, with X-Admin-Key instead of a key
adm() {
	local out
	out=$(curl -s -w '\n%{http_code}' -X "$1" "${AK[@]}" \
	    -H 'Content-Type: application/json' ${3:+--data-binary "$3"} \
	    "$URL$2")
	CODE=${out##*$'\n'}
	BODY=${out%$'\n'*}
}
keys() { echo "$BODY" | jq -c 'keys'; }

cat > "$T/offers.csv" <<'EOF'
mpn,manufacturer,supplier_id,supplier_name,supplier_type,sku,stock,moq,order_multiple,lead_time_days,currency,breaks
ITC-REG-1,CompatCo,itc-dist,ITC Dist,authorized,ITC-1,10000,1,1,5,USD,1:0.50|100:0.40
EOF
"$BOMD" offers import "$T/offers.csv" >/dev/null 2>&1
printf 'Part Number,Description,Quantity,Manufacturer,MPN\nU1,Regulator,1,CompatCo,ITC-REG-1\nR1,10K Resistor,2,Yageo,ITC-NONE-1\n' > "$T/bom.csv"

# --- GET / and the models ---------------------------------------------------
body=$(curl -s "$URL/")
check "GET / endpoints is an object" "object" "$(echo "$body" | jq -r '.endpoints | type')"
check "GET / the original's four endpoints" \
    '["/projects","/knowledge","/v1/chat/completions","/health"]' \
    "$(echo "$body" | jq -c '[.endpoints.projects, .endpoints.knowledge, .endpoints.chat, .endpoints.health]')"
check "GET / bomd's own routes as further keys" '"/api-keys" "/metrics"' \
    "$(echo "$body" | jq -r '"\(.endpoints.api_keys | tojson) \(.endpoints.metrics | tojson)"')"

# --- knowledge writes: the original's small objects ----------------------------
reqj "$A_KEY" POST /knowledge/parts/ITC-P-1/ban '{"reason": "field failures", "user": "qa"}'
check "ban answers status banned, mpn, reason" "200 banned ITC-P-1 field failures" \
    "$CODE $(echo "$BODY" | jq -r '"\(.status) \(.mpn) \(.reason)"')"
check "ban: the part beside" "true" "$(echo "$BODY" | jq '.part.banned')"
req "$A_KEY" POST /knowledge/parts/ITC-P-1/unban
check "unban answers status unbanned, mpn" '200 {"mpn":"ITC-P-1","status":"unbanned"}' \
    "$CODE $(echo "$BODY" | jq -cS '{status, mpn}')"
reqj "$A_KEY" POST /knowledge/parts/ITC-P-1/alternates '{"alternate_mpn": "ITC-P-2", "reason": "drop-in", "user": "eng"}'
check "alternate answers status added, mpn, alternate_mpn" '200 {"alternate_mpn":"ITC-P-2","mpn":"ITC-P-1","status":"added"}' \
    "$CODE $(echo "$BODY" | jq -cS '{status, mpn, alternate_mpn}')"
reqj "$A_KEY" POST /knowledge/parts/ITC-P-1/alternates '{"alternate_mpn": "ITC-P-3"}'
req "$A_KEY" GET /knowledge/parts/ITC-P-1/alternates
check "GET alternates is a list of strings" '["ITC-P-2","ITC-P-3"]' "$(echo "$BODY" | jq -c .)"
sql "UPDATE part_knowledge SET notes = E'first note\\n\\nsecond note', quality_notes = '[\"lot 4 drifted\", {\"lot\": 5}]' WHERE client_id = '$A_ID' AND mpn = 'ITC-P-1'" >/dev/null
req "$A_KEY" GET /knowledge/parts/ITC-P-1
check "part approved_alternates: strings" '["ITC-P-2","ITC-P-3"]' "$(echo "$BODY" | jq -c .approved_alternates)"
check "who, why, when under approved_alternates_detail" '["ITC-P-2","drop-in","eng",true]' \
    "$(echo "$BODY" | jq -c '.approved_alternates_detail[0] | [.alternate_mpn, .reason, .user, (.added_at | type == "string")]')"
check "part notes: a list of strings" '["first note","second note"]' "$(echo "$BODY" | jq -c .notes)"
check "part quality_notes: a list of strings" '["lot 4 drifted","{\"lot\":5}"]' "$(echo "$BODY" | jq -c .quality_notes)"
reqj "$A_KEY" POST /knowledge/suppliers '{"supplier_id": "itc-sup", "name": "ITC Supply", "supplier_type": "broker", "notes": "net 30\nslow"}'
check "create supplier answers status created, supplier_id, name" '200 {"name":"ITC Supply","status":"created","supplier_id":"itc-sup"}' \
    "$CODE $(echo "$BODY" | jq -cS '{status, supplier_id, name}')"
reqj "$A_KEY" POST /knowledge/suppliers/itc-sup/trust '{"trust_level": "low", "reason": "late"}'
check "trust answers status updated, supplier_id, trust_level" '200 {"status":"updated","supplier_id":"itc-sup","trust_level":"low"}' \
    "$CODE $(echo "$BODY" | jq -cS '{status, supplier_id, trust_level}')"
req "$A_KEY" GET /knowledge/suppliers/itc-sup
check "supplier notes: a list of strings" '["net 30","slow"]' "$(echo "$BODY" | jq -c .notes)"

# --- project context: the original's intake sheet ----------------------------------
req "$A_KEY" POST /projects/upload-and-process -F bom_file=@"$T/bom.csv" \
    -F intake_file=@tests/fixtures/intake/original.yaml
check "the original's own intake file is accepted" "200 complete" "$CODE $(echo "$BODY" | jq -r .status)"
PI=$(echo "$BODY" | jq -r .project_id)
req "$A_KEY" GET "/projects/$PI"
ctx=$(echo "$BODY" | jq -c .context)
check "context: ProjectContext's keys in order" \
    '["project_id","project_name","owner","engineering_contact","product_type","quantity","deadline","budget_total","budget_total_micros","compliance","sourcing_constraints","engineering_context"]' \
    "$(echo "$ctx" | jq -c 'keys_unsorted')"
check "context: flat project fields" '["NL-2026-001","NeuroLink Mini v1.0","sarah.chen@neurolink.bio","david.park@neurolink.bio","medical",50,"2026-04-15",15000]' \
    "$(echo "$ctx" | jq -c '[.project_id, .project_name, .owner, .engineering_contact, .product_type, .quantity, .deadline, .budget_total]')"
check "context: compliance" '{"country_of_origin_restrictions":["none"],"quality_class":"IPC Class 3","standards":["RoHS","IEC 60601-1","ISO 13485","FDA Class II"]}' \
    "$(echo "$ctx" | jq -cS .compliance)"
check "context: sourcing_constraints" '{"allow_alternates":true,"allow_brokers":false,"max_lead_time_days":21,"preferred_distributors":["digikey","mouser","newark"],"single_source_ok":false}' \
    "$(echo "$ctx" | jq -cS .sourcing_constraints)"
check "context: critical parts as designators" '["U1","U2","U3","U5","U6","J2"]' \
    "$(echo "$ctx" | jq -c .engineering_context.critical_parts)"
check "context: avoid_parts as {mpn, reason}" '[{"mpn":"ADS1298","reason":"Only 8 channels, need ADS1299 for full 8-ch differential"},{"mpn":"STM32F4","reason":"Insufficient processing power for real-time DSP"}]' \
    "$(echo "$ctx" | jq -c .engineering_context.avoid_parts)"
check "context: preferred_manufacturers by category" '{"capacitors":["Murata","TDK","KEMET"],"connectors":["Harwin","Amphenol","Hirose"],"mcu":["STMicroelectronics"],"other":{},"resistors":["Panasonic","Vishay","Yageo"]}' \
    "$(echo "$ctx" | jq -cS .engineering_context.preferred_manufacturers)"
check_contains "context: notes kept" "CRITICAL DESIGN REQUIREMENTS" "$(echo "$ctx" | jq -r .engineering_context.notes)"
check "avoid_parts still ban the part" "STM32F4" \
    "$(sql "SELECT string_agg(x, ',') FROM jsonb_array_elements_text((SELECT context->'engineering_context'->'avoid_parts' FROM projects WHERE project_id = '$PI')) x WHERE x = 'STM32F4'")"
printf 'compliance:\n  standards: [RoHS]\nengineering_context:\n  avoid_parts: [LM358DR, {mpn: NE555, reason: timing}]\n  critical_parts: [U1, STM32F103C8T6]\n' > "$T/mixed.yaml"
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv" -F intake_file=@"$T/mixed.yaml"
req "$A_KEY" GET "/projects/$(echo "$BODY" | jq -r .project_id)"
check "avoid_parts: strings and objects mixed" '[{"mpn":"LM358DR","reason":""},{"mpn":"NE555","reason":"timing"}]' \
    "$(echo "$BODY" | jq -c .context.engineering_context.avoid_parts)"
check "critical_parts: designators and MPNs" '["U1","STM32F103C8T6"]' "$(echo "$BODY" | jq -c .context.engineering_context.critical_parts)"

# --- line items: the original's BOMLineItem -----------------------------------------
req "$A_KEY" GET "/projects/$PI"
check "line_id on every line: L and its number" '["L1","L2"]' "$(echo "$BODY" | jq -c '[.line_items[].line_id]')"
check "line_id is the id the report's risks name" "true" \
    "$(echo "$BODY" | jq '(.report.risks | length) > 0 and ([.report.risks[].line_id] - [.line_items[].line_id] == [])')"
check "purchasing_decision on every line, null (no stage makes one)" "true" \
    "$(echo "$BODY" | jq '[.line_items[] | has("purchasing_decision") and .purchasing_decision == null] | all')"
check "reference_designators: the line's designators" "true" \
    "$(echo "$BODY" | jq '[.line_items[] | (.reference_designators | type == "array") and .reference_designators == .designators] | all')"
check "reference_designators from the original's Part Number column" \
    '[["U1"],["R1"]]' "$(echo "$BODY" | jq -c '[.line_items[].reference_designators]')"
check "approved_alternates: lists of strings" "true" \
    "$(echo "$BODY" | jq '[.line_items[].approved_alternates | type == "array" and all(.[]; type == "string")] | all')"
reqj "$A_KEY" POST /knowledge/parts/ITC-NONE-1/alternates '{"alternate_mpn": "ITC-ALT-9", "reason": "compat"}'
check "an alternate approved" "200" "$CODE"
req "$A_KEY" POST "/projects/$PI/process"
req "$A_KEY" GET "/projects/$PI"
check "the line's approved alternates after a run" '[[],["ITC-ALT-9"]]' "$(echo "$BODY" | jq -c '[.line_items[].approved_alternates]')"
check "line_id stays across runs" '["L1","L2"]' "$(echo "$BODY" | jq -c '[.line_items[].line_id]')"
sql "DELETE FROM part_knowledge WHERE client_id = '$A_ID' AND mpn = 'ITC-NONE-1'" >/dev/null
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv"
req "$A_KEY" GET "/projects/$(echo "$BODY" | jq -r .project_id)"
check "a created project's lines have them too" '["L1",null,true,[]]' \
    "$(echo "$BODY" | jq -c '.line_items[0] | [.line_id, .purchasing_decision, .reference_designators == .designators, .approved_alternates]')"

# --- POST /projects: form fields, defaults, statuses --------------------------------
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv"
check "POST /projects answers status created" "200 created" "$CODE $(echo "$BODY" | jq -r .status)"
PD=$(echo "$BODY" | jq -r .project_id)
req "$A_KEY" GET "/projects/$PD"
check "a silent intake takes the original's defaults" \
    "created $PD consumer 1 IPC Class 2 30 true false false 0 [] \"\"" \
    "$(echo "$BODY" | jq -r '"\(.status) \(.context.project_id) \(.context.product_type) \(.context.quantity) \(.context.compliance.quality_class) \(.context.sourcing_constraints.max_lead_time_days) \(.context.sourcing_constraints.allow_alternates) \(.context.sourcing_constraints.allow_brokers) \(.context.sourcing_constraints.single_source_ok) \(.context.budget_total) \(.context.compliance.standards | tojson) \(.context.engineering_context.notes | tojson)"')"
req "$A_KEY" GET /projects
check "the list says created" "created" "$(echo "$BODY" | jq -r --arg p "$PD" '.[] | select(.project_id == $p) | .status')"
req "$A_KEY" POST "/projects/$PD/process"
check "a created project processes" "200 complete" "$CODE $(echo "$BODY" | jq -r .status)"
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv" -F project_name="ITC form" \
    -F owner=ops@example.com -F product_type=automotive -F quantity=4 \
    -F deadline=2027-03-01 -F budget_total=250.5 -F compliance_standards="RoHS, REACH" \
    -F quality_class="IPC Class 3" -F allow_brokers=true -F allow_alternates=false \
    -F preferred_distributors="digikey,mouser" -F max_lead_time_days=14 \
    -F engineering_notes="keep it cool" -F critical_parts="U1, R1"
check "form create is 200" "200 created" "$CODE $(echo "$BODY" | jq -r .status)"
req "$A_KEY" GET "/projects/$(echo "$BODY" | jq -r .project_id)"
check "form fields land in the context" \
    '["ITC form","ops@example.com","automotive",4,"2027-03-01",250.5,["RoHS","REACH"],"IPC Class 3",true,false,["digikey","mouser"],14,"keep it cool",["U1","R1"]]' \
    "$(echo "$BODY" | jq -c '.context | [.project_name, .owner, .product_type, .quantity, .deadline, .budget_total, .compliance.standards, .compliance.quality_class, .sourcing_constraints.allow_brokers, .sourcing_constraints.allow_alternates, .sourcing_constraints.preferred_distributors, .sourcing_constraints.max_lead_time_days, .engineering_context.notes, .engineering_context.critical_parts]')"
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv" -F notes="older form name"
req "$A_KEY" GET "/projects/$(echo "$BODY" | jq -r .project_id)"
check "the form name notes still works" "older form name" "$(echo "$BODY" | jq -r .context.engineering_context.notes)"
n_before=$(sql "SELECT count(*) FROM projects")
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv" -F product_type=toys
check "product_type outside the five is 422" "422" "$CODE"
check_contains "the 422 names the field" "product_type: expected one of consumer, industrial, medical, automotive, aerospace" "$(detail)"
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv" -F quantity=many
check "any bad form field is 422" "422" "$CODE"
check "nothing stored for bad forms" "$n_before" "$(sql "SELECT count(*) FROM projects")"
printf 'requirements: {product_type: toys}\n' > "$T/toys.yaml"
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv" -F intake_file=@"$T/toys.yaml"
check "a bad intake file stays 400" "400" "$CODE"

# --- /api-keys and /clients: a tenant's own -----------------------------------------
req "$A_KEY" GET /api-keys
check "a tenant lists only its own keys" "$A_ID" "$(echo "$BODY" | jq -r '[.[].client_id] | unique | join(",")')"
check "key objects as the original's ApiKey" '["client_id","created_at","is_active","key_id","last_used","name","prefix","revoked_at","scopes"]' \
    "$(echo "$BODY" | jq -c '.[0] | keys')"
check "no secret in a listing" "0" "$(echo "$BODY" | jq '[.. | strings | select(startswith("bk_") and length > 20)] | length')"
B_KEY_ID=$(sql "SELECT key_id FROM api_keys WHERE client_id = '$B_ID' LIMIT 1")
req "$A_KEY" GET "/api-keys/$B_KEY_ID"
check "another tenant's key is not found" "404 API key not found: $B_KEY_ID" "$CODE $(detail)"
req "$A_KEY" GET "/api-keys?client_id=$B_ID"
check "filtering by another client finds nothing" "200 []" "$CODE $BODY"
reqj "$A_KEY" POST /api-keys '{"name": "itc-tenant"}'
check "a tenant creates a key for itself" "200" "$CODE"
check "create answers {key, raw_key}" '["key","raw_key"]' "$(keys)"
check "the new key: its client, all, active, unused" "$A_ID [\"all\"] true null" \
    "$(echo "$BODY" | jq -r '.key | "\(.client_id) \(.scopes | tojson) \(.is_active) \(.last_used)"')"
NK=$(echo "$BODY" | jq -r .raw_key); NK_ID=$(echo "$BODY" | jq -r .key.key_id)
check "the new key works" "200" "$(code -H "X-API-Key: $NK" "$URL/projects")"
req "$A_KEY" GET "/api-keys/$NK_ID"
check "get by id" "200 $NK_ID" "$CODE $(echo "$BODY" | jq -r .key_id)"
reqj "$A_KEY" POST /api-keys "{\"client_id\": \"$B_ID\", \"name\": \"steal\"}"
check "a key for another client is 404" "404 Client not found: $B_ID" "$CODE $(detail)"
reqj "$A_KEY" POST /api-keys '{"name": "up", "scopes": ["admin"]}'
check "scope admin is not given through the API" "403" "$CODE"
reqj "$A_KEY" POST /api-keys '{"name": "ro", "scopes": ["read"]}'
check "scopes as asked" '200 ["read"]' "$CODE $(echo "$BODY" | jq -c .key.scopes)"
RO=$(echo "$BODY" | jq -r .raw_key)
reqj "$RO" POST /api-keys '{"name": "more"}'
check "a read key cannot make keys" "403 Missing required scope: all" "$CODE $(detail)"
reqj "$A_KEY" POST /api-keys '{"scopes": ["all"]}'
check "name is required" "422" "$CODE"
req "$A_KEY" POST "/api-keys/$B_KEY_ID/revoke"
check "another tenant's key cannot be revoked" "404" "$CODE"
check "and it still works" "200" "$(code -H "X-API-Key: $B_KEY" "$URL/projects")"
req "$A_KEY" POST "/api-keys/$NK_ID/revoke"
check "revoke answers the original's object" "200 {\"key_id\":\"$NK_ID\",\"status\":\"revoked\"}" "$CODE $(echo "$BODY" | jq -cS .)"
check "a revoked key is 401 at once" "401" "$(code -H "X-API-Key: $NK" "$URL/projects")"
req "$A_KEY" GET "/api-keys/$NK_ID"
check "a revoked key is listed inactive" "false" "$(echo "$BODY" | jq .is_active)"

req "$A_KEY" GET /clients
check "a tenant sees its own client" "[\"$A_ID\"]" "$(echo "$BODY" | jq -c '[.[].client_id]')"
check "client objects as the original's" '["client_id","created_at","is_active","name","slug"]' "$(echo "$BODY" | jq -c '.[0] | keys')"
req "$A_KEY" GET "/clients/$B_ID"
check "another tenant's client is not found" "404 Client not found: $B_ID" "$CODE $(detail)"
reqj "$A_KEY" POST /clients '{"name": "Mine", "slug": "mine"}'
check "a tenant cannot create clients" "403" "$CODE"
req "$A_KEY" POST "/clients/$B_ID/deactivate"
check "nor deactivate another" "404" "$CODE"
check "B still active" "200" "$(code -H "X-API-Key: $B_KEY" "$URL/projects")"

# --- the operator: X-Admin-Key, and a key of scope admin -----------------------------
adm GET /clients
check "X-Admin-Key lists every client" "true" "$(echo "$BODY" | jq --arg a "$A_ID" --arg b "$B_ID" '[.[].client_id] | index($a) != null and index($b) != null')"
adm POST /clients '{"name": "ITC Tenant", "slug": "itc-tenant"}'
check "X-Admin-Key creates a client" "200 itc-tenant true" "$CODE $(echo "$BODY" | jq -r '"\(.slug) \(.is_active)"')"
C_ID=$(echo "$BODY" | jq -r .client_id)
adm POST /clients '{"name": "Again", "slug": "itc-tenant"}'
check "a taken slug is 400, as the original" "400 Client with slug 'itc-tenant' already exists" "$CODE $(detail)"
adm POST /api-keys "{\"client_id\": \"$C_ID\", \"name\": \"first\"}"
CK=$(echo "$BODY" | jq -r .raw_key)
check "X-Admin-Key makes a key for any client" "200 $C_ID" "$CODE $(echo "$BODY" | jq -r .key.client_id)"
adm POST /api-keys '{"name": "no client"}'
check "the operator names the client" "422" "$CODE"
adm GET "/api-keys?client_id=$C_ID"
check "X-Admin-Key filters keys by client" "1" "$(echo "$BODY" | jq length)"
ADMK=$("$BOMD" key create --client "$A_ID" --name console --scope admin 2>/dev/null | jq -r .api_key)
check "bomd key create --scope admin stores it" "{admin}" "$(sql "SELECT scopes FROM api_keys WHERE name = 'console' AND client_id = '$A_ID'")"
req "$ADMK" GET /clients
check "a key of scope admin sees every client" "true" "$(echo "$BODY" | jq --arg b "$B_ID" '[.[].client_id] | index($b) != null')"
req "$ADMK" GET "/api-keys/$B_KEY_ID"
check "and every key" "200" "$CODE"
# the original's admin (its e2e tests ADM1-4): every tenant's projects
req "$B_KEY" POST /projects -F bom_file=@"$T/bom.csv" -F project_name=adm-b
PB=$(echo "$BODY" | jq -r .project_id)
has() { echo "$BODY" | jq --arg p "$1" 'map(.project_id) | index($p) != null'; }
req "$ADMK" GET /projects
check "a key of scope admin lists every client's projects" "200 true true" "$CODE $(has "$PB") $(has "$PI")"
req "$ADMK" GET "/projects?client_id=$B_ID"
check "and one client's with ?client_id" "200 true false" "$CODE $(has "$PB") $(has "$PI")"
req "$ADMK" GET "/projects?client_id=$B_ID&limit=1"
check "?limit applies to it" "1" "$(echo "$BODY" | jq length)"
req "$ADMK" GET "/projects?client_id=nope"
check "a ?client_id that is no UUID is 422 naming it" "422 client_id" "$CODE $(detail | cut -d: -f1)"
req "$A_KEY" GET "/projects?client_id=$B_ID"
check "a tenant's key ignores ?client_id (as the original)" "200 false" "$CODE $(has "$PB")"
req "$ADMK" GET "/projects/$PB"
check "a key of scope admin reads another client's project" "200 $PB adm-b" "$CODE $(echo "$BODY" | jq -r '"\(.project_id) \(.context.project_name)"')"
req "$ADMK" GET "/projects/$PB/trace"
check "and its trace" "200" "$CODE"
req "$A_KEY" GET "/projects/$PB"
check "a tenant's key still does not" "404" "$CODE"
req "$ADMK" DELETE "/projects/$PB"
check "a key of scope admin deletes another client's project" "200 $PB" "$CODE $(echo "$BODY" | jq -r .deleted)"
check "gone for its client" "404" "$(code -H "X-API-Key: $B_KEY" "$URL/projects/$PB")"
req "$ADMK" GET "/projects/$GHOST"
check "an id no project has is 404 to the admin too" "404" "$CODE"
check "bad --scope is refused" "1" "$("$BOMD" key create --client "$A_ID" --scope root >/dev/null 2>&1; echo $?)"
check "the client's key works" "200" "$(code -H "X-API-Key: $CK" "$URL/projects")"
req "$ADMK" POST "/clients/$C_ID/deactivate"
check "deactivate answers the original's object" "200 {\"client_id\":\"$C_ID\",\"status\":\"deactivated\"}" "$CODE $(echo "$BODY" | jq -cS .)"
check "a deactivated client's key is 401 at once" "401" "$(code -H "X-API-Key: $CK" "$URL/projects")"
adm GET /clients
check "inactive clients are not listed" "false" "$(echo "$BODY" | jq --arg c "$C_ID" '[.[].client_id] | index($c) != null')"
adm GET "/clients?include_inactive=true"
check "unless include_inactive" "true" "$(echo "$BODY" | jq --arg c "$C_ID" '[.[].client_id] | index($c) != null')"

# --- revocation at once in every API process -----------------------------------------
P2=$(free_port)
URL2=http://127.0.0.1:$P2
BOMD_LISTEN=127.0.0.1:$P2 "$BOMD" serve --role api > "$STATE/compat-api2.log" 2>&1 &
API2_PID=$!
wait_for 600 curl -sf "$URL2/health" -o /dev/null ||
    bad "a second API process starts" "$(tail -5 "$STATE/compat-api2.log" | tr '\n' ' ')"
R1=$("$BOMD" key create --client "$A_ID" --name itc-r1 2>/dev/null)
R1_KEY=$(echo "$R1" | jq -r .api_key)
check "a key works in the second API process (cached there)" "200 200" \
    "$(code -H "X-API-Key: $R1_KEY" "$URL2/projects") $(code -H "X-API-Key: $R1_KEY" "$URL2/projects")"
req "$A_KEY" POST "/api-keys/$(echo "$R1" | jq -r .key_id)/revoke"
check "revoked in one process: 401 at once in the other" "401" "$(code -H "X-API-Key: $R1_KEY" "$URL2/projects")"
R2=$("$BOMD" key create --client "$A_ID" --name itc-r2 2>/dev/null)
R2_KEY=$(echo "$R2" | jq -r .api_key)
check "a second key cached in both" "200 200" \
    "$(code -H "X-API-Key: $R2_KEY" "$URL/projects") $(code -H "X-API-Key: $R2_KEY" "$URL2/projects")"
"$BOMD" key revoke "$(echo "$R2" | jq -r .key_id)" >/dev/null 2>&1
check "revoked from the command line: 401 at once in both" "401 401" \
    "$(code -H "X-API-Key: $R2_KEY" "$URL/projects") $(code -H "X-API-Key: $R2_KEY" "$URL2/projects")"
kill -TERM "$API2_PID" && wait "$API2_PID" 2>/dev/null
API2_PID=""

# --- /admin/status, bootstrap, reset-demo ------------------------------------------
body=$(curl -s "$URL/admin/status")
check "status needs no key, as the original" '["admin_configured","client_count","has_api_keys","has_clients","key_count"]' "$(echo "$body" | jq -c keys)"
check "status counts" "true true true" "$(echo "$body" | jq -r '"\(.admin_configured) \(.has_clients) \(.client_count == ('"$(sql "SELECT count(*) FROM clients WHERE active")"'))"')"
check "bootstrap needs the admin key" "401" "$(code -X POST -H "X-Admin-Key: wrong" "$URL/admin/bootstrap")"
adm POST /admin/bootstrap
check "bootstrap with the defaults" "200 Demo Client demo-key" "$CODE $(echo "$BODY" | jq -r '"\(.client_name) \(.key_name)"')"
check "bootstrap answer fields" '["api_key","client_id","client_name","key_id","key_name","message"]' "$(keys)"
D1=$(echo "$BODY" | jq -r .api_key); D_ID=$(echo "$BODY" | jq -r .client_id)
check "the demo key works" "200" "$(code -H "X-API-Key: $D1" "$URL/projects")"
adm POST /admin/bootstrap '{"client_name": "Other", "client_slug": "demo", "key_name": "second"}'
check "an existing slug gets a new key" "200 $D_ID second" "$CODE $(echo "$BODY" | jq -r '"\(.client_id) \(.key_name)"')"
check_contains "and says so" "already exists. Created new API key." "$(echo "$BODY" | jq -r .message)"
D2=$(echo "$BODY" | jq -r .api_key)
adm POST /admin/reset-demo
check "reset-demo revokes the demo keys" "200 true 2 $D_ID" "$CODE $(echo "$BODY" | jq -r '"\(.reset) \(.keys_revoked) \(.client_id)"')"
check "demo keys are 401 at once" "401 401" "$(code -H "X-API-Key: $D1" "$URL/projects") $(code -H "X-API-Key: $D2" "$URL/projects")"
adm POST /admin/reset-demo
check "reset-demo again: nothing left" "200 true 0" "$CODE $(echo "$BODY" | jq -r '"\(.reset) \(.keys_revoked)"')"
adm POST /admin/bootstrap
check "bootstrap brings the demo client back" "200" "$(code -H "X-API-Key: $(echo "$BODY" | jq -r .api_key)" "$URL/projects")"
sql "UPDATE clients SET slug = 'demo-' || left(md5(client_id::text), 6) WHERE slug = 'demo'" >/dev/null
adm POST /admin/reset-demo
check "no demo client" '200 {"message":"No demo client found","reset":false}' "$CODE $(echo "$BODY" | jq -cS .)"

# --- keys of the original: pbom_sk_, imported --------------------------------------
psql -X -q -h "$BOMD_TEST_PG_HOST" -p "$BOMD_TEST_PG_PORT" -U postgres bomd \
    -c "DROP DATABASE IF EXISTS itc_orig" -c "CREATE DATABASE itc_orig" >/dev/null 2>&1
psql -X -q -h "$BOMD_TEST_PG_HOST" -p "$BOMD_TEST_PG_PORT" -U postgres itc_orig >/dev/null 2>&1 <<'EOF'
CREATE TABLE clients (client_id varchar(64) PRIMARY KEY, name varchar(255) NOT NULL, slug varchar(128) UNIQUE NOT NULL, is_active boolean NOT NULL DEFAULT true, oidc_issuer varchar(512), oidc_audience varchar(255), settings jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE api_keys (key_id varchar(64) PRIMARY KEY, client_id varchar(64) NOT NULL REFERENCES clients, hashed_key varchar(64) UNIQUE NOT NULL, name varchar(255) NOT NULL, scopes text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), last_used timestamptz, is_active boolean NOT NULL DEFAULT true);
INSERT INTO clients (client_id, name, slug) VALUES ('cli_itc0001', 'Imported Co', 'Imported_Co'), ('cli_itc0002', 'Gone Co', 'gone');
UPDATE clients SET is_active = false WHERE client_id = 'cli_itc0002';
INSERT INTO api_keys VALUES ('key_itc1', 'cli_itc0001', encode(sha256('pbom_sk_ITCaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), 'hex'), 'svc', 'all', now(), NULL, true),
    ('key_itc2', 'cli_itc0001', encode(sha256('pbom_sk_ITCbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'), 'hex'), 'old', 'all', now(), NULL, false),
    ('key_itc3', 'cli_itc0002', encode(sha256('pbom_sk_ITCcccccccccccccccccccccccccccccccccccccccc'), 'hex'), 'gone', 'all', now(), NULL, true),
    ('key_itc4', 'cli_itc0001', 'not-a-hash', 'broken', 'all', now(), NULL, true);
EOF
ODSN="postgresql:///itc_orig?host=$BOMD_TEST_PG_HOST&port=$BOMD_TEST_PG_PORT&user=postgres"
out=$("$BOMD" import original-keys "$ODSN" 2>&1)
check "import original-keys" '{"clients":2,"keys":3,"skipped":1}' "$(echo "$out" | jq -c '{clients, keys, skipped: (.skipped | length)}')"
PK=pbom_sk_ITCaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
check "a pbom_sk_ key of the original works" "200" "$(code -H "X-API-Key: $PK" "$URL/projects")"
check "as a Bearer token too" "200" "$(code -H "Authorization: Bearer $PK" "$URL/projects")"
check "an inactive key stays refused" "401" "$(code -H "X-API-Key: pbom_sk_ITCbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" "$URL/projects")"
check "a key of an inactive client too" "401" "$(code -H "X-API-Key: pbom_sk_ITCcccccccccccccccccccccccccccccccccccccccc" "$URL/projects")"
check "an unknown pbom_sk_ key is 401" "401" "$(code -H "X-API-Key: pbom_sk_ITCzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" "$URL/projects")"
req "$PK" GET /clients
check "the imported client, slug made bomd's" "Imported Co imported-co" "$(echo "$BODY" | jq -r '.[0] | "\(.name) \(.slug)"')"
req "$PK" POST /api-keys/"$(sql "SELECT key_id FROM api_keys WHERE prefix = 'pbom_sk_' AND name = 'svc'")"/revoke
out=$("$BOMD" import original-keys "$ODSN" 2>&1)
check "importing again changes nothing" "2 3" "$(echo "$out" | jq -r '"\(.clients) \(.keys)"')"
check "and does not revive a revoked key" "401" "$(code -H "X-API-Key: $PK" "$URL/projects")"
check "one row per imported key" "3" "$(sql "SELECT count(*) FROM api_keys WHERE prefix = 'pbom_sk_'")"
check "a bad DSN is exit 1" "1" "$("$BOMD" import original-keys "postgresql:///nope?host=/nonexistent" >/dev/null 2>&1; echo $?)"

# --- /v1/chat/completions: the original's tasks ----------------------------------
chat() { reqj "$A_KEY" POST /v1/chat/completions "$1"; CONTENT=$(echo "$BODY" | jq -r '.choices[0].message.content'); }
chat '{"messages": [{"role": "user", "content": "What is a BOM?"}]}'
check "model defaults to bom-agent" "200 bom-agent chat.completion" "$CODE $(echo "$BODY" | jq -r '"\(.model) \(.object)"')"
check "a general answer is not empty" "true" "$([ -n "$CONTENT" ] && echo true)"
items='[{"id": "i1", "partNumber": "U1", "description": "regulator", "manufacturer": "CompatCo", "mpn": "ITC-REG-1", "quantity": 2}, {"id": "i2", "partNumber": "C1", "description": "100nF 0603 X7R", "mpn": "", "quantity": 4}, {"id": "i3", "mpn": "10k", "quantity": 1}, {"id": "i4", "mpn": "ITC-NOWHERE-9", "quantity": 1}, {"id": "i5", "mpn": "ITC-P-1", "quantity": 1}]'
req_analysis=$(jq -n --arg u "$items" '{model: "bom-agent", messages: [{role: "system", content: "You are an electronics parts sourcing expert. Analyze this BOM and for each item..."}, {role: "user", content: $u}]}')
chat "$req_analysis"
check "analysis: JSON {analysis, overallNotes}" '["analysis","overallNotes"]' "$(echo "$CONTENT" | jq -c keys)"
check "analysis items as the original's" '["bomItemId","isAmbiguous","notes","query","suggestedSearchTerms"]' "$(echo "$CONTENT" | jq -c '.analysis[0] | keys')"
check "ambiguity computed: MPN known, none, a value, unknown, known" "i1:false i2:true i3:true i4:true i5:true" \
    "$(echo "$CONTENT" | jq -r '[.analysis[] | "\(.bomItemId):\(.isAmbiguous)"] | join(" ")')"
check "search terms from MPN and maker" '["ITC-REG-1","CompatCo ITC-REG-1"]' "$(echo "$CONTENT" | jq -c '.analysis[0].suggestedSearchTerms')"
check_contains "approved alternates are search terms" "ITC-P-2" "$(echo "$CONTENT" | jq -c '.analysis[4].suggestedSearchTerms')"
check_contains "overall notes count" "5 items: 4 ambiguous" "$(echo "$CONTENT" | jq -r .overallNotes)"
csvreq=$(jq -n --rawfile u "$T/bom.csv" '{messages: [{role: "system", content: "analyze the bom"}, {role: "user", content: $u}]}')
chat "$csvreq"
check "analysis of a CSV BOM through the parser (ids: its designators)" "U1:false R1:true" "$(echo "$CONTENT" | jq -r '[.analysis[] | "\(.bomItemId):\(.isAmbiguous)"] | join(" ")')"
offers='[{"bomItemId": "a", "quantity": 10, "offers": [{"index": 0, "mpn": "A", "distributor": "digikey", "price": 0.10, "stock": 100, "minQty": 1}, {"index": 1, "mpn": "A", "distributor": "mouser", "price": 0.08, "stock": 5000, "minQty": 1}]}, {"bomItemId": "b", "quantity": 1, "offers": [{"index": 0, "distributor": "digikey", "price": 2.5, "stock": 10, "minQty": 1}, {"index": 1, "distributor": "arrow", "price": 2.0, "stock": 3, "minQty": 1}, {"index": 2, "distributor": "mouser", "price": 1.0, "stock": 0, "minQty": 1}]}]'
chat "$(jq -n --arg u "$offers" '{messages: [{role: "system", content: "You are a BOM optimization expert. Given a BOM with offers, generate 2-4 optimal sourcing strategies."}, {role: "user", content: $u}]}')"
check "strategies: JSON {strategies, jointConsiderations}" '["jointConsiderations","strategies"]' "$(echo "$CONTENT" | jq -c keys)"
check "lowest cost: cheapest in stock" '{"a":1,"b":1}' "$(echo "$CONTENT" | jq -c '.strategies[] | select(.name == "Lowest total cost") | .selections')"
check "fewest distributors: one covers both" '{"a":0,"b":0} 1' "$(echo "$CONTENT" | jq -c '.strategies[] | select(.name == "Fewest distributors") | .selections, .distributors' | paste -sd' ')"
check "totals computed exactly" "2800000" "$(echo "$CONTENT" | jq '.strategies[0].total_micros')"
check "each strategy as the original's" "true" "$(echo "$CONTENT" | jq '[.strategies[] | has("name") and has("description") and has("selections") and has("reasoning")] | all')"
# greedy set cover takes g (4 items), then p and q: 3; the engine's exact
# search finds p + q
cover='[{"bomItemId": "a", "quantity": 1, "offers": [{"distributor": "g", "price": 1, "stock": 9}, {"distributor": "p", "price": 1, "stock": 9}]}, {"bomItemId": "b", "quantity": 1, "offers": [{"distributor": "g", "price": 1, "stock": 9}, {"distributor": "p", "price": 1, "stock": 9}]}, {"bomItemId": "c", "quantity": 1, "offers": [{"distributor": "g", "price": 1, "stock": 9}, {"distributor": "q", "price": 1, "stock": 9}]}, {"bomItemId": "d", "quantity": 1, "offers": [{"distributor": "g", "price": 1, "stock": 9}, {"distributor": "q", "price": 1, "stock": 9}]}, {"bomItemId": "e", "quantity": 1, "offers": [{"distributor": "p", "price": 1, "stock": 9}]}, {"bomItemId": "f", "quantity": 1, "offers": [{"distributor": "q", "price": 1, "stock": 9}]}]'
chat "$(jq -n --arg u "$cover" '{messages: [{role: "system", content: "sourcing strategies"}, {role: "user", content: $u}]}')"
check "fewest distributors is exact, not greedy" '2 true {"a":1,"b":1,"c":1,"d":1,"e":0,"f":0}' \
    "$(echo "$CONTENT" | jq -c '.strategies[] | select(.distributors == 2) | .distributors, .exact, .selections' | head -3 | paste -sd' ')"
chat "$(jq -n --arg u "strategies for project $PD please" '{messages: [{role: "system", content: "sourcing strategies"}, {role: "user", content: $u}]}')"
check "strategies from a project's decisions" "Decision engine" "$(echo "$CONTENT" | jq -r '.strategies[0].name')"
chat '{"messages": [{"role": "system", "content": "strategies"}, {"role": "user", "content": "nothing here"}]}'
check "strategies without input say what they need" "0" "$(echo "$CONTENT" | jq '.strategies | length')"
chat "$req_analysis"
WHOLE=$CONTENT
reqj "$A_KEY" POST /v1/chat/completions "$(echo "$req_analysis" | jq -c '. + {stream: true}')"
check "stream: true answers Server-Sent Events" "200" "$CODE"
check "stream ends with data: [DONE]" "data: [DONE]" "$(echo "$BODY" | grep '^data: ' | tail -1)"
chunks=$(echo "$BODY" | grep '^data: {' | sed 's/^data: //')
check "chunks are chat.completion.chunk" "chat.completion.chunk" "$(echo "$chunks" | jq -r .object | sort -u)"
check "first chunk names the role, last says stop" "assistant stop" \
    "$(echo "$chunks" | head -1 | jq -r '.choices[0].delta.role') $(echo "$chunks" | tail -1 | jq -r '.choices[0].finish_reason')"
check "the deltas add up to the answer" "$WHOLE" "$(echo "$chunks" | jq -j '.choices[0].delta.content // ""')"
check "content type" "text/event-stream" "$(curl -s -o /dev/null -w '%{content_type}' -H "X-API-Key: $A_KEY" -H 'Content-Type: application/json' --data-binary '{"stream": true, "messages": [{"role": "user", "content": "hi"}]}' "$URL/v1/chat/completions")"
reqj "$A_KEY" POST /v1/chat/completions '{"stream": "yes", "messages": [{"role": "user", "content": "hi"}]}'
check "stream must be a boolean" "422" "$CODE"

# --- bomctl: the original CLI's commands ---------------------------------------------
ctl() { OUT=$(BOMCTL_URL=$URL BOMCTL_API_KEY=$A_KEY BOMCTL_ADMIN_KEY=$BOMD_ADMIN_KEY "$BOMCTL" "$@" 2>"$T/ctl.err"); RC=$?; }
ctl trace "$PI"
check "trace exits 0" "0" "$RC"
check_contains "trace shows reasoning under a step" "$(printf '    \xe2\x94\x94\xe2\x94\x80 ')" "$OUT"
check "trace shows the time since the step before" "true" "$([ "$(printf '%s\n' "$OUT" | grep -cE ' \(\+[0-9.]+(ms|s)\)$')" -gt 0 ] && echo true)"
ctl trace --no-reasoning --no-timing "$PI"
check "trace --no-reasoning --no-timing" "0" "$(printf '%s\n' "$OUT" | grep -cE '\xe2\x94\x94|\(\+[0-9.]+(ms|s)\)$')"
ctl watch "$PI"
check "watch a finished project: the trace, then complete" "0 processing complete" "$RC $(printf '%s\n' "$OUT" | tail -1)"
check "watch prints the steps of the event stream" "intake final_decision" \
    "$(printf '%s\n' "$OUT" | grep -E '^[0-9]{4}-' | awk '{print $2}' | grep -xE 'intake|final_decision' | sort -u | sort -r | paste -sd' ')"
req "$A_KEY" POST /projects/upload-and-process?async=1 -F bom_file=@"$T/bom.csv"
PW=$(echo "$BODY" | jq -r .project_id)
ctl watch "$PW"
check "watch follows a running job to the end" "0" "$RC"
check_contains "watch names the steps" "final_decision" "$OUT"
ctl watch "$GHOST"
check "watch of an unknown project exits 5" "5" "$RC"
ctl chat "What is a BOM?"
check "chat with a message answers once" "0 true" "$RC $([ -n "$OUT" ] && echo true)"
OUT=$(printf 'first question\nsecond question\nquit\nnot asked\n' | BOMCTL_URL=$URL BOMCTL_API_KEY=$A_KEY "$BOMCTL" --json chat 2>/dev/null | jq -s length)
check "chat reads questions from stdin until quit" "2" "$OUT"
ctl keys
check "keys lists the tenant's keys" "0 true" "$RC $(printf '%s\n' "$OUT" | grep -q itc-tenant && echo true)"
ctl keys create --name itc-ctl --scope read
check "keys create shows the key once" "0" "$RC"
CK2=$(printf '%s\n' "$OUT" | tail -1)
CK2_ID=$(printf '%s\n' "$OUT" | head -1 | awk '{print $2}')
check "the created key works" "200" "$(code -H "X-API-Key: $CK2" "$URL/projects")"
ctl keys revoke "$CK2_ID"
check "keys revoke" "0 401" "$RC $(code -H "X-API-Key: $CK2" "$URL/projects")"
ctl keys create
check "keys create needs --name" "2" "$RC"
OUT=$(BOMCTL_URL=$URL "$BOMCTL" admin status 2>/dev/null); RC=$?
check "admin status needs no key" "0" "$RC"
check_contains "admin status" "admin key set yes" "$OUT"
ctl admin bootstrap --slug itc-boot --name "ITC Boot" --key-name boot
check "admin bootstrap" "0" "$RC"
BK=$(printf '%s\n' "$OUT" | awk '$1 == "api" && $2 == "key" {print $3}')
check "the bootstrap key works" "200" "$(code -H "X-API-Key: $BK" "$URL/projects")"
OUT=$(BOMCTL_URL=$URL BOMCTL_API_KEY=$A_KEY "$BOMCTL" admin bootstrap 2>&1); RC=$?
check "admin bootstrap without BOMCTL_ADMIN_KEY is a usage error" "2" "$RC"
ctl admin reset-demo
check "admin reset-demo" "0" "$RC"
ctl kb seed
check "kb seed" "0 seeded 4 suppliers and 7 parts (0 and 0 were there already)" "$RC $OUT"
ctl kb seed
check "kb seed again keeps what exists" "0 seeded 0 suppliers and 0 parts (4 and 7 were there already)" "$RC $OUT"
req "$A_KEY" GET /knowledge/suppliers/digikey
check "the demo distributors as the original seeded them" "Digi-Key authorized high Jennifer Walsh 3" \
    "$(echo "$BODY" | jq -r '"\(.name) \(.supplier_type) \(.trust_level) \(.account_rep) \(.notes | length)"')"
req "$A_KEY" GET /knowledge/parts/STM32F4
check "and its banned parts" "true" "$(echo "$BODY" | jq .banned)"

summary compat

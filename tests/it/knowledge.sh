#!/bin/bash
# Knowledge routes against the shared daemon: parts (ban, unban,
# alternates, MPNs with "/"), suppliers (create, trust), error texts and
# codes of the original service, tenant isolation, and bans and blocks set
# through the API taking effect in the flow. Uses its own MPNs (ITK-*) and
# suppliers (itk-*) so other suites' data is untouched.
. "$(dirname "$0")/lib.sh"
set -u
cd "$ROOT"
T=$(mktemp -d "$STATE/it_knowledge.XXXXXX")

PART_KEYS='["approved_alternates","approved_alternates_detail","ban_reason","banned","created_at","failure_count","last_used_date","mpn","notes","preferred","projects_used_in","quality_notes","times_used","updated_at"]'
SUP_KEYS='["account_rep","created_at","last_order_date","lead_time_accuracy","name","notes","on_time_rate","order_cost","order_cost_micros","order_count_ytd","payment_terms","quality_rate","supplier_id","supplier_type","total_spend_ytd","trust_level","updated_at"]'
ALT_KEYS='["added_at","alternate_mpn","reason","user"]'
kpart() {	# kpart CLIENT MPN COLUMN
	sql "SELECT $3 FROM part_knowledge WHERE client_id = '$1' AND mpn = '$2'"
}
ksup() {	# ksup CLIENT ID COLUMN
	sql "SELECT $3 FROM supplier_knowledge WHERE client_id = '$1' AND supplier_id = '$2'"
}

# --- offers of our own parts ---------------------------------------------
cat > "$T/offers.csv" <<'EOF'
mpn,manufacturer,supplier_id,supplier_name,supplier_type,sku,stock,moq,order_multiple,lead_time_days,currency,breaks
ITK-REG-100,KnTest,itk-dist-a,ITK Dist A,authorized,ITKA-100,10000,1,1,5,USD,1:0.50|100:0.40
ITK-REG-100,KnTest,itk-dist-b,ITK Dist B,authorized,ITKB-100,10000,1,1,5,USD,1:0.30|100:0.20
ITK-REG-200,KnTest,itk-dist-b,ITK Dist B,authorized,ITKB-200,10000,1,1,5,USD,1:0.60
ITK-REG-300/NOPB,KnTest,itk-dist-a,ITK Dist A,authorized,ITKA-300,10000,1,1,5,USD,1:0.45
EOF
"$BOMD" offers import "$T/offers.csv" >/dev/null 2>&1
check "own offers imported" "4" "$(sql "SELECT count(*) FROM offers WHERE mpn LIKE 'ITK-%'")"

# --- parts: errors ---------------------------------------------------------
req "$A_KEY" GET /knowledge/parts
check "parts list is 200" "200" "$CODE"
check "parts list is an array" "array" "$(echo "$BODY" | jq -r type)"
req "$A_KEY" GET '/knowledge/parts?limit=abc'
check "parts limit must be a number" "422" "$CODE"
req "$A_KEY" GET '/knowledge/parts?limit=0'
check "parts limit must be positive" "422" "$CODE"
check "parts without a key is 401" "401" "$(code "$URL/knowledge/parts")"
req "$A_KEY" GET /knowledge/parts/ITK-NOPE
check_refused "unknown part" 404 "Part not found: ITK-NOPE"
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/ban '{"user": "qa@example.com"}'
check "ban without reason is 422" "422" "$CODE"
check_contains "422 names the field" "reason: field required" "$(detail)"
check "nothing written without a reason" "0" "$(sql "SELECT count(*) FROM part_knowledge WHERE mpn = 'ITK-REG-100'")"
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/ban '{"reason": 5}'
check "ban reason of the wrong type is 422" "422" "$CODE"
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/ban '{not json'
check "malformed JSON is 422" "422" "$CODE"
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/ban '[1]'
check "a JSON array body is 422" "422" "$CODE"
long=$(printf 'X%.0s' $(seq 1 129))
reqj "$A_KEY" POST "/knowledge/parts/$long/ban" '{"reason": "x"}'
check_refused "129-byte MPN" 400 "mpn: at most 128 bytes"
req "$A_KEY" GET "/knowledge/parts/${long:0:128}"
check "128-byte MPN is accepted (404, not 400)" "404" "$CODE"
big=$(printf 'r%.0s' $(seq 1 4097))
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/ban "{\"reason\": \"$big\"}"
check_refused "4097-byte reason" 400 "reason: at most 4096 bytes"
reqj "$A_KEY" POST /knowledge/parts/ITK-BAD%01/ban '{"reason": "x"}'
check "control character in MPN is 400" "400" "$CODE"
req "$A_KEY" POST /knowledge/parts/ITK-NOPE/unban
check_refused "unban of an unknown part" 404 "Part not found: ITK-NOPE"
req "$A_KEY" GET /knowledge/parts/ITK-NOPE/alternates
check "alternates of an unknown part is 404" "404" "$CODE"
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/alternates '{"reason": "r"}'
check "alternate without alternate_mpn is 422" "422" "$CODE"
check_contains "422 names alternate_mpn" "alternate_mpn: field required" "$(detail)"
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/alternates '{"alternate_mpn": "itk-reg-100"}'
check "a part is not its own alternate" "400" "$CODE"
req "$A_KEY" DELETE /knowledge/parts/ITK-REG-100
check "wrong method is 405" "405" "$CODE"

# --- parts: ban, alternates, unban ------------------------------------------
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/ban '{"reason": "counterfeit risk", "user": "qa@example.com"}'
check "ban creates the part (200)" "200" "$CODE"
check "ban answers the original's object" '["mpn","part","reason","status"] banned counterfeit risk' "$(echo "$BODY" | jq -r '"\(keys | tojson) \(.status) \(.reason)"')"
BODY=$(echo "$BODY" | jq .part)
check "part object has every field" "$PART_KEYS" "$(echo "$BODY" | jq -c 'keys')"
check "ban fields" '"ITK-REG-100" true "counterfeit risk" false 0 0 [] [] [] null []' \
    "$(echo "$BODY" | jq -c '[.mpn, .banned, .ban_reason, .preferred, .times_used, .failure_count, .approved_alternates, .projects_used_in, .quality_notes, .last_used_date, .notes] | map(tojson) | join(" ")' -r)"
check "part timestamps are RFC 3339 UTC" "true true" "$(echo "$BODY" | jq -r --arg re "$TSRE" '"\(.created_at | test($re)) \(.updated_at | test($re))"')"
check "ban stored with its user" "t|counterfeit risk|qa@example.com" "$(kpart "$A_ID" ITK-REG-100 "banned, ban_reason, banned_by")"
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/ban '{"reason": "counterfeit risk (confirmed)"}'
check "ban again updates the reason" "200 counterfeit risk (confirmed)" "$CODE $(echo "$BODY" | jq -r .part.ban_reason)"
check "ban again keeps one row" "1" "$(sql "SELECT count(*) FROM part_knowledge WHERE client_id = '$A_ID' AND mpn = 'ITK-REG-100'")"
req "$A_KEY" GET /knowledge/parts/ITK-REG-100
check "get part" "200 true" "$CODE $(echo "$BODY" | jq -r .banned)"
check "get part has every field" "$PART_KEYS" "$(echo "$BODY" | jq -c 'keys')"

reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/alternates '{"alternate_mpn": "ITK-REG-300/NOPB", "reason": "pin compatible", "user": "eng@example.com"}'
check "add alternate is 200" "200" "$CODE"
check "add alternate answers the original's object" '{"alternate_mpn":"ITK-REG-300/NOPB","mpn":"ITK-REG-100","status":"added"}' "$(echo "$BODY" | jq -cS '{status, mpn, alternate_mpn}')"
BODY=$(echo "$BODY" | jq .part)
check "add alternate answers the part beside" "$PART_KEYS" "$(echo "$BODY" | jq -c 'keys')"
check "approved_alternates are MPNs" '["ITK-REG-300/NOPB"]' "$(echo "$BODY" | jq -c .approved_alternates)"
check "alternate object fields" "$ALT_KEYS" "$(echo "$BODY" | jq -c '.approved_alternates_detail[0] | keys')"
check "alternate values" '["ITK-REG-300/NOPB","pin compatible","eng@example.com"]' \
    "$(echo "$BODY" | jq -c '.approved_alternates_detail[0] | [.alternate_mpn, .reason, .user]')"
check "alternate added_at is RFC 3339" "true" "$(echo "$BODY" | jq --arg re "$TSRE" '.approved_alternates_detail[0].added_at | test($re)')"
added=$(echo "$BODY" | jq -r '.approved_alternates_detail[0].added_at')
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/alternates '{"alternate_mpn": "ITK-REG-300/NOPB", "reason": "pin compatible, qualified"}'
check "same alternate again: no duplicate" "1" "$(echo "$BODY" | jq '.part.approved_alternates | length')"
check "same alternate again: reason updated, added_at kept" "pin compatible, qualified $added" \
    "$(echo "$BODY" | jq -r '.part.approved_alternates_detail[0] | "\(.reason) \(.added_at)"')"
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/alternates '{"alternate_mpn": "ITK-REG-999"}'
check "second alternate appended" "2 null" "$(echo "$BODY" | jq -r '"\(.part.approved_alternates | length) \(.part.approved_alternates_detail[1].reason)"')"
req "$A_KEY" GET /knowledge/parts/ITK-REG-100/alternates
check "get alternates is 200" "200" "$CODE"
check "get alternates is the list of MPNs" '["ITK-REG-300/NOPB","ITK-REG-999"]' "$(echo "$BODY" | jq -c .)"

reqj "$A_KEY" POST /knowledge/parts/ITK-NEW-1/alternates '{"alternate_mpn": "ITK-NEW-2"}'
check "alternate of an unknown part creates it" "200 false 1" "$CODE $(echo "$BODY" | jq -r '"\(.part.banned) \(.part.approved_alternates | length)"')"

# an MPN with "/" (sent as %2F; two path segments once decoded)
reqj "$A_KEY" POST /knowledge/parts/ITK-SL%2FASH/ban '{"reason": "slash test"}'
check "ban an MPN with '/'" "200 ITK-SL/ASH" "$CODE $(echo "$BODY" | jq -r .mpn)"
check "MPN with '/' stored whole" "t" "$(kpart "$A_ID" ITK-SL/ASH banned)"
req "$A_KEY" GET /knowledge/parts/ITK-SL%2FASH
check "get an MPN with '/'" "200 ITK-SL/ASH true" "$CODE $(echo "$BODY" | jq -r '"\(.mpn) \(.banned)"')"
reqj "$A_KEY" POST /knowledge/parts/ITK-SL%2FASH/alternates '{"alternate_mpn": "ITK-SL/ASH-2"}'
check "alternate of an MPN with '/'" "200 ITK-SL/ASH-2" "$CODE $(echo "$BODY" | jq -r '.part.approved_alternates[0]')"
req "$A_KEY" GET /knowledge/parts/ITK-SL%2FASH/alternates
check "alternates of an MPN with '/'" '200 ["ITK-SL/ASH-2"]' "$CODE $(echo "$BODY" | jq -c .)"
req "$A_KEY" POST /knowledge/parts/ITK-SL%2FASH/unban
check "unban an MPN with '/' without a body" "200 unbanned false null" "$CODE $(echo "$BODY" | jq -r '"\(.status) \(.part.banned) \(.part.ban_reason)"')"
check "unban clears the ban in SQL" "f||" "$(kpart "$A_ID" ITK-SL/ASH "banned, ban_reason, banned_by")"
req "$A_KEY" GET /knowledge/parts/ITK-SL%2FNOPE
check "unknown MPN with '/' is 404 with the whole MPN" "404 Part not found: ITK-SL/NOPE" "$CODE $(detail)"

req "$A_KEY" GET '/knowledge/parts?limit=1000'
check "list has our parts" "true" "$(echo "$BODY" | jq '[.[].mpn] | (index("ITK-REG-100") != null) and (index("ITK-SL/ASH") != null)')"
check "listed parts have every field" "$PART_KEYS" "$(echo "$BODY" | jq -c '.[0] | keys')"
req "$A_KEY" GET '/knowledge/parts?limit=1'
check "parts limit is applied" "1" "$(echo "$BODY" | jq length)"
req "$A_KEY" GET '/knowledge/parts?limit=5000'
check "parts limit above the maximum is capped" "200" "$CODE"

# --- suppliers: errors --------------------------------------------------------
reqj "$A_KEY" POST /knowledge/suppliers '{"name": "No Id"}'
check "supplier without supplier_id is 422" "422" "$CODE"
check_contains "422 names supplier_id" "supplier_id: field required" "$(detail)"
reqj "$A_KEY" POST /knowledge/suppliers '{"supplier_id": "itk-noname"}'
check "supplier without name is 422" "422" "$CODE"
check_contains "422 names name" "name: field required" "$(detail)"
reqj "$A_KEY" POST /knowledge/suppliers '{"supplier_id": "itk-x", "name": "X", "supplier_type": "wholesale"}'
check_refused "bad supplier type" 400 "Invalid supplier type: wholesale"
reqj "$A_KEY" POST /knowledge/suppliers '{"supplier_id": "itk-x", "name": "X", "trust_level": "sketchy"}'
check_refused "bad trust level" 400 "Invalid trust level: sketchy"
reqj "$A_KEY" POST /knowledge/suppliers "{\"supplier_id\": \"itk-$(printf 'i%.0s' $(seq 1 61))\", \"name\": \"X\"}"
check "65-byte supplier_id is 400" "400 supplier_id: at most 64 bytes" "$CODE $(detail)"
reqj "$A_KEY" POST /knowledge/suppliers "{\"supplier_id\": \"itk-x\", \"name\": \"$(printf 'n%.0s' $(seq 1 201))\"}"
check "201-byte name is 400" "400 name: at most 200 bytes" "$CODE $(detail)"
reqj "$A_KEY" POST /knowledge/suppliers '{"supplier_id": "itk/x", "name": "X"}'
check "supplier_id with '/' is 400" "400" "$CODE"
check "nothing written for bad suppliers" "0" "$(sql "SELECT count(*) FROM supplier_knowledge WHERE supplier_id LIKE 'itk-x%' OR supplier_id LIKE 'itk/%' OR supplier_id = 'itk-noname'")"
req "$A_KEY" GET /knowledge/suppliers/itk-nope
check_refused "unknown supplier" 404 "Supplier not found: itk-nope"
reqj "$A_KEY" POST /knowledge/suppliers/itk-nope/trust '{"trust_level": "low"}'
check "trust of an unknown supplier is 404" "404 Supplier not found: itk-nope" "$CODE $(detail)"
req "$A_KEY" GET '/knowledge/suppliers?limit=-1'
check "suppliers limit must be positive" "422" "$CODE"

# --- suppliers: create, get, trust --------------------------------------------
reqj "$A_KEY" POST /knowledge/suppliers '{"supplier_id": "itk-dist-b", "name": "ITK Dist B"}'
check "create supplier is 200" "200" "$CODE"
check "create answers the original's object" '{"name":"ITK Dist B","status":"created","supplier_id":"itk-dist-b"}' "$(echo "$BODY" | jq -cS '{status, supplier_id, name}')"
BODY=$(echo "$BODY" | jq .supplier)
check "supplier object has every field" "$SUP_KEYS" "$(echo "$BODY" | jq -c 'keys')"
check "supplier defaults" '["itk-dist-b","ITK Dist B","authorized","medium",1,1,1,null,null,[],null,0,0]' \
    "$(echo "$BODY" | jq -c '[.supplier_id, .name, .supplier_type, .trust_level, .on_time_rate, .quality_rate, .lead_time_accuracy, .account_rep, .payment_terms, .notes, .last_order_date, .total_spend_ytd, .order_count_ytd]')"
check "rates are numbers" "number number number number" "$(echo "$BODY" | jq -r '[.on_time_rate, .quality_rate, .lead_time_accuracy, .total_spend_ytd] | map(type) | join(" ")')"
check "supplier timestamps are RFC 3339 UTC" "true" "$(echo "$BODY" | jq --arg re "$TSRE" '(.created_at | test($re)) and (.updated_at | test($re))')"
reqj "$A_KEY" POST /knowledge/suppliers '{"supplier_id": "itk-dist-b", "name": "Again"}'
check_refused "duplicate supplier" 400 "Supplier already exists: itk-dist-b"
check "duplicate leaves the row" "ITK Dist B" "$(ksup "$A_ID" itk-dist-b name)"
reqj "$A_KEY" POST /knowledge/suppliers '{"supplier_id": "itk-dist-a", "name": "ITK Dist A", "supplier_type": "direct", "trust_level": "medium", "account_rep": "Ann Rep", "payment_terms": "NET30", "notes": "test distributor"}'
check "create supplier with every field" '["direct","medium","Ann Rep","NET30",["test distributor"]]' \
    "$(echo "$BODY" | jq -c '.supplier | [.supplier_type, .trust_level, .account_rep, .payment_terms, .notes]')"
sql "UPDATE supplier_knowledge SET total_spend_ytd_micros = 1234560000, order_count_ytd = 7, on_time_rate = 0.98 WHERE client_id = '$A_ID' AND supplier_id = 'itk-dist-a'"
req "$A_KEY" GET /knowledge/suppliers/itk-dist-a
check "get supplier: money in currency units, counts, rates" "1234.56 7 0.98" "$(echo "$BODY" | jq -r '"\(.total_spend_ytd) \(.order_count_ytd) \(.on_time_rate)"')"
check "get supplier has every field" "$SUP_KEYS" "$(echo "$BODY" | jq -c 'keys')"
req "$A_KEY" GET /knowledge/suppliers
check "supplier list" "true" "$(echo "$BODY" | jq '[.[].supplier_id] | (index("itk-dist-a") != null) and (index("itk-dist-b") != null)')"
req "$A_KEY" GET '/knowledge/suppliers?limit=1'
check "suppliers limit is applied" "1" "$(echo "$BODY" | jq length)"
reqj "$A_KEY" POST /knowledge/suppliers/itk-dist-a/trust '{"reason": "no level"}'
check "trust without trust_level is 422" "422" "$CODE"
check_contains "422 names trust_level" "trust_level: field required" "$(detail)"
reqj "$A_KEY" POST /knowledge/suppliers/itk-dist-a/trust '{"trust_level": "extreme"}'
check "bad trust level on trust is 400" "400 Invalid trust level: extreme" "$CODE $(detail)"
check "bad trust level changes nothing" "medium" "$(ksup "$A_ID" itk-dist-a trust_level)"
reqj "$A_KEY" POST /knowledge/suppliers/itk-dist-a/trust '{"trust_level": "high", "reason": "good record", "user": "buyer@example.com"}'
check "set trust" "200 updated itk-dist-a high" "$CODE $(echo "$BODY" | jq -r '"\(.status) \(.supplier_id) \(.trust_level)"')"
check "trust answers the supplier beside" "$SUP_KEYS" "$(echo "$BODY" | jq -c '.supplier | keys')"
reqj "$A_KEY" POST /knowledge/suppliers/itk-dist-a/trust '{"trust_level": "medium"}'

# --- tenant isolation -----------------------------------------------------------
a_before=$(sql "SELECT banned, ban_reason, approved_alternates::text, updated_at FROM part_knowledge WHERE client_id = '$A_ID' AND mpn = 'ITK-REG-100'")
req "$B_KEY" GET /knowledge/parts/ITK-REG-100
check "B cannot read A's part" "404 Part not found: ITK-REG-100" "$CODE $(detail)"
req "$B_KEY" GET /knowledge/parts/ITK-REG-100/alternates
check "B cannot read A's alternates" "404" "$CODE"
reqj "$B_KEY" POST /knowledge/parts/ITK-REG-100/unban '{"user": "intruder"}'
check "B cannot unban A's part" "404" "$CODE"
req "$B_KEY" GET /knowledge/parts/ITK-SL%2FASH
check "B cannot read A's '/' part" "404" "$CODE"
req "$B_KEY" GET '/knowledge/parts?limit=1000'
check "B's part list has none of A's" "0" "$(echo "$BODY" | jq '[.[] | select(.mpn | startswith("ITK-"))] | length')"
reqj "$B_KEY" POST /knowledge/parts/ITK-REG-100/ban '{"reason": "B reason"}'
check "B's ban makes B's own row" "200 B reason" "$CODE $(echo "$BODY" | jq -r .reason)"
reqj "$B_KEY" POST /knowledge/parts/ITK-REG-100/alternates '{"alternate_mpn": "ITK-B-ALT"}'
check "B's alternate goes to B's row" '["ITK-B-ALT"]' "$(echo "$BODY" | jq -c '.part.approved_alternates')"
check "A's part unchanged by B" "$a_before" "$(sql "SELECT banned, ban_reason, approved_alternates::text, updated_at FROM part_knowledge WHERE client_id = '$A_ID' AND mpn = 'ITK-REG-100'")"
req "$B_KEY" POST /knowledge/parts/ITK-REG-100/unban
check "B unbans its own row" "200 false" "$CODE $(echo "$BODY" | jq -r .part.banned)"
check "A's part still banned" "t" "$(kpart "$A_ID" ITK-REG-100 banned)"
s_before=$(sql "SELECT name, trust_level, updated_at FROM supplier_knowledge WHERE client_id = '$A_ID' AND supplier_id = 'itk-dist-a'")
req "$B_KEY" GET /knowledge/suppliers/itk-dist-a
check "B cannot read A's supplier" "404 Supplier not found: itk-dist-a" "$CODE $(detail)"
reqj "$B_KEY" POST /knowledge/suppliers/itk-dist-a/trust '{"trust_level": "blocked"}'
check "B cannot set trust on A's supplier" "404" "$CODE"
req "$B_KEY" GET '/knowledge/suppliers?limit=1000'
check "B's supplier list has none of A's" "0" "$(echo "$BODY" | jq '[.[] | select(.supplier_id | startswith("itk-"))] | length')"
reqj "$B_KEY" POST /knowledge/suppliers '{"supplier_id": "itk-dist-a", "name": "B view of A"}'
check "B may create the same supplier id for itself" "200" "$CODE"
check "A's supplier unchanged by B" "$s_before" "$(sql "SELECT name, trust_level, updated_at FROM supplier_knowledge WHERE client_id = '$A_ID' AND supplier_id = 'itk-dist-a'")"
check "B's row is B's" "B view of A" "$(ksup "$B_ID" itk-dist-a name)"

# --- the flow applies what the API set ------------------------------------------
printf 'RefDes,Qty,MPN\nU1,1,ITK-REG-100\nU2,1,ITK-REG-200\n' > "$T/bom.csv"
upload() {	# upload KEY: processes $T/bom.csv, sets P and PROJ (detail)
	local resp
	resp=$(curl -s -H "X-API-Key: $1" -F bom_file=@"$T/bom.csv" "$URL/projects/upload-and-process")
	P=$(echo "$resp" | jq -r .project_id)
	STATUS=$(echo "$resp" | jq -r .status)
	PROJ=$(curl -s -H "X-API-Key: $1" "$URL/projects/$P")
}
line() { echo "$PROJ" | jq -r --arg m "$1" ".line_items[] | select(.mpn == \$m) | $2"; }

# banned through the API: rejected, the approved alternate proposed
upload "$A_KEY"
check "flow with a banned part completes" "complete" "$STATUS"
check "banned part rejected in the flow" "rejected" "$(line ITK-REG-100 .final_decision.status)"
check "approved alternate proposed" "ITK-REG-300/NOPB itk-dist-a" "$(line ITK-REG-100 '"\(.selected_mpn) \(.selected_supplier)"')"
check_contains "rejection names the ban reason" "counterfeit risk (confirmed)" "$(line ITK-REG-100 .final_decision.reasoning)"
check "other line approved from the cheapest supplier" "approved itk-dist-b" "$(line ITK-REG-200 '"\(.final_decision.status) \(.selected_supplier)"')"

# unbanned through the API: approved again, from the cheaper supplier
reqj "$A_KEY" POST /knowledge/parts/ITK-REG-100/unban '{"user": "qa@example.com"}'
check "unban" "200 false" "$CODE $(echo "$BODY" | jq -r .part.banned)"
upload "$A_KEY"
check "unbanned part approved" "approved ITK-REG-100 itk-dist-b" "$(line ITK-REG-100 '"\(.final_decision.status) \(.selected_mpn) \(.selected_supplier)"')"

# blocked through the API: never selected
reqj "$A_KEY" POST /knowledge/suppliers/itk-dist-b/trust '{"trust_level": "blocked", "reason": "quality escape"}'
check "block a supplier" "200 blocked" "$CODE $(echo "$BODY" | jq -r .trust_level)"
upload "$A_KEY"
check "flow with a blocked supplier completes" "complete" "$STATUS"
check "blocked supplier never selected" "0" "$(echo "$PROJ" | jq '[.line_items[] | select(.selected_supplier == "itk-dist-b")] | length')"
check "next supplier chosen instead" "approved itk-dist-a" "$(line ITK-REG-100 '"\(.final_decision.status) \(.selected_supplier)"')"
check "line only the blocked supplier offers is not approved" "true" "$(line ITK-REG-200 '.final_decision.status != "approved" and .selected_supplier == null')"
# B's knowledge is B's: the same BOM for B uses itk-dist-b (not blocked for B)
upload "$B_KEY"
PB=$P
check "A's block does not apply to B" "itk-dist-b" "$(line ITK-REG-100 .selected_supplier)"
check "usage counted for A's part" "t" "$(sql "SELECT bomd_part_times_used('$A_ID', 'ITK-REG-100') >= 3")"
req "$A_KEY" GET /knowledge/parts/ITK-REG-100
check "part shows its usage" "true true" "$(echo "$BODY" | jq -r --arg re "$TSRE" '"\(.times_used >= 3) \(.last_used_date | test($re))"')"
check "part lists the projects it was used in" "true" "$(echo "$BODY" | jq --arg p "$P" '.projects_used_in | length >= 3')"

# leave B as we found it
check "B's project removed" "200" "$(code -X DELETE -H "X-API-Key: $B_KEY" "$URL/projects/$PB")"
sql "DELETE FROM part_knowledge WHERE client_id = '$B_ID' AND mpn LIKE 'ITK-%'"
sql "DELETE FROM supplier_knowledge WHERE client_id = '$B_ID' AND supplier_id LIKE 'itk-%'"
rm -rf "$T"
summary knowledge

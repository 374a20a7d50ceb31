#!/bin/bash
# The API's cache of rendered project documents (daemon/api/api_cache.c):
# a finished project read again answers the same bytes, from the cache
# and from a new render alike; every change of its row (a run, a write
# outside the API, a delete) is seen by the next read; another tenant
# gets 404 for a project whose document is cached; a project running
# again (its live state in Redis) is never answered from the cache.
# Uses its own MPNs (ICA-*).
. "$(dirname "$0")/lib.sh"
set -u
cd "$ROOT"
T=$(mktemp -d "$STATE/it_cache.XXXXXX")
LIVE_KEY() { echo "bomd:live:$A_ID:$1"; }

cat > "$T/offers.csv" <<'EOF'
mpn,manufacturer,supplier_id,supplier_name,supplier_type,sku,stock,moq,order_multiple,lead_time_days,currency,breaks
ICA-REG-1,CaTest,ica-dist,ICA Dist,authorized,ICA-1,10000,1,1,5,USD,1:0.50|100:0.40
ICA-CAP-2,CaTest,ica-dist,ICA Dist,authorized,ICA-2,10000,1,1,5,USD,1:0.05|100:0.03
EOF
"$BOMD" offers import "$T/offers.csv" >/dev/null 2>&1
printf 'RefDes,Qty,MPN\nU1,1,ICA-REG-1\nC1-C2,2,ICA-CAP-2\n' > "$T/bom.csv"

# get KEY PATH FILE: the answer's bytes into FILE, its status on stdout
get() { curl -s -o "$3" -w '%{http_code}' -H "X-API-Key: $1" "$URL$2"; }

req "$A_KEY" POST /projects/upload-and-process -F bom_file=@"$T/bom.csv" \
    -F project_name="ICA cache"
check "processed" "200 complete" "$CODE $(echo "$BODY" | jq -r .status)"
P=$(echo "$BODY" | jq -r .project_id)

# --- the same bytes, read after read -----------------------------------------
check "first read" "200" "$(get "$A_KEY" "/projects/$P" "$T/d1")"
check "second read" "200" "$(get "$A_KEY" "/projects/$P" "$T/d2")"
check "second read answers the same bytes" "same" "$(cmp -s "$T/d1" "$T/d2" && echo same)"
check "third read too" "same" "$(get "$A_KEY" "/projects/$P" "$T/d3" >/dev/null; cmp -s "$T/d1" "$T/d3" && echo same)"
check "the document is whole" "complete 2 true" "$(jq -r '"\(.status) \(.line_items | length) \(.report | type == "object")"' "$T/d1")"
check "a cached document is JSON" "application/json" "$(curl -s -o /dev/null -D - -H "X-API-Key: $A_KEY" "$URL/projects/$P" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Tt]ype: //p')"
check "trace from the cache is the document's trace" "$(jq -c .trace "$T/d1")" "$(curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$P/trace" | jq -c .)"
check "strategies from the cache are the report's" "$(jq -c '.report.strategies.strategies' "$T/d1")" "$(curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$P/strategies" | jq -c .strategies)"

# --- another tenant ------------------------------------------------------------
check "B gets 404 for A's cached project" "404" "$(get "$B_KEY" "/projects/$P" "$T/b1")"
check "404 says not found" "Project not found: $P" "$(jq -r .detail "$T/b1")"
check "B gets 404 for its trace" "404" "$(get "$B_KEY" "/projects/$P/trace" "$T/b2")"
check "B gets 404 for its strategies" "404" "$(get "$B_KEY" "/projects/$P/strategies" "$T/b3")"
check "no key is 401" "401" "$(code "$URL/projects/$P")"
check "A still reads it" "same" "$(get "$A_KEY" "/projects/$P" "$T/d4" >/dev/null; cmp -s "$T/d1" "$T/d4" && echo same)"

# --- a knowledge change alone leaves the stored document (its basis) ---------
req "$A_KEY" POST /knowledge/parts/ICA-REG-1/ban -H 'Content-Type: application/json' \
    --data-binary '{"reason": "ica cache test"}'
check "ban" "200" "$CODE"
check "a ban alone does not change the stored project" "same" "$(get "$A_KEY" "/projects/$P" "$T/d5" >/dev/null; cmp -s "$T/d1" "$T/d5" && echo same)"

# --- a run changes it: seen by the very next read ---------------------------
req "$A_KEY" POST "/projects/$P/process"
check "run again" "complete" "$(echo "$BODY" | jq -r .status)"
get "$A_KEY" "/projects/$P" "$T/r1" >/dev/null
check "the new run is read at once" "rejected approved" "$(jq -r '[.line_items[].final_decision.status] | join(" ")' "$T/r1")"
check "updated_at moved" "true" "$(jq -n --slurpfile a "$T/d1" --slurpfile b "$T/r1" '$b[0].updated_at > $a[0].updated_at')"
check "and read again the same" "same" "$(get "$A_KEY" "/projects/$P" "$T/r2" >/dev/null; cmp -s "$T/r1" "$T/r2" && echo same)"

# --- a write outside the API is seen too (the row's version) ----------------
sql "UPDATE projects SET name = 'ICA renamed' WHERE project_id = '$P'" >/dev/null
get "$A_KEY" "/projects/$P" "$T/n1" >/dev/null
check "a change by SQL is read at once" "ICA renamed" "$(jq -r .project_name "$T/n1")"

# --- running again: the live state, never the cached document ---------------
sql "UPDATE projects SET status = 'queued' WHERE project_id = '$P'" >/dev/null
rcli HSET "$(LIVE_KEY "$P")" status decisioning line_status enriched entry 0-1 >/dev/null
rcli EXPIRE "$(LIVE_KEY "$P")" 60 >/dev/null
get "$A_KEY" "/projects/$P" "$T/l1" >/dev/null
check "a running project shows its live state" "decisioning enriched,enriched" "$(jq -r '"\(.status) \([.line_items[].status] | join(","))"' "$T/l1")"
rcli DEL "$(LIVE_KEY "$P")" >/dev/null
get "$A_KEY" "/projects/$P" "$T/l2" >/dev/null
check "queued without live state: the row's status" "queued" "$(jq -r .status "$T/l2")"
sql "UPDATE projects SET status = 'complete' WHERE project_id = '$P'" >/dev/null
get "$A_KEY" "/projects/$P" "$T/n2" >/dev/null
check "rendered again: the same bytes as before it ran" "same" "$(cmp -s "$T/n1" "$T/n2" && echo same)"

# --- a project made, not processed ---------------------------------------------
req "$A_KEY" POST /projects -F bom_file=@"$T/bom.csv"
PC=$(echo "$BODY" | jq -r .project_id)
get "$A_KEY" "/projects/$PC" "$T/c1" >/dev/null
get "$A_KEY" "/projects/$PC" "$T/c2" >/dev/null
check "a created project reads the same twice" "created same" "$(jq -r .status "$T/c1") $(cmp -s "$T/c1" "$T/c2" && echo same)"
req "$A_KEY" POST "/projects/$PC/process"
get "$A_KEY" "/projects/$PC" "$T/c3" >/dev/null
check "then processed: read at once" "complete 2" "$(jq -r '"\(.status) \([.line_items[] | select(.final_decision != null)] | length)"' "$T/c3")"

# --- deleted: gone at once ------------------------------------------------------
req "$A_KEY" DELETE "/projects/$P"
check "delete" "200" "$CODE"
check "a deleted project is 404 at once" "404" "$(get "$A_KEY" "/projects/$P" "$T/g1")"
sql "DELETE FROM projects WHERE project_id = '$PC'" >/dev/null
check "deleted by SQL: 404 at once" "404" "$(get "$A_KEY" "/projects/$PC" "$T/g2")"

code -X POST -H "X-API-Key: $A_KEY" "$URL/knowledge/parts/ICA-REG-1/unban" >/dev/null
sql "DELETE FROM part_knowledge WHERE client_id = '$A_ID' AND mpn LIKE 'ICA-%'"
rm -rf "$T"
summary cache

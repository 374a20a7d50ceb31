#!/bin/bash
# Live part search against tests/tools/mock_distributors (DigiKey, Mouser
# and Nexar on one port): GET /search/providers, POST /search/parts
# (results by unit price, per-provider outcomes, offers stored with their
# source), a source failing, out of budget or refusing the credentials,
# one token shared by concurrent searches, bomctl search, /metrics, and
# no secret in the log. Starts its own Redis, PostgreSQL, mock and daemon
# and stops them by PID.
. "$(dirname "$0")/lib.sh"
set -u
BOMCTL=${BOMCTL:-$ROOT/build/asan/bin/bomctl}
cd "$ROOT" || exit 1
S=$(mktemp -d "${STATE:-/tmp}/it_search.XXXXXX")
SERVE_PID=""
MOCK_PID=""
MPORT=0

cleanup() {
	stop_pid SERVE_PID
	mock_stop "$S"
	own_services_stop "$S" "$S/serve.log"
	rm -rf "$S"
	summary search
}
trap cleanup EXIT

own_services search "$S" || exit 1
"$BOMD" migrate >/dev/null 2>&1 || bad "search: migrate"
A=$("$BOMD" client create --name "Search Acme" --slug search-acme 2>/dev/null)
A_KEY=$(echo "$A" | jq -r .api_key)

# start_mock SCRIPT: a fresh mock (same port after the first), empty log
start_mock() {
	mock_stop "$S"
	mock_start mock_distributors "$S" "$1" "$MPORT" --hang-ms 3000
}
# forget every token, budget, hold and disabled flag the sources shared
forget() {
	rcli --scan --pattern 'bomd:provider*' | while read -r k; do rcli DEL "$k" >/dev/null; done
}
mock_count() { [ -f "$S/mock.log" ] && jq -s --arg a "$1" '[.[] | select(.api == $a)] | length' "$S/mock.log" || echo 0; }
search() {	# search JSON -> BODY, CODE
	reqj "$A_KEY" POST /search/parts "$1"
}

LPORT=$(free_port)
URL=http://127.0.0.1:$LPORT
start_mock ""
M=http://127.0.0.1:$MPORT
export BOMD_LISTEN=127.0.0.1:$LPORT BOMD_LOG_LEVEL=info BOMD_RATE_LIMIT=0
export BOMD_DIGIKEY_CLIENT_ID=dk-client-id BOMD_DIGIKEY_CLIENT_SECRET=dk-client-secret
export BOMD_DIGIKEY_BASE_URL=$M BOMD_MOUSER_API_KEY=mouser-test-key BOMD_MOUSER_BASE_URL=$M
export BOMD_NEXAR_CLIENT_ID=nx-client-id BOMD_NEXAR_CLIENT_SECRET=nx-client-secret
export BOMD_NEXAR_BASE_URL=$M BOMD_NEXAR_TOKEN_URL=$M/connect/token
export BOMD_PROVIDERS_TIMEOUT_MS=2000 BOMD_PROVIDERS_DEADLINE_MS=8000
start_bomd "$S/serve.log" "$URL" --workers 1 || bad "search: daemon starts"

# --- providers ------------------------------------------------------------
req "$A_KEY" GET /search/providers
check "providers: 200" "200" "$CODE"
check "providers: all configured" '["digikey","mouser","nexar"]' "$(echo "$BODY" | jq -c .configured)"
check "providers: all available" '["digikey","mouser","nexar"]' "$(echo "$BODY" | jq -c .available)"
check "providers: key required" "401" "$(code "$URL/search/providers")"
check "search: key required" "401" "$(code -X POST -d '{"query":"X"}' "$URL/search/parts")"

# --- a search across the three ------------------------------------------------
search '{"query": "LM358MKT"}'
check "search: 200" "200" "$CODE"
check "search: query echoed" "LM358MKT" "$(echo "$BODY" | jq -r .query)"
check "search: providers searched" '["digikey","mouser","nexar"]' "$(echo "$BODY" | jq -c .providers_searched)"
check "search: per provider" '[["digikey","ok",4],["mouser","ok",1],["nexar","ok",2]]' \
    "$(echo "$BODY" | jq -c '[.results_by_provider | to_entries[] | [.key, .value.status, .value.count]]')"
check "search: 7 offers" "7" "$(echo "$BODY" | jq '.results | length')"
check "search: sorted by unit price" "true" "$(echo "$BODY" | jq '[.results[].unit_price] as $p | $p == ($p | sort)')"
check "search: DigiKey cut tape offer" '["digikey","DigiKey","authorized",12000,1,"USD",84,"active",true,3]' \
    "$(echo "$BODY" | jq -c '.results[] | select(.sku == "LM358MKT-CT-ND" and .source == "digikey") | [.source, .supplier_name, .supplier_type, .stock, .moq, .currency, .lead_time_days, .lifecycle, .rohs, (.price_breaks | length)]')"
check "search: marketplace is a broker" "broker" "$(echo "$BODY" | jq -r '.results[] | select(.sku == "LM358MKT-MKT") | .supplier_type')"
check "search: reel sold in reels" "3000 3000" "$(echo "$BODY" | jq -r '.results[] | select(.sku == "LM358MKT-TR-ND") | "\(.moq) \(.order_multiple)"')"
check "search: unknown lead time is null" "null" "$(echo "$BODY" | jq -c '[.results[] | select(.supplier_name == "Chip Broker Ltd")][0].lead_time_days')"
check_contains "search: fetched_at" "T" "$(echo "$BODY" | jq -r '.results[0].fetched_at')"
# Nexar's Digi-Key offer is DigiKey's own row: the distributor's API wins
check "stored: offers by source" "digikey|4 mouser|1 nexar|1" \
    "$(sql "SELECT string_agg(source || '|' || n, ' ' ORDER BY source) FROM (SELECT source, count(*) n FROM offers WHERE mpn = 'LM358MKT' GROUP BY source) s")"
check "stored: lookups" "3" "$(sql "SELECT count(*) FROM offer_lookups WHERE mpn_key = 'LM358MKT'")"
check "stored: fetched_at set" "0" "$(sql "SELECT count(*) FROM offers WHERE mpn = 'LM358MKT' AND fetched_at < now() - interval '1 minute'")"
v1=$(sql "SELECT version FROM catalog_version")
search '{"query": "LM358MKT"}'
check "search again: DigiKey's own offers stay DigiKey's" "4" "$(sql "SELECT count(*) FROM offers WHERE mpn = 'LM358MKT' AND source = 'digikey'")"
check "search again: catalog version moves" "t" "$(sql "SELECT version > $v1 FROM catalog_version")"
check "search: one DigiKey token so far" "1" "$(mock_count digikey_token)"

search '{"query": "LM358", "manufacturer": "no such maker"}'
check "manufacturer filter" "0" "$(echo "$BODY" | jq '.results | length')"
search '{"query": "NE555", "providers": ["mouser"]}'
check "providers subset: searched" '["mouser"]' "$(echo "$BODY" | jq -c .providers_searched)"
check "providers subset: only mouser reported" '["mouser"]' "$(echo "$BODY" | jq -c '.results_by_provider | keys')"
search '{"query": "NOSUCH-1"}'
check "unknown part: no offers, all ok" "0 ok ok ok" "$(echo "$BODY" | jq -r '"\(.results | length) \(.results_by_provider.digikey.status) \(.results_by_provider.mouser.status) \(.results_by_provider.nexar.status)"')"
search '{"query": "X", "providers": ["octopart"]}'
check "unknown provider: 422" "422" "$CODE"
check_contains "unknown provider: named" "octopart" "$(detail)"
search '{"manufacturer": "TI"}'
check "missing query: 422" "422" "$CODE"
search 'not json'
check "bad body: 422" "422" "$CODE"
search '{"query": 5}'
check "query must be a string: 422" "422" "$CODE"

# --- bomctl ---------------------------------------------------------------
out=$(BOMCTL_URL=$URL BOMCTL_API_KEY=$A_KEY "$BOMCTL" search LM358MKT 2>&1); rc=$?
check "bomctl search: exit 0" "0" "$rc"
check_contains "bomctl search: table" "UNIT PRICE" "$out"
check_contains "bomctl search: a row" "LM358MKT-CT-ND" "$out"
check_contains "bomctl search: outcome" "digikey: ok, 4 offers" "$out"
out=$(BOMCTL_URL=$URL BOMCTL_API_KEY=$A_KEY "$BOMCTL" --json search LM358MKT --provider mouser 2>&1)
check "bomctl search --json --provider" '["mouser"]' "$(echo "$out" | jq -c .providers_searched)"
out=$(BOMCTL_URL=$URL BOMCTL_API_KEY=$A_KEY "$BOMCTL" search 2>&1); rc=$?
check "bomctl search without MPN: usage error" "2" "$rc"

# --- failures ----------------------------------------------------------------
# a new mock knows no token: DigiKey's is refused, refreshed and used
start_mock "mouser 500
mouser 500"
search '{"query": "BC547"}'
check "mouser down: 200 still" "200" "$CODE"
check "mouser down: failed" "failed" "$(echo "$BODY" | jq -r .results_by_provider.mouser.status)"
check_contains "mouser down: reason" "http 500" "$(echo "$BODY" | jq -r .results_by_provider.mouser.reason)"
check "mouser down: others answer" "ok ok" "$(echo "$BODY" | jq -r '"\(.results_by_provider.digikey.status) \(.results_by_provider.nexar.status)"')"
check "expired token refreshed" "1" "$(mock_count digikey_token)"
check "mouser down: nothing stored for it" "0" "$(sql "SELECT count(*) FROM offer_lookups WHERE source = 'mouser' AND mpn_key = 'BC547'")"

start_mock "digikey 429_day"
search '{"query": "BC548"}'
check "daily limit: out of budget" "out_of_budget" "$(echo "$BODY" | jq -r .results_by_provider.digikey.status)"
req "$A_KEY" GET /search/providers
check "daily limit: digikey not available" '["mouser","nexar"]' "$(echo "$BODY" | jq -c .available)"
n=$(mock_count digikey)
search '{"query": "BC549", "providers": ["digikey"]}'
check "daily limit: held, not asked" "out_of_budget $n" "$(echo "$BODY" | jq -r .results_by_provider.digikey.status) $(mock_count digikey)"

# several searches at once share one token and one budget
forget
start_mock ""
for i in 1 2 3 4; do
	curl -s -o /dev/null -H "X-API-Key: $A_KEY" -H 'Content-Type: application/json' \
	    -d "{\"query\": \"PAR$i\"}" "$URL/search/parts" &
done
wait_for 100 test "$(mock_count nexar)" -ge 4
sleep 0.5
check "concurrent searches: one DigiKey token" "1" "$(mock_count digikey_token)"
check "concurrent searches: one Nexar token" "1" "$(mock_count nexar_token)"
check "concurrent searches: every part asked" "4 4" "$(mock_count digikey) $(mock_count mouser)"
check "budget shared in redis" "1" "$(rcli --scan --pattern 'bomd:provider:digikey:*:minute' | wc -l)"

forget
start_mock "digikey 401_invalid_client"
search '{"query": "BC550"}'
check "credentials refused: failed" "failed" "$(echo "$BODY" | jq -r .results_by_provider.digikey.status)"
check_contains "credentials refused: disabled" "disabled" "$(echo "$BODY" | jq -r .results_by_provider.digikey.reason)"
search '{"query": "BC551", "providers": ["digikey"]}'
check "credentials refused: not asked again" "1" "$(mock_count digikey)"
req "$A_KEY" GET /search/providers
check "credentials refused: configured, not available" '["digikey","mouser","nexar"] ["mouser","nexar"]' \
    "$(echo "$BODY" | jq -c .configured) $(echo "$BODY" | jq -c .available)"
check "credentials refused: one loud line" "1" "$(grep -c 'digikey DISABLED' "$S/serve.log")"

# --- the flow's entry point: provider_refresh() through bomd offers fetch ------
forget
start_mock ""
out=$("$BOMD" offers fetch REFRESH1 2>>"$S/cli.err"); rc=$?
check "offers fetch: exit 0" "0" "$rc"
check "offers fetch: every source asked" "ok ok ok" "$(echo "$out" | jq -r '[.sources[].status] | join(" ")')"
check "offers fetch: trace line" "digikey: 3 offers; mouser: 1 offer; nexar: 2 offers" "$(echo "$out" | jq -r .trace)"
check "offers fetch: stored" "3 3" "$(sql "SELECT count(*) FROM offers WHERE mpn = 'REFRESH1' AND source = 'digikey'") $(sql "SELECT count(*) FROM offer_lookups WHERE mpn_key = 'REFRESH1'")"
n=$(mock_count mouser)
out=$("$BOMD" offers fetch refresh1 2>>"$S/cli.err")
check "offers fetch again: fresh, nothing asked" "skipped skipped skipped $n" "$(echo "$out" | jq -r '[.sources[].status] | join(" ")') $(mock_count mouser)"
sql "UPDATE offer_lookups SET fetched_at = now() - interval '2 days' WHERE source = 'mouser' AND mpn_key = 'REFRESH1'"
start_mock "mouser 500
mouser 500"
out=$("$BOMD" offers fetch REFRESH1 2>>"$S/cli.err")
check "offers fetch: only the stale source asked" "skipped failed skipped" "$(echo "$out" | jq -r '[.sources[].status] | join(" ")')"
check "offers fetch: the trace says why, cache used" "mouser: failed (http 500), cached offers used" "$(echo "$out" | jq -r .trace)"
check "offers fetch: cached mouser offer kept" "1" "$(sql "SELECT count(*) FROM offers WHERE mpn = 'REFRESH1' AND source = 'mouser'")"

# --- the flow: a BOM of parts no catalog has is priced from the live sources --
forget
start_mock ""
printf 'RefDes,Qty,MPN\nU1,2,FLOWPART-1\nU2,1,FLOWPART-2\nU3,1,NOSUCH-FLOW\n' > "$S/flow.csv"
r=$(curl -s -H "X-API-Key: $A_KEY" -F bom_file=@"$S/flow.csv" "$URL/projects/upload-and-process")
check "flow: job completes" "complete" "$(echo "$r" | jq -r .status)"
FP=$(echo "$r" | jq -r .project_id)
p=$(curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$FP")
check "flow: live parts priced" "true true" "$(echo "$p" | jq -r '[.line_items[0:2][] | .selected_supplier != null] | map(tostring) | join(" ")')"
check "flow: offers stored with their source" "t" "$(sql "SELECT count(*) > 0 FROM offers WHERE mpn = 'FLOWPART-1' AND source IS NOT NULL")"
check_contains "flow: unknown part says no offers" "no offers" "$(echo "$p" | jq -r '.line_items[2].final_decision.reasoning')"
check_contains "flow: trace says what each source did" "live offers for FLOWPART-1: digikey:" "$(echo "$p" | jq -r '[.trace[].message] | join(" | ")')"
# a source failing mid-run: the job still completes from what is cached
forget
sql "UPDATE offer_lookups SET fetched_at = now() - interval '2 days' WHERE mpn_key = 'FLOWPART-1'" >/dev/null
start_mock "digikey 500
digikey 500
digikey 500
mouser 500
mouser 500
mouser 500
nexar 500
nexar 500
nexar 500"
printf 'RefDes,Qty,MPN\nU1,2,FLOWPART-1\n' > "$S/flow2.csv"
r=$(curl -s -H "X-API-Key: $A_KEY" -F bom_file=@"$S/flow2.csv" "$URL/projects/upload-and-process")
check "flow, outage: job completes" "complete" "$(echo "$r" | jq -r .status)"
p=$(curl -s -H "X-API-Key: $A_KEY" "$URL/projects/$(echo "$r" | jq -r .project_id)")
check "flow, outage: priced from the cached offers" "true" "$(echo "$p" | jq '.line_items[0].selected_supplier != null')"
check_contains "flow, outage: the trace says why" "failed" "$(echo "$p" | jq -r '[.trace[] | select(.agent == "distributors") | .message] | join(" | ")')"

# --- metrics and secrets ---------------------------------------------------
m=$(curl -s "$URL/metrics")
check_contains "metrics: calls" 'bomd_provider_calls_total{provider="digikey"}' "$m"
check "metrics: calls counted" "true" "$(echo "$m" | awk '/^bomd_provider_calls_total\{provider="mouser"\}/ {print ($2 > 0)}' | sed 's/1/true/')"
check_contains "metrics: errors" 'bomd_provider_errors_total{provider="mouser"}' "$m"
check_contains "metrics: budgets" 'bomd_provider_budget_remaining{provider="nexar",window="day"}' "$m"
check "no secret in the log" "0" "$(cat "$S/serve.log" "$S/cli.err" 2>/dev/null | grep -c 'dk-client-secret\|mouser-test-key\|nx-client-secret')"
check "no contract breach at the mock" "0" "$(jq -s '[.[] | select(.contract != null)] | length' "$S/mock_all.log" "$S/mock.log" 2>/dev/null | tail -1)"

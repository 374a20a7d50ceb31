#!/bin/bash
# Decisions a purchasing engineer would sign (issue 15), on the demo board:
# every engineering check on at least one line (lifecycle, RoHS, country of
# origin, critical parts, single source, preferred manufacturers, deadline,
# budget), the per-agent decisions of every line, the report, the exact
# strategies (route, bomctl) with the suppliers' order costs, a medical and
# an over-budget project, and max_lead_time_days 30 by default but 0 when
# sent. Uses a client of its own, so its knowledge touches no other suite.
. "$(dirname "$0")/lib.sh"
set -u
cd "$ROOT"
T=$(mktemp -d "$STATE/it_decide.XXXXXX")

C=$("$BOMD" client create --name "Decide Checks" --slug "it-decide-$$" 2>&1)
CID=$(echo "$C" | jq -r .client_id)
KEY=$(echo "$C" | jq -r .api_key)
check "a client of our own" "36" "${#CID}"

# --- the offers' details reach the table ------------------------------------
check "offers keep lifecycle, RoHS, country, packaging, datasheet" \
    "obsolete|t|JP|Cut Tape|https://datasheets.example.com/ERJ-3EKF4701V.pdf" \
    "$(sql "SELECT lifecycle, rohs, country_of_origin, packaging, datasheet_url FROM offers WHERE supplier_id = 'digikey' AND mpn = 'ERJ-3EKF4701V'")"
check "an unknown RoHS is NULL" "t" \
    "$(sql "SELECT rohs IS NULL FROM offers WHERE supplier_id = 'digikey' AND mpn = 'B3U-1000P'")"
printf 'mpn,manufacturer,supplier_id,supplier_name,supplier_type,sku,stock,moq,order_multiple,lead_time_days,currency,breaks,lifecycle\nITD-1,X,itd,ITD,authorized,ITD-1,1,1,1,0,USD,1:1,dead\n' > "$T/bad.csv"
out=$("$BOMD" offers import "$T/bad.csv" 2>&1)
check_contains "a bad lifecycle is a rejected row" "bad lifecycle 'dead'" "$out"

# --- knowledge: order costs, the ban, the alternates, a blocked supplier -----
reqj "$KEY" POST /knowledge/suppliers '{"supplier_id": "digikey", "name": "DigiKey", "trust_level": "high", "order_cost": 8}'
check "supplier created with an order cost" "200 8" "$CODE $(echo "$BODY" | jq -r '.order_cost // .supplier.order_cost')"
reqj "$KEY" POST /knowledge/suppliers '{"supplier_id": "mouser", "name": "Mouser", "order_cost": "4.50"}'
check "order cost as a decimal string" "200" "$CODE"
reqj "$KEY" POST /knowledge/suppliers '{"supplier_id": "arrow", "name": "Arrow", "order_cost": -1}'
check "a negative order cost is 400" "400" "$CODE"
check_contains "400 names order_cost" "order_cost" "$(detail)"
reqj "$KEY" POST /knowledge/suppliers '{"supplier_id": "arrow", "name": "Arrow"}'
check "order cost defaults to 0" "0" "$(sql "SELECT order_cost_micros FROM supplier_knowledge WHERE client_id = '$CID' AND supplier_id = 'arrow'")"
reqj "$KEY" POST /knowledge/suppliers/mouser '{"order_cost": 5.25}'
check "update sets the order cost" "200 5250000" "$CODE $(sql "SELECT order_cost_micros FROM supplier_knowledge WHERE client_id = '$CID' AND supplier_id = 'mouser'")"
check "update keeps the rest" "Mouser medium" "$(sql "SELECT name || ' ' || trust_level FROM supplier_knowledge WHERE client_id = '$CID' AND supplier_id = 'mouser'")"
reqj "$KEY" POST /knowledge/suppliers/nobody '{"order_cost": 1}'
check "update of an unknown supplier is 404" "404 Supplier not found: nobody" "$CODE $(detail)"
reqj "$KEY" POST /knowledge/suppliers '{"supplier_id": "fastchip", "name": "FastChip", "trust_level": "blocked"}'
reqj "$KEY" POST /knowledge/parts/AMS1117-3.3/ban '{"reason": "field failures", "user": "qa"}'
reqj "$KEY" POST /knowledge/parts/AMS1117-3.3/alternates '{"alternate_mpn": "LM1117IMPX-3.3/NOPB", "reason": "qualified"}'
reqj "$KEY" POST /knowledge/parts/ERJ-3EKF4701V/alternates '{"alternate_mpn": "RC0603FR-074K7L", "reason": "same 4.7k 0603"}'
check "knowledge set" "200" "$CODE"

# --- the demo board, its deadline three weeks out ---------------------------
DL=$(date -u -d '+21 days' +%F)
sed "s/^  deadline: .*/  deadline: \"$DL\"/" tests/fixtures/demo_intake.yaml > "$T/intake.yaml"
resp=$(curl -s -H "X-API-Key: $KEY" -F bom_file=@tests/fixtures/demo_bom.csv \
    -F intake_file=@"$T/intake.yaml" "$URL/projects/upload-and-process")
P=$(echo "$resp" | jq -r .project_id)
check "the demo board completes" "complete" "$(echo "$resp" | jq -r .status)"
curl -s -H "X-API-Key: $KEY" "$URL/projects/$P" > "$T/p.json"
line() { jq -r --arg m "$1" ".line_items[] | select(.mpn == \$m) | $2" "$T/p.json"; }
flags() { line "$1" '.final_decision.output_data.flags | join(" ")'; }
has_check() {	# has_check MPN CHECK RESULT: "true" when the line has it
	line "$1" "[.final_decision.output_data.checks[] | select(.check == \"$2\" and .result == \"$3\")] | length > 0"
}

# lifecycle
check "obsolete: rejected, its active alternate bought" "rejected RC0603FR-074K7L" \
    "$(line ERJ-3EKF4701V '"\(.final_decision.status) \(.selected_mpn)"')"
check_contains "obsolete: the reason" "ERJ-3EKF4701V is obsolete according to digikey; approved alternate RC0603FR-074K7L proposed (same 4.7k 0603)" \
    "$(line ERJ-3EKF4701V .final_decision.reasoning)"
check "obsolete: the engineering decision rejects" "rejected" "$(line ERJ-3EKF4701V .engineering_decision.status)"
check "EOL without an alternate: escalated" "escalated" "$(line EEE-FK1V101P .final_decision.status)"
check_contains "EOL: the reason" "EEE-FK1V101P is at end of life (EOL) according to digikey and has no approved alternate" \
    "$(line EEE-FK1V101P .final_decision.reasoning)"
check "NRND, industrial: approved with a flag" "approved true" \
    "$(line LIS3DHTR '"\(.final_decision.status) \(.final_decision.output_data.flags | index("nrnd") != null)"')"
check "NRND: a lifecycle flag" "true" "$(has_check LIS3DHTR lifecycle flag)"
# compliance
check_contains "non-RoHS offer excluded with the reason" "not RoHS compliant (RoHS required by project)" \
    "$(line SS34 '.final_decision.output_data.excluded | map(.why) | join("; ")')"
check "non-RoHS: the line still approved" "approved digikey" "$(line SS34 '"\(.final_decision.status) \(.selected_supplier)"')"
check_contains "RoHS unknown: a flag" "rohs_unknown" "$(flags B3U-1000P)"
check "RoHS unknown: still approved" "approved" "$(line B3U-1000P .final_decision.status)"
check_contains "restricted country excludes" "country of origin CN restricted by project" \
    "$(line RC0805FR-07100KL '.final_decision.output_data.excluded | map(.why) | join("; ")')"
# critical parts
check "critical J1 without qualifying stock: escalated" "escalated" "$(line USB4105-GF-A .final_decision.status)"
check_contains "critical: the reason" "critical part (J1) not available from an authorized supplier with trust high or medium and stock covering the need" \
    "$(line USB4105-GF-A .final_decision.reasoning)"
check "critical ESP32: passes, approved" "approved true" \
    "$(line ESP32-WROOM-32E-N4 '"\(.final_decision.status) \([.final_decision.output_data.checks[] | select(.check == "critical" and .result == "pass")] | length == 1)"')"
# single source, preferred manufacturers, deadline
check "single source flagged" "true" "$(has_check LIS3DHTR single_source flag)"
check_contains "not a preferred manufacturer flagged" "not_preferred_manufacturer" "$(flags 'B2B-PH-K-S(LF)(SN)')"
check_contains "preferred maker named" "JST Sales America is not a preferred connectors manufacturer (GCT, Wurth)" \
    "$(line 'B2B-PH-K-S(LF)(SN)' .final_decision.reasoning)"
check "deadline nearer than the lead limit: escalated" "escalated" "$(line TPS2051BDBVR .final_decision.status)"
check_contains "deadline: the reason" "short by 25 units within 21 days (the deadline $DL)" \
    "$(line TPS2051BDBVR .final_decision.reasoning)"
check "counts on the board" "31 3 6" "$(jq -r '.totals | "\(.approved) \(.rejected) \(.escalated)"' "$T/p.json")"

# --- per-agent decisions -------------------------------------------------------
AGENT_KEYS='["agent_name","output_data","reasoning","references","status","timestamp"]'
check "every line has four decisions of the original's shape" "true" \
    "$(jq --argjson k "$AGENT_KEYS" '[.line_items[] | [.engineering_decision, .sourcing_decision, .finance_decision] | map(keys == $k) | all] | all' "$T/p.json")"
check "agent names" "engineering sourcing finance final_decision" \
    "$(line CP2102N-A02-GQFN28 '[.engineering_decision, .sourcing_decision, .finance_decision, .final_decision] | map(.agent_name) | join(" ")')"
check "final decision carries references and time" "true" \
    "$(jq '[.line_items[] | .final_decision | (.references | type == "array") and (.timestamp | test("^[0-9]{4}-"))] | all' "$T/p.json")"
check_contains "sourcing: runner-up and why it lost" "runner-up" "$(line CP2102N-A02-GQFN28 .sourcing_decision.reasoning)"
check_contains "finance: the budget effect" "% of the budget" "$(line CP2102N-A02-GQFN28 .finance_decision.reasoning)"
check "finance: breaks and order" "true" \
    "$(line GRM188R71C104KA01D '.finance_decision.output_data | (.breaks | length > 0) and .bought_up and .order_qty == 100')"
check "engineering escalates the critical line" "escalated" "$(line USB4105-GF-A .engineering_decision.status)"
check "the stored lines carry numbers only" "0" \
    "$(sql "SELECT count(*) FROM line_items WHERE project_id = '$P' AND (final_decision::jsonb ? 'reasoning' OR final_decision::jsonb ? 'output_data')")"

# --- the report ----------------------------------------------------------------
check "report keys" '["budget","executive_summary","follow_ups","risk_level","risks","strategies"]' "$(jq -c '.report | keys' "$T/p.json")"
check "risk level high (escalated lines)" "high" "$(jq -r .report.risk_level "$T/p.json")"
check "risks name lines and mitigations" "true" \
    "$(jq '[.report.risks[] | (.line_id | test("^L[0-9]+$")) and (.mitigation | length > 0)] | all and length > 5' "$T/p.json")"
check "the critical line's risk" "critical part without a qualified source (authorized, trust high or medium, stock covering the need)" \
    "$(jq -r '.report.risks[] | select(.mpn == "USB4105-GF-A" and (.risk | startswith("critical"))) | .risk' "$T/p.json")"
check_contains "a follow-up says a person must decide" "a person must decide" "$(jq -r '.report.follow_ups | join(" | ")' "$T/p.json")"
approved=$(jq '.totals.extended_price_micros' "$T/p.json")
check "budget: approved total and status" "$approved within" \
    "$(jq -r '.report.budget | "\(.approved_total_micros) \(.status)"' "$T/p.json")"
check "budget: used_pct" "$(jq -n "($approved * 10000 / 5000000000 | floor) / 100")" "$(jq '.report.budget.used_pct' "$T/p.json")"
check_contains "summary: counts and budget" "40 lines for 25 boards: 31 approved, 3 rejected, 6 escalated. Budget: approved lines cost" \
    "$(jq -r .report.executive_summary "$T/p.json")"
check "trace: a step for a check" "true" \
    "$(jq '[.trace[] | select(.message | test("USB4105-GF-A: critical check: escalated"))] | length == 1' "$T/p.json")"

# --- strategies ------------------------------------------------------------------
curl -s -H "X-API-Key: $KEY" "$URL/projects/$P/strategies" > "$T/s.json"
check "strategies: 2 to 4" "true" "$(jq '.strategies | length >= 2 and length <= 4' "$T/s.json")"
check "strategies: the report's" "$(jq -c .report.strategies "$T/p.json")" "$(jq -c 'del(.project_id)' "$T/s.json")"
check "lowest total first, proven" "lowest_total true" "$(jq -r '.strategies[0] | "\(.name) \(.exact)"' "$T/s.json")"
check "total = parts + order costs" "true" \
    "$(jq '[.strategies[] | .total_micros == .parts_total_micros + .order_costs_micros] | all' "$T/s.json")"
check "order costs of the suppliers used" "true" \
    "$(jq '[.strategies[] | .order_costs_micros == ([.suppliers[].order_cost_micros] | add)] | all' "$T/s.json")"
check "lowest total beats every other strategy and each line's cheapest" "true" \
    "$(jq '.strategies[0].total_micros as $t | ([.strategies[].total_micros] | min) == $t and $t <= .per_line_cheapest_total_micros' "$T/s.json")"
check "the fewest suppliers" "true" \
    "$(jq '([.strategies[].supplier_count] | min) as $m | [.strategies[] | select(.name == "fewest_suppliers")][0].supplier_count == $m' "$T/s.json")"
check "every covered line selected once" "true" \
    "$(jq '.lines_covered as $n | [.strategies[] | .selections | length == $n] | all' "$T/s.json")"
check "lines without a qualifying offer listed" "true" \
    "$(jq '[.lines_unfilled[].mpn] | index("BQ25895RTWR") != null and index("USB4105-GF-A") != null' "$T/s.json")"
check "strategies of another client's project: 404" "404" "$(code -H "X-API-Key: $A_KEY" "$URL/projects/$P/strategies")"
Q=$(curl -s -H "X-API-Key: $KEY" -F bom_file=@tests/fixtures/demo_bom.csv "$URL/projects" | jq -r .project_id)
check "strategies of an unprocessed project: 409" "409" "$(code -H "X-API-Key: $KEY" "$URL/projects/$Q/strategies")"

# --- bomctl ------------------------------------------------------------------------
ctl() { BOMCTL_URL=$URL BOMCTL_API_KEY=$KEY "$BOMCTL" "$@"; }
out=$(ctl strategies "$P" 2>&1); rc=$?
check "bomctl strategies exits 0" "0" "$rc"
check_contains "bomctl strategies: the lowest total" "Lowest total cost: " "$out"
check "bomctl strategies fits 100 columns" "0" "$(printf '%s\n' "$out" | awk '{ if (length($0) > 100) n++ } END { print n + 0 }')"
out=$(ctl show "$P" 2>&1)
check_contains "bomctl show: the summary" "summary: ESP32 environment logger rev A: 40 lines" "$out"
check_contains "bomctl show: the risk level" "risk: high" "$out"
check_contains "bomctl show: the budget" "budget: approved lines cost" "$out"
check "bomctl show fits 100 columns" "0" "$(printf '%s\n' "$out" | awk '{ if (length($0) > 100) n++ } END { print n + 0 }')"
out=$(ctl suppliers set arrow --order-cost 12.5 2>&1)
check_contains "bomctl suppliers set --order-cost" "12.5" "$(printf '%s\n' "$out" | grep '^order cost')"
out=$(ctl suppliers add itd-new --name "ITD New" --order-cost 2 2>&1)
check "bomctl suppliers add --order-cost" "2000000" "$(sql "SELECT order_cost_micros FROM supplier_knowledge WHERE client_id = '$CID' AND supplier_id = 'itd-new'")"

# --- a medical project over its budget -----------------------------------------------
sed -e 's/^  product_type: .*/  product_type: medical/' -e 's/^  budget_total: .*/  budget_total: 100/' \
    "$T/intake.yaml" > "$T/medical.yaml"
resp=$(curl -s -H "X-API-Key: $KEY" -F bom_file=@tests/fixtures/demo_bom.csv \
    -F intake_file=@"$T/medical.yaml" "$URL/projects/upload-and-process")
M=$(echo "$resp" | jq -r .project_id)
curl -s -H "X-API-Key: $KEY" "$URL/projects/$M" > "$T/m.json"
check "NRND in a medical product: escalated" "escalated" \
    "$(jq -r '.line_items[] | select(.mpn == "LIS3DHTR") | .final_decision.status' "$T/m.json")"
check "over budget: the report says so" "over high" "$(jq -r '.report | "\(.budget.status) \(.risk_level)"' "$T/m.json")"
check_contains "over budget: a person must approve" "exceed the budget by" "$(jq -r '.report.follow_ups | join(" | ")' "$T/m.json")"
check "over budget: no approved line signed by finance" "true" \
    "$(jq '[.line_items[] | select(.final_decision.status == "approved") | .finance_decision.status == "escalated"] | all and length > 0' "$T/m.json")"
check_contains "over budget: a project warning" "budget exceeded" "$(jq -r '.warnings | join(" | ")' "$T/m.json")"

# --- max_lead_time_days: 30 when silent, 0 when sent -----------------------------------
job() {	# job ID INTAKE: the project of a redis-cli job of one line
	rcli XADD bomd:jobs '*' job "$(jq -cn --arg c "$CID" --arg j "$1" --argjson i "$2" \
	    '{client_id: $c, job_id: $j, bom_csv: "RefDes,Qty,MPN\nU1,1,TPS2051BDBVR\n", intake: $i}')" >/dev/null
	wait_for 100 test "$(sql "SELECT status FROM jobs WHERE job_id = '$1'")" = complete
	sql "SELECT project_id FROM jobs WHERE job_id = '$1'"
}
# CN restricted: the part's only stock (LCSC's) does not count
J1=$(job "itd-lead-default-$$" '{"compliance": {"country_of_origin_restrictions": ["CN"]}}')
check "silent intake: 30 days, a 25-day lead approved" "approved" \
    "$(curl -s -H "X-API-Key: $KEY" "$URL/projects/$J1" | jq -r '.line_items[0].final_decision.status')"
check "silent intake: stored as 30" "30" "$(sql "SELECT context->'sourcing_constraints'->>'max_lead_time_days' FROM projects WHERE project_id = '$J1'")"
J0=$(job "itd-lead-zero-$$" '{"compliance": {"country_of_origin_restrictions": ["CN"]}, "sourcing_constraints": {"max_lead_time_days": 0}}')
check "max_lead_time_days 0: only stock, escalated" "escalated" \
    "$(curl -s -H "X-API-Key: $KEY" "$URL/projects/$J0" | jq -r '.line_items[0].final_decision.status')"

summary decide

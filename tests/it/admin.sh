#!/bin/bash
# Admin routes: tenants and keys behind X-Admin-Key; a deactivated client's
# keys stop working; key listings never show secrets. The bomd command
# line: a usage error is exit 2 with one line on stderr, the good forms work.
. "$(dirname "$0")/lib.sh"
AK=(-H "X-Admin-Key: $BOMD_ADMIN_KEY")
J=(-H 'Content-Type: application/json')

check "admin route without key is 401" "401" "$(code "$URL/admin/clients")"
check "admin route with a wrong key is 401" "401" "$(code -H 'X-Admin-Key: wrong' "$URL/admin/clients")"
check "a client key is not an admin key" "401" "$(code -H "X-API-Key: $A_KEY" "$URL/admin/clients")"

r=$(curl -s -w ' %{http_code}' "${AK[@]}" "${J[@]}" -d '{"name":"Gamma Works","wallet_address":"0xAbCdEf0123456789aBcDeF0123456789AbCdEf01"}' "$URL/admin/clients")
check "create client is 201" "201" "${r##* }"
body=${r% *}
G_ID=$(echo "$body" | jq -r .client_id)
G_KEY=$(echo "$body" | jq -r .api_key)
check "create client answers id, key and slug" "gamma-works" "$(echo "$body" | jq -r .slug)"
check "new client's key works" "200" "$(code -H "X-API-Key: $G_KEY" "$URL/projects")"
check "bad wallet is 400" "400" "$(code "${AK[@]}" "${J[@]}" -d '{"name":"Bad","wallet_address":"0x12"}' "$URL/admin/clients")"
check "missing name is 422" "422" "$(code "${AK[@]}" "${J[@]}" -d '{"slug":"x"}' "$URL/admin/clients")"
check "malformed JSON is 422" "422" "$(code "${AK[@]}" "${J[@]}" -d '{"name":' "$URL/admin/clients")"
check "duplicate slug is 409" "409" "$(code "${AK[@]}" "${J[@]}" -d '{"name":"Gamma Works"}' "$URL/admin/clients")"
check "list clients includes it" "1" "$(curl -s "${AK[@]}" "$URL/admin/clients" | jq --arg g "$G_ID" '[.[] | select(.client_id == $g)] | length')"
check "get client" "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01" "$(curl -s "${AK[@]}" "$URL/admin/clients/$G_ID" | jq -r .wallet_address)"
check "unknown client is 404" "404" "$(code "${AK[@]}" "$URL/admin/clients/00000000-0000-4000-8000-000000000001")"

r=$(curl -s -w ' %{http_code}' "${AK[@]}" "${J[@]}" -d "{\"client_id\":\"$G_ID\",\"name\":\"second\"}" "$URL/admin/api-keys")
check "create key is 201" "201" "${r##* }"
K2_ID=$(echo "${r% *}" | jq -r .key_id)
K2=$(echo "${r% *}" | jq -r .api_key)
check "second key works" "200" "$(code -H "X-API-Key: $K2" "$URL/projects")"
keys=$(curl -s "${AK[@]}" "$URL/admin/api-keys?client_id=$G_ID")
check "key list has both keys" "2" "$(echo "$keys" | jq length)"
check_contains "key list never shows secrets" "false" "$(echo "$keys" | jq -c "[.[] | tostring | contains(\"$K2\")] | any")"
check "key for unknown client is 404" "404" "$(code "${AK[@]}" "${J[@]}" -d '{"client_id":"00000000-0000-4000-8000-000000000001"}' "$URL/admin/api-keys")"
check "revoke key" "$K2_ID" "$(curl -s -X POST "${AK[@]}" "$URL/admin/api-keys/$K2_ID/revoke" | jq -r .revoked)"
check "revoked key is 401" "401" "$(code -H "X-API-Key: $K2" "$URL/projects")"
check "revoke unknown key is 404" "404" "$(code -X POST "${AK[@]}" "$URL/admin/api-keys/00000000-0000-4000-8000-000000000001/revoke")"

check "deactivate client" "false" "$(curl -s -X POST "${AK[@]}" "$URL/admin/clients/$G_ID/deactivate" | jq .active)"
check "inactive client's key is 401" "401" "$(code -H "X-API-Key: $G_KEY" "$URL/projects")"
# a redis-cli job for an inactive client is rejected, not written
rcli XADD bomd:jobs '*' job "{\"client_id\":\"$G_ID\",\"job_id\":\"inactive-1\",\"bom_csv\":\"MPN\\nRC0805FR-0710KL\\n\"}" >/dev/null
wait_for 100 test "$(sql "SELECT count(*) FROM rejected_jobs WHERE client_ref = '$G_ID'")" = 1
check "inactive client's job is rejected" "1" "$(sql "SELECT count(*) FROM rejected_jobs WHERE client_ref = '$G_ID'")"
check "inactive client's job writes nothing" "0" "$(sql "SELECT count(*) FROM jobs WHERE client_id = '$G_ID'")"
check "activate client" "true" "$(curl -s -X POST "${AK[@]}" "$URL/admin/clients/$G_ID/activate" | jq .active)"
check "reactivated client's key works" "200" "$(code -H "X-API-Key: $G_KEY" "$URL/projects")"
check "wrong method is 405" "405" "$(code -X DELETE "${AK[@]}" "$URL/admin/clients")"

# --- the bomd command line --------------------------------------------------
# usage NAME ARGS...: bomd ARGS is exit 2 with one line on stderr
usage() {
	local name=$1 err rc
	shift
	err=$("$BOMD" "$@" 2>&1 >/dev/null); rc=$?
	check "$name is exit 2" "2" "$rc"
	check "$name is one line on stderr" "1" "$(printf '%s\n' "$err" | grep -c .)"
}
WALLET=$(printf '0x%040x' "$$$RANDOM")
usage "misspelt option" client create --name "Typo Co" --wallte "$WALLET"
check "misspelt option creates nothing" "0" "$(sql "SELECT count(*) FROM clients WHERE name = 'Typo Co'")"
check_contains "misspelt option is named" "'--wallte'" "$("$BOMD" client create --name "Typo Co" --wallte "$WALLET" 2>&1)"
usage "missing value" client create --name
usage "missing value of a global option" -c
usage "missing required option" key create --name x
usage "unknown subcommand" client delete
usage "missing subcommand" key
usage "unknown command" frobnicate
usage "unknown global option" --frob migrate
usage "extra argument" key revoke 00000000-0000-4000-8000-000000000001 more
usage "missing argument" offers import
usage "bad --role" serve --role boss
usage "bad --workers" serve --workers 0
usage "no command"

out=$("$BOMD" client create --name "CLI Good" --slug "cli-good-$$" --wallet "$WALLET"); rc=$?
check "client create with every option is exit 0" "0" "$rc"
check "it prints client_id and api_key" '["api_key","client_id"]' "$(echo "$out" | jq -c keys)"
CG_ID=$(echo "$out" | jq -r .client_id)
check "its slug and wallet are stored" "cli-good-$$ $WALLET" "$(sql "SELECT slug || ' ' || wallet_address FROM clients WHERE client_id = '$CG_ID'")"
out=$("$BOMD" key create --client "$CG_ID" --name cli-second); rc=$?
check "key create is exit 0" "0" "$rc"
CK_ID=$(echo "$out" | jq -r .key_id)
check "key create names the key" "cli-second" "$(sql "SELECT name FROM api_keys WHERE key_id = '$CK_ID'")"
check "key revoke" "revoked $CK_ID" "$("$BOMD" key revoke "$CK_ID")"
"$BOMD" key revoke 00000000-0000-4000-8000-000000000001 2>/dev/null
check "revoke of an unknown key is exit 1" "1" "$?"
check "migrate" "schema is current" "$("$BOMD" migrate)"
check "-n checks the configuration" "configuration OK" "$("$BOMD" -n)"
check "--version" "bomd " "$("$BOMD" --version | cut -c1-5)"
help=$("$BOMD" --help); rc=$?
check "--help is exit 0" "0" "$rc"
missing=""
for w in serve migrate "client create" "key create" "key revoke" "offers import" --role --workers --name --slug --wallet --client -c -n --version; do
	case $help in *"$w"*) ;; *) missing="$missing $w" ;; esac
done
check "--help names every command and option" "" "$missing"
# its own supplier and MPN, so other suites' offers are untouched
out=$(printf '%s\n' "mpn,manufacturer,supplier_id,supplier_name,supplier_type,sku,stock,moq,order_multiple,lead_time_days,currency,breaks" \
    "IADM-CLI-1,AdmTest,itadm-dist,ITAdm Dist,authorized,ITADM-1,5,1,1,3,USD,1:0.25" |
    "$BOMD" offers import - 2>/dev/null)
check "offers import reads stdin" "imported 1 offers, 0 rows rejected" "$out"
# serve refuses a database that is not migrated: its children are forked
# at once but wait at the start gate, and go with the master
sql "DROP DATABASE IF EXISTS bomd_unmigrated" >/dev/null 2>&1
sql "CREATE DATABASE bomd_unmigrated" >/dev/null
out=$(BOMD_DATABASE_URL="postgresql:///bomd_unmigrated?host=$BOMD_TEST_PG_HOST&port=$BOMD_TEST_PG_PORT&user=postgres" \
    BOMD_LOG_LEVEL=info timeout 30 "$BOMD" serve --role worker --workers 2 2>&1)
rc=$?
check "serve on an unmigrated database exits 1" "1" "$rc"
check_contains "and says why" "database schema is not current: run bomd migrate" "$out"
check "no worker ran against it" "" "$(echo "$out" | grep -i 'worker [0-9]:')"
sql "DROP DATABASE bomd_unmigrated" >/dev/null 2>&1

summary admin

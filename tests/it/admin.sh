#!/bin/bash
# Admin routes: tenants and keys behind X-Admin-Key; a deactivated client's
# keys stop working; key listings never show secrets.
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
summary admin

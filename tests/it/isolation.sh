#!/bin/bash
# The tenant-isolation matrix: client B's key against each of client A's
# resources, route by route, gets 404 and changes nothing of A's (A's rows
# are fingerprinted before and after).
. "$(dirname "$0")/lib.sh"
HA=(-H "X-API-Key: $A_KEY")
HB=(-H "X-API-Key: $B_KEY")
J=(-H 'Content-Type: application/json')

r=$(curl -s "${HA[@]}" -F bom_file=@"$ROOT/tests/fixtures/demo_bom.csv" "$URL/projects/upload-and-process")
P=$(echo "$r" | jq -r .project_id)
JOB=$(echo "$r" | jq -r .job_id)
curl -s "${HA[@]}" "${J[@]}" -d '{"reason":"iso test","user":"a"}' "$URL/knowledge/parts/ISO-PART-1/ban" >/dev/null
curl -s "${HA[@]}" "${J[@]}" -d '{"supplier_id":"iso-sup-1","name":"Iso Supplier","trust_level":"high"}' "$URL/knowledge/suppliers" >/dev/null

fingerprint() {
	sql "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
	    SELECT 'p' || row(p.*)::text t FROM projects p WHERE client_id = '$A_ID'
	    UNION ALL SELECT 'l' || row(l.*)::text FROM line_items l WHERE client_id = '$A_ID'
	    UNION ALL SELECT 't' || count(*)::text FROM trace_steps WHERE client_id = '$A_ID'
	    UNION ALL SELECT 'j' || row(j.job_id, j.status, j.attempts, j.error)::text FROM jobs j WHERE client_id = '$A_ID'
	    UNION ALL SELECT 'k' || row(k.*)::text FROM part_knowledge k WHERE client_id = '$A_ID'
	    UNION ALL SELECT 's' || row(s.*)::text FROM supplier_knowledge s WHERE client_id = '$A_ID'
	    UNION ALL SELECT 'a' || row(a.key_id, a.revoked_at)::text FROM api_keys a WHERE client_id = '$A_ID') x"
}
before=$(fingerprint)
while IFS='|' read -r method path body; do
	args=(-X "$method" --max-time 10 "${HB[@]}")
	[ -n "$body" ] && args+=("${J[@]}" -d "$body")
	check "B: $method $path is 404" "404" "$(code "${args[@]}" "$URL$path")"
done <<ROUTES
GET|/projects/$P|
GET|/projects/$P/trace|
GET|/projects/$P/events|
POST|/projects/$P/process|
DELETE|/projects/$P|
GET|/jobs/$JOB|
POST|/jobs/$JOB/retry|
GET|/knowledge/parts/ISO-PART-1|
GET|/knowledge/parts/ISO-PART-1/alternates|
POST|/knowledge/parts/ISO-PART-1/unban|{"user":"b"}
GET|/knowledge/suppliers/iso-sup-1|
POST|/knowledge/suppliers/iso-sup-1/trust|{"trust_level":"blocked"}
ROUTES
check "B's project list has none of A's" "0" "$(curl -s "${HB[@]}" "$URL/projects?limit=1000" | jq --arg p "$P" '[.[] | select(.project_id == $p)] | length')"
check "B's job list has none of A's" "0" "$(curl -s "${HB[@]}" "$URL/jobs?limit=1000" | jq --arg j "$JOB" '[.[]? | select(.job_id == $j)] | length')"
check "B's part list has none of A's" "0" "$(curl -s "${HB[@]}" "$URL/knowledge/parts?limit=1000" | jq '[.[] | select(.mpn == "ISO-PART-1")] | length')"
check "B's supplier list has none of A's" "0" "$(curl -s "${HB[@]}" "$URL/knowledge/suppliers?limit=1000" | jq '[.[] | select(.supplier_id == "iso-sup-1")] | length')"
chat=$(curl -s "${HB[@]}" "${J[@]}" -d "{\"model\":\"bom-agent\",\"messages\":[{\"role\":\"user\",\"content\":\"What is in project $P?\"}]}" "$URL/v1/chat/completions" | jq -r '.choices[0].message.content')
check "B's chat says nothing of A's project" "0" "$(echo "$chat" | grep -c 'LM358DR\|ESP32-WROOM')"
# B writing knowledge under the same names makes B's own rows, never A's
curl -s "${HB[@]}" "${J[@]}" -d '{"reason":"b side","user":"b"}' "$URL/knowledge/parts/ISO-PART-1/ban" >/dev/null
curl -s "${HB[@]}" "${J[@]}" -d '{"supplier_id":"iso-sup-1","name":"B Iso","trust_level":"low"}' "$URL/knowledge/suppliers" >/dev/null
after=$(fingerprint)
check "nothing of A's changed" "$before" "$after"
check "A still sees its project" "200" "$(code "${HA[@]}" "$URL/projects/$P")"
check "A's ban reason untouched" "iso test" "$(curl -s "${HA[@]}" "$URL/knowledge/parts/ISO-PART-1" | jq -r .ban_reason)"
check "A's supplier trust untouched" "high" "$(curl -s "${HA[@]}" "$URL/knowledge/suppliers/iso-sup-1" | jq -r .trust_level)"
sql "DELETE FROM part_knowledge WHERE mpn = 'ISO-PART-1'; DELETE FROM supplier_knowledge WHERE supplier_id = 'iso-sup-1'" >/dev/null
summary isolation

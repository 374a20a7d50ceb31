#!/bin/bash
# Per-key rate limiting: a token bucket in Redis, shared by every API
# process; over the limit → 429 with Retry-After. Runs two API-only
# daemons of its own (rate 1/s, burst 3) beside the shared one.
. "$(dirname "$0")/lib.sh"
P1=$(free_port)
P2=$(free_port)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}
trap cleanup EXIT
for p in $P1 $P2; do
	BOMD_LISTEN=127.0.0.1:$p BOMD_RATE_LIMIT=1 BOMD_RATE_BURST=3 \
	    "$BOMD" serve --role api > "$STATE/ratelimit-$p.log" 2>&1 &
	PIDS+=($!)
done
wait_for 300 curl -sf "http://127.0.0.1:$P1/health" -o /dev/null
wait_for 300 curl -sf "http://127.0.0.1:$P2/health" -o /dev/null
KEY=$("$BOMD" key create --client "$A_ID" --name ratelimit | jq -r .api_key)
H=(-H "X-API-Key: $KEY")
c1=$(code "${H[@]}" "http://127.0.0.1:$P1/projects?limit=1")
c2=$(code "${H[@]}" "http://127.0.0.1:$P1/projects?limit=1")
c3=$(code "${H[@]}" "http://127.0.0.1:$P2/projects?limit=1")
check "burst of 3 allowed across two API processes" "200 200 200" "$c1 $c2 $c3"
r=$(curl -s -D "$STATE/rl.h" -w ' %{http_code}' "${H[@]}" "http://127.0.0.1:$P2/projects?limit=1")
check "the 4th request is 429" "429" "${r##* }"
check_contains "429 detail" "Rate limit exceeded" "${r% *}"
ra=$(grep -i '^retry-after:' "$STATE/rl.h" | tr -dc '0-9')
check "Retry-After is at least 1 s" "yes" "$([ "${ra:-0}" -ge 1 ] && echo yes || echo no)"
check "another key has its own bucket" "200" "$(code -H "X-API-Key: $B_KEY" "http://127.0.0.1:$P1/projects?limit=1")"
check "a limited bad key is still 401, not 429" "401" "$(code -H 'X-API-Key: bk_bad' "http://127.0.0.1:$P1/projects")"
summary ratelimit

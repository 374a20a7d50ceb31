#!/bin/bash
# The auth chain end to end: JWTs from each client's own OIDC issuer (the
# mock issuer, keys made here with openssl) beside API keys and their
# scopes, and x402 payments through the mock facilitator, with every
# attack of issue 17. Starts its own Redis, PostgreSQL, mocks and daemon,
# and stops them by PID.
. "$(dirname "$0")/lib.sh"
set -u
TOOLS=$ROOT/build/asan/tests/tools
cd "$ROOT" || exit 1
S=$(mktemp -d "${STATE:-/tmp}/it_auth.XXXXXX")
SERVE_PID=""
mock_oidc_PID=""
mock_x402_PID=""

cleanup() {
	stop_pid SERVE_PID
	stop_pid mock_oidc_PID
	stop_pid mock_x402_PID
	own_services_stop "$S" "$S/serve.log"
	rm -rf "$S"
}
trap cleanup EXIT

# start_mock NAME ARGS...: a mock on a free port: NAME_PID and NAME_PORT
start_mock() {
	local name=$1
	shift
	"$TOOLS/$name" "$@" > "$S/$name.out" 2>&1 &
	printf -v "${name}_PID" '%s' $!
	wait_for 100 grep -q '^port=' "$S/$name.out" || return 1
	printf -v "${name}_PORT" '%s' "$(sed -n 's/^port=//p' "$S/$name.out")"
}

own_services auth "$S" || { summary auth; exit 1; }
"$BOMD" migrate >/dev/null 2>&1 || bad "auth: migrate"

# --- the mock issuer: keys made now ------------------------------------------
mkdir -p "$S/keys" "$S/spare"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$S/keys/rs1.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$S/keys/ec1.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$S/spare/rs2.pem" 2>/dev/null
openssl pkey -in "$S/keys/rs1.pem" -pubout -out "$S/spare/rs1.pub" 2>/dev/null
start_mock mock_oidc serve --keys "$S/keys" --log "$S/oidc.log" || bad "mock issuer starts"
OIDC=http://127.0.0.1:$mock_oidc_PORT
# the mock facilitator: slow answers take 3 s, the daemon waits 1 s
start_mock mock_x402 --log "$S/x402.log" --hang-ms 3000 || bad "mock facilitator starts"
XURL=http://127.0.0.1:$mock_x402_PORT

LPORT=$(free_port)
URL=http://127.0.0.1:$LPORT
PAY_TO=0x209693Bc6afc0C5328bA36FaF03C514EF312287C
ASSET=0x036CbD53842c5426634e7929541eC2318f3dCF7e
export BOMD_LISTEN=127.0.0.1:$LPORT BOMD_SYNC_WAIT=30 BOMD_LOG_LEVEL=info
export BOMD_RATE_LIMIT=0 BOMD_OIDC_LOOPBACK_HTTP=true
export BOMD_OIDC_JWKS_TTL_SECONDS=3 BOMD_OIDC_JWKS_REFETCH_SECONDS=2
export BOMD_OIDC_JWKS_STALE_SECONDS=4
export BOMD_X402_ENABLED=true BOMD_X402_FACILITATOR_URL=$XURL
export BOMD_X402_ASSET=$ASSET BOMD_X402_PAY_TO=$PAY_TO BOMD_X402_PRICE='$0.05'
export BOMD_X402_VERIFY_TIMEOUT_MS=1000 BOMD_X402_SETTLE_TIMEOUT_MS=1000
export BOMD_ADMIN_KEY=auth-admin-key-0123456789abcdef

# --- clients: A and B with their own issuers (command line and API) ---------
A=$("$BOMD" client create --name "Auth A" --oidc-issuer "$OIDC/a" --oidc-audience bomd-a 2>&1)
A_ID=$(echo "$A" | jq -r .client_id); A_KEY=$(echo "$A" | jq -r .api_key)
check "client create with an OIDC issuer" "$OIDC/a bomd-a" "$(sql "SELECT oidc_issuer || ' ' || oidc_audience FROM clients WHERE client_id = '$A_ID'")"
out=$("$BOMD" client create --name "Half" --oidc-issuer "$OIDC/h" 2>&1); rc=$?
check "an issuer without its audience is refused" "1" "$rc"
check_contains "the refusal names both" "oidc_issuer and oidc_audience" "$out"
out=$(BOMD_OIDC_LOOPBACK_HTTP=false "$BOMD" client create --name "Plain" --oidc-issuer "$OIDC/p" --oidc-audience x 2>&1); rc=$?
check "a plain http issuer is refused outside tests" "1" "$rc"
check_contains "it must be https" "https://" "$out"
out=$("$BOMD" client create --name "Again A" --oidc-issuer "$OIDC/a" --oidc-audience other 2>&1); rc=$?
check "one issuer belongs to one client" "1" "$rc"
"$BOMD" offers import tests/fixtures/offers_demo.csv >/dev/null 2>&1

start_bomd "$S/serve.log" "$URL" --workers 1 || bad "daemon starts"

AK=(-H "X-Admin-Key: $BOMD_ADMIN_KEY")
J=(-H 'Content-Type: application/json')
B=$(curl -s "${AK[@]}" "${J[@]}" -d "{\"name\":\"Auth B\",\"oidc_issuer\":\"$OIDC/b\",\"oidc_audience\":\"bomd-b\"}" "$URL/admin/clients")
B_ID=$(echo "$B" | jq -r .client_id); B_KEY=$(echo "$B" | jq -r .api_key)
check "admin route makes a client with an issuer" "$OIDC/b bomd-b" "$(curl -s "${AK[@]}" "$URL/admin/clients/$B_ID" | jq -r '"\(.oidc_issuer) \(.oidc_audience)"')"
check "admin route refuses a half issuer" "400" "$(code "${AK[@]}" "${J[@]}" -d '{"name":"half","oidc_issuer":"https://id.example.com"}' "$URL/admin/clients")"
C=$(curl -s "${AK[@]}" "${J[@]}" -d "{\"name\":\"Auth C\",\"oidc_issuer\":\"$OIDC/c\",\"oidc_audience\":\"bomd-c\"}" "$URL/admin/clients")
C_ID=$(echo "$C" | jq -r .client_id)

printf 'RefDes,Qty,MPN\nR1,2,RC0805FR-07100KL\nC1,1,CL21B104KBCNNNC\n' > "$S/bom.csv"
upload() {	# upload CURL_ARGS...: sets CODE and BODY
	local out
	out=$(curl -s -w '\n%{http_code}' -F bom_file=@"$S/bom.csv" "$@" "$URL/projects/upload-and-process")
	CODE=${out##*$'\n'}
	BODY=${out%$'\n'*}
}
upload -H "X-API-Key: $A_KEY"
PA=$(echo "$BODY" | jq -r .project_id)
check "A's project (a key of scope all)" "complete" "$(echo "$BODY" | jq -r .status)"
upload -H "X-API-Key: $B_KEY"
PB=$(echo "$BODY" | jq -r .project_id)

# --- JWTs ----------------------------------------------------------------
# claims ISS AUD SCOPE [EXP_OFFSET [NBF_OFFSET]]: a claims set, times from
# now; AUD a string or a JSON list
claims() {
	local aud=$2
	[ "${aud:0:1}" = "[" ] || aud="\"$aud\""
	jq -cn --arg iss "$1" --argjson aud "$aud" --arg sc "$3" --argjson e "${4:-300}" \
	    --argjson n "${5:-0}" '(now | floor) as $t | {iss: $iss, aud: $aud,
	    sub: "user-7", scope: $sc, iat: $t, nbf: ($t + $n), exp: ($t + $e)}'
}
mint() { "$TOOLS/mock_oidc" mint "$@"; }
breq() {	# breq TOKEN METHOD PATH [curl args]: sets CODE and BODY
	local tok=$1 method=$2 path=$3 out
	shift 3
	out=$(curl -s -w '\n%{http_code}' -X "$method" -H "Authorization: Bearer $tok" "$@" "$URL$path")
	CODE=${out##*$'\n'}
	BODY=${out%$'\n'*}
}
stats() { curl -s "$OIDC/control/stats" | jq -r '"\(.discovery) \(.jwks)"'; }

T=$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/a" bomd-a "openid read")")
breq "$T" GET "/projects/$PA"
check "RS256: A's token reads A's project" "200 $PA" "$CODE $(echo "$BODY" | jq -r .project_id)"
breq "$T" GET /projects
check "RS256: a read token lists" "200" "$CODE"
breq "$T" POST /projects -F bom_file=@"$S/bom.csv"
check "a read token cannot write: 403" "403" "$CODE"
check "the 403 names the scope" "Missing required scope: all" "$(detail)"
breq "$T" GET "/projects/$PB"
check "A's token on B's project: 404" "404" "$CODE"
breq "$T" GET /admin/clients
check "a JWT never reaches admin routes" "401" "$CODE"
T=$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/a" bomd-a "admin read")")
breq "$T" GET /clients
check "a JWT's admin scope is dropped: its own client only" "200 $A_ID" "$CODE $(echo "$BODY" | jq -r '[.[].client_id] | join(" ")')"
breq "$T" POST /clients -H 'Content-Type: application/json' -d '{"name":"evil","slug":"evil"}'
check "a JWT cannot make clients" "403" "$CODE"
check "a JWT sent as X-API-Key is no key" "401" "$(code -H "X-API-Key: $T" "$URL/projects")"

T=$(mint --key "$S/keys/ec1.pem" --kid ec1 "$(claims "$OIDC/a" '["other","bomd-a"]' "profile all")")
breq "$T" POST /projects/upload-and-process -F bom_file=@"$S/bom.csv"
check "ES256 with aud as a list: an upload with scope all" "200 complete" "$CODE $(echo "$BODY" | jq -r .status)"
check "the JWT's project is A's" "$A_ID" "$(sql "SELECT client_id FROM projects WHERE project_id = '$(echo "$BODY" | jq -r .project_id)'")"

T=$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/a" bomd-a "openid email")")
breq "$T" GET /projects
check "a token without a scope bomd knows: 403" "403 Missing required scope: read" "$CODE $(detail)"
T=$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/b" bomd-b "all")")
breq "$T" GET "/projects/$PA"
check "B's token on A's project: 404" "404" "$CODE"
breq "$T" GET "/projects/$PB"
check "B's token on B's project: 200" "200" "$CODE"

# attacks: every one is 401
attack() {	# attack NAME TOKEN
	breq "$2" GET /projects
	check "$1: 401" "401" "$CODE"
}
attack "expired" "$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/a" bomd-a read -120)")"
attack "not yet valid" "$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/a" bomd-a read 600 300)")"
attack "wrong audience" "$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/a" bomd-b read)")"
attack "alg none" "$(mint --alg none "$(claims "$OIDC/a" bomd-a all)")"
attack "HS256 signed with the RSA public key" "$(mint --alg HS256 --key "$S/spare/rs1.pub" --kid rs1 "$(claims "$OIDC/a" bomd-a all)")"
attack "tampered payload" "$(mint --key "$S/keys/rs1.pem" --kid rs1 --tamper "$(claims "$OIDC/a" bomd-a read)")"
attack "B's issuer with A's audience" "$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/b" bomd-a all)")"
before=$(stats)
attack "wrong issuer" "$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/nobody" bomd-a all)")"
check "an unknown issuer: refused unfetched" "Invalid token: unknown issuer" "$(detail)"
attack "an issuer differing in a trailing slash" "$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/a/" bomd-a all)")"
check "no request reached an issuer" "$before" "$(stats)"
sql "UPDATE clients SET active = false WHERE client_id = '$B_ID'" >/dev/null
attack "a deactivated client's token" "$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/b" bomd-b all)")"
sql "UPDATE clients SET active = true WHERE client_id = '$B_ID'" >/dev/null

# unknown kid, then rotation (issuer c: keys fetched now)
# both tokens minted first: the refetch period (2 s) must not run out
# while a loaded machine starts mock_oidc between the requests
T=$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/c" bomd-c read)")
T2=$(mint --key "$S/spare/rs2.pem" --kid rs2 "$(claims "$OIDC/c" bomd-c read)")
breq "$T" GET /projects
check "issuer c: fetched on first use" "200" "$CODE"
before=$(stats)
for _ in 1 2 3 4 5; do breq "$T2" GET /projects; done
check "unknown kid: 401" "401" "$CODE"
check "unknown kids within the refetch period fetch nothing" "$before" "$(stats)"
cp "$S/spare/rs2.pem" "$S/keys/rs2.pem"
sleep 2.2
breq "$T2" GET /projects
check "after a rotation the new kid verifies (one refetch)" "200" "$CODE"
n0=$(stats | cut -d' ' -f2)
for _ in 1 2 3; do breq "$(mint --key "$S/keys/rs1.pem" --kid nope "$(claims "$OIDC/c" bomd-c read)")" GET /projects; done
n1=$(stats | cut -d' ' -f2)
check "a burst of unknown kids: at most one refetch" "true" "$([ $((n1 - n0)) -le 1 ] && echo true || echo "$n0 -> $n1")"

# key set fetches fail: the cached keys serve until TTL + stale (3 + 4 s)
T=$(mint --key "$S/keys/rs1.pem" --kid rs1 "$(claims "$OIDC/c" bomd-c read)")
breq "$T" GET /projects
curl -s -X POST "$OIDC/control?fail_jwks=-1" >/dev/null
sleep 3.2
breq "$T" GET /projects
check "JWKS fetch failure: cached keys still verify" "200" "$CODE"
check "the failed fetch was tried" "true" "$(curl -s "$OIDC/control/stats" | jq '.jwks_failed > 0')"
sleep 4.5
breq "$T" GET /projects
check "past TTL + stale without a fetch: 503" "503" "$CODE"
curl -s -X POST "$OIDC/control?fail_jwks=0" >/dev/null
sleep 2.2
breq "$T" GET /projects
check "the issuer back: verified again" "200" "$CODE"

# --- API key scopes --------------------------------------------------------
RK=$("$BOMD" key create --client "$A_ID" --name reader --scope read | jq -r .api_key)
req "$RK" GET "/projects/$PA"
check "a read key reads" "200" "$CODE"
req "$RK" DELETE "/projects/$PA"
check "a read key cannot delete" "403 Missing required scope: all" "$CODE $(detail)"
PK=$("$BOMD" key create --client "$A_ID" --name proj --scope "project:$PA" | jq -r .api_key)
req "$PK" GET "/projects/$PA/trace"
check "a project key reads its project's trace" "200" "$CODE"
req "$PK" GET "/projects/$PB"
check "a project key on another client's project: 404" "404" "$CODE"
check "key scopes are listed" '["project:'"$PA"'"]' "$(curl -s "${AK[@]}" "$URL/admin/api-keys?client_id=$A_ID" | jq -c '[.[] | select(.name == "proj")][0].scopes')"
out=$("$BOMD" key create --client "$A_ID" --scope superuser 2>&1); rc=$?
check "an unknown scope is refused" "1" "$rc"
check_contains "the refusal names it" "superuser" "$out"
SK=$(curl -s "${AK[@]}" "${J[@]}" -d "{\"client_id\":\"$A_ID\",\"name\":\"scoped\",\"scopes\":[\"read\"]}" "$URL/admin/api-keys" | jq -r .key_id)
check "admin route makes a scoped key" '["read"]' "$(curl -s "${AK[@]}" "$URL/admin/api-keys?client_id=$A_ID" | jq -c --arg k "$SK" '[.[] | select(.key_id == $k)][0].scopes')"

# --- x402 ------------------------------------------------------------------
SEQ=0
# nonce: a new authorization nonce in N
nonce() { SEQ=$((SEQ + 1)); printf -v N '0x%016x%048x' "$(date +%s)" "$SEQ"; }
SIG=0x$(printf 'ab%.0s' $(seq 1 65))
# pay FROM NONCE [VALUE [VALID_BEFORE]]: an X-PAYMENT header
pay() {
	jq -cn --arg f "$1" --arg n "$2" --arg v "${3:-50000}" \
	    --arg b "${4:-$(( $(date +%s) + 60 ))}" --arg to "$PAY_TO" --arg s "$SIG" \
	    '{x402Version: 1, scheme: "exact", network: "base-sepolia",
	    payload: {signature: $s, authorization: {from: $f, to: $to,
	    value: $v, validAfter: "0", validBefore: $b, nonce: $n}}}' | base64 -w0
}
script() { curl -s -X POST --data-binary "$1" "$XURL/control/script" >/dev/null; }
calls() {	# calls PATH NONCE: facilitator requests for the nonce
	jq -s --arg p "$1" --arg n "$2" '[.[] | select(.path == $p and .nonce == $n)] | length' "$S/x402.log"
}
projects_of() { sql "SELECT count(*) FROM projects p JOIN clients c USING (client_id) WHERE c.wallet_address = '$1'"; }

upload
check "no credentials, no payment: 402" "402" "$CODE"
check "the 402 body" '[1,"X-PAYMENT header is required",1]' "$(echo "$BODY" | jq -c '[.x402Version, .error, (.accepts | length)]')"
check "PaymentRequirements fields" '["asset","description","extra","maxAmountRequired","maxTimeoutSeconds","mimeType","network","payTo","resource","scheme"]' "$(echo "$BODY" | jq -c '.accepts[0] | keys')"
check "PaymentRequirements values" "exact base-sepolia 50000 $URL/projects/upload-and-process $PAY_TO 60 $ASSET USDC 2 application/json" \
    "$(echo "$BODY" | jq -r '.accepts[0] | "\(.scheme) \(.network) \(.maxAmountRequired) \(.resource) \(.payTo) \(.maxTimeoutSeconds) \(.asset) \(.extra.name) \(.extra.version) \(.mimeType)"')"
check "a route that is not payable stays 401" "401" "$(code "$URL/projects")"

W1=0x857B06519E91e3A54538791bDbb0E22373e36b66
w1=${W1,,}
nonce; N1=$N
P1HDR=$(pay "$W1" "$N1")
upload -D "$S/h1" -H "X-PAYMENT: $P1HDR"
check "a valid payment: 200 and the job's outcome" "200 complete" "$CODE $(echo "$BODY" | jq -r .status)"
X1=$(echo "$BODY" | jq -r .project_id)
TOK=$(echo "$BODY" | jq -r .project_token)
check_contains "the answer carries a pbom_sk_ project token" "pbom_sk_" "$TOK"
xpr=$(grep -i '^X-PAYMENT-RESPONSE:' "$S/h1" | cut -d' ' -f2 | tr -d '\r')
check "X-PAYMENT-RESPONSE is the settlement, base64" "true $N1" "$(echo "$xpr" | base64 -d | jq -r '"\(.success) \(.transaction)"')"
check_contains "the header is exposed to browsers" "X-PAYMENT-RESPONSE" "$(grep -i '^Access-Control-Expose-Headers:' "$S/h1")"
check "verified once, settled once" "1 1" "$(calls /verify "$N1") $(calls /settle "$N1")"
check "the wallet's client, lower-cased" "1" "$(sql "SELECT count(*) FROM clients WHERE wallet_address = '$w1'")"
W1_ID=$(sql "SELECT client_id FROM clients WHERE wallet_address = '$w1'")
check "the project is the wallet's" "$W1_ID" "$(sql "SELECT client_id FROM projects WHERE project_id = '$X1'")"
check "the token's one scope" "{project:$X1}" "$(sql "SELECT scopes FROM api_keys WHERE client_id = '$W1_ID'")"

# the project token's reach
req "$TOK" GET "/projects/$X1"
check "token: reads its project" "200 $X1" "$CODE $(echo "$BODY" | jq -r .project_id)"
breq "$TOK" GET "/projects/$X1/trace"
check "token as Bearer: traces its project" "200" "$CODE"
check "token: follows its project" "200" "$(code --max-time 5 -H "X-API-Key: $TOK" "$URL/projects/$X1/events")"
req "$TOK" GET "/projects/$PA"
check "token: another client's project is 404" "404" "$CODE"
req "$TOK" GET /projects
check "token: no list" "403 Missing required scope: read" "$CODE $(detail)"
req "$TOK" POST "/projects/$X1/process"
check "token: no reprocessing (a write it lacks)" "403 Missing required scope: all" "$CODE $(detail)"
req "$TOK" POST /knowledge/parts/X1/ban -H 'Content-Type: application/json' -d '{"reason":"r","user":"u"}'
check "token: no knowledge writes" "403" "$CODE"
req "$TOK" GET /api-keys
check "token: no key list" "403 Missing required scope: read" "$CODE $(detail)"
req "$TOK" POST "/clients/$(sql "SELECT client_id FROM clients WHERE wallet_address = '$w1'")/deactivate"
check "token: cannot deactivate its client" "403" "$CODE"
nonce; N2=$N
upload -H "X-PAYMENT: $(pay "$W1" "$N2")"
X2=$(echo "$BODY" | jq -r .project_id)
TOK2=$(echo "$BODY" | jq -r .project_token)
check "a second payment: the same client" "1 $W1_ID" "$(sql "SELECT count(*) FROM clients WHERE wallet_address = '$w1'") $(sql "SELECT client_id FROM projects WHERE project_id = '$X2'")"
req "$TOK" GET "/projects/$X2"
check "token: the wallet's other project is 404" "404" "$CODE"
req "$TOK2" DELETE "/projects/$X2"
check "token: deletes its project" "200" "$CODE"
req "$TOK2" GET "/projects/$X2"
check "token: its deleted project is gone" "404" "$CODE"

# refused payments
W2=0x52908400098527886e0f7030069857d2e4169ee7
nonce
upload -H "X-PAYMENT: $(pay "$W2" "$N" 40000)"
check "insufficient amount: 402" "402" "$CODE"
check_contains "insufficient amount: the reason" "is not the price 50000" "$(echo "$BODY" | jq -r .error)"
check "insufficient amount: the facilitator never asked" "0" "$(calls /verify "$N")"
nonce
upload -H "X-PAYMENT: $(pay "$W2" "$N" 50000 $(( $(date +%s) + 3 )))"
check "an authorization about to expire: 402" "402 0" "$CODE $(calls /verify "$N")"
upload -H "X-PAYMENT: not-base64!"
check "a malformed X-PAYMENT: 402" "402 X-PAYMENT is not base64" "$CODE $(echo "$BODY" | jq -r .error)"
script "verify invalid_signature"
nonce
upload -H "X-PAYMENT: $(pay "$W2" "$N")"
check "invalid signature: 402 with the facilitator's reason" "402 invalid_exact_evm_payload_signature" "$CODE $(echo "$BODY" | jq -r .error)"
check "invalid signature: never settled, no client made" "0 0" "$(calls /settle "$N") $(sql "SELECT count(*) FROM clients WHERE wallet_address = '$W2'")"
script "verify insufficient_funds"
nonce
upload -H "X-PAYMENT: $(pay "$W2" "$N")"
check "insufficient funds: 402" "402 insufficient_funds" "$CODE $(echo "$BODY" | jq -r .error)"

# replays
v0=$(calls /verify "$N1")
upload -H "X-PAYMENT: $P1HDR"
check "a replayed nonce: 402" "402" "$CODE"
check_contains "a replay: the reason" "already used" "$(echo "$BODY" | jq -r .error)"
check "a replay never reaches the facilitator" "$v0" "$(calls /verify "$N1")"
nonce
H=$(pay "$W1" "$N")
RACE=()
for i in 1 2 3; do
	curl -s -o /dev/null -w '%{http_code}\n' -H "X-PAYMENT: $H" -F bom_file=@"$S/bom.csv" "$URL/projects/upload-and-process" > "$S/race.$i" &
	RACE+=($!)
done
wait "${RACE[@]}"
check "one nonce three times at once: one paid" "1 2" "$(cat "$S"/race.[123] | grep -c '^200$') $(cat "$S"/race.[123] | grep -c '^402$')"
check "one nonce at once: verified once, settled once" "1 1" "$(calls /verify "$N") $(calls /settle "$N")"

# settlement fails: nothing committed
W3=0x00000000219ab540356cbb839cbe05303d7705fa
before_keys=$(sql "SELECT count(*) FROM api_keys")
script "settle fail"
nonce
upload -H "X-PAYMENT: $(pay "$W3" "$N")"
check "settle failure: 402" "402" "$CODE"
check_contains "settle failure: the reason" "settlement failed: unexpected_settle_error" "$(echo "$BODY" | jq -r .error)"
check "settle failure: no project token in the answer" "null" "$(echo "$BODY" | jq -r .project_token)"
check "settle failure: no project of the wallet" "0" "$(projects_of "$W3")"
check "settle failure: no token kept" "$before_keys" "$(sql "SELECT count(*) FROM api_keys")"
check_contains "settle failure: the job row says why" "failed settlement failed" "$(sql "SELECT j.status || ' ' || j.error FROM jobs j JOIN clients c USING (client_id) WHERE c.wallet_address = '$W3'")"
check "settle failure: no usage counted" "0" "$(sql "SELECT bomd_part_times_used(client_id, 'RC0805FR-07100KL') FROM clients WHERE wallet_address = '$W3'")"
# asynchronous: settled (and refused) while the job is queued; its run
# must commit nothing afterwards
script "settle fail"
nonce
upload -H "X-PAYMENT: $(pay "$W3" "$N")" -H 'Prefer: respond-async'
check "async settle failure: 402" "402" "$CODE"
wait_for 100 [ "$(rcli XLEN bomd:jobs)" = 0 ]
sleep 1
check "async settle failure: the run committed nothing" "0" "$(projects_of "$W3")"
check "async settle failure: jobs stay failed" "failed failed" "$(sql "SELECT string_agg(j.status, ' ') FROM jobs j JOIN clients c USING (client_id) WHERE c.wallet_address = '$W3'")"
nonce
upload -H "X-PAYMENT: $(pay "$W3" "$N")" -H 'Prefer: respond-async'
check "async payment: 202 with a token" "202 queued" "$CODE $(echo "$BODY" | jq -r .status)"
TOK3=$(echo "$BODY" | jq -r .project_token)
X3=$(echo "$BODY" | jq -r .project_id)
wait_for 100 [ "$(curl -s -H "X-API-Key: $TOK3" "$URL/projects/$X3" | jq -r .status)" = complete ]
check "async payment: the token follows its project to the end" "complete" "$(curl -s -H "X-API-Key: $TOK3" "$URL/projects/$X3" | jq -r .status)"

# the facilitator does not answer in time
script "verify timeout"
nonce
upload -H "X-PAYMENT: $(pay "$W3" "$N")"
check "verify timeout: 402" "402" "$CODE"
check_contains "verify timeout: the reason" "Timeout" "$(echo "$BODY" | jq -r .error)"
check "verify timeout: never settled" "0" "$(calls /settle "$N")"
script "settle timeout_unsettled"
nonce
p0=$(projects_of "$W3")
upload -H "X-PAYMENT: $(pay "$W3" "$N")"
check "settle timeout: 402, nothing taken" "402" "$CODE"
check_contains "settle timeout: re-checked, not taken" "the payment was not taken" "$(echo "$BODY" | jq -r .error)"
wait_for 50 [ "$(calls /settle "$N")" -ge 1 ]	# logged once answered
check "settle timeout: never sent twice" "1" "$(calls /settle "$N")"
check "settle timeout: nothing committed" "$p0" "$(projects_of "$W3")"
script "settle timeout"
nonce
upload -H "X-PAYMENT: $(pay "$W3" "$N")"
check "settle timeout, spent meanwhile: 402 and logged" "402 1" "$CODE $(grep -c "settle outcome unknown: payer $W3 nonce $N" "$S/serve.log")"
check "settle timeout, spent: nothing committed" "$p0" "$(projects_of "$W3")"

# a deactivated wallet client pays nothing
curl -s -X POST "${AK[@]}" "$URL/admin/clients/$W1_ID/deactivate" >/dev/null
nonce
upload -H "X-PAYMENT: $(pay "$W1" "$N")"
check "a deactivated wallet client: 403, never settled" "403 0" "$CODE $(calls /settle "$N")"
req "$TOK" GET "/projects/$X1"
check "its project token stops working" "401" "$CODE"

check "the facilitator saw no contract violation" "0" "$(jq -s '[.[] | select(.violation != null)] | length' "$S/x402.log")"
check_sanitizers "sanitizers clean in the daemon" "$S/serve.log"
summary auth

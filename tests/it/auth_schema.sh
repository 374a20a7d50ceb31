#!/bin/bash
# The auth chain's schema (migration 0009): key scopes with their default
# and check, a client's OIDC issuer (unique, with its audience), and the
# x402 nonce table the runtime role may only add to and read.
. "$(dirname "$0")/lib.sh"
# sqlerr SQL: runs SQL in a transaction rolled back; prints its error
sqlerr() {
	psql -X -A -t -q -h "$BOMD_TEST_PG_HOST" -p "$BOMD_TEST_PG_PORT" \
	    -U postgres bomd -v ON_ERROR_STOP=1 \
	    -c "BEGIN; $1; ROLLBACK;" 2>&1 >/dev/null
}
P=0b9e3a4c-5d6e-4f70-8a1b-2c3d4e5f6a7b
NONCE=0x$(printf '%064x' 402)
PAYER=0x857b06519e91e3a54538791bdbb0e22373e36b66
ASSET=0x036cbd53842c5426634e7929541ec2318f3dcf7e

# --- key scopes ------------------------------------------------------------
check "existing keys keep every right" "0" "$(sql "SELECT count(*) FROM api_keys WHERE scopes <> '{all}'")"
check "read and a project scope are valid" "" "$(sqlerr "UPDATE api_keys SET scopes = '{read,project:$P}' WHERE client_id = '$A_ID'")"
check_contains "an unknown scope is refused" "check constraint" "$(sqlerr "UPDATE api_keys SET scopes = '{root}' WHERE client_id = '$A_ID'")"
check "admin is a scope (0010)" "" "$(sqlerr "UPDATE api_keys SET scopes = '{all,admin}' WHERE client_id = '$A_ID'")"
check_contains "a project scope needs a lower-case uuid" "check constraint" "$(sqlerr "UPDATE api_keys SET scopes = '{project:${P^^}}' WHERE client_id = '$A_ID'")"
check_contains "no scopes is refused" "check constraint" "$(sqlerr "UPDATE api_keys SET scopes = '{}' WHERE client_id = '$A_ID'")"
check_contains "scopes are never null" "null value" "$(sqlerr "UPDATE api_keys SET scopes = NULL WHERE client_id = '$A_ID'")"

# --- a client's OIDC issuer ------------------------------------------------
ISS=https://id.example.com/realms/acme
check "issuer with audience" "" "$(sqlerr "UPDATE clients SET oidc_issuer = '$ISS', oidc_audience = 'bomd' WHERE client_id = '$A_ID'")"
check_contains "one issuer, one client" "clients_oidc_issuer_key" "$(sqlerr "UPDATE clients SET oidc_issuer = '$ISS', oidc_audience = 'bomd' WHERE client_id IN ('$A_ID', '$B_ID')")"
check_contains "an issuer needs its audience" "clients_oidc_pair" "$(sqlerr "UPDATE clients SET oidc_issuer = '$ISS' WHERE client_id = '$A_ID'")"
check_contains "an issuer is an http(s) URL" "check constraint" "$(sqlerr "UPDATE clients SET oidc_issuer = 'ftp://id.example.com', oidc_audience = 'bomd' WHERE client_id = '$A_ID'")"
check_contains "an issuer has no query" "check constraint" "$(sqlerr "UPDATE clients SET oidc_issuer = '$ISS?x=1', oidc_audience = 'bomd' WHERE client_id = '$A_ID'")"

# --- x402 nonces: the runtime role adds and reads, nothing else ------------
app() {	# app SQL: as bomd_app; prints the result, or the error
	psql -X -A -t -q -h "$BOMD_TEST_PG_HOST" -p "$BOMD_TEST_PG_PORT" \
	    -U postgres bomd -v ON_ERROR_STOP=1 \
	    -c "SET ROLE bomd_app; $1" 2>&1
}
ROW="'base-sepolia', '$ASSET', '$PAYER', '$NONCE'"
check "no row-level security on nonces" "f" "$(sql "SELECT relrowsecurity FROM pg_class WHERE relname = 'x402_nonces'")"
check "the app reserves a nonce" "1" "$(app "INSERT INTO x402_nonces (network, asset, payer, nonce) VALUES ($ROW) ON CONFLICT DO NOTHING RETURNING 1")"
check "a replay reserves nothing" "" "$(app "INSERT INTO x402_nonces (network, asset, payer, nonce) VALUES ($ROW) ON CONFLICT DO NOTHING RETURNING 1")"
check_contains "a plain replay is a key violation" "x402_nonces_pkey" "$(app "INSERT INTO x402_nonces (network, asset, payer, nonce) VALUES ($ROW)")"
check "the same nonce on another network is another payment" "1" "$(app "INSERT INTO x402_nonces (network, asset, payer, nonce) VALUES ('base', '$ASSET', '$PAYER', '$NONCE') RETURNING 1")"
check "the app reads nonces" "2" "$(app "SELECT count(*) FROM x402_nonces WHERE nonce = '$NONCE'")"
check_contains "the app cannot update a nonce" "permission denied" "$(app "UPDATE x402_nonces SET created_at = now()")"
check_contains "the app cannot delete a nonce" "permission denied" "$(app "DELETE FROM x402_nonces")"
check_contains "the app cannot truncate nonces" "permission denied" "$(app "TRUNCATE x402_nonces")"
check_contains "addresses are lower case" "check constraint" "$(app "INSERT INTO x402_nonces (network, asset, payer, nonce) VALUES ('base', '$ASSET', '${PAYER^^}', '$NONCE')")"
check_contains "a nonce is 32 bytes of hex" "check constraint" "$(app "INSERT INTO x402_nonces (network, asset, payer, nonce) VALUES ('base', '$ASSET', '$PAYER', '0x1234')")"
# two reservations of one nonce at once: exactly one wins
NONCE2=0x$(printf '%064x' 403)
ROW2="'base-sepolia', '$ASSET', '$PAYER', '$NONCE2'"
for i in 1 2 3 4; do
	app "INSERT INTO x402_nonces (network, asset, payer, nonce) VALUES ($ROW2) ON CONFLICT DO NOTHING RETURNING 1" > "$STATE/nonce.$i" &
done
wait
check "concurrent reservations: one wins" "1" "$(cat "$STATE"/nonce.[1-4] | grep -c '^1$')"
sql "DELETE FROM x402_nonces WHERE payer = '$PAYER'" >/dev/null
summary auth_schema

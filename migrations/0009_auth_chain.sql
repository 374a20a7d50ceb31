-- The auth chain: a client's own OIDC issuer (JWTs), key scopes, and the
-- x402 payment nonces already used (replay protection).

-- A JWT's iss finds its client, so one issuer belongs to one client.
ALTER TABLE clients
	ADD COLUMN oidc_issuer text UNIQUE
		CHECK (oidc_issuer ~ '^https?://[^?#[:space:]]+$'
		    AND length(oidc_issuer) <= 2048),
	ADD COLUMN oidc_audience text
		CHECK (length(oidc_audience) BETWEEN 1 AND 512),
	ADD CONSTRAINT clients_oidc_pair
		CHECK ((oidc_issuer IS NULL) = (oidc_audience IS NULL));

-- Scopes: 'all', 'read', 'project:<uuid>'. Existing keys keep every right.
CREATE FUNCTION bomd_scopes_valid(s text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT cardinality(s) BETWEEN 1 AND 8 AND NOT EXISTS (
	    SELECT 1 FROM unnest(s) AS x(v)
	    WHERE v IS NULL OR NOT (v IN ('all', 'read') OR v ~
		'^project:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'))
$$;
ALTER TABLE api_keys
	ADD COLUMN scopes text[] NOT NULL DEFAULT '{all}'
		CHECK (bomd_scopes_valid(scopes));

-- One row per x402 authorization ever presented: inserted before the
-- facilitator is called, so a replay (also a concurrent one) fails on the
-- key. Not tenant data (no row-level security); the runtime role may only
-- add and read rows. Addresses and nonces are lower case.
CREATE TABLE x402_nonces (
	network		text NOT NULL CHECK (length(network) BETWEEN 1 AND 63),
	asset		text NOT NULL CHECK (asset ~ '^0x[0-9a-f]{40}$'),
	payer		text NOT NULL CHECK (payer ~ '^0x[0-9a-f]{40}$'),
	nonce		text NOT NULL CHECK (nonce ~ '^0x[0-9a-f]{64}$'),
	valid_before	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (network, asset, payer, nonce)
);
REVOKE ALL ON x402_nonces FROM bomd_app;
GRANT SELECT, INSERT ON x402_nonces TO bomd_app;

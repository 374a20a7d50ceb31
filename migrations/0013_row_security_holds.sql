-- Row-level security that holds against the runtime role (issue 18). The
-- daemon may log in as a role that does not own the schema and is not a
-- member of its owner (database_url; bomd migrate runs as the owner,
-- database_owner_url), so RESET ROLE and SET ROLE lead nowhere:
-- * every table with a client_id has row-level security enabled and
--   FORCED (its owner too must name a tenant), clients included;
-- * '*' (every tenant) is the schema owner's alone: the runtime role that
--   sets it sees nothing; no tenant set, no rows (fail closed);
-- * cross-tenant work goes through narrow paths: an API key is verified
--   by bomd_admin.key_verify(), a JWT's issuer and an x402 payer's wallet
--   find their client by bomd_admin.client_by_issuer() and
--   client_for_wallet(), /metrics reads totals from
--   bomd_admin.metrics_*(), and admin routes see clients and api_keys
--   (nothing else) through the views of schema bomd_admin: all owned by
--   the NOLOGIN role bomd_admin, which nobody logs in as and the runtime
--   role is not a member of;
-- * the runtime role writes no shared table beyond what the code needs.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bomd_admin') THEN
		CREATE ROLE bomd_admin NOLOGIN;
	END IF;
END
$$;
-- the owner hands the admin views to it
GRANT bomd_admin TO CURRENT_USER;

-- '*' only when the current role owns the schema (a session of the owner,
-- or a SECURITY DEFINER function of the owner that sets it)
CREATE OR REPLACE FUNCTION bomd_tenant_all() RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('bomd.client_id', true), '') = '*'
	    AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class
		WHERE oid = 'public.clients'::regclass)
$$;

-- clients: a tenant sees its own row (the worker checks its tenants)
ALTER TABLE clients ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON clients USING ((SELECT bomd_tenant_all()) OR
    client_id = ANY ((SELECT bomd_tenants())::uuid[]))
    WITH CHECK ((SELECT bomd_tenant_all()) OR
    client_id = ANY ((SELECT bomd_tenants())::uuid[]));

-- every table with a client_id: enabled and forced
DO $$
DECLARE
	t text;
BEGIN
	FOR t IN SELECT c.relname FROM pg_class c
	    JOIN pg_attribute a ON a.attrelid = c.oid
	    WHERE c.relnamespace = 'public'::regnamespace
	    AND c.relkind IN ('r', 'p') AND a.attname = 'client_id'
	    AND NOT a.attisdropped LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
	END LOOP;
END
$$;

-- Grants: tenant tables as before; shared tables read, and written only
-- where the code writes them (rejected_jobs: added to; offers: the live
-- distributor offers of the worker; x402_nonces: added to, 0009).
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON clients, rejected_jobs,
    schema_migrations, catalog_version, line_items, trace_steps
    FROM bomd_app;
-- a tenant's key may deactivate its own client (POST /clients/{}/deactivate)
GRANT UPDATE (active, updated_at) ON clients TO bomd_app;
REVOKE SELECT ON rejected_jobs FROM bomd_app;
GRANT INSERT ON rejected_jobs TO bomd_app;
-- a table made later is read by default, written only when granted
ALTER DEFAULT PRIVILEGES IN SCHEMA public
	REVOKE INSERT, UPDATE, DELETE ON TABLES FROM bomd_app;

-- The admin realm: clients and api_keys of every tenant, for the admin
-- routes (X-Admin-Key, or a key of scope admin), through these views
-- (their owner's policies admit every row); nothing of a tenant's data.
-- A column added to clients or api_keys is added to its view too.
CREATE SCHEMA bomd_admin AUTHORIZATION bomd_admin;
GRANT USAGE ON SCHEMA bomd_admin TO bomd_app;
GRANT USAGE ON SCHEMA public TO bomd_admin;
GRANT SELECT, INSERT, UPDATE ON clients, api_keys TO bomd_admin;
CREATE POLICY admin_realm ON clients TO bomd_admin USING (true)
    WITH CHECK (true);
CREATE POLICY admin_realm ON api_keys TO bomd_admin USING (true)
    WITH CHECK (true);
CREATE VIEW bomd_admin.clients AS SELECT * FROM public.clients;
CREATE VIEW bomd_admin.api_keys AS SELECT * FROM public.api_keys;
ALTER VIEW bomd_admin.clients OWNER TO bomd_admin;
ALTER VIEW bomd_admin.api_keys OWNER TO bomd_admin;
GRANT SELECT, INSERT (client_id, name, slug, wallet_address, oidc_issuer,
    oidc_audience), UPDATE (active, updated_at) ON bomd_admin.clients
    TO bomd_app;
GRANT SELECT, INSERT (key_id, client_id, name, prefix, key_hash, scopes),
    UPDATE (revoked_at) ON bomd_admin.api_keys TO bomd_app;

-- An API key by its prefix and hash, when it and its client are active:
-- its id, client and scopes (never the hash); last_used_at is written at
-- most once a minute.
CREATE FUNCTION bomd_admin.key_verify(p_prefix text, p_hash bytea)
RETURNS TABLE (key_id text, client_id text, scopes text[])
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	WITH k AS (SELECT k.key_id, k.client_id, k.scopes FROM api_keys k
	    JOIN clients c USING (client_id) WHERE k.key_hash = p_hash
	    AND k.prefix = p_prefix AND k.revoked_at IS NULL AND c.active
	    LIMIT 1),
	u AS (UPDATE api_keys a SET last_used_at = now() FROM k
	    WHERE a.key_id = k.key_id AND (a.last_used_at IS NULL OR
	    a.last_used_at < now() - interval '60 seconds') RETURNING 1)
	SELECT k.key_id::text, k.client_id::text, k.scopes FROM k
$$;
ALTER FUNCTION bomd_admin.key_verify(text, bytea) OWNER TO bomd_admin;

-- The client a JWT's issuer names (OIDC), when active.
CREATE FUNCTION bomd_admin.client_by_issuer(iss text)
RETURNS TABLE (client_id text, audience text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT c.client_id::text, c.oidc_audience FROM clients c
	WHERE c.oidc_issuer = iss AND c.active
$$;
-- The client of an x402 payer's wallet (lower case), made with new_id,
-- new_name and new_slug on its first payment; with whether it is active.
CREATE FUNCTION bomd_admin.client_for_wallet(wallet text, new_id uuid,
    new_name text, new_slug text)
RETURNS TABLE (client_id text, active boolean)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	WITH s AS (SELECT c.client_id, c.active FROM clients c
	    WHERE lower(c.wallet_address) = wallet
	    ORDER BY c.created_at LIMIT 1),
	n AS (INSERT INTO clients AS c (client_id, name, slug, wallet_address)
	    SELECT new_id, new_name, new_slug, wallet
	    WHERE NOT EXISTS (SELECT 1 FROM s) ON CONFLICT DO NOTHING
	    RETURNING c.client_id, c.active)
	SELECT s.client_id::text, s.active FROM s
	UNION ALL SELECT n.client_id::text, n.active FROM n
$$;
ALTER FUNCTION bomd_admin.client_by_issuer(text) OWNER TO bomd_admin;
ALTER FUNCTION bomd_admin.client_for_wallet(text, uuid, text, text)
    OWNER TO bomd_admin;

-- /metrics: totals over every tenant, never a tenant's own figures; the
-- admin realm's role reads jobs and llm_calls only inside them.
GRANT SELECT ON jobs, llm_calls TO bomd_admin;
CREATE POLICY admin_realm ON jobs FOR SELECT TO bomd_admin USING (true);
CREATE POLICY admin_realm ON llm_calls FOR SELECT TO bomd_admin
    USING (true);
CREATE FUNCTION bomd_admin.metrics_jobs(states text[])
RETURNS TABLE (status text, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT s.status, count(j.status) FROM unnest(states) s(status)
	LEFT JOIN jobs j ON j.status = s.status GROUP BY s.status
	ORDER BY s.status
$$;
CREATE FUNCTION bomd_admin.metrics_latency(le float8[])
RETURNS TABLE (buckets bigint[], n bigint, total float8)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	WITH d AS (SELECT extract(epoch FROM finished_at - created_at)::float8
	    AS d FROM jobs
	    WHERE status = 'complete' AND finished_at IS NOT NULL)
	SELECT ARRAY(SELECT count(d.d) FILTER (WHERE d.d <= b.b)
	    FROM unnest(le) WITH ORDINALITY b(b, i) LEFT JOIN d ON true
	    GROUP BY b.i ORDER BY b.i),
	    (SELECT count(*) FROM d), (SELECT COALESCE(sum(d), 0) FROM d)
$$;
CREATE FUNCTION bomd_admin.metrics_llm()
RETURNS TABLE (calls bigint, prompt bigint, completion bigint, cost bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT count(*), COALESCE(sum(prompt_tokens), 0)::bigint,
	    COALESCE(sum(completion_tokens), 0)::bigint,
	    COALESCE(sum(cost_micros), 0)::bigint FROM llm_calls
$$;
ALTER FUNCTION bomd_admin.metrics_jobs(text[]) OWNER TO bomd_admin;
ALTER FUNCTION bomd_admin.metrics_latency(float8[]) OWNER TO bomd_admin;
ALTER FUNCTION bomd_admin.metrics_llm() OWNER TO bomd_admin;

-- The master's reconciliation (issue 18, #9): jobs queued (or running)
-- and untouched for after_s seconds, oldest first: their ids only (the
-- master reads each one's request under its tenant).
CREATE FUNCTION bomd_admin.reconcile_candidates(after_s integer,
    lim integer)
RETURNS TABLE (client_id text, job_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT client_id::text, job_id FROM jobs
	WHERE status IN ('queued', 'running')
	    AND updated_at < now() - make_interval(secs => greatest(after_s, 1))
	ORDER BY updated_at LIMIT least(greatest(lim, 1), 10000)
$$;
ALTER FUNCTION bomd_admin.reconcile_candidates(integer, integer)
    OWNER TO bomd_admin;

-- Retention (issue 18, #8), applied by the master: with days > 0, final
-- jobs (their usage counts with them), LLM calls, checkpoints and
-- rejected entries older than that, and x402 nonces past their validity
-- by as long; with trace_steps > 0, a project's trace keeps its newest
-- steps (projects updated within since_s seconds; 0: every project). At
-- most lim rows of each per call: the caller calls again while one is
-- full. What was removed, by what.
GRANT SELECT, DELETE ON rejected_jobs, x402_nonces, job_checkpoints
    TO bomd_admin;
GRANT DELETE ON jobs, llm_calls TO bomd_admin;
GRANT SELECT, UPDATE (trace) ON projects TO bomd_admin;
CREATE POLICY admin_retention ON jobs FOR DELETE TO bomd_admin
    USING (status IN ('complete', 'failed', 'dead'));
CREATE POLICY admin_retention ON llm_calls FOR DELETE TO bomd_admin
    USING (true);
CREATE POLICY admin_retention ON job_checkpoints TO bomd_admin
    USING (true);
CREATE POLICY admin_retention ON projects FOR SELECT TO bomd_admin
    USING (true);
CREATE POLICY admin_retention_trace ON projects FOR UPDATE TO bomd_admin
    USING (true) WITH CHECK (true);
CREATE FUNCTION bomd_admin.retention(days integer, trace_steps integer,
    since_s integer, lim integer)
RETURNS TABLE (what text, n bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	cut timestamptz := now() - make_interval(days => greatest(days, 1));
	k bigint;
BEGIN
	lim := least(greatest(lim, 1), 100000);
	IF days > 0 THEN
		DELETE FROM jobs WHERE ctid IN (SELECT ctid FROM jobs
		    WHERE status IN ('complete', 'failed', 'dead')
		    AND COALESCE(finished_at, updated_at) < cut LIMIT lim);
		GET DIAGNOSTICS k = ROW_COUNT;
		what := 'jobs'; n := k; RETURN NEXT;
		DELETE FROM llm_calls WHERE ctid IN (SELECT ctid FROM llm_calls
		    WHERE created_at < cut LIMIT lim);
		GET DIAGNOSTICS k = ROW_COUNT;
		what := 'llm_calls'; n := k; RETURN NEXT;
		DELETE FROM job_checkpoints WHERE ctid IN (SELECT ctid
		    FROM job_checkpoints WHERE created_at < cut LIMIT lim);
		GET DIAGNOSTICS k = ROW_COUNT;
		what := 'job_checkpoints'; n := k; RETURN NEXT;
		DELETE FROM rejected_jobs WHERE ctid IN (SELECT ctid
		    FROM rejected_jobs WHERE created_at < cut LIMIT lim);
		GET DIAGNOSTICS k = ROW_COUNT;
		what := 'rejected_jobs'; n := k; RETURN NEXT;
		DELETE FROM x402_nonces WHERE ctid IN (SELECT ctid
		    FROM x402_nonces WHERE valid_before < cut LIMIT lim);
		GET DIAGNOSTICS k = ROW_COUNT;
		what := 'x402_nonces'; n := k; RETURN NEXT;
	END IF;
	IF trace_steps > 0 THEN
		UPDATE projects p SET trace = t.doc FROM (
		    SELECT q.client_id, q.project_id, (SELECT
			json_agg(x ORDER BY i)::text FROM
			json_array_elements(q.trace::json) WITH ORDINALITY
			a(x, i) WHERE i > q.len - trace_steps) AS doc
		    FROM (SELECT client_id, project_id, trace,
			json_array_length(trace::json) AS len FROM projects
			WHERE since_s <= 0 OR updated_at > now() -
			make_interval(secs => since_s)) q
		    WHERE q.len > trace_steps LIMIT lim) t
		WHERE p.client_id = t.client_id AND p.project_id = t.project_id;
		GET DIAGNOSTICS k = ROW_COUNT;
		what := 'traces'; n := k; RETURN NEXT;
	END IF;
END
$$;
ALTER FUNCTION bomd_admin.retention(integer, integer, integer, integer)
    OWNER TO bomd_admin;

-- SECURITY DEFINER functions: the runtime role's, nobody else's
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA bomd_admin FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA bomd_admin TO bomd_app;

-- The owner is no member of the realm it made: a member would share its
-- policies. A later migration that changes the realm grants the
-- membership to itself and revokes it again.
REVOKE bomd_admin FROM CURRENT_USER;

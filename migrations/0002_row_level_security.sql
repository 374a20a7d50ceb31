-- Row-level security: a second wall behind "every query filters by
-- client_id". The daemon's API and worker processes run as role bomd_app
-- (not the owner, not a superuser), and each session names its tenant with
-- set_config('bomd.client_id', <uuid>); '*' is cross-tenant system work
-- (API key lookup, admin routes). With no tenant set, no rows are visible.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bomd_app') THEN
		CREATE ROLE bomd_app NOLOGIN;
	END IF;
END
$$;

GRANT bomd_app TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO bomd_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO bomd_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO bomd_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
	GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bomd_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
	GRANT USAGE, SELECT ON SEQUENCES TO bomd_app;

CREATE FUNCTION bomd_tenant_ok(c uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('bomd.client_id', true), '') = '*'
	    OR c::text = current_setting('bomd.client_id', true)
$$;

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE line_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE trace_steps ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE part_knowledge ENABLE ROW LEVEL SECURITY;
ALTER TABLE supplier_knowledge ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_calls ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant ON api_keys USING (bomd_tenant_ok(client_id))
	WITH CHECK (bomd_tenant_ok(client_id));
CREATE POLICY tenant ON projects USING (bomd_tenant_ok(client_id))
	WITH CHECK (bomd_tenant_ok(client_id));
CREATE POLICY tenant ON line_items USING (bomd_tenant_ok(client_id))
	WITH CHECK (bomd_tenant_ok(client_id));
CREATE POLICY tenant ON trace_steps USING (bomd_tenant_ok(client_id))
	WITH CHECK (bomd_tenant_ok(client_id));
CREATE POLICY tenant ON jobs USING (bomd_tenant_ok(client_id))
	WITH CHECK (bomd_tenant_ok(client_id));
CREATE POLICY tenant ON part_knowledge USING (bomd_tenant_ok(client_id))
	WITH CHECK (bomd_tenant_ok(client_id));
CREATE POLICY tenant ON supplier_knowledge USING (bomd_tenant_ok(client_id))
	WITH CHECK (bomd_tenant_ok(client_id));
CREATE POLICY tenant ON llm_calls USING (bomd_tenant_ok(client_id))
	WITH CHECK (bomd_tenant_ok(client_id));

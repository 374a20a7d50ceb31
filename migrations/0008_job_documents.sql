-- Rows that are cheap to write: a job commits one row per project (its
-- line items and trace as JSON documents, kept as text: the worker writes
-- them and readers parse them) and one jobs row (with the MPNs it used),
-- instead of ~50 line rows, ~54 trace rows, 50 knowledge upserts and 50
-- usage rows. A decision's trace step names its line instead of copying
-- the line's reasoning. line_items and trace_steps stay readable as views
-- with their old columns. Part usage is derived from the jobs rows.
-- Worker caches (offers, tenant knowledge) are invalidated by versions
-- bumped in the same transaction as the writes they depend on.

ALTER TABLE projects
	ADD COLUMN lines text NOT NULL DEFAULT '[]',
	ADD COLUMN line_count integer NOT NULL DEFAULT 0,
	ADD COLUMN trace text NOT NULL DEFAULT '[]',
	ADD COLUMN basis text;
ALTER TABLE projects ALTER COLUMN lines SET COMPRESSION lz4;
ALTER TABLE projects ALTER COLUMN trace SET COMPRESSION lz4;
ALTER TABLE projects ALTER COLUMN bom_csv SET COMPRESSION lz4;
ALTER TABLE projects ALTER COLUMN basis SET COMPRESSION lz4;
COMMENT ON COLUMN projects.basis IS 'the offers, knowledge and costing '
    'settings the lines were decided from (common/basis.c); lines decided '
    'without words are decided again from it when read';

UPDATE projects p SET lines = s.doc FROM (
	SELECT client_id, project_id, json_agg(json_build_object(
	    'line_no', line_no, 'source_line', source_line,
	    'designators', to_json(designators), 'quantity', quantity,
	    'mpn', mpn, 'manufacturer', manufacturer,
	    'description', description, 'package', package, 'value', value,
	    'status', status, 'selected_mpn', selected_mpn,
	    'selected_supplier', selected_supplier,
	    'order_quantity', order_quantity,
	    'unit_price_micros', unit_price_micros,
	    'extended_price_micros', extended_price_micros,
	    'currency', currency, 'final_decision', final_decision)
	    ORDER BY line_no)::text AS doc
	FROM line_items GROUP BY client_id, project_id) s
WHERE p.client_id = s.client_id AND p.project_id = s.project_id;
UPDATE projects SET line_count = json_array_length(lines::json);

UPDATE projects p SET trace = s.doc FROM (
	SELECT client_id, project_id, json_agg(json_build_object(
	    'job_id', job_id, 'step', step, 'agent', agent,
	    'message', message, 'reasoning', reasoning, 'references', refs,
	    'timestamp', created_at) ORDER BY id)::text AS doc
	FROM trace_steps GROUP BY client_id, project_id) s
WHERE p.client_id = s.client_id AND p.project_id = s.project_id;

-- Usage: the MPNs of each completed job; a part's times_used is the
-- number of its tenant's completed jobs that used it.
ALTER TABLE jobs ADD COLUMN mpns text[];
UPDATE jobs j SET mpns = s.m FROM (
	SELECT client_id, project_id, array_agg(DISTINCT mpn) AS m
	FROM line_items GROUP BY client_id, project_id) s
WHERE j.client_id = s.client_id AND j.project_id = s.project_id
    AND j.status = 'complete';
CREATE INDEX jobs_mpns_idx ON jobs USING gin (mpns);

DROP TABLE line_items;
DROP TABLE trace_steps;
DROP FUNCTION bomd_part_projects(uuid, text);
DROP TABLE part_usage;

-- A tenant table's key starts with client_id (tenant-local index pages;
-- a later distribution by tenant keeps its keys): one index where there
-- were two.
ALTER TABLE projects DROP CONSTRAINT projects_pkey;
ALTER TABLE projects DROP CONSTRAINT projects_client_id_project_id_key;
ALTER TABLE projects ADD PRIMARY KEY (client_id, project_id);

CREATE VIEW line_items WITH (security_invoker = true) AS
SELECT p.client_id, p.project_id, x.line_no, x.source_line,
    x.designators, x.quantity, x.mpn, x.manufacturer, x.description,
    x.package, x.value, x.status, x.selected_mpn, x.selected_supplier,
    x.order_quantity, x.unit_price_micros, x.extended_price_micros,
    x.currency, x.final_decision, p.created_at, p.updated_at
FROM projects p CROSS JOIN LATERAL json_to_recordset(p.lines::json) AS x(
    line_no int, source_line int, designators text[], quantity bigint,
    mpn text, manufacturer text, description text, package text,
    value text, status text, selected_mpn text, selected_supplier text,
    order_quantity bigint, unit_price_micros bigint,
    extended_price_micros bigint, currency text, final_decision json);

CREATE VIEW trace_steps WITH (security_invoker = true) AS
SELECT p.client_id, p.project_id, s.n AS id, s.x->>'job_id' AS job_id,
    s.x->>'step' AS step, s.x->>'agent' AS agent,
    s.x->>'message' AS message,
    COALESCE(s.x->>'reasoning', l.reasoning, '') AS reasoning,
    COALESCE(s.x->'references', '[]'::json) AS refs,
    (s.x->>'timestamp')::timestamptz AS created_at
FROM projects p CROSS JOIN LATERAL
    json_array_elements(p.trace::json) WITH ORDINALITY AS s(x, n)
LEFT JOIN LATERAL (SELECT e->'final_decision'->>'reasoning' AS reasoning
    FROM json_array_elements(p.lines::json) WITH ORDINALITY AS d(e, k)
    WHERE k = (s.x->>'line')::int) l ON true;

-- The tables every job writes check their client once per statement, not
-- once per row: a per-row foreign key locks the client's row (FOR KEY
-- SHARE) for every job of a batch. Clients are deactivated, never
-- deleted, so a key checked when written cannot dangle later.
CREATE FUNCTION bomd_clients_undeletable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'clients are deactivated, not deleted'
	    USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER clients_no_delete BEFORE DELETE ON clients
	FOR EACH ROW EXECUTE FUNCTION bomd_clients_undeletable();
CREATE TRIGGER clients_no_truncate BEFORE TRUNCATE ON clients
	FOR EACH STATEMENT EXECUTE FUNCTION bomd_clients_undeletable();
CREATE FUNCTION bomd_check_clients() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM (SELECT DISTINCT client_id FROM changed) n
	    WHERE NOT EXISTS (SELECT 1 FROM clients c
	    WHERE c.client_id = n.client_id)) THEN
		RAISE EXCEPTION 'insert or update on table "%" names a client '
		    'that does not exist', TG_TABLE_NAME
		    USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END
$$;
ALTER TABLE projects DROP CONSTRAINT projects_client_id_fkey;
ALTER TABLE jobs DROP CONSTRAINT jobs_client_id_fkey;
CREATE TRIGGER projects_client_ins AFTER INSERT ON projects
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION bomd_check_clients();
CREATE TRIGGER projects_client_upd AFTER UPDATE ON projects
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION bomd_check_clients();
CREATE TRIGGER jobs_client_ins AFTER INSERT ON jobs
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION bomd_check_clients();
CREATE TRIGGER jobs_client_upd AFTER UPDATE ON jobs
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION bomd_check_clients();

-- A part's usage by its tenant: completed jobs that used it, the last
-- time, and the projects (newest first, at most 1000).
CREATE FUNCTION bomd_part_times_used(c uuid, m text) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT count(*)::integer FROM jobs
	WHERE client_id = c AND status = 'complete' AND mpns @> ARRAY[m]
$$;
CREATE FUNCTION bomd_part_last_used(c uuid, m text) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT max(finished_at) FROM jobs
	WHERE client_id = c AND status = 'complete' AND mpns @> ARRAY[m]
$$;
CREATE FUNCTION bomd_part_projects(c uuid, m text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT COALESCE(jsonb_agg(project_id ORDER BY last DESC), '[]')
	FROM (SELECT project_id, max(finished_at) AS last FROM jobs
	      WHERE client_id = c AND status = 'complete'
	      AND mpns @> ARRAY[m] AND project_id IS NOT NULL
	      GROUP BY project_id ORDER BY last DESC LIMIT 1000) s
$$;
UPDATE part_knowledge SET times_used = 0, last_used_date = NULL;

-- Cache versions. The catalog's is bumped by every statement that
-- changes offers; a tenant's by every change to its knowledge.
CREATE TABLE catalog_version (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	version		bigint NOT NULL DEFAULT 1
);
INSERT INTO catalog_version DEFAULT VALUES;
GRANT SELECT ON catalog_version TO bomd_app;
ALTER TABLE clients ADD COLUMN knowledge_version bigint NOT NULL DEFAULT 1;

CREATE FUNCTION bomd_bump_catalog() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	UPDATE catalog_version SET version = version + 1;
	RETURN NULL;
END
$$;
CREATE TRIGGER offers_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON offers FOR EACH STATEMENT EXECUTE FUNCTION bomd_bump_catalog();

CREATE FUNCTION bomd_bump_knowledge() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	UPDATE clients SET knowledge_version = knowledge_version + 1
	WHERE client_id IN (SELECT client_id FROM changed);
	RETURN NULL;
END
$$;
CREATE TRIGGER part_knowledge_ins AFTER INSERT ON part_knowledge
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION bomd_bump_knowledge();
CREATE TRIGGER part_knowledge_upd AFTER UPDATE ON part_knowledge
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION bomd_bump_knowledge();
CREATE TRIGGER part_knowledge_del AFTER DELETE ON part_knowledge
	REFERENCING OLD TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION bomd_bump_knowledge();
CREATE TRIGGER supplier_knowledge_ins AFTER INSERT ON supplier_knowledge
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION bomd_bump_knowledge();
CREATE TRIGGER supplier_knowledge_upd AFTER UPDATE ON supplier_knowledge
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION bomd_bump_knowledge();
CREATE TRIGGER supplier_knowledge_del AFTER DELETE ON supplier_knowledge
	REFERENCING OLD TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION bomd_bump_knowledge();

-- A session may name several tenants ("uuid,uuid"): a worker commits a
-- batch of jobs of several tenants in one transaction and names exactly
-- those. '*' stays the cross-tenant system path; nothing set, no rows.
-- The setting is read once per statement (the policies compare with the
-- value of an uncorrelated subquery, an InitPlan), not once per row.
CREATE FUNCTION bomd_tenant_all() RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('bomd.client_id', true), '') = '*'
$$;
CREATE FUNCTION bomd_tenants() RETURNS uuid[]
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN coalesce(current_setting('bomd.client_id', true), '')
	    IN ('', '*') THEN '{}'::uuid[]
	    ELSE string_to_array(current_setting('bomd.client_id', true),
		',')::uuid[] END
$$;
CREATE OR REPLACE FUNCTION bomd_tenant_ok(c uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT bomd_tenant_all() OR c = ANY (bomd_tenants())
$$;
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['api_keys', 'projects', 'jobs',
	    'part_knowledge', 'supplier_knowledge', 'llm_calls',
	    'job_checkpoints'] LOOP
		EXECUTE format('DROP POLICY tenant ON %I', t);
		EXECUTE format('CREATE POLICY tenant ON %I USING ('
		    '(SELECT bomd_tenant_all()) OR '
		    'client_id = ANY ((SELECT bomd_tenants())::uuid[])) '
		    'WITH CHECK ((SELECT bomd_tenant_all()) OR '
		    'client_id = ANY ((SELECT bomd_tenants())::uuid[]))', t);
	END LOOP;
END
$$;

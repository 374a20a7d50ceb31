-- The original service's contracts (issue 14): a project made by POST
-- /projects and not processed yet is 'created'; a key may have the scope
-- 'admin' (given only by `bomd key create --scope admin`: /api-keys and
-- /clients of every tenant); keys are found by their hash (keys imported
-- from the original, pbom_sk_…, have no prefix of their own); a project's
-- context is answered in the original's ProjectContext shape by
-- bomd_project_context().

ALTER TABLE projects DROP CONSTRAINT IF EXISTS projects_status_check;
ALTER TABLE projects ADD CONSTRAINT projects_status_check
	CHECK (status IN ('created', 'queued', 'enriching', 'decisioning',
	    'complete', 'failed'));

CREATE OR REPLACE FUNCTION bomd_scopes_valid(s text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT cardinality(s) BETWEEN 1 AND 8 AND NOT EXISTS (
	    SELECT 1 FROM unnest(s) AS x(v)
	    WHERE v IS NULL OR NOT (v IN ('all', 'read', 'admin') OR v ~
		'^project:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'))
$$;
CREATE INDEX api_keys_hash_idx ON api_keys (key_hash);

-- Contexts stored before the intake knew the original's default lead
-- time: the engine reads them with it from now on, as they are shown.
UPDATE projects SET context = jsonb_set(context,
    '{sourcing_constraints,max_lead_time_days}', '30')
WHERE jsonb_typeof(context->'sourcing_constraints') = 'object'
    AND COALESCE(context->'sourcing_constraints'->'max_lead_time_days',
	'null'::jsonb) = 'null'::jsonb;

-- A stored (normalised) context c of project pid as the original's
-- ProjectContext: flat project fields, then compliance,
-- sourcing_constraints and engineering_context, with the original's
-- defaults where the intake was silent; bomd's budget_total_micros and
-- any other compliance keys beside them.
CREATE FUNCTION bomd_project_context(c jsonb, pid uuid) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
	SELECT json_build_object(
	    'project_id', COALESCE(c->'project'->>'id', pid::text),
	    'project_name', COALESCE(c->'project'->>'name', ''),
	    'owner', COALESCE(c->'project'->>'owner', ''),
	    'engineering_contact',
		COALESCE(c->'project'->>'engineering_contact', ''),
	    'product_type',
		COALESCE(c->'requirements'->>'product_type', 'consumer'),
	    'quantity', COALESCE((c->'requirements'->>'quantity')::bigint, 1),
	    'deadline', c->'requirements'->>'deadline',
	    'budget_total', COALESCE(jsonb_strip_nulls(c->'requirements')
		->'budget_total', '0.0'::jsonb),
	    'budget_total_micros', c->'requirements'->'budget_total_micros',
	    'compliance', jsonb_build_object('standards', '[]'::jsonb,
		'quality_class', 'IPC Class 2',
		'country_of_origin_restrictions', '[]'::jsonb) ||
		COALESCE(jsonb_strip_nulls(c->'compliance'), '{}'),
	    'sourcing_constraints', jsonb_build_object('allow_brokers', false,
		'allow_alternates', true, 'single_source_ok', false,
		'preferred_distributors', '[]'::jsonb,
		'max_lead_time_days', 30) ||
		COALESCE(jsonb_strip_nulls(c->'sourcing_constraints'), '{}'),
	    'engineering_context', json_build_object(
		'notes', COALESCE(c->'engineering_context'->>'notes', ''),
		'critical_parts', COALESCE(
		    c->'engineering_context'->'critical_parts', '[]'),
		'preferred_manufacturers', jsonb_build_object(
		    'capacitors', '[]'::jsonb, 'resistors', '[]'::jsonb,
		    'mcu', '[]'::jsonb, 'connectors', '[]'::jsonb,
		    'other', '{}'::jsonb) || COALESCE(
		    c->'engineering_context'->'preferred_manufacturers', '{}'),
		'avoid_parts', COALESCE((SELECT json_agg(json_build_object(
		    'mpn', m, 'reason', COALESCE(
		    c->'engineering_context'->'avoid_reasons'->>m, ''))
		    ORDER BY o) FROM jsonb_array_elements_text(
		    CASE jsonb_typeof(c->'engineering_context'->'avoid_parts')
		    WHEN 'array' THEN c->'engineering_context'->'avoid_parts'
		    ELSE '[]' END) WITH ORDINALITY AS a(m, o)), '[]'::json)))
$$;

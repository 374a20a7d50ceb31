-- Part usage as its own insert-only table. Appending every project to
-- part_knowledge.projects_used_in rewrote an ever-growing array for every
-- part of every job (62% of PostgreSQL's time in the bench); now a job adds
-- one row per (part, project) and bumps a counter. projects_used_in is
-- kept, empty, for compatibility; the API builds the list from part_usage.

CREATE TABLE part_usage (
	client_id	uuid NOT NULL REFERENCES clients ON DELETE CASCADE,
	mpn		text NOT NULL,
	project_id	uuid NOT NULL,
	used_at		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (client_id, mpn, project_id)
);
CREATE INDEX part_usage_recent_idx ON part_usage (client_id, mpn, used_at DESC);

INSERT INTO part_usage (client_id, mpn, project_id, used_at)
SELECT k.client_id, k.mpn, p.id::uuid, COALESCE(k.last_used_date, now())
FROM part_knowledge k,
     jsonb_array_elements_text(k.projects_used_in) AS p(id)
WHERE p.id ~ '^[0-9a-fA-F-]{36}$'
ON CONFLICT DO NOTHING;
UPDATE part_knowledge SET projects_used_in = '[]'
WHERE projects_used_in <> '[]';

ALTER TABLE part_usage ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON part_usage USING (bomd_tenant_ok(client_id))
	WITH CHECK (bomd_tenant_ok(client_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON part_usage TO bomd_app;

-- The projects a part was used in, newest first (at most 1000).
CREATE FUNCTION bomd_part_projects(c uuid, m text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT COALESCE(jsonb_agg(project_id ORDER BY used_at DESC), '[]')
	FROM (SELECT project_id, used_at FROM part_usage
	      WHERE client_id = c AND mpn = m
	      ORDER BY used_at DESC LIMIT 1000) s
$$;

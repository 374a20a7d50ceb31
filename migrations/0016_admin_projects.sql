-- An operator's API key of scope admin reads and deletes any tenant's
-- project, as the original's admin did (its e2e tests ADM1-4): the admin
-- realm finds the client a project belongs to, and lists projects across
-- tenants (or one tenant's); everything else then runs as that tenant,
-- under its row security. bomd_admin still writes no project row.

-- the owner hands the realm its new functions (and leaves it again below)
GRANT bomd_admin TO CURRENT_USER;
GRANT SELECT ON projects TO bomd_admin;
CREATE POLICY admin_realm ON projects FOR SELECT TO bomd_admin
    USING (true);

-- The client project p belongs to (no row when there is no such project).
CREATE FUNCTION bomd_admin.project_client(p uuid)
RETURNS TABLE (client_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT client_id::text FROM projects WHERE project_id = p
$$;
ALTER FUNCTION bomd_admin.project_client(uuid) OWNER TO bomd_admin;

-- The newest lim projects of client c, or of every client when c is NULL:
-- the columns of a project summary.
CREATE FUNCTION bomd_admin.projects_of(c uuid, lim integer)
RETURNS TABLE (project_id uuid, client_id uuid, name text, status text,
    line_count integer, created_at timestamptz, updated_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT p.project_id, p.client_id, p.name, p.status, p.line_count,
	    p.created_at, p.updated_at FROM projects p
	WHERE c IS NULL OR p.client_id = c
	ORDER BY p.created_at DESC, p.project_id
	LIMIT least(greatest(lim, 0), 1000)
$$;
ALTER FUNCTION bomd_admin.projects_of(uuid, integer) OWNER TO bomd_admin;

REVOKE ALL ON FUNCTION bomd_admin.project_client(uuid),
    bomd_admin.projects_of(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bomd_admin.project_client(uuid),
    bomd_admin.projects_of(uuid, integer) TO bomd_app;
REVOKE bomd_admin FROM CURRENT_USER;

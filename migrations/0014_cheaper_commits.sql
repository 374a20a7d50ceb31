-- Cheaper batch commits (issue 13): what PostgreSQL spent per job that
-- no answer needs.
-- * bomd_tenant_all() was a SQL function with a sub-select, which the
--   planner cannot inline: every statement under row-level security
--   planned its body again (a third of a millisecond per batch). As
--   PL/pgSQL its plan is kept for the session; the answer is the same.
-- * The small JSON columns were compressed with pglz (the default), the
--   documents with lz4; lz4 costs a fraction of pglz's time. Values
--   stored before keep their compression and read as before.
-- * jobs_status_idx indexed every job by status, though only the
--   reconciliation reads it, for jobs queued or running; a finished job
--   (almost all of them) no longer enters it. /metrics counts by status
--   over jobs_client_status_idx, as it counted over this one.

CREATE OR REPLACE FUNCTION bomd_tenant_all() RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN coalesce(current_setting('bomd.client_id', true), '') = '*'
	    AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class
		WHERE oid = 'public.clients'::regclass);
END
$$;

ALTER TABLE projects ALTER COLUMN context SET COMPRESSION lz4;
ALTER TABLE projects ALTER COLUMN totals SET COMPRESSION lz4;
ALTER TABLE projects ALTER COLUMN warnings SET COMPRESSION lz4;
ALTER TABLE projects ALTER COLUMN intake_warnings SET COMPRESSION lz4;
ALTER TABLE jobs ALTER COLUMN request SET COMPRESSION lz4;
ALTER TABLE jobs ALTER COLUMN mpns SET COMPRESSION lz4;

DROP INDEX jobs_status_idx;
CREATE INDEX jobs_unfinished_idx ON jobs (updated_at)
	WHERE status IN ('queued', 'running');

-- Offer sets stored once (by the hash of their text, common/basis.c)
-- instead of in every job's basis: a 50-line basis was 18 KB of offers,
-- compressed, written and logged for every job. A basis names its sets
-- in "sets"; bomd_basis() gives the basis with their offers back in its
-- "offers", as basis_parse() reads it. Sets are catalog data, no
-- tenant's: the same offers are the same set for every tenant. A basis
-- written before names none and reads as it is.
CREATE TABLE offer_sets (
	hash		text PRIMARY KEY,
	offers		text NOT NULL
);
ALTER TABLE offer_sets ALTER COLUMN offers SET COMPRESSION lz4;
GRANT SELECT, INSERT ON offer_sets TO bomd_app;

CREATE FUNCTION bomd_basis(b text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN k = 0 THEN b ELSE (
	    SELECT left(b, o + 9) || string_agg(s.offers, ',' ORDER BY u.n) ||
		CASE WHEN substr(b, o + 10, 1) = ']' THEN '' ELSE ',' END ||
		substr(b, o + 10)
	    FROM unnest(string_to_array(replace(substr(b, k + 9,
		length(b) - k - 10), '"', ''), ',')) WITH ORDINALITY u(h, n)
	    JOIN offer_sets s ON s.hash = u.h) END
	FROM (SELECT position(',"sets":[' IN b) AS k,
	    position('"offers":[' IN b) AS o) p
$$;

-- An update checks its rows' client only when it changes it (bomd's
-- statements never do): a row trigger whose WHEN is false costs nothing,
-- where the statement trigger copied every updated row (its documents
-- too) into a transition table and read them back. Inserts keep their
-- statement-level check (0008).
CREATE FUNCTION bomd_check_client_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM clients c
	    WHERE c.client_id = NEW.client_id) THEN
		RAISE EXCEPTION 'insert or update on table "%" names a client '
		    'that does not exist', TG_TABLE_NAME
		    USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER projects_client_upd ON projects;
DROP TRIGGER jobs_client_upd ON jobs;
CREATE TRIGGER projects_client_upd BEFORE UPDATE ON projects FOR EACH ROW
	WHEN (NEW.client_id IS DISTINCT FROM OLD.client_id)
	EXECUTE FUNCTION bomd_check_client_row();
CREATE TRIGGER jobs_client_upd BEFORE UPDATE ON jobs FOR EACH ROW
	WHEN (NEW.client_id IS DISTINCT FROM OLD.client_id)
	EXECUTE FUNCTION bomd_check_client_row();

-- Part usage is found by the hashes of the MPNs a job used (64-bit,
-- hashtextextended(), stable across versions: hash partitioning relies
-- on it) instead of their text: an index entry is a number, compared as
-- one, where each was a string compared by collation; a hash that two
-- MPNs share is told apart by mpns itself. The answers are the same.
-- (A table of usage rows per part and project, written once per batch,
-- costs several times the index: 50 index rows per job against 50 list
-- entries.)
ALTER TABLE jobs ADD COLUMN mpn_keys bigint[];
UPDATE jobs SET mpn_keys = ARRAY(SELECT hashtextextended(m, 0)
    FROM unnest(mpns) m) WHERE mpns IS NOT NULL;
DROP INDEX jobs_mpns_idx;
CREATE INDEX jobs_mpn_keys_idx ON jobs USING gin (mpn_keys);
CREATE OR REPLACE FUNCTION bomd_part_times_used(c uuid, m text)
RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT count(*)::integer FROM jobs
	WHERE client_id = c AND status = 'complete'
	    AND mpn_keys @> ARRAY[hashtextextended(m, 0)] AND mpns @> ARRAY[m]
$$;
CREATE OR REPLACE FUNCTION bomd_part_last_used(c uuid, m text)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
	SELECT max(finished_at) FROM jobs
	WHERE client_id = c AND status = 'complete'
	    AND mpn_keys @> ARRAY[hashtextextended(m, 0)] AND mpns @> ARRAY[m]
$$;
CREATE OR REPLACE FUNCTION bomd_part_projects(c uuid, m text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT COALESCE(jsonb_agg(project_id ORDER BY last DESC), '[]')
	FROM (SELECT project_id, max(finished_at) AS last FROM jobs
	      WHERE client_id = c AND status = 'complete'
	      AND mpn_keys @> ARRAY[hashtextextended(m, 0)]
	      AND mpns @> ARRAY[m] AND project_id IS NOT NULL
	      GROUP BY project_id ORDER BY last DESC LIMIT 1000) s
$$;

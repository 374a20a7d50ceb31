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

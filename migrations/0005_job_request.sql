-- Failed and dead jobs keep their request (the queue entry's job field),
-- so POST /jobs/{id}/retry can queue them again after the stream entry is
-- gone; and the dead-job listing is served by an index.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS request jsonb;
CREATE INDEX IF NOT EXISTS jobs_client_status_idx
	ON jobs (client_id, status, updated_at);

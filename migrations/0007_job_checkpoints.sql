-- Stage checkpoints: what a job's expensive stages produced (decisions
-- after the LLM assessment), so a retried job resumes at persist instead
-- of paying for the LLM again. Deleted in the job's final transaction.

CREATE TABLE job_checkpoints (
	client_id	uuid NOT NULL REFERENCES clients ON DELETE CASCADE,
	job_id		text NOT NULL,
	stage		text NOT NULL,
	data		jsonb NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (client_id, job_id)
);

ALTER TABLE job_checkpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON job_checkpoints USING (bomd_tenant_ok(client_id))
	WITH CHECK (bomd_tenant_ok(client_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON job_checkpoints TO bomd_app;

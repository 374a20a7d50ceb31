-- bomd schema, version 1: tenants, keys, projects, line items, trace,
-- jobs, the offers catalog and per-tenant knowledge.
-- Every tenant table has client_id NOT NULL referencing clients, with an
-- index leading on client_id. All times are timestamptz.

CREATE TABLE clients (
	client_id	uuid PRIMARY KEY,
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	slug		text NOT NULL UNIQUE
			CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
	wallet_address	text UNIQUE
			CHECK (wallet_address ~ '^0x[0-9a-fA-F]{40}$'),
	active		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
	key_id		uuid PRIMARY KEY,
	client_id	uuid NOT NULL REFERENCES clients ON DELETE CASCADE,
	name		text NOT NULL DEFAULT 'default'
			CHECK (length(name) BETWEEN 1 AND 200),
	prefix		text NOT NULL,
	key_hash	bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	revoked_at	timestamptz,
	last_used_at	timestamptz
);
CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);
CREATE INDEX api_keys_client_idx ON api_keys (client_id);

CREATE TABLE projects (
	project_id	uuid PRIMARY KEY,
	client_id	uuid NOT NULL REFERENCES clients ON DELETE CASCADE,
	name		text NOT NULL DEFAULT '',
	status		text NOT NULL DEFAULT 'queued'
			CHECK (status IN ('queued', 'enriching', 'decisioning',
			    'complete', 'failed')),
	context		jsonb NOT NULL DEFAULT '{}',
	bom_csv		text,
	bom_filename	text,
	totals		jsonb,
	warnings	jsonb NOT NULL DEFAULT '[]',
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (client_id, project_id)
);
CREATE INDEX projects_client_idx ON projects (client_id, created_at DESC);

CREATE TABLE line_items (
	client_id	uuid NOT NULL REFERENCES clients ON DELETE CASCADE,
	project_id	uuid NOT NULL,
	line_no		integer NOT NULL,
	source_line	integer NOT NULL,
	designators	text[] NOT NULL DEFAULT '{}',
	quantity	bigint NOT NULL CHECK (quantity > 0),
	mpn		text NOT NULL,
	manufacturer	text NOT NULL DEFAULT '',
	description	text NOT NULL DEFAULT '',
	package		text NOT NULL DEFAULT '',
	value		text NOT NULL DEFAULT '',
	status		text NOT NULL DEFAULT 'pending_enrichment',
	selected_mpn	text,
	selected_supplier text,
	order_quantity	bigint,
	unit_price_micros bigint,
	extended_price_micros bigint,
	currency	text,
	final_decision	jsonb,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (project_id, line_no),
	FOREIGN KEY (client_id, project_id)
	    REFERENCES projects (client_id, project_id) ON DELETE CASCADE
);
CREATE INDEX line_items_client_idx ON line_items (client_id, project_id);

CREATE TABLE trace_steps (
	id		bigserial PRIMARY KEY,
	client_id	uuid NOT NULL REFERENCES clients ON DELETE CASCADE,
	project_id	uuid NOT NULL,
	job_id		text,
	step		text NOT NULL,
	agent		text NOT NULL,
	message		text NOT NULL,
	reasoning	text NOT NULL DEFAULT '',
	refs		jsonb NOT NULL DEFAULT '[]',
	created_at	timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (client_id, project_id)
	    REFERENCES projects (client_id, project_id) ON DELETE CASCADE
);
CREATE INDEX trace_steps_project_idx ON trace_steps (client_id, project_id, id);

CREATE TABLE jobs (
	job_id		text NOT NULL CHECK (length(job_id) BETWEEN 1 AND 128),
	client_id	uuid NOT NULL REFERENCES clients ON DELETE CASCADE,
	project_id	uuid,
	status		text NOT NULL DEFAULT 'queued'
			CHECK (status IN ('queued', 'running', 'complete',
			    'failed', 'dead')),
	attempts	integer NOT NULL DEFAULT 0,
	error		text,
	stream_id	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	started_at	timestamptz,
	finished_at	timestamptz,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (client_id, job_id)
);
CREATE INDEX jobs_project_idx ON jobs (client_id, project_id);
CREATE INDEX jobs_status_idx ON jobs (status, updated_at);

-- Jobs that named no existing, active client: not tenant data (there is
-- no tenant to own them), kept so an operator can see why they failed.
CREATE TABLE rejected_jobs (
	stream_id	text PRIMARY KEY,
	client_ref	text,
	job_ref		text,
	reason		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- The supplier offers catalog is distributor data shared by all tenants.
CREATE TABLE offers (
	supplier_id	text NOT NULL,
	sku		text NOT NULL,
	mpn		text NOT NULL,
	manufacturer	text NOT NULL DEFAULT '',
	supplier_name	text NOT NULL,
	supplier_type	text NOT NULL
			CHECK (supplier_type IN ('authorized', 'broker',
			    'direct')),
	stock		bigint NOT NULL CHECK (stock >= 0),
	moq		bigint NOT NULL CHECK (moq >= 1),
	order_multiple	bigint NOT NULL CHECK (order_multiple >= 1),
	lead_time_days	integer NOT NULL CHECK (lead_time_days >= 0),
	currency	text NOT NULL,
	breaks		jsonb NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (supplier_id, sku)
);
CREATE INDEX offers_mpn_idx ON offers (upper(mpn));

CREATE TABLE part_knowledge (
	client_id	uuid NOT NULL REFERENCES clients ON DELETE CASCADE,
	mpn		text NOT NULL,
	notes		text NOT NULL DEFAULT '',
	approved_alternates jsonb NOT NULL DEFAULT '[]',
	banned		boolean NOT NULL DEFAULT false,
	ban_reason	text,
	banned_by	text,
	preferred	boolean NOT NULL DEFAULT false,
	last_used_date	timestamptz,
	projects_used_in jsonb NOT NULL DEFAULT '[]',
	times_used	integer NOT NULL DEFAULT 0,
	failure_count	integer NOT NULL DEFAULT 0,
	quality_notes	jsonb NOT NULL DEFAULT '[]',
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (client_id, mpn)
);

CREATE TABLE supplier_knowledge (
	client_id	uuid NOT NULL REFERENCES clients ON DELETE CASCADE,
	supplier_id	text NOT NULL,
	name		text NOT NULL,
	supplier_type	text NOT NULL DEFAULT 'authorized'
			CHECK (supplier_type IN ('authorized', 'broker',
			    'direct')),
	trust_level	text NOT NULL DEFAULT 'medium'
			CHECK (trust_level IN ('high', 'medium', 'low',
			    'blocked')),
	on_time_rate	double precision NOT NULL DEFAULT 1.0,
	quality_rate	double precision NOT NULL DEFAULT 1.0,
	lead_time_accuracy double precision NOT NULL DEFAULT 1.0,
	account_rep	text,
	payment_terms	text,
	notes		text NOT NULL DEFAULT '',
	last_order_date	timestamptz,
	total_spend_ytd_micros bigint NOT NULL DEFAULT 0,
	order_count_ytd	integer NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (client_id, supplier_id)
);

CREATE TABLE llm_calls (
	id		bigserial PRIMARY KEY,
	client_id	uuid NOT NULL REFERENCES clients ON DELETE CASCADE,
	job_id		text NOT NULL,
	project_id	uuid,
	stage		text NOT NULL,
	model		text NOT NULL,
	prompt_tokens	bigint NOT NULL DEFAULT 0,
	completion_tokens bigint NOT NULL DEFAULT 0,
	latency_ms	bigint NOT NULL DEFAULT 0,
	attempts	integer NOT NULL DEFAULT 0,
	outcome		text NOT NULL,
	cost_micros	bigint NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX llm_calls_job_idx ON llm_calls (client_id, job_id);

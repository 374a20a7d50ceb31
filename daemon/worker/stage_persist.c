/*
 * Persist stage: the results of a batch of jobs in one statement (one
 * transaction), each job fenced by its jobs row so a duplicate delivery
 * commits nothing twice.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basis.h"
#include "bom.h"
#include "job_status.h"
#include "db.h"
#include "log.h"
#include "sourcing.h"
#include "stages.h"
#include "util.h"

/*
 * The lines document's literals are written with the writers below, which
 * reserve once per piece: the same bytes as buf_puts(), without its
 * strlen() and call per piece; strings and numbers go through buf_jstr()
 * and buf_jint().
 */
static inline char *
pw_room(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap)
		buf_reserve(b, n);
	return b->data + b->len;
}

static inline void
pw_mem(struct buf *b, const char *s, size_t n)
{
	memcpy(pw_room(b, n), s, n);
	b->len += n;
}

#define PW_LIT(b, s)	pw_mem((b), (s), sizeof(s) - 1)

/*
 * key and s, unless s is NULL or empty: a key left out reads as null, and
 * line_items and the API give these fields as '' (migration 0015).
 */
static void
persist_jtext(struct buf *b, const char *key, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	pw_mem(b, key, strlen(key));
	buf_jstr(b, s);
}

/* key and s, unless s is NULL: the key left out reads as null */
static void
persist_jopt(struct buf *b, const char *key, const char *s)
{
	if (s == NULL)
		return;
	pw_mem(b, key, strlen(key));
	buf_jstr(b, s);
}

static int
persist_dump_cb(const char *p, size_t n, void *data)
{
	buf_append(data, p, n);
	return 0;
}

/*
 * Written straight into b (building a jansson document per line and
 * dumping it cost a third of the worker's time); only output_data goes
 * through jansson. The keys are short and a key without a value is left
 * out (migration 0015: bomd_lines() reads them, and the documents of
 * before, as line_items' columns).
 */
int
stage_persist_lines_text(const struct job *job, struct buf *b)
{
	const struct bom_line *l;
	const struct line_decision *d;
	const char *od;
	size_t i, k;

	PW_LIT(b, "[");
	for (i = 0; i < job->bom->nlines; i++) {
		l = &job->bom->lines[i];
		d = i < job->ndecisions ? &job->decisions[i] : NULL;
		if (i == 0)
			PW_LIT(b, "{\"n\":");
		else
			PW_LIT(b, ",{\"n\":");
		buf_jint(b, (int64_t)(i + 1));
		PW_LIT(b, ",\"sl\":");
		buf_jint(b, (int64_t)l->line_no);
		PW_LIT(b, ",\"d\":[");
		for (k = 0; k < l->ndesignators; k++) {
			if (k > 0)
				PW_LIT(b, ",");
			buf_jstr(b, l->designators[k]);
		}
		PW_LIT(b, "],\"q\":");
		buf_jint(b, l->quantity);
		PW_LIT(b, ",\"m\":");
		buf_jstr(b, l->mpn);
		persist_jtext(b, ",\"mf\":", l->manufacturer);
		persist_jtext(b, ",\"ds\":", l->description);
		persist_jtext(b, ",\"pk\":", l->package);
		persist_jtext(b, ",\"v\":", l->value);
		/* a decided line's status follows from its decision (0015) */
		if (d == NULL)
			PW_LIT(b, ",\"s\":\"pending_enrichment\"");
		if (d != NULL && d->selected_mpn != NULL) {
			PW_LIT(b, ",\"sm\":");
			buf_jstr(b, d->selected_mpn);
			persist_jopt(b, ",\"ss\":", d->selected_supplier);
			PW_LIT(b, ",\"oq\":");
			buf_jint(b, d->order_quantity);
			PW_LIT(b, ",\"up\":");
			buf_jint(b, d->unit_micros);
			PW_LIT(b, ",\"xp\":");
			buf_jint(b, d->extended_micros);
			PW_LIT(b, ",\"c\":");
			buf_jstr(b, d->currency);
		} else if (d != NULL)
			persist_jopt(b, ",\"ss\":", d->selected_supplier);
		od = d != NULL && job->od_text != NULL ? job->od_text[i] : NULL;
		/* a line not decided has no final_decision */
		if (d != NULL && d->output_data == NULL && od == NULL) {
			/* decided quietly: the API renders the words; the
			 * status alone stands for the decision */
			PW_LIT(b, ",\"fd\":");
			buf_jstr(b, name_of(&decision_status_names, d->status));
		} else if (d != NULL) {
			PW_LIT(b, ",\"fd\":{\"status\":");
			buf_jstr(b, name_of(&decision_status_names, d->status));
			PW_LIT(b, ",\"reasoning\":");
			buf_jstr(b, d->reasoning ? d->reasoning : "");
			PW_LIT(b, ",\"agent_name\":\"final_decision\","
			    "\"output_data\":");
			/* dumped once for the checkpoint and for this */
			if (od != NULL)
				pw_mem(b, od, strlen(od));
			else if (json_dump_callback(d->output_data,
			    persist_dump_cb, b, PERSIST_JSON) == -1)
				return -1;
			PW_LIT(b, "}");
		}
		PW_LIT(b, "}");
	}
	PW_LIT(b, "]");
	b->data[b->len] = '\0';
	return 0;
}


/*
 * The batch: one text[] parameter per column, one element per job, in
 * PostgreSQL's binary array format (the documents are copied, never
 * parsed: lines and trace are stored as text). The jobs row fences each
 * job (only a job not final yet is written), and the rest joins on the
 * fenced ones: the project with its lines and trace documents, the LLM
 * calls, the checkpoint's removal.
 */
enum {
	PC_CLIENT, PC_JOB, PC_PROJECT, PC_STREAM, PC_STATUS, PC_ATTEMPTS,
	PC_ERROR, PC_REQUEST, PC_STARTED, PC_MPNS, PC_NAME, PC_CSV,
	PC_FILENAME, PC_CONTEXT, PC_TOTALS, PC_WARNINGS, PC_LINES, PC_TRACE,
	PC_LLM, PC_CHECKPOINTED, PC_REPROCESS, PC_BASIS,
	PC_JOBS,			/* the columns above: one per job */
	PC_SET_HASH = PC_JOBS, PC_SET_TEXT,	/* one per offer set */
	PC_N
};

static const char persist_batch_sql[] =
    "WITH x AS (SELECT c1::uuid AS client_id, c2 AS job_id, "
    "c3::uuid AS project_id, c4 AS stream_id, c5 AS status, "
    "c6::int AS attempts, c7 AS error, c8::jsonb AS request, "
    "c9::timestamptz AS started_at, c10::text[] AS mpns, "
    "c18 AS trace, c19::json AS llm_calls, c20::boolean AS checkpointed, "
    "c21::boolean AS reprocess FROM unnest($1::text[], $2::text[], "
    "$3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
    "$8::text[], $9::text[], $10::text[], $18::text[], $19::text[], "
    "$20::text[], $21::text[]) "
    "AS u(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c18, c19, c20, c21)), "
    "f AS (INSERT INTO jobs AS j (job_id, client_id, project_id, status, "
    "attempts, error, stream_id, request, mpns, mpn_keys, started_at, "
    "finished_at, updated_at) SELECT job_id, client_id, project_id, "
    "status, attempts, error, stream_id, request, mpns, "
    "ARRAY(SELECT hashtextextended(m, 0) FROM unnest(mpns) m), "
    "started_at, now(), now() FROM x "
    "ON CONFLICT (client_id, job_id) DO UPDATE SET "
    "status = EXCLUDED.status, attempts = GREATEST(j.attempts, "
    "EXCLUDED.attempts), error = EXCLUDED.error, "
    "stream_id = EXCLUDED.stream_id, "
    "request = COALESCE(EXCLUDED.request, j.request), "
    "mpns = EXCLUDED.mpns, mpn_keys = EXCLUDED.mpn_keys, "
    "project_id = COALESCE(j.project_id, EXCLUDED.project_id), "
    "started_at = EXCLUDED.started_at, finished_at = now(), "
    "updated_at = now() WHERE j.status NOT IN " JOB_FINAL_SQL " "
    "RETURNING j.client_id, j.job_id, j.project_id), "
    "d AS (SELECT x.client_id, x.job_id, x.status, x.trace, x.llm_calls, "
    "x.checkpointed, x.reprocess, f.project_id AS pid FROM x JOIN f "
    "USING (client_id, job_id)), "
    /* the documents are read once, here: x, read by three, is kept in
     * memory, and was a copy of every document */
    "p AS (INSERT INTO projects AS p (project_id, client_id, name, status, "
    "context, bom_csv, bom_filename, totals, warnings, lines, line_count, "
    "trace, basis) SELECT f.project_id, f.client_id, COALESCE(y.name, ''), "
    "'complete', COALESCE(y.context::jsonb, '{}'), y.bom_csv, "
    "y.bom_filename, y.totals::jsonb, COALESCE(y.warnings::jsonb, '[]'), "
    "COALESCE(y.lines, '[]'), COALESCE(cardinality(y.mpns::text[]), 0), "
    "COALESCE(y.trace, '[]'), y.basis "
    "FROM unnest($1::text[], $2::text[], $5::text[], $10::text[], "
    "$11::text[], $12::text[], $13::text[], $14::text[], $15::text[], "
    "$16::text[], $17::text[], $18::text[], $22::text[]) AS y(client_id, "
    "job_id, status, mpns, name, bom_csv, bom_filename, context, totals, "
    "warnings, lines, trace, basis) JOIN f ON f.client_id = "
    "y.client_id::uuid AND f.job_id = y.job_id "
    "WHERE y.status = 'complete' "
    "ON CONFLICT (client_id, project_id) DO UPDATE SET "
    "status = 'complete', "
    "name = CASE WHEN EXCLUDED.name <> '' THEN EXCLUDED.name "
    "ELSE p.name END, context = EXCLUDED.context, "
    "totals = EXCLUDED.totals, warnings = EXCLUDED.warnings, "
    "lines = EXCLUDED.lines, line_count = EXCLUDED.line_count, "
    "basis = EXCLUDED.basis, "
    "trace = (p.trace::jsonb || EXCLUDED.trace::jsonb)::text, "
    "updated_at = now() RETURNING 1), "
    "q AS (UPDATE projects p SET status = 'failed', "
    "trace = (p.trace::jsonb || COALESCE(d.trace, '[]')::jsonb)::text, "
    "updated_at = now() FROM d WHERE d.status <> 'complete' "
    "AND d.reprocess AND p.client_id = d.client_id "
    "AND p.project_id = d.pid RETURNING 1), "
    "l AS (INSERT INTO llm_calls (client_id, project_id, job_id, stage, "
    "model, prompt_tokens, completion_tokens, latency_ms, attempts, "
    "outcome, cost_micros) SELECT d.client_id, d.pid, d.job_id, c.stage, "
    "c.model, c.prompt_tokens, c.completion_tokens, c.latency_ms, "
    "c.attempts, c.outcome, c.cost_micros FROM d, "
    "json_to_recordset(d.llm_calls) AS c(stage text, model text, "
    "prompt_tokens bigint, completion_tokens bigint, latency_ms bigint, "
    "attempts int, outcome text, cost_micros bigint) "
    "WHERE d.llm_calls IS NOT NULL RETURNING 1), "
    /* in hash order: two batches storing the same sets wait, never
     * deadlock */
    "s AS (INSERT INTO offer_sets (hash, offers) SELECT h, o FROM "
    "unnest($23::text[], $24::text[]) AS t(h, o) ORDER BY h "
    "ON CONFLICT (hash) DO NOTHING RETURNING 1), "
    "k AS (DELETE FROM job_checkpoints c USING d WHERE d.checkpointed "
    "AND c.client_id = d.client_id AND c.job_id = d.job_id RETURNING 1) "
    "SELECT client_id::text, job_id FROM f";

static void	persist_str(struct db_array *, const char *);

/*
 * Offer sets this worker committed on its current connection, by hash
 * (open addressing; emptied when three quarters full: a set forgotten is
 * only sent again).
 */
#define PERSIST_KNOWN	8192
static char	persist_known[PERSIST_KNOWN][BASIS_HASH_LEN + 1];
static size_t	persist_nknown;

/* A hash's slot: its first digits are as good as any hash of it. */
static size_t
persist_known_slot(const char *hash)
{
	size_t i = 0, k;

	for (k = 0; k < 4 && hash[k] != '\0'; k++)
		i = i << 4 | (size_t)(hash[k] <= '9' ? hash[k] - '0' :
		    (hash[k] | 0x20) - 'a' + 10);
	i &= PERSIST_KNOWN - 1;
	while (persist_known[i][0] != '\0' &&
	    strcmp(persist_known[i], hash) != 0)
		i = (i + 1) & (PERSIST_KNOWN - 1);
	return i;
}

bool
stage_persist_set_known(const char *hash)
{
	return persist_known[persist_known_slot(hash)][0] != '\0';
}

static void
persist_known_add(const char *hash)
{
	size_t i;

	if (strlen(hash) != BASIS_HASH_LEN)
		return;
	if (persist_nknown >= PERSIST_KNOWN / 4 * 3) {
		memset(persist_known, 0, sizeof(persist_known));
		persist_nknown = 0;
	}
	i = persist_known_slot(hash);
	if (persist_known[i][0] == '\0') {
		memcpy(persist_known[i], hash, BASIS_HASH_LEN + 1);
		persist_nknown++;
	}
}

/*
 * The offer sets the complete jobs of jobs[0..n) carry and that are not
 * known stored, once each, as the batch's set columns. The sets, or
 * NULL when there are none.
 */
static json_t *
persist_sets(struct job *const *jobs, size_t n, struct db_array *col)
{
	json_t *all = NULL, *v;
	const char *hash;
	size_t i;

	for (i = 0; i < n; i++) {
		if (jobs[i]->outcome != JOB_COMPLETE || jobs[i]->sets == NULL)
			continue;
		json_object_foreach(jobs[i]->sets, hash, v) {
			if (stage_persist_set_known(hash))
				continue;
			if (all == NULL)
				all = json_object();
			json_object_set(all, hash, v);
		}
	}
	json_object_foreach(all, hash, v) {
		persist_str(&col[PC_SET_HASH], hash);
		db_array_add(&col[PC_SET_TEXT], json_string_value(v),
		    json_string_length(v));
	}
	return all;
}

/* Bytes of a column buffer kept for the next batch. */
#define PERSIST_KEEP_BYTES	(4 * 1024 * 1024)
/*
 * Bytes of all columns sent in one statement: a batch beyond them is sent
 * in several statements of one transaction, so the columns and libpq's
 * copy of them stay near this size (64 peer jobs are some 3 MB).
 */
#define PERSIST_CHUNK_BYTES	(1024 * 1024)

#define PERSIST_STMT	"bomd_persist_batch"

/* The columns, kept across batches: a batch's columns reach megabytes. */
static struct db_array	persist_col[PC_N];
static bool		persist_col_ready;

void
stage_persist_release(void)
{
	size_t k;

	if (!persist_col_ready)
		return;
	for (k = 0; k < PC_N; k++)
		db_array_free(&persist_col[k]);
	persist_col_ready = false;
}

/* The connection (and its backend) the statement was prepared on. */
static const PGconn	*persist_prepared_conn;
static int		 persist_prepared_pid;

static int
persist_prepare(PGconn *db)
{
	PGresult *r;
	int ok;

	if (persist_prepared_conn == db &&
	    persist_prepared_pid == PQbackendPID(db))
		return 0;
	/* another session, perhaps another server: nothing known stored */
	memset(persist_known, 0, sizeof(persist_known));
	persist_nknown = 0;
	/*
	 * Planned once: a plan made for each batch's values cost more than
	 * the generic one saves (a millisecond per batch). The setting is
	 * this worker's session's, whose other statements are simple.
	 */
	r = PQexec(db, "SET plan_cache_mode = force_generic_plan");
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		log_warnx("postgresql: plan_cache_mode: %s",
		    PQerrorMessage(db));
	PQclear(r);
	r = PQprepare(db, PERSIST_STMT, persist_batch_sql, PC_N, NULL);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		log_warnx("postgresql: prepare: %s", PQerrorMessage(db));
	PQclear(r);
	if (!ok)
		return -1;
	persist_prepared_conn = db;
	persist_prepared_pid = PQbackendPID(db);
	return 0;
}

static const char *
persist_status(enum job_outcome o)
{
	switch (o) {
	case JOB_COMPLETE:
		return "complete";
	case JOB_FAILED:
		return "failed";
	default:
		return "dead";
	}
}

static void
persist_str(struct db_array *a, const char *s)
{
	db_array_add(a, s, s != NULL ? strlen(s) : 0);
}

/* A jansson value as an element (NULL for NULL). -1 on failure. */
static int
persist_json(struct db_array *a, const json_t *v)
{
	size_t off;

	if (v == NULL) {
		db_array_add(a, NULL, 0);
		return 0;
	}
	off = db_array_begin(a);
	if (json_dump_callback(v, persist_dump_cb, &a->b, PERSIST_JSON) == -1)
		return -1;
	db_array_end(a, off);
	return 0;
}

/* The BOM's MPNs as an array literal ({"A","B"}). */
static void
persist_mpns(struct db_array *a, const struct job *job)
{
	const char *p;
	size_t i, off = db_array_begin(a);
	char *o;

	PW_LIT(&a->b, "{");
	for (i = 0; i < job->bom->nlines; i++) {
		p = job->bom->lines[i].mpn;
		o = pw_room(&a->b, 2 * strlen(p) + 3);
		if (i > 0)
			*o++ = ',';
		*o++ = '"';
		for (; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				*o++ = '\\';
			*o++ = *p;
		}
		*o++ = '"';
		a->b.len = (size_t)(o - a->b.data);
	}
	PW_LIT(&a->b, "}");
	a->b.data[a->b.len] = '\0';
	db_array_end(a, off);
}

/* One job's elements of the batch's columns. 0, or -1 when it cannot be
 * encoded. */
static int
persist_job(const struct job *job, struct db_array *col)
{
	bool complete = job->outcome == JOB_COMPLETE;
	char ts[40], att[16];
	json_t *req;
	size_t off;
	int rc;

	persist_str(&col[PC_CLIENT], job->client_id);
	persist_str(&col[PC_JOB], job->job_id);
	persist_str(&col[PC_PROJECT], job->project_id[0] ? job->project_id :
	    NULL);
	persist_str(&col[PC_STREAM], job->stream_id);
	persist_str(&col[PC_STATUS], persist_status(job->outcome));
	snprintf(att, sizeof(att), "%d", job->attempts);
	persist_str(&col[PC_ATTEMPTS], att);
	persist_str(&col[PC_ERROR], complete ? NULL : job->error);
	/* a failed or dead job keeps its request, for POST /jobs/{id}/retry */
	req = complete ? NULL : job_request(job);
	rc = persist_json(&col[PC_REQUEST], req);
	json_decref(req);
	if (rc == -1)
		return -1;
	time_rfc3339((time_t)(job->started_ms / 1000), ts, sizeof(ts));
	persist_str(&col[PC_STARTED], ts);
	persist_str(&col[PC_CHECKPOINTED], job->checkpointed ? "t" : "f");
	persist_str(&col[PC_REPROCESS], job->reprocess ? "t" : "f");
	off = db_array_begin(&col[PC_TRACE]);
	job_trace_text(job, &col[PC_TRACE].b);
	db_array_end(&col[PC_TRACE], off);
	if (!complete) {
		persist_str(&col[PC_MPNS], NULL);
		persist_str(&col[PC_NAME], NULL);
		persist_str(&col[PC_CSV], NULL);
		persist_str(&col[PC_FILENAME], NULL);
		persist_str(&col[PC_CONTEXT], NULL);
		persist_str(&col[PC_TOTALS], NULL);
		persist_str(&col[PC_WARNINGS], NULL);
		persist_str(&col[PC_LLM], NULL);
		persist_str(&col[PC_LINES], NULL);
		persist_str(&col[PC_BASIS], NULL);
		return 0;
	}
	persist_mpns(&col[PC_MPNS], job);
	persist_str(&col[PC_NAME], job->project_name);
	/* a job that named its project has its BOM stored there already */
	persist_str(&col[PC_CSV], job->reprocess ? NULL : job->bom_csv);
	persist_str(&col[PC_FILENAME], job->bom_filename);
	if (job->context_text != NULL)
		persist_str(&col[PC_CONTEXT], job->context_text);
	else if (persist_json(&col[PC_CONTEXT], job->context) == -1)
		return -1;
	if (persist_json(&col[PC_TOTALS], job->totals) == -1 ||
	    persist_json(&col[PC_WARNINGS], job->warnings) == -1 ||
	    persist_json(&col[PC_LLM], json_array_size(job->llm_calls) > 0 ?
	    job->llm_calls : NULL) == -1)
		return -1;
	persist_str(&col[PC_BASIS], job->basis);
	off = db_array_begin(&col[PC_LINES]);
	if (stage_persist_lines_text(job, &col[PC_LINES].b) == -1)
		return -1;
	db_array_end(&col[PC_LINES], off);
	return 0;
}

static bool
persist_wanted(const struct job *job)
{
	return job->outcome == JOB_COMPLETE || job->outcome == JOB_FAILED ||
	    job->outcome == JOB_DEAD;
}

/*
 * Runs the statement for jobs[0..n) (those persist_wanted()), or for as
 * many as PERSIST_CHUNK_BYTES take (at least one): *used says how many.
 * When that leaves some, a transaction is opened first if tx is not NULL
 * and *tx is false (*tx is then set); the caller commits it. Marks dup
 * the jobs not fenced; adds the offer sets the statement wrote to written
 * (known stored once committed). 0; 1 when the statement failed (the
 * connection is fine); -1 when the connection failed.
 */
static int
persist_exec(PGconn *db, struct job *const *jobs, size_t n, size_t *used,
    bool *tx, json_t *written)
{
	struct db_array *col = persist_col;
	const char *params[PC_N];
	int lens[PC_N], formats[PC_N];
	PGresult *r;
	json_t *sets = NULL;
	size_t i, k, sent = 0, bytes = 0;
	int rows, row, rc = 1;
	bool more;

	for (k = 0; k < PC_N; k++) {
		if (!persist_col_ready)
			db_array_init(&col[k]);
		else
			db_array_reset(&col[k]);
	}
	persist_col_ready = true;
	*used = 0;
	for (i = 0; i < n; i++) {
		if (!persist_wanted(jobs[i]))
			continue;
		if (bytes >= PERSIST_CHUNK_BYTES)
			break;
		/* packed texts are read a job at a time */
		if (job_od_peek(jobs[i]) == -1 ||
		    persist_job(jobs[i], col) == -1) {
			job_od_unpeek(jobs[i]);
			log_job_warnx(jobs[i], "persist: cannot encode the "
			    "result");
			goto out;
		}
		job_od_unpeek(jobs[i]);
		sent++;
		for (k = 0, bytes = 0; k < PC_N; k++)
			bytes += col[k].b.len;
	}
	/* what is left goes in the same transaction */
	more = i < n;
	*used = n = i;
	rc = 0;
	if (sent == 0)
		goto out;
	sets = persist_sets(jobs, n, col);
	rc = PQstatus(db) == CONNECTION_OK ? 1 : -1;
	if (persist_prepare(db) == -1)
		goto out;
	if (more && tx != NULL && !*tx) {
		if (db_begin(db) == -1)
			goto out;
		*tx = true;
	}
	for (k = 0; k < PC_N; k++) {
		db_array_done(&col[k]);
		params[k] = col[k].b.data;
		lens[k] = (int)col[k].b.len;
		formats[k] = 1;
	}
	r = PQexecPrepared(db, PERSIST_STMT, PC_N, params, lens, formats, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		msg[strcspn(msg, "\n")] = '\0';
		log_warnx("postgresql: persist: %s", msg);
		PQclear(r);
		rc = PQstatus(db) == CONNECTION_OK ? 1 : -1;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (persist_wanted(jobs[i]))
			jobs[i]->dup = true;
	rows = PQntuples(r);
	for (row = 0; row < rows; row++)
		for (k = 0; k < n; k++)
			if (persist_wanted(jobs[k]) && jobs[k]->dup &&
			    strcmp(jobs[k]->job_id, PQgetvalue(r, row, 1)) == 0 &&
			    strcmp(jobs[k]->client_id, PQgetvalue(r, row, 0))
			    == 0) {
				jobs[k]->dup = false;
				break;
			}
	PQclear(r);
	if (sets != NULL)
		json_object_update(written, sets);
	rc = 0;
out:
	json_decref(sets);
	/* a batch far over the usual keeps its memory no longer than itself */
	for (k = 0; k < PC_N; k++)
		if (col[k].b.cap > PERSIST_KEEP_BYTES) {
			db_array_free(&col[k]);
			db_array_init(&col[k]);
		}
	return rc;
}

/* The offer sets of written, committed now, are known stored. */
static void
persist_known_commit(json_t *written)
{
	const char *hash;
	json_t *v;

	json_object_foreach(written, hash, v)
		persist_known_add(hash);
	json_object_clear(written);
}

int
stage_persist_batch(PGconn *db, struct job *const *jobs, size_t n)
{
	json_t *written = json_object();
	size_t i, done, used;
	bool tx = false;
	int rc = 0;

	for (done = 0; done < n && rc == 0; done += used)
		rc = persist_exec(db, jobs + done, n - done, &used, &tx,
		    written);
	if (rc == 0 && tx && db_commit(db) == -1)
		rc = PQstatus(db) == CONNECTION_OK ? 1 : -1;
	if (rc != 0 && tx)
		db_rollback(db);
	if (rc == 0)
		persist_known_commit(written);
	json_object_clear(written);
	if (rc <= 0) {
		json_decref(written);
		return rc;
	}
	/* one job spoils the batch: find it by committing each alone */
	for (i = 0; i < n; i++) {
		if (!persist_wanted(jobs[i]))
			continue;
		rc = persist_exec(db, &jobs[i], 1, &used, NULL, written);
		if (rc == 0)
			persist_known_commit(written);
		if (rc == -1) {
			json_decref(written);
			return -1;
		}
		if (rc == 1 && jobs[i]->outcome == JOB_DEAD) {
			/* the dead letter records it: nothing is retried */
			log_job_warnx(jobs[i], "dead, but its jobs row cannot "
			    "be written");
		} else if (rc == 1) {
			if (jobs[i]->error[0] == '\0' ||
			    jobs[i]->outcome == JOB_COMPLETE)
				job_seterr(jobs[i], "cannot be committed "
				    "(see the worker log)");
			jobs[i]->outcome = JOB_RETRY;
		}
	}
	json_decref(written);
	return 0;
}

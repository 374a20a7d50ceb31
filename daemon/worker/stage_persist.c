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

#include "bom.h"
#include "job_status.h"
#include "db.h"
#include "log.h"
#include "sourcing.h"
#include "stages.h"
#include "util.h"

/* prices as numbers: 15 digits, so 0.71 is not written 0.70999999999999996 */
#define PERSIST_JSON	(JSON_COMPACT | JSON_REAL_PRECISION(15))

/* The line item status the original used for each decision. */
static const char *
persist_line_status(enum decision_status s)
{
	switch (s) {
	case DECISION_APPROVED:
		return "pending_purchase";
	case DECISION_ESCALATED:
		return "pending_final_decision";
	default:
		return "failed";
	}
}

/* A JSON string: UTF-8 passed through, quotes and controls escaped. */
static void
persist_jstr(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run;
	char esc[6];

	buf_append(b, "\"", 1);
	for (run = s; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, run, (size_t)(s - run));
		run = s + 1;
		esc[0] = '\\';
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			buf_append(b, esc, 2);
		} else if (c == '\n' || c == '\t' || c == '\r') {
			esc[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
			buf_append(b, esc, 2);
		} else {
			buf_append(b, "\\u00", 4);
			esc[0] = hex[c >> 4];
			esc[1] = hex[c & 15];
			buf_append(b, esc, 2);
		}
	}
	buf_append(b, run, (size_t)(s - run));
	buf_append(b, "\"", 1);
}

static void
persist_jopt(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_append(b, "null", 4);
	else
		persist_jstr(b, s);
}

static void
persist_jint(struct buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
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
 * through jansson.
 */
int
stage_persist_lines_text(const struct job *job, struct buf *b)
{
	const struct bom_line *l;
	const struct line_decision *d;
	size_t i, k;

	buf_append(b, "[", 1);
	for (i = 0; i < job->bom->nlines; i++) {
		l = &job->bom->lines[i];
		d = i < job->ndecisions ? &job->decisions[i] : NULL;
		buf_puts(b, i == 0 ? "{\"line_no\":" : ",{\"line_no\":");
		persist_jint(b, (int64_t)(i + 1));
		buf_puts(b, ",\"source_line\":");
		persist_jint(b, (int64_t)l->line_no);
		buf_puts(b, ",\"designators\":[");
		for (k = 0; k < l->ndesignators; k++) {
			if (k > 0)
				buf_append(b, ",", 1);
			persist_jstr(b, l->designators[k]);
		}
		buf_puts(b, "],\"quantity\":");
		persist_jint(b, l->quantity);
		buf_puts(b, ",\"mpn\":");
		persist_jstr(b, l->mpn);
		buf_puts(b, ",\"manufacturer\":");
		persist_jstr(b, l->manufacturer ? l->manufacturer : "");
		buf_puts(b, ",\"description\":");
		persist_jstr(b, l->description ? l->description : "");
		buf_puts(b, ",\"package\":");
		persist_jstr(b, l->package ? l->package : "");
		buf_puts(b, ",\"value\":");
		persist_jstr(b, l->value ? l->value : "");
		buf_puts(b, ",\"status\":");
		persist_jstr(b, d ? persist_line_status(d->status) :
		    "pending_enrichment");
		buf_puts(b, ",\"selected_mpn\":");
		persist_jopt(b, d ? d->selected_mpn : NULL);
		buf_puts(b, ",\"selected_supplier\":");
		persist_jopt(b, d ? d->selected_supplier : NULL);
		if (d != NULL && d->selected_mpn != NULL) {
			buf_puts(b, ",\"order_quantity\":");
			persist_jint(b, d->order_quantity);
			buf_puts(b, ",\"unit_price_micros\":");
			persist_jint(b, d->unit_micros);
			buf_puts(b, ",\"extended_price_micros\":");
			persist_jint(b, d->extended_micros);
			buf_puts(b, ",\"currency\":");
			persist_jstr(b, d->currency);
		} else
			buf_puts(b, ",\"order_quantity\":null,"
			    "\"unit_price_micros\":null,"
			    "\"extended_price_micros\":null,\"currency\":null");
		buf_puts(b, ",\"final_decision\":");
		if (d == NULL)
			buf_append(b, "null", 4);
		else {
			buf_puts(b, "{\"status\":");
			persist_jstr(b, decision_status_name(d->status));
			buf_puts(b, ",\"reasoning\":");
			persist_jstr(b, d->reasoning ? d->reasoning : "");
			buf_puts(b, ",\"agent_name\":\"final_decision\","
			    "\"output_data\":");
			if (d->output_data == NULL)
				buf_append(b, "{}", 2);
			else if (json_dump_callback(d->output_data,
			    persist_dump_cb, b, PERSIST_JSON) == -1)
				return -1;
			buf_append(b, "}", 1);
		}
		buf_append(b, "}", 1);
	}
	buf_append(b, "]", 1);
	return 0;
}


/*
 * The batch: one JSON array, one object per job, written by
 * persist_job_text(). The jobs row fences each job (only a job not final
 * yet is written), and the rest joins on the fenced ones: the project with
 * its lines and trace documents, the LLM calls, the checkpoint's removal.
 */
static const char persist_batch_sql[] =
    "WITH x AS (SELECT * FROM json_to_recordset($1::json) AS x("
    "client_id uuid, job_id text, project_id uuid, stream_id text, "
    "status text, attempts int, error text, request jsonb, "
    "started_at timestamptz, mpns text[], name text, bom_csv text, "
    "bom_filename text, context jsonb, totals jsonb, warnings jsonb, "
    "lines json, trace json, llm_calls json, checkpointed boolean, "
    "reprocess boolean)), "
    "f AS (INSERT INTO jobs AS j (job_id, client_id, project_id, status, "
    "attempts, error, stream_id, request, mpns, started_at, finished_at, "
    "updated_at) SELECT job_id, client_id, project_id, status, attempts, "
    "error, stream_id, request, mpns, started_at, now(), now() FROM x "
    "ON CONFLICT (client_id, job_id) DO UPDATE SET "
    "status = EXCLUDED.status, attempts = GREATEST(j.attempts, "
    "EXCLUDED.attempts), error = EXCLUDED.error, "
    "stream_id = EXCLUDED.stream_id, "
    "request = COALESCE(EXCLUDED.request, j.request), "
    "mpns = EXCLUDED.mpns, "
    "project_id = COALESCE(j.project_id, EXCLUDED.project_id), "
    "started_at = EXCLUDED.started_at, finished_at = now(), "
    "updated_at = now() WHERE j.status NOT IN " JOB_FINAL_SQL " "
    "RETURNING j.client_id, j.job_id, j.project_id), "
    "d AS (SELECT x.*, f.project_id AS pid FROM x JOIN f "
    "USING (client_id, job_id)), "
    "p AS (INSERT INTO projects AS p (project_id, client_id, name, status, "
    "context, bom_csv, bom_filename, totals, warnings, lines, trace) "
    "SELECT pid, client_id, COALESCE(name, ''), 'complete', "
    "COALESCE(context, '{}'), bom_csv, bom_filename, totals, "
    "COALESCE(warnings, '[]'), COALESCE(lines, '[]'), "
    "COALESCE(trace, '[]') FROM d WHERE status = 'complete' "
    "ON CONFLICT (project_id) DO UPDATE SET status = 'complete', "
    "name = CASE WHEN EXCLUDED.name <> '' THEN EXCLUDED.name "
    "ELSE p.name END, context = EXCLUDED.context, "
    "totals = EXCLUDED.totals, warnings = EXCLUDED.warnings, "
    "lines = EXCLUDED.lines, "
    "trace = (p.trace::jsonb || EXCLUDED.trace::jsonb)::json, "
    "updated_at = now() WHERE p.client_id = EXCLUDED.client_id "
    "RETURNING 1), "
    "q AS (UPDATE projects p SET status = 'failed', "
    "trace = (p.trace::jsonb || COALESCE(d.trace, '[]')::jsonb)::json, "
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
    "k AS (DELETE FROM job_checkpoints c USING d WHERE d.checkpointed "
    "AND c.client_id = d.client_id AND c.job_id = d.job_id RETURNING 1) "
    "SELECT client_id::text, job_id FROM f";

#define PERSIST_STMT	"bomd_persist_batch"

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
	r = PQprepare(db, PERSIST_STMT, persist_batch_sql, 1, NULL);
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

/* A jansson value, dumped into b; "null" for NULL. -1 on failure. */
static int
persist_json(struct buf *b, const json_t *v)
{
	if (v == NULL) {
		buf_puts(b, "null");
		return 0;
	}
	return json_dump_callback(v, persist_dump_cb, b, PERSIST_JSON);
}

/* One job's object of the batch array. 0, or -1 when it cannot be encoded. */
static int
persist_job_text(const struct job *job, struct buf *b)
{
	bool complete = job->outcome == JOB_COMPLETE;
	char ts[40];
	time_t t;
	size_t i;

	buf_puts(b, "{\"client_id\":");
	persist_jstr(b, job->client_id);
	buf_puts(b, ",\"job_id\":");
	persist_jstr(b, job->job_id);
	buf_puts(b, ",\"project_id\":");
	persist_jopt(b, job->project_id[0] ? job->project_id : NULL);
	buf_puts(b, ",\"stream_id\":");
	persist_jstr(b, job->stream_id);
	buf_puts(b, ",\"status\":");
	persist_jstr(b, persist_status(job->outcome));
	buf_puts(b, ",\"attempts\":");
	persist_jint(b, job->attempts);
	buf_puts(b, ",\"error\":");
	persist_jopt(b, complete ? NULL : job->error);
	/* a failed or dead job keeps its request, for POST /jobs/{id}/retry */
	buf_puts(b, ",\"request\":");
	if (!complete && job->req != NULL) {
		if (persist_json(b, job->req) == -1)
			return -1;
	} else
		buf_puts(b, "null");
	t = (time_t)(job->started_ms / 1000);
	time_rfc3339(t, ts, sizeof(ts));
	buf_puts(b, ",\"started_at\":");
	persist_jstr(b, ts);
	buf_puts(b, ",\"reprocess\":");
	buf_puts(b, job->reprocess ? "true" : "false");
	buf_puts(b, ",\"checkpointed\":");
	buf_puts(b, job->checkpointed ? "true" : "false");
	buf_puts(b, ",\"trace\":");
	if (persist_json(b, job->trace) == -1)
		return -1;
	if (!complete) {
		buf_puts(b, "}");
		return 0;
	}
	buf_puts(b, ",\"mpns\":[");
	for (i = 0; i < job->bom->nlines; i++) {
		if (i > 0)
			buf_puts(b, ",");
		persist_jstr(b, job->bom->lines[i].mpn);
	}
	buf_puts(b, "],\"name\":");
	persist_jopt(b, job->project_name);
	/* a job that named its project has its BOM stored there already */
	buf_puts(b, ",\"bom_csv\":");
	persist_jopt(b, job->reprocess ? NULL : job->bom_csv);
	buf_puts(b, ",\"bom_filename\":");
	persist_jopt(b, job->bom_filename);
	buf_puts(b, ",\"context\":");
	if (persist_json(b, job->context) == -1)
		return -1;
	buf_puts(b, ",\"totals\":");
	if (persist_json(b, job->totals) == -1)
		return -1;
	buf_puts(b, ",\"warnings\":");
	if (persist_json(b, job->warnings) == -1)
		return -1;
	buf_puts(b, ",\"llm_calls\":");
	if (persist_json(b, json_array_size(job->llm_calls) > 0 ?
	    job->llm_calls : NULL) == -1)
		return -1;
	buf_puts(b, ",\"lines\":");
	if (stage_persist_lines_text(job, b) == -1)
		return -1;
	buf_puts(b, "}");
	return 0;
}

static bool
persist_wanted(const struct job *job)
{
	return job->outcome == JOB_COMPLETE || job->outcome == JOB_FAILED ||
	    job->outcome == JOB_DEAD;
}

/*
 * Runs the statement for jobs[0..n) (those persist_wanted()); marks dup
 * the ones not fenced. 0; 1 when the statement failed (the connection is
 * fine); -1 when the connection failed.
 */
static int
persist_exec(PGconn *db, struct job *const *jobs, size_t n)
{
	const char *params[1];
	struct buf b;
	PGresult *r;
	size_t i, k, sent = 0;
	int rows, row, rc;

	buf_init(&b);
	buf_puts(&b, "[");
	for (i = 0; i < n; i++) {
		if (!persist_wanted(jobs[i]))
			continue;
		if (sent > 0)
			buf_puts(&b, ",");
		if (persist_job_text(jobs[i], &b) == -1) {
			buf_free(&b);
			log_job_warnx(jobs[i], "persist: cannot encode the "
			    "result");
			return 1;
		}
		sent++;
	}
	buf_puts(&b, "]");
	if (sent == 0) {
		buf_free(&b);
		return 0;
	}
	if (persist_prepare(db) == -1) {
		buf_free(&b);
		return PQstatus(db) == CONNECTION_OK ? 1 : -1;
	}
	params[0] = b.data;
	r = PQexecPrepared(db, PERSIST_STMT, 1, params, NULL, NULL, 0);
	buf_free(&b);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		msg[strcspn(msg, "\n")] = '\0';
		log_warnx("postgresql: persist: %s", msg);
		PQclear(r);
		return PQstatus(db) == CONNECTION_OK ? 1 : -1;
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
	rc = 0;
	return rc;
}

int
stage_persist_batch(PGconn *db, struct job *const *jobs, size_t n)
{
	size_t i;
	int rc;

	if ((rc = persist_exec(db, jobs, n)) <= 0)
		return rc;
	/* one job spoils the batch: find it by committing each alone */
	for (i = 0; i < n; i++) {
		if (!persist_wanted(jobs[i]))
			continue;
		if ((rc = persist_exec(db, &jobs[i], 1)) == -1)
			return -1;
		if (rc == 1) {
			if (jobs[i]->error[0] == '\0' ||
			    jobs[i]->outcome == JOB_COMPLETE)
				job_seterr(jobs[i], "cannot be committed "
				    "(see the worker log)");
			jobs[i]->outcome = JOB_RETRY;
		}
	}
	return 0;
}

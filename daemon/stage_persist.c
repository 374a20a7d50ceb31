/*
 * Persist stage: the whole result of a job in one transaction, fenced by
 * the job row so a duplicate delivery commits nothing twice.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bom.h"
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
 * All line items as one JSON array for jsonb_to_recordset(), written
 * straight into b (building a jansson document per line and dumping it
 * cost a third of the worker's time); only output_data goes through
 * jansson. Returns 0, or -1 when output_data cannot be dumped.
 */
static int
persist_lines_text(const struct job *job, struct buf *b)
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

/* Inserts the lines written by persist_lines_text() ($4). */
static const char persist_lines_sql[] = "INSERT INTO line_items (client_id, "
    "project_id, line_no, source_line, designators, quantity, mpn, "
    "manufacturer, description, package, value, status, selected_mpn, "
    "selected_supplier, order_quantity, unit_price_micros, "
    "extended_price_micros, currency, final_decision) "
    "SELECT $1, $2, x.line_no, x.source_line, x.designators, "
    "x.quantity, x.mpn, x.manufacturer, x.description, x.package, "
    "x.value, x.status, x.selected_mpn, x.selected_supplier, "
    "x.order_quantity, x.unit_price_micros, x.extended_price_micros, "
    "x.currency, x.final_decision FROM jsonb_to_recordset($4::jsonb) "
    "AS x(line_no int, source_line int, designators text[], "
    "quantity bigint, mpn text, manufacturer text, description text, "
    "package text, value text, status text, selected_mpn text, "
    "selected_supplier text, order_quantity bigint, "
    "unit_price_micros bigint, extended_price_micros bigint, "
    "currency text, final_decision jsonb) WHERE $3::text IS NOT NULL";

int
stage_persist_lines_start(struct job *job, PGconn *db)
{
	const char *pl[4], *pd[2];
	struct db_stmt st[2];
	struct buf b;
	int rc;

	buf_init(&b);
	/* no decisions yet: every line is pending_enrichment */
	if (job->ndecisions != 0 || persist_lines_text(job, &b) == -1) {
		buf_free(&b);
		return -1;
	}
	pd[0] = pl[0] = job->client_id;
	pd[1] = pl[1] = job->project_id;
	pl[2] = job->job_id;
	pl[3] = b.data;
	st[0] = (struct db_stmt){ "DELETE FROM line_items WHERE "
	    "client_id = $1 AND project_id = $2", 2, pd, NULL };
	st[1] = (struct db_stmt){ persist_lines_sql, 4, pl, NULL };
	rc = db_pipeline(db, st, 2);
	if (rc == 0)
		db_pipeline_clear(st, 2);
	buf_free(&b);
	return rc;
}

int
stage_persist_lines_status(struct job *job, PGconn *db, const char *status)
{
	const char *params[3] = { job->client_id, job->project_id, status };

	return db_exec(db, "UPDATE line_items SET status = $3, updated_at = "
	    "now() WHERE client_id = $1 AND project_id = $2", 3, params);
}

/* The BOM's MPNs as a JSON array of strings. */
static void
persist_mpns_text(const struct job *job, struct buf *b)
{
	size_t i;

	buf_append(b, "[", 1);
	for (i = 0; i < job->bom->nlines; i++) {
		if (i > 0)
			buf_append(b, ",", 1);
		persist_jstr(b, job->bom->lines[i].mpn);
	}
	buf_append(b, "]", 1);
}

/*
 * Two round trips: the fence (BEGIN and the job row locked), then every
 * write and COMMIT in one pipeline; any failure rolls all of it back.
 */
enum stage_rc
stage_persist_run(struct job *job, PGconn *db, int *dup)
{
	const char *p2[2] = { job->client_id, job->job_id };
	const char *pl[4], *pt[4], *pc[4], *pm[4], *pp[6], *pd[2];
	struct db_stmt st[12];
	struct buf lines, mpns;
	char *trace = NULL, *calls = NULL;
	char *totals = NULL, *warnings = NULL, *context = NULL;
	size_t n = 0;
	enum stage_rc rc = STAGE_RETRY;

	*dup = 0;
	buf_init(&lines);
	buf_init(&mpns);
	st[0] = (struct db_stmt){ "BEGIN", 0, NULL, NULL };
	st[1] = (struct db_stmt){ "SELECT status FROM jobs WHERE "
	    "client_id = $1 AND job_id = $2 FOR UPDATE", 2, p2, NULL };
	if (db_pipeline(db, st, 2) == -1)
		goto out;
	if (PQntuples(st[1].res) == 1 &&
	    strcmp(PQgetvalue(st[1].res, 0, 0), "complete") == 0) {
		db_pipeline_clear(st, 2);
		*dup = 1;
		rc = STAGE_OK;
		goto out;
	}
	db_pipeline_clear(st, 2);

	if (persist_lines_text(job, &lines) == -1) {
		log_job_warnx(job, "persist: cannot encode the line items");
		goto out;
	}
	persist_mpns_text(job, &mpns);
	trace = json_dumps(job->trace, PERSIST_JSON);
	calls = json_array_size(job->llm_calls) > 0 ?
	    json_dumps(job->llm_calls, PERSIST_JSON) : NULL;
	totals = job->totals ? json_dumps(job->totals, PERSIST_JSON) : NULL;
	warnings = json_dumps(job->warnings, PERSIST_JSON);
	context = json_dumps(job->context, PERSIST_JSON);
	if (trace == NULL || warnings == NULL || context == NULL ||
	    (job->totals != NULL && totals == NULL) ||
	    (json_array_size(job->llm_calls) > 0 && calls == NULL)) {
		log_job_warnx(job, "persist: cannot encode the result");
		goto out;
	}
	pl[0] = pt[0] = pc[0] = pm[0] = job->client_id;
	pl[1] = pt[1] = pc[1] = pm[1] = job->project_id;
	pl[2] = pt[2] = pc[2] = pm[2] = job->job_id;
	pl[3] = lines.data;
	pt[3] = trace;
	pc[3] = calls;
	pm[3] = mpns.data;
	pp[0] = job->client_id;
	pp[1] = job->project_id;
	pp[2] = totals;
	pp[3] = warnings;
	pp[4] = context;
	pp[5] = job->project_name ? job->project_name : "";
	pd[0] = job->client_id;
	pd[1] = job->project_id;

	/* reprocessing a project replaces its line items */
	st[n++] = (struct db_stmt){ "DELETE FROM line_items WHERE "
	    "client_id = $1 AND project_id = $2", 2, pd, NULL };
	st[n++] = (struct db_stmt){ persist_lines_sql, 4, pl, NULL };
	st[n++] = (struct db_stmt){ "INSERT INTO trace_steps (client_id, "
	    "project_id, job_id, step, agent, message, reasoning, refs, "
	    "created_at) SELECT $1, $2, $3, x.step, x.agent, x.message, "
	    "x.reasoning, COALESCE(x.\"references\", '[]'), x.\"timestamp\" "
	    "FROM jsonb_to_recordset($4::jsonb) AS x(step text, agent text, "
	    "message text, reasoning text, \"references\" jsonb, "
	    "\"timestamp\" timestamptz)", 4, pt, NULL };
	/* LLM accounting: inside the job's fence, so never counted twice */
	if (calls != NULL)
		st[n++] = (struct db_stmt){ "INSERT INTO llm_calls "
		    "(client_id, project_id, job_id, stage, model, "
		    "prompt_tokens, completion_tokens, latency_ms, attempts, "
		    "outcome, cost_micros) SELECT $1, $2, $3, x.stage, "
		    "x.model, x.prompt_tokens, x.completion_tokens, "
		    "x.latency_ms, x.attempts, x.outcome, x.cost_micros FROM "
		    "jsonb_to_recordset($4::jsonb) AS x(stage text, model text, "
		    "prompt_tokens bigint, completion_tokens bigint, "
		    "latency_ms bigint, attempts int, outcome text, "
		    "cost_micros bigint)", 4, pc, NULL };
	st[n++] = (struct db_stmt){ "UPDATE projects SET status = "
	    "'complete', totals = $3::jsonb, warnings = $4::jsonb, "
	    "context = $5::jsonb, name = $6, updated_at = now() "
	    "WHERE client_id = $1 AND project_id = $2", 6, pp, NULL };
	/* usage counts: once per job, fenced by the job row lock above */
	/* sorted, so two jobs of one tenant lock the rows in the same order */
	st[n++] = (struct db_stmt){ "INSERT INTO part_knowledge AS k "
	    "(client_id, mpn, times_used, last_used_date) "
	    "SELECT $1, m, 1, now() FROM "
	    "(SELECT DISTINCT jsonb_array_elements_text($4::jsonb) AS m) s "
	    "WHERE $2::uuid IS NOT NULL AND $3::text IS NOT NULL ORDER BY m "
	    "ON CONFLICT (client_id, mpn) DO UPDATE SET "
	    "times_used = k.times_used + 1, last_used_date = now(), "
	    "updated_at = now()", 4, pm, NULL };
	st[n++] = (struct db_stmt){ "INSERT INTO part_usage (client_id, mpn, "
	    "project_id) SELECT $1, m, $2 FROM "
	    "(SELECT DISTINCT jsonb_array_elements_text($4::jsonb) AS m) s "
	    "WHERE $3::text IS NOT NULL ORDER BY m "
	    "ON CONFLICT (client_id, mpn, project_id) DO UPDATE SET "
	    "used_at = now()", 4, pm, NULL };
	st[n++] = (struct db_stmt){ "UPDATE jobs SET status = 'complete', "
	    "error = NULL, finished_at = now(), updated_at = now() "
	    "WHERE client_id = $1 AND job_id = $2", 2, p2, NULL };
	if (job->checkpointed)
		st[n++] = (struct db_stmt){ "DELETE FROM job_checkpoints "
		    "WHERE client_id = $1 AND job_id = $2", 2, p2, NULL };
	st[n++] = (struct db_stmt){ "COMMIT", 0, NULL, NULL };
	if (db_pipeline(db, st, n) == -1)
		goto out;
	db_pipeline_clear(st, n);
	rc = STAGE_OK;
out:
	if (rc != STAGE_OK || *dup)
		db_rollback(db);
	buf_free(&lines);
	buf_free(&mpns);
	free(trace);
	free(calls);
	free(totals);
	free(warnings);
	free(context);
	return rc;
}

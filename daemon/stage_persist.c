/*
 * Persist stage: the whole result of a job in one transaction, fenced by
 * the job row so a duplicate delivery commits nothing twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
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

static json_t *
persist_opt_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* All line items as one JSON array for jsonb_to_recordset(). */
static json_t *
persist_lines_json(const struct job *job)
{
	json_t *arr, *des, *fd;
	const struct bom_line *l;
	const struct line_decision *d;
	size_t i, k;

	arr = json_array();
	for (i = 0; i < job->bom->nlines; i++) {
		l = &job->bom->lines[i];
		d = i < job->ndecisions ? &job->decisions[i] : NULL;
		des = json_array();
		for (k = 0; k < l->ndesignators; k++)
			json_array_append_new(des,
			    json_string(l->designators[k]));
		fd = d == NULL ? json_null() : json_pack("{s:s, s:s, s:s, "
		    "s:O}", "status", decision_status_name(d->status),
		    "reasoning", d->reasoning, "agent_name", "final_decision",
		    "output_data", d->output_data ? d->output_data :
		    json_object());
		json_array_append_new(arr, json_pack("{s:I, s:I, s:o, s:I, "
		    "s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, "
		    "s:o, s:o}",
		    "line_no", (json_int_t)(i + 1),
		    "source_line", (json_int_t)l->line_no,
		    "designators", des,
		    "quantity", (json_int_t)l->quantity,
		    "mpn", l->mpn,
		    "manufacturer", l->manufacturer ? l->manufacturer : "",
		    "description", l->description ? l->description : "",
		    "package", l->package ? l->package : "",
		    "value", l->value ? l->value : "",
		    "status", d ? persist_line_status(d->status) :
		    "pending_enrichment",
		    "selected_mpn", persist_opt_str(d ? d->selected_mpn : NULL),
		    "selected_supplier", persist_opt_str(d ?
		    d->selected_supplier : NULL),
		    "order_quantity", d && d->selected_mpn ?
		    json_integer(d->order_quantity) : json_null(),
		    "unit_price_micros", d && d->selected_mpn ?
		    json_integer(d->unit_micros) : json_null(),
		    "extended_price_micros", d && d->selected_mpn ?
		    json_integer(d->extended_micros) : json_null(),
		    "currency", persist_opt_str(d && d->selected_mpn ?
		    d->currency : NULL),
		    "final_decision", fd));
	}
	return arr;
}

static int
persist_exec_json(PGconn *db, const char *sql, const char *client_id,
    const char *project_id, const char *job_id, json_t *arg)
{
	const char *params[4];
	char *text;
	int rc;

	text = json_dumps(arg, PERSIST_JSON);
	params[0] = client_id;
	params[1] = project_id;
	params[2] = job_id;
	params[3] = text;
	rc = db_exec(db, sql, 4, params);
	free(text);
	return rc;
}

enum stage_rc
stage_persist_run(struct job *job, PGconn *db, int *dup)
{
	const char *p2[2] = { job->client_id, job->job_id };
	const char *p6[6];
	json_t *lines = NULL, *mpns = NULL;
	char *totals = NULL, *warnings = NULL, *context = NULL;
	PGresult *r;
	size_t i;
	enum stage_rc rc = STAGE_RETRY;

	*dup = 0;
	if (db_begin(db) == -1)
		return STAGE_RETRY;
	r = db_query(db, "SELECT status FROM jobs WHERE client_id = $1 AND "
	    "job_id = $2 FOR UPDATE", 2, p2, NULL, 0);
	if (r == NULL)
		goto out;
	if (PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "complete") == 0) {
		PQclear(r);
		*dup = 1;
		rc = STAGE_OK;
		goto out;
	}
	PQclear(r);

	lines = persist_lines_json(job);
	/* reprocessing a project replaces its line items */
	if (db_exec(db, "DELETE FROM line_items WHERE client_id = $1 AND "
	    "project_id = $2", 2, (const char *[]){ job->client_id,
	    job->project_id }) == -1)
		goto out;
	if (persist_exec_json(db, "INSERT INTO line_items (client_id, "
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
	    "currency text, final_decision jsonb) WHERE $3::text IS NOT NULL",
	    job->client_id, job->project_id, job->job_id, lines) == -1)
		goto out;
	if (persist_exec_json(db, "INSERT INTO trace_steps (client_id, "
	    "project_id, job_id, step, agent, message, reasoning, refs, "
	    "created_at) SELECT $1, $2, $3, x.step, x.agent, x.message, "
	    "x.reasoning, COALESCE(x.\"references\", '[]'), x.\"timestamp\" "
	    "FROM jsonb_to_recordset($4::jsonb) AS x(step text, agent text, "
	    "message text, reasoning text, \"references\" jsonb, "
	    "\"timestamp\" timestamptz)", job->client_id, job->project_id,
	    job->job_id, job->trace) == -1)
		goto out;
	/* LLM accounting: inside the job's fence, so never counted twice */
	if (json_array_size(job->llm_calls) > 0 && persist_exec_json(db,
	    "INSERT INTO llm_calls (client_id, project_id, job_id, stage, "
	    "model, prompt_tokens, completion_tokens, latency_ms, attempts, "
	    "outcome, cost_micros) SELECT $1, $2, $3, x.stage, x.model, "
	    "x.prompt_tokens, x.completion_tokens, x.latency_ms, x.attempts, "
	    "x.outcome, x.cost_micros FROM jsonb_to_recordset($4::jsonb) AS "
	    "x(stage text, model text, prompt_tokens bigint, "
	    "completion_tokens bigint, latency_ms bigint, attempts int, "
	    "outcome text, cost_micros bigint)", job->client_id,
	    job->project_id, job->job_id, job->llm_calls) == -1)
		goto out;

	totals = job->totals ? json_dumps(job->totals, PERSIST_JSON) : NULL;
	warnings = json_dumps(job->warnings, PERSIST_JSON);
	context = json_dumps(job->context, PERSIST_JSON);
	p6[0] = job->client_id;
	p6[1] = job->project_id;
	p6[2] = totals;
	p6[3] = warnings;
	p6[4] = context;
	p6[5] = job->project_name ? job->project_name : "";
	if (db_exec(db, "UPDATE projects SET status = 'complete', "
	    "totals = $3::jsonb, warnings = $4::jsonb, context = $5::jsonb, "
	    "name = $6, updated_at = now() WHERE client_id = $1 AND "
	    "project_id = $2", 6, p6) == -1)
		goto out;

	/* usage counts: once per job, fenced by the job row lock above */
	mpns = json_array();
	for (i = 0; i < job->bom->nlines; i++)
		json_array_append_new(mpns, json_string(job->bom->lines[i].mpn));
	/* sorted, so two jobs of one tenant lock the rows in the same order */
	if (persist_exec_json(db, "INSERT INTO part_knowledge AS k (client_id,"
	    " mpn, times_used, last_used_date) "
	    "SELECT $1, m, 1, now() FROM "
	    "(SELECT DISTINCT jsonb_array_elements_text($4::jsonb) AS m) s "
	    "WHERE $2::uuid IS NOT NULL AND $3::text IS NOT NULL ORDER BY m "
	    "ON CONFLICT (client_id, mpn) DO UPDATE SET "
	    "times_used = k.times_used + 1, last_used_date = now(), "
	    "updated_at = now()",
	    job->client_id, job->project_id, job->job_id, mpns) == -1)
		goto out;
	if (persist_exec_json(db, "INSERT INTO part_usage (client_id, mpn, "
	    "project_id) SELECT $1, m, $2 FROM "
	    "(SELECT DISTINCT jsonb_array_elements_text($4::jsonb) AS m) s "
	    "WHERE $3::text IS NOT NULL ORDER BY m "
	    "ON CONFLICT (client_id, mpn, project_id) DO UPDATE SET "
	    "used_at = now()",
	    job->client_id, job->project_id, job->job_id, mpns) == -1)
		goto out;
	if (db_exec(db, "UPDATE jobs SET status = 'complete', error = NULL, "
	    "finished_at = now(), updated_at = now() WHERE client_id = $1 AND "
	    "job_id = $2", 2, p2) == -1)
		goto out;
	if (db_commit(db) == -1)
		goto out;
	rc = STAGE_OK;
out:
	if (rc != STAGE_OK || *dup)
		db_rollback(db);
	json_decref(lines);
	json_decref(mpns);
	free(totals);
	free(warnings);
	free(context);
	return rc;
}

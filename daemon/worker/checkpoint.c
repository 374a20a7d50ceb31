/*
 * Checkpoints as one jsonb row per job: the per-line decisions with their
 * exact micro-unit numbers, plus totals, warnings, trace, llm_calls and
 * the basis of the decisions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "bom.h"
#include "db.h"
#include "log.h"
#include "sourcing.h"
#include "util.h"

static json_t *
cp_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static char *
cp_dup(const json_t *v)
{
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static json_t *
cp_decision_json(const struct line_decision *d)
{
	return json_pack("{s:i, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:s, "
	    "s:b, s:I, s:s, s:O}", "status", (int)d->status,
	    "selected_mpn", cp_str(d->selected_mpn),
	    "selected_supplier", cp_str(d->selected_supplier),
	    "supplier_name", cp_str(d->supplier_name), "sku", cp_str(d->sku),
	    "need", (json_int_t)d->need, "order_quantity",
	    (json_int_t)d->order_quantity, "unit_micros",
	    (json_int_t)d->unit_micros, "extended_micros",
	    (json_int_t)d->extended_micros, "currency", d->currency,
	    "lead_ok", d->lead_ok, "shortfall", (json_int_t)d->shortfall,
	    "reasoning", d->reasoning ? d->reasoning : "", "output_data",
	    d->output_data ? d->output_data : json_null());
}

static int
cp_decision_from(const json_t *v, struct line_decision *d)
{
	json_t *st = json_object_get(v, "status");

	memset(d, 0, sizeof(*d));
	if (!json_is_integer(st) || json_integer_value(st) < 0 ||
	    json_integer_value(st) > DECISION_ESCALATED ||
	    !json_is_string(json_object_get(v, "reasoning")))
		return -1;
	d->status = (enum decision_status)json_integer_value(st);
	line_decision_select(d,
	    json_string_value(json_object_get(v, "selected_mpn")),
	    json_string_value(json_object_get(v, "selected_supplier")),
	    json_string_value(json_object_get(v, "supplier_name")),
	    json_string_value(json_object_get(v, "sku")));
	d->need = json_integer_value(json_object_get(v, "need"));
	d->order_quantity = json_integer_value(json_object_get(v,
	    "order_quantity"));
	d->unit_micros = json_integer_value(json_object_get(v, "unit_micros"));
	d->extended_micros = json_integer_value(json_object_get(v,
	    "extended_micros"));
	snprintf(d->currency, sizeof(d->currency), "%s",
	    json_string_value(json_object_get(v, "currency")) ?
	    json_string_value(json_object_get(v, "currency")) : "");
	d->lead_ok = json_is_true(json_object_get(v, "lead_ok"));
	d->shortfall = json_integer_value(json_object_get(v, "shortfall"));
	d->reasoning = cp_dup(json_object_get(v, "reasoning"));
	d->output_data = json_incref(json_object_get(v, "output_data"));
	if (d->output_data != NULL && json_is_null(d->output_data)) {
		json_decref(d->output_data);
		d->output_data = NULL;
	}
	return 0;
}

/* JSON as the checkpoint and the commit store it */
#define CP_JSON		(JSON_COMPACT | JSON_REAL_PRECISION(15))
#define CP_OD_NULL	"\"output_data\":null}"

/*
 * Each decision's output_data as text (NULL for none) in od[]; 0, or -1
 * when one cannot be encoded.
 */
static int
cp_dump_od(const struct job *job, char **od)
{
	size_t i;

	for (i = 0; i < job->ndecisions; i++) {
		if (job->decisions[i].output_data == NULL)
			continue;
		od[i] = json_dumps(job->decisions[i].output_data, CP_JSON);
		if (od[i] == NULL)
			return -1;
	}
	return 0;
}

/* The decisions as a JSON array, each with its output_data text spliced in. */
static int
cp_decisions_text(const struct job *job, char *const *od, struct buf *b)
{
	json_t *v;
	char *t;
	size_t i, n, tail = sizeof(CP_OD_NULL) - 1;

	buf_append(b, "[", 1);
	for (i = 0; i < job->ndecisions; i++) {
		struct line_decision d = job->decisions[i];

		d.output_data = NULL;
		v = cp_decision_json(&d);
		t = json_dumps(v, CP_JSON);
		json_decref(v);
		/* output_data is packed last: its null is the text's end */
		if (t == NULL || (n = strlen(t)) < tail ||
		    strcmp(t + n - tail, CP_OD_NULL) != 0) {
			free(t);
			return -1;
		}
		if (i > 0)
			buf_append(b, ",", 1);
		buf_append(b, t, n - tail + sizeof("\"output_data\":") - 1);
		buf_puts(b, od[i] != NULL ? od[i] : "null");
		buf_append(b, "}", 1);
		free(t);
	}
	buf_append(b, "]", 1);
	return 0;
}

/*
 * The checkpoint's text: nlines, the decisions, the trace (its text is
 * already as jansson would dump it), then the rest (a jsonb column: the
 * keys' order is not kept).
 */
static char *
cp_text(const struct job *job, char *const *od)
{
	struct buf b;
	json_t *rest;
	char *t;

	buf_init(&b);
	buf_printf(&b, "{\"nlines\":%zu,\"decisions\":",
	    job->bom ? job->bom->nlines : 0);
	if (cp_decisions_text(job, od, &b) == -1) {
		buf_free(&b);
		return NULL;
	}
	buf_puts(&b, ",\"trace\":");
	job_trace_text(job, &b);
	rest = json_pack("{s:O, s:O, s:O, s:o, s:O}", "totals",
	    job->totals ? job->totals : json_null(), "warnings",
	    job->warnings, "llm_calls",
	    job->llm_calls ? job->llm_calls : json_null(), "basis",
	    job->basis ? json_string(job->basis) : json_null(),
	    /* the offer sets the basis names that may not be stored yet */
	    "sets", job->sets ? job->sets : json_null());
	t = rest != NULL ? json_dumps(rest, CP_JSON) : NULL;
	json_decref(rest);
	if (t == NULL || t[0] != '{') {
		free(t);
		buf_free(&b);
		return NULL;
	}
	buf_append(&b, ",", 1);
	buf_puts(&b, t + 1);
	free(t);
	return buf_steal(&b);
}

int
checkpoint_save(PGconn *db, struct job *job, const char *stage)
{
	const char *params[4];
	char *text, **od = job->od_text;
	size_t i;
	int rc;

	if (od == NULL) {
		od = xcalloc(job->ndecisions + 1, sizeof(*od));
		if (cp_dump_od(job, od) == -1) {
			for (i = 0; i < job->ndecisions; i++)
				free(od[i]);
			free(od);
			return -1;
		}
		/* the commit writes the same text: the trees go now */
		for (i = 0; i < job->ndecisions; i++) {
			json_decref(job->decisions[i].output_data);
			job->decisions[i].output_data = NULL;
		}
		job->od_text = od;
	}
	if ((text = cp_text(job, od)) == NULL)
		return -1;
	params[0] = job->client_id;
	params[1] = job->job_id;
	params[2] = stage;
	params[3] = text;
	rc = db_exec(db, "INSERT INTO job_checkpoints (client_id, job_id, "
	    "stage, data) VALUES ($1, $2, $3, $4::jsonb) "
	    "ON CONFLICT (client_id, job_id) DO UPDATE SET stage = "
	    "EXCLUDED.stage, data = EXCLUDED.data, created_at = now()", 4,
	    params);
	free(text);
	return rc;
}

int
checkpoint_load(PGconn *db, struct job *job, char *stage, size_t stagelen)
{
	const char *params[2] = { job->client_id, job->job_id };
	struct line_decision *ds = NULL;
	json_t *data = NULL, *lines, *v;
	json_error_t jerr;
	PGresult *res;
	size_t i, n = 0;
	int rc = 0;

	res = db_query(db, "SELECT stage, data::text FROM job_checkpoints "
	    "WHERE client_id = $1 AND job_id = $2", 2, params, NULL, 0);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		goto out;
	data = json_loads(PQgetvalue(res, 0, 1), 0, &jerr);
	lines = json_object_get(data, "decisions");
	/* a checkpoint of another BOM (the project changed) is not used */
	if (!json_is_array(lines) || job->bom == NULL ||
	    json_integer_value(json_object_get(data, "nlines")) !=
	    (json_int_t)job->bom->nlines ||
	    json_array_size(lines) != job->bom->nlines) {
		log_job_warnx(job, "checkpoint does not match the BOM; ignored");
		goto out;
	}
	ds = xcalloc(job->bom->nlines ? job->bom->nlines : 1, sizeof(*ds));
	json_array_foreach(lines, i, v) {
		if (cp_decision_from(v, &ds[i]) == -1) {
			line_decision_free(&ds[i]);
			log_job_warnx(job, "checkpoint line %zu unusable; "
			    "ignored", i + 1);
			goto out;
		}
		n = i + 1;
	}
	for (i = 0; i < job->ndecisions; i++)
		line_decision_free(&job->decisions[i]);
	free(job->decisions);
	job->decisions = ds;
	job->ndecisions = n;
	ds = NULL;
	n = 0;
	json_decref(job->totals);
	job->totals = json_incref(json_object_get(data, "totals"));
	if (json_is_array(json_object_get(data, "warnings"))) {
		json_decref(job->warnings);
		job->warnings = json_incref(json_object_get(data, "warnings"));
	}
	if (json_is_array(json_object_get(data, "trace")))
		job_trace_set(job, json_object_get(data, "trace"));
	json_decref(job->llm_calls);
	job->llm_calls = json_is_array(json_object_get(data, "llm_calls")) ?
	    json_incref(json_object_get(data, "llm_calls")) : NULL;
	free(job->basis);
	job->basis = cp_dup(json_object_get(data, "basis"));
	json_decref(job->sets);
	job->sets = json_is_object(json_object_get(data, "sets")) ?
	    json_incref(json_object_get(data, "sets")) : NULL;
	snprintf(stage, stagelen, "%s", PQgetvalue(res, 0, 0));
	rc = 1;
out:
	for (i = 0; i < n; i++)
		line_decision_free(&ds[i]);
	free(ds);
	json_decref(data);
	PQclear(res);
	return rc;
}

int
checkpoint_delete(PGconn *db, const struct job *job)
{
	const char *params[2] = { job->client_id, job->job_id };

	return db_exec(db, "DELETE FROM job_checkpoints WHERE client_id = $1 "
	    "AND job_id = $2", 2, params);
}

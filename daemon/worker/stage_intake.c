/*
 * Intake stage: the BOM text (inline in the job or stored with the project)
 * and the project context, parsed and checked; rejections become trace
 * steps.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bom.h"
#include "db.h"
#include "intake.h"
#include "log.h"
#include "stages.h"
#include "util.h"

/*
 * Contexts made from the same intake text are the same (intake_from_json()
 * depends on nothing else): the last few are kept with their warnings and
 * their stored text, so a tenant sending one intake again and again costs
 * a comparison, not a normalisation and a dump per job.
 */
#define INTAKE_MEMO_N		8
#define INTAKE_MEMO_MAX_KEY	4096	/* bytes of intake text kept */

struct intake_memo {
	char		*key;		/* the intake's JSON text; NULL: free */
	size_t		 keylen;
	json_t		*context;
	json_t		*warnings;
	char		*text;		/* context as stored (PERSIST_JSON) */
	uint64_t	 used;		/* tick of the last use */
};

static struct intake_memo	intake_memo[INTAKE_MEMO_N];
static uint64_t			intake_memo_tick;

/* The job's memo entry, or NULL; a job without intake has the key "". */
static struct intake_memo *
intake_memo_find(const struct job *job)
{
	struct intake_memo *m;
	size_t i;

	for (i = 0; i < INTAKE_MEMO_N; i++) {
		m = &intake_memo[i];
		if (m->key != NULL && m->keylen == job->intake_len &&
		    memcmp(m->key, job->intake_text ? job->intake_text : "",
		    m->keylen) == 0) {
			m->used = ++intake_memo_tick;
			return m;
		}
	}
	return NULL;
}

/* Keeps context and warnings (references taken) for the job's intake. */
static void
intake_memo_put(const struct job *job, json_t *context, json_t *warnings)
{
	struct intake_memo *m = &intake_memo[0];
	char *text;
	size_t i;

	if (job->intake_len > INTAKE_MEMO_MAX_KEY ||
	    (text = json_dumps(context, PERSIST_JSON)) == NULL)
		return;
	for (i = 1; i < INTAKE_MEMO_N; i++)
		if (intake_memo[i].used < m->used)
			m = &intake_memo[i];
	free(m->key);
	json_decref(m->context);
	json_decref(m->warnings);
	free(m->text);
	m->key = xmalloc(job->intake_len + 1);
	if (job->intake_len > 0)
		memcpy(m->key, job->intake_text, job->intake_len);
	m->keylen = job->intake_len;
	m->context = json_incref(context);
	m->warnings = warnings != NULL ? json_incref(warnings) :
	    json_array();
	m->text = text;
	m->used = ++intake_memo_tick;
}

/* The context from the job's intake, its warnings as trace steps. */
static enum stage_rc
intake_context(struct job *job)
{
	json_t *warnings = NULL, *empty = NULL, *w;
	struct intake_memo *m = NULL;
	bool memo;
	char err[512];
	size_t i;

	/* only an intake scanned from the job, or none, has its text */
	memo = job->intake == NULL || job->intake_text != NULL;
	if (memo && (m = intake_memo_find(job)) != NULL) {
		job->context = json_incref(m->context);
		job->context_text = xstrdup(m->text);
		warnings = json_incref(m->warnings);
	} else {
		empty = json_object();
		job->context = intake_from_json(job->intake ? job->intake :
		    empty, &warnings, err, sizeof(err));
		json_decref(empty);
		if (job->context == NULL) {
			job_seterr(job, "intake: %s", err);
			json_decref(warnings);
			return STAGE_FAIL;
		}
		if (memo)
			intake_memo_put(job, job->context, warnings);
	}
	json_array_foreach(warnings, i, w) {
		json_array_append(job->warnings, w);
		if (json_is_string(w) && i < 100)
			job_trace(job, "intake", "intake", NULL, NULL, "%s",
			    json_string_value(w));
	}
	json_decref(warnings);
	return STAGE_OK;
}

/* Frees the kept contexts; at worker exit. */
void
stage_intake_shutdown(void)
{
	size_t i;

	for (i = 0; i < INTAKE_MEMO_N; i++) {
		free(intake_memo[i].key);
		json_decref(intake_memo[i].context);
		json_decref(intake_memo[i].warnings);
		free(intake_memo[i].text);
	}
	memset(intake_memo, 0, sizeof(intake_memo));
}

/* The intake's warnings (unknown keys ...) as trace steps. */
static void
intake_trace_warnings(struct job *job, const char *text)
{
	json_error_t jerr;
	json_t *arr, *w;
	size_t i;

	if ((arr = json_loads(text, 0, &jerr)) == NULL)
		return;
	json_array_foreach(arr, i, w)
		if (json_is_string(w) && i < 100)
			job_trace(job, "intake", "intake", NULL, NULL, "%s",
			    json_string_value(w));
	json_decref(arr);
}

/* Loads bom_csv and context of the project the job names. */
static enum stage_rc
intake_load_project(struct job *job, PGconn *db)
{
	const char *params[2] = { job->client_id, job->project_id };
	json_error_t jerr;
	PGresult *r;
	enum stage_rc rc = STAGE_RETRY;

	r = db_query(db, "SELECT bom_csv, context::text, name, bom_filename, "
	    "intake_warnings::text FROM projects WHERE client_id = $1 AND "
	    "project_id = $2", 2,
	    params, NULL, 0);
	if (r == NULL)
		return STAGE_RETRY;
	if (PQntuples(r) == 0) {
		job_seterr(job, "Project not found: %s", job->project_id);
		rc = STAGE_FAIL;
		goto out;
	}
	if (job->bom_csv == NULL) {
		if (PQgetisnull(r, 0, 0)) {
			job_seterr(job, "project %s has no BOM",
			    job->project_id);
			rc = STAGE_FAIL;
			goto out;
		}
		job->bom_csv = xstrdup(PQgetvalue(r, 0, 0));
	}
	if (job->intake == NULL) {
		job->context = json_loads(PQgetvalue(r, 0, 1), 0, &jerr);
		if (job->context != NULL && json_object_size(job->context) == 0) {
			json_decref(job->context);
			job->context = NULL;
		}
	}
	if (job->project_name == NULL && !PQgetisnull(r, 0, 2))
		job->project_name = xstrdup(PQgetvalue(r, 0, 2));
	if (job->bom_filename == NULL && !PQgetisnull(r, 0, 3))
		job->bom_filename = xstrdup(PQgetvalue(r, 0, 3));
	intake_trace_warnings(job, PQgetvalue(r, 0, 4));
	rc = STAGE_OK;
out:
	PQclear(r);
	return rc;
}

/*
 * Test hooks for tests/it_recovery.sh only; never set them in production.
 * BOMD_TEST_CRASH_MPN=MPN: abort() on a BOM with that MPN (a poison job).
 * BOMD_TEST_SLOW_MPN=MPN:MS: sleep MS ms on the first attempt of a BOM
 * with that MPN (a job to kill a worker under).
 */
static void
intake_test_hooks(const struct job *job)
{
	const char *crash = getenv("BOMD_TEST_CRASH_MPN");
	const char *slow = getenv("BOMD_TEST_SLOW_MPN"), *colon;
	struct timespec ts;
	size_t i;
	long ms;

	colon = slow ? strchr(slow, ':') : NULL;
	for (i = 0; i < job->bom->nlines; i++) {
		const char *mpn = job->bom->lines[i].mpn;

		if (crash != NULL && *crash != '\0' && strcmp(mpn, crash) == 0)
			abort();
		if (colon != NULL && job->attempts == 1 &&
		    strlen(mpn) == (size_t)(colon - slow) &&
		    strncmp(mpn, slow, (size_t)(colon - slow)) == 0 &&
		    (ms = atol(colon + 1)) > 0) {
			ts.tv_sec = ms / 1000;
			ts.tv_nsec = (ms % 1000) * 1000000L;
			nanosleep(&ts, NULL);
			colon = NULL;
		}
	}
}

enum stage_rc
stage_intake_run(struct job *job, PGconn *db)
{
	char err[512];
	enum stage_rc rc;
	size_t i;

	if (job->reprocess && (rc = intake_load_project(job, db)) != STAGE_OK)
		return rc;
	if (job->context == NULL && (rc = intake_context(job)) != STAGE_OK)
		return rc;
	if (job->project_name == NULL) {
		const char *n = json_string_value(json_object_get(
		    json_object_get(job->context, "project"), "name"));

		job->project_name = xstrdup(n ? n : (job->bom_filename ?
		    job->bom_filename : ""));
	}
	job->bom = bom_parse(job->bom_csv, strlen(job->bom_csv), NULL, err,
	    sizeof(err));
	if (job->bom == NULL) {
		job_seterr(job, "%s", err);
		return STAGE_FAIL;
	}
	intake_test_hooks(job);
	for (i = 0; i < job->bom->nwarnings; i++)
		json_array_append_new(job->warnings,
		    json_string(job->bom->warnings[i]));
	job_trace(job, "intake", "intake", json_pack("[s]", job->bom_filename ?
	    job->bom_filename : "bom.csv"), NULL,
	    "parsed %zu line items (%s, delimiter '%s'); %zu DNP excluded, "
	    "%zu rows rejected, %zu warnings", job->bom->nlines,
	    job->bom->encoding, job->bom->delimiter == '\t' ? "tab" :
	    (job->bom->delimiter == ';' ? ";" : ","), job->bom->ndnp,
	    job->bom->nrejected, job->bom->nwarnings);
	for (i = 0; i < job->bom->nwarnings && i < 100; i++)
		job_trace(job, "intake", "intake", NULL, NULL, "%s",
		    job->bom->warnings[i]);
	return STAGE_OK;
}

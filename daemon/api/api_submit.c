/*
 * Project submissions: POST /projects (a project from a BOM, no job),
 * POST /projects/upload-and-process and POST /projects/{id}/process (a
 * job enqueued, then waited for or answered 202). Every row written
 * carries the authenticated client.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_db.h"
#include "api_internal.h"
#include "api_limit.h"
#include "api_live.h"
#include "api_redis.h"
#include "api_reply.h"
#include "api_request.h"
#include "api_submit.h"
#include "api_wait.h"
#include "config.h"
#include "bom.h"
#include "db.h"
#include "intake.h"
#include "log.h"
#include "util.h"

static const char *
api_submit_form_get(void *ctx, const char *name)
{
	const struct api_field *f = api_field(ctx, name);

	return f && f->filename == NULL ? f->data.data ? f->data.data : "" :
	    NULL;
}

/* True when the client asked not to wait (RFC 7240 or ?async=1). */
static bool
api_submit_async(struct MHD_Connection *c)
{
	const char *prefer, *a;

	prefer = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Prefer");
	for (; prefer != NULL && *prefer != '\0'; prefer++)
		if (strncasecmp(prefer, "respond-async", 13) == 0)
			return true;
	a = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "async");
	return a != NULL && (strcmp(a, "1") == 0 || strcasecmp(a, "true") == 0);
}

/*
 * An upload: the project context and its warnings, the parsed BOM, and
 * the project (and job) it makes.
 */
struct api_submit_upload {
	const struct api_field	*bomf;
	char			*csv;	/* the BOM as UTF-8 text, owned */
	json_t			*ctx;
	json_t			*intake_warnings;
	struct bom		*bom;
	char			 project_id[UUID_BUFSZ];
	char			 job_id[UUID_BUFSZ];	/* to process it */
	char			 created[32];	/* the project row's times */
	char			 updated[32];
};

static void
api_submit_upload_clear(struct api_submit_upload *u)
{
	free(u->csv);
	json_decref(u->ctx);
	json_decref(u->intake_warnings);
	bom_free(u->bom);
	memset(u, 0, sizeof(*u));
}

/* CP1252 0x80-0x9F; 0 marks the five undefined bytes (U+FFFD, as csv.c). */
static const unsigned short api_projects_cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

/*
 * The text of a BOM the CSV reader decoded as CP1252, as UTF-8, so that
 * PostgreSQL stores it and the worker reads the same lines. Caller frees.
 */
static char *
api_submit_cp1252_to_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned int cp;
	char *out, *o;
	size_t i;

	o = out = xmalloc(n * 3 + 1);
	for (i = 0; i < n; i++) {
		cp = u[i];
		if (cp >= 0x80 && cp <= 0x9f &&
		    (cp = api_projects_cp1252_c1[cp - 0x80]) == 0)
			cp = 0xfffd;
		if (cp < 0x80)
			*o++ = (char)cp;
		else if (cp < 0x800) {
			*o++ = (char)(0xc0 | (cp >> 6));
			*o++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*o++ = (char)(0xe0 | (cp >> 12));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
			*o++ = (char)(0x80 | (cp & 0x3f));
		}
	}
	*o = '\0';
	return out;
}

/*
 * Reads a multipart upload: bom_file (required, 422), the context from
 * intake_file (YAML) or from the form fields, and the BOM, checked as the
 * worker will check it (400 with the reason). 0, or -1 (answered).
 */
static int
api_submit_upload_read(struct MHD_Connection *c, struct api_request *r,
    struct api_submit_upload *u, enum MHD_Result *ret)
{
	const struct api_field *intakef;
	char err[512];
	size_t skip;

	memset(u, 0, sizeof(*u));
	u->bomf = api_field(r, "bom_file");
	if (u->bomf == NULL || u->bomf->filename == NULL) {
		*ret = api_error(c, API_HTTP_UNPROCESSABLE,
		    "bom_file: field required");
		return -1;
	}
	intakef = api_field(r, "intake_file");
	if (intakef != NULL && intakef->data.len > 0)
		u->ctx = intake_parse_yaml(intakef->data.data,
		    intakef->data.len, &u->intake_warnings, err, sizeof(err));
	else
		u->ctx = intake_from_form(api_submit_form_get, r,
		    &u->intake_warnings, err, sizeof(err));
	/* a bad form field is 422, as the original's validation */
	if (u->ctx == NULL) {
		*ret = api_error(c, intakef != NULL && intakef->data.len > 0 ?
		    MHD_HTTP_BAD_REQUEST : API_HTTP_UNPROCESSABLE, "%s", err);
		return -1;
	}
	if (u->intake_warnings == NULL)
		u->intake_warnings = json_array();
	u->bom = bom_parse(u->bomf->data.data ? u->bomf->data.data : "",
	    u->bomf->data.len, NULL, err, sizeof(err));
	if (u->bom == NULL) {
		*ret = api_error(c, MHD_HTTP_BAD_REQUEST, "%s", err);
		api_submit_upload_clear(u);
		return -1;
	}
	if (strcmp(u->bom->encoding, "cp1252") == 0) {
		/* as the reader does: a UTF-8 signature is not CP1252 text */
		skip = u->bomf->data.len >= 3 && memcmp(u->bomf->data.data,
		    "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
		u->csv = api_submit_cp1252_to_utf8(u->bomf->data.data + skip,
		    u->bomf->data.len - skip);
	} else
		u->csv = xstrdup(u->bomf->data.data ? u->bomf->data.data : "");
	return 0;
}

/*
 * Inserts the project row of an upload (inside the caller's transaction):
 * with lines, 'created' with its line items as pending_enrichment (not
 * processed), else 'queued'. The row's times go to u. 0 or -1.
 */
static int
api_submit_upload_insert(PGconn *db, const struct api_request *r,
    struct api_submit_upload *u, bool lines)
{
	const char *params[9], *name;
	json_t *warnings;
	char *ctxs, *warns, *iwarns, *itemss = NULL, nlines[24];
	PGresult *res;
	size_t i;
	int rc = -1;

	name = json_string_value(json_object_get(json_object_get(u->ctx,
	    "project"), "name"));
	/* until a run rewrites them: the intake's and the BOM's warnings */
	warnings = json_copy(u->intake_warnings);
	for (i = 0; i < u->bom->nwarnings; i++)
		json_array_append_new(warnings,
		    json_string(u->bom->warnings[i]));
	ctxs = json_dumps(u->ctx, JSON_COMPACT);
	warns = json_dumps(warnings, JSON_COMPACT);
	iwarns = json_dumps(u->intake_warnings, JSON_COMPACT);
	params[0] = u->project_id;
	params[1] = r->client_id;
	params[2] = name ? name : u->bomf->filename;
	params[3] = ctxs;
	params[4] = u->csv;
	params[5] = u->bomf->filename;
	params[6] = warns;
	params[7] = iwarns;
	params[8] = lines ? "created" : "queued";
	res = db_query(db, "INSERT INTO projects (project_id, client_id, name, "
	    "status, context, bom_csv, bom_filename, warnings, "
	    "intake_warnings) VALUES ($1, $2, $3, $9, $4::jsonb, $5, $6, "
	    "$7::jsonb, $8::jsonb) RETURNING " API_TS("created_at") ", "
	    API_TS("updated_at"), 9, params, NULL, 0);
	if (res == NULL)
		goto out;
	snprintf(u->created, sizeof(u->created), "%s", PQgetvalue(res, 0, 0));
	snprintf(u->updated, sizeof(u->updated), "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	if (lines) {
		itemss = api_live_lines(u->bom);
		snprintf(nlines, sizeof(nlines), "%zu", u->bom->nlines);
		/* the project's lines document, as a run writes it */
		if (db_exec(db, "UPDATE projects SET lines = $3, line_count = "
		    "$4::int WHERE client_id = $1 AND project_id = $2", 4,
		    (const char *[]){ r->client_id, u->project_id, itemss,
		    nlines }) == -1)
			goto out;
	}
	rc = 0;
out:
	json_decref(warnings);
	free(ctxs);
	free(warns);
	free(iwarns);
	free(itemss);
	return rc;
}

/*
 * Inserts the jobs row 'queued' for project_id, commits, and adds the job
 * to the stream. On a queue failure the job row is removed again and the
 * project gets back old_status (NULL: the project is removed, it was new).
 * 0, or -1 after answering 503.
 */
static int
api_submit_enqueue(struct MHD_Connection *c, PGconn *db,
    const struct api_request *r, const char *project_id, const char *job_id,
    const char *old_status, enum MHD_Result *ret)
{
	const char *p3[3] = { project_id, r->client_id, job_id };
	char sid[32], *jobs;
	json_t *job;
	int rc;

	if (db_exec(db, "INSERT INTO jobs (job_id, client_id, project_id, "
	    "status) VALUES ($3, $2, $1, 'queued')", 3, p3) == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		*ret = api_error_db(c);
		return -1;
	}
	job = json_pack("{s:s, s:s, s:s}", "client_id", r->client_id,
	    "job_id", job_id, "project_id", project_id);
	jobs = json_dumps(job, JSON_COMPACT);
	json_decref(job);
	rc = api_redis_enqueue(jobs, strlen(jobs), sid, sizeof(sid));
	free(jobs);
	if (rc == 0)
		return 0;
	/* nothing half-written: the job never reached the queue */
	db_exec(db, "DELETE FROM jobs WHERE job_id = $3 AND client_id = $2", 3,
	    p3);
	if (old_status == NULL)
		db_exec(db, "DELETE FROM projects WHERE project_id = $1 AND "
		    "client_id = $2", 2, p3);
	else
		db_exec(db, "UPDATE projects SET status = $3 WHERE "
		    "project_id = $1 AND client_id = $2", 3,
		    (const char *[]){ project_id, r->client_id, old_status });
	*ret = api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "queue "
	    "unavailable");
	return -1;
}

/*
 * Reads the upload into u, draws its ids (a job id too when process) and
 * inserts its project, queued, with its line items unless process (the
 * worker reads them then), in a transaction left open. Returns the
 * connection, or NULL after answering in *ret. The caller clears u.
 */
static PGconn *
api_submit_insert(struct MHD_Connection *c, struct api_request *r,
    struct api_submit_upload *u, bool process, enum MHD_Result *ret)
{
	PGconn *db;

	if (api_submit_upload_read(c, r, u, ret) == -1)
		return NULL;
	if (uuid_v4(u->project_id) == -1 ||
	    (process && uuid_v4(u->job_id) == -1)) {
		*ret = api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no "
		    "randomness");
		return NULL;
	}
	if ((db = api_db_get(r)) == NULL) {
		*ret = api_error_db(c);
		return NULL;
	}
	if (db_begin(db) == -1 ||
	    api_submit_upload_insert(db, r, u, !process) == -1) {
		db_rollback(db);
		api_db_put(db);
		*ret = api_error_db(c);
		return NULL;
	}
	return db;
}

/* POST /projects/upload-and-process: a new project, processed. */
enum MHD_Result
api_submit_upload_and_process(struct MHD_Connection *c, struct api_request *r)
{
	struct api_submit_upload u;
	PGconn *db;
	enum MHD_Result ret;
	bool async = api_submit_async(c);
	int rc;

	/* a wait the client may not hold refuses before anything is made */
	if (!async && api_limit_take(c, r, API_LIMIT_WAIT, &ret) == -1)
		return ret;
	if ((db = api_submit_insert(c, r, &u, true, &ret)) != NULL) {
		rc = api_submit_enqueue(c, db, r, u.project_id, u.job_id,
		    NULL, &ret);
		api_db_put(db);
		if (rc == 0)
			ret = api_wait_job(c, r, u.project_id, u.job_id,
			    async);
	}
	api_submit_upload_clear(&u);
	return ret;
}

/* POST /projects: the project and its line items, not processed yet. */
enum MHD_Result
api_submit_create(struct MHD_Connection *c, struct api_request *r)
{
	struct api_submit_upload u;
	const char *name;
	PGconn *db;
	enum MHD_Result ret;

	if ((db = api_submit_insert(c, r, &u, false, &ret)) == NULL)
		goto out;
	if (db_commit(db) == -1) {
		db_rollback(db);
		api_db_put(db);
		ret = api_error_db(c);
		goto out;
	}
	api_db_put(db);
	name = json_string_value(json_object_get(json_object_get(u.ctx,
	    "project"), "name"));
	ret = api_json(c, MHD_HTTP_OK, json_pack("{s:s, s:s, s:s, s:I, s:s, "
	    "s:s}", "project_id", u.project_id, "project_name", name ? name :
	    u.bomf->filename, "status", "created", "line_item_count",
	    (json_int_t)u.bom->nlines, "created_at", u.created, "updated_at",
	    u.updated));
out:
	api_submit_upload_clear(&u);
	return ret;
}

/* POST /projects/{id}/process: a new job for an existing project. */
enum MHD_Result
api_submit_process(struct MHD_Connection *c, struct api_request *r)
{
	const char *id = r->match.args[0];
	const char *params[2] = { r->client_id, id };
	char job_id[UUID_BUFSZ], old_status[32];
	PGresult *res;
	PGconn *db;
	enum MHD_Result ret;
	bool async = api_submit_async(c);

	if (!uuid_valid(id))
		return api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: "
		    "%s", id);
	if (uuid_v4(job_id) == -1)
		return api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no "
		    "randomness");
	if (!async && api_limit_take(c, r, API_LIMIT_WAIT, &ret) == -1)
		return ret;
	if ((db = api_db_get(r)) == NULL)
		return api_error_db(c);
	if (db_begin(db) == -1) {
		api_db_put(db);
		return api_error_db(c);
	}
	res = db_query(db, "SELECT status FROM projects WHERE client_id = $1 "
	    "AND project_id = $2 FOR UPDATE", 2, params, NULL, 0);
	if (res == NULL || PQntuples(res) == 0) {
		db_rollback(db);
		api_db_put(db);
		if (res == NULL)
			return api_error_db(c);
		PQclear(res);
		return api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: "
		    "%s", id);
	}
	snprintf(old_status, sizeof(old_status), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (db_exec(db, "UPDATE projects SET status = 'queued', "
	    "updated_at = now() WHERE client_id = $1 AND project_id = $2", 2,
	    params) == -1) {
		db_rollback(db);
		api_db_put(db);
		return api_error_db(c);
	}
	if (api_submit_enqueue(c, db, r, id, job_id, old_status,
	    &ret) == -1) {
		api_db_put(db);
		return ret;
	}
	api_db_put(db);
	return api_wait_job(c, r, id, job_id, async);
}

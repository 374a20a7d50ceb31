/*
 * Job routes: GET /jobs/{id}, the client's jobs by state (GET
 * /jobs?status=dead lists the dead letters) and POST /jobs/{id}/retry,
 * which queues a dead or failed job again with its attempts reset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_db.h"
#include "api_jobs.h"
#include "api_live.h"
#include "api_redis.h"
#include "api_reply.h"
#include "api_request.h"
#include "db.h"
#include "job_status.h"
#include "log.h"
#include "util.h"

/* The columns api_jobs_row() reads, from table jobs. */
#define API_JOBS_COLS "job_id, project_id, status, attempts, error, " \
	API_TS("created_at") ", " API_TS("updated_at")

/* One job row selected with API_JOBS_COLS as JSON, with status. */
static json_t *
api_jobs_json(const PGresult *res, int i, const char *status)
{
	return json_pack("{s:s, s:o, s:s, s:I, s:o, s:s, s:s}", "job_id",
	    PQgetvalue(res, i, 0), "project_id", api_db_col_str(res, i, 1),
	    "status", status, "attempts",
	    (json_int_t)atoll(PQgetvalue(res, i, 3)), "error",
	    api_db_col_str(res, i, 4), "created_at", PQgetvalue(res, i, 5),
	    "updated_at", PQgetvalue(res, i, 6));
}

/* One job row selected with API_JOBS_COLS as JSON. */
static json_t *
api_jobs_row(const PGresult *res, int i)
{
	return api_jobs_json(res, i, PQgetvalue(res, i, 2));
}

/*
 * GET /jobs/{id}: one job of the client. A job queued in the table, or not
 * there yet (queued by hand), that a worker runs is "running" per its live
 * state in Redis.
 */
enum MHD_Result
api_jobs_get(struct MHD_Connection *c, struct api_request *r)
{
	const char *id = r->match.args[0];
	char live[UUID_BUFSZ];
	PGresult *res;
	json_t *out;
	int n;

	if ((res = api_db_query(r, "SELECT " API_JOBS_COLS " FROM jobs "
	    "WHERE client_id = $1 AND job_id = $2", 2,
	    (const char *[]){ r->client_id, id })) == NULL)
		return api_error_db(c);
	n = PQntuples(res);
	if ((n == 0 || strcmp(PQgetvalue(res, 0, 2), "queued") == 0) &&
	    api_live_job(r->client_id, id, live, sizeof(live)) == 1)
		out = n == 0 ? json_pack("{s:s, s:s, s:s, s:i, s:n}", "job_id",
		    id, "project_id", live, "status", "running", "attempts", 1,
		    "error") : api_jobs_json(res, 0, "running");
	else if (n == 0) {
		PQclear(res);
		return api_error(c, MHD_HTTP_NOT_FOUND, "Job not found: %s",
		    id);
	} else
		out = api_jobs_row(res, 0);
	PQclear(res);
	return api_json(c, MHD_HTTP_OK, out);
}

/* GET /jobs?status=S&limit=N: the client's jobs, last updated first. */
enum MHD_Result
api_jobs_list(struct MHD_Connection *c, struct api_request *r)
{
	const char *status;
	struct buf states;
	enum MHD_Result ret;
	size_t i;

	status = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "status");
	if (status != NULL && !job_status_valid(status)) {
		buf_init(&states);
		for (i = 0; job_statuses[i] != NULL; i++)
			buf_printf(&states, "%s%s", i ? ", " : "",
			    job_statuses[i]);
		ret = api_error(c, API_HTTP_UNPROCESSABLE, "status: must be "
		    "one of %s", states.data);
		buf_free(&states);
		return ret;
	}
	return api_reply_page(c, r, "SELECT " API_JOBS_COLS " FROM jobs "
	    "WHERE client_id = $1 AND ($2::text IS NULL OR status = $2) "
	    "ORDER BY updated_at DESC, job_id LIMIT $3::bigint", 2,
	    (const char *[]){ r->client_id, status }, api_jobs_row);
}

/*
 * The request to queue again for a job row (status, request, project_id
 * selected below), with the job's own id and client, or NULL when none was
 * kept. Caller frees.
 */
static char *
api_jobs_request(const PGresult *res, const char *client_id,
    const char *job_id)
{
	json_t *req = NULL;
	char *s = NULL;

	if (!PQgetisnull(res, 0, 1))
		req = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
	else if (!PQgetisnull(res, 0, 2))
		req = json_pack("{s:s}", "project_id", PQgetvalue(res, 0, 2));
	if (req == NULL || !json_is_object(req)) {
		json_decref(req);
		return NULL;
	}
	/* the row's identity, whatever the stored request said */
	json_object_set_new(req, "client_id", json_string(client_id));
	json_object_set_new(req, "job_id", json_string(job_id));
	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	return s;
}

/* POST /jobs/{id}/retry: a dead or failed job of the client, again. */
enum MHD_Result
api_jobs_retry(struct MHD_Connection *c, struct api_request *r)
{
	const char *id = r->match.args[0];
	const char *params[2] = { r->client_id, id };
	char *req = NULL, sid[32], status[16];
	PGresult *res = NULL;
	PGconn *db;
	json_t *pid = NULL;
	enum MHD_Result ret;

	if ((db = api_db_get(r)) == NULL)
		return api_error_db(c);
	if (db_begin(db) == -1 ||
	    (res = db_query(db, "SELECT status, request::text, project_id "
	    "FROM jobs WHERE client_id = $1 AND job_id = $2 FOR UPDATE", 2,
	    params, NULL, 0)) == NULL) {
		ret = api_error_db(c);
		goto out;
	}
	if (PQntuples(res) == 0) {
		ret = api_error(c, MHD_HTTP_NOT_FOUND, "Job not found: %s", id);
		goto out;
	}
	snprintf(status, sizeof(status), "%s", PQgetvalue(res, 0, 0));
	if (strcmp(status, "dead") != 0 && strcmp(status, "failed") != 0) {
		ret = api_error(c, MHD_HTTP_CONFLICT, "Job %s is %s: only dead "
		    "or failed jobs can be retried", id, status);
		goto out;
	}
	if ((req = api_jobs_request(res, r->client_id, id)) == NULL) {
		ret = api_error(c, MHD_HTTP_CONFLICT, "Job %s cannot be "
		    "retried: its request was not kept", id);
		goto out;
	}
	pid = api_db_col_str(res, 0, 2);
	if (db_exec(db, "UPDATE jobs SET status = 'queued', attempts = 0, "
	    "error = NULL, finished_at = NULL, updated_at = now() "
	    "WHERE client_id = $1 AND job_id = $2", 2, params) == -1 ||
	    (json_is_string(pid) && db_exec(db, "UPDATE projects SET "
	    "status = 'queued', updated_at = now() WHERE client_id = $1 AND "
	    "project_id = $2", 2, (const char *[]){ r->client_id,
	    json_string_value(pid) }) == -1)) {
		ret = api_error_db(c);
		goto out;
	}
	/*
	 * Queued while the row is locked: a worker that takes it at once
	 * waits for the commit. Should the commit fail, the entry finds the
	 * job still final and is only acknowledged.
	 */
	if (api_redis_enqueue(req, strlen(req), sid, sizeof(sid)) == -1) {
		ret = api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "queue unavailable");
		goto out;
	}
	if (db_commit(db) == -1) {
		ret = api_error_db(c);
		goto out;
	}
	log_info("job %s of client %s queued again as %s", id, r->client_id,
	    sid);
	ret = api_json(c, MHD_HTTP_ACCEPTED, json_pack("{s:s, s:O, s:s, s:s}",
	    "job_id", id, "project_id", pid, "status", "queued", "message",
	    "Job queued again; poll GET /jobs/{job_id}"));
out:
	db_rollback(db);
	api_db_put(db);
	if (res != NULL)
		PQclear(res);
	json_decref(pid);
	free(req);
	return ret;
}

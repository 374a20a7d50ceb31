/*
 * Project routes: list, detail, trace, strategies and delete (the
 * submissions are api_submit.c's). Every query filters by the
 * authenticated client; another client's id is simply not found.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_auth.h"
#include "api_cache.h"
#include "api_db.h"
#include "api_internal.h"
#include "api_limit.h"
#include "api_live.h"
#include "api_projects.h"
#include "api_redis.h"
#include "api_render.h"
#include "api_reply.h"
#include "api_request.h"
#include "api_wait.h"
#include "config.h"
#include "bom.h"
#include "db.h"
#include "intake.h"
#include "log.h"
#include "util.h"

/*
 * GET routes build their whole JSON document in PostgreSQL (json_build_object
 * and json_agg, jsonb columns embedded as they are) and pass the text
 * straight through: no parse and re-serialisation of every line's decision
 * in the API. The keys, their order and their types are those the jansson
 * construction had: text columns that are NULL answer "", money is a JSON
 * number in currency units (API_PROJECTS_MONEY), timestamps are RFC 3339 UTC.
 */

/*
 * A micro-unit bigint column as a JSON number in currency units, exact, up
 * to 6 decimals; whole amounts keep a ".0" (as json_real() printed them).
 */
#define API_PROJECTS_MONEY(col) "CASE WHEN " col " IS NULL " \
	"THEN NULL::json WHEN " col " % 1000000 = 0 " \
	"THEN ((" col " / 1000000)::text || '.0')::json " \
	"ELSE trim_scale(" col " * 0.000001)::text::json END"

/* The trace of project p as a JSON array of step, oldest first. */
#define API_PROJECTS_TRACE_OF(step) "COALESCE((SELECT json_agg(" step \
	" ORDER BY t.n) FROM json_array_elements(p.trace::json) WITH " \
	"ORDINALITY AS t(x, n)), '[]'::json)"

/*
 * The line items of a lines document src (projects.lines, live lines:
 * bomd_lines() reads either, migration 0015) as a JSON array, by line. As
 * the original's BOMLineItem, a line has a line_id (the id the report and
 * the strategies name it by), reference_designators, approved_alternates
 * (filled by api_render_project() from the basis) and a
 * purchasing_decision, which no stage makes (the original never set it
 * either). The agents' decisions are null, as the original's before its
 * agents ran; api_render_project() fills those of a decided line.
 */
#define API_PROJECTS_ITEMS_OF(status, src) "COALESCE((SELECT json_agg(" \
	"json_build_object('line_number', l.line_no, " \
	"'line_id', 'L' || l.line_no, " \
	"'designators', to_json(l.designators), " \
	"'reference_designators', to_json(l.designators), " \
	"'quantity', l.quantity, 'mpn', COALESCE(l.mpn, ''), " \
	"'manufacturer', COALESCE(l.manufacturer, ''), " \
	"'description', COALESCE(l.description, ''), " \
	"'package', COALESCE(l.package, ''), 'value', COALESCE(l.value, ''), " \
	"'status', " status ", 'selected_mpn', l.selected_mpn, " \
	"'selected_supplier', l.selected_supplier, " \
	"'order_quantity', l.order_quantity, " \
	"'unit_price', " API_PROJECTS_MONEY("l.unit_price_micros") ", " \
	"'extended_price', " API_PROJECTS_MONEY("l.extended_price_micros") \
	", 'currency', l.currency, 'final_decision', l.final_decision, " \
	"'purchasing_decision', NULL::json, " \
	"'engineering_decision', NULL::json, " \
	"'sourcing_decision', NULL::json, 'finance_decision', NULL::json, " \
	"'approved_alternates', '[]'::json) " \
	"ORDER BY l.line_no) FROM bomd_lines(" src ") AS l), '[]'::json)"

/* The stored line items of project p. */
#define API_PROJECTS_ITEMS \
	API_PROJECTS_ITEMS_OF("COALESCE(l.status, '')", "p.lines::json")

/* Project summaries from source s (aliased p), newest first, at most $2. */
#define API_PROJECTS_LIST(s) "SELECT COALESCE(json_agg(json_build_object(" \
	"'project_id', s.project_id, 'project_name', COALESCE(s.name, ''), " \
	"'status', COALESCE(s.status, ''), 'line_item_count', s.n, " \
	"'created_at', s.created, 'updated_at', s.updated) " \
	"ORDER BY s.created_at DESC, s.project_id), '[]'::json)::text " \
	"FROM (SELECT p.project_id, p.name, p.status, p.created_at, " \
	"p.line_count AS n, " API_TS("p.created_at") \
	" AS created, " API_TS("p.updated_at") " AS updated " \
	"FROM " s " ORDER BY p.created_at DESC, p.project_id " \
	"LIMIT $2::int) s"

/*
 * The caller's projects; with a key of scope admin, every client's, or
 * those of ?client_id (the original's admin; a tenant's key ignores it, as
 * the original did).
 */
enum MHD_Result
api_projects_list(struct MHD_Connection *c, struct api_request *r)
{
	const char *params[2];
	const char *sql;
	char limit[24];
	enum MHD_Result ret;
	PGresult *res;

	if (api_query_limit(c, limit, sizeof(limit), &ret) == -1)
		return ret;
	params[0] = r->client_id;
	params[1] = limit;
	sql = API_PROJECTS_LIST("projects p WHERE p.client_id = $1");
	if (api_auth_scope(r, SCOPE_ADMIN)) {
		params[0] = MHD_lookup_connection_value(c,
		    MHD_GET_ARGUMENT_KIND, "client_id");
		if (params[0] != NULL && !uuid_valid(params[0]))
			return api_error(c, API_HTTP_UNPROCESSABLE,
			    "client_id: not a client id (a UUID)");
		sql = API_PROJECTS_LIST("bomd_admin.projects_of($1::uuid, "
		    "$2::int) p");
	}
	res = api_db_query(r, sql, 2, params);
	if (res == NULL || PQntuples(res) != 1) {
		PQclear(res);
		return api_error_db(c);
	}
	return api_json_text(c, MHD_HTTP_OK, res);
}

/*
 * Answers the result of a project document query (one text column, at
 * most one row; cleared here): 503 without a result, 404 "Project not
 * found" without a row.
 */
static enum MHD_Result
api_projects_answer(struct MHD_Connection *c, PGresult *res, const char *id)
{
	if (res == NULL)
		return api_error_db(c);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: "
		    "%s", id);
	}
	return api_json_text(c, MHD_HTTP_OK, res);
}

/* A stored context as the original's ProjectContext (migration 0010). */
#define API_PROJECTS_CONTEXT "bomd_project_context(p.context, p.project_id)"

/* The project document of project p (one row of projects p). */
#define API_PROJECTS_DOC(status, context, items, trace) "json_build_object(" \
	"'project_id', p.project_id, 'project_name', COALESCE(p.name, ''), " \
	"'status', " status ", 'context', " context ", 'totals', p.totals, " \
	"'warnings', p.intake_warnings || COALESCE((SELECT jsonb_agg(w " \
	"ORDER BY o) FROM jsonb_array_elements(p.warnings) WITH ORDINALITY " \
	"AS t(w, o) WHERE NOT p.intake_warnings @> jsonb_build_array(w)), " \
	"'[]'), 'bom_filename', p.bom_filename, 'line_items', " items ", " \
	"'trace', " trace ", " \
	"'created_at', " API_TS("p.created_at") ", " \
	"'updated_at', " API_TS("p.updated_at") ")::text"

/*
 * A running job's project: its status and lines from Redis ($3 status,
 * $4 line status, $5 lines), the rest from its row, or made up from the
 * live state alone when the job has no row yet (a job from redis-cli).
 */
static const char api_projects_live_sql[] = "SELECT " API_PROJECTS_DOC(
    "$3", API_PROJECTS_CONTEXT,
    API_PROJECTS_ITEMS_OF("COALESCE($4, l.status, '')", "$5::json"),
    API_PROJECTS_TRACE_OF("json_build_object(" API_PROJECTS_TRACE_KEYS
    ")"))
    " FROM (SELECT p.* FROM projects p WHERE p.client_id = $1 AND "
    "p.project_id = $2 UNION ALL SELECT $2::uuid, $1::uuid, '', $3, "
    "'{}'::jsonb, NULL, NULL, NULL, '[]'::jsonb, now(), now(), "
    "'[]'::jsonb, '[]', 0, '[]', NULL WHERE NOT EXISTS (SELECT 1 FROM "
    "projects q WHERE q.client_id = $1 AND q.project_id = $2)) p";

/*
 * The version of project row p: every write of a row makes a new row
 * version with the writing transaction's id (xmin), and a run or a
 * change also moves updated_at; a document rendered from the row at one
 * version is the document of that version.
 */
#define API_PROJECTS_VERSION "p.xmin::text || ' ' || p.updated_at::text"
#define API_PROJECTS_VERSION_LEN 64

/* The status and version of a tenant's project: one prepared read. */
#define API_PROJECTS_CHECK_STMT "bomd_api_project_version"
static const char api_projects_check_sql[] = "SELECT p.status, "
    API_PROJECTS_VERSION " FROM projects p WHERE p.client_id = $1 AND "
    "p.project_id = $2";

/*
 * A stored project as read: its status and row version, and its
 * document, cached (the bytes of a settled project) or rendered, or
 * both when it was rendered and then cached.
 */
struct api_projects_read {
	char			 status[32];
	char			 version[API_PROJECTS_VERSION_LEN];
	struct api_cache_doc	*cached;
	json_t			*doc;
};

static void
api_projects_read_clear(struct api_projects_read *pr)
{
	api_cache_unref(pr->cached);
	json_decref(pr->doc);
	memset(pr, 0, sizeof(*pr));
}

/*
 * The project document of a stored project: built by PostgreSQL, then the
 * words of lines decided without them rendered (api_render.c) from the
 * stored context, which then gives way to its ProjectContext. Into
 * pr->doc with the row's status and version: 1, 0 when there is no such
 * project, -1 on trouble.
 */
static int
api_projects_doc(PGconn *db, const char *const *params,
    struct api_projects_read *pr)
{
	json_error_t jerr;
	PGresult *res;
	json_t *doc;

	res = db_query(db, "SELECT " API_PROJECTS_DOC("COALESCE(p.status, '')",
	    "p.context", API_PROJECTS_ITEMS,
	    API_PROJECTS_TRACE_OF(API_PROJECTS_TRACE_STEP))
	    ", p.status, bomd_basis(p.basis), " API_PROJECTS_CONTEXT "::text, "
	    API_PROJECTS_VERSION " FROM projects p "
	    "WHERE p.client_id = $1 AND p.project_id = $2", 2, params, NULL,
	    0);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	snprintf(pr->status, sizeof(pr->status), "%s", PQgetvalue(res, 0, 1));
	snprintf(pr->version, sizeof(pr->version), "%s", PQgetvalue(res, 0,
	    4));
	doc = json_loadb(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0),
	    0, &jerr);
	if (doc != NULL && api_render_project(doc, PQgetisnull(res, 0, 2) ?
	    NULL : PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2)) ==
	    -1) {
		log_warnx("project %s: its basis is not usable; the lines "
		    "keep their numbers without words", params[1]);
	}
	if (doc != NULL)
		json_object_set_new(doc, "context", json_loads(PQgetvalue(res,
		    0, 3), 0, NULL));
	PQclear(res);
	if (doc == NULL)
		return -1;
	pr->doc = doc;
	return 1;
}

/* True for a project status that no running job will change. */
static bool
api_projects_settled(const char *status)
{
	return strcmp(status, "complete") == 0 ||
	    strcmp(status, "failed") == 0 || strcmp(status, "created") == 0;
}

/*
 * From the cache: the document of a settled project whose row is still
 * at the version cached, found by one read of the row's status and
 * version (filtered by tenant, as every read). 1 with pr->cached, 2 when
 * not cached (pr->status and pr->version tell the row's), 0 when there
 * is no such project, -1 on trouble.
 */
static int
api_projects_cached(const struct api_request *r, const char *const *params,
    struct api_projects_read *pr)
{
	PGresult *res;

	if ((res = api_db_read(r, API_PROJECTS_CHECK_STMT,
	    api_projects_check_sql, 2, params)) == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		api_cache_drop(params[0], params[1]);
		return 0;
	}
	snprintf(pr->status, sizeof(pr->status), "%s", PQgetvalue(res, 0, 0));
	snprintf(pr->version, sizeof(pr->version), "%s", PQgetvalue(res, 0,
	    1));
	PQclear(res);
	if (!api_projects_settled(pr->status))
		return 2;
	pr->cached = api_cache_get(params[0], params[1], pr->version);
	return pr->cached != NULL ? 1 : 2;
}

/*
 * A stored project (params: client, project) into pr: the cached
 * document of a settled project, else rendered, and then cached when
 * settled. 1, 0 when there is no such project, -1 on trouble. *dbp is
 * r's connection when one was taken (the caller gives it back), else
 * NULL.
 */
static int
api_projects_read(const struct api_request *r, const char *const *params,
    struct api_projects_read *pr, PGconn **dbp)
{
	char *s;
	int found;

	memset(pr, 0, sizeof(*pr));
	*dbp = NULL;
	if (api_cache_enabled()) {
		found = api_projects_cached(r, params, pr);
		if (found != 2)
			return found;
	}
	if ((*dbp = api_db_get(r)) == NULL)
		return -1;
	if ((found = api_projects_doc(*dbp, params, pr)) != 1)
		return found;
	if (api_cache_enabled() && api_projects_settled(pr->status) &&
	    (s = json_dumps(pr->doc, API_JSON_FLAGS)) != NULL)
		pr->cached = api_cache_put(params[0], params[1], pr->version,
		    s, strlen(s));
	return 1;
}

/* Answers the document of pr: its cached bytes, as they are, or pr->doc. */
static enum MHD_Result
api_projects_reply(struct MHD_Connection *c, struct api_projects_read *pr)
{
	struct MHD_Response *resp;
	json_t *doc;

	if (pr->cached == NULL) {
		doc = pr->doc;
		pr->doc = NULL;
		api_projects_read_clear(pr);
		return api_json(c, MHD_HTTP_OK, doc);
	}
	/* the response holds the bytes until they are sent */
	resp = MHD_create_response_from_buffer_with_free_callback_cls(
	    api_cache_len(pr->cached), (void *)(uintptr_t)api_cache_data(
	    pr->cached), api_cache_unref, pr->cached);
	if (resp == NULL) {
		api_projects_read_clear(pr);
		return MHD_NO;
	}
	pr->cached = NULL;
	api_projects_read_clear(pr);
	return api_reply(c, MHD_HTTP_OK, resp, "application/json");
}

enum MHD_Result
api_projects_get(struct MHD_Connection *c, struct api_request *r)
{
	const char *id = r->match.args[0], *params[5];
	char *status, *line_status, *lines;
	struct api_projects_read pr;
	PGresult *res;
	PGconn *db;
	int found;

	if (!uuid_valid(id))
		return api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: "
		    "%s", id);
	params[0] = r->client_id;
	params[1] = id;
	found = api_projects_read(r, params, &pr, &db);
	/* a finished project is the row alone: no look at Redis */
	if (found == 1 && api_projects_settled(pr.status)) {
		api_db_put(db);
		return api_projects_reply(c, &pr);
	}
	/* no row, perhaps a job from redis-cli: its live state may tell */
	if (found == 0 && db == NULL && (db = api_db_get(r)) == NULL)
		found = -1;
	if (found != -1 && api_live_project(db, r->client_id, id, &status,
	    &line_status, &lines) == 1) {
		api_projects_read_clear(&pr);
		params[2] = status;
		params[3] = line_status;
		params[4] = lines;
		res = db_query(db, api_projects_live_sql, 5, params, NULL, 0);
		free(status);
		free(line_status);
		free(lines);
		api_db_put(db);
		return api_projects_answer(c, res, id);
	}
	api_db_put(db);
	if (found == -1 || found == 0) {
		api_projects_read_clear(&pr);
		return found == -1 ? api_error_db(c) : api_error(c,
		    MHD_HTTP_NOT_FOUND, "Project not found: %s", id);
	}
	return api_projects_reply(c, &pr);
}

/*
 * The rendered document of stored project id (a GET route's capture) and,
 * unless status is NULL, its status; NULL after answering 404 or 503 in
 * *ret. Caller json_decref()s it.
 */
static json_t *
api_projects_stored(struct MHD_Connection *c, struct api_request *r,
    const char *id, char *status, size_t len, enum MHD_Result *ret)
{
	const char *params[2] = { r->client_id, id };
	struct api_projects_read pr;
	PGconn *db;
	json_t *doc;
	int found;

	if (!uuid_valid(id)) {
		*ret = api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: "
		    "%s", id);
		return NULL;
	}
	found = api_projects_read(r, params, &pr, &db);
	api_db_put(db);
	doc = json_incref(pr.doc);
	/* a cached document is read back: still far cheaper than a render */
	if (found == 1 && doc == NULL && (doc = json_loadb(api_cache_data(
	    pr.cached), api_cache_len(pr.cached), 0, NULL)) == NULL)
		found = -1;
	if (found == 1 && status != NULL)
		snprintf(status, len, "%s", pr.status);
	api_projects_read_clear(&pr);
	if (found == -1)
		*ret = api_error_db(c);
	else if (found == 0)
		*ret = api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: "
		    "%s", id);
	return found == 1 ? doc : NULL;
}

json_t *
api_projects_items(const char *client_id, const char *project_id)
{
	const char *params[2] = { client_id, project_id };
	struct api_projects_read pr;
	struct api_request *r;
	json_t *doc, *items = NULL;
	PGconn *db;

	/* a request of the tenant alone: the stream that asks has no other */
	r = xcalloc(1, sizeof(*r));
	snprintf(r->client_id, sizeof(r->client_id), "%s", client_id);
	if (api_projects_read(r, params, &pr, &db) == 1) {
		doc = json_incref(pr.doc);
		if (doc == NULL)
			doc = json_loadb(api_cache_data(pr.cached),
			    api_cache_len(pr.cached), 0, NULL);
		items = json_incref(json_object_get(doc, "line_items"));
		json_decref(doc);
	}
	api_db_put(db);
	api_projects_read_clear(&pr);
	free(r);
	return items;
}

enum MHD_Result
api_projects_trace(struct MHD_Connection *c, struct api_request *r)
{
	enum MHD_Result ret;
	json_t *doc, *trace;

	if ((doc = api_projects_stored(c, r, r->match.args[0], NULL, 0,
	    &ret)) == NULL)
		return ret;
	trace = json_incref(json_object_get(doc, "trace"));
	json_decref(doc);
	return api_json(c, MHD_HTTP_OK, trace);
}

/*
 * GET /projects/{id}/strategies: the exact sourcing strategies of a
 * processed project, from its basis and lines (as in its report).
 */
enum MHD_Result
api_projects_strategies(struct MHD_Connection *c, struct api_request *r)
{
	enum MHD_Result ret;
	char status[32];
	json_t *doc, *st;

	if ((doc = api_projects_stored(c, r, r->match.args[0], status,
	    sizeof(status), &ret)) == NULL)
		return ret;
	st = json_object_get(json_object_get(doc, "report"), "strategies");
	if (!json_is_object(st)) {
		json_decref(doc);
		return api_error(c, MHD_HTTP_CONFLICT, "Project not processed "
		    "yet: %s (status %s)", r->match.args[0], status);
	}
	st = json_incref(st);
	json_object_set_new(st, "project_id", json_string(r->match.args[0]));
	json_decref(doc);
	return api_json(c, MHD_HTTP_OK, st);
}

/* Line items and trace go with the project (foreign keys cascade). */
enum MHD_Result
api_projects_delete(struct MHD_Connection *c, struct api_request *r)
{
	const char *id = r->match.args[0];
	const char *params[2] = { r->client_id, id };
	PGresult *res;
	int n;

	if (!uuid_valid(id))
		return api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: "
		    "%s", id);
	if ((res = api_db_query(r, "DELETE FROM projects WHERE "
	    "client_id = $1 AND project_id = $2 RETURNING project_id", 2,
	    params)) == NULL)
		return api_error_db(c);
	n = PQntuples(res);
	PQclear(res);
	api_cache_drop(r->client_id, id);
	if (n == 0)
		return api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: "
		    "%s", id);
	return api_json(c, MHD_HTTP_OK, json_pack("{s:s}", "deleted", id));
}

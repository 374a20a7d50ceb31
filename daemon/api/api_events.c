/*
 * GET /projects/{id}/events: Server-Sent Events with the project's progress
 * (status changes, line counts, trace steps) until its job is done. The
 * stream polls PostgreSQL whenever libmicrohttpd asks for data and, with
 * nothing new, suspends the connection for a short while (no thread is
 * held); bounded in time and in number per client, with keep-alive
 * comments for proxies; ended when a key is revoked.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include "api_auth.h"
#include "api_db.h"
#include "api_events.h"
#include "api_limit.h"
#include "api_projects.h"
#include "api_render.h"
#include "api_reply.h"
#include "api_request.h"
#include "api_wait.h"
#include "db.h"
#include "util.h"

#define API_EVENTS_POLL_MS	200
#define API_EVENTS_KEEPALIVE_MS	15000
#define API_EVENTS_MAX_MS	(30 * 60 * 1000)
#define API_EVENTS_DB_MS	2000	/* for a pooled connection */
#define API_EVENTS_PAGE		500	/* trace steps per poll */
#define API_EVENTS_AUTH_MS	2000	/* how often the credentials count */

/* One open stream. */
struct api_events_stream {
	struct MHD_Connection *conn;
	char		client_id[UUID_BUFSZ];
	char		project_id[UUID_BUFSZ];
	char		status[32];	/* last status sent */
	long long	last_step;	/* last trace step id sent */
	int64_t		started_ms;
	int64_t		last_sent_ms;
	int64_t		generation;	/* the auth generation at the start */
	int64_t		auth_ms;	/* when it was last compared */
	int		done;		/* the final event was queued */
	struct buf	out;		/* bytes not yet handed to MHD */
	size_t		off;
};

/* Queues one event with data (taken over) for the stream. */
static void
api_events_add(struct api_events_stream *ev, const char *event,
    json_t *data)
{
	char *s = json_dumps(data, JSON_COMPACT | JSON_REAL_PRECISION(15));

	json_decref(data);
	buf_printf(&ev->out, "event: %s\ndata: %s\n\n", event, s ? s : "{}");
	free(s);
	ev->last_sent_ms = now_ms();
}

/*
 * Sends the stored trace steps of res (rows: number, step) as the
 * project's trace shows them (api_render_trace_step()): the step that
 * stands for every line's decision as a step per line, with the line
 * items as rendered for it.
 */
static void
api_events_steps(struct api_events_stream *ev, PGresult *res)
{
	json_t *step, *items = NULL, *out, *s;
	size_t k;
	int i;

	out = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		ev->last_step = atoll(PQgetvalue(res, i, 0));
		if ((step = json_loads(PQgetvalue(res, i, 1), 0, NULL)) ==
		    NULL)
			continue;
		if (items == NULL && (json_object_get(step, "lines") != NULL ||
		    json_object_get(step, "line") != NULL))
			items = api_projects_items(ev->client_id,
			    ev->project_id);
		api_render_trace_step(out, step, items);
		json_decref(step);
	}
	json_array_foreach(out, k, s)
		api_events_add(ev, "trace", json_pack("{s:O?, s:O?, s:O?, "
		    "s:O?, s:O?}", "step", json_object_get(s, "step"), "agent",
		    json_object_get(s, "agent"), "message", json_object_get(s,
		    "message"), "timestamp", json_object_get(s, "timestamp"),
		    "reasoning", json_object_get(s, "reasoning")));
	json_decref(out);
	json_decref(items);
}

/* One poll: new status, line counts, new trace steps. -1 on db trouble. */
static int
api_events_poll(struct api_events_stream *ev)
{
	const char *params[4];
	char last[32], page[16];
	PGresult *res;
	PGconn *db;
	int final;

	if ((db = api_db_tenant(ev->client_id, API_EVENTS_DB_MS)) == NULL)
		return -1;
	params[0] = ev->client_id;
	params[1] = ev->project_id;
	res = db_query(db, "SELECT p.status, (SELECT count(*) FROM line_items "
	    "l WHERE l.client_id = p.client_id AND l.project_id = "
	    "p.project_id), COALESCE(p.totals::text, 'null'), (SELECT "
	    "j.status FROM jobs j WHERE j.client_id = p.client_id AND "
	    "j.project_id = p.project_id ORDER BY j.created_at DESC LIMIT 1) "
	    "FROM projects p WHERE p.client_id = $1 AND p.project_id = $2", 2,
	    params, NULL, 0);
	if (res == NULL) {
		api_db_put(db);
		return -1;
	}
	if (PQntuples(res) == 0) {
		api_events_add(ev, "error", json_pack("{s:s}", "detail",
		    "project deleted"));
		ev->done = 1;
		PQclear(res);
		api_db_put(db);
		return 0;
	}
	final = strcmp(PQgetvalue(res, 0, 0), "complete") == 0 ||
	    strcmp(PQgetvalue(res, 0, 0), "failed") == 0;
	if (strcmp(PQgetvalue(res, 0, 0), ev->status) != 0 || final) {
		snprintf(ev->status, sizeof(ev->status), "%s",
		    PQgetvalue(res, 0, 0));
		api_events_add(ev, "status", json_pack("{s:s, s:s, s:I, s:o, "
		    "s:o}", "project_id", ev->project_id, "status", ev->status,
		    "line_items", (json_int_t)atoll(PQgetvalue(res, 0, 1)),
		    "job_status", api_db_col_str(res, 0, 3), "totals",
		    api_db_col_json(res, 0, 2)));
	}
	PQclear(res);

	snprintf(last, sizeof(last), "%lld", ev->last_step);
	params[2] = last;
	snprintf(page, sizeof(page), "%d", API_EVENTS_PAGE);
	params[3] = page;
	res = db_query(db, "SELECT t.n, (" API_PROJECTS_TRACE_STEP ")::text "
	    "FROM projects p CROSS JOIN LATERAL json_array_elements("
	    "p.trace::json) WITH ORDINALITY AS t(x, n) WHERE "
	    "p.client_id = $1 AND p.project_id = $2 AND t.n > $3::bigint "
	    "ORDER BY t.n LIMIT $4::int", 4, params, NULL, 0);
	api_db_put(db);
	if (res == NULL)
		return -1;
	api_events_steps(ev, res);
	/* all steps are sent before "done": a full page means more remain */
	if (final && PQntuples(res) < API_EVENTS_PAGE) {
		api_events_add(ev, "done", json_pack("{s:s, s:s}", "project_id",
		    ev->project_id, "status", ev->status));
		ev->done = 1;
	}
	PQclear(res);
	return 0;
}

/*
 * True when a key was revoked or a client deactivated since the stream
 * began (the auth generation moved): perhaps this stream's own.
 */
static bool
api_events_revoked(struct api_events_stream *ev)
{
	int64_t gen;

	if (now_ms() - ev->auth_ms < API_EVENTS_AUTH_MS)
		return false;
	ev->auth_ms = now_ms();
	gen = api_auth_generation();
	return gen >= 0 && ev->generation >= 0 && gen != ev->generation;
}

/* True when the client closed its end of the stream's connection. */
static bool
api_events_gone(const struct api_events_stream *ev)
{
	const union MHD_ConnectionInfo *ci;
	char b;

	ci = MHD_get_connection_info(ev->conn,
	    MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci != NULL && recv(ci->connect_fd, &b, 1,
	    MSG_PEEK | MSG_DONTWAIT) == 0;
}

static ssize_t
api_events_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct api_events_stream *ev = cls;
	size_t n;

	(void)pos;
	if (ev->off == ev->out.len) {
		if (ev->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		ev->off = 0;
		ev->out.len = 0;
		if (now_ms() - ev->started_ms > API_EVENTS_MAX_MS) {
			api_events_add(ev, "timeout", json_pack("{s:s}",
			    "detail", "stream time limit reached; reconnect"));
			ev->done = 1;
		} else if (api_events_revoked(ev)) {
			/* the key may be revoked: its caller asks again */
			api_events_add(ev, "reauth", json_pack("{s:s}",
			    "detail", "a key or client was revoked; "
			    "reconnect"));
			ev->done = 1;
		} else if (api_events_poll(ev) == -1)
			buf_puts(&ev->out, ": database unavailable, "
			    "retrying\n\n");
		if (ev->out.len == 0 &&
		    now_ms() - ev->last_sent_ms > API_EVENTS_KEEPALIVE_MS) {
			buf_puts(&ev->out, ": keep-alive\n\n");
			ev->last_sent_ms = now_ms();
		}
		/* a client gone is seen now, not at the next keep-alive */
		if (ev->out.len == 0 && api_events_gone(ev))
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (ev->out.len == 0) {
			/* nothing new: park the connection, not a thread */
			if (api_wait_sleep(ev->conn, API_EVENTS_POLL_MS) == 0)
				return 0;
			buf_puts(&ev->out, ": busy\n\n");
		}
	}
	n = ev->out.len - ev->off;
	if (n > max)
		n = max;
	memcpy(buf, ev->out.data + ev->off, n);
	ev->off += n;
	return (ssize_t)n;
}

static void
api_events_free(void *cls)
{
	struct api_events_stream *ev = cls;

	buf_free(&ev->out);
	free(ev);
}

enum MHD_Result
api_events_open(struct MHD_Connection *c, struct api_request *r)
{
	const char *id = r->match.args[0];
	const char *params[2] = { r->client_id, id };
	struct MHD_Response *resp;
	struct api_events_stream *ev;
	enum MHD_Result ret;
	PGresult *res;
	int found;

	if (!uuid_valid(id))
		return api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: %s",
		    id);
	if (api_limit_take(c, r, API_LIMIT_STREAM, &ret) == -1)
		return ret;
	if ((res = api_db_query(r, "SELECT 1 FROM projects WHERE "
	    "client_id = $1 AND project_id = $2", 2, params)) == NULL)
		return api_error_db(c);
	found = PQntuples(res) > 0;
	PQclear(res);
	if (!found)
		return api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: %s",
		    id);
	ev = xcalloc(1, sizeof(*ev));
	ev->conn = c;
	snprintf(ev->client_id, sizeof(ev->client_id), "%s", r->client_id);
	/* id is a uuid, checked above */
	snprintf(ev->project_id, sizeof(ev->project_id), "%.36s", id);
	ev->started_ms = ev->last_sent_ms = ev->auth_ms = now_ms();
	ev->generation = api_auth_generation();
	buf_init(&ev->out);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
	    api_events_reader, ev, api_events_free);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	return api_reply(c, MHD_HTTP_OK, resp, "text/event-stream");
}

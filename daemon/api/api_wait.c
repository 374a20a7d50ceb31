/*
 * Suspended requests (libmicrohttpd suspend/resume) and the one thread
 * that resumes them: it sleeps while nobody waits, polls the jobs of every
 * job waiter in a single query every API_WAIT_POLL_MS, and resumes each
 * waiter when its job is final or its time is up.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_db.h"
#include "api_internal.h"
#include "api_metrics.h"
#include "api_reply.h"
#include "api_request.h"
#include "api_wait.h"
#include "api_x402.h"
#include "config.h"
#include "db.h"
#include "job_status.h"
#include "util.h"

#define API_WAIT_POLL_MS	50
#define API_WAIT_DB_MS		1000	/* for a pooled connection */
#define API_WAIT_MAX		4096	/* suspended requests at once */

struct api_waiter {
	struct MHD_Connection	*c;
	struct api_request	*r;	/* NULL for a plain sleep */
	int64_t			 until_ms;
	struct api_waiter	*next;
};

/* api_wait_mu guards the list and the flags; api_wait_cv wakes the thread. */
static pthread_mutex_t api_wait_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t api_wait_cv;
static struct api_waiter *api_wait_head;
static size_t api_wait_n;
static pthread_t api_wait_thread;
static int api_wait_running;
static int api_wait_stop;
static int64_t api_wait_polled_ms;	/* the thread's own: last job poll */

/*
 * The answer of a job wait: 200 with the final status, else 202; a paid
 * request's goes through its settlement first.
 */
static enum MHD_Result
api_wait_answer(struct MHD_Connection *c, struct api_request *r)
{
	char msg[600];
	const char *status = r->wait_status;
	unsigned int code = MHD_HTTP_OK;
	json_t *body;

	if (r->wait_final) {
		if (strcmp(status, "complete") == 0)
			snprintf(msg, sizeof(msg), "BOM processed");
		else
			snprintf(msg, sizeof(msg), "Processing failed: %s",
			    r->wait_error);
		if (strcmp(status, "dead") == 0)
			status = "failed";
	} else {
		code = MHD_HTTP_ACCEPTED;
		status = strcmp(status, "running") == 0 ? "running" : "queued";
		snprintf(msg, sizeof(msg), "BOM queued for processing; poll "
		    "GET /jobs/{job_id}");
	}
	body = json_pack("{s:s, s:s, s:s, s:s}", "project_id", r->wait_project,
	    "job_id", r->wait_job, "status", status, "message", msg);
	if (r->x402 != NULL)
		return api_x402_finish(c, r, code, body);
	return api_json(c, code, body);
}

/* Called with the lock held; frees w. */
static void
api_wait_resume(struct api_waiter *w)
{
	if (w->r != NULL)
		w->r->wait_state = API_WAIT_DONE;
	MHD_resume_connection(w->c);
	free(w);
}

/* Asks PostgreSQL for every waited job at once; updates the requests. */
static void
api_wait_poll_jobs(void)
{
	const char *params[1];
	struct api_waiter *w;
	struct buf tenants;
	json_t *keys;
	char *text;
	PGresult *res = NULL;
	PGconn *db;
	int i;

	keys = json_array();
	buf_init(&tenants);
	pthread_mutex_lock(&api_wait_mu);
	for (w = api_wait_head; w != NULL; w = w->next)
		if (w->r != NULL) {
			json_array_append_new(keys, json_pack("[s, s]",
			    w->r->client_id, w->r->wait_job));
			if (strstr(tenants.data ? tenants.data : "",
			    w->r->client_id) == NULL)
				buf_printf(&tenants, "%s%s", tenants.len ?
				    "," : "", w->r->client_id);
		}
	pthread_mutex_unlock(&api_wait_mu);
	if (json_array_size(keys) == 0) {
		json_decref(keys);
		buf_free(&tenants);
		return;
	}
	text = json_dumps(keys, JSON_COMPACT);
	json_decref(keys);
	params[0] = text;
	/* one query for all waiters, naming exactly their tenants */
	if ((db = api_db_tenant(tenants.data, API_WAIT_DB_MS)) != NULL)
		res = db_query(db, "SELECT j.client_id::text, j.job_id, "
		    "j.status, COALESCE(j.error, '') FROM jobs j JOIN "
		    "jsonb_array_elements($1::jsonb) k ON j.client_id = "
		    "(k->>0)::uuid AND j.job_id = k->>1", 1, params, NULL, 0);
	api_db_put(db);
	free(text);
	buf_free(&tenants);
	if (res == NULL)
		return;
	pthread_mutex_lock(&api_wait_mu);
	for (i = 0; i < PQntuples(res); i++)
		for (w = api_wait_head; w != NULL; w = w->next) {
			if (w->r == NULL ||
			    strcmp(w->r->client_id, PQgetvalue(res, i, 0)) ||
			    strcmp(w->r->wait_job, PQgetvalue(res, i, 1)))
				continue;
			snprintf(w->r->wait_status, sizeof(w->r->wait_status),
			    "%s", PQgetvalue(res, i, 2));
			snprintf(w->r->wait_error, sizeof(w->r->wait_error),
			    "%s", PQgetvalue(res, i, 3));
			w->r->wait_final = job_status_final(w->r->wait_status);
		}
	pthread_mutex_unlock(&api_wait_mu);
	PQclear(res);
}

/* Resumes the waiters that are done; all of them when all is set. */
static void
api_wait_resume_due(int all)
{
	struct api_waiter **pp, *w;
	int64_t now = now_ms();

	pthread_mutex_lock(&api_wait_mu);
	for (pp = &api_wait_head; (w = *pp) != NULL;) {
		if (all || now >= w->until_ms ||
		    (w->r != NULL && w->r->wait_final)) {
			*pp = w->next;
			api_wait_n--;
			api_wait_resume(w);
		} else
			pp = &w->next;
	}
	pthread_mutex_unlock(&api_wait_mu);
}

/*
 * When the thread has work next: a waiter's end, or the next poll while a
 * job is waited for; -1 when nobody waits. Called with the lock held.
 */
static int64_t
api_wait_next_due(void)
{
	const struct api_waiter *w;
	int64_t due = -1, t;

	for (w = api_wait_head; w != NULL; w = w->next) {
		t = w->until_ms;
		if (w->r != NULL && api_wait_polled_ms + API_WAIT_POLL_MS < t)
			t = api_wait_polled_ms + API_WAIT_POLL_MS;
		if (due == -1 || t < due)
			due = t;
	}
	return due;
}

static void *
api_wait_main(void *arg)
{
	struct timespec ts;
	int64_t due;

	(void)arg;
	pthread_mutex_lock(&api_wait_mu);
	while (!api_wait_stop) {
		due = api_wait_next_due();
		if (due == -1) {
			pthread_cond_wait(&api_wait_cv, &api_wait_mu);
			continue;
		}
		if (due > now_ms()) {
			ts.tv_sec = due / 1000;
			ts.tv_nsec = (due % 1000) * 1000000L;
			pthread_cond_timedwait(&api_wait_cv, &api_wait_mu, &ts);
			continue;
		}
		pthread_mutex_unlock(&api_wait_mu);
		if (now_ms() >= api_wait_polled_ms + API_WAIT_POLL_MS) {
			api_wait_poll_jobs();
			api_wait_polled_ms = now_ms();
		}
		api_wait_resume_due(0);
		pthread_mutex_lock(&api_wait_mu);
	}
	pthread_mutex_unlock(&api_wait_mu);
	return NULL;
}

int
api_wait_init(void)
{
	pthread_condattr_t attr;

	/* deadlines come from now_ms(), the monotonic clock */
	if (pthread_condattr_init(&attr) != 0)
		return -1;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&api_wait_cv, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		return -1;
	}
	pthread_condattr_destroy(&attr);
	api_wait_stop = 0;
	if (pthread_create(&api_wait_thread, NULL, api_wait_main, NULL) != 0) {
		pthread_cond_destroy(&api_wait_cv);
		return -1;
	}
	api_wait_running = 1;
	return 0;
}

void
api_wait_shutdown(void)
{
	if (!api_wait_running)
		return;
	pthread_mutex_lock(&api_wait_mu);
	api_wait_stop = 1;
	pthread_cond_signal(&api_wait_cv);
	pthread_mutex_unlock(&api_wait_mu);
	pthread_join(api_wait_thread, NULL);
	api_wait_running = 0;
	api_wait_resume_due(1);
	pthread_cond_destroy(&api_wait_cv);
}

/* Suspends c and queues it; -1 (not suspended) when the table is full. */
static int
api_wait_add(struct MHD_Connection *c, struct api_request *r,
    int64_t until_ms)
{
	struct api_waiter *w;

	pthread_mutex_lock(&api_wait_mu);
	if (api_wait_n >= API_WAIT_MAX || !api_wait_running) {
		pthread_mutex_unlock(&api_wait_mu);
		return -1;
	}
	w = xcalloc(1, sizeof(*w));
	w->c = c;
	w->r = r;
	w->until_ms = until_ms;
	/* suspended before the thread sees it: no resume comes first */
	MHD_suspend_connection(c);
	w->next = api_wait_head;
	api_wait_head = w;
	api_wait_n++;
	pthread_cond_signal(&api_wait_cv);
	pthread_mutex_unlock(&api_wait_mu);
	return 0;
}

enum MHD_Result
api_wait_job(struct MHD_Connection *c, struct api_request *r,
    const char *project_id, const char *job_id, bool async)
{
	int64_t until;

	snprintf(r->wait_project, sizeof(r->wait_project), "%s", project_id);
	snprintf(r->wait_job, sizeof(r->wait_job), "%s", job_id);
	snprintf(r->wait_status, sizeof(r->wait_status), "queued");
	r->wait_error[0] = '\0';
	r->wait_final = 0;
	until = now_ms() + api_cfg->sync_wait * 1000;
	if (r->wait_until_ms != 0 && r->wait_until_ms < until)
		until = r->wait_until_ms;
	if (async || until <= now_ms())
		return api_wait_answer(c, r);
	r->wait_state = API_WAIT_PENDING;
	if (api_wait_add(c, r, until) == -1) {
		r->wait_state = API_WAIT_NONE;
		return api_wait_answer(c, r);
	}
	return MHD_YES;
}

enum MHD_Result
api_wait_resumed(struct MHD_Connection *c, struct api_request *r)
{
	if (r->wait_state == API_WAIT_PENDING)
		return MHD_YES;
	/* perhaps on another thread: count the answer under its route */
	api_metrics_route(r->route_method, r->route_pattern);
	r->wait_state = API_WAIT_NONE;
	return api_wait_answer(c, r);
}

int
api_wait_sleep(struct MHD_Connection *c, int ms)
{
	return api_wait_add(c, NULL, now_ms() + ms);
}

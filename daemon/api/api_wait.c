/*
 * Waiting without a thread per waiter: a request that waits for its job
 * (upload-and-process, /process) or an event stream with nothing to send
 * is suspended (libmicrohttpd suspend/resume); one thread polls the jobs
 * of every waiter in a single query and resumes each when its job is final,
 * its wait is over, or its sleep has passed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_internal.h"
#include "db.h"
#include "log.h"
#include "util.h"

#define WAIT_POLL_MS	50
#define WAIT_MAX	4096	/* suspended requests at once */

struct waiter {
	struct MHD_Connection	*c;
	struct api_request	*r;	/* NULL for a plain sleep */
	int64_t			 until_ms;
	struct waiter		*next;
};

static pthread_mutex_t wait_mu = PTHREAD_MUTEX_INITIALIZER;
static struct waiter *wait_head;
static size_t wait_n;
static pthread_t wait_thread;
static int wait_running;
static volatile int wait_stop;

static void
wait_resume(struct waiter *w)
{
	if (w->r != NULL)
		w->r->wait_state = API_WAIT_DONE;
	MHD_resume_connection(w->c);
	free(w);
}

/* Asks PostgreSQL for every waited job at once; updates the requests. */
static void
wait_poll_jobs(void)
{
	const char *params[1];
	struct waiter *w;
	json_t *keys;
	char *text;
	PGresult *res;
	PGconn *db;
	int i;

	keys = json_array();
	pthread_mutex_lock(&wait_mu);
	for (w = wait_head; w != NULL; w = w->next)
		if (w->r != NULL)
			json_array_append_new(keys, json_pack("[s, s]",
			    w->r->client_id, w->r->wait_job));
	pthread_mutex_unlock(&wait_mu);
	if (json_array_size(keys) == 0) {
		json_decref(keys);
		return;
	}
	text = json_dumps(keys, JSON_COMPACT);
	json_decref(keys);
	params[0] = text;
	res = NULL;
	if ((db = db_pool_get(api.pool, 1000)) != NULL) {
		/* one query for all waiters, across tenants */
		if (db_set_tenant(db, "*") == 0)
			res = db_query(db, "SELECT j.client_id::text, j.job_id, "
			    "j.status, COALESCE(j.error, '') FROM jobs j JOIN "
			    "jsonb_array_elements($1::jsonb) k ON j.client_id ="
			    " (k->>0)::uuid AND j.job_id = k->>1", 1, params,
			    NULL, 0);
		api_db_put(db);
	}
	free(text);
	if (res == NULL)
		return;
	pthread_mutex_lock(&wait_mu);
	for (i = 0; i < PQntuples(res); i++)
		for (w = wait_head; w != NULL; w = w->next) {
			if (w->r == NULL ||
			    strcmp(w->r->client_id, PQgetvalue(res, i, 0)) ||
			    strcmp(w->r->wait_job, PQgetvalue(res, i, 1)))
				continue;
			snprintf(w->r->wait_status, sizeof(w->r->wait_status),
			    "%s", PQgetvalue(res, i, 2));
			snprintf(w->r->wait_error, sizeof(w->r->wait_error),
			    "%s", PQgetvalue(res, i, 3));
			w->r->wait_final =
			    strcmp(w->r->wait_status, "complete") == 0 ||
			    strcmp(w->r->wait_status, "failed") == 0 ||
			    strcmp(w->r->wait_status, "dead") == 0;
		}
	pthread_mutex_unlock(&wait_mu);
	PQclear(res);
}

/* Resumes the waiters that are done; all of them when stopping. */
static void
wait_resume_due(int all)
{
	struct waiter **pp, *w;
	int64_t now = now_ms();

	pthread_mutex_lock(&wait_mu);
	for (pp = &wait_head; (w = *pp) != NULL;) {
		if (all || now >= w->until_ms ||
		    (w->r != NULL && w->r->wait_final)) {
			*pp = w->next;
			wait_n--;
			wait_resume(w);
		} else
			pp = &w->next;
	}
	pthread_mutex_unlock(&wait_mu);
}

static void *
wait_main(void *arg)
{
	struct timespec ts = { 0, WAIT_POLL_MS * 1000000L };

	(void)arg;
	while (!wait_stop) {
		nanosleep(&ts, NULL);
		wait_poll_jobs();
		wait_resume_due(0);
	}
	return NULL;
}

int
api_wait_init(void)
{
	wait_stop = 0;
	if (pthread_create(&wait_thread, NULL, wait_main, NULL) != 0)
		return -1;
	wait_running = 1;
	return 0;
}

void
api_wait_shutdown(void)
{
	if (!wait_running)
		return;
	wait_stop = 1;
	pthread_join(wait_thread, NULL);
	wait_running = 0;
	wait_resume_due(1);
}

/* Suspends c and queues it; -1 (not suspended) when the table is full. */
static int
wait_add(struct MHD_Connection *c, struct api_request *r, int64_t until_ms)
{
	struct waiter *w;

	pthread_mutex_lock(&wait_mu);
	if (wait_n >= WAIT_MAX || !wait_running) {
		pthread_mutex_unlock(&wait_mu);
		return -1;
	}
	w = xcalloc(1, sizeof(*w));
	w->c = c;
	w->r = r;
	w->until_ms = until_ms;
	/* suspend before the poller can see it, so a resume never comes first */
	MHD_suspend_connection(c);
	w->next = wait_head;
	wait_head = w;
	wait_n++;
	pthread_mutex_unlock(&wait_mu);
	return 0;
}

int
api_wait_job_start(struct MHD_Connection *c, struct api_request *r,
    const char *project_id, const char *job_id, int64_t wait_s)
{
	snprintf(r->wait_project, sizeof(r->wait_project), "%s", project_id);
	snprintf(r->wait_job, sizeof(r->wait_job), "%s", job_id);
	snprintf(r->wait_status, sizeof(r->wait_status), "queued");
	r->wait_error[0] = '\0';
	r->wait_final = 0;
	r->wait_state = API_WAIT_PENDING;
	if (wait_add(c, r, now_ms() + wait_s * 1000) == -1) {
		r->wait_state = API_WAIT_NONE;
		return -1;
	}
	return 0;
}

int
api_wait_sleep(struct MHD_Connection *c, int ms)
{
	return wait_add(c, NULL, now_ms() + ms);
}

/*
 * GET /metrics in the Prometheus text format: queue depth, jobs by state,
 * job latency histogram, HTTP requests by route and status, LLM calls and
 * tokens, live offer sources' calls, errors and remaining budgets. HTTP
 * counters live in this API process; the rest is read from Redis and
 * PostgreSQL (totals of every tenant, never one tenant's figures) at most
 * every API_METRICS_CACHE_MS. With metrics_token set, a scrape needs it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_auth.h"
#include "api_db.h"
#include "api_internal.h"
#include "api_metrics.h"
#include "api_redis.h"
#include "api_reply.h"
#include "config.h"
#include "db.h"
#include "job_status.h"
#include "provider.h"
#include "util.h"

#define API_METRICS_MAX_SERIES	512
#define API_METRICS_CACHE_MS	5000	/* Redis and PostgreSQL figures */
#define API_METRICS_DB_MS	2000	/* for the scrape's connection */

/* One counter: answers with status on a route. */
struct api_metrics_series {
	const char	*method;	/* strings of the route table */
	const char	*route;
	unsigned int	 status;
	uint64_t	 count;
};

static pthread_mutex_t api_metrics_mu = PTHREAD_MUTEX_INITIALIZER;
static struct api_metrics_series api_metrics_http[API_METRICS_MAX_SERIES];
static size_t api_metrics_nhttp;

/* the route a request thread serves, set by api_metrics_route() */
static _Thread_local const char *api_metrics_cur_method;
static _Thread_local const char *api_metrics_cur_route;

void
api_metrics_route(const char *method, const char *route)
{
	api_metrics_cur_method = method;
	api_metrics_cur_route = route;
}

void
api_metrics_count(unsigned int status)
{
	const char *method = api_metrics_cur_method ?
	    api_metrics_cur_method : "OTHER";
	const char *route = api_metrics_cur_route ?
	    api_metrics_cur_route : "unmatched";
	size_t i;

	pthread_mutex_lock(&api_metrics_mu);
	for (i = 0; i < api_metrics_nhttp; i++)
		if (api_metrics_http[i].status == status &&
		    api_metrics_http[i].route == route &&
		    strcmp(api_metrics_http[i].method, method) == 0)
			break;
	if (i == api_metrics_nhttp) {
		if (api_metrics_nhttp == API_METRICS_MAX_SERIES) {
			pthread_mutex_unlock(&api_metrics_mu);
			return;
		}
		api_metrics_http[i].method = method;
		api_metrics_http[i].route = route;
		api_metrics_http[i].status = status;
		api_metrics_nhttp++;
	}
	api_metrics_http[i].count++;
	pthread_mutex_unlock(&api_metrics_mu);
}

static void
api_metrics_http_text(struct buf *b)
{
	size_t i;

	buf_puts(b, "# HELP bomd_http_requests_total HTTP requests answered "
	    "by this API process, by route and status.\n"
	    "# TYPE bomd_http_requests_total counter\n");
	pthread_mutex_lock(&api_metrics_mu);
	for (i = 0; i < api_metrics_nhttp; i++)
		buf_printf(b, "bomd_http_requests_total{method=\"%s\","
		    "route=\"%s\",code=\"%u\"} %llu\n",
		    api_metrics_http[i].method, api_metrics_http[i].route,
		    api_metrics_http[i].status,
		    (unsigned long long)api_metrics_http[i].count);
	pthread_mutex_unlock(&api_metrics_mu);
}

/*
 * Jobs by state, the latency histogram and LLM totals, from the
 * bomd_admin.metrics_*() functions (totals over every tenant: the one path to
 * them); -1 on db error.
 */
static int
api_metrics_db_text(struct buf *b, PGconn *db)
{
	static const char *le[] = { "0.1", "0.5", "1", "2", "5", "10", "30",
	    "60", "300" };
	const char *params[1];
	struct buf arg;
	PGresult *res;
	size_t i;
	int k;

	/* every state, as the array literal {queued,...}, so none is missing */
	buf_init(&arg);
	for (i = 0; job_statuses[i] != NULL; i++)
		buf_printf(&arg, "%s%s", i ? "," : "{", job_statuses[i]);
	buf_puts(&arg, "}");
	params[0] = arg.data;
	res = db_query(db, "SELECT status, n FROM bomd_admin.metrics_jobs("
	    "$1::text[])", 1, params, NULL, 0);
	buf_free(&arg);
	if (res == NULL)
		return -1;
	buf_puts(b, "# HELP bomd_jobs Jobs by state (all tenants).\n"
	    "# TYPE bomd_jobs gauge\n");
	for (k = 0; k < PQntuples(res); k++)
		buf_printf(b, "bomd_jobs{state=\"%s\"} %s\n",
		    PQgetvalue(res, k, 0), PQgetvalue(res, k, 1));
	PQclear(res);

	buf_init(&arg);
	for (i = 0; i < sizeof(le) / sizeof(le[0]); i++)
		buf_printf(&arg, "%s%s", i ? "," : "{", le[i]);
	buf_puts(&arg, "}");
	params[0] = arg.data;
	res = db_query(db, "SELECT u.b, l.n, l.total FROM "
	    "bomd_admin.metrics_latency($1::float8[]) l, unnest(l.buckets) "
	    "WITH ORDINALITY u(b, i) ORDER BY u.i", 1, params, NULL, 0);
	buf_free(&arg);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != (int)(sizeof(le) / sizeof(le[0]))) {
		PQclear(res);
		return -1;
	}
	buf_puts(b, "# HELP bomd_job_duration_seconds Time from enqueue to "
	    "commit of completed jobs.\n"
	    "# TYPE bomd_job_duration_seconds histogram\n");
	for (i = 0; i < sizeof(le) / sizeof(le[0]); i++)
		buf_printf(b, "bomd_job_duration_seconds_bucket{le=\"%s\"} "
		    "%s\n", le[i], PQgetvalue(res, (int)i, 0));
	buf_printf(b, "bomd_job_duration_seconds_bucket{le=\"+Inf\"} %s\n"
	    "bomd_job_duration_seconds_sum %s\n"
	    "bomd_job_duration_seconds_count %s\n", PQgetvalue(res, 0, 1),
	    PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 1));
	PQclear(res);

	res = db_query(db, "SELECT calls, prompt, completion, cost FROM "
	    "bomd_admin.metrics_llm()", 0, NULL, NULL, 0);
	if (res == NULL)
		return -1;
	buf_printf(b, "# HELP bomd_llm_calls_total LLM requests made.\n"
	    "# TYPE bomd_llm_calls_total counter\n"
	    "bomd_llm_calls_total %s\n"
	    "# HELP bomd_llm_tokens_total LLM tokens used.\n"
	    "# TYPE bomd_llm_tokens_total counter\n"
	    "bomd_llm_tokens_total{kind=\"prompt\"} %s\n"
	    "bomd_llm_tokens_total{kind=\"completion\"} %s\n"
	    "# HELP bomd_llm_cost_micros_total LLM cost in micro-units.\n"
	    "# TYPE bomd_llm_cost_micros_total counter\n"
	    "bomd_llm_cost_micros_total %s\n", PQgetvalue(res, 0, 0),
	    PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
	    PQgetvalue(res, 0, 3));
	PQclear(res);
	return 0;
}

/* The live offer sources' calls, errors and budgets (from Redis). */
static void
api_metrics_providers(struct buf *b)
{
	struct provider_settings s;
	struct provider_set *ps;

	config_providers(api_cfg, &s);
	if ((ps = provider_set_new(&s)) == NULL)
		return;
	provider_set_metrics(ps, api_redis_acquire(), b);
	api_redis_release();
	provider_set_free(ps);
}

/* What Redis and PostgreSQL said at the last refresh, into b. */
static void
api_metrics_shared_text(struct buf *b)
{
	int64_t depth, dead;
	PGconn *db;
	int up = 1;

	api_redis_queue_stats(&depth, &dead);
	buf_puts(b, "# HELP bomd_queue_depth Jobs waiting or in flight in "
	    "stream bomd:jobs (-1: Redis unavailable).\n"
	    "# TYPE bomd_queue_depth gauge\n");
	buf_printf(b, "bomd_queue_depth %lld\n", (long long)depth);
	buf_puts(b, "# HELP bomd_dead_jobs Entries in stream bomd:dead.\n"
	    "# TYPE bomd_dead_jobs gauge\n");
	buf_printf(b, "bomd_dead_jobs %lld\n", (long long)dead);
	if ((db = api_db_tenant(NULL, API_METRICS_DB_MS)) == NULL ||
	    api_metrics_db_text(b, db) == -1)
		up = 0;
	api_db_put(db);
	buf_printf(b, "# HELP bomd_postgres_up PostgreSQL answered this "
	    "scrape.\n# TYPE bomd_postgres_up gauge\nbomd_postgres_up %d\n",
	    up);
	api_metrics_providers(b);
}

/*
 * The shared part of a scrape, appended to b: refreshed at most once per
 * API_METRICS_CACHE_MS by one scrape while the others answer the copy
 * before (a flood of scrapes costs the database nothing more).
 */
static void
api_metrics_cached(struct buf *b)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static struct buf copy;
	static int64_t at;
	static int refreshing;
	struct buf fresh;
	int64_t now = now_ms();

	pthread_mutex_lock(&mu);
	if (copy.len > 0 && (refreshing || now - at < API_METRICS_CACHE_MS)) {
		buf_append(b, copy.data, copy.len);
		pthread_mutex_unlock(&mu);
		return;
	}
	refreshing = 1;
	pthread_mutex_unlock(&mu);
	buf_init(&fresh);
	api_metrics_shared_text(&fresh);
	buf_append(b, fresh.data, fresh.len);
	pthread_mutex_lock(&mu);
	buf_free(&copy);
	copy = fresh;
	at = now_ms();
	refreshing = 0;
	pthread_mutex_unlock(&mu);
}

enum MHD_Result
api_metrics(struct MHD_Connection *c, struct api_request *r)
{
	struct MHD_Response *resp;
	struct buf b;
	const char *auth;

	(void)r;
	/* with metrics_token set, only its bearer scrapes */
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Authorization");
	if (api_cfg->metrics_token != NULL && (auth == NULL ||
	    strncasecmp(auth, "Bearer ", 7) != 0 ||
	    !api_auth_secret_equal(auth + 7, api_cfg->metrics_token)))
		return api_error(c, MHD_HTTP_UNAUTHORIZED, "metrics need "
		    "Authorization: Bearer <metrics_token>");
	buf_init(&b);
	api_metrics_cached(&b);
	api_metrics_http_text(&b);
	resp = MHD_create_response_from_buffer(b.len, b.data,
	    MHD_RESPMEM_MUST_FREE);
	b.data = NULL;
	return api_reply(c, MHD_HTTP_OK, resp,
	    "text/plain; version=0.0.4; charset=utf-8");
}

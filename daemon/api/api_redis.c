/*
 * The API process's Redis connections; see api_redis.h. Requests are
 * short (GET, XADD, EVALSHA, XLEN, PING) but every authenticated request
 * makes one or two, so the request threads share a small pool rather
 * than queue behind one locked connection.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include "api_internal.h"
#include "api_redis.h"
#include "config.h"
#include "log.h"
#include "queue.h"
#include "redis_conn.h"
#include "util.h"

#define API_REDIS_TIMEOUT_MS	3000
#define API_REDIS_POOL		8	/* connections at most */
#define API_REDIS_FAILOVER_MS	5000	/* an enqueue waits out Redis down */

static pthread_mutex_t api_redis_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t api_redis_cv = PTHREAD_COND_INITIALIZER;
static redisContext *api_redis_idle[API_REDIS_POOL];
static size_t api_redis_nidle, api_redis_nopen;
/* the connection this thread holds between acquire and release */
static _Thread_local redisContext *api_redis_mine;

redisContext *
api_redis_acquire(void)
{
	redisContext *rc = NULL;
	char err[256];

	pthread_mutex_lock(&api_redis_mu);
	while (api_redis_nidle == 0 && api_redis_nopen == API_REDIS_POOL)
		pthread_cond_wait(&api_redis_cv, &api_redis_mu);
	if (api_redis_nidle > 0)
		rc = api_redis_idle[--api_redis_nidle];
	else
		api_redis_nopen++;	/* a slot, connected below */
	pthread_mutex_unlock(&api_redis_mu);
	if (rc != NULL && rc->err) {
		redisFree(rc);
		rc = NULL;
	}
	if (rc == NULL && (rc = redis_conn_open(api_cfg->redis_url,
	    API_REDIS_TIMEOUT_MS, err, sizeof(err))) == NULL)
		log_warnx("%s", err);
	api_redis_mine = rc;
	return rc;
}

void
api_redis_release(void)
{
	redisContext *rc = api_redis_mine;

	api_redis_mine = NULL;
	pthread_mutex_lock(&api_redis_mu);
	/* a broken one is closed now; its slot connects again when asked */
	if (rc == NULL || rc->err) {
		if (rc != NULL)
			redisFree(rc);
		api_redis_nopen--;
	} else
		api_redis_idle[api_redis_nidle++] = rc;
	pthread_cond_signal(&api_redis_cv);
	pthread_mutex_unlock(&api_redis_mu);
}

void
api_redis_close(void)
{
	pthread_mutex_lock(&api_redis_mu);
	while (api_redis_nidle > 0) {
		redisFree(api_redis_idle[--api_redis_nidle]);
		api_redis_nopen--;
	}
	pthread_mutex_unlock(&api_redis_mu);
}

redisReply *
api_redis_command(const char *fmt, ...)
{
	redisContext *rc;
	redisReply *rep = NULL;
	va_list ap;

	if ((rc = api_redis_acquire()) != NULL) {
		va_start(ap, fmt);
		rep = redisvCommand(rc, fmt, ap);
		va_end(ap);
		/* a replica now: the next command finds the primary */
		redis_conn_check(rc, rep);
	}
	api_redis_release();
	if (rep != NULL && rep->type == REDIS_REPLY_ERROR) {
		log_warnx("redis: %s", rep->str);
		freeReplyObject(rep);
		rep = NULL;
	}
	return rep;
}

int
api_redis_enqueue(const char *job, size_t len, char *id, size_t idlen)
{
	struct timespec ts;
	redisContext *rc;
	int64_t until = now_ms() + API_REDIS_FAILOVER_MS, pause = 0;
	int ret = -1, broken;

	/*
	 * A connection that broke since the last request gets a fresh one
	 * at once; Redis down (a failover under way) is asked again, with
	 * backoff, for a few seconds before the upload is refused.
	 */
	for (;;) {
		if ((rc = api_redis_acquire()) != NULL)
			ret = queue_add(rc, job, len, id, idlen);
		broken = rc == NULL || rc->err != 0;
		api_redis_release();
		if (ret == 0 || !broken || now_ms() + pause > until)
			return ret;
		ts.tv_sec = pause / 1000;
		ts.tv_nsec = (long)(pause % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		pause = pause == 0 ? 100 : pause * 2 > 1000 ? 1000 : pause * 2;
	}
}

void
api_redis_queue_stats(int64_t *depth, int64_t *dead)
{
	redisContext *rc;
	redisReply *rep;

	*depth = *dead = -1;
	if ((rc = api_redis_acquire()) != NULL) {
		*depth = queue_depth(rc);
		rep = redisCommand(rc, "XLEN %s", QUEUE_DEAD);
		if (rep != NULL && rep->type == REDIS_REPLY_INTEGER)
			*dead = rep->integer;
		if (rep != NULL)
			freeReplyObject(rep);
	}
	api_redis_release();
}

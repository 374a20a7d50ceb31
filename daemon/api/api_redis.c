/*
 * The API process's Redis connection; see api_redis.h. Requests are short
 * (XADD, EVALSHA, XLEN, PING), so one locked connection serves them all.
 */
#include <pthread.h>
#include <stdarg.h>
#include <time.h>

#include "api_internal.h"
#include "api_redis.h"
#include "config.h"
#include "log.h"
#include "queue.h"
#include "redis_conn.h"
#include "util.h"

#define API_REDIS_TIMEOUT_MS	3000
#define API_REDIS_FAILOVER_MS	5000	/* an enqueue waits out Redis down */

static pthread_mutex_t api_redis_mu = PTHREAD_MUTEX_INITIALIZER;
static redisContext *api_redis;

redisContext *
api_redis_acquire(void)
{
	char err[256];

	pthread_mutex_lock(&api_redis_mu);
	if (api_redis != NULL && api_redis->err) {
		redisFree(api_redis);
		api_redis = NULL;
	}
	if (api_redis == NULL &&
	    (api_redis = redis_conn_open(api_cfg->redis_url,
	    API_REDIS_TIMEOUT_MS, err, sizeof(err))) == NULL)
		log_warnx("%s", err);
	return api_redis;
}

void
api_redis_release(void)
{
	pthread_mutex_unlock(&api_redis_mu);
}

void
api_redis_close(void)
{
	pthread_mutex_lock(&api_redis_mu);
	if (api_redis != NULL)
		redisFree(api_redis);
	api_redis = NULL;
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

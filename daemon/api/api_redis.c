/*
 * The API process's Redis connection; see api_redis.h. Requests are short
 * (XADD, EVALSHA, XLEN, PING), so one locked connection serves them all.
 */
#include <pthread.h>
#include <stdarg.h>

#include "api_internal.h"
#include "api_redis.h"
#include "config.h"
#include "log.h"
#include "queue.h"

#define API_REDIS_TIMEOUT_MS	3000

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
	    (api_redis = queue_connect(api_cfg->redis_url,
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
	redisContext *rc;
	int tries, ret = -1;

	/* a connection that broke since the last request: one more try */
	for (tries = 0; tries < 2 && ret == -1; tries++) {
		if ((rc = api_redis_acquire()) != NULL)
			ret = queue_add(rc, job, len, id, idlen);
		api_redis_release();
		if (rc == NULL)
			break;
	}
	return ret;
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

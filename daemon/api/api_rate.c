/*
 * The token bucket behind api_rate_take(): a Lua script run in Redis, so
 * the buckets and the clock (Redis TIME) are the same for every API
 * process.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "api_internal.h"
#include "api_rate.h"
#include "api_redis.h"
#include "api_reply.h"
#include "apikey.h"
#include "config.h"
#include "log.h"
#include "redis_conn.h"

/* Returns {allowed, retry_after_ms} for the bucket KEYS[1]. */
static const char api_rate_lua[] =
    "local r = tonumber(ARGV[1]) local b = tonumber(ARGV[2]) "
    "local t = redis.call('TIME') "
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
    "local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts') "
    "local tok = tonumber(v[1]) or b local ts = tonumber(v[2]) or now "
    "tok = math.min(b, tok + (now - ts) * r / 1000) "
    "local ok, wait = 0, 0 "
    "if tok >= 1 then tok = tok - 1 ok = 1 "
    "else wait = math.ceil((1 - tok) * 1000 / r) end "
    "redis.call('HSET', KEYS[1], 'tokens', tostring(tok), 'ts', now) "
    "redis.call('PEXPIRE', KEYS[1], math.ceil(b * 1000 / r) + 1000) "
    "return {ok, wait}";

/* The script's SHA1 in hex for EVALSHA, computed once. */
static pthread_once_t api_rate_once = PTHREAD_ONCE_INIT;
static char api_rate_sha1[2 * SHA_DIGEST_LENGTH + 1];

static void
api_rate_sha_init(void)
{
	unsigned char d[SHA_DIGEST_LENGTH];
	size_t i;

	SHA1((const unsigned char *)api_rate_lua, strlen(api_rate_lua), d);
	for (i = 0; i < sizeof(d); i++)
		snprintf(api_rate_sha1 + 2 * i, 3, "%02x", d[i]);
}

/* The auth generation from a GET reply: 0 when unset, -1 unknown. */
static int64_t
api_rate_generation(const redisReply *g)
{
	if (g == NULL)
		return -1;
	if (g->type == REDIS_REPLY_NIL)
		return 0;
	if (g->type == REDIS_REPLY_STRING)
		return strtoll(g->str, NULL, 10);
	return -1;
}

void
api_rate_check(const char *key_id, int64_t *gen, struct api_rate_verdict *v)
{
	redisContext *rc;
	redisReply *rep = NULL, *g = NULL;
	char key[128];
	bool take = key_id != NULL && api_cfg->rate_limit > 0;

	v->allowed = true;
	v->retry_s = 0;
	if (gen != NULL)
		*gen = -1;
	if (!take && gen == NULL)
		return;
	pthread_once(&api_rate_once, api_rate_sha_init);
	snprintf(key, sizeof(key), "bomd:rate:%s", key_id ? key_id : "");
	/* both commands in one round trip; the script by its SHA1 */
	if ((rc = api_redis_acquire()) != NULL) {
		if (gen != NULL)
			redisAppendCommand(rc, "GET %s", APIKEY_GENERATION_KEY);
		if (take)
			redisAppendCommand(rc, "EVALSHA %s 1 %s %lld %lld",
			    api_rate_sha1, key, (long long)api_cfg->rate_limit,
			    (long long)api_cfg->rate_burst);
		if (gen != NULL && redisGetReply(rc, (void **)&g) == REDIS_OK) {
			*gen = api_rate_generation(g);
			redis_conn_check(rc, g);
			freeReplyObject(g);
		}
		if (take && redisGetReply(rc, (void **)&rep) != REDIS_OK)
			rep = NULL;
	}
	/* Redis loads the script on a NOSCRIPT fallback */
	if (rep != NULL && rep->type == REDIS_REPLY_ERROR &&
	    strncmp(rep->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(rep);
		rep = redisCommand(rc, "EVAL %s 1 %s %lld %lld",
		    api_rate_lua, key, (long long)api_cfg->rate_limit,
		    (long long)api_cfg->rate_burst);
	}
	if (rc != NULL && rep != NULL)
		redis_conn_check(rc, rep);
	api_redis_release();
	if (take && (rep == NULL || rep->type != REDIS_REPLY_ARRAY ||
	    rep->elements != 2))
		log_warnx("rate limit: redis unavailable, request allowed");
	else if (take && rep->element[0]->integer == 0) {
		v->allowed = false;
		v->retry_s = (rep->element[1]->integer + 999) / 1000;
		if (v->retry_s < 1)
			v->retry_s = 1;
	}
	if (rep != NULL)
		freeReplyObject(rep);
}

int
api_rate_apply(struct MHD_Connection *c, const struct api_rate_verdict *v,
    enum MHD_Result *ret)
{
	if (v->allowed)
		return 0;
	*ret = api_reply_retry(c, v->retry_s, "Rate limit exceeded");
	return -1;
}

int
api_rate_take(struct MHD_Connection *c, const char *key_id,
    enum MHD_Result *ret)
{
	struct api_rate_verdict v;

	api_rate_check(key_id, NULL, &v);
	return api_rate_apply(c, &v, ret);
}

/*
 * The token bucket behind api_rate_take(): a Lua script run in Redis, so
 * the buckets and the clock (Redis TIME) are the same for every API
 * process.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "api_internal.h"
#include "api_rate.h"
#include "api_redis.h"
#include "api_reply.h"
#include "config.h"
#include "log.h"

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

/* 1 allowed, 0 limited (*retry_s set); Redis trouble lets it through. */
static int
api_rate_allow(const char *key_id, int64_t *retry_s)
{
	redisContext *rc;
	redisReply *rep = NULL;
	char key[128];
	int allowed = 1;

	*retry_s = 0;
	pthread_once(&api_rate_once, api_rate_sha_init);
	snprintf(key, sizeof(key), "bomd:rate:%s", key_id);
	/* the script by its SHA1; Redis loads it on a NOSCRIPT fallback */
	if ((rc = api_redis_acquire()) != NULL)
		rep = redisCommand(rc, "EVALSHA %s 1 %s %lld %lld",
		    api_rate_sha1, key, (long long)api_cfg->rate_limit,
		    (long long)api_cfg->rate_burst);
	if (rep != NULL && rep->type == REDIS_REPLY_ERROR &&
	    strncmp(rep->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(rep);
		rep = redisCommand(rc, "EVAL %s 1 %s %lld %lld",
		    api_rate_lua, key, (long long)api_cfg->rate_limit,
		    (long long)api_cfg->rate_burst);
	}
	api_redis_release();
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY ||
	    rep->elements != 2) {
		log_warnx("rate limit: redis unavailable, request allowed");
	} else if (rep->element[0]->integer == 0) {
		allowed = 0;
		*retry_s = (rep->element[1]->integer + 999) / 1000;
		if (*retry_s < 1)
			*retry_s = 1;
	}
	if (rep != NULL)
		freeReplyObject(rep);
	return allowed;
}

int
api_rate_take(struct MHD_Connection *c, const char *key_id,
    enum MHD_Result *ret)
{
	int64_t retry_s;

	if (api_cfg->rate_limit <= 0 || api_rate_allow(key_id, &retry_s))
		return 0;
	*ret = api_reply_retry(c, retry_s, "Rate limit exceeded");
	return -1;
}

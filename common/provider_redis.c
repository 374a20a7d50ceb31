/*
 * The offer sources' shared state in Redis; see provider_redis.h. Every
 * read-modify-write is one Lua script, and the clock is Redis TIME, so
 * processes on several hosts agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "log.h"
#include "provider.h"
#include "provider_redis.h"

#define PROVIDER_REDIS_STATS	"bomd:providers:stats"
#define PROVIDER_REDIS_DISABLE_S 86400

/* KEYS: minute bucket, day bucket, hold, day hold; ARGV: pm, pd, take */
static const char provider_redis_budget_lua[] =
    "local t = redis.call('TIME') "
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
    "local pm = tonumber(ARGV[1]) local pd = tonumber(ARGV[2]) "
    "local function level(k, cap, per) "
    "local v = redis.call('HMGET', k, 'tokens', 'ts') "
    "local tok = tonumber(v[1]) or cap local ts = tonumber(v[2]) or now "
    "return math.min(cap, tok + math.max(0, now - ts) * cap / per) end "
    "local m = level(KEYS[1], pm, 60000) "
    "local d = level(KEYS[2], pd, 86400000) "
    "local h = tonumber(redis.call('GET', KEYS[3]) or '0') "
    "local dh = tonumber(redis.call('GET', KEYS[4]) or '0') "
    "local st, wait = 0, 0 "
    "if dh > now then st = 2 wait = dh - now "
    "elseif d < 1 then st = 2 wait = math.ceil((1 - d) * 86400000 / pd) "
    "elseif h > now then st = 1 wait = h - now "
    "elseif m < 1 then st = 1 wait = math.ceil((1 - m) * 60000 / pm) "
    "elseif ARGV[3] == '1' then m = m - 1 d = d - 1 "
    "redis.call('HSET', KEYS[1], 'tokens', tostring(m), 'ts', now) "
    "redis.call('PEXPIRE', KEYS[1], 120000) "
    "redis.call('HSET', KEYS[2], 'tokens', tostring(d), 'ts', now) "
    "redis.call('PEXPIRE', KEYS[2], 172800000) end "
    "return {st, wait, math.floor(m), math.floor(d)}";

/* KEYS: hold; ARGV: ms. Lengthens the hold, never shortens it. */
static const char provider_redis_hold_lua[] =
    "local t = redis.call('TIME') "
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
    "local u = now + tonumber(ARGV[1]) "
    "local cur = tonumber(redis.call('GET', KEYS[1]) or '0') "
    "if u > cur then redis.call('SET', KEYS[1], u, 'PX', ARGV[1]) end "
    "return u";

/* KEYS: key; ARGV: value. Deletes key while it holds value. */
static const char provider_redis_cad_lua[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "return redis.call('DEL', KEYS[1]) end return 0";

/* KEYS: token, lock; ARGV: token, ttl ms, owner */
static const char provider_redis_put_lua[] =
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
    "if redis.call('GET', KEYS[2]) == ARGV[3] then "
    "redis.call('DEL', KEYS[2]) end return 1";

/*
 * Runs script by its SHA1, loading it on NOSCRIPT, with nkeys keys then
 * the arguments of argv. The reply (caller frees), or NULL after logging.
 */
static redisReply *
provider_redis_eval(redisContext *r, const char *script, int nkeys,
    const char *const *args, int nargs)
{
	const char *argv[16];
	unsigned char d[SHA_DIGEST_LENGTH];
	char sha[2 * SHA_DIGEST_LENGTH + 1], nk[16];
	redisReply *rep;
	int i, argc = 0;

	if (r == NULL || nargs > 12)
		return NULL;
	SHA1((const unsigned char *)script, strlen(script), d);
	hex_encode(d, sizeof(d), sha);
	snprintf(nk, sizeof(nk), "%d", nkeys);
	argv[argc++] = "EVALSHA";
	argv[argc++] = sha;
	argv[argc++] = nk;
	for (i = 0; i < nargs; i++)
		argv[argc++] = args[i];
	rep = redisCommandArgv(r, argc, argv, NULL);
	if (rep != NULL && rep->type == REDIS_REPLY_ERROR &&
	    strncmp(rep->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(rep);
		argv[0] = "EVAL";
		argv[1] = script;
		rep = redisCommandArgv(r, argc, argv, NULL);
	}
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
		log_warnx("providers: redis: %s", rep != NULL ? rep->str :
		    r->errstr);
		if (rep != NULL)
			freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

/* Runs script as provider_redis_eval() does, for its effect: 0 or -1. */
static int
provider_redis_run(redisContext *r, const char *script, int nkeys,
    const char *const *args, int nargs)
{
	redisReply *rep;

	if ((rep = provider_redis_eval(r, script, nkeys, args, nargs)) == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* prefix + ":" + what into key; -1 when it does not fit. */
static int
provider_redis_key(char *key, size_t len, const char *prefix,
    const char *what)
{
	int n = snprintf(key, len, "%s:%s", prefix, what);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
provider_redis_budget(redisContext *r, const char *prefix,
    int64_t per_minute, int64_t per_day, bool take,
    struct provider_budget *b)
{
	char k[4][160], pm[32], pd[32];
	const char *args[7];
	redisReply *rep;
	size_t i;

	memset(b, 0, sizeof(*b));
	if (provider_redis_key(k[0], sizeof(k[0]), prefix, "minute") == -1 ||
	    provider_redis_key(k[1], sizeof(k[1]), prefix, "day") == -1 ||
	    provider_redis_key(k[2], sizeof(k[2]), prefix, "hold") == -1 ||
	    provider_redis_key(k[3], sizeof(k[3]), prefix, "dayhold") == -1)
		return -1;
	snprintf(pm, sizeof(pm), "%lld", (long long)(per_minute < 1 ? 1 :
	    per_minute));
	snprintf(pd, sizeof(pd), "%lld", (long long)(per_day < 1 ? 1 :
	    per_day));
	for (i = 0; i < 4; i++)
		args[i] = k[i];
	args[4] = pm;
	args[5] = pd;
	args[6] = take ? "1" : "0";
	if ((rep = provider_redis_eval(r, provider_redis_budget_lua, 4, args,
	    7)) == NULL)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 4) {
		freeReplyObject(rep);
		return -1;
	}
	b->status = rep->element[0]->integer == 2 ? PROVIDER_BUDGET_DAY :
	    rep->element[0]->integer == 1 ? PROVIDER_BUDGET_WAIT :
	    PROVIDER_BUDGET_OK;
	b->wait_ms = rep->element[1]->integer;
	b->minute_left = rep->element[2]->integer;
	b->day_left = rep->element[3]->integer;
	freeReplyObject(rep);
	return 0;
}

int
provider_redis_hold(redisContext *r, const char *prefix, int64_t ms,
    bool day)
{
	char key[160], v[32];
	const char *args[2] = { key, v };

	if (provider_redis_key(key, sizeof(key), prefix, day ? "dayhold" :
	    "hold") == -1)
		return -1;
	snprintf(v, sizeof(v), "%lld", (long long)(ms < 1 ? 1 : ms));
	return provider_redis_run(r, provider_redis_hold_lua, 1, args, 2);
}

/* GET prefix:what: 1 with *out (caller frees), 0 none, -1 error. */
static int
provider_redis_get(redisContext *r, const char *prefix, const char *what,
    char **out)
{
	redisReply *rep;
	int rc = -1;

	*out = NULL;
	if (r == NULL || (rep = redisCommand(r, "GET %s:%s", prefix,
	    what)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_STRING && rep->len > 0) {
		*out = xstrndup(rep->str, rep->len);
		rc = 1;
	} else if (rep->type == REDIS_REPLY_NIL)
		rc = 0;
	freeReplyObject(rep);
	return rc;
}

/* SET prefix:what value NX PX ms: 1 set, 0 already there, -1 error. */
static int
provider_redis_setnx(redisContext *r, const char *prefix, const char *what,
    const char *value, int64_t ms)
{
	redisReply *rep;
	int rc = -1;

	if (r == NULL || (rep = redisCommand(r, "SET %s:%s %s NX PX %lld",
	    prefix, what, value, (long long)ms)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_STATUS)
		rc = 1;
	else if (rep->type == REDIS_REPLY_NIL)
		rc = 0;
	freeReplyObject(rep);
	return rc;
}

int
provider_redis_token_get(redisContext *r, const char *prefix, char **tok)
{
	return provider_redis_get(r, prefix, "token", tok);
}

int
provider_redis_token_lock(redisContext *r, const char *prefix,
    const char *owner, int64_t ms)
{
	return provider_redis_setnx(r, prefix, "token:lock", owner, ms);
}

int
provider_redis_token_put(redisContext *r, const char *prefix,
    const char *tok, int64_t ttl_ms, const char *owner)
{
	char k1[160], k2[160], ttl[32];
	const char *args[5] = { k1, k2, tok, ttl, owner };

	if (provider_redis_key(k1, sizeof(k1), prefix, "token") == -1 ||
	    provider_redis_key(k2, sizeof(k2), prefix, "token:lock") == -1)
		return -1;
	snprintf(ttl, sizeof(ttl), "%lld", (long long)(ttl_ms < 1000 ? 1000 :
	    ttl_ms));
	return provider_redis_run(r, provider_redis_put_lua, 2, args, 5);
}

/* Deletes prefix:what while it holds value. */
static void
provider_redis_cad(redisContext *r, const char *prefix, const char *what,
    const char *value)
{
	char key[160];
	const char *args[2] = { key, value };

	if (provider_redis_key(key, sizeof(key), prefix, what) == -1)
		return;
	(void)provider_redis_run(r, provider_redis_cad_lua, 1, args, 2);
}

void
provider_redis_token_unlock(redisContext *r, const char *prefix,
    const char *owner)
{
	provider_redis_cad(r, prefix, "token:lock", owner);
}

void
provider_redis_token_drop(redisContext *r, const char *prefix,
    const char *tok)
{
	provider_redis_cad(r, prefix, "token", tok);
}

int
provider_redis_disabled(redisContext *r, const char *prefix, char *why,
    size_t len)
{
	char *v;
	int rc;

	if ((rc = provider_redis_get(r, prefix, "disabled", &v)) == 1)
		snprintf(why, len, "%s", v);
	free(v);
	return rc;
}

int
provider_redis_disable(redisContext *r, const char *prefix, const char *why)
{
	return provider_redis_setnx(r, prefix, "disabled", why,
	    (int64_t)PROVIDER_REDIS_DISABLE_S * 1000);
}

void
provider_redis_count(redisContext *r, const char *name, const char *what)
{
	redisReply *rep;

	if (r == NULL)
		return;
	if ((rep = redisCommand(r, "HINCRBY %s %s:%s 1",
	    PROVIDER_REDIS_STATS, name, what)) != NULL)
		freeReplyObject(rep);
}

void
provider_redis_counters_text(redisContext *r, struct buf *out)
{
	static const struct {
		const char	*what;
		const char	*metric;
		const char	*help;
	} kinds[] = {
		{ "calls", "bomd_provider_calls_total",
		    "Requests sent to a live offer source (tokens too)." },
		{ "errors", "bomd_provider_errors_total",
		    "Requests to a live offer source that failed." },
		{ "no_budget", "bomd_provider_no_budget_total",
		    "Requests not sent: the source's budget was spent." },
	};
	redisReply *rep = NULL;
	const char *v;
	size_t i, j, k;

	if (r != NULL)
		rep = redisCommand(r, "HGETALL %s", PROVIDER_REDIS_STATS);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n",
		    kinds[i].metric, kinds[i].help, kinds[i].metric);
		for (j = 0; j < PROVIDER_COUNT; j++) {
			const char *name = name_of(&provider_id_names, (int)j);
			char field[64];

			snprintf(field, sizeof(field), "%s:%s", name,
			    kinds[i].what);
			v = "0";
			for (k = 0; rep != NULL && rep->type ==
			    REDIS_REPLY_ARRAY && k + 1 < rep->elements; k += 2)
				if (strcmp(rep->element[k]->str, field) == 0)
					v = rep->element[k + 1]->str;
			buf_printf(out, "%s{provider=\"%s\"} %s\n",
			    kinds[i].metric, name, v);
		}
	}
	if (rep != NULL)
		freeReplyObject(rep);
}

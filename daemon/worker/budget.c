/*
 * The shared LLM budget: two token buckets refilled continuously, kept in
 * one Redis hash and taken from atomically by a script, so workers on any
 * number of hosts together stay within the provider's limits.
 */
#include <errno.h>
#include <time.h>

#include "budget.h"
#include "config.h"
#include "log.h"
#include "util.h"

/*
 * KEYS[1] the hash; ARGV: requests per minute, tokens per minute (0 = no
 * limit), requests wanted, tokens per request. Grants as many requests as
 * both buckets hold (at most the wanted), or none and says in how many ms
 * one would be there. Returns {granted, wait_ms}.
 */
static const char budget_lua[] =
"local t = redis.call('TIME')\n"
"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
"local rpm, tpm = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
"local want, per = tonumber(ARGV[3]), tonumber(ARGV[4])\n"
"local h = redis.call('HMGET', KEYS[1], 'r', 't', 'at')\n"
"local r = tonumber(h[1]) or rpm\n"
"local tk = tonumber(h[2]) or tpm\n"
"local at = tonumber(h[3]) or now\n"
"local dt = math.max(0, now - at)\n"
"if rpm > 0 then r = math.min(rpm, r + dt * rpm / 60000) end\n"
"if tpm > 0 then tk = math.min(tpm, tk + dt * tpm / 60000) end\n"
"local n = want\n"
"if rpm > 0 then n = math.min(n, math.floor(r)) end\n"
"if tpm > 0 and per > 0 then n = math.min(n, math.floor(tk / per)) end\n"
"local wait = 0\n"
"if n < 1 then\n"
"  n = 0\n"
"  if rpm > 0 and r < 1 then wait = math.ceil((1 - r) * 60000 / rpm) end\n"
"  if tpm > 0 and tk < per then\n"
"    wait = math.max(wait, math.ceil((per - tk) * 60000 / tpm))\n"
"  end\n"
"else\n"
"  if rpm > 0 then r = r - n end\n"
"  if tpm > 0 then tk = tk - n * per end\n"
"end\n"
"redis.call('HSET', KEYS[1], 'r', tostring(r), 't', tostring(tk),\n"
"    'at', now)\n"
"redis.call('PEXPIRE', KEYS[1], 120000)\n"
"return {n, wait}\n";

static void
budget_sleep(int64_t ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int64_t
budget_take(redisContext *r, const struct config *cfg, int64_t want,
    int64_t est_tokens, int64_t deadline_ms)
{
	int64_t rpm = cfg->llm_requests_per_min, tpm = cfg->llm_tokens_per_min;
	int64_t per = est_tokens, n, wait;
	redisReply *rep;

	if ((rpm == 0 && tpm == 0) || want <= 0)
		return want;
	/* a request bigger than the whole bucket must still pass, alone */
	if (tpm > 0 && per > tpm)
		per = tpm;
	for (;;) {
		rep = redisCommand(r, "EVAL %s 1 %s %lld %lld %lld %lld",
		    budget_lua, BUDGET_KEY, (long long)rpm, (long long)tpm,
		    (long long)want, (long long)per);
		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY ||
		    rep->elements != 2) {
			log_warnx("redis: llm budget: %s", rep == NULL ?
			    r->errstr : rep->type == REDIS_REPLY_ERROR ?
			    rep->str : "unexpected reply");
			if (rep != NULL)
				freeReplyObject(rep);
			return want;
		}
		n = rep->element[0]->integer;
		wait = rep->element[1]->integer;
		freeReplyObject(rep);
		if (n > 0)
			return n;
		if (now_ms() + wait > deadline_ms)
			return 0;
		budget_sleep(wait > 0 ? wait : 10);
	}
}

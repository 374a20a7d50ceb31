/*
 * What the offer sources share through Redis, so any number of workers on
 * any number of hosts act as one client: request budgets (token buckets
 * per minute and per day), holds after a 429 or a spent daily limit, the
 * OAuth tokens with their refresh lock, the "credentials refused" flag,
 * and call counters for /metrics. Every key starts with a source's
 * prefix, "bomd:provider:NAME:CREDHASH", so new credentials start afresh.
 */
#ifndef BOMD_PROVIDER_REDIS_H
#define BOMD_PROVIDER_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "util.h"

enum provider_budget_status {
	PROVIDER_BUDGET_OK,	/* a request may go (a token was taken) */
	PROVIDER_BUDGET_WAIT,	/* per-minute budget or a 429 hold: wait */
	PROVIDER_BUDGET_DAY	/* the daily budget is spent until wait_ms */
};

struct provider_budget {
	enum provider_budget_status	status;
	int64_t				wait_ms;
	int64_t				minute_left;	/* whole tokens */
	int64_t				day_left;
};

/*
 * Takes one request from prefix's buckets (per_minute and per_day, both
 * >= 1), or with take false only looks. Both or neither are taken.
 * 0 with *b, or -1 when Redis fails (logged).
 */
int	provider_redis_budget(redisContext *r, const char *prefix,
	    int64_t per_minute, int64_t per_day, bool take,
	    struct provider_budget *b);
/*
 * Holds every process's requests for ms: a 429 (day false), or a spent
 * daily limit (day true: PROVIDER_BUDGET_DAY until then). A hold is
 * only ever lengthened. 0 or -1.
 */
int	provider_redis_hold(redisContext *r, const char *prefix, int64_t ms,
	    bool day);

/*
 * The shared access token: 1 with *tok (caller frees), 0 when there is
 * none, -1 on a Redis error.
 */
int	provider_redis_token_get(redisContext *r, const char *prefix,
	    char **tok);
/*
 * Takes the refresh lock for ms under owner (a random string): 1 taken,
 * 0 another process holds it, -1 on a Redis error.
 */
int	provider_redis_token_lock(redisContext *r, const char *prefix,
	    const char *owner, int64_t ms);
/* Stores tok for ttl_ms and releases owner's lock. 0 or -1. */
int	provider_redis_token_put(redisContext *r, const char *prefix,
	    const char *tok, int64_t ttl_ms, const char *owner);
/* Releases the lock if owner still holds it. */
void	provider_redis_token_unlock(redisContext *r, const char *prefix,
	    const char *owner);
/* Forgets tok if it is still the shared one (a server refused it). */
void	provider_redis_token_drop(redisContext *r, const char *prefix,
	    const char *tok);

/*
 * Whether the source's credentials were refused: 1 with the reason in
 * why, 0 no, -1 on a Redis error.
 */
int	provider_redis_disabled(redisContext *r, const char *prefix,
	    char *why, size_t len);
/* Marks them refused for a day: 1 newly marked, 0 already, -1 error. */
int	provider_redis_disable(redisContext *r, const char *prefix,
	    const char *why);

/* Adds one to counter what ("calls", "errors", "no_budget") of name. */
void	provider_redis_count(redisContext *r, const char *name,
	    const char *what);
/*
 * Appends the counters of every source as Prometheus text:
 * bomd_provider_calls_total{provider="digikey"} and the like.
 */
void	provider_redis_counters_text(redisContext *r, struct buf *out);

#endif

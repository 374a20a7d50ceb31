/*
 * The LLM provider's limits, shared by every worker on every host: a token
 * bucket in Redis for requests per minute and one for tokens per minute
 * (llm.requests_per_min, llm.tokens_per_min; 0 = no limit).
 */
#ifndef BOMD_WORKER_BUDGET_H
#define BOMD_WORKER_BUDGET_H

#include <stdint.h>

#include <hiredis/hiredis.h>

struct config;

#define BUDGET_KEY	"bomd:llm:budget"

/*
 * Takes up to want requests of est_tokens each from the shared budget,
 * waiting (at most until deadline_ms, monotonic) while it is empty.
 * Returns how many requests may be sent now (>= 1), 0 when the deadline
 * came first, or want when no limit is set or Redis does not answer (the
 * provider's own 429 still applies).
 */
int64_t	budget_take(redisContext *r, const struct config *cfg, int64_t want,
	    int64_t est_tokens, int64_t deadline_ms);

#endif

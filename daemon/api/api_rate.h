/*
 * Rate limiting per API key: a token bucket in Redis (rate_limit per
 * second, rate_burst deep), shared by every API process.
 */
#ifndef BOMD_API_RATE_H
#define BOMD_API_RATE_H

#include <stdbool.h>
#include <stdint.h>

#include <microhttpd.h>

/* What a bucket said: allowed, or retry after retry_s seconds. */
struct api_rate_verdict {
	bool	 allowed;
	int64_t	 retry_s;
};

/*
 * Takes a token from key_id's bucket: 0, or -1 after answering 429 with
 * Retry-After in *ret. With rate_limit 0, or Redis unavailable (logged),
 * every request passes.
 */
int	api_rate_take(struct MHD_Connection *c, const char *key_id,
	    enum MHD_Result *ret);

/*
 * api_rate_take() in two steps, so the token and the auth generation
 * (*gen: 0 unset, -1 unknown) are read in one Redis round trip: with
 * key_id NULL or rate_limit 0 nothing is taken (allowed), with gen NULL
 * the generation is not read. api_rate_apply() answers the verdict: 0,
 * or -1 after a 429 in *ret.
 */
void	api_rate_check(const char *key_id, int64_t *gen,
	    struct api_rate_verdict *v);
int	api_rate_apply(struct MHD_Connection *c,
	    const struct api_rate_verdict *v, enum MHD_Result *ret);

#endif

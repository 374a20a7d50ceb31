/*
 * Rate limiting per API key: a token bucket in Redis (rate_limit per
 * second, rate_burst deep), shared by every API process.
 */
#ifndef BOMD_API_RATE_H
#define BOMD_API_RATE_H

#include <microhttpd.h>

/*
 * Takes a token from key_id's bucket: 0, or -1 after answering 429 with
 * Retry-After in *ret. With rate_limit 0, or Redis unavailable (logged),
 * every request passes.
 */
int	api_rate_take(struct MHD_Connection *c, const char *key_id,
	    enum MHD_Result *ret);

#endif

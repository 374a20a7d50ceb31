/*
 * The wire side of a fetch's requests (provider_fetch.c queues them):
 * building a request's curl handle, and clearing what it owned.
 */
#ifndef BOMD_PROVIDER_HTTP_H
#define BOMD_PROVIDER_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "provider_internal.h"

#define PROVIDER_HTTP_MAX_BODY	(8 * 1024 * 1024)	/* an answer */

/*
 * Makes call's curl handle (call->easy, not yet on a multi handle): a
 * token request for src when call->is_token, else the search its source
 * builds with call->token. The answer goes to call->resp (at most
 * PROVIDER_HTTP_MAX_BODY bytes, else call->resp.over), Retry-After and
 * DigiKey's limit headers to call's fields. One request lasts at most
 * timeout_ms and never past left_ms. 0, or -1 with why (the caller
 * clears call with provider_http_clear() either way).
 */
int	provider_http_prepare(struct provider_call *call,
	    const struct provider_src *src, int64_t timeout_ms,
	    int64_t left_ms, char *why, size_t len);
/* Frees call's headers, URL, body (wiped: it may hold a secret), answer. */
void	provider_http_clear(struct provider_call *call);

#endif

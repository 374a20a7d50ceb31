/*
 * One bounded HTTP request for modules that call outside services (OIDC
 * discovery and key sets, the x402 facilitator): a time limit, a size
 * limit on the answer, no redirects. Safe to call from several threads.
 */
#ifndef BOMD_HTTP_FETCH_H
#define BOMD_HTTP_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "util.h"

struct http_fetch {
	const char	*url;		/* http:// or https:// only */
	const char	*json;		/* NULL: GET; else the POSTed JSON */
	long		 connect_timeout_ms;
	long		 timeout_ms;	/* the whole request */
	size_t		 max_bytes;	/* a longer answer is an error */
};

/*
 * Performs req. Returns 0 when an answer arrived, whatever its status,
 * with the status in *status and the body in *answer (initialised here;
 * caller frees with buf_free(), also on failure). Returns -1 when none
 * did, with the reason in err and *timed_out set when the time ran out.
 */
int	http_fetch(const struct http_fetch *req, long *status,
	    struct buf *answer, bool *timed_out, char *err, size_t errlen);

/*
 * A new multi handle, curl set up for the process first (once, by
 * whichever caller comes first, as http_fetch() does). NULL, logged with
 * the reason after who ("llm", "providers"), when curl cannot be set up.
 * Caller frees with curl_multi_cleanup().
 */
CURLM	*http_multi_new(const char *who);

/*
 * What every request of bomd to an outside service sets on easy: url
 * (http and https only, no redirects, no signals), the headers, body
 * POSTed (NULL: a GET), compressed answers accepted and read into answer
 * (at most answer->max bytes), bomd's User-Agent, and the header
 * callback with arg (on_header may be NULL; arg is also the handle's
 * CURLOPT_PRIVATE). The caller sets the time limits.
 */
void	http_easy_setup(CURL *easy, const char *url,
	    struct curl_slist *hdrs, const char *body, struct buf_cap *answer,
	    curl_write_callback on_header, void *arg);

/*
 * The next transfer on multi that has finished: its CURLOPT_PRIVATE, with
 * its outcome in *result. NULL when no other has finished.
 */
void	*http_multi_done(CURLM *multi, CURLcode *result);

#endif

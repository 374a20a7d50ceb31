/*
 * One request of a fetch on the wire: the curl handle with its URL,
 * headers, body and timeouts (a search built by its source, or a
 * client-credentials token request), and what the answer's headers say
 * about rate limits.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http_fetch.h"
#include "provider_http.h"

#define PROVIDER_HTTP_CONNECT_MS	5000

/* A header's value when name matches (case-blind), into val; else NULL. */
static const char *
provider_http_hval(const char *p, size_t n, const char *name, char *val,
    size_t len)
{
	size_t k = strlen(name), vlen;
	const char *v;

	if (n <= k || strncasecmp(p, name, k) != 0 || p[k] != ':')
		return NULL;
	v = p + k + 1;
	vlen = n - k - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
		vlen--;
	if (vlen == 0 || vlen >= len)
		return NULL;
	memcpy(val, v, vlen);
	val[vlen] = '\0';
	return val;
}

/* Retry-After (seconds or a date) and DigiKey's limit headers. */
static size_t
provider_http_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct provider_call *call = arg;
	size_t n = size * nmemb;
	char val[128];
	int64_t x;
	time_t t, now;

	if (provider_http_hval(p, n, "retry-after", val, sizeof(val))) {
		if (parse_i64(val, 0, 86400 * 2, &x, NULL) == 0)
			call->retry_after_ms = x * 1000;
		else if ((t = curl_getdate(val, NULL)) != -1) {
			now = time(NULL);
			call->retry_after_ms = t > now ?
			    ((int64_t)t - (int64_t)now) * 1000 : 0;
		}
	} else if (provider_http_hval(p, n, "x-burstlimit-remaining", val,
	    sizeof(val))) {
		if (parse_i64(val, 0, INT64_MAX, &x, NULL) == 0)
			call->burst_remaining = x;
	} else if (provider_http_hval(p, n, "x-ratelimit-remaining", val,
	    sizeof(val))) {
		if (parse_i64(val, 0, INT64_MAX, &x, NULL) == 0)
			call->day_remaining = x;
	} else if (provider_http_hval(p, n, "x-ratelimit-reset", val,
	    sizeof(val))) {
		/* seconds from now, or a Unix time */
		if (parse_i64(val, 0, INT64_MAX / 1000, &x, NULL) == 0) {
			now = time(NULL);
			call->day_reset_ms = x > 1000000000 ? (x > now ?
			    (x - now) * 1000 : 0) : x * 1000;
		}
	}
	return n;
}

/* The form body of a client-credentials token request (caller frees). */
static char *
provider_http_token_form(const struct provider_src *src)
{
	const char *names[] = { "client_id", "client_secret", "scope" };
	const char *vals[] = { src->cfg.client_id, src->cfg.client_secret,
	    src->ops->scope };
	struct buf b;
	char *e;
	size_t i;

	buf_init(&b);
	buf_puts(&b, "grant_type=client_credentials");
	for (i = 0; i < 3; i++) {
		if (vals[i] == NULL)
			continue;
		if ((e = curl_easy_escape(NULL, vals[i], 0)) == NULL)
			continue;
		buf_printf(&b, "&%s=%s", names[i], e);
		explicit_bzero(e, strlen(e));
		curl_free(e);
	}
	return buf_steal(&b);
}

int
provider_http_prepare(struct provider_call *call,
    const struct provider_src *src, int64_t timeout_ms, int64_t left_ms,
    char *why, size_t len)
{
	buf_init(&call->resp.buf);
	call->resp.max = PROVIDER_HTTP_MAX_BODY;
	call->resp.over = false;
	call->status = 0;
	call->retry_after_ms = call->burst_remaining = -1;
	call->day_remaining = call->day_reset_ms = -1;
	if (left_ms < 1)
		left_ms = 1;
	if (call->is_token) {
		call->url = xstrdup(src->token_url);
		call->body = provider_http_token_form(src);
		call->hdrs = curl_slist_append(NULL, "Content-Type: "
		    "application/x-www-form-urlencoded");
		call->hdrs = curl_slist_append(call->hdrs,
		    "Accept: application/json");
	} else if (src->ops->build(call, src, call->token,
	    (const char *const *)call->run->batch->mpns, why, len) == -1)
		return -1;
	call->hdrs = curl_slist_append(call->hdrs, "Expect:");
	if ((call->easy = curl_easy_init()) == NULL) {
		snprintf(why, len, "cannot set up curl");
		return -1;
	}
	http_easy_setup(call->easy, call->url, call->hdrs, call->body,
	    &call->resp, provider_http_header, call);
	curl_easy_setopt(call->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(left_ms < PROVIDER_HTTP_CONNECT_MS ? left_ms :
	    PROVIDER_HTTP_CONNECT_MS));
	curl_easy_setopt(call->easy, CURLOPT_TIMEOUT_MS,
	    (long)(left_ms < timeout_ms ? left_ms : timeout_ms));
	return 0;
}

void
provider_http_clear(struct provider_call *call)
{
	curl_slist_free_all(call->hdrs);
	call->hdrs = NULL;
	if (call->body != NULL)
		explicit_bzero(call->body, strlen(call->body));
	free(call->body);
	free(call->url);
	call->body = call->url = NULL;
	buf_free(&call->resp.buf);
}

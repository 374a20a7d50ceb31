/*
 * A libcurl easy request with limits; see http_fetch.h. Each call has its
 * own handle, so request threads need no lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "http_fetch.h"
#include "version.h"

struct http_fetch_sink {
	struct buf	*answer;
	size_t		 max;
	bool		 too_big;
};

static pthread_once_t	http_fetch_once = PTHREAD_ONCE_INIT;
static CURLcode		http_fetch_init_rc = CURLE_FAILED_INIT;

static void
http_fetch_init(void)
{
	http_fetch_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t
http_fetch_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_fetch_sink *sink = arg;
	size_t n = size * nmemb;

	if (sink->answer->len + n > sink->max) {
		sink->too_big = true;
		return 0;
	}
	buf_append(sink->answer, p, n);
	return n;
}

void
http_easy_setup(CURL *easy, const char *url, struct curl_slist *hdrs,
    const char *body, size_t max_bytes, curl_write_callback on_body,
    curl_write_callback on_header, void *arg)
{
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "bomd/" BOMD_VERSION);
	if (body != NULL) {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(body));
	}
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	if (max_bytes > 0)
		curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)max_bytes);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, arg);
	if (on_header != NULL) {
		curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(easy, CURLOPT_HEADERDATA, arg);
	}
	curl_easy_setopt(easy, CURLOPT_PRIVATE, arg);
}

int
http_fetch(const struct http_fetch *req, long *status, struct buf *answer,
    bool *timed_out, char *err, size_t errlen)
{
	struct http_fetch_sink sink = { answer, req->max_bytes, false };
	struct curl_slist *hdrs = NULL;
	CURL *easy = NULL;
	CURLcode cc;
	int rc = -1;

	buf_init(answer);
	*status = 0;
	*timed_out = false;
	pthread_once(&http_fetch_once, http_fetch_init);
	if (http_fetch_init_rc != CURLE_OK || (easy = curl_easy_init()) ==
	    NULL) {
		snprintf(err, errlen, "curl cannot start");
		goto out;
	}
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (req->json != NULL)
		hdrs = curl_slist_append(hdrs,
		    "Content-Type: application/json");
	http_easy_setup(easy, req->url, hdrs, req->json, req->max_bytes,
	    http_fetch_write, NULL, &sink);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
	    req->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	if ((cc = curl_easy_perform(easy)) != CURLE_OK) {
		*timed_out = cc == CURLE_OPERATION_TIMEDOUT;
		if (sink.too_big || cc == CURLE_FILESIZE_EXCEEDED)
			snprintf(err, errlen, "answer over %zu bytes",
			    req->max_bytes);
		else
			snprintf(err, errlen, "%s", curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, status);
	rc = 0;
out:
	curl_slist_free_all(hdrs);
	if (easy != NULL)
		curl_easy_cleanup(easy);
	return rc;
}

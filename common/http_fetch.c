/*
 * A libcurl easy request with limits; see http_fetch.h. Each call has its
 * own handle, so request threads need no lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "http_fetch.h"
#include "log.h"
#include "version.h"

static pthread_once_t	http_fetch_once = PTHREAD_ONCE_INIT;
static CURLcode		http_fetch_init_rc = CURLE_FAILED_INIT;

static void
http_fetch_init(void)
{
	http_fetch_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

CURLM *
http_multi_new(const char *who)
{
	CURLM *multi;

	pthread_once(&http_fetch_once, http_fetch_init);
	if (http_fetch_init_rc != CURLE_OK) {
		log_warnx("%s: cannot set up curl: %s", who,
		    curl_easy_strerror(http_fetch_init_rc));
		return NULL;
	}
	if ((multi = curl_multi_init()) == NULL)
		log_warnx("%s: cannot set up curl: no multi handle", who);
	return multi;
}

void
http_easy_setup(CURL *easy, const char *url, struct curl_slist *hdrs,
    const char *body, struct buf_cap *answer, curl_write_callback on_header,
    void *arg)
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
	/* gzip alone: its state is bounded (~40 KB), brotli's and zstd's not */
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
	if (answer->max > 0)
		curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)answer->max);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, buf_cap_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, answer);
	if (on_header != NULL) {
		curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(easy, CURLOPT_HEADERDATA, arg);
	}
	curl_easy_setopt(easy, CURLOPT_PRIVATE, arg);
}

void *
http_multi_done(CURLM *multi, CURLcode *result)
{
	CURLMsg *m;
	char *priv;
	int left;

	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		*result = m->data.result;
		priv = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		return priv;
	}
	return NULL;
}

int
http_fetch(const struct http_fetch *req, long *status, struct buf *answer,
    bool *timed_out, char *err, size_t errlen)
{
	struct buf_cap sink = { .max = req->max_bytes };
	struct curl_slist *hdrs = NULL;
	CURL *easy = NULL;
	CURLcode cc;
	int rc = -1;

	buf_init(&sink.buf);
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
	http_easy_setup(easy, req->url, hdrs, req->json, &sink, NULL, NULL);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
	    req->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	if ((cc = curl_easy_perform(easy)) != CURLE_OK) {
		*timed_out = cc == CURLE_OPERATION_TIMEDOUT;
		if (sink.over || cc == CURLE_FILESIZE_EXCEEDED)
			snprintf(err, errlen, "answer over %zu bytes",
			    req->max_bytes);
		else
			snprintf(err, errlen, "%s", curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, status);
	rc = 0;
out:
	*answer = sink.buf;
	curl_slist_free_all(hdrs);
	if (easy != NULL)
		curl_easy_cleanup(easy);
	return rc;
}

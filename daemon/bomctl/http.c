/*
 * bomctl's requests to the API with libcurl: the connection settings from
 * the environment, one request at a time with JSON in and out, and the
 * mapping of transport and HTTP errors to exit codes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "version.h"
#include "bomctl/bomctl.h"

#define HTTP_KEY_HEADER		"X-API-Key: "
#define HTTP_ADMIN_HEADER	"X-Admin-Key: "
#define HTTP_MAX_HEADER		1024
#define HTTP_CONNECT_SEC	5L

int
http_open(struct bomctl *ctl)
{
	const char *url = getenv("BOMCTL_URL"), *var;
	size_t n;

	if (ctl->curl != NULL)
		return BOMCTL_EXIT_OK;
	if (url == NULL || *url == '\0')
		url = BOMCTL_DEFAULT_URL;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return bomctl_usage_error("BOMCTL_URL must start with "
		    "http:// or https:// (got \"%s\")", url);
	if ((n = strlen(url)) >= sizeof(ctl->url))
		return bomctl_usage_error("BOMCTL_URL is too long");
	memcpy(ctl->url, url, n + 1);
	while (n > 0 && ctl->url[n - 1] == '/')
		ctl->url[--n] = '\0';
	var = ctl->auth == BOMCTL_AUTH_ADMIN ? "BOMCTL_ADMIN_KEY" :
	    "BOMCTL_API_KEY";
	ctl->key = ctl->auth == BOMCTL_AUTH_NONE ? NULL : getenv(var);
	if (ctl->auth != BOMCTL_AUTH_NONE &&
	    (ctl->key == NULL || *ctl->key == '\0'))
		return bomctl_usage_error("%s is not set; %s", var,
		    ctl->auth == BOMCTL_AUTH_ADMIN ? "it is the server's "
		    "admin_key" : "ask your bomd operator for a key");
	if (ctl->key != NULL && strpbrk(ctl->key, "\r\n") != NULL)
		return bomctl_usage_error("%s contains a line break", var);
	if (ctl->key != NULL &&
	    strlen(HTTP_ADMIN_HEADER) + strlen(ctl->key) >= HTTP_MAX_HEADER)
		return bomctl_usage_error("%s is too long", var);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (ctl->curl = curl_easy_init()) == NULL) {
		bomctl_err("cannot initialise libcurl");
		return BOMCTL_EXIT_ERR;
	}
	return BOMCTL_EXIT_OK;
}

void
http_close(struct bomctl *ctl)
{
	if (ctl->curl == NULL)
		return;
	curl_easy_cleanup(ctl->curl);
	ctl->curl = NULL;
	curl_global_cleanup();
}

int
http_setup(struct bomctl *ctl, const char *path, const char *accept,
    struct curl_slist **hdrs, char *errbuf)
{
	char url[BOMCTL_MAX_URL + 512], hdr[HTTP_MAX_HEADER];

	*hdrs = NULL;
	if ((size_t)snprintf(url, sizeof(url), "%s%s", ctl->url, path) >=
	    sizeof(url) ||
	    (size_t)snprintf(hdr, sizeof(hdr), "%s%s",
	    ctl->auth == BOMCTL_AUTH_ADMIN ? HTTP_ADMIN_HEADER :
	    HTTP_KEY_HEADER, ctl->key != NULL ? ctl->key : "") >= sizeof(hdr))
		return -1;
	if (ctl->key != NULL)
		*hdrs = curl_slist_append(*hdrs, hdr);
	snprintf(hdr, sizeof(hdr), "Accept: %s", accept);
	*hdrs = curl_slist_append(*hdrs, hdr);
	errbuf[0] = '\0';
	curl_easy_reset(ctl->curl);
	curl_easy_setopt(ctl->curl, CURLOPT_URL, url);
	curl_easy_setopt(ctl->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(ctl->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ctl->curl, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_SEC);
	curl_easy_setopt(ctl->curl, CURLOPT_USERAGENT,
	    "bomctl/" BOMD_VERSION);
	curl_easy_setopt(ctl->curl, CURLOPT_ERRORBUFFER, errbuf);
	return 0;
}

/* The server's {"detail": ...}, or the start of the body. */
static void
http_detail(const json_t *root, const struct buf *body, long code,
    char *out, size_t len)
{
	const json_t *d = json_object_get(root, "detail");
	char *s;

	if (json_is_string(d)) {
		table_oneline(json_string_value(d), SIZE_MAX, out, len);
		return;
	}
	if (d != NULL && (s = json_dumps(d, JSON_COMPACT)) != NULL) {
		table_oneline(s, SIZE_MAX, out, len);
		free(s);
		return;
	}
	if (body->len > 0) {
		table_oneline(body->data, body->len < 200 ? body->len : 200,
		    out, len);
		return;
	}
	snprintf(out, len, "no detail given (HTTP %ld)", code);
}

int
http_request(struct bomctl *ctl, const char *path, curl_mime *mime,
    const char *json, bool post, bool async, long timeout, json_t **out)
{
	struct buf_cap body = { .max = BOMCTL_MAX_BODY };
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE], detail[512];
	json_error_t jerr;
	json_t *root = NULL;
	CURLcode cc;
	long code = 0;
	int rc = BOMCTL_EXIT_ERR;

	*out = NULL;
	buf_init(&body.buf);
	if ((rc = http_open(ctl)) != BOMCTL_EXIT_OK)
		goto out;
	rc = BOMCTL_EXIT_ERR;
	if (http_setup(ctl, path, "application/json", &hdrs, errbuf) == -1) {
		bomctl_err("request URL is too long");
		goto out;
	}
	if (async)
		hdrs = curl_slist_append(hdrs, "Prefer: respond-async");
	if (mime == NULL && json != NULL)
		hdrs = curl_slist_append(hdrs,
		    "Content-Type: application/json");
	/* no "Expect: 100-continue" round trip on uploads */
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(ctl->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(ctl->curl, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(ctl->curl, CURLOPT_WRITEFUNCTION, buf_cap_write);
	curl_easy_setopt(ctl->curl, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(ctl->curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)BOMCTL_MAX_BODY);
	if (mime != NULL)
		curl_easy_setopt(ctl->curl, CURLOPT_MIMEPOST, mime);
	else if (json != NULL)
		curl_easy_setopt(ctl->curl, CURLOPT_POSTFIELDS, json);
	else if (post)
		curl_easy_setopt(ctl->curl, CURLOPT_POSTFIELDS, "");
	cc = curl_easy_perform(ctl->curl);
	if (body.over || cc == CURLE_FILESIZE_EXCEEDED) {
		bomctl_err("the answer from %s is larger than %zu MB", ctl->url,
		    BOMCTL_MAX_BODY / (1024 * 1024));
		goto out;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		bomctl_err("no answer from %s within %ld s: %s", ctl->url,
		    timeout, errbuf[0] ? errbuf : curl_easy_strerror(cc));
		rc = BOMCTL_EXIT_UNREACHABLE;
		goto out;
	}
	if (cc != CURLE_OK) {
		bomctl_err("cannot reach %s: %s", ctl->url,
		    errbuf[0] ? errbuf : curl_easy_strerror(cc));
		rc = BOMCTL_EXIT_UNREACHABLE;
		goto out;
	}
	curl_easy_getinfo(ctl->curl, CURLINFO_RESPONSE_CODE, &code);
	root = json_loadb(body.buf.data ? body.buf.data : "", body.buf.len,
	    JSON_DECODE_ANY, &jerr);
	if (code < 200 || code >= 300) {
		http_detail(root, &body.buf, code, detail, sizeof(detail));
		if (code == 401) {
			bomctl_err("the server refused the API key (401): %s",
			    detail);
			rc = BOMCTL_EXIT_AUTH;
		} else if (code == 404) {
			bomctl_err("%s", detail);
			rc = BOMCTL_EXIT_NOTFOUND;
		} else
			bomctl_err("HTTP %ld: %s", code, detail);
		goto out;
	}
	if (root == NULL) {
		bomctl_err("%s answered HTTP %ld with invalid JSON: %s",
		    ctl->url, code, jerr.text);
		goto out;
	}
	*out = root;
	root = NULL;
	rc = BOMCTL_EXIT_OK;
out:
	json_decref(root);
	curl_slist_free_all(hdrs);
	buf_free(&body.buf);
	return rc;
}

int
http_get(struct bomctl *ctl, const char *path, json_t **out)
{
	return http_request(ctl, path, NULL, NULL, false, false,
	    BOMCTL_TIMEOUT_SEC, out);
}

int
http_post(struct bomctl *ctl, const char *path, const json_t *body,
    json_t **out)
{
	char *s = NULL;
	int rc;

	*out = NULL;
	if (body != NULL &&
	    (s = json_dumps(body, JSON_COMPACT)) == NULL) {
		bomctl_err("cannot format the request");
		return BOMCTL_EXIT_ERR;
	}
	rc = http_request(ctl, path, NULL, s, true, false, BOMCTL_TIMEOUT_SEC,
	    out);
	free(s);
	return rc;
}

int
http_body_set(const char *cmd, json_t *body, const char *k, const char *v)
{
	json_t *s;

	if (v == NULL)
		return BOMCTL_EXIT_OK;
	if ((s = json_string(v)) == NULL)
		return bomctl_usage_error("%s: the %s is not valid UTF-8", cmd,
		    k);
	json_object_set_new(body, k, s);
	return BOMCTL_EXIT_OK;
}

int
http_body(const char *cmd, json_t **out, ...)
{
	const char *k, *v;
	json_t *body = json_object();
	va_list ap;
	int rc;

	*out = NULL;
	va_start(ap, out);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if ((rc = http_body_set(cmd, body, k, v)) != BOMCTL_EXIT_OK) {
			va_end(ap);
			json_decref(body);
			return rc;
		}
	}
	va_end(ap);
	*out = body;
	return BOMCTL_EXIT_OK;
}

int
http_id_path(struct bomctl *ctl, const char *base, const char *id,
    const char *suffix, char *out, size_t len)
{
	char *esc;
	int rc = -1;

	if ((esc = curl_easy_escape(ctl->curl, id, 0)) == NULL)
		return -1;
	if ((size_t)snprintf(out, len, "%s%s%s", base, esc, suffix) < len)
		rc = 0;
	curl_free(esc);
	return rc;
}

int
http_id_arg(struct bomctl *ctl, const char *cmd, const char *what,
    const char *base, const char *id, const char *suffix, char *out,
    size_t len)
{
	if (http_id_path(ctl, base, id, suffix, out, len) == -1)
		return bomctl_usage_error("%s: %s is too long", cmd, what);
	return BOMCTL_EXIT_OK;
}

/*
 * Answers of the API process; see api_reply.h. Every answer goes through
 * api_reply(), which counts it by route and status for /metrics.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_db.h"
#include "api_metrics.h"
#include "api_reply.h"
#include "api_request.h"
#include "util.h"

/* the status of the last answer this thread gave (api_reply_status()) */
static _Thread_local unsigned int api_reply_last;

enum MHD_Result
api_reply(struct MHD_Connection *c, unsigned int status,
    struct MHD_Response *resp, const char *ctype)
{
	enum MHD_Result ret;

	MHD_add_response_header(resp, "Content-Type", ctype);
	api_metrics_count(status);
	api_reply_last = status;
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
api_json(struct MHD_Connection *c, unsigned int status, json_t *v)
{
	char *s;

	s = json_dumps(v, API_JSON_FLAGS);
	json_decref(v);
	if (s == NULL)
		s = xstrdup("{\"detail\":\"internal error\"}");
	return api_reply(c, status, MHD_create_response_from_buffer(strlen(s),
	    s, MHD_RESPMEM_MUST_FREE), "application/json");
}

enum MHD_Result
api_json_text(struct MHD_Connection *c, unsigned int status, PGresult *res)
{
	size_t len = (size_t)PQgetlength(res, 0, 0);
	char *s;

	s = xmalloc(len + 1);
	memcpy(s, PQgetvalue(res, 0, 0), len + 1);
	PQclear(res);
	return api_reply(c, status, MHD_create_response_from_buffer(len, s,
	    MHD_RESPMEM_MUST_FREE), "application/json");
}

/* api_error() with the message's arguments as a va_list. */
static enum MHD_Result
api_reply_verror(struct MHD_Connection *c, unsigned int status, const char *fmt,
    va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return api_json(c, status, json_pack("{s:s}", "detail", msg));
}

enum MHD_Result
api_error(struct MHD_Connection *c, unsigned int status, const char *fmt, ...)
{
	enum MHD_Result ret;
	va_list ap;

	va_start(ap, fmt);
	ret = api_reply_verror(c, status, fmt, ap);
	va_end(ap);
	return ret;
}

unsigned int
api_reply_status(void)
{
	return api_reply_last;
}

enum MHD_Result
api_reply_retry(struct MHD_Connection *c, int64_t retry_s,
    const char *fmt, ...)
{
	struct MHD_Response *resp;
	char msg[512], ra[24], *s;
	size_t n;
	va_list ap;
	json_t *v;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ra, sizeof(ra), "%lld", (long long)retry_s);
	n = strlen(msg);
	snprintf(msg + n, sizeof(msg) - n, "; retry after %s s", ra);
	v = json_pack("{s:s}", "detail", msg);
	s = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	if (s == NULL)
		s = xstrdup("{\"detail\":\"too many requests\"}");
	resp = MHD_create_response_from_buffer(strlen(s), s,
	    MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Retry-After", ra);
	return api_reply(c, MHD_HTTP_TOO_MANY_REQUESTS, resp,
	    "application/json");
}

enum MHD_Result
api_error_db(struct MHD_Connection *c)
{
	return api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
	    "database unavailable");
}

enum MHD_Result
api_reply_rows(struct MHD_Connection *c, const struct api_request *r,
    const char *sql, int nparams, const char *const *params,
    api_row_fn to_json)
{
	PGresult *res;
	json_t *out;
	int i;

	if ((res = api_db_query(r, sql, nparams, params)) == NULL)
		return api_error_db(c);
	out = json_array();
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(out, to_json(res, i));
	PQclear(res);
	return api_json(c, MHD_HTTP_OK, out);
}

enum MHD_Result
api_reply_page(struct MHD_Connection *c, const struct api_request *r,
    const char *sql, int nparams, const char *const *params,
    api_row_fn to_json)
{
	const char *p[API_REPLY_PAGE_PARAMS + 1];
	char limit[24];
	enum MHD_Result ret;
	int i;

	if (nparams > API_REPLY_PAGE_PARAMS)	/* the caller's mistake */
		return api_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal "
		    "error");
	if (api_query_limit(c, limit, sizeof(limit), &ret) == -1)
		return ret;
	for (i = 0; i < nparams; i++)
		p[i] = params[i];
	p[nparams] = limit;
	return api_reply_rows(c, r, sql, nparams + 1, p, to_json);
}

enum MHD_Result
api_reply_row(struct MHD_Connection *c, const struct api_request *r,
    const char *sql, int nparams, const char *const *params,
    api_row_fn to_json, unsigned int none, const char *fmt, ...)
{
	enum MHD_Result ret;
	PGresult *res;
	va_list ap;

	if ((res = api_db_query(r, sql, nparams, params)) == NULL)
		return api_error_db(c);
	if (PQntuples(res) == 0) {
		PQclear(res);
		va_start(ap, fmt);
		ret = api_reply_verror(c, none, fmt, ap);
		va_end(ap);
		return ret;
	}
	ret = api_json(c, MHD_HTTP_OK, to_json(res, 0));
	PQclear(res);
	return ret;
}

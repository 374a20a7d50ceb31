/*
 * Answers of the API process: JSON documents, errors as {"detail": ...},
 * documents PostgreSQL built, and query rows as objects or arrays. Every
 * answer is counted for /metrics.
 */
#ifndef BOMD_API_REPLY_H
#define BOMD_API_REPLY_H

#include <jansson.h>
#include <libpq-fe.h>
#include <microhttpd.h>

/* named here: libmicrohttpd renamed these across versions */
#define API_HTTP_TOO_LARGE	413
#define API_HTTP_UNPROCESSABLE	422

/* How api_json() writes a document (and the cache of documents too). */
#define API_JSON_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(15))

#define API_REPLY_PAGE_PARAMS	4	/* api_reply_page()'s before ?limit */

struct api_request;

/* Builds one JSON value from row of a result. */
typedef json_t	*(*api_row_fn)(const PGresult *res, int row);

/*
 * Queues resp with status and Content-Type ctype, counts it, and drops our
 * reference to resp. Returns libmicrohttpd's verdict.
 */
enum MHD_Result	api_reply(struct MHD_Connection *c, unsigned int status,
		    struct MHD_Response *resp, const char *ctype);
/* Answers v as JSON; takes over v (NULL answers "internal error"). */
enum MHD_Result	api_json(struct MHD_Connection *c, unsigned int status,
		    json_t *v);
/*
 * Answers the JSON text PostgreSQL built in the first column of res's
 * first row (copied), and clears res.
 */
enum MHD_Result	api_json_text(struct MHD_Connection *c, unsigned int status,
		    PGresult *res);
/* Answers {"detail": message}. */
enum MHD_Result	api_error(struct MHD_Connection *c, unsigned int status,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * Answers 429 {"detail": "<message>; retry after N s"} with Retry-After
 * N.
 */
enum MHD_Result	api_reply_retry(struct MHD_Connection *c, int64_t retry_s,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The status of the last answer given on the calling thread. */
unsigned int	api_reply_status(void);
/* Answers 503 {"detail": "database unavailable"}. */
enum MHD_Result	api_error_db(struct MHD_Connection *c);

/*
 * Runs sql on r's connection and answers 200 with every row through
 * to_json as an array; 503 when the database is unavailable.
 */
enum MHD_Result	api_reply_rows(struct MHD_Connection *c,
		    const struct api_request *r, const char *sql, int nparams,
		    const char *const *params, api_row_fn to_json);
/*
 * Like api_reply_rows() for a page of a list: sql takes the nparams
 * params (at most API_REPLY_PAGE_PARAMS), then ?limit (api_query_limit();
 * a bad one is 422) as $<nparams + 1>.
 */
enum MHD_Result	api_reply_page(struct MHD_Connection *c,
		    const struct api_request *r, const char *sql, int nparams,
		    const char *const *params, api_row_fn to_json);
/*
 * Runs sql (at most one row) on r's connection and answers 200 with the
 * row through to_json; without a row, none with {"detail": fmt ...} (as
 * 404 "Part not found: %s"); 503 when the database is unavailable.
 */
enum MHD_Result	api_reply_row(struct MHD_Connection *c,
		    const struct api_request *r, const char *sql, int nparams,
		    const char *const *params, api_row_fn to_json,
		    unsigned int none, const char *fmt, ...)
		    __attribute__((format(printf, 8, 9)));

#endif

/*
 * Shared by the API's source files: the per-request state, response
 * helpers and the process-wide resources.
 */
#ifndef BOMD_API_INTERNAL_H
#define BOMD_API_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <microhttpd.h>

#include <libpq-fe.h>
#include <hiredis/hiredis.h>

#include "util.h"

#define API_MAX_FIELDS		64
#define API_MAX_FORM_FIELD	(64 * 1024)
#define API_DEFAULT_LIMIT	100
#define API_MAX_LIMIT		1000

/* named here: libmicrohttpd renamed these across versions */
#define API_HTTP_TOO_LARGE	413
#define API_HTTP_UNPROCESSABLE	422

#define API_MAX_ARGS		3	/* "{}" segments in a route */
#define API_ARG_LEN		256

/* A timestamptz column selected as RFC 3339 UTC text. */
#define API_TS(col) "to_char(" col " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

struct config;
struct db_pool;

enum api_auth_kind {
	API_AUTH_NONE,		/* public: /health, /, /metrics */
	API_AUTH_KEY,		/* X-API-Key or Bearer: r->client_id is set */
	API_AUTH_ADMIN		/* X-Admin-Key = admin_key */
};

struct api_request;

/*
 * One route: pattern segments "{}" are captured into args (percent-decoded
 * by libmicrohttpd). Each module exports a table ending in a NULL method,
 * listed in api_tables[] in api.c.
 */
struct api_route {
	const char		*method;
	const char		*pattern;
	enum api_auth_kind	 auth;
	enum MHD_Result		(*fn)(struct MHD_Connection *c,
				    struct api_request *r,
				    const char *const *args);
};

struct api_field {
	char		*name;
	char		*filename;
	struct buf	 data;
};

struct api_request {
	struct MHD_PostProcessor *pp;
	struct buf		 body;		/* non-multipart bodies */
	struct api_field	 fields[API_MAX_FIELDS];
	size_t			 nfields;
	size_t			 received;
	int			 too_large;
	int			 bad_form;
	char			 client_id[37];	/* set by api_auth() */
	const char		*route_method;	/* the matched route */
	const char		*route_pattern;
	/* a suspended wait for a job (api_wait.c) */
	int			 wait_state;	/* API_WAIT_* */
	int			 wait_final;	/* the job reached a final state */
	char			 wait_project[37];
	char			 wait_job[129];
	char			 wait_status[32];
	char			 wait_error[512];
};

enum {
	API_WAIT_NONE,
	API_WAIT_PENDING,
	API_WAIT_DONE
};

struct api_ctx {
	const struct config	*cfg;
	struct db_pool		*pool;
};

extern struct api_ctx api;

/* Responses: all JSON. Take over v. */
enum MHD_Result	api_json(struct MHD_Connection *c, unsigned int status,
		    json_t *v);
enum MHD_Result	api_error(struct MHD_Connection *c, unsigned int status,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A form field, or NULL. */
const struct api_field	*api_field(const struct api_request *r,
			    const char *name);
/* Authenticates the request; 0 with r->client_id set, or -1 (answered).
 * Verified keys are cached for 2 s per process (api.c). */
int		api_auth(struct MHD_Connection *c, struct api_request *r,
		    enum MHD_Result *ret);
/* Forgets every cached key (after an admin change to keys or clients). */
void		api_auth_cache_flush(void);
/*
 * One Redis command on the process's shared connection (locked): the
 * reply (caller freeReplyObject()s it), or NULL when Redis is down or
 * answered an error (logged).
 */
redisReply	*api_redis_command(const char *fmt, ...);
/*
 * The live state of a running job (the worker's progress in Redis):
 * api_live_project() gives the project's status, line status and lines
 * (JSON) as malloc'd strings; api_live_job() the project of a job.
 * 1 found, 0 none (or Redis down).
 */
int		api_live_project(const char *client_id, const char *project_id,
		    char **status, char **line_status, char **lines);
int		api_live_job(const char *client_id, const char *job_id,
		    char *project_id, size_t len);
/* Adds a job to the stream (shared connection, locked). 0 or -1. */
int		api_enqueue(const char *job, size_t len, char *id,
		    size_t idlen);

/*
 * A pooled database connection whose session admits only r's client under
 * row-level security ("*" for admin routes, which have no client). Waits
 * up to 5 s; NULL when the database is unavailable. Give it back with
 * api_db_put().
 */
PGconn		*api_db_get(const struct api_request *r);
void		 api_db_put(PGconn *db);

/* The body of a JSON request as an object (new reference), or NULL with
 * a reason in err. */
json_t		*api_json_body(const struct api_request *r, char *err,
		    size_t errlen);
/* Constant-time comparison of two secrets: 1 when equal. */
int		api_secret_equal(const char *a, const char *b);

/* Route tables. */
extern const struct api_route api_core_routes[];	/* api.c */
extern const struct api_route api_projects_routes[];	/* api_projects.c */
extern const struct api_route api_admin_routes[];	/* api_admin.c */
extern const struct api_route api_metrics_routes[];	/* api_metrics.c */
extern const struct api_route api_events_routes[];	/* api_events.c */

/*
 * Waiting without a thread (api_wait.c). api_wait_job_start() suspends c
 * until the job is final or wait_s passes; the access handler is then
 * called again and answers with api_job_answer(). api_wait_sleep()
 * suspends c for ms (an event stream with nothing to send). Both return
 * -1 when too many requests already wait (not suspended then).
 */
int		api_wait_init(void);
void		api_wait_shutdown(void);
int		api_wait_job_start(struct MHD_Connection *c,
		    struct api_request *r, const char *project_id,
		    const char *job_id, int64_t wait_s);
int		api_wait_sleep(struct MHD_Connection *c, int ms);
/* The answer of a job wait: 200 with the final status, else 202. */
enum MHD_Result	api_job_answer(struct MHD_Connection *c,
		    const struct api_request *r);

/* Metrics (api_metrics.c): the route being served by this thread, and
 * one answered request with its status (api_json() calls it). */
void		api_metrics_route(const char *method, const char *route);
void		api_metrics_count(unsigned int status);
/* Stream depth and dead-letter count from Redis; -1 when unavailable. */
void		api_queue_stats(int64_t *depth, int64_t *dead);
extern const struct api_route api_knowledge_routes[];	/* api_knowledge.c */
extern const struct api_route api_jobs_routes[];	/* api_jobs.c */
extern const struct api_route api_openai_routes[];	/* api_openai.c */

#endif

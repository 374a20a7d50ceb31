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

#include "util.h"

#define API_MAX_FIELDS		64
#define API_MAX_FORM_FIELD	(64 * 1024)
#define API_DEFAULT_LIMIT	100
#define API_MAX_LIMIT		1000

/* named here: libmicrohttpd renamed these across versions */
#define API_HTTP_TOO_LARGE	413
#define API_HTTP_UNPROCESSABLE	422

struct config;
struct db_pool;

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
/* Authenticates the request; 0 with r->client_id set, or -1 (answered). */
int		api_auth(struct MHD_Connection *c, struct api_request *r,
		    enum MHD_Result *ret);
/* Adds a job to the stream (shared connection, locked). 0 or -1. */
int		api_enqueue(const char *job, size_t len, char *id,
		    size_t idlen);

/* Route handlers (api_projects.c). */
enum MHD_Result	api_projects_list(struct MHD_Connection *c,
		    struct api_request *r);
enum MHD_Result	api_project_get(struct MHD_Connection *c,
		    struct api_request *r, const char *id);
enum MHD_Result	api_upload_and_process(struct MHD_Connection *c,
		    struct api_request *r);
enum MHD_Result	api_job_get(struct MHD_Connection *c, struct api_request *r,
		    const char *id);

#endif

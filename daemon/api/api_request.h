/*
 * One HTTP request as the API process sees it: its body (a JSON text or
 * form fields, bounded by max_upload), its query arguments, the client it
 * was authenticated as and the state of a job wait.
 */
#ifndef BOMD_API_REQUEST_H
#define BOMD_API_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "api_route.h"
#include "scope.h"
#include "util.h"

#define API_MAX_FIELDS		64
#define API_MAX_FORM_FIELD	(64 * 1024)
#define API_DEFAULT_LIMIT	100	/* ?limit when absent */
#define API_MAX_LIMIT		1000	/* ?limit at most */
#define API_SCOPES_LEN		512	/* scopes comma-joined (admin_key_create) */

struct api_x402;

/* A form field of a POST or PUT (a file when filename is set). */
struct api_field {
	char		*name;
	char		*filename;
	struct buf	 data;
	uint64_t	 next_off;	/* where its next piece starts */
};

/* Where a request stands in a job wait (api_wait.c). */
enum api_wait_state {
	API_WAIT_NONE,
	API_WAIT_PENDING,	/* suspended until the job or the time is up */
	API_WAIT_DONE		/* resumed: answer with what the wait found */
};

struct api_request {
	char			*path;		/* as sent, without the query */
	bool			 started;	/* api_request_start() ran */
	struct api_route_match	 match;		/* api_route_admit() */
	unsigned int		 limits_held;	/* api_limit_take(), by kind */
	struct MHD_PostProcessor *pp;
	struct buf		 body;		/* non-multipart bodies */
	struct api_field	 fields[API_MAX_FIELDS];
	size_t			 nfields;
	size_t			 received;
	int			 too_large;
	int			 bad_form;
	char			 form_error[96];	/* why, when known */
	char			 client_id[UUID_BUFSZ];	/* api_auth_caller() */
	struct scope_set	 scopes;	/* what the caller may do */
	struct api_x402		*x402;		/* a paid request, owned */
	bool			 admin;		/* X-Admin-Key or scope admin */
	const char		*route_method;	/* the matched route */
	const char		*route_pattern;
	/* a suspended wait for a job (api_wait.c) */
	enum api_wait_state	 wait_state;
	int64_t			 wait_until_ms;	/* 0, or before sync_wait */
	int			 wait_final;	/* the job is final */
	char			 wait_project[UUID_BUFSZ];
	char			 wait_job[129];
	char			 wait_status[32];
	char			 wait_error[512];
};

/*
 * A new request for uri as sent (the request line's). Never NULL; caller
 * frees with api_request_free().
 */
struct api_request	*api_request_new(const char *uri);
/*
 * Starts r once its headers are in, for method on c: a Content-Length
 * beyond max_upload marks it too_large; POST and PUT forms get a parser.
 */
void			 api_request_start(struct api_request *r,
			    struct MHD_Connection *c, const char *method);
/* Frees r and its fields; NULL does nothing. */
void			 api_request_free(struct api_request *r);
/*
 * Takes one chunk of r's body. Too much sets too_large, a form the parser
 * rejects sets bad_form; the chunk is then dropped.
 */
void			 api_request_feed(struct api_request *r,
			    const char *data, size_t size);

/* The form field called name, or NULL. Borrowed from r. */
const struct api_field	*api_field(const struct api_request *r,
			    const char *name);

/*
 * The body of a JSON request as an object (new reference; an empty body
 * is {} when optional). NULL when it is not one, after answering status
 * with {"detail": "request body: ..."} in *ret.
 */
json_t		*api_json_body(struct MHD_Connection *c,
		    const struct api_request *r, bool optional,
		    unsigned int status, enum MHD_Result *ret);

/*
 * ?limit=N as decimal text in buf: API_DEFAULT_LIMIT when absent, at most
 * API_MAX_LIMIT. 0, or -1 after answering 422 in *ret.
 */
int		api_query_limit(struct MHD_Connection *c, char *buf,
		    size_t len, enum MHD_Result *ret);

#endif

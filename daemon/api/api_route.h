/*
 * Routing of the API process: one table of every route (method, pattern
 * with "{}" captures, who may call it, handler); a request goes to the
 * first route whose pattern and method match. Each resource file exports
 * its handlers for the table.
 */
#ifndef BOMD_API_ROUTE_H
#define BOMD_API_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#define API_ROUTE_MAX_ARGS	3	/* "{}" segments in a pattern */
#define API_ROUTE_ARG_LEN	256	/* bytes of a captured segment */

struct api_request;

/*
 * Who may call a route. The caller's key or token (X-API-Key or Bearer,
 * r->client_id set) needs the scope named: read routes "read", writes
 * "all"; a project route (its first capture is a project id) also admits
 * "project:<that id>", and answers 404 to a key of other projects only.
 */
enum api_auth_kind {
	API_AUTH_NONE,		/* public: /health, /, /metrics */
	API_AUTH_READ,		/* read or all */
	API_AUTH_WRITE,		/* all */
	API_AUTH_PROJECT_READ,	/* read, all or project:<match.args[0]> */
	API_AUTH_PROJECT_WRITE,	/* all or project:<match.args[0]> */
	API_AUTH_ADMIN,		/* X-Admin-Key = admin_key */
	API_AUTH_ADMIN_OR_READ,	/* X-Admin-Key if sent, else a key of scope
				   admin (both set r->admin), read or all */
	API_AUTH_ADMIN_OR_WRITE	/* the same, with all instead of read */
};

/* A route's handler: answers r, admitted, its body read. */
typedef enum MHD_Result	api_route_fn(struct MHD_Connection *c,
			    struct api_request *r);

/*
 * One route: each "{}" of pattern stands for one path segment, captured
 * into r->match.args, where fn reads them. Routing reads the path as sent
 * and decodes each segment on its own, so an encoded "/" (%2F) stays
 * inside its segment. A handler that serves several routes from a
 * description (a statement, its answer) finds it in arg. A table ends
 * with a NULL method.
 */
struct api_route {
	const char		*method;
	const char		*pattern;
	enum api_auth_kind	 auth;
	api_route_fn		*fn;
	const void		*arg;	/* fn's own type, or NULL */
};

/* What api_route_find() found for a method and a path. */
struct api_route_match {
	const struct api_route	*route;		/* NULL: none */
	bool			 path_known;	/* another method's: 405 */
	size_t			 nargs;
	char			 args[API_ROUTE_MAX_ARGS][API_ROUTE_ARG_LEN];
};

/* Every route of the process, in matching order. */
extern const struct api_route api_routes[];

/*
 * Finds the first route of table for method and path (as sent,
 * percent-encoded, without the query); fills m with it and its captures,
 * decoded.
 * Returns the route, or NULL (m->path_known then tells 405 from 404).
 */
const struct api_route	*api_route_find(const struct api_route *table,
			    const char *method, const char *path,
			    struct api_route_match *m);
/*
 * Admits r when its headers have arrived, before any of its body is read:
 * finds its route (into r->match; 404 or 405 when there is none), refuses
 * a body announced over max_upload (413), an address past its failed
 * authentications (429), then checks the caller as the route requires (a
 * key or token and its scopes; on a payable route without either, an x402
 * payment). 0 when admitted (a known caller's connection gets the long
 * idle timeout); -1 after answering in *ret.
 */
int			 api_route_admit(struct MHD_Connection *c,
			    struct api_request *r, const char *method,
			    enum MHD_Result *ret);
/*
 * Serves r, admitted, its body read: refuses a body too large or a form
 * that did not parse, then calls its route.
 */
enum MHD_Result		 api_route_dispatch(struct MHD_Connection *c,
			    struct api_request *r, const char *method);
/* Answers 413 naming max_upload. */
enum MHD_Result		 api_route_too_large(struct MHD_Connection *c);

#endif

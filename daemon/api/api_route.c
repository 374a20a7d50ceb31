/*
 * Route matching and dispatch for the API process; see api_route.h. The
 * tables are walked in order, so a specific pattern listed first wins
 * over a wider one ("/knowledge/parts/{}/ban" over "/knowledge/parts/{}/{}").
 */
#include <string.h>

#include "api_admin.h"
#include "api_auth.h"
#include "api_events.h"
#include "api_internal.h"
#include "api_jobs.h"
#include "api_metrics.h"
#include "api_openai.h"
#include "api_parts.h"
#include "api_projects.h"
#include "api_reply.h"
#include "api_request.h"
#include "api_route.h"
#include "api_service.h"
#include "api_suppliers.h"
#include "config.h"

const struct api_route *const api_route_tables[] = {
	api_service_routes,
	api_projects_routes,
	api_admin_routes,
	api_metrics_routes,
	api_events_routes,
	api_parts_routes,
	api_suppliers_routes,
	api_jobs_routes,
	api_openai_routes,
	NULL
};

/* 1 when url matches pattern, with its "{}" segments captured into m. */
static int
api_route_match(const char *pattern, const char *url,
    struct api_route_match *m)
{
	const char *p = pattern, *u = url, *end;
	size_t n;

	m->nargs = 0;
	while (*p != '\0') {
		if (p[0] == '{' && p[1] == '}') {
			end = strchr(u, '/');
			n = end ? (size_t)(end - u) : strlen(u);
			if (n == 0 || n >= API_ROUTE_ARG_LEN ||
			    m->nargs == API_ROUTE_MAX_ARGS)
				return 0;
			memcpy(m->args[m->nargs], u, n);
			m->args[m->nargs++][n] = '\0';
			u += n;
			p += 2;
			continue;
		}
		if (*p++ != *u++)
			return 0;
	}
	return *u == '\0';
}

const struct api_route *
api_route_find(const struct api_route *const *tables, const char *method,
    const char *url, struct api_route_match *m)
{
	const struct api_route *rt;
	size_t t;

	m->route = NULL;
	m->path_known = false;
	for (t = 0; tables[t] != NULL; t++)
		for (rt = tables[t]; rt->method != NULL; rt++) {
			if (!api_route_match(rt->pattern, url, m))
				continue;
			m->path_known = true;
			if (strcmp(rt->method, method) == 0) {
				m->route = rt;
				return rt;
			}
		}
	m->nargs = 0;
	return NULL;
}

enum MHD_Result
api_route_dispatch(struct MHD_Connection *c, struct api_request *r,
    const char *url, const char *method)
{
	struct api_route_match m;
	const struct api_route *rt;
	const char *args[API_ROUTE_MAX_ARGS];
	enum MHD_Result ret;
	size_t i;

	rt = api_route_find(api_route_tables, method, url, &m);
	r->route_method = rt ? rt->method : NULL;
	r->route_pattern = rt ? rt->pattern : NULL;
	api_metrics_route(r->route_method, r->route_pattern);
	if (rt == NULL)
		return m.path_known ? api_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "Method Not Allowed") : api_error(c, MHD_HTTP_NOT_FOUND,
		    "Not Found");
	for (i = 0; i < m.nargs; i++)
		args[i] = m.args[i];
	if (rt->auth == API_AUTH_NONE)
		return rt->fn(c, r, args);
	if (r->too_large)
		return api_error(c, API_HTTP_TOO_LARGE, "request body is "
		    "larger than %lld bytes", (long long)api_cfg->max_upload);
	if (r->bad_form)
		return api_error(c, MHD_HTTP_BAD_REQUEST, "malformed form "
		    "data");
	if (rt->auth == API_AUTH_ADMIN) {
		if (api_auth_admin(c, &ret) == -1)
			return ret;
		ret = rt->fn(c, r, args);
		/* a key revoked or a client deactivated: at once here */
		if (strcmp(method, "GET") != 0)
			api_auth_cache_flush();
		return ret;
	}
	if (api_auth_key(c, r, &ret) == -1)
		return ret;
	return rt->fn(c, r, args);
}

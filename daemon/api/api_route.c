/*
 * Route matching and dispatch for the API process; see api_route.h. The
 * tables are walked in order, so a specific pattern listed first wins
 * over a wider one ("/knowledge/parts/{}/ban" over "/knowledge/parts/{}/{}").
 */
#include <string.h>

#include "api_admin.h"
#include "api_auth.h"
#include "api_bootstrap.h"
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
#include "api_search.h"
#include "api_service.h"
#include "api_suppliers.h"
#include "api_tenants.h"
#include "api_x402.h"
#include "config.h"
#include "scope.h"

const struct api_route *const api_route_tables[] = {
	api_service_routes,
	api_projects_routes,
	api_admin_routes,
	api_bootstrap_routes,
	api_tenants_routes,
	api_metrics_routes,
	api_events_routes,
	api_parts_routes,
	api_suppliers_routes,
	api_jobs_routes,
	api_search_routes,
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

/* True for the routes X-Admin-Key (or a key of scope admin) may call. */
static bool
api_route_admin_ok(enum api_auth_kind auth)
{
	return auth == API_AUTH_ADMIN || auth == API_AUTH_ADMIN_OR_READ ||
	    auth == API_AUTH_ADMIN_OR_WRITE;
}

/*
 * Whether r's scopes admit route rt (args its captures): 0, or -1 after
 * answering 403 naming the scope it needs, or 404 to a key of other
 * projects on a project route (as if the project did not exist). The
 * operator's keys of scope admin are their tenant's keys of scope all.
 */
static int
api_route_scope(struct MHD_Connection *c, const struct api_request *r,
    const struct api_route *rt, const char *const *args,
    enum MHD_Result *ret)
{
	enum scope_need need = SCOPE_NEED_WRITE;
	bool project = false;

	switch (rt->auth) {
	case API_AUTH_PROJECT_READ:
		project = true;
		/* FALLTHROUGH */
	case API_AUTH_READ:
	case API_AUTH_ADMIN_OR_READ:
		need = SCOPE_NEED_READ;
		break;
	case API_AUTH_PROJECT_WRITE:
		project = true;
		break;
	default:
		break;
	}
	if (api_auth_scope(r, SCOPE_ADMIN))
		return 0;
	switch (scope_check(&r->scopes, need, project, project ? args[0] :
	    NULL)) {
	case SCOPE_OK:
		return 0;
	case SCOPE_OTHER_PROJECT:
		*ret = api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: %s",
		    args[0]);
		return -1;
	default:
		*ret = api_error(c, MHD_HTTP_FORBIDDEN, "Missing required "
		    "scope: %s", scope_need_name(need));
		return -1;
	}
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
	if (rt->auth == API_AUTH_ADMIN || (api_route_admin_ok(rt->auth) &&
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-Admin-Key") != NULL)) {
		if (api_auth_admin(c, &ret) == -1)
			return ret;
		r->admin = true;
	} else if (api_x402_payable(rt) && !api_auth_has_credentials(c)) {
		/* without credentials, a payable route takes a payment */
		if (api_x402_admit(c, r, rt, url, &ret) == -1)
			return ret;
	} else if (api_auth_caller(c, r, &ret) == -1)
		return ret;
	else if (api_route_admin_ok(rt->auth) && api_auth_scope(r, SCOPE_ADMIN))
		r->admin = true;
	else if (api_route_scope(c, r, rt, args, &ret) == -1)
		return ret;
	ret = rt->fn(c, r, args);
	/* a key revoked or a client deactivated: at once, everywhere */
	if (api_route_admin_ok(rt->auth) && strcmp(method, "GET") != 0)
		api_auth_changed();
	return ret;
}

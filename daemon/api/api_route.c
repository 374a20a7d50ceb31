/*
 * Route matching, admission and dispatch for the API process; see
 * api_route.h. The tables are walked in order, so a specific pattern
 * listed first wins over a wider one ("/knowledge/parts/{}/ban" over
 * "/knowledge/parts/{}/{}").
 */
#include <string.h>

#define API_ROUTE_CONN_TIMEOUT	300	/* s idle, once a caller is known */

#include "api_admin.h"
#include "api_auth.h"
#include "api_bootstrap.h"
#include "api_events.h"
#include "api_internal.h"
#include "api_jobs.h"
#include "api_limit.h"
#include "api_metrics.h"
#include "api_openai.h"
#include "api_parts.h"
#include "api_projects.h"
#include "api_reply.h"
#include "api_request.h"
#include "api_route.h"
#include "api_search.h"
#include "api_service.h"
#include "api_submit.h"
#include "api_suppliers.h"
#include "api_tenants.h"
#include "api_x402.h"
#include "config.h"
#include "scope.h"

const struct api_route *const api_route_tables[] = {
	api_service_routes,
	api_projects_routes,
	api_submit_routes,
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

/*
 * 1 when path (as sent: percent-encoded) matches pattern, with its "{}"
 * segments captured into m, each decoded: an encoded "/" (%2F) stays in
 * its segment; a segment with an encoded NUL matches nothing.
 */
static int
api_route_match(const char *pattern, const char *path,
    struct api_route_match *m)
{
	const char *p = pattern, *u = path, *end;
	char *arg;
	size_t n;

	m->nargs = 0;
	while (*p != '\0') {
		if (p[0] == '{' && p[1] == '}') {
			end = strchr(u, '/');
			n = end ? (size_t)(end - u) : strlen(u);
			if (n == 0 || n >= API_ROUTE_ARG_LEN ||
			    m->nargs == API_ROUTE_MAX_ARGS)
				return 0;
			arg = m->args[m->nargs++];
			memcpy(arg, u, n);
			arg[n] = '\0';
			if (MHD_http_unescape(arg) != strlen(arg) ||
			    arg[0] == '\0')
				return 0;
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
 * Whether r's scopes admit route rt (its captures in r->match): 0, or -1
 * after answering 403 naming the scope it needs, or 404 to a key of other
 * projects on a project route (as if the project did not exist). The
 * operator's keys of scope admin pass, and act on a project's routes as
 * its client (api_auth_owner()).
 */
static int
api_route_scope(struct MHD_Connection *c, const struct api_request *r,
    const struct api_route *rt, enum MHD_Result *ret)
{
	const char *project_id = r->match.args[0];
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
	switch (scope_check(&r->scopes, need, project, project ? project_id :
	    NULL)) {
	case SCOPE_OK:
		return 0;
	case SCOPE_OTHER_PROJECT:
		*ret = api_error(c, MHD_HTTP_NOT_FOUND, "Project not found: %s",
		    project_id);
		return -1;
	default:
		*ret = api_error(c, MHD_HTTP_FORBIDDEN, "Missing required "
		    "scope: %s", scope_need_name(need));
		return -1;
	}
}

int
api_route_admit(struct MHD_Connection *c, struct api_request *r,
    const char *method, enum MHD_Result *ret)
{
	struct api_route_match *m = &r->match;
	const struct api_route *rt;

	rt = api_route_find(api_route_tables, method, r->path, m);
	r->route_method = rt ? rt->method : NULL;
	r->route_pattern = rt ? rt->pattern : NULL;
	api_metrics_route(r->route_method, r->route_pattern);
	if (rt == NULL) {
		*ret = m->path_known ? api_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "Method Not Allowed") : api_error(c, MHD_HTTP_NOT_FOUND,
		    "Not Found");
		return -1;
	}
	if (rt->auth == API_AUTH_NONE)
		return 0;
	/* a body announced too large is refused before a byte is read */
	if (r->too_large) {
		*ret = api_route_too_large(c);
		return -1;
	}
	if (api_limit_auth_check(c, ret) == -1)
		return -1;
	if (rt->auth == API_AUTH_ADMIN || (api_route_admin_ok(rt->auth) &&
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-Admin-Key") != NULL)) {
		if (api_auth_admin(c, ret) == -1)
			goto refused;
		r->admin = true;
	} else if (api_x402_payable(rt) && !api_auth_has_credentials(c)) {
		/* without credentials, a payable route takes a payment */
		if (api_x402_admit(c, r, rt, r->path, ret) == -1)
			goto refused;
	} else if (api_auth_caller(c, r, ret) == -1)
		goto refused;
	else if (api_route_admin_ok(rt->auth) && api_auth_scope(r, SCOPE_ADMIN))
		r->admin = true;
	else if (api_route_scope(c, r, rt, ret) == -1)
		return -1;
	if ((rt->auth == API_AUTH_PROJECT_READ ||
	    rt->auth == API_AUTH_PROJECT_WRITE) &&
	    api_auth_owner(c, r, m->args[0], ret) == -1)
		return -1;
	/* known now: the connection may take its time */
	MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT,
	    (unsigned int)API_ROUTE_CONN_TIMEOUT);
	return 0;
refused:
	/* a wrong secret costs its address; none presented costs nothing */
	if (api_reply_status() == MHD_HTTP_UNAUTHORIZED &&
	    (api_auth_has_credentials(c) || MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, "X-Admin-Key") != NULL))
		api_limit_auth_failed(c);
	return -1;
}

enum MHD_Result
api_route_too_large(struct MHD_Connection *c)
{
	return api_error(c, API_HTTP_TOO_LARGE, "request body is larger than "
	    "%lld bytes", (long long)api_cfg->max_upload);
}

enum MHD_Result
api_route_dispatch(struct MHD_Connection *c, struct api_request *r,
    const char *method)
{
	const struct api_route *rt = r->match.route;
	enum MHD_Result ret;

	/* perhaps on another thread than the headers (a resumed wait) */
	api_metrics_route(r->route_method, r->route_pattern);
	if (rt->auth != API_AUTH_NONE && r->too_large)
		return api_route_too_large(c);
	if (rt->auth != API_AUTH_NONE && r->bad_form)
		return api_error(c, MHD_HTTP_BAD_REQUEST, "%s",
		    r->form_error[0] ? r->form_error : "malformed form data");
	ret = rt->fn(c, r);
	/* a key revoked or a client deactivated: at once, everywhere */
	if (api_route_admin_ok(rt->auth) && strcmp(method, "GET") != 0)
		api_auth_changed();
	return ret;
}

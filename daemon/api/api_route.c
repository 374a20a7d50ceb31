/*
 * The route table, matching, admission and dispatch for the API
 * process; see api_route.h.
 */
#include <string.h>

#define API_ROUTE_CONN_TIMEOUT	300	/* s idle, once a caller is known */

#include "api_admin.h"
#include "api_auth.h"
#include "api_bootstrap.h"
#include "api_events.h"
#include "api_internal.h"
#include "api_jobs.h"
#include "api_knowledge.h"
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

/*
 * Every route of the API process, as DESIGN.md lists them, with who may
 * call it. The first route whose pattern and method match serves a
 * request, so a specific pattern comes before a wider one.
 */
const struct api_route api_routes[] = {
	/* the service, public (api_service.c, api_metrics.c) */
	{ "GET", "/health",
	    API_AUTH_NONE, api_service_health, NULL },
	{ "GET", "/",
	    API_AUTH_NONE, api_service_root, NULL },
	{ "GET", "/metrics",
	    API_AUTH_NONE, api_metrics, NULL },
	/* OpenAI-compatible (api_openai.c) */
	{ "GET", "/v1/models",
	    API_AUTH_READ, api_openai_models, NULL },
	{ "POST", "/v1/chat/completions",
	    API_AUTH_READ, api_openai_completions, NULL },
	/* projects (api_projects.c, api_submit.c, api_events.c) */
	{ "GET", "/projects",
	    API_AUTH_READ, api_projects_list, NULL },
	{ "GET", "/projects/{}",
	    API_AUTH_PROJECT_READ, api_projects_get, NULL },
	{ "DELETE", "/projects/{}",
	    API_AUTH_PROJECT_WRITE, api_projects_delete, NULL },
	{ "GET", "/projects/{}/trace",
	    API_AUTH_PROJECT_READ, api_projects_trace, NULL },
	{ "GET", "/projects/{}/strategies",
	    API_AUTH_PROJECT_READ, api_projects_strategies, NULL },
	{ "POST", "/projects",
	    API_AUTH_WRITE, api_submit_create, NULL },
	{ "POST", "/projects/upload-and-process",
	    API_AUTH_WRITE, api_submit_upload_and_process, NULL },
	{ "POST", "/projects/{}/process",
	    API_AUTH_WRITE, api_submit_process, NULL },
	{ "GET", "/projects/{}/events",
	    API_AUTH_PROJECT_READ, api_events_open, NULL },
	/* jobs (api_jobs.c) */
	{ "GET", "/jobs",
	    API_AUTH_READ, api_jobs_list, NULL },
	{ "GET", "/jobs/{}",
	    API_AUTH_READ, api_jobs_get, NULL },
	{ "POST", "/jobs/{}/retry",
	    API_AUTH_WRITE, api_jobs_retry, NULL },
	/*
	 * part knowledge (api_parts.c): the specific routes before the
	 * two-segment ones, so GET /knowledge/parts/X/alternates is X's
	 * alternates, never a part named "X/alternates"
	 */
	{ "GET", "/knowledge/parts",
	    API_AUTH_READ, api_knowledge_page, &api_parts_list },
	{ "GET", "/knowledge/parts/{}",
	    API_AUTH_READ, api_parts_route_part, NULL },
	{ "POST", "/knowledge/parts/{}/ban",
	    API_AUTH_WRITE, api_parts_route_ban, NULL },
	{ "POST", "/knowledge/parts/{}/unban",
	    API_AUTH_WRITE, api_parts_route_unban, NULL },
	{ "GET", "/knowledge/parts/{}/alternates",
	    API_AUTH_READ, api_parts_route_alts_get, NULL },
	{ "POST", "/knowledge/parts/{}/alternates",
	    API_AUTH_WRITE, api_parts_route_alts_add, NULL },
	{ "POST", "/knowledge/parts/{}/{}/ban",
	    API_AUTH_WRITE, api_parts_route_ban, NULL },
	{ "POST", "/knowledge/parts/{}/{}/unban",
	    API_AUTH_WRITE, api_parts_route_unban, NULL },
	{ "GET", "/knowledge/parts/{}/{}/alternates",
	    API_AUTH_READ, api_parts_route_alts_get, NULL },
	{ "POST", "/knowledge/parts/{}/{}/alternates",
	    API_AUTH_WRITE, api_parts_route_alts_add, NULL },
	{ "GET", "/knowledge/parts/{}/{}",
	    API_AUTH_READ, api_parts_route_part, NULL },
	/* supplier knowledge (api_suppliers.c) */
	{ "GET", "/knowledge/suppliers",
	    API_AUTH_READ, api_knowledge_page, &api_suppliers_list },
	{ "POST", "/knowledge/suppliers",
	    API_AUTH_WRITE, api_suppliers_write, NULL },
	{ "GET", "/knowledge/suppliers/{}",
	    API_AUTH_READ, api_suppliers_get, NULL },
	{ "POST", "/knowledge/suppliers/{}",
	    API_AUTH_WRITE, api_suppliers_write, NULL },
	{ "PUT", "/knowledge/suppliers/{}",
	    API_AUTH_WRITE, api_suppliers_write, NULL },
	{ "POST", "/knowledge/suppliers/{}/trust",
	    API_AUTH_WRITE, api_suppliers_trust, NULL },
	/* live search, a read though it caches answers (api_search.c) */
	{ "POST", "/search/parts",
	    API_AUTH_READ, api_search_parts, NULL },
	{ "GET", "/search/providers",
	    API_AUTH_READ, api_search_providers, NULL },
	/* the original's tenant routes (api_tenants.c) */
	{ "GET", "/api-keys",
	    API_AUTH_ADMIN_OR_READ, api_tenants_keys_list, NULL },
	{ "POST", "/api-keys",
	    API_AUTH_ADMIN_OR_WRITE, api_tenants_keys_create, NULL },
	{ "GET", "/api-keys/{}",
	    API_AUTH_ADMIN_OR_READ, api_tenants_row, &api_tenants_key },
	{ "POST", "/api-keys/{}/revoke",
	    API_AUTH_ADMIN_OR_WRITE, api_tenants_row,
	    &api_tenants_key_revoke },
	{ "GET", "/clients",
	    API_AUTH_ADMIN_OR_READ, api_tenants_clients_list, NULL },
	{ "POST", "/clients",
	    API_AUTH_ADMIN_OR_WRITE, api_tenants_clients_create, NULL },
	{ "GET", "/clients/{}",
	    API_AUTH_ADMIN_OR_READ, api_tenants_row, &api_tenants_client },
	{ "POST", "/clients/{}/deactivate",
	    API_AUTH_ADMIN_OR_WRITE, api_tenants_row,
	    &api_tenants_client_deactivate },
	/* the operator's (api_admin.c, api_bootstrap.c) */
	{ "POST", "/admin/clients",
	    API_AUTH_ADMIN, api_admin_clients_create, NULL },
	{ "GET", "/admin/clients",
	    API_AUTH_ADMIN, api_admin_clients_list, NULL },
	{ "GET", "/admin/clients/{}",
	    API_AUTH_ADMIN, api_admin_clients_get, NULL },
	{ "POST", "/admin/clients/{}/deactivate",
	    API_AUTH_ADMIN, api_admin_clients_deactivate, NULL },
	{ "POST", "/admin/clients/{}/activate",
	    API_AUTH_ADMIN, api_admin_clients_activate, NULL },
	{ "POST", "/admin/api-keys",
	    API_AUTH_ADMIN, api_admin_keys_create, NULL },
	{ "GET", "/admin/api-keys",
	    API_AUTH_ADMIN, api_admin_keys_list, NULL },
	{ "POST", "/admin/api-keys/{}/revoke",
	    API_AUTH_ADMIN, api_admin_keys_revoke, NULL },
	{ "GET", "/admin/status",
	    API_AUTH_NONE, api_bootstrap_status, NULL },
	{ "POST", "/admin/bootstrap",
	    API_AUTH_ADMIN, api_bootstrap_run, NULL },
	{ "POST", "/admin/reset-demo",
	    API_AUTH_ADMIN, api_bootstrap_reset_demo, NULL },
	{ NULL, NULL, 0, NULL, NULL }
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
api_route_find(const struct api_route *table, const char *method,
    const char *url, struct api_route_match *m)
{
	const struct api_route *rt;

	m->route = NULL;
	m->path_known = false;
	for (rt = table; rt->method != NULL; rt++) {
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

	rt = api_route_find(api_routes, method, r->path, m);
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

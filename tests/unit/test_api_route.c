/*
 * Unit tests for daemon/api/api_route.c: "{}" captures, paths as clients
 * send them (an encoded "/", %2F, stays in its segment; an encoded NUL
 * matches nothing), and 405 against 404, on a small table and on the
 * API's own one, api_routes[].
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "api/api_route.h"
#include "unit.h"

/* A handler for the test table; never called. */
static enum MHD_Result
test_fn(struct MHD_Connection *c, struct api_request *r)
{
	(void)c;
	(void)r;
	return MHD_NO;
}

static const struct api_route test_routes[] = {
	{ "GET", "/", API_AUTH_NONE, test_fn, NULL },
	{ "GET", "/items", API_AUTH_READ, test_fn, NULL },
	{ "POST", "/items/new", API_AUTH_WRITE, test_fn, NULL },
	{ "GET", "/items/{}", API_AUTH_READ, test_fn, NULL },
	{ "DELETE", "/items/{}", API_AUTH_WRITE, test_fn, NULL },
	{ "GET", "/items/{}/tags/{}", API_AUTH_READ, test_fn, NULL },
	{ NULL, NULL, 0, NULL, NULL }
};

/* One lookup and what it should find: pattern NULL for none. */
struct test_row {
	const char	*method;
	const char	*url;		/* as a client sends it (encoded) */
	const char	*pattern;	/* the route found, or NULL */
	int		 status;	/* with none: 404 or 405 */
	const char	*args[API_ROUTE_MAX_ARGS];
};

/*
 * Routes each row's url as sent (the API routes the path before it is
 * decoded) and checks the route, the status and the captures.
 */
static void
test_rows(const struct api_route *table, const struct test_row *rows,
    size_t n)
{
	struct api_route_match m;
	const struct api_route *rt;
	size_t i, k;

	for (i = 0; i < n; i++) {
		rt = api_route_find(table, rows[i].method, rows[i].url, &m);
		if (rows[i].pattern == NULL) {
			assert_null(rt);
			assert_int_equal(m.path_known ? 405 : 404,
			    rows[i].status);
			continue;
		}
		assert_non_null(rt);
		assert_ptr_equal(rt, m.route);
		assert_string_equal(rt->method, rows[i].method);
		assert_string_equal(rt->pattern, rows[i].pattern);
		for (k = 0; k < API_ROUTE_MAX_ARGS && rows[i].args[k]; k++) {
			assert_true(k < m.nargs);
			assert_string_equal(m.args[k], rows[i].args[k]);
		}
		assert_int_equal(m.nargs, k);
	}
}

UNIT_TEST(test_captures)
{
	static const struct test_row rows[] = {
		{ "GET", "/", "/", 0, { NULL } },
		{ "GET", "/items", "/items", 0, { NULL } },
		{ "GET", "/items/42", "/items/{}", 0, { "42" } },
		{ "GET", "/items/a%20b", "/items/{}", 0, { "a b" } },
		{ "GET", "/items/7/tags/red", "/items/{}/tags/{}", 0,
		    { "7", "red" } },
		/* a fixed segment listed first wins over "{}" */
		{ "POST", "/items/new", "/items/new", 0, { NULL } },
		/* an encoded "/" stays in its segment */
		{ "GET", "/items/7%2Ftags%2Fred", "/items/{}", 0,
		    { "7/tags/red" } },
		{ "GET", "/items/a%2Fb", "/items/{}", 0, { "a/b" } },
		{ "GET", "/items/a%2fb/tags/x%2Fy", "/items/{}/tags/{}", 0,
		    { "a/b", "x/y" } },
		/* an encoded NUL, or a segment decoded to nothing, is none */
		{ "GET", "/items/a%00b", NULL, 404, { NULL } },
		{ "GET", "/items/%00", NULL, 404, { NULL } },
		/* "{}" never matches an empty segment */
		{ "GET", "/items/", NULL, 404, { NULL } },
		{ "GET", "/items//tags/red", NULL, 404, { NULL } },
		{ "GET", "/items/7/tags", NULL, 404, { NULL } },
		{ "GET", "/itemsx", NULL, 404, { NULL } },
		{ "GET", "", NULL, 404, { NULL } },
	};

	test_rows(test_routes, rows, sizeof(rows) / sizeof(rows[0]));
}

UNIT_TEST(test_long_segment)
{
	struct api_route_match m;
	char url[API_ROUTE_ARG_LEN + 16];

	/* the longest segment a capture holds, then one byte more */
	snprintf(url, sizeof(url), "/items/%0*d", API_ROUTE_ARG_LEN - 1, 0);
	assert_non_null(api_route_find(test_routes, "GET", url, &m));
	assert_int_equal(strlen(m.args[0]), API_ROUTE_ARG_LEN - 1);
	snprintf(url, sizeof(url), "/items/%0*d", API_ROUTE_ARG_LEN, 0);
	assert_null(api_route_find(test_routes, "GET", url, &m));
	assert_false(m.path_known);
}

UNIT_TEST(test_method)
{
	static const struct test_row rows[] = {
		{ "DELETE", "/items/9", "/items/{}", 0, { "9" } },
		{ "PUT", "/items/9", NULL, 405, { NULL } },
		{ "POST", "/items", NULL, 405, { NULL } },
		{ "GET", "/items/new", "/items/{}", 0, { "new" } },
		{ "DELETE", "/items/new", "/items/{}", 0, { "new" } },
		{ "PUT", "/items/new", NULL, 405, { NULL } },
		{ "POST", "/nothing", NULL, 404, { NULL } },
	};

	test_rows(test_routes, rows, sizeof(rows) / sizeof(rows[0]));
}

/* The API's own table, api_routes[]: the order that lets parts hold "/". */
UNIT_TEST(test_api_routes)
{
	static const struct test_row rows[] = {
		{ "GET", "/", "/", 0, { NULL } },
		{ "GET", "/health", "/health", 0, { NULL } },
		{ "DELETE", "/health", NULL, 405, { NULL } },
		{ "GET", "/nope", NULL, 404, { NULL } },
		{ "POST", "/projects/upload-and-process",
		    "/projects/upload-and-process", 0, { NULL } },
		{ "GET", "/projects/p1", "/projects/{}", 0, { "p1" } },
		{ "PUT", "/projects/p1", NULL, 405, { NULL } },
		{ "GET", "/projects/p1/events", "/projects/{}/events", 0,
		    { "p1" } },
		{ "GET", "/jobs/j1", "/jobs/{}", 0, { "j1" } },
		{ "GET", "/jobs/j1/retry", NULL, 405, { NULL } },
		{ "GET", "/knowledge/parts/LM358", "/knowledge/parts/{}", 0,
		    { "LM358" } },
		{ "GET", "/knowledge/parts/LM1117IMPX-3.3%2FNOPB",
		    "/knowledge/parts/{}", 0, { "LM1117IMPX-3.3/NOPB" } },
		{ "POST", "/knowledge/parts/ITK-SL%2FASH/ban",
		    "/knowledge/parts/{}/ban", 0, { "ITK-SL/ASH" } },
		{ "GET", "/knowledge/parts/X/alternates",
		    "/knowledge/parts/{}/alternates", 0, { "X" } },
		/* a part named "X/alternates" is that part, not X's list */
		{ "GET", "/knowledge/parts/X%2Falternates",
		    "/knowledge/parts/{}", 0, { "X/alternates" } },
		{ "GET", "/knowledge/parts/A%2FB/alternates",
		    "/knowledge/parts/{}/alternates", 0, { "A/B" } },
		/* a "/" sent as it is: two segments, one part */
		{ "GET", "/knowledge/parts/A/B/alternates",
		    "/knowledge/parts/{}/{}/alternates", 0, { "A", "B" } },
		{ "DELETE", "/knowledge/parts/A%2FB", NULL, 405, { NULL } },
		{ "GET", "/knowledge/parts/a/b/c/d", NULL, 404, { NULL } },
		{ "POST", "/knowledge/suppliers/s1/trust",
		    "/knowledge/suppliers/{}/trust", 0, { "s1" } },
		{ "GET", "/admin/api-keys", "/admin/api-keys", 0, { NULL } },
		{ "POST", "/v1/chat/completions", "/v1/chat/completions", 0,
		    { NULL } },
		{ "GET", "/v1/chat/completions", NULL, 405, { NULL } },
	};

	test_rows(api_routes, rows, sizeof(rows) / sizeof(rows[0]));
}

/*
 * Every route of the API declares who may call it: a project route's
 * first capture is the project, and reads of a project admit its token.
 */
UNIT_TEST(test_api_scopes)
{
	static const struct {
		const char		*method;
		const char		*pattern;
		enum api_auth_kind	 auth;
	} rows[] = {
		{ "GET", "/health", API_AUTH_NONE },
		{ "GET", "/projects", API_AUTH_READ },
		{ "POST", "/projects", API_AUTH_WRITE },
		{ "POST", "/projects/upload-and-process", API_AUTH_WRITE },
		{ "GET", "/projects/{}", API_AUTH_PROJECT_READ },
		{ "GET", "/projects/{}/trace", API_AUTH_PROJECT_READ },
		{ "GET", "/projects/{}/events", API_AUTH_PROJECT_READ },
		{ "DELETE", "/projects/{}", API_AUTH_PROJECT_WRITE },
		{ "POST", "/projects/{}/process", API_AUTH_WRITE },
		{ "GET", "/jobs/{}", API_AUTH_READ },
		{ "POST", "/jobs/{}/retry", API_AUTH_WRITE },
		{ "POST", "/knowledge/parts/{}/ban", API_AUTH_WRITE },
		{ "GET", "/knowledge/suppliers", API_AUTH_READ },
		{ "POST", "/admin/clients", API_AUTH_ADMIN },
	};
	const struct api_route *rt;
	size_t i, found = 0;

	for (rt = api_routes; rt->method != NULL; rt++) {
		/* a read changes nothing of the tenant's */
		if (rt->auth == API_AUTH_READ ||
		    rt->auth == API_AUTH_PROJECT_READ)
			assert_true(strcmp(rt->method, "GET") == 0 ||
			    strcmp(rt->pattern,
			    "/v1/chat/completions") == 0 ||
			    strcmp(rt->pattern, "/search/parts") == 0);
		if (rt->auth == API_AUTH_PROJECT_READ ||
		    rt->auth == API_AUTH_PROJECT_WRITE)
			assert_int_equal(strncmp(rt->pattern,
			    "/projects/{}", 12), 0);
		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			if (strcmp(rows[i].method, rt->method) == 0 &&
			    strcmp(rows[i].pattern, rt->pattern) == 0) {
				assert_int_equal(rt->auth,
				    rows[i].auth);
				found++;
			}
	}
	assert_int_equal(found, sizeof(rows) / sizeof(rows[0]));
}

/*
 * Fuzzes the API's routing: a request path as sent (routing decodes each
 * segment on its own) through api_route_find() on the API's own table,
 * and the MPN a part route makes of its captures. The input
 * is "METHOD PATH" ("GET /knowledge/parts/A%2FB"); without a blank, all
 * of it is the path of a GET.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api/api_knowledge.h"
#include "api/api_parts.h"
#include "api/api_route.h"
#include "fuzz.h"

/*
 * Puts the captures back into the pattern: it must give the path again,
 * decoded (url is).
 */
static void
fuzz_api_rebuild(const struct api_route_match *m, const char *url)
{
	struct buf b;
	const char *p;
	size_t k = 0;

	buf_init(&b);
	for (p = m->route->pattern; *p != '\0'; p++) {
		if (p[0] == '{' && p[1] == '}') {
			assert(k < m->nargs);
			buf_puts(&b, m->args[k++]);
			p++;
		} else
			buf_append(&b, p, 1);
	}
	assert(k == m->nargs);
	assert(strcmp(b.data ? b.data : "", url) == 0);
	buf_free(&b);
}

/* A part route's MPN, checked as the route checks it. */
static void
fuzz_api_mpn(const struct api_route_match *m)
{
	char mpn[2 * API_ROUTE_ARG_LEN];

	/* two captures of less than API_ROUTE_ARG_LEN always fit */
	assert(api_parts_mpn(m, mpn, sizeof(mpn)) == 0);
	assert(strlen(mpn) < sizeof(mpn));
	(void)api_knowledge_text_ok(mpn);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_route_match m;
	const struct api_route *rt;
	const char *method = "GET";
	char *in, *url, *sp, *decoded;
	size_t k;

	in = url = fuzz_str(data, size);
	if ((sp = strchr(in, ' ')) != NULL) {
		*sp = '\0';
		method = in;
		url = sp + 1;
	}
	rt = api_route_find(api_routes, method, url, &m);
	if (rt == NULL) {
		assert(m.route == NULL && m.nargs == 0);
		free(in);
		return 0;
	}
	assert(m.route == rt && m.path_known);
	assert(strcmp(rt->method, method) == 0);
	assert(m.nargs <= API_ROUTE_MAX_ARGS);
	/* a capture is one segment as sent: an encoded "/" stays in it */
	for (k = 0; k < m.nargs; k++) {
		assert(m.args[k][0] != '\0');
		assert(strlen(m.args[k]) < API_ROUTE_ARG_LEN);
	}
	decoded = strdup(url);
	assert(decoded != NULL);
	MHD_http_unescape(decoded);
	fuzz_api_rebuild(&m, decoded);
	free(decoded);
	if (strncmp(rt->pattern, "/knowledge/parts/{}", 19) == 0)
		fuzz_api_mpn(&m);
	free(in);
	return 0;
}

/*
 * Fuzzes redis_url_parse() on the input as a url, alone and behind each
 * scheme prefix (so the fuzzer reaches the forms' parsers), and checks
 * what an accepted url gives: strings terminated, ports and the database
 * in range, sentinels counted within the array.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "redis_url.h"

static void
fuzz_redis_url_one(const char *url)
{
	struct redis_url u;
	char err[256];
	size_t i;

	err[0] = '\0';
	if (redis_url_parse(url, &u, err, sizeof(err)) == -1) {
		assert(strncmp(err, "redis_url: ", 11) == 0);
		return;
	}
	assert(u.nnodes >= 1 && u.nnodes <= REDIS_URL_MAX_NODES);
	assert(u.db >= 0 && u.db <= 15);
	for (i = 0; i < u.nnodes; i++) {
		assert(memchr(u.node[i].host, '\0', sizeof(u.node[i].host)));
		assert(u.node[i].port >= 1 && u.node[i].port <= 65535);
	}
	assert(memchr(u.master, '\0', sizeof(u.master)) != NULL);
	assert(memchr(u.pass, '\0', sizeof(u.pass)) != NULL);
	assert(memchr(u.user, '\0', sizeof(u.user)) != NULL);
	assert(memchr(u.sentinel_pass, '\0', sizeof(u.sentinel_pass)));
	assert(memchr(u.sentinel_user, '\0', sizeof(u.sentinel_user)));
	if (u.kind == REDIS_URL_SENTINEL) {
		assert(u.master[0] != '\0');
		for (i = 0; i < u.nnodes; i++)
			assert(u.node[i].host[0] != '\0');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *schemes[] = { "redis-sentinel://", "redis://" };
	char *s = fuzz_str(data, size), *url;
	size_t i, n;

	fuzz_redis_url_one(s);
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		n = strlen(schemes[i]);
		url = xmalloc(n + strlen(s) + 1);
		memcpy(url, schemes[i], n);
		memcpy(url + n, s, strlen(s) + 1);
		fuzz_redis_url_one(url);
		free(url);
	}
	free(s);
	return 0;
}

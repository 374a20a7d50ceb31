/*
 * Tests for daemon/api/api_cache.c: a hit only at the version cached and
 * only under its own tenant, replacement, the bound in bytes with the
 * least recently used out first, and a document that outlives its
 * eviction while a reader holds it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_cache.h"
#include "unit.h"
#include "util.h"

#define C1	"0b9e3a4c-5d6e-4f70-8a1b-2c3d4e5f6a7b"
#define C2	"1c0f4b5d-6e7f-4081-9b2c-3d4e5f6a7b8c"
#define P1	"2d1a5c6e-7f80-4192-8c3d-4e5f6a7b8c9d"
#define P2	"3e2b6d7f-8091-42a3-9d4e-5f6a7b8c9d0e"
#define P3	"4f3c7e80-91a2-43b4-8e5f-6a7b8c9d0e1f"

/* Puts a document of n bytes of c and drops the caller's reference. */
static void
put(const char *client, const char *project, const char *version, char c,
    size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	api_cache_unref(api_cache_put(client, project, version, s, n));
}

/* The first byte of the cached document, or 0 on a miss. */
static char
first(const char *client, const char *project, const char *version)
{
	struct api_cache_doc *d;
	char c;

	if ((d = api_cache_get(client, project, version)) == NULL)
		return 0;
	c = api_cache_data(d)[0];
	api_cache_unref(d);
	return c;
}

UNIT_TEST(test_versions_and_tenants)
{
	size_t n, bytes;

	api_cache_init(1 << 20);
	assert_true(api_cache_enabled());
	put(C1, P1, "100 v1", 'a', 10);
	assert_int_equal(first(C1, P1, "100 v1"), 'a');
	/* another tenant's key never finds it */
	assert_int_equal(first(C2, P1, "100 v1"), 0);
	assert_int_equal(first(C1, P2, "100 v1"), 0);
	/* a new version is a miss, and the old entry goes */
	assert_int_equal(first(C1, P1, "101 v2"), 0);
	api_cache_stats(&n, &bytes);
	assert_int_equal(n, 0);
	assert_int_equal(bytes, 0);
	put(C1, P1, "101 v2", 'b', 10);
	put(C1, P1, "102 v3", 'c', 10);	/* replaces */
	api_cache_stats(&n, &bytes);
	assert_int_equal(n, 1);
	assert_int_equal(first(C1, P1, "102 v3"), 'c');
	api_cache_drop(C1, P1);
	assert_int_equal(first(C1, P1, "102 v3"), 0);
	api_cache_shutdown();
	assert_false(api_cache_enabled());
}

UNIT_TEST(test_bound)
{
	size_t n, bytes;

	/* room for two documents of 1000 bytes and their entries, not 3 */
	api_cache_init(2600);
	put(C1, P1, "1", 'a', 1000);
	put(C1, P2, "1", 'b', 1000);
	assert_int_equal(first(C1, P1, "1"), 'a');	/* P1 used last */
	put(C1, P3, "1", 'c', 1000);			/* P2 goes */
	assert_int_equal(first(C1, P2, "1"), 0);
	assert_int_equal(first(C1, P1, "1"), 'a');
	assert_int_equal(first(C1, P3, "1"), 'c');
	api_cache_stats(&n, &bytes);
	assert_int_equal(n, 2);
	assert_true(bytes <= 2600);
	/* a document over the bound is answered, never kept */
	put(C2, P1, "1", 'd', 5000);
	assert_int_equal(first(C2, P1, "1"), 0);
	api_cache_stats(&n, &bytes);
	assert_true(bytes <= 2600);
	api_cache_shutdown();
	/* a bound of 0 keeps nothing */
	api_cache_init(0);
	assert_false(api_cache_enabled());
	put(C1, P1, "1", 'a', 10);
	assert_int_equal(first(C1, P1, "1"), 0);
	api_cache_shutdown();
}

UNIT_TEST(test_held_past_eviction)
{
	struct api_cache_doc *d;
	size_t n, bytes;

	api_cache_init(1 << 20);
	put(C1, P1, "1", 'a', 100);
	d = api_cache_get(C1, P1, "1");
	assert_non_null(d);
	/* replaced and then dropped while a response still sends it */
	put(C1, P1, "2", 'b', 100);
	api_cache_drop(C1, P1);
	api_cache_shutdown();
	api_cache_stats(&n, &bytes);
	assert_int_equal(n, 0);
	assert_int_equal(api_cache_len(d), 100);
	assert_int_equal(api_cache_data(d)[99], 'a');
	api_cache_unref(d);		/* freed now (ASan would tell) */
	api_cache_unref(NULL);
}

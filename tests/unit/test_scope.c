/*
 * Tests for common/scope.c: parsing key and JWT scope lists, and the
 * route checks as a table of {scopes, need, route project, verdict}.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scope.h"
#include "unit.h"

#define P1	"0b9e3a4c-5d6e-4f70-8a1b-2c3d4e5f6a7b"
#define P2	"1c0f4b5d-6e7f-4081-9b2c-3d4e5f6a7b8c"

UNIT_TEST(test_parse)
{
	static const struct {
		const char *words;
		bool skip;
		const char *want;	/* joined by ","; NULL: refused */
	} rows[] = {
		{ "all", false, "all" },
		{ "read,all", false, "read,all" },
		{ " read  read ,read ", false, "read" },
		{ "project:" P1, false, "project:" P1 },
		{ "PROJECT:0B9E3A4C-5D6E-4F70-8A1B-2C3D4E5F6A7B", false,
		    "project:" P1 },
		{ "", false, "" },
		{ "admin", false, "admin" },
		{ "root", false, NULL },
		{ "project:", false, NULL },
		{ "project:" P1 "x", false, NULL },
		{ "openid profile read email", false, NULL },
		{ "openid profile read email", true, "read" },
		{ "openid profile", true, "" },
		{ "admin read", true, "read" },
		{ "a b c d e f g h i j k l all", true, "all" },
		{ "project:" P1 " project:" P2 " read all", true,
		    "project:" P1 ",project:" P2 ",read,all" },
	};
	struct scope_set set;
	char err[128], joined[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rc = scope_set_parse(&set, rows[i].words, rows[i].skip, err,
		    sizeof(err));
		if (rows[i].want == NULL) {
			if (rc != -1)
				fail_msg("'%s' accepted", rows[i].words);
			continue;
		}
		if (rc != 0)
			fail_msg("'%s': %s", rows[i].words, err);
		assert_int_equal(scope_set_join(&set, ",", joined,
		    sizeof(joined)), 0);
		assert_string_equal(joined, rows[i].want);
	}
	assert_int_equal(scope_set_parse(&set, "project:" P1 " project:" P2
	    " read all project:00000000-0000-4000-8000-000000000000 "
	    "project:00000000-0000-4000-8000-000000000001 "
	    "project:00000000-0000-4000-8000-000000000002 "
	    "project:00000000-0000-4000-8000-000000000003 "
	    "project:00000000-0000-4000-8000-000000000004", false, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "more than"));
	assert_int_equal(scope_set_parse(&set, "read all", false, err,
	    sizeof(err)), 0);
	assert_int_equal(scope_set_join(&set, ",", joined, 8), -1);
}

UNIT_TEST(test_check)
{
	static const struct {
		const char *scopes;
		enum scope_need need;
		bool project_route;
		const char *project;
		enum scope_verdict want;
	} rows[] = {
		{ "all", SCOPE_NEED_WRITE, false, NULL, SCOPE_OK },
		{ "all", SCOPE_NEED_READ, true, P1, SCOPE_OK },
		{ "read", SCOPE_NEED_READ, false, NULL, SCOPE_OK },
		{ "read", SCOPE_NEED_READ, true, P2, SCOPE_OK },
		{ "read", SCOPE_NEED_WRITE, false, NULL, SCOPE_MISSING },
		{ "read", SCOPE_NEED_WRITE, true, P1, SCOPE_MISSING },
		{ "project:" P1, SCOPE_NEED_READ, true, P1, SCOPE_OK },
		{ "project:" P1, SCOPE_NEED_READ, true,
		    "0B9E3A4C-5D6E-4F70-8A1B-2C3D4E5F6A7B", SCOPE_OK },
		{ "project:" P1, SCOPE_NEED_WRITE, true, P1, SCOPE_OK },
		{ "project:" P1, SCOPE_NEED_READ, true, P2,
		    SCOPE_OTHER_PROJECT },
		{ "project:" P1, SCOPE_NEED_WRITE, true, P2,
		    SCOPE_OTHER_PROJECT },
		{ "project:" P1, SCOPE_NEED_READ, false, NULL, SCOPE_MISSING },
		{ "project:" P1, SCOPE_NEED_WRITE, false, P1, SCOPE_MISSING },
		{ "project:" P1 " read", SCOPE_NEED_READ, true, P2, SCOPE_OK },
		{ "project:" P1 " read", SCOPE_NEED_WRITE, true, P2,
		    SCOPE_MISSING },
		{ "project:" P1 " all", SCOPE_NEED_WRITE, true, P2, SCOPE_OK },
		{ "read project:" P1, SCOPE_NEED_WRITE, true, P2,
		    SCOPE_MISSING },
		{ "admin project:" P1, SCOPE_NEED_READ, true, P2,
		    SCOPE_MISSING },
		{ "admin", SCOPE_NEED_READ, false, NULL, SCOPE_MISSING },
		{ "", SCOPE_NEED_READ, false, NULL, SCOPE_MISSING },
		{ "", SCOPE_NEED_READ, true, P1, SCOPE_MISSING },
	};
	struct scope_set set;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(scope_set_parse(&set, rows[i].scopes, false,
		    err, sizeof(err)), 0);
		if (scope_check(&set, rows[i].need, rows[i].project_route,
		    rows[i].project) != rows[i].want)
			fail_msg("row %zu: '%s'", i, rows[i].scopes);
	}
	assert_string_equal(scope_need_name(SCOPE_NEED_READ), "read");
	assert_string_equal(scope_need_name(SCOPE_NEED_WRITE), "all");
	assert_true(scope_valid("project:" P1));
	assert_false(scope_valid("project:" P1 " "));
}

UNIT_TEST(test_has)
{
	struct scope_set set;
	char err[128];

	assert_int_equal(scope_set_parse(&set, "READ project:" P1, false,
	    err, sizeof(err)), 0);
	assert_true(scope_set_has(&set, "read"));
	assert_true(scope_set_has(&set, "project:" P1));
	assert_false(scope_set_has(&set, "all"));
	assert_false(scope_set_has(&set, "READ"));
	assert_false(scope_set_has(&set, "project:" P2));
	set.n = 0;
	assert_false(scope_set_has(&set, "read"));
}

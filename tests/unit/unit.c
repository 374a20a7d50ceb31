/*
 * The one main() of the unit tests; see unit.h. Each test binary links one
 * test file, so the tests registered are that file's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "util.h"

struct unit_test {
	int			 line;
	bool			 own;
	struct CMUnitTest	 test;
};

static struct unit_test	*unit_tests;
static size_t		 unit_ntests;
static const char	*unit_file;
static CMFixtureFunction unit_group_setup, unit_group_teardown;
static CMFixtureFunction unit_each_setup, unit_each_teardown;

void
unit_register(const char *file, int line, const char *name,
    CMUnitTestFunction fn, bool own, CMFixtureFunction setup,
    CMFixtureFunction teardown)
{
	struct unit_test *t;

	unit_tests = xrealloc(unit_tests,
	    (unit_ntests + 1) * sizeof(*unit_tests));
	t = &unit_tests[unit_ntests++];
	memset(t, 0, sizeof(*t));
	t->line = line;
	t->own = own;
	t->test.name = name;
	t->test.test_func = fn;
	t->test.setup_func = setup;
	t->test.teardown_func = teardown;
	unit_file = file;
}

void
unit_group(CMFixtureFunction setup, CMFixtureFunction teardown)
{
	unit_group_setup = setup;
	unit_group_teardown = teardown;
}

void
unit_each(CMFixtureFunction setup, CMFixtureFunction teardown)
{
	unit_each_setup = setup;
	unit_each_teardown = teardown;
}

void
unit_check_number(const char *in, int rc, int want_rc, const char *why,
    int64_t v, int64_t want)
{
	if (rc != want_rc)
		fail_msg("'%s': rc %d (%s), want %d", in, rc,
		    why != NULL ? why : "", want_rc);
	if (rc == 0 && v != want)
		fail_msg("'%s': %lld, want %lld", in, (long long)v,
		    (long long)want);
}

void
unit_check_numbers(const struct unit_num *rows, size_t n,
    int (*parse)(const char *, int64_t *, const char **))
{
	const char *why;
	int64_t v;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		v = -1;
		why = NULL;
		rc = parse(rows[i].in, &v, &why);
		unit_check_number(rows[i].in, rc, rows[i].rc, why, v,
		    rows[i].want);
	}
}

/* Constructors run in no promised order: sort by the line defined at. */
static int
unit_cmp(const void *a, const void *b)
{
	const struct unit_test *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

int
main(void)
{
	struct CMUnitTest *tests;
	const char *base, *dot;
	char group[64];
	size_t i;
	int rc;

	if (unit_ntests == 0) {
		fprintf(stderr, "no unit tests registered\n");
		return 1;
	}
	/* tests/unit/test_bom.c: "bom" */
	base = strrchr(unit_file, '/');
	base = base == NULL ? unit_file : base + 1;
	if (strncmp(base, "test_", 5) == 0)
		base += 5;
	dot = strrchr(base, '.');
	snprintf(group, sizeof(group), "%.*s",
	    (int)(dot == NULL ? strlen(base) : (size_t)(dot - base)), base);

	qsort(unit_tests, unit_ntests, sizeof(*unit_tests), unit_cmp);
	tests = xcalloc(unit_ntests, sizeof(*tests));
	for (i = 0; i < unit_ntests; i++) {
		tests[i] = unit_tests[i].test;
		if (!unit_tests[i].own) {
			tests[i].setup_func = unit_each_setup;
			tests[i].teardown_func = unit_each_teardown;
		}
	}
	rc = _cmocka_run_group_tests(group, tests, unit_ntests,
	    unit_group_setup, unit_group_teardown);
	free(tests);
	free(unit_tests);
	return rc;
}

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

/*
 * Fails the test unless a parser's answer to in is return code want_rc
 * and, when that is 0, the value want: rc and v are what it gave, why its
 * reason (named on a failure; may be NULL).
 */
static void
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

/* The parser a case is run through: one of the three kinds. */
struct unit_parser {
	int	(*plain)(const char *, int64_t *, const char **);
	int	(*arg)(const char *, int, int64_t *, const char **);
	int	(*text)(const char *, int64_t *, char *, const char **);
};

/*
 * Runs in through p (with arg, or into a text that must come out as
 * want_text) and checks the answer is want_rc and, when 0, want.
 */
static void
unit_check_parse(const struct unit_parser *p, const char *in, int arg,
    int want_rc, int64_t want, const char *want_text)
{
	char text[UNIT_NUM_TEXT_MAX] = "(not set)";
	const char *why = NULL;
	int64_t v = -1;
	int rc;

	if (p->arg != NULL)
		rc = p->arg(in, arg, &v, &why);
	else if (p->text != NULL)
		rc = p->text(in, &v, text, &why);
	else
		rc = p->plain(in, &v, &why);
	unit_check_number(in, rc, want_rc, why, v, want);
	if (rc == -1 && why == NULL)
		fail_msg("'%s': refused without a reason", in);
	if (rc == 0 && want_text != NULL && strcmp(text, want_text) != 0)
		fail_msg("'%s': text '%s', want '%s'", in, text, want_text);
}

void
unit_check_numbers(const struct unit_num *rows, size_t n,
    int (*parse)(const char *, int64_t *, const char **))
{
	const struct unit_parser p = { .plain = parse };
	size_t i;

	for (i = 0; i < n; i++)
		unit_check_parse(&p, rows[i].in, 0, rows[i].rc, rows[i].want,
		    NULL);
}

void
unit_check_numbers_arg(const struct unit_num_arg *rows, size_t n,
    int (*parse)(const char *, int, int64_t *, const char **))
{
	const struct unit_parser p = { .arg = parse };
	size_t i;

	for (i = 0; i < n; i++)
		unit_check_parse(&p, rows[i].in, rows[i].arg, rows[i].rc,
		    rows[i].want, NULL);
}

void
unit_check_numbers_text(const struct unit_num_text *rows, size_t n,
    int (*parse)(const char *, int64_t *, char *, const char **))
{
	const struct unit_parser p = { .text = parse };
	size_t i;

	for (i = 0; i < n; i++)
		unit_check_parse(&p, rows[i].in, 0, rows[i].rc, rows[i].want,
		    rows[i].text);
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

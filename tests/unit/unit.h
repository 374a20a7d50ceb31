/*
 * Unit tests that register themselves. A test file defines each test with
 * UNIT_TEST(name) { ... } instead of listing it again in a main() of its
 * own; the one main() in unit.c runs the file's tests in the order they
 * stand, as one cmocka group named after the file (test_bom.c: "bom").
 * The test's parameter is "state", marked unused.
 */
#ifndef BOMD_UNIT_H
#define BOMD_UNIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/*
 * Called by the constructors the macros below define, before main(): the
 * test fn named name, defined at line of file, with its own setup and
 * teardown when own (else those of UNIT_EACH()).
 */
void	unit_register(const char *file, int line, const char *name,
	    CMUnitTestFunction fn, bool own, CMFixtureFunction setup,
	    CMFixtureFunction teardown);
/* The group's setup and teardown (UNIT_GROUP()). */
void	unit_group(CMFixtureFunction setup, CMFixtureFunction teardown);
/* The setup and teardown of every test without its own (UNIT_EACH()). */
void	unit_each(CMFixtureFunction setup, CMFixtureFunction teardown);

/*
 * Table rows of the shapes several files test: a text and the number (0 or
 * -1, true or false) it must give, or the text it must give (a result, an
 * error message).
 */
struct unit_str_int {
	const char	*in;
	int		 want;
};

struct unit_str_str {
	const char	*in;
	const char	*want;
};

/* A number parser's case: its return code, and the value when that is 0. */
struct unit_num {
	const char	*in;
	int		 rc;
	int64_t		 want;
};

/*
 * Runs the n cases of rows through parse: each must give its rc and, when
 * that is 0, its want; a parser that refuses must also say why.
 */
void	unit_check_numbers(const struct unit_num *rows, size_t n,
	    int (*parse)(const char *, int64_t *, const char **));

/* A case of a number parser that takes an int besides the text (a unit). */
struct unit_num_arg {
	const char	*in;
	int		 arg;
	int		 rc;
	int64_t		 want;
};

/* As unit_check_numbers(), passing each case's arg with its text. */
void	unit_check_numbers_arg(const struct unit_num_arg *rows, size_t n,
	    int (*parse)(const char *, int, int64_t *, const char **));

/*
 * A case of a number parser that also gives a short text (a currency
 * code): the text it must give when rc is 0.
 */
struct unit_num_text {
	const char	*in;
	int		 rc;
	int64_t		 want;
	const char	*text;
};

/* The most a parser run by unit_check_numbers_text() may write to text. */
#define UNIT_NUM_TEXT_MAX	16

/* As unit_check_numbers(), checking the text each case's parse gives. */
void	unit_check_numbers_text(const struct unit_num_text *rows, size_t n,
	    int (*parse)(const char *, int64_t *, char *, const char **));

#define UNIT_DEFINE(name, own, setup, teardown)				\
	static void name(void **);					\
	static void __attribute__((constructor))			\
	name##_register(void)						\
	{								\
		unit_register(__FILE__, __LINE__, #name, name, own,	\
		    setup, teardown);					\
	}								\
	static void name(void **state __attribute__((unused)))

/* A test: UNIT_TEST(test_x) { ... }. */
#define UNIT_TEST(name)		UNIT_DEFINE(name, false, NULL, NULL)
/* A test with its own setup and teardown (either may be NULL). */
#define UNIT_TEST_WITH(name, setup, teardown)				\
	UNIT_DEFINE(name, true, setup, teardown)

/* Runs setup before the file's first test and teardown after its last. */
#define UNIT_GROUP(setup, teardown)					\
	static void __attribute__((constructor))			\
	unit_group_register(void)					\
	{								\
		unit_group(setup, teardown);				\
	}

/* Runs setup and teardown around each test without its own. */
#define UNIT_EACH(setup, teardown)					\
	static void __attribute__((constructor))			\
	unit_each_register(void)					\
	{								\
		unit_each(setup, teardown);				\
	}

#endif

/*
 * Unit tests for the master's restart policy (daemon/master.c): the
 * backoff of a child that keeps dying, crash-storm damping, role names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "master.h"
#include "unit.h"

UNIT_TEST(test_backoff)
{
	static const struct {
		int	 failures;	/* before the death */
		int64_t	 ran_ms;
		int64_t	 delay;
		int	 after;
	} rows[] = {
		{ 0, 0, 0, 1 },			/* the first death: at once */
		{ 1, 50, 200, 2 },
		{ 2, 50, 400, 3 },
		{ 5, 9999, 3200, 6 },
		{ 7, 0, 12800, 8 },
		{ 8, 0, 25600, 9 },
		{ 9, 0, 25600, 10 },		/* the doubling stops */
		{ 1000, 0, 25600, 1001 },
		{ 5, MASTER_STABLE_MS, 0, 1 },	/* ran a while: at once */
		{ 1000, 3600000, 0, 1 },
	};
	size_t i;
	int failures;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		failures = rows[i].failures;
		assert_int_equal(master_backoff(&failures, rows[i].ran_ms),
		    rows[i].delay);
		assert_int_equal(failures, rows[i].after);
	}
}

/* A child that dies at once, again and again: delays grow, then stay. */
UNIT_TEST(test_backoff_sequence)
{
	static const int64_t want[] = {
		0, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 25600, 25600
	};
	size_t i;
	int failures = 0;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int64_t d = master_backoff(&failures, 10);

		assert_int_equal(d, want[i]);
		assert_true(d <= MASTER_BACKOFF_MAX_MS);
	}
	/* one long run forgives the history */
	assert_int_equal(master_backoff(&failures, MASTER_STABLE_MS + 1), 0);
	assert_int_equal(master_backoff(&failures, 10), 200);
}

UNIT_TEST(test_storm_limit)
{
	static const struct {
		int	nchildren;
		size_t	limit;
	} rows[] = {
		{ 0, MASTER_STORM_DEATHS },
		{ 1, MASTER_STORM_DEATHS + 2 },
		{ 3, MASTER_STORM_DEATHS + 6 },
		{ 27, MASTER_STORM_HIST },
		{ 257, MASTER_STORM_HIST },	/* capped by the history */
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(master_storm_limit(rows[i].nchildren),
		    rows[i].limit);
}

/*
 * ndeaths deaths, spacing ms apart: is the last one a storm? Only the
 * last answer is checked, and every earlier death below the limit must
 * not be one.
 */
UNIT_TEST(test_storm_record)
{
	static const struct {
		int	nchildren;
		int	ndeaths;
		int64_t	spacing;
		bool	storm;
	} rows[] = {
		{ 3, 15, 100, false },	/* one below the limit of 16 */
		{ 3, 16, 100, true },
		{ 3, 16, 3999, true },	/* 16 within 59.985 s */
		{ 3, 16, 4000, false },	/* 16 over exactly the window */
		{ 3, 40, 4000, false },	/* steady, slow deaths never storm */
		{ 0, 10, 0, true },
		{ 256, 63, 0, false },	/* the limit is the history size */
		{ 256, 64, 0, true },
		{ 256, 500, 10, true },	/* the history wraps */
	};
	struct master_storm s;
	size_t i;
	int64_t now;
	int n;
	bool storm;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&s, 0, sizeof(s));
		now = 1000000;
		storm = false;
		for (n = 1; n <= rows[i].ndeaths; n++) {
			storm = master_storm_record(&s, now, rows[i].nchildren);
			if ((size_t)n < master_storm_limit(rows[i].nchildren))
				assert_false(storm);
			now += rows[i].spacing;
		}
		assert_int_equal(storm, rows[i].storm);
		assert_true(s.ndeaths <= MASTER_STORM_HIST);
	}
}

/* A storm ends once the window has passed without enough deaths. */
UNIT_TEST(test_storm_ends)
{
	struct master_storm s;
	int64_t now = 5000;
	int n;

	memset(&s, 0, sizeof(s));
	for (n = 0; n < 20; n++)
		(void)master_storm_record(&s, now += 10, 1);
	assert_true(master_storm_record(&s, now += 10, 1));
	now += MASTER_STORM_WINDOW_MS;
	assert_false(master_storm_record(&s, now, 1));
	assert_false(master_storm_record(&s, now + 10, 1));
}

UNIT_TEST(test_roles)
{
	static const char *names[] = { "all", "api", "worker" };
	enum master_role role;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(master_role_parse(names[i], &role), 0);
		assert_string_equal(master_role_name(role), names[i]);
	}
	assert_int_equal(master_role_parse("workers", &role), -1);
	assert_int_equal(master_role_parse("", &role), -1);
	assert_int_equal(master_role_parse("API", &role), -1);
}

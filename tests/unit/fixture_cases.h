/*
 * Test cases kept as JSON under tests/fixtures/cases/: each file is an
 * array of objects, one a case, with named members where a C initializer
 * would have had positional fields.
 */
#ifndef BOMD_FIXTURE_CASES_H
#define BOMD_FIXTURE_CASES_H

#include <stddef.h>

#include <jansson.h>

/*
 * The cases of tests/fixtures/cases/name.json. Fails the test unless the
 * file parses as a non-empty array of objects. A string may hold \u0000:
 * unpack it with "s%" for its length. Caller decrefs.
 */
json_t	*fixture_cases(const char *name);

/*
 * Unpacks case i of cases with jansson's json_unpack() format fmt, strictly:
 * a member missing from the case, one the format does not name, or one of
 * the wrong type fails the test with "case i" and jansson's reason (not the
 * file's name, which cases does not keep).
 */
void	 fixture_case_unpack(const json_t *cases, size_t i, const char *fmt,
	    ...);

#endif

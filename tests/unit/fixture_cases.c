/*
 * Reads test cases kept as JSON; see fixture_cases.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fixture_cases.h"
#include "fixture_file.h"

json_t *
fixture_cases(const char *name)
{
	char file[256];
	json_error_t err;
	json_t *cases;
	size_t i, len;
	char *text;

	snprintf(file, sizeof(file), "%s.json", name);
	text = fixture_file("cases", file, &len);
	cases = json_loadb(text, len, JSON_ALLOW_NUL, &err);
	free(text);
	if (cases == NULL)
		fail_msg("cases/%s: line %d: %s", file, err.line, err.text);
	if (!json_is_array(cases) || json_array_size(cases) == 0)
		fail_msg("cases/%s: not a non-empty array", file);
	for (i = 0; i < json_array_size(cases); i++)
		if (!json_is_object(json_array_get(cases, i)))
			fail_msg("cases/%s: case %zu is not an object", file, i);
	return cases;
}

void
fixture_case_unpack(const json_t *cases, size_t i, const char *fmt, ...)
{
	json_error_t err;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = json_vunpack_ex(json_array_get(cases, i), &err, JSON_STRICT,
	    fmt, ap);
	va_end(ap);
	if (rc == -1)
		fail_msg("case %zu: %s", i, err.text);
}

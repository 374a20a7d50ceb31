/*
 * The BOM tests' parse helpers; see fixture_bom.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture_bom.h"
#include "util.h"

struct bom *
fixture_bom(const char *s, char *err, size_t errlen)
{
	return bom_parse(s, strlen(s), NULL, err, errlen);
}

struct bom *
fixture_bom_lim(const char *s, const struct bom_limits *lim, char *err,
    size_t errlen)
{
	return bom_parse(s, strlen(s), lim, err, errlen);
}

struct bom *
fixture_bom_ok(const char *s, const struct bom_limits *lim)
{
	struct bom *bom;
	char err[512];

	if ((bom = fixture_bom_lim(s, lim, err, sizeof(err))) == NULL)
		fail_msg("'%s': refused: %s", s, err);
	return bom;
}

void
fixture_bom_refused(const char *s, const struct bom_limits *lim,
    const char *want)
{
	struct bom *bom;
	char err[512];

	if ((bom = fixture_bom_lim(s, lim, err, sizeof(err))) != NULL) {
		bom_free(bom);
		fail_msg("'%s': parsed, want refused with '%s'", s, want);
	}
	if (strcmp(err, want) != 0)
		fail_msg("'%s': refused with '%s', want '%s'", s, err, want);
}

void
fixture_bom_warning(const struct bom *bom, const char *name, const char *w,
    bool want)
{
	size_t i;

	for (i = 0; i < bom->nwarnings; i++)
		if (strcmp(bom->warnings[i], w) == 0)
			break;
	if (want && i == bom->nwarnings)
		fail_msg("%s: missing warning '%s'", name, w);
	if (!want && i < bom->nwarnings)
		fail_msg("%s: unexpected warning '%s'", name, w);
}

/*
 * fixture_bom_ok() (must) or fixture_bom() of the text fmt and ap make,
 * with the default limits.
 */
static struct bom *
fixture_bom_vf(bool must, char *err, size_t errlen, const char *fmt,
    va_list ap)
{
	struct bom *bom;
	va_list ap2;
	char *s;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	bom = must ? fixture_bom_ok(s, NULL) : fixture_bom(s, err, errlen);
	free(s);
	return bom;
}

struct bom *
fixture_bomf(char *err, size_t errlen, const char *fmt, ...)
{
	struct bom *bom;
	va_list ap;

	va_start(ap, fmt);
	bom = fixture_bom_vf(false, err, errlen, fmt, ap);
	va_end(ap);
	return bom;
}

struct bom *
fixture_bomf_ok(const char *fmt, ...)
{
	struct bom *bom;
	va_list ap;

	va_start(ap, fmt);
	bom = fixture_bom_vf(true, NULL, 0, fmt, ap);
	va_end(ap);
	return bom;
}

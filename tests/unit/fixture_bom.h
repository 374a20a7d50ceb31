/*
 * BOM text parsed for the unit tests that read BOMs (test_bom, test_csv):
 * from a string, with limits, or from a printf-style format; a text that
 * must be accepted, or refused for a reason; and a warning a BOM must have,
 * or not.
 */
#ifndef BOMD_FIXTURE_BOM_H
#define BOMD_FIXTURE_BOM_H

#include <stdbool.h>
#include <stddef.h>

#include "bom.h"

/*
 * bom_parse() of the NUL-terminated s with the default limits: NULL with
 * the reason in err when refused. Caller frees with bom_free().
 */
struct bom	*fixture_bom(const char *s, char *err, size_t errlen);
/* As fixture_bom(), with the limits lim. */
struct bom	*fixture_bom_lim(const char *s, const struct bom_limits *lim,
		    char *err, size_t errlen);
/*
 * bom_parse() of the NUL-terminated s with the limits lim (NULL: the default
 * ones), which must accept it: else the test fails naming s and the reason.
 * Caller frees with bom_free().
 */
struct bom	*fixture_bom_ok(const char *s, const struct bom_limits *lim);
/* As fixture_bom_ok() with the default limits, of the text fmt makes. */
struct bom	*fixture_bomf_ok(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
/*
 * Fails the test unless bom_parse() of the NUL-terminated s with the limits
 * lim (NULL: the default ones) refuses it with the reason want.
 */
void		 fixture_bom_refused(const char *s,
		    const struct bom_limits *lim, const char *want);
/*
 * Fails the test unless bom has the warning w (want true) or has it not
 * (want false), naming the case name.
 */
void		 fixture_bom_warning(const struct bom *bom, const char *name,
		    const char *w, bool want);
/* As fixture_bom(), of the text fmt and its arguments make. */
struct bom	*fixture_bomf(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

#endif

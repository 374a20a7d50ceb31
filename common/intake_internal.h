/*
 * What intake.c shares with intake_yaml.c and intake_view.c: the sections
 * of a context and the quoting of user-supplied keys in messages.
 */
#ifndef BOMD_INTAKE_INTERNAL_H
#define BOMD_INTAKE_INTERNAL_H

#include <stddef.h>

#define INTAKE_QUOTE_MAX	64	/* bytes of a key quoted in a message */

/* The top-level keys of a context, in the order they are written. */
#define INTAKE_NSECTIONS	5
extern const char *const intake_sections[INTAKE_NSECTIONS];

/*
 * Copies a user-supplied key s[0..len) into out for a message: at most
 * INTAKE_QUOTE_MAX bytes, cut on a UTF-8 boundary, control characters as
 * '?'. outlen must be at least 1.
 */
void	intake_quote(const char *s, size_t len, char *out, size_t outlen);

#endif

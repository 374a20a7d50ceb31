/*
 * What intake.c shares with intake_yaml.c, intake_view.c and
 * intake_sheet.c: the sections of a context, the quoting of user-supplied
 * keys in messages, and the normalising state and list reader.
 */
#ifndef BOMD_INTAKE_INTERNAL_H
#define BOMD_INTAKE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define INTAKE_QUOTE_MAX	64	/* bytes of a key quoted in a message */
#define INTAKE_MAX_CKEY		64	/* bytes in a compliance key */

/* The top-level keys of a context, in the order they are written. */
#define INTAKE_NSECTIONS	5
extern const char *const intake_sections[INTAKE_NSECTIONS];

/*
 * Copies a user-supplied key s[0..len) into out for a message: at most
 * INTAKE_QUOTE_MAX bytes, cut on a UTF-8 boundary, control characters as
 * '?'. outlen must be at least 1.
 */
void	intake_quote(const char *s, size_t len, char *out, size_t outlen);

/* One normalising run: how fields are named, its warnings, its error. */
struct intake_norm {
	bool	 form;		/* name fields by their form name */
	json_t	*warnings;	/* NULL: do not collect */
	char	*err;
	size_t	 errlen;
};

/* True for a value that counts as "not given": absent, null or blank. */
bool	intake_absent(const json_t *v);
/* Trimmed view of a JSON string; -1 when it holds a NUL byte. */
int	intake_trim(const json_t *v, const char **s, size_t *len);
/*
 * A list of strings (a string is taken as a comma-separated list): a new
 * array, or NULL with n's error naming fname.
 */
json_t	*intake_norm_list(struct intake_norm *n, const char *fname,
	    const json_t *v);

/*
 * intake_sheet.c: the original service's structured fields. Each returns
 * a new reference, or NULL (-1) with n's error naming fname.
 */
/* One of words (NULL-terminated) in any case, as that word; null if absent. */
json_t	*intake_sheet_word(struct intake_norm *n, const char *fname,
	    const json_t *v, const char *const *words);
/*
 * avoid_parts: MPNs, or objects {mpn, reason} among them. The MPNs go to
 * *out, the reasons to *reasons {mpn: reason}, which keeps those of prev
 * (the avoid_reasons of a context read again) for MPNs given without one.
 * 0, or -1 with nothing set.
 */
int	intake_sheet_avoid(struct intake_norm *n, const char *fname,
	    const json_t *v, const json_t *prev, json_t **out,
	    json_t **reasons);
/*
 * preferred_manufacturers: a mapping of categories to lists of makers,
 * always {capacitors, resistors, mcu, connectors, other: {category:
 * list}}; a category not among the first four goes under other.
 */
json_t	*intake_sheet_makers(struct intake_norm *n, const char *fname,
	    const json_t *v);

#endif

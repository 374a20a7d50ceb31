/*
 * What intake.c shares with intake_yaml.c, intake_view.c and
 * intake_sheet.c: the sections of a context, the quoting of user-supplied
 * keys in messages, and the normalising state and list reader.
 */
#ifndef BOMD_INTAKE_INTERNAL_H
#define BOMD_INTAKE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* How a field of the intake table is read (intake.c's table). */
enum intake_type {
	INTAKE_STR,
	INTAKE_INT,
	INTAKE_BOOL,
	INTAKE_DATE,
	INTAKE_MONEY,
	INTAKE_LIST,
	INTAKE_WORD,		/* one of words, any case, stored lower case */
	INTAKE_AVOID,		/* MPNs, or {mpn, reason}: avoid_parts */
	INTAKE_MAKERS		/* preferred_manufacturers by category */
};

struct intake_field {
	const char		*section;
	const char		*key;
	const char		*form;	/* form field name; NULL: none */
	enum intake_type	 type;
	int64_t			 min;	/* INT: lowest value */
	int64_t			 max;	/* INT: highest value; STR: bytes */
	int64_t			 def;	/* INT, BOOL: default; -1 = null */
	const char *const	*words;	/* WORD: the values allowed */
	const char		*alias;	/* an older form name, or NULL */
};

/*
 * intake_values.c: one field's value, normalised; fname names the field in
 * n's error. Strings and dates are new references or NULL; the others
 * return 0 or -1.
 */
json_t	*intake_norm_str(struct intake_norm *n, const char *fname,
	    const json_t *v, size_t max);
int	 intake_norm_int(struct intake_norm *n, const char *fname,
	    const json_t *v, const struct intake_field *f, int64_t *out,
	    bool *null);
int	 intake_norm_bool(struct intake_norm *n, const char *fname,
	    const json_t *v, bool def, bool *out);
json_t	*intake_norm_date(struct intake_norm *n, const char *fname,
	    const json_t *v);
int	 intake_norm_money(struct intake_norm *n, const char *fname,
	    const json_t *v, int64_t *micros);
/* True when v is the amount normalising wrote for micros. */
bool	 intake_money_written(const json_t *v, int64_t micros);
int	 intake_list_add(struct intake_norm *n, const char *fname,
	    json_t *out, const char *s, size_t len);

#endif

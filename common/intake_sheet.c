/*
 * The structured fields of the original service's intake sheet: a word of
 * a fixed set (product_type), avoid_parts given as {mpn, reason} objects,
 * and preferred_manufacturers by category; see intake_internal.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "intake.h"
#include "intake_internal.h"
#include "util.h"

/* The categories of preferred_manufacturers; others go under "other". */
static const char *const intake_sheet_categories[] = {
	"capacitors", "resistors", "mcu", "connectors", NULL
};

json_t *
intake_sheet_word(struct intake_norm *n, const char *fname, const json_t *v,
    const char *const *words)
{
	char list[256];
	const char *s;
	size_t len, i, at = 0;

	if (intake_absent(v))
		return json_null();
	if (json_is_string(v) && intake_trim(v, &s, &len) == 0)
		for (i = 0; words[i] != NULL; i++)
			if (strlen(words[i]) == len &&
			    strncasecmp(s, words[i], len) == 0)
				return json_string(words[i]);
	list[0] = '\0';
	for (i = 0; words[i] != NULL && at < sizeof(list); i++)
		at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s",
		    i > 0 ? ", " : "", words[i]);
	err_printf(n->err, n->errlen, "%s: expected one of %s", fname,
	    list);
	return NULL;
}

int
intake_sheet_avoid(struct intake_norm *n, const char *fname, const json_t *v,
    const json_t *prev, json_t **out, json_t **reasons)
{
	const json_t *item, *mpn, *why, *old;
	json_t *plain = NULL, *r;
	const char *s, *ws;
	size_t i, len, wlen;

	*out = *reasons = NULL;
	r = json_object();
	if (json_is_array(v)) {
		plain = json_array();
		json_array_foreach(v, i, item) {
			if (!json_is_object(item)) {
				json_array_append(plain, (json_t *)item);
				continue;
			}
			mpn = json_object_get(item, "mpn");
			why = json_object_get(item, "reason");
			if (!json_is_string(mpn) ||
			    intake_trim(mpn, &s, &len) == -1 || len == 0 ||
			    (why != NULL && !json_is_null(why) &&
			    (!json_is_string(why) ||
			    intake_trim(why, &ws, &wlen) == -1 ||
			    wlen > INTAKE_MAX_REASON))) {
				err_printf(n->err, n->errlen, "%s: item %zu: "
				    "expected an MPN or {mpn, reason} with a "
				    "reason of at most %d bytes", fname, i + 1,
				    INTAKE_MAX_REASON);
				goto fail;
			}
			json_array_append_new(plain, json_stringn(s, len));
			if (json_is_string(why) && wlen > 0 &&
			    len <= INTAKE_MAX_ITEM)
				json_object_setn_new(r, s, len,
				    json_stringn(ws, wlen));
		}
		v = plain;
	}
	if ((*out = intake_norm_list(n, fname, v)) == NULL)
		goto fail;
	json_array_foreach(*out, i, item) {
		s = json_string_value(item);
		old = json_object_get(prev, s);
		if (json_object_get(r, s) == NULL && json_is_string(old))
			json_object_set(r, s, (json_t *)old);
	}
	json_decref(plain);
	*reasons = r;
	return 0;
fail:
	json_decref(plain);
	json_decref(r);
	return -1;
}

/*
 * Adds category key with its list val to the object to (the categories,
 * or their "other"), at most INTAKE_MAX_COMPLIANCE there. 0 or -1.
 */
static int
intake_sheet_add(struct intake_norm *n, const char *fname, json_t *to,
    const char *key, const json_t *val)
{
	char q[INTAKE_QUOTE_MAX + 1], cname[2 * INTAKE_QUOTE_MAX + 64];
	json_t *list;

	intake_quote(key, strlen(key), q, sizeof(q));
	if (strlen(key) > INTAKE_MAX_CKEY ||
	    json_object_size(to) >= INTAKE_MAX_COMPLIANCE) {
		err_printf(n->err, n->errlen, "%s: at most %d categories "
		    "of at most %d bytes", fname, INTAKE_MAX_COMPLIANCE,
		    INTAKE_MAX_CKEY);
		return -1;
	}
	snprintf(cname, sizeof(cname), "%s.%s", fname, q);
	if ((list = intake_norm_list(n, cname, val)) == NULL)
		return -1;
	json_object_set_new(to, key, list);
	return 0;
}

json_t *
intake_sheet_makers(struct intake_norm *n, const char *fname, const json_t *v)
{
	const char *key, *k2;
	const json_t *val, *v2;
	json_t *out, *other;
	size_t i;

	out = json_object();
	for (i = 0; intake_sheet_categories[i] != NULL; i++)
		json_object_set_new(out, intake_sheet_categories[i],
		    json_array());
	other = json_object();
	json_object_set_new(out, "other", other);
	if (v == NULL || json_is_null(v))
		return out;
	if (!json_is_object(v)) {
		err_printf(n->err, n->errlen, "%s: expected a mapping of "
		    "categories to lists of manufacturers", fname);
		goto fail;
	}
	json_object_foreach((json_t *)v, key, val) {
		/* "other" holds categories of its own, one level down */
		if (strcmp(key, "other") == 0 && json_is_object(val)) {
			json_object_foreach((json_t *)val, k2, v2) {
				if (intake_sheet_add(n, fname, other, k2, v2) ==
				    -1)
					goto fail;
			}
			continue;
		}
		for (i = 0; intake_sheet_categories[i] != NULL; i++)
			if (strcmp(key, intake_sheet_categories[i]) == 0)
				break;
		if (intake_sheet_add(n, fname, intake_sheet_categories[i] ?
		    out : other, key, val) == -1)
			goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/*
 * Offer lookups and decision questions for the unit tests; see
 * fixture_offers.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "fixture_offers.h"

void
fixture_offers_parse(const char *csv, size_t len, struct offer_list *l,
    const char *const *want, size_t nwant)
{
	char err[256];
	size_t i;

	if (offers_parse_csv(csv, len, l, err, sizeof(err)) != 0)
		fail_msg("offers: %s", err);
	for (i = 0; i < l->nerrors && i < nwant; i++)
		assert_string_equal(l->errors[i], want[i]);
	if (l->nerrors != nwant)
		fail_msg("offers: %zu row errors, want %zu (first: %s)",
		    l->nerrors, nwant, l->nerrors > 0 ? l->errors[0] : "none");
}

const struct offer *
fixture_offers_lookup(void *ctx, const char *mpn, size_t *n)
{
	const struct offer_list *l = ctx;
	size_t i, j;

	*n = 0;
	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i].mpn, mpn) == 0)
			break;
	for (j = i; j < l->n && strcasecmp(l->v[j].mpn, mpn) == 0; j++)
		;
	*n = j - i;
	return *n ? &l->v[i] : NULL;
}

bool
fixture_has_flag(const json_t *data, const char *flag)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(data, "flags"), i, v)
		if (strcmp(json_string_value(v), flag) == 0)
			return true;
	return false;
}

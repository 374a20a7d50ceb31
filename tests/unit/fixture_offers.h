/*
 * Offers for the unit tests that decide lines (test_agents, test_sourcing,
 * test_sourcing_checks): offers CSV parsed with the row errors expected, the
 * lookup sourcing_decide() calls over the list, and questions about the
 * decision it writes.
 */
#ifndef BOMD_FIXTURE_OFFERS_H
#define BOMD_FIXTURE_OFFERS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "offers.h"

/*
 * offers_parse_csv() of the len bytes of csv into l: it must succeed with
 * exactly the nwant row errors of want, in order (none: want NULL, nwant
 * 0). Caller frees l with offer_list_free().
 */
void	fixture_offers_parse(const char *csv, size_t len, struct offer_list *l,
	    const char *const *want, size_t nwant);

/*
 * An offers_lookup_fn over the struct offer_list ctx, whose offers for one
 * MPN stand together: the first of them (MPN compared without case), their
 * number in *n; NULL and 0 when there is none.
 */
const struct offer	*fixture_offers_lookup(void *ctx, const char *mpn,
			    size_t *n);

/* Whether the decision's output data lists flag among its "flags". */
bool	fixture_has_flag(const json_t *data, const char *flag);

#endif

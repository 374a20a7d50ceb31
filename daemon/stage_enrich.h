/*
 * The offer cache filled by the enrich stage: offers sorted by MPN and the
 * tenant's knowledge, all owned by the cache.
 */
#ifndef BOMD_STAGE_ENRICH_H
#define BOMD_STAGE_ENRICH_H

#include <stddef.h>

#include "offers.h"
#include "sourcing.h"

struct offer_cache {
	struct offer		*offers;	/* sorted by MPN, case-blind */
	size_t			 noffers;
	struct supplier_rule	*suppliers;
	size_t			 nsuppliers;
	struct banned_part	*banned;
	size_t			 nbanned;
	struct alternate	*alternates;
	size_t			 nalternates;
};

/* offers_lookup_fn over a cache (ctx): the borrowed offers of an MPN. */
const struct offer	*offer_cache_lookup(void *ctx, const char *mpn,
			    size_t *n);

#endif

/*
 * The enrich stage's view for one job: the worker's offers cache and the
 * job's tenant knowledge, both borrowed.
 */
#ifndef BOMD_STAGE_ENRICH_H
#define BOMD_STAGE_ENRICH_H

#include <stddef.h>

#include "cache.h"
#include "offers.h"
#include "sourcing.h"

struct offer_cache {
	const struct cache		*cat;
	const struct tenant_knowledge	*kn;
};

/* offers_lookup_fn over a view (ctx): the borrowed offers of an MPN. */
const struct offer	*offer_cache_lookup(void *ctx, const char *mpn,
			    size_t *n);

#endif

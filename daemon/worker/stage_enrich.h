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

/* A line's offers as the enrich stage found them in the cache. */
struct offer_cache_line {
	const char		*mpn;	/* the BOM line's own pointer */
	const struct offer	*o;
	size_t			 n;
	const char		*text;	/* cache_offers_basis()'s */
	size_t			 len;
	const char		*hash;
	const void		*key;
};

struct offer_cache {
	const struct cache		*cat;
	const struct tenant_knowledge	*kn;
	/*
	 * The job's lines, looked up once by stage_enrich_run() (valid until
	 * the next job's), or NULL; cur: the line being decided, whose MPN
	 * (that very pointer) offer_cache_lookup() answers without the cache.
	 */
	const struct offer_cache_line	*lines;
	size_t				 nlines;
	size_t				 cur;
};

/* offers_lookup_fn over a view (ctx): the borrowed offers of an MPN. */
const struct offer	*offer_cache_lookup(void *ctx, const char *mpn,
			    size_t *n);

#endif

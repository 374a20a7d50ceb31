/*
 * The worker's reference data, read from PostgreSQL once and kept: offers
 * by MPN (the catalog) and each tenant's knowledge (supplier trust, bans,
 * alternates). Both carry the version PostgreSQL bumps in the transaction
 * that changes them; one small read per batch compares the versions.
 */
#ifndef BOMD_WORKER_CACHE_H
#define BOMD_WORKER_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "offers.h"
#include "sourcing.h"
#include "util.h"

#define CACHE_MAX_MPNS		200000	/* catalog entries before a flush */
#define CACHE_MAX_TENANTS	1024	/* tenants before a flush */

/* One tenant's knowledge, owned by the cache. */
struct tenant_knowledge {
	char			 client_id[UUID_BUFSZ];
	int64_t			 version;	/* 0: not loaded */
	bool			 active;
	bool			 seen;		/* named by this batch's check */
	struct supplier_rule	*suppliers;
	size_t			 nsuppliers;
	struct banned_part	*banned;
	size_t			 nbanned;
	struct alternate	*alternates;
	size_t			 nalternates;
};

struct cache;

struct cache	*cache_new(void);
void		 cache_free(struct cache *c);
/*
 * Checks the catalog version and the named tenants' active flags and
 * knowledge versions in one round trip (the session's tenant must admit
 * them); a changed catalog is dropped, a changed tenant's knowledge is
 * reloaded. 0, or -1 on a database error.
 */
int		 cache_refresh(struct cache *c, PGconn *db,
		    const char *const *client_ids, size_t n);
/*
 * Drops the catalog cache when the catalog's version moved (after live
 * offers were stored). 0, or -1 on a database error.
 */
int		 cache_check_catalog(struct cache *c, PGconn *db);
/* The tenant's entry after cache_refresh() (NULL: no such client). */
const struct tenant_knowledge *cache_tenant(const struct cache *c,
		    const char *client_id);
/*
 * Makes sure every MPN in mpns is in the catalog cache, reading the
 * missing ones in one query (an MPN without offers is cached as such).
 * 0 or -1 on a database error.
 */
int		 cache_load_offers(struct cache *c, PGconn *db,
		    const char *const *mpns, size_t n);
/* The cached offers of an MPN (case-blind); *n is 0 when none. */
const struct offer *cache_offers(const struct cache *c, const char *mpn,
		    size_t *n);
/*
 * cache_offers() with the offers rendered as a basis stores them (kept
 * with the entry: rendered once), their hash (basis_hash()) and the
 * entry's identity in *key.
 */
const struct offer *cache_offers_basis(const struct cache *c,
		    const char *mpn, size_t *n, const char **text, size_t *len,
		    const char **hash, const void **key);
/* How many offers and MPNs the catalog cache holds (trace, metrics). */
size_t		 cache_nmpns(const struct cache *c);

#endif

/*
 * Live offers in PostgreSQL: which MPNs lack fresh offers from which
 * source (per-source TTL, offer_lookups), writing a fetch's offers into
 * the offers table with their source and fetched_at, and the one call
 * the enrich stage makes: provider_refresh().
 */
#ifndef BOMD_PROVIDER_STORE_H
#define BOMD_PROVIDER_STORE_H

#include <stddef.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "provider.h"

/*
 * Sets ask[i] to the configured sources whose answer for mpns[i] is
 * older than their ttl, or missing (0: every source is fresh). 0, or -1
 * on a database error (ask then names every configured source).
 */
int	provider_store_stale(PGconn *db, const struct provider_set *ps,
	    const char *const *mpns, size_t n, unsigned *ask);

/*
 * Writes every answered (PROVIDER_OK) MPN of b in one transaction: its
 * offers with a price are upserted with source and fetched_at, the
 * source's earlier offers for that MPN that it no longer lists are
 * deleted, and the lookup is recorded (offers found or not). Failed and
 * out-of-budget MPNs keep what the table has. Each statement bumps
 * catalog_version. Call outside a transaction. 0, or -1 on a database
 * error (rolled back, logged).
 */
int	provider_store_save(PGconn *db, const struct provider_batch *b);

/*
 * The enrich stage's entry point: for mpns (repeats and case variants
 * asked once), finds what is stale per source, fetches it from the live
 * sources (provider_fetch(): concurrent, within the shared budgets) and
 * writes the answers (provider_store_save()). The worker's catalog
 * version then moves, so its cache reloads the new offers. Returns 0
 * with *out (caller frees with provider_batch_free(); out->mpns holds
 * each distinct MPN once: provider_batch_find() maps an MPN to its row
 * for provider_batch_describe()), or -1 on a database error, with *out
 * still filled as far as it got. A source's failure is never -1: it is
 * in out->status and per MPN.
 */
int	provider_refresh(struct provider_set *ps, PGconn *db,
	    redisContext *redis, const char *const *mpns, size_t n,
	    struct provider_batch *out);

#endif

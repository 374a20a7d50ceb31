/*
 * bomd offers fetch: asks the live offer sources about one MPN the way
 * the enrich stage does (provider_refresh()) and prints what they did.
 */
#ifndef BOMD_OFFERS_FETCH_H
#define BOMD_OFFERS_FETCH_H

#include <libpq-fe.h>

struct config;

/*
 * Refreshes mpn from every configured source whose answer is stale,
 * stores the offers, and prints {"mpn", "sources": {NAME: {"status",
 * "reason"?, "offers", "calls"}}, "trace"} on stdout (a fresh source is
 * "skipped"). 0, or -1 after a line on stderr (database or Redis down).
 */
int	offers_fetch_mpn(PGconn *db, const struct config *cfg,
	    const char *mpn);

#endif

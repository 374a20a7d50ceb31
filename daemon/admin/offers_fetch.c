/*
 * bomd offers fetch MPN: one MPN through provider_refresh(), the entry
 * point the enrich stage calls, for operators warming the catalog and
 * for tests of the stale-fetch-store path.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "config.h"
#include "offers_fetch.h"
#include "provider.h"
#include "provider_store.h"
#include "queue.h"
#include "redis_conn.h"

int
offers_fetch_mpn(PGconn *db, const struct config *cfg, const char *mpn)
{
	struct provider_settings s;
	struct provider_set *ps;
	struct provider_batch b;
	redisContext *rc;
	json_t *out, *src, *one;
	struct buf trace;
	char err[256];
	int p, rv = -1;

	config_providers(cfg, &s);
	if ((ps = provider_set_new(&s)) == NULL) {
		fprintf(stderr, "bomd: offers fetch: cannot start curl\n");
		return -1;
	}
	if ((rc = redis_conn_open(cfg->redis_url, 3000, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "bomd: offers fetch: %s\n", err);
		provider_set_free(ps);
		return -1;
	}
	if (provider_refresh(ps, db, rc, &mpn, 1, &b) == -1)
		fprintf(stderr, "bomd: offers fetch: database error, nothing "
		    "stored\n");
	else
		rv = 0;
	src = json_object();
	for (p = 0; p < PROVIDER_COUNT; p++) {
		if (!(provider_set_configured(ps) & PROVIDER_BIT(p)))
			continue;
		one = json_pack("{s:s, s:I, s:i}", "status",
		    name_of(&provider_outcome_names, b.status[p].outcome),
		    "offers", (json_int_t)b.status[p].noffers, "calls",
		    (int)b.status[p].calls);
		if (b.status[p].reason[0] != '\0')
			json_object_set_new(one, "reason",
			    json_string(b.status[p].reason));
		json_object_set_new(src, name_of(&provider_id_names, p),
		    one);
	}
	buf_init(&trace);
	if (b.n > 0)
		provider_batch_describe(&b, 0, &trace);
	out = json_pack("{s:s, s:o, s:s}", "mpn", mpn, "sources", src,
	    "trace", trace.data != NULL ? trace.data : "");
	if (out != NULL) {
		json_dumpf(out, stdout, JSON_COMPACT);
		fputc('\n', stdout);
	}
	json_decref(out);
	buf_free(&trace);
	provider_batch_free(&b);
	redisFree(rc);
	provider_set_free(ps);
	return rv;
}

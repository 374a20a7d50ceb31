/*
 * Live offers in PostgreSQL: freshness per source (offer_lookups) and the
 * upsert of a fetch's answers into offers; see provider_store.h. When
 * Nexar resells an offer a distributor's own API also lists (same
 * supplier_id and SKU), the distributor's row wins.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "db.h"
#include "log.h"
#include "provider_store.h"

/* The rows of a batch as JSON for one statement each. */
struct provider_store_rows {
	json_t	*offers;	/* offers of answered MPNs */
	json_t	*lookups;	/* [{source, mpn, offers}] answered */
};

int
provider_store_stale(PGconn *db, const struct provider_set *ps,
    const char *const *mpns, size_t n, unsigned *ask)
{
	const struct provider_config *c;
	unsigned conf = provider_set_configured(ps);
	json_t *jm, *js;
	char *tm, *ts;
	const char *params[2];
	PGresult *r;
	int64_t k;
	size_t i;
	int p, rows, id;

	for (i = 0; i < n; i++)
		ask[i] = conf;
	if (n == 0 || conf == 0)
		return 0;
	jm = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(jm, json_string(mpns[i]));
	js = json_array();
	for (p = 0; p < PROVIDER_COUNT; p++) {
		if (!(conf & PROVIDER_BIT(p)))
			continue;
		c = provider_set_config(ps, (enum provider_id)p);
		json_array_append_new(js, json_pack("{s:s, s:I}", "source",
		    name_of(&provider_id_names, p), "ttl",
		    (json_int_t)c->ttl_s));
	}
	tm = json_dumps(jm, JSON_COMPACT);
	ts = json_dumps(js, JSON_COMPACT);
	json_decref(jm);
	json_decref(js);
	params[0] = tm;
	params[1] = ts;
	r = tm != NULL && ts != NULL ? db_query(db, "SELECT m.i - 1, "
	    "l.source FROM jsonb_array_elements_text($1::jsonb) WITH "
	    "ORDINALITY m(mpn, i) JOIN offer_lookups l ON l.mpn_key = "
	    "upper(m.mpn) JOIN jsonb_to_recordset($2::jsonb) s(source text, "
	    "ttl bigint) ON s.source = l.source WHERE l.fetched_at > now() - "
	    "s.ttl * interval '1 second'", 2, params, NULL, 0) : NULL;
	free(tm);
	free(ts);
	if (r == NULL)
		return -1;
	rows = PQntuples(r);
	for (p = 0; p < rows; p++)
		if (parse_i64(PQgetvalue(r, p, 0), 0, (int64_t)n - 1, &k,
		    NULL) == 0 && (id = name_index(&provider_id_names,
		    PQgetvalue(r, p, 1))) != -1)
			ask[k] &= ~PROVIDER_BIT(id);
	PQclear(r);
	return 0;
}

/* One offer as a row of the upsert. */
static json_t *
provider_store_offer(const struct offer *o)
{
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:I, s:I, s:I, "
	    "s:I, s:s, s:o, s:s, s:I, s:s, s:s, s:o, s:b}",
	    "supplier_id", o->supplier_id, "sku", o->sku, "mpn", o->mpn,
	    "manufacturer", o->manufacturer, "supplier_name",
	    o->supplier_name, "supplier_type", name_of(&supplier_type_names,
	    o->type),
	    "stock", (json_int_t)o->stock, "moq", (json_int_t)o->moq,
	    "order_multiple", (json_int_t)o->order_multiple,
	    "lead_time_days", (json_int_t)o->lead_time_days,
	    "currency", o->currency, "breaks", offer_breaks_json(o),
	    "source", o->source,
	    "fetched_at", (json_int_t)o->fetched_at, "packaging",
	    o->packaging, "lifecycle", name_of(&offer_lifecycle_names,
	    o->lifecycle),
	    "rohs", o->rohs == OFFER_ROHS_UNKNOWN ? json_null() :
	    json_boolean(o->rohs == OFFER_ROHS_YES), "lead_time_known",
	    !o->lead_unknown);
}

/* The answered MPNs of b as rows; false when there are none. */
static bool
provider_store_collect(const struct provider_batch *b,
    struct provider_store_rows *rows)
{
	const struct provider_offers *r;
	const struct offer *o;
	json_t *row;
	size_t i, k, nstored;
	int p;

	rows->offers = json_array();
	rows->lookups = json_array();
	for (p = 0; p < PROVIDER_COUNT; p++) {
		for (i = 0; b->res[p] != NULL && i < b->n; i++) {
			r = &b->res[p][i];
			if (r->outcome != PROVIDER_OK)
				continue;
			for (k = nstored = 0; k < r->n; k++) {
				o = &r->v[k];
				/* no price: nothing the flow can buy */
				if (o->nbreaks == 0 || o->currency[0] == '\0')
					continue;
				if ((row = provider_store_offer(o)) == NULL) {
					log_warnx("providers: %s offer %s "
					    "not storable (not UTF-8)",
					    name_of(&provider_id_names, p),
					    o->sku);
					continue;
				}
				json_array_append_new(rows->offers, row);
				nstored++;
			}
			row = json_pack("{s:s, s:s?, s:I}", "source",
			    name_of(&provider_id_names, p), "mpn",
			    b->mpns[i], "offers", (json_int_t)nstored);
			if (row != NULL)
				json_array_append_new(rows->lookups, row);
		}
	}
	return json_array_size(rows->lookups) > 0;
}

int
provider_store_save(PGconn *db, const struct provider_batch *b)
{
	struct provider_store_rows rows;
	const char *params[2];
	char *to = NULL, *tl = NULL;
	int rc = -1;

	if (!provider_store_collect(b, &rows)) {
		rc = 0;
		goto out;
	}
	to = json_dumps(rows.offers, JSON_COMPACT);
	tl = json_dumps(rows.lookups, JSON_COMPACT);
	if (to == NULL || tl == NULL || db_begin(db) == -1)
		goto out;
	params[0] = to;
	params[1] = tl;
	/* what a source no longer lists for an MPN it answered goes */
	if (db_exec(db, "DELETE FROM offers o USING jsonb_to_recordset("
	    "$2::jsonb) l(source text, mpn text) WHERE o.source = l.source "
	    "AND upper(o.mpn) = upper(l.mpn) AND NOT EXISTS (SELECT 1 FROM "
	    "jsonb_to_recordset($1::jsonb) n(supplier_id text, sku text) "
	    "WHERE n.supplier_id = o.supplier_id AND n.sku = o.sku)", 2,
	    params) == -1)
		goto fail;
	if (json_array_size(rows.offers) > 0 && db_exec(db, "INSERT INTO "
	    "offers (supplier_id, sku, mpn, manufacturer, supplier_name, "
	    "supplier_type, stock, moq, order_multiple, lead_time_days, "
	    "currency, breaks, source, fetched_at, packaging, lifecycle, "
	    "rohs, lead_time_known, updated_at) SELECT DISTINCT ON "
	    "(supplier_id, sku) supplier_id, sku, mpn, manufacturer, "
	    "supplier_name, supplier_type, stock, moq, order_multiple, "
	    "lead_time_days, currency, breaks, source, to_timestamp("
	    "fetched_at), packaging, lifecycle, rohs, lead_time_known, now() "
	    "FROM jsonb_to_recordset($1::jsonb) AS x(supplier_id text, sku "
	    "text, mpn text, manufacturer text, supplier_name text, "
	    "supplier_type text, stock bigint, moq bigint, order_multiple "
	    "bigint, lead_time_days int, currency text, breaks jsonb, source "
	    "text, fetched_at bigint, packaging text, lifecycle text, rohs "
	    "boolean, lead_time_known boolean) ORDER BY supplier_id, sku, "
	    "source = 'nexar', stock DESC ON CONFLICT (supplier_id, sku) DO "
	    "UPDATE SET "
	    "mpn = EXCLUDED.mpn, manufacturer = EXCLUDED.manufacturer, "
	    "supplier_name = EXCLUDED.supplier_name, supplier_type = "
	    "EXCLUDED.supplier_type, stock = EXCLUDED.stock, moq = "
	    "EXCLUDED.moq, order_multiple = EXCLUDED.order_multiple, "
	    "lead_time_days = EXCLUDED.lead_time_days, currency = "
	    "EXCLUDED.currency, breaks = EXCLUDED.breaks, source = "
	    "EXCLUDED.source, fetched_at = EXCLUDED.fetched_at, packaging = "
	    "EXCLUDED.packaging, lifecycle = EXCLUDED.lifecycle, rohs = "
	    "EXCLUDED.rohs, lead_time_known = EXCLUDED.lead_time_known, "
	    "updated_at = now() WHERE EXCLUDED.source <> 'nexar' OR "
	    "offers.source IN ('nexar', 'catalog')", 1, params) == -1)
		goto fail;
	params[0] = tl;
	if (db_exec(db, "INSERT INTO offer_lookups (source, mpn_key, "
	    "fetched_at, offers) SELECT DISTINCT ON (source, upper(mpn)) "
	    "source, upper(mpn), now(), offers FROM jsonb_to_recordset("
	    "$1::jsonb) AS x(source text, mpn text, offers int) ORDER BY "
	    "source, upper(mpn), offers DESC ON CONFLICT (source, mpn_key) DO "
	    "UPDATE SET fetched_at = EXCLUDED.fetched_at, offers = "
	    "EXCLUDED.offers", 1, params) == -1)
		goto fail;
	if (db_commit(db) == -1)
		goto out;
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	free(to);
	free(tl);
	json_decref(rows.offers);
	json_decref(rows.lookups);
	return rc;
}

/* The distinct MPNs of mpns (case-blind), borrowed; their count. */
static size_t
provider_store_distinct(const char *const *mpns, size_t n,
    const char **out)
{
	size_t i, j, m = 0;

	for (i = 0; i < n; i++) {
		if (mpns[i] == NULL || mpns[i][0] == '\0')
			continue;
		for (j = 0; j < m; j++)
			if (strcasecmp(out[j], mpns[i]) == 0)
				break;
		if (j == m)
			out[m++] = mpns[i];
	}
	return m;
}

int
provider_refresh(struct provider_set *ps, PGconn *db, redisContext *redis,
    const char *const *mpns, size_t n, struct provider_batch *out)
{
	const char **uniq;
	unsigned *ask;
	size_t m;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	uniq = xcalloc(n ? n : 1, sizeof(*uniq));
	m = provider_store_distinct(mpns, n, uniq);
	ask = xcalloc(m ? m : 1, sizeof(*ask));
	/* without the database nothing fetched could be stored: ask none */
	if (provider_store_stale(db, ps, uniq, m, ask) == -1) {
		memset(ask, 0, (m ? m : 1) * sizeof(*ask));
		rc = -1;
	}
	if (provider_fetch(ps, redis, uniq, m, ask, out) == -1)
		rc = -1;
	else if (rc == 0 && provider_store_save(db, out) == -1)
		rc = -1;
	free(ask);
	free(uniq);
	return rc;
}

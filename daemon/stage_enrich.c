/*
 * Enrich stage: the offers for every line's MPN (and for the approved
 * alternates of those MPNs) from the offers table, and the tenant's
 * knowledge, loaded once per job into an offer cache.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bom.h"
#include "db.h"
#include "log.h"
#include "offers.h"
#include "sourcing.h"
#include "stage_enrich.h"
#include "stages.h"
#include "util.h"

void
offer_cache_free(struct offer_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->noffers; i++)
		offer_free_fields(&c->offers[i]);
	free(c->offers);
	for (i = 0; i < c->nsuppliers; i++)
		free((char *)c->suppliers[i].supplier_id);
	free(c->suppliers);
	for (i = 0; i < c->nbanned; i++) {
		free((char *)c->banned[i].mpn);
		free((char *)c->banned[i].reason);
	}
	free(c->banned);
	for (i = 0; i < c->nalternates; i++) {
		free((char *)c->alternates[i].mpn);
		free((char *)c->alternates[i].alternate_mpn);
		free((char *)c->alternates[i].reason);
	}
	free(c->alternates);
	free(c);
}

static int
offer_cmp(const void *a, const void *b)
{
	const struct offer *x = a, *y = b;

	return strcasecmp(x->mpn, y->mpn);
}

const struct offer *
offer_cache_lookup(void *ctx, const char *mpn, size_t *n)
{
	struct offer_cache *c = ctx;
	size_t lo = 0, hi = c->noffers, mid, first;

	*n = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcasecmp(c->offers[mid].mpn, mpn) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < c->noffers && strcasecmp(c->offers[lo].mpn, mpn) == 0)
		lo++;
	*n = lo - first;
	return *n ? &c->offers[first] : NULL;
}

/* Reads one offers row into o; -1 when the row is unusable. */
static int
enrich_offer_from_row(PGresult *r, int i, struct offer *o)
{
	json_t *breaks, *b;
	json_error_t jerr;
	size_t k;
	int rc = -1;

	memset(o, 0, sizeof(*o));
	o->mpn = xstrdup(PQgetvalue(r, i, 0));
	o->manufacturer = xstrdup(PQgetvalue(r, i, 1));
	o->supplier_id = xstrdup(PQgetvalue(r, i, 2));
	o->supplier_name = xstrdup(PQgetvalue(r, i, 3));
	o->sku = xstrdup(PQgetvalue(r, i, 5));
	if (supplier_type_parse(PQgetvalue(r, i, 4), &o->type) == -1 ||
	    parse_i64(PQgetvalue(r, i, 6), 0, INT64_MAX, &o->stock, NULL) ||
	    parse_i64(PQgetvalue(r, i, 7), 0, INT64_MAX, &o->moq, NULL) ||
	    parse_i64(PQgetvalue(r, i, 8), 0, INT64_MAX, &o->order_multiple,
	    NULL) ||
	    parse_i64(PQgetvalue(r, i, 9), 0, INT64_MAX, &o->lead_time_days,
	    NULL))
		return -1;
	snprintf(o->currency, sizeof(o->currency), "%s", PQgetvalue(r, i, 10));
	if ((breaks = json_loads(PQgetvalue(r, i, 11), 0, &jerr)) == NULL)
		return -1;
	if (!json_is_array(breaks) || json_array_size(breaks) == 0 ||
	    json_array_size(breaks) > OFFERS_MAX_BREAKS)
		goto out;
	o->nbreaks = json_array_size(breaks);
	o->breaks = xcalloc(o->nbreaks, sizeof(*o->breaks));
	json_array_foreach(breaks, k, b) {
		if (!json_is_integer(json_array_get(b, 0)) ||
		    !json_is_integer(json_array_get(b, 1)))
			goto out;
		o->breaks[k].qty = json_integer_value(json_array_get(b, 0));
		o->breaks[k].unit_micros =
		    json_integer_value(json_array_get(b, 1));
	}
	rc = 0;
out:
	json_decref(breaks);
	return rc;
}

static enum stage_rc
enrich_load_offers(struct offer_cache *c, PGconn *db, json_t *mpns)
{
	const char *params[1];
	char *text;
	PGresult *r;
	int i, n;

	text = json_dumps(mpns, JSON_COMPACT);
	params[0] = text;
	r = db_query(db, "SELECT mpn, manufacturer, supplier_id, "
	    "supplier_name, supplier_type, sku, stock, moq, order_multiple, "
	    "lead_time_days, currency, breaks::text FROM offers "
	    "WHERE upper(mpn) IN (SELECT upper(x) FROM "
	    "jsonb_array_elements_text($1::jsonb) x)", 1, params, NULL, 0);
	free(text);
	if (r == NULL)
		return STAGE_RETRY;
	n = PQntuples(r);
	c->offers = xcalloc((size_t)n, sizeof(*c->offers));
	for (i = 0; i < n; i++) {
		if (enrich_offer_from_row(r, i, &c->offers[c->noffers]) == -1) {
			log_warnx("enrich: offers row %s/%s unusable, skipped",
			    PQgetvalue(r, i, 2), PQgetvalue(r, i, 5));
			offer_free_fields(&c->offers[c->noffers]);
			continue;
		}
		c->noffers++;
	}
	PQclear(r);
	qsort(c->offers, c->noffers, sizeof(*c->offers), offer_cmp);
	return STAGE_OK;
}

static enum stage_rc
enrich_load_knowledge(struct offer_cache *c, struct job *job, PGconn *db)
{
	const char *params[1] = { job->client_id };
	json_t *alts, *a;
	json_error_t jerr;
	PGresult *r;
	size_t k;
	int i, n;

	r = db_query(db, "SELECT supplier_id, trust_level FROM "
	    "supplier_knowledge WHERE client_id = $1", 1, params, NULL, 0);
	if (r == NULL)
		return STAGE_RETRY;
	n = PQntuples(r);
	c->suppliers = xcalloc((size_t)n, sizeof(*c->suppliers));
	for (i = 0; i < n; i++) {
		if (trust_level_parse(PQgetvalue(r, i, 1),
		    &c->suppliers[c->nsuppliers].trust) == -1)
			continue;
		c->suppliers[c->nsuppliers++].supplier_id =
		    xstrdup(PQgetvalue(r, i, 0));
	}
	PQclear(r);

	r = db_query(db, "SELECT mpn, banned, COALESCE(ban_reason, ''), "
	    "approved_alternates::text FROM part_knowledge "
	    "WHERE client_id = $1 AND (banned OR "
	    "jsonb_array_length(approved_alternates) > 0)", 1, params, NULL, 0);
	if (r == NULL)
		return STAGE_RETRY;
	n = PQntuples(r);
	c->banned = xcalloc((size_t)n, sizeof(*c->banned));
	for (i = 0; i < n; i++) {
		if (strcmp(PQgetvalue(r, i, 1), "t") == 0) {
			c->banned[c->nbanned].mpn = xstrdup(PQgetvalue(r, i, 0));
			c->banned[c->nbanned++].reason =
			    xstrdup(PQgetvalue(r, i, 2));
		}
		if ((alts = json_loads(PQgetvalue(r, i, 3), 0, &jerr)) == NULL)
			continue;
		c->alternates = xrealloc(c->alternates, (c->nalternates +
		    json_array_size(alts)) * sizeof(*c->alternates));
		json_array_foreach(alts, k, a) {
			const char *am = json_string_value(json_object_get(a,
			    "alternate_mpn"));
			const char *ar = json_string_value(json_object_get(a,
			    "reason"));

			if (am == NULL)
				continue;
			c->alternates[c->nalternates].mpn =
			    xstrdup(PQgetvalue(r, i, 0));
			c->alternates[c->nalternates].alternate_mpn =
			    xstrdup(am);
			c->alternates[c->nalternates++].reason =
			    xstrdup(ar ? ar : "");
		}
		json_decref(alts);
	}
	PQclear(r);
	return STAGE_OK;
}

enum stage_rc
stage_enrich_run(struct job *job, PGconn *db, struct offer_cache **cachep)
{
	struct offer_cache *c;
	json_t *mpns;
	enum stage_rc rc;
	size_t i, j, nwith = 0, n;

	*cachep = c = xcalloc(1, sizeof(*c));
	if ((rc = enrich_load_knowledge(c, job, db)) != STAGE_OK)
		return rc;
	mpns = json_array();
	for (i = 0; i < job->bom->nlines; i++) {
		const char *m = job->bom->lines[i].mpn;

		json_array_append_new(mpns, json_string(m));
		for (j = 0; j < c->nalternates; j++)
			if (strcasecmp(c->alternates[j].mpn, m) == 0)
				json_array_append_new(mpns, json_string(
				    c->alternates[j].alternate_mpn));
	}
	rc = enrich_load_offers(c, db, mpns);
	json_decref(mpns);
	if (rc != STAGE_OK)
		return rc;
	for (i = 0; i < job->bom->nlines; i++) {
		offer_cache_lookup(c, job->bom->lines[i].mpn, &n);
		if (n > 0)
			nwith++;
	}
	job_trace(job, "enrich", "enrichment", NULL, NULL,
	    "%zu offers loaded; %zu of %zu lines have offers; knowledge: "
	    "%zu banned parts, %zu alternates, %zu supplier rules",
	    c->noffers, nwith, job->bom->nlines, c->nbanned, c->nalternates,
	    c->nsuppliers);
	return STAGE_OK;
}

/*
 * Live part search, as the original service had it and more: POST
 * /search/parts asks the configured distributors (DigiKey, Mouser,
 * Nexar) about one MPN within their shared budgets, stores what they
 * answer in the offers catalog and lists the offers by unit price;
 * GET /search/providers says which sources are configured and usable.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_db.h"
#include "api_internal.h"
#include "api_reply.h"
#include "api_request.h"
#include "api_search.h"
#include "config.h"
#include "log.h"
#include "provider.h"
#include "provider_store.h"
#include "queue.h"
#include "redis_conn.h"

#define API_SEARCH_MAX_QUERY	200	/* bytes of an MPN searched */
#define API_SEARCH_REDIS_MS	3000

/* The set and a Redis connection of its own (a fetch holds it for s). */
static int
api_search_open(struct provider_set **ps, redisContext **rc)
{
	struct provider_settings s;
	char err[256];

	config_providers(api_cfg, &s);
	if ((*ps = provider_set_new(&s)) == NULL)
		return -1;
	if ((*rc = redis_conn_open(api_cfg->redis_url, API_SEARCH_REDIS_MS,
	    err, sizeof(err))) == NULL)
		log_warnx("search: %s", err);
	return 0;
}

static json_t *
api_search_names(unsigned mask)
{
	json_t *a = json_array();
	int p;

	for (p = 0; p < PROVIDER_COUNT; p++)
		if (mask & PROVIDER_BIT(p))
			json_array_append_new(a,
			    json_string(name_of(&provider_id_names, p)));
	return a;
}

/* The unit price when buying the least one may: at max(1, moq). */
static int64_t
api_search_unit(const struct offer *o)
{
	int64_t want = o->moq > 1 ? o->moq : 1, price = -1;
	size_t i;

	for (i = 0; i < o->nbreaks; i++)
		if (o->breaks[i].qty <= want || price == -1)
			price = o->breaks[i].unit_micros;
	return price;
}

static int
api_search_cmp(const void *a, const void *b)
{
	const struct offer *x = *(const struct offer *const *)a;
	const struct offer *y = *(const struct offer *const *)b;
	int64_t px = api_search_unit(x), py = api_search_unit(y);
	int c;

	if ((px < 0) != (py < 0))
		return px < 0 ? 1 : -1;
	if (px != py)
		return px < py ? -1 : 1;
	if ((c = strcmp(x->source, y->source)) != 0)
		return c;
	return strcmp(x->sku, y->sku);
}

static json_t *
api_search_offer(const struct offer *o)
{
	json_t *breaks = json_array(), *v;
	char ts[32];
	int64_t unit = api_search_unit(o);
	size_t i;

	for (i = 0; i < o->nbreaks; i++)
		json_array_append_new(breaks, json_pack("{s:I, s:f}",
		    "quantity", (json_int_t)o->breaks[i].qty, "unit_price",
		    money_to_double(o->breaks[i].unit_micros)));
	time_rfc3339((time_t)o->fetched_at, ts, sizeof(ts));
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, "
	    "s:I, s:o, s:s, s:o, s:o, s:s, s:o, s:s}", "mpn", o->mpn,
	    "manufacturer", o->manufacturer, "supplier_id", o->supplier_id,
	    "supplier_name", o->supplier_name, "supplier_type",
	    name_of(&supplier_type_names, o->type), "sku", o->sku, "source",
	    o->source,
	    "packaging", o->packaging, "stock", (json_int_t)o->stock, "moq",
	    (json_int_t)o->moq, "order_multiple",
	    (json_int_t)o->order_multiple, "lead_time_days", o->lead_unknown ?
	    json_null() : json_integer(o->lead_time_days), "currency",
	    o->currency, "unit_price", unit < 0 ? json_null() :
	    json_real(money_to_double(unit)), "price_breaks", breaks,
	    "lifecycle", name_of(&offer_lifecycle_names, o->lifecycle), "rohs",
	    o->rohs == OFFER_ROHS_UNKNOWN ? json_null() :
	    json_boolean(o->rohs == OFFER_ROHS_YES), "fetched_at", ts);
	return v != NULL ? v : json_null();
}

/* The body's "providers": a mask, or -1 after answering 422. */
static int
api_search_wanted(struct MHD_Connection *c, const json_t *list,
    unsigned *want, enum MHD_Result *ret)
{
	const json_t *v;
	size_t i;
	int id;

	*want = PROVIDER_ALL;
	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list)) {
		*ret = api_error(c, API_HTTP_UNPROCESSABLE, "providers: "
		    "expected a list of names");
		return -1;
	}
	*want = 0;
	json_array_foreach(list, i, v) {
		if ((id = name_index(&provider_id_names,
		    json_string_value(v))) == -1) {
			*ret = api_error(c, API_HTTP_UNPROCESSABLE, "Unknown "
			    "provider: %s (digikey, mouser or nexar)",
			    json_is_string(v) ? json_string_value(v) : "?");
			return -1;
		}
		*want |= PROVIDER_BIT(id);
	}
	return 0;
}

/* The answer: offers by unit price, and what each source did. */
static json_t *
api_search_answer(const char *query, const char *mfr, unsigned want,
    unsigned asked, const struct provider_batch *b)
{
	const struct provider_status *st;
	const struct provider_offers *r;
	const struct offer **all = NULL;
	json_t *results, *byp, *one;
	size_t i, n = 0, cap = 0, count;
	int p;

	byp = json_object();
	for (p = 0; p < PROVIDER_COUNT; p++) {
		if (!(want & PROVIDER_BIT(p)))
			continue;
		st = &b->status[p];
		r = b->res[p] != NULL && b->n > 0 ? &b->res[p][0] : NULL;
		for (i = count = 0; r != NULL && i < r->n; i++) {
			/* the manufacturer filter: a part of it, in any case */
			if (mfr != NULL && *mfr != '\0' &&
			    !str_contains_ci(r->v[i].manufacturer, mfr))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				all = xrealloc(all, cap * sizeof(*all));
			}
			all[n++] = &r->v[i];
			count++;
		}
		one = json_pack("{s:s, s:I}", "status", !(asked &
		    PROVIDER_BIT(p)) ? "not_configured" :
		    name_of(&provider_outcome_names, st->outcome), "count",
		    (json_int_t)count);
		if (st->reason[0] != '\0')
			json_object_set_new(one, "reason",
			    json_string(st->reason));
		json_object_set_new(byp, name_of(&provider_id_names, p),
		    one);
	}
	if (n > 1)
		qsort(all, n, sizeof(*all), api_search_cmp);
	results = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(results, api_search_offer(all[i]));
	free(all);
	return json_pack("{s:s, s:o, s:o, s:o}", "query", query, "results",
	    results, "providers_searched", api_search_names(asked),
	    "results_by_provider", byp);
}

enum MHD_Result
api_search_parts(struct MHD_Connection *c, struct api_request *r)
{
	struct provider_set *ps = NULL;
	struct provider_batch b;
	redisContext *rc = NULL;
	const char *query, *mfr;
	enum MHD_Result ret;
	unsigned want, asked;
	json_t *body;
	PGconn *db;

	memset(&b, 0, sizeof(b));
	if ((body = api_json_body(c, r, false, API_HTTP_UNPROCESSABLE,
	    &ret)) == NULL)
		return ret;
	query = json_string_value(json_object_get(body, "query"));
	mfr = json_string_value(json_object_get(body, "manufacturer"));
	if (query == NULL || *query == '\0' ||
	    strlen(query) > API_SEARCH_MAX_QUERY) {
		ret = api_error(c, API_HTTP_UNPROCESSABLE, "query: a part "
		    "number of 1 to %d bytes is required",
		    API_SEARCH_MAX_QUERY);
		goto out;
	}
	if (json_object_get(body, "manufacturer") != NULL && mfr == NULL &&
	    !json_is_null(json_object_get(body, "manufacturer"))) {
		ret = api_error(c, API_HTTP_UNPROCESSABLE, "manufacturer: "
		    "expected a string");
		goto out;
	}
	if (api_search_wanted(c, json_object_get(body, "providers"), &want,
	    &ret) == -1)
		goto out;
	if (api_search_open(&ps, &rc) == -1) {
		ret = api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "search "
		    "unavailable");
		goto out;
	}
	asked = want & provider_set_configured(ps);
	provider_fetch(ps, rc, &query, 1, &asked, &b);
	/* what the sources said is the catalog's too */
	if ((db = api_db_get(r)) == NULL || provider_store_save(db, &b) == -1)
		log_warnx("search: offers for %s not stored", query);
	api_db_put(db);
	ret = api_json(c, MHD_HTTP_OK, api_search_answer(query, mfr, want,
	    asked, &b));
out:
	provider_batch_free(&b);
	provider_set_free(ps);
	if (rc != NULL)
		redisFree(rc);
	json_decref(body);
	return ret;
}

enum MHD_Result
api_search_providers(struct MHD_Connection *c, struct api_request *r)
{
	struct provider_set *ps = NULL;
	redisContext *rc = NULL;
	enum MHD_Result ret;

	(void)r;
	if (api_search_open(&ps, &rc) == -1)
		return api_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "search "
		    "unavailable");
	ret = api_json(c, MHD_HTTP_OK, json_pack("{s:o, s:o}", "configured",
	    api_search_names(provider_set_configured(ps)), "available",
	    api_search_names(provider_set_available(ps, rc))));
	provider_set_free(ps);
	if (rc != NULL)
		redisFree(rc);
	return ret;
}

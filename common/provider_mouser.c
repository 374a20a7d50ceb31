/*
 * Mouser Search API v1: exact part-number search for up to 10 MPNs per
 * request, joined by '|', with the API key in the URL (never logged).
 * Errors[] is read before the results, also on HTTP 200; stock, lead
 * times and prices arrive as localised strings (offer_text.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offer_text.h"
#include "provider_internal.h"
#include "provider_mouser.h"

static int
provider_mouser_build(struct provider_call *call,
    const struct provider_src *src, const char *token,
    const char *const *mpns, char *why, size_t len)
{
	json_t *req;
	struct buf b, q;
	const char *m;
	char *key;
	size_t k;

	(void)token;
	(void)mpns;
	buf_init(&q);
	for (k = 0; k < call->nidx; k++) {
		m = provider_call_mpn(call, k);
		if (strchr(m, '|') != NULL)
			continue;	/* answered as failed */
		buf_printf(&q, "%s%s", q.len ? "|" : "", m);
	}
	req = json_pack("{s:{s:s, s:s}}", "SearchByPartRequest",
	    "mouserPartNumber", q.data != NULL ? q.data : "",
	    "partSearchOptions", "Exact");
	buf_free(&q);
	if (req == NULL) {
		snprintf(why, len, "mpn is not UTF-8");
		return -1;
	}
	call->body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if ((key = curl_easy_escape(NULL, src->cfg.api_key, 0)) == NULL) {
		snprintf(why, len, "cannot encode the API key");
		return -1;
	}
	buf_init(&b);
	buf_printf(&b, "%s/api/v1/search/partnumber?apiKey=%s",
	    src->cfg.base_url, key);
	explicit_bzero(key, strlen(key));
	curl_free(key);
	call->url = buf_steal(&b);
	call->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	call->hdrs = curl_slist_append(call->hdrs, "Accept: application/json");
	return 0;
}

static enum offer_lifecycle
provider_mouser_lifecycle(const char *s)
{
	if (str_contains_ci(s, "obsolete"))
		return OFFER_LIFECYCLE_OBSOLETE;
	if (str_contains_ci(s, "end of life") ||
	    str_contains_ci(s, "last time"))
		return OFFER_LIFECYCLE_EOL;
	if (str_contains_ci(s, "not recommended"))
		return OFFER_LIFECYCLE_NRND;
	if (str_contains_ci(s, "new product") || str_contains_ci(s, "active"))
		return OFFER_LIFECYCLE_ACTIVE;
	return OFFER_LIFECYCLE_UNKNOWN;
}

/* A quantity given as a string ("1", "2,500") or a number; dflt if none. */
static int64_t
provider_mouser_qty(const json_t *v, int64_t dflt)
{
	int64_t n;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v) && offer_text_qty(json_string_value(v), &n,
	    NULL) == 0)
		return n;
	return dflt;
}

/* The price breaks of part p in one currency (the first one seen). */
static void
provider_mouser_breaks(const json_t *p, struct offer *o)
{
	const json_t *pbs, *pb;
	const char *cur, *price;
	char hint[4];
	int64_t micros;
	size_t i;

	pbs = json_object_get(p, "PriceBreaks");
	o->breaks = xcalloc(json_array_size(pbs) + 1, sizeof(*o->breaks));
	json_array_foreach(pbs, i, pb) {
		price = json_string_value(json_object_get(pb, "Price"));
		cur = json_string_value(json_object_get(pb, "Currency"));
		if (price == NULL || offer_text_price(price, &micros, hint,
		    NULL) == -1)
			continue;
		if (cur == NULL || strlen(cur) != 3)
			cur = hint;
		if (strlen(cur) != 3)
			continue;
		if (o->currency[0] == '\0')
			memcpy(o->currency, cur, 4);
		else if (strcmp(o->currency, cur) != 0)
			continue;
		o->breaks[o->nbreaks].qty = provider_mouser_qty(
		    json_object_get(pb, "Quantity"), 0);
		o->breaks[o->nbreaks].unit_micros = micros;
		o->nbreaks++;
	}
	provider_breaks_tidy(o);
}

/* Part p (already matched) as an offer of the call's k-th MPN. */
static void
provider_mouser_part(struct provider_call *call, size_t k, const json_t *p)
{
	const char *sku, *s;
	struct offer o;

	sku = json_string_value(json_object_get(p, "MouserPartNumber"));
	if (sku == NULL || *sku == '\0' || strcmp(sku, "N/A") == 0)
		return;
	memset(&o, 0, sizeof(o));
	s = json_string_value(json_object_get(p, "Manufacturer"));
	o.manufacturer = s != NULL ? s : "";
	o.sku = sku;
	o.supplier_id = "mouser";
	o.supplier_name = "Mouser";
	o.type = SUPPLIER_AUTHORIZED;
	/* "6178" when present, else "6178 In Stock"; "None": nothing */
	o.stock = provider_mouser_qty(json_object_get(p,
	    "AvailabilityInStock"), -1);
	if (o.stock < 0)
		o.stock = provider_mouser_qty(json_object_get(p,
		    "Availability"), 0);
	if (o.stock < 0)
		o.stock = 0;
	o.moq = provider_mouser_qty(json_object_get(p, "Min"), 1);
	o.order_multiple = provider_mouser_qty(json_object_get(p, "Mult"), 1);
	if (o.moq < 1)
		o.moq = 1;
	if (o.order_multiple < 1)
		o.order_multiple = 1;
	if (offer_text_days(json_string_value(json_object_get(p, "LeadTime")),
	    1, &o.lead_time_days, NULL) == -1) {
		o.lead_time_days = 0;
		o.lead_unknown = true;
	}
	o.lifecycle = provider_mouser_lifecycle(json_string_value(
	    json_object_get(p, "LifecycleStatus")));
	o.rohs = provider_rohs(json_string_value(json_object_get(p,
	    "ROHSStatus")));
	if (json_is_true(json_object_get(p, "Reeling")))
		snprintf(o.packaging, sizeof(o.packaging), "Reel");
	provider_mouser_breaks(p, &o);
	provider_call_offer(call, k, &o);
}

/* The fields of an Errors[] entry, and what their words mean, in order. */
enum provider_mouser_field {
	PROVIDER_MOUSER_CODE,
	PROVIDER_MOUSER_MESSAGE,
	PROVIDER_MOUSER_PROPERTY,
};
static const struct provider_mouser_verdict {
	enum provider_mouser_field	 field;
	const char			*needle;
	enum provider_verdict		 verdict;
} provider_mouser_verdicts[] = {
	{ PROVIDER_MOUSER_MESSAGE, "unique identifier", PROVIDER_V_CONFIG },
	{ PROVIDER_MOUSER_PROPERTY, "api key", PROVIDER_V_CONFIG },
	{ PROVIDER_MOUSER_CODE, "unauthorized", PROVIDER_V_CONFIG },
	{ PROVIDER_MOUSER_MESSAGE, "per day", PROVIDER_V_DAY },
	{ PROVIDER_MOUSER_MESSAGE, "daily", PROVIDER_V_DAY },
	{ PROVIDER_MOUSER_CODE, "day", PROVIDER_V_DAY },
	{ PROVIDER_MOUSER_MESSAGE, "too many", PROVIDER_V_RATE },
	{ PROVIDER_MOUSER_CODE, "toomany", PROVIDER_V_RATE },
	{ PROVIDER_MOUSER_MESSAGE, "per minute", PROVIDER_V_RATE },
};

/* How Errors[] (non-empty) ends the request. */
static enum provider_verdict
provider_mouser_errors(const json_t *errs, char *why, size_t len)
{
	const json_t *e = json_array_get(errs, 0);
	const struct provider_mouser_verdict *t;
	const char *f[3], *code, *msg, *prop;
	size_t i;

	f[PROVIDER_MOUSER_CODE] = code = json_string_value(
	    json_object_get(e, "Code"));
	f[PROVIDER_MOUSER_MESSAGE] = msg = json_string_value(
	    json_object_get(e, "Message"));
	f[PROVIDER_MOUSER_PROPERTY] = prop = json_string_value(
	    json_object_get(e, "PropertyName"));
	snprintf(why, len, "Errors: %.40s: %.*s%s%.40s%s", code ? code : "?",
	    PROVIDER_REASON_MAX, msg ? msg : "", prop ? " (" : "",
	    prop ? prop : "", prop ? ")" : "");
	for (i = 0; i < sizeof(provider_mouser_verdicts) /
	    sizeof(provider_mouser_verdicts[0]); i++) {
		t = &provider_mouser_verdicts[i];
		if (str_contains_ci(f[t->field], t->needle))
			return t->verdict;
	}
	return PROVIDER_V_FAILED;
}

static enum provider_verdict
provider_mouser_answer(struct provider_call *call,
    const struct provider_src *src, long status, const json_t *body,
    char *why, size_t len)
{
	const json_t *errs, *parts, *p;
	enum provider_verdict v;
	const char *mpn;
	size_t k, i;

	(void)src;
	errs = json_object_get(body, "Errors");
	if (json_array_size(errs) > 0) {
		v = provider_mouser_errors(errs, why, len);
		if (status != 200 && v == PROVIDER_V_FAILED)
			v = status == 429 ? PROVIDER_V_RATE : v;
		return v;
	}
	if (status == 429) {
		snprintf(why, len, "http 429");
		return PROVIDER_V_RATE;
	}
	if (status == 401 || status == 403) {
		snprintf(why, len, "http %ld: API key refused", status);
		return PROVIDER_V_CONFIG;
	}
	if (status != 200 || !json_is_object(body)) {
		snprintf(why, len, "http %ld", status);
		return PROVIDER_V_FAILED;
	}
	parts = json_object_get(json_object_get(body, "SearchResults"),
	    "Parts");
	for (k = 0; k < call->nidx; k++) {
		mpn = provider_call_mpn(call, k);
		if (strchr(mpn, '|') != NULL) {
			provider_call_fail(call, k, "the MPN holds '|', "
			    "Mouser's separator");
			continue;
		}
		json_array_foreach(parts, i, p)
			if (provider_mpn_same(json_string_value(
			    json_object_get(p, "ManufacturerPartNumber")), mpn))
				provider_mouser_part(call, k, p);
		provider_call_done(call, k);
	}
	return PROVIDER_V_OK;
}

const struct provider_ops provider_mouser_ops = {
	.id = PROVIDER_MOUSER,
	.per_call = 10,
	.build = provider_mouser_build,
	.answer = provider_mouser_answer,
};

/*
 * Nexar supply GraphQL (Octopart data): supMultiMatch for up to 20 MPNs
 * per request with limit always set, offers per seller, authorized or
 * broker by the seller. A match's own error and GraphQL errors[] are
 * partial results; an expired token (AuthExpiredToken) is refreshed once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider_internal.h"
#include "provider_nexar.h"

static const char provider_nexar_query[] =
    "query bomdMatch($queries: [SupPartMatchQuery!]!, $currency: String!, "
    "$country: String!) { supMultiMatch(queries: $queries, currency: "
    "$currency, country: $country) { reference hits error parts { mpn "
    "manufacturer { name } sellers(authorizedOnly: false) { company { id "
    "name } isAuthorized isBroker offers { sku inventoryLevel moq "
    "orderMultiple packaging factoryLeadDays prices { quantity price "
    "currency } } } } } }";

static int
provider_nexar_build(struct provider_call *call,
    const struct provider_src *src, const char *token,
    const char *const *mpns, char *why, size_t len)
{
	json_t *qs, *req, *q;
	struct buf b;
	char ref[24];
	size_t k;

	(void)mpns;
	qs = json_array();
	for (k = 0; k < call->nidx; k++) {
		snprintf(ref, sizeof(ref), "%zu", k);
		q = json_pack("{s:s, s:I, s:i, s:s}", "mpn",
		    provider_call_mpn(call, k), "limit",
		    (json_int_t)(src->cfg.match_limit > 0 ?
		    src->cfg.match_limit : 1), "start", 0, "reference", ref);
		if (q == NULL) {
			json_decref(qs);
			snprintf(why, len, "mpn is not UTF-8");
			return -1;
		}
		json_array_append_new(qs, q);
	}
	req = json_pack("{s:s, s:{s:o, s:s, s:s}}", "query",
	    provider_nexar_query, "variables", "queries", qs, "currency",
	    src->cfg.currency != NULL ? src->cfg.currency : "USD", "country",
	    src->cfg.country != NULL ? src->cfg.country : "US");
	call->body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	buf_init(&b);
	buf_printf(&b, "%s/graphql", src->cfg.base_url);
	call->url = buf_steal(&b);
	call->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	call->hdrs = curl_slist_append(call->hdrs, "Accept: application/json");
	buf_init(&b);
	buf_printf(&b, "Authorization: Bearer %s", token != NULL ? token : "");
	call->hdrs = curl_slist_append(call->hdrs, b.data);
	explicit_bzero(b.data, b.len);
	buf_free(&b);
	return 0;
}

/* One seller's offer o of part (matched) for the call's k-th MPN. */
static void
provider_nexar_offer(struct provider_call *call, size_t k,
    const json_t *part, const json_t *seller, const json_t *jo,
    const char *want_cur)
{
	const json_t *prices, *pr;
	const char *name, *sku, *pkg, *cur = NULL, *c;
	char sid[64], fallback[160];
	struct offer o;
	size_t i;

	memset(&o, 0, sizeof(o));
	name = json_string_value(json_object_get(json_object_get(seller,
	    "company"), "name"));
	provider_supplier_id(name, sid, sizeof(sid));
	sku = json_string_value(json_object_get(jo, "sku"));
	pkg = json_string_value(json_object_get(jo, "packaging"));
	if (sku == NULL || *sku == '\0') {
		snprintf(fallback, sizeof(fallback), "%s:%s:%s", sid,
		    provider_call_mpn(call, k), pkg ? pkg : "");
		sku = fallback;
	}
	name = name != NULL && *name != '\0' ? name : sid;
	o.supplier_id = sid;
	o.supplier_name = name;
	o.sku = sku;
	c = json_string_value(json_object_get(json_object_get(part,
	    "manufacturer"), "name"));
	o.manufacturer = c != NULL ? c : "";
	o.type = json_is_true(json_object_get(seller, "isAuthorized")) &&
	    !json_is_true(json_object_get(seller, "isBroker")) ?
	    SUPPLIER_AUTHORIZED : SUPPLIER_BROKER;
	o.stock = provider_json_int(json_object_get(jo, "inventoryLevel"), 0);
	o.moq = provider_json_int(json_object_get(jo, "moq"), 1);
	o.order_multiple = provider_json_int(json_object_get(jo,
	    "orderMultiple"), 1);
	o.stock = o.stock < 0 ? 0 : o.stock;
	o.moq = o.moq < 1 ? 1 : o.moq;
	o.order_multiple = o.order_multiple < 1 ? 1 : o.order_multiple;
	o.lead_time_days = provider_json_int(json_object_get(jo,
	    "factoryLeadDays"), -1);
	if (o.lead_time_days < 0 || o.lead_time_days > 3650) {
		o.lead_time_days = 0;
		o.lead_unknown = true;
	}
	snprintf(o.packaging, sizeof(o.packaging), "%s", pkg ? pkg : "");
	/* prices in the currency asked when there are any, else the first */
	prices = json_object_get(jo, "prices");
	json_array_foreach(prices, i, pr) {
		c = json_string_value(json_object_get(pr, "currency"));
		if (c == NULL || strlen(c) != 3)
			continue;
		if (cur == NULL || strcmp(c, want_cur) == 0)
			cur = c;
	}
	if (cur != NULL) {
		memcpy(o.currency, cur, 4);
		o.breaks = xcalloc(json_array_size(prices), sizeof(*o.breaks));
		json_array_foreach(prices, i, pr) {
			c = json_string_value(json_object_get(pr, "currency"));
			if (c == NULL || strcmp(c, cur) != 0)
				continue;
			o.breaks[o.nbreaks].qty = provider_json_int(
			    json_object_get(pr, "quantity"), 0);
			o.breaks[o.nbreaks].unit_micros =
			    provider_json_micros(json_object_get(pr, "price"));
			o.nbreaks++;
		}
		provider_breaks_tidy(&o);
	} else
		snprintf(o.currency, sizeof(o.currency), "%s", want_cur);
	provider_call_offer(call, k, &o);
}

/* The parts of one match (its error already checked) as offers. */
static void
provider_nexar_match(struct provider_call *call, size_t k, const json_t *m,
    const char *want_cur)
{
	const json_t *parts, *part, *sellers, *seller, *offers, *jo;
	size_t i, j, l;

	parts = json_object_get(m, "parts");
	json_array_foreach(parts, i, part) {
		if (!provider_mpn_same(json_string_value(json_object_get(part,
		    "mpn")), provider_call_mpn(call, k)))
			continue;
		sellers = json_object_get(part, "sellers");
		json_array_foreach(sellers, j, seller) {
			offers = json_object_get(seller, "offers");
			json_array_foreach(offers, l, jo)
				provider_nexar_offer(call, k, part, seller, jo,
				    want_cur);
		}
	}
}

/*
 * GraphQL errors[]: PROVIDER_V_EXPIRED for an expired or missing token,
 * PROVIDER_V_DAY for a spent quota, else PROVIDER_V_OK with the first
 * message in why ("" when none).
 */
static enum provider_verdict
provider_nexar_errors(const json_t *errs, char *why, size_t len)
{
	const json_t *e;
	const char *msg, *code;
	size_t i;

	why[0] = '\0';
	json_array_foreach(errs, i, e) {
		msg = json_string_value(json_object_get(e, "message"));
		code = json_string_value(json_object_get(json_object_get(e,
		    "extensions"), "code"));
		if (why[0] == '\0')
			provider_reason(why, len, "graphql", msg != NULL ?
			    msg : code);
		if (str_contains_ci(code, "AuthExpiredToken") ||
		    str_contains_ci(msg, "AuthExpiredToken") ||
		    str_contains_ci(code, "AUTH_NOT_AUTHENTICATED") ||
		    (str_contains_ci(msg, "token") && str_contains_ci(msg,
		    "expired")))
			return PROVIDER_V_EXPIRED;
		if (str_contains_ci(msg, "exceeded") && (str_contains_ci(msg,
		    "limit") || str_contains_ci(msg, "quota")))
			return PROVIDER_V_DAY;
	}
	return PROVIDER_V_OK;
}

static enum provider_verdict
provider_nexar_answer(struct provider_call *call,
    const struct provider_src *src, long status, const json_t *body,
    char *why, size_t len)
{
	const json_t *matches, *m;
	const char *ref, *err, *cur;
	char gerr[PROVIDER_REASON_MAX + 16], msg[PROVIDER_REASON_MAX + 64];
	bool seen[PROVIDER_MAX_PER_CALL] = { false };
	enum provider_verdict v;
	int64_t k;
	size_t i;

	v = provider_nexar_errors(json_object_get(body, "errors"), gerr,
	    sizeof(gerr));
	if (status == 401 || status == 403) {
		snprintf(why, len, "http %ld%s%s", status, gerr[0] ? ": " : "",
		    gerr);
		return PROVIDER_V_EXPIRED;
	}
	if (status == 429) {
		snprintf(why, len, "http 429%s%s", gerr[0] ? ": " : "", gerr);
		return v == PROVIDER_V_DAY ? v : PROVIDER_V_RATE;
	}
	if (v != PROVIDER_V_OK) {
		snprintf(why, len, "%s", gerr);
		return v;
	}
	matches = json_object_get(json_object_get(body, "data"),
	    "supMultiMatch");
	if (status != 200 || !json_is_array(matches)) {
		snprintf(why, len, "http %ld%s%s", status, gerr[0] ? ": " : "",
		    gerr[0] ? gerr : status == 200 ? "no data" : "");
		return PROVIDER_V_FAILED;
	}
	cur = src->cfg.currency != NULL ? src->cfg.currency : "USD";
	json_array_foreach(matches, i, m) {
		ref = json_string_value(json_object_get(m, "reference"));
		if (ref == NULL || parse_i64(ref, 0, (int64_t)call->nidx - 1,
		    &k, NULL) == -1 || seen[k])
			continue;
		seen[k] = true;
		err = json_string_value(json_object_get(m, "error"));
		if (err != NULL && *err != '\0') {
			provider_reason(msg, sizeof(msg), "match", err);
			provider_call_fail(call, (size_t)k, msg);
			continue;
		}
		provider_nexar_match(call, (size_t)k, m, cur);
		provider_call_done(call, (size_t)k);
	}
	/* MPNs the answer left out: the GraphQL error, if any, says why */
	for (i = 0; i < call->nidx; i++)
		if (!seen[i])
			provider_call_fail(call, i, gerr[0] ? gerr :
			    "no match in the answer");
	return PROVIDER_V_OK;
}

const struct provider_ops provider_nexar_ops = {
	.id = PROVIDER_NEXAR,
	.oauth = true,
	.scope = "supply.domain",
	.per_call = PROVIDER_MAX_PER_CALL,
	.build = provider_nexar_build,
	.answer = provider_nexar_answer,
};

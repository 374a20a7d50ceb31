/*
 * DigiKey Product Information v4: KeywordSearch for one MPN per request
 * with a client-credentials token. Each ProductVariation is an offer of
 * its own (its DigiKey part number, packaging, MOQ, price breaks and the
 * stock of its package type, which variations share); marketplace
 * variations are third-party (broker) offers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offer_text.h"
#include "provider_digikey.h"
#include "provider_internal.h"

#define DIGIKEY_LIMIT		10	/* products per search */

/* A header "name: value" added to call's list. */
static void
provider_digikey_header(struct provider_call *call, const char *name,
    const char *value)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s: %s", name, value != NULL ? value : "");
	call->hdrs = curl_slist_append(call->hdrs, b.data);
	explicit_bzero(b.data, b.len);
	buf_free(&b);
}

static int
provider_digikey_build(struct provider_call *call,
    const struct provider_src *src, const char *token,
    const char *const *mpns, char *why, size_t len)
{
	json_t *req;
	struct buf b;

	(void)mpns;
	req = json_pack("{s:s, s:i, s:i}", "Keywords",
	    provider_call_mpn(call, 0), "Limit", DIGIKEY_LIMIT, "Offset", 0);
	if (req == NULL) {
		snprintf(why, len, "mpn is not UTF-8");
		return -1;
	}
	call->body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	buf_init(&b);
	buf_printf(&b, "%s/products/v4/search/keyword", src->cfg.base_url);
	call->url = buf_steal(&b);
	provider_digikey_header(call, "Content-Type", "application/json");
	provider_digikey_header(call, "Accept", "application/json");
	buf_init(&b);
	buf_printf(&b, "Bearer %s", token != NULL ? token : "");
	provider_digikey_header(call, "Authorization", b.data);
	explicit_bzero(b.data, b.len);
	buf_free(&b);
	provider_digikey_header(call, "X-DIGIKEY-Client-Id",
	    src->cfg.client_id);
	provider_digikey_header(call, "X-DIGIKEY-Locale-Site",
	    src->cfg.locale_site);
	provider_digikey_header(call, "X-DIGIKEY-Locale-Language",
	    src->cfg.locale_language);
	provider_digikey_header(call, "X-DIGIKEY-Locale-Currency",
	    src->cfg.currency);
	return 0;
}

/* The message of either error body: legacy or RFC 7807. */
static void
provider_digikey_message(const json_t *body, char *out, size_t len)
{
	const char *msg, *det;

	msg = json_string_value(json_object_get(body, "ErrorMessage"));
	det = json_string_value(json_object_get(body, "ErrorDetails"));
	if (msg == NULL) {
		msg = json_string_value(json_object_get(body, "detail"));
		det = json_string_value(json_object_get(body, "title"));
	}
	if (msg == NULL) {
		msg = json_string_value(json_object_get(body,
		    "error_description"));
		det = json_string_value(json_object_get(body, "error"));
	}
	snprintf(out, len, "%.*s%s%.*s", PROVIDER_REASON_MAX,
	    msg != NULL ? msg : "", msg != NULL && det != NULL ? " - " : "",
	    PROVIDER_REASON_MAX, det != NULL ? det : "");
}

static enum offer_lifecycle
provider_digikey_lifecycle(const json_t *p)
{
	const char *st = json_string_value(json_object_get(
	    json_object_get(p, "ProductStatus"), "Status"));

	if (json_is_true(json_object_get(p, "EndOfLife")) ||
	    str_contains_ci(st, "last time buy"))
		return OFFER_LIFECYCLE_EOL;
	if (json_is_true(json_object_get(p, "Discontinued")) ||
	    str_contains_ci(st, "obsolete") ||
	    str_contains_ci(st, "discontinued"))
		return OFFER_LIFECYCLE_OBSOLETE;
	if (str_contains_ci(st, "not for new designs"))
		return OFFER_LIFECYCLE_NRND;
	if (str_contains_ci(st, "active"))
		return OFFER_LIFECYCLE_ACTIVE;
	return OFFER_LIFECYCLE_UNKNOWN;
}

/* One ProductVariation as an offer of the call's MPN. */
static void
provider_digikey_variation(struct provider_call *call, const json_t *v,
    const struct offer *base)
{
	const json_t *pricing, *pb;
	const char *sku, *pkg, *seller;
	struct offer o;
	bool market;
	size_t i;

	sku = json_string_value(json_object_get(v, "DigiKeyProductNumber"));
	if (sku == NULL || *sku == '\0')
		return;
	o = *base;
	market = json_is_true(json_object_get(v, "MarketPlace"));
	seller = json_string_value(json_object_get(json_object_get(v,
	    "Supplier"), "Name"));
	o.sku = sku;
	o.supplier_id = market ? "digikey-marketplace" : "digikey";
	o.supplier_name = !market ? "DigiKey" : seller != NULL &&
	    *seller != '\0' ? seller : "DigiKey Marketplace";
	o.type = market ? SUPPLIER_BROKER : SUPPLIER_AUTHORIZED;
	o.stock = provider_json_int(json_object_get(v,
	    "QuantityAvailableforPackageType"), 0);
	if (o.stock < 0)
		o.stock = 0;
	o.moq = provider_json_int(json_object_get(v, "MinimumOrderQuantity"),
	    1);
	pkg = json_string_value(json_object_get(json_object_get(v,
	    "PackageType"), "Name"));
	snprintf(o.packaging, sizeof(o.packaging), "%s", pkg ? pkg : "");
	/* a full reel is sold in reels; cut tape and Digi-Reel by the piece */
	o.order_multiple = str_contains_ci(pkg, "Tape & Reel") ?
	    provider_json_int(json_object_get(v, "StandardPackage"), 1) : 1;
	if (o.moq < 1)
		o.moq = 1;
	if (o.order_multiple < 1)
		o.order_multiple = 1;
	pricing = json_object_get(v, "StandardPricing");
	o.breaks = xcalloc(json_array_size(pricing) + 1, sizeof(*o.breaks));
	json_array_foreach(pricing, i, pb) {
		o.breaks[o.nbreaks].qty = provider_json_int(json_object_get(pb,
		    "BreakQuantity"), 0);
		o.breaks[o.nbreaks].unit_micros = provider_json_micros(
		    json_object_get(pb, "UnitPrice"));
		o.nbreaks++;
	}
	provider_breaks_tidy(&o);
	provider_call_offer(call, 0, &o);
}

/* Every variation of product p (already matched) as offers. */
static void
provider_digikey_product(struct provider_call *call, const json_t *p,
    const char *currency)
{
	const json_t *vars, *v, *lead;
	const char *mfr, *ls;
	struct offer base;
	size_t i;

	memset(&base, 0, sizeof(base));
	mfr = json_string_value(json_object_get(json_object_get(p,
	    "Manufacturer"), "Name"));
	base.manufacturer = mfr != NULL ? mfr : "";
	snprintf(base.currency, sizeof(base.currency), "%s", currency);
	base.lifecycle = provider_digikey_lifecycle(p);
	base.rohs = provider_rohs(json_string_value(json_object_get(
	    json_object_get(p, "Classifications"), "RohsStatus")));
	/* a string of weeks; anything else is unknown */
	lead = json_object_get(p, "ManufacturerLeadWeeks");
	ls = json_string_value(lead);
	if (json_is_integer(lead))
		base.lead_time_days = json_integer_value(lead) * 7;
	else if (ls == NULL || offer_text_days(ls, 7, &base.lead_time_days,
	    NULL) == -1)
		base.lead_unknown = true;
	if (base.lead_time_days < 0 || base.lead_time_days > 3650) {
		base.lead_time_days = 0;
		base.lead_unknown = true;
	}
	vars = json_object_get(p, "ProductVariations");
	json_array_foreach(vars, i, v)
		provider_digikey_variation(call, v, &base);
}

static enum provider_verdict
provider_digikey_answer(struct provider_call *call,
    const struct provider_src *src, long status, const json_t *body,
    char *why, size_t len)
{
	const json_t *list, *p;
	const char *cur, *mpn = provider_call_mpn(call, 0);
	char msg[2 * PROVIDER_REASON_MAX + 8];
	size_t i;

	provider_digikey_message(body, msg, sizeof(msg));
	if (status == 401 || status == 403) {
		snprintf(why, len, "http %ld: %s", status, msg);
		if (str_contains_ci(msg, "expired"))
			return PROVIDER_V_EXPIRED;
		if (str_contains_ci(msg, "invalid client") ||
		    str_contains_ci(msg, "invalid_client") ||
		    str_contains_ci(msg, "clientid") ||
		    str_contains_ci(msg, "client id") ||
		    str_contains_ci(msg, "subscribed"))
			return PROVIDER_V_CONFIG;
		return status == 401 ? PROVIDER_V_EXPIRED : PROVIDER_V_FAILED;
	}
	if (status == 429) {
		snprintf(why, len, "http 429%s%s", msg[0] ? ": " : "", msg);
		return call->day_remaining == 0 ||
		    str_contains_ci(msg, "daily") ||
		    str_contains_ci(msg, "per day") ? PROVIDER_V_DAY :
		    PROVIDER_V_RATE;
	}
	if (status != 200 || !json_is_object(body)) {
		snprintf(why, len, "http %ld%s%s", status, msg[0] ? ": " : "",
		    msg);
		return PROVIDER_V_FAILED;
	}
	/* the currency DigiKey used, which the locale may have overridden */
	cur = json_string_value(json_object_get(json_object_get(body,
	    "SearchLocaleUsed"), "Currency"));
	if (cur == NULL || strlen(cur) != 3)
		cur = src->cfg.currency != NULL ? src->cfg.currency : "USD";
	list = json_object_get(body, "ExactMatches");
	if (json_array_size(list) == 0)
		list = json_object_get(body, "Products");
	json_array_foreach(list, i, p)
		if (provider_mpn_same(json_string_value(json_object_get(p,
		    "ManufacturerProductNumber")), mpn))
			provider_digikey_product(call, p, cur);
	provider_call_done(call, 0);
	return PROVIDER_V_OK;
}

const struct provider_ops provider_digikey_ops = {
	.id = PROVIDER_DIGIKEY,
	.oauth = true,
	.per_call = 1,
	.build = provider_digikey_build,
	.answer = provider_digikey_answer,
};

/*
 * Mock DigiKey (Product Information v4 and its OAuth token), Mouser
 * (Search API v1) and Nexar (identity token and supply GraphQL) on one
 * 127.0.0.1 port for tests. Every request's contract is checked (method,
 * path, headers, body, credentials: a breach is 400 {"contract": why});
 * faults are scripted per API; one JSON log line per request. The server
 * itself is tests/tools/mock_http.c.
 *
 * usage: mock_distributors [--port N] [--script FILE] [--log FILE]
 *                          [--hang-ms N] [--token-ttl S]
 * --port 0 (the default) picks a free port and prints "port=N".
 *
 * Credentials: DigiKey "dk-client-id"/"dk-client-secret", Mouser key
 * "mouser-test-key", Nexar "nx-client-id"/"nx-client-secret". Tokens
 * last --token-ttl seconds (default 600).
 *
 * Script: "API FAULT" per line, consumed in order by that API's requests
 * (API: digikey, digikey_token, mouser, nexar, nexar_token); then "ok".
 * Faults for every API: ok, hang (--hang-ms, then ok), html (200, an
 * HTML page), truncated (200, half a body), 429 (Retry-After: 1),
 * 429_noretry, 429_day (the daily limit: DigiKey 429 with
 * X-RateLimit-Remaining: 0, Mouser Errors[] on 200, Nexar errors[]),
 * NNN (that status). DigiKey: 401_expired (legacy body; every token is
 * revoked), 401_expired7807 (RFC 7807 body), 401_invalid_client,
 * 401_not_subscribed, locale_usd (answers USD whatever was asked).
 * Mouser: errors200, badkey. Nexar: expired (errors[] AuthExpiredToken,
 * tokens revoked), partial (the first match has an error), gql_partial
 * (errors[] and only the first match). Tokens: 401_invalid_client, 500.
 *
 * The catalogue is made up from the MPN: "NOSUCH*" is unknown; an MPN
 * with "MKT" has a DigiKey marketplace variation; Mouser answers "EUR",
 * "SEK" and "CNY" MPNs in those currencies' formats.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <pthread.h>

#include <jansson.h>
#include <microhttpd.h>

#include "mock_http.h"
#include "util.h"

#define MOCK_TOKENS_MAX		256
#define DK_ID			"dk-client-id"
#define DK_SECRET		"dk-client-secret"
#define MOUSER_KEY		"mouser-test-key"
#define NX_ID			"nx-client-id"
#define NX_SECRET		"nx-client-secret"

/* An OAuth client of a token endpoint, and the API its tokens are for. */
struct mock_client {
	const char	*api;
	const char	*id;
	const char	*secret;
	const char	*scope;		/* NULL: none is asked for */
};

/* One request being answered. */
struct mreq {
	struct MHD_Connection	*con;
	const char		*api;
	const struct mock_client *client;	/* a token endpoint's */
	const char		*fault;
	long			 slot;		/* the fault's script line */
	const char		*body;
	size_t			 len;
	json_t			*log;
};

struct mock_token {
	char	tok[40];
	char	api[16];
	time_t	expires;
};

static pthread_mutex_t		mock_lock = PTHREAD_MUTEX_INITIALIZER;
static long			mock_hang_ms = 5000;
static long			mock_token_ttl = 600;
static struct mock_token	mock_tokens[MOCK_TOKENS_MAX];
static unsigned long		mock_seq;

/* A request refused for its token leaves its fault to the next one. */
static void
mock_unfault(struct mreq *q)
{
	mock_http_fault_untake(q->slot);
	q->slot = -1;
}

/* Answers len bytes of body with status, logging the entry. */
static enum MHD_Result
mock_reply(struct mreq *q, unsigned int status, const char *ctype,
    const char *body, size_t len, const char *const *hdrs)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	json_object_set_new(q->log, "status", json_integer(status));
	mock_http_log(json_incref(q->log));
	resp = MHD_create_response_from_buffer(len, (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(resp, "Content-Type", ctype);
	for (; hdrs != NULL && hdrs[0] != NULL; hdrs += 2)
		MHD_add_response_header(resp, hdrs[0], hdrs[1]);
	ret = MHD_queue_response(q->con, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Answers v (taken over) as JSON, or half of it for "truncated". */
static enum MHD_Result
mock_json(struct mreq *q, unsigned int status, json_t *v,
    const char *const *hdrs)
{
	enum MHD_Result ret;
	char *s = json_dumps(v, JSON_COMPACT);
	size_t n;

	json_decref(v);
	if (s == NULL)
		return MHD_NO;
	n = strlen(s);
	if (strcmp(q->fault, "truncated") == 0)
		n /= 2;
	ret = mock_reply(q, status, "application/json", s, n, hdrs);
	free(s);
	return ret;
}

static enum MHD_Result
mock_contract(struct mreq *q, const char *why)
{
	json_object_set_new(q->log, "contract", json_string(why));
	return mock_json(q, 400, json_pack("{s:s}", "contract", why), NULL);
}

static const char *
mock_header(struct mreq *q, const char *name)
{
	return MHD_lookup_connection_value(q->con, MHD_HEADER_KIND, name);
}

/* The faults every API shares: true when one was answered in *ret. */
static bool
mock_common_fault(struct mreq *q, enum MHD_Result *ret)
{
	static const char html[] = "<html><body><h1>503 Service "
	    "Unavailable</h1></body></html>";
	static const char *const ra1[] = { "Retry-After", "1", NULL };
	const char *f = q->fault;
	int64_t code;

	if (strcmp(f, "hang") == 0) {
		mock_http_sleep_ms(mock_hang_ms);
		return false;
	}
	if (strcmp(f, "html") == 0) {
		*ret = mock_reply(q, 200, "text/html", html, strlen(html),
		    NULL);
		return true;
	}
	if (strcmp(f, "429") == 0 || strcmp(f, "429_noretry") == 0) {
		*ret = mock_json(q, 429, json_pack("{s:s}", "message",
		    "Too many requests"), f[3] == '\0' ? ra1 : NULL);
		return true;
	}
	if (parse_i64(f, 100, 599, &code, NULL) == 0) {
		if (code >= 500)
			*ret = mock_reply(q, (unsigned int)code, "text/html",
			    html, strlen(html), NULL);
		else
			*ret = mock_json(q, (unsigned int)code, json_pack(
			    "{s:s}", "message", "scripted error"), NULL);
		return true;
	}
	return false;
}

/* A deterministic price in micro-units for an MPN (0.10 to 1.09). */
static int64_t
mock_price(const char *mpn)
{
	uint32_t h = 2166136261u;

	for (; *mpn != '\0'; mpn++)
		h = (h ^ (unsigned char)*mpn) * 16777619u;
	return 100000 + (int64_t)(h % 100) * 10000;
}

static double
mock_units(int64_t micros)
{
	return (double)micros / 1e6;
}

static void
mock_token_new(const char *api, char *out, size_t len)
{
	size_t i, slot = 0;
	time_t now = time(NULL);

	pthread_mutex_lock(&mock_lock);
	mock_seq++;
	snprintf(out, len, "%s-tok-%lu", api, mock_seq);
	for (i = 0; i < MOCK_TOKENS_MAX; i++)
		if (mock_tokens[i].tok[0] == '\0' ||
		    mock_tokens[i].expires < now) {
			slot = i;
			break;
		}
	snprintf(mock_tokens[slot].tok, sizeof(mock_tokens[slot].tok), "%s",
	    out);
	snprintf(mock_tokens[slot].api, sizeof(mock_tokens[slot].api), "%s",
	    api);
	mock_tokens[slot].expires = now + mock_token_ttl;
	pthread_mutex_unlock(&mock_lock);
}

/* True when "Bearer T" carries a live token of api. */
static bool
mock_token_ok(const char *auth, const char *api)
{
	time_t now = time(NULL);
	bool ok = false;
	size_t i;

	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0)
		return false;
	pthread_mutex_lock(&mock_lock);
	for (i = 0; i < MOCK_TOKENS_MAX; i++)
		if (strcmp(mock_tokens[i].tok, auth + 7) == 0 &&
		    strcmp(mock_tokens[i].api, api) == 0 &&
		    mock_tokens[i].expires >= now)
			ok = true;
	pthread_mutex_unlock(&mock_lock);
	return ok;
}

static void
mock_token_revoke(const char *api)
{
	size_t i;

	pthread_mutex_lock(&mock_lock);
	for (i = 0; i < MOCK_TOKENS_MAX; i++)
		if (strcmp(mock_tokens[i].api, api) == 0)
			mock_tokens[i].tok[0] = '\0';
	pthread_mutex_unlock(&mock_lock);
}

/* A field of an x-www-form-urlencoded body, decoded into out. */
static bool
mock_form(const char *body, const char *name, char *out, size_t len)
{
	size_t k = strlen(name), n = 0;
	const char *p = body;
	char hex[3];

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, k) == 0 && p[k] == '=') {
			for (p += k + 1; *p != '\0' && *p != '&' &&
			    n + 1 < len; p++) {
				if (*p == '%' && p[1] && p[2]) {
					memcpy(hex, p + 1, 2);
					hex[2] = '\0';
					out[n++] = (char)strtol(hex, NULL, 16);
					p += 2;
				} else
					out[n++] = *p == '+' ? ' ' : *p;
			}
			out[n] = '\0';
			return true;
		}
		if ((p = strchr(p, '&')) != NULL)
			p++;
	}
	return false;
}

/* POST /v1/oauth2/token (DigiKey) and /connect/token (Nexar). */
static enum MHD_Result
mock_token(struct mreq *q)
{
	const char *scope = q->client->scope;
	const char *ct = mock_header(q, "Content-Type");
	char v[256], tok[40];
	enum MHD_Result ret;

	if (ct == NULL || strncmp(ct, "application/x-www-form-urlencoded",
	    33) != 0)
		return mock_contract(q, "token: not a form body");
	if (MHD_lookup_connection_value(q->con, MHD_GET_ARGUMENT_KIND,
	    "client_secret") != NULL)
		return mock_contract(q, "token: secret in the query string");
	if (!mock_form(q->body, "grant_type", v, sizeof(v)) ||
	    strcmp(v, "client_credentials") != 0)
		return mock_contract(q, "token: grant_type");
	if (scope != NULL && (!mock_form(q->body, "scope", v, sizeof(v)) ||
	    strcmp(v, scope) != 0))
		return mock_contract(q, "token: scope");
	if (mock_common_fault(q, &ret))
		return ret;
	if (strcmp(q->fault, "401_invalid_client") == 0 ||
	    !mock_form(q->body, "client_id", v, sizeof(v)) ||
	    strcmp(v, q->client->id) != 0 || !mock_form(q->body,
	    "client_secret", v, sizeof(v)) ||
	    strcmp(v, q->client->secret) != 0)
		return mock_json(q, 401, json_pack("{s:s, s:s}", "error",
		    "invalid_client", "error_description", "The client "
		    "credentials are invalid"), NULL);
	mock_token_new(q->client->api, tok, sizeof(tok));
	json_object_set_new(q->log, "token", json_string(tok));
	return mock_json(q, 200, json_pack("{s:s, s:I, s:s, s:s?}",
	    "access_token", tok, "expires_in", (json_int_t)mock_token_ttl,
	    "token_type", "Bearer", "scope", scope), NULL);
}

static json_t *
mock_dk_variation(const char *sku, const char *pkg, int64_t moq,
    int64_t stock, int64_t std, int64_t price, bool market)
{
	json_t *pricing = json_array();

	if (moq <= 1) {
		json_array_append_new(pricing, json_pack("{s:i, s:f, s:f}",
		    "BreakQuantity", 1, "UnitPrice", mock_units(price),
		    "TotalPrice", mock_units(price)));
		json_array_append_new(pricing, json_pack("{s:i, s:f, s:f}",
		    "BreakQuantity", 10, "UnitPrice", mock_units(price * 8 /
		    10), "TotalPrice", 10 * mock_units(price * 8 / 10)));
		json_array_append_new(pricing, json_pack("{s:i, s:f, s:f}",
		    "BreakQuantity", 100, "UnitPrice", mock_units(price * 6 /
		    10), "TotalPrice", 100 * mock_units(price * 6 / 10)));
	} else
		json_array_append_new(pricing, json_pack("{s:I, s:f, s:f}",
		    "BreakQuantity", (json_int_t)moq, "UnitPrice",
		    mock_units(price / 2), "TotalPrice", (double)moq *
		    mock_units(price / 2)));
	return json_pack("{s:s, s:{s:i, s:s}, s:o, s:[], s:b, s:b, "
	    "s:{s:i, s:s}, s:I, s:I, s:I, s:I}", "DigiKeyProductNumber", sku,
	    "PackageType", "Id", 1, "Name", pkg, "StandardPricing", pricing,
	    "MyPricing", "MarketPlace", market, "TariffActive", 0,
	    "Supplier", "Id", market ? 9 : 1, "Name", market ?
	    "Rochester Electronics" : "Digi-Key", "QuantityAvailableforPackageType",
	    (json_int_t)stock, "MaxQuantityForDistribution", (json_int_t)0,
	    "MinimumOrderQuantity", (json_int_t)moq, "StandardPackage",
	    (json_int_t)std);
}

static json_t *
mock_dk_product(const char *mpn)
{
	json_t *vars = json_array();
	char sku[3][160];
	int64_t price = mock_price(mpn);

	snprintf(sku[0], sizeof(sku[0]), "%s-TR-ND", mpn);
	snprintf(sku[1], sizeof(sku[1]), "%s-CT-ND", mpn);
	snprintf(sku[2], sizeof(sku[2]), "%s-DKR-ND", mpn);
	json_array_append_new(vars, mock_dk_variation(sku[0],
	    "Tape & Reel (TR)", 3000, 9000, 3000, price, false));
	json_array_append_new(vars, mock_dk_variation(sku[1],
	    "Cut Tape (CT)", 1, 12000, 3000, price, false));
	json_array_append_new(vars, mock_dk_variation(sku[2],
	    "Digi-Reel\xc2\xae", 1, 12000, 3000, price, false));
	if (strstr(mpn, "MKT") != NULL) {
		snprintf(sku[0], sizeof(sku[0]), "%s-MKT", mpn);
		json_array_append_new(vars, mock_dk_variation(sku[0],
		    "Bulk", 1, 500, 1, price * 2, true));
	}
	return json_pack("{s:{s:s, s:s}, s:{s:i, s:s}, s:s, s:f, s:o, "
	    "s:I, s:{s:i, s:s}, s:b, s:b, s:{s:s, s:s}, s:s}",
	    "Description", "ProductDescription", "MOCK PART",
	    "DetailedDescription", "A part the mock made up",
	    "Manufacturer", "Id", 1, "Name", "Mock Semi",
	    "ManufacturerProductNumber", mpn, "UnitPrice", mock_units(price),
	    "ProductVariations", vars, "QuantityAvailable",
	    (json_int_t)21000, "ProductStatus", "Id", 0, "Status", "Active",
	    "Discontinued", 0, "EndOfLife", 0, "Classifications",
	    "RohsStatus", "ROHS3 Compliant", "ReachStatus", "REACH "
	    "Unaffected", "ManufacturerLeadWeeks", "12");
}

static enum MHD_Result
mock_digikey(struct mreq *q)
{
	static const char *const day[] = { "Retry-After", "3600",
	    "X-RateLimit-Remaining", "0", "X-BurstLimit-Remaining", "100",
	    NULL };
	const char *auth = mock_header(q, "Authorization");
	const char *cur = mock_header(q, "X-DIGIKEY-Locale-Currency");
	const char *site = mock_header(q, "X-DIGIKEY-Locale-Site");
	const char *lang = mock_header(q, "X-DIGIKEY-Locale-Language");
	const char *id = mock_header(q, "X-DIGIKEY-Client-Id");
	const char *ct = mock_header(q, "Content-Type");
	const char *kw, *f = q->fault;
	json_t *req, *products;
	enum MHD_Result ret;

	if (ct == NULL || strncmp(ct, "application/json", 16) != 0)
		return mock_contract(q, "digikey: Content-Type");
	if (id == NULL || strcmp(id, DK_ID) != 0)
		return mock_contract(q, "digikey: X-DIGIKEY-Client-Id");
	if (cur == NULL || site == NULL || lang == NULL)
		return mock_contract(q, "digikey: locale headers");
	if ((req = json_loadb(q->body, q->len, 0, NULL)) == NULL)
		return mock_contract(q, "digikey: body is not JSON");
	kw = json_string_value(json_object_get(req, "Keywords"));
	if (kw == NULL || *kw == '\0' || json_object_get(req,
	    "ManufacturerPartNumber") != NULL ||
	    !json_is_integer(json_object_get(req, "Limit"))) {
		json_decref(req);
		return mock_contract(q, "digikey: v4 body {Keywords, Limit}");
	}
	json_object_set_new(q->log, "mpns", json_pack("[s]", kw));
	if (strcmp(f, "401_expired") == 0)
		mock_token_revoke("digikey");
	if (strcmp(f, "401_expired") == 0 || !mock_token_ok(auth,
	    "digikey")) {
		if (strcmp(f, "401_expired") != 0)
			mock_unfault(q);
		json_decref(req);
		return mock_json(q, 401, json_pack("{s:s, s:i, s:s, s:s, s:s}",
		    "ErrorResponseVersion", "3.0.0.0", "StatusCode", 401,
		    "ErrorMessage", "Bearer token  expired", "ErrorDetails",
		    "The Bearer token has expired", "RequestId", "mock"),
		    NULL);
	}
	ret = MHD_NO;
	if (strcmp(f, "401_expired7807") == 0)
		ret = mock_json(q, 401, json_pack("{s:s, s:s, s:i, s:s}",
		    "type", "https://tools.ietf.org/html/rfc7235#section-3.1",
		    "title", "Unauthorized", "status", 401, "detail",
		    "The Bearer token is expired."), NULL);
	else if (strcmp(f, "401_invalid_client") == 0)
		ret = mock_json(q, 401, json_pack("{s:s, s:s, s:s}",
		    "ErrorMessage", "Invalid clientId", "ErrorDetails",
		    "The client id is not valid", "RequestId", "mock"), NULL);
	else if (strcmp(f, "401_not_subscribed") == 0)
		ret = mock_json(q, 401, json_pack("{s:s, s:i, s:s}", "title",
		    "Unauthorized", "status", 401, "detail", "The client is "
		    "not subscribed to this API product"), NULL);
	else if (strcmp(f, "429_day") == 0)
		ret = mock_json(q, 429, json_pack("{s:s, s:s}", "ErrorMessage",
		    "Daily Ratelimit exceeded", "ErrorDetails", "Try again "
		    "tomorrow"), day);
	else if (mock_common_fault(q, &ret))
		;
	else {
		products = json_array();
		if (strncmp(kw, "NOSUCH", 6) != 0)
			json_array_append_new(products, mock_dk_product(kw));
		if (strcmp(f, "locale_usd") == 0)
			cur = "USD";
		ret = mock_json(q, 200, json_pack("{s:o, s:I, s:[], s:{}, "
		    "s:{s:s, s:s, s:s}, s:[]}", "Products", products,
		    "ProductsCount", (json_int_t)json_array_size(products),
		    "ExactMatches", "FilterOptions", "SearchLocaleUsed",
		    "Site", site, "Language", lang, "Currency", cur,
		    "AppliedParametricFiltersDto"), NULL);
	}
	json_decref(req);
	return ret;
}

static json_t *
mock_mouser_part(const char *mpn, const char *as)
{
	int64_t p = mock_price(mpn);
	json_t *pbs = json_array();
	char sku[160], a[64], b[64], c[64];
	const char *cur = "USD", *avail = "6178 In Stock", *stock = "6178";

	if (strstr(mpn, "EUR") != NULL) {
		cur = "EUR";
		snprintf(a, sizeof(a), "%lld,%02lld \xe2\x82\xac",
		    (long long)(p / 1000000), (long long)(p % 1000000 / 10000));
		snprintf(b, sizeof(b), "0,05 \xe2\x82\xac");
		snprintf(c, sizeof(c), "1.234,56 \xe2\x82\xac");
		avail = "1.234 In Stock";
		stock = NULL;
	} else if (strstr(mpn, "SEK") != NULL) {
		cur = "SEK";
		snprintf(a, sizeof(a), "7,20 kr");
		snprintf(b, sizeof(b), "6,85 kr");
		snprintf(c, sizeof(c), "6\xc2\xa0" "817,20 kr");
		avail = "12\xc2\xa0" "345 In Stock";
		stock = NULL;
	} else if (strstr(mpn, "CNY") != NULL) {
		cur = "CNY";
		snprintf(a, sizeof(a), "\xc2\xa5" "32.8");
		snprintf(b, sizeof(b), "\xc2\xa5" "30.1");
		snprintf(c, sizeof(c), "\xc2\xa5" "28");
	} else {
		snprintf(a, sizeof(a), "$%lld.%06lld", (long long)(p / 1000000),
		    (long long)(p % 1000000));
		snprintf(b, sizeof(b), "$0.05");
		snprintf(c, sizeof(c), "$0.01");
	}
	json_array_append_new(pbs, json_pack("{s:i, s:s, s:s}", "Quantity", 1,
	    "Price", a, "Currency", cur));
	json_array_append_new(pbs, json_pack("{s:i, s:s, s:s}", "Quantity",
	    100, "Price", b, "Currency", cur));
	json_array_append_new(pbs, json_pack("{s:i, s:s, s:s}", "Quantity",
	    1000, "Price", c, "Currency", cur));
	snprintf(sku, sizeof(sku), "595-%s", as);
	return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:n, s:s, s:o, s:b}", "ManufacturerPartNumber", as,
	    "Manufacturer", "Mock Semi", "AvailabilityInStock", stock,
	    "Availability", avail, "LeadTime", "42 Days", "Min", "1", "Mult",
	    "1", "MouserPartNumber", sku, "Description", "MOCK PART",
	    "LifecycleStatus", "ROHSStatus", "RoHS Compliant", "PriceBreaks",
	    pbs, "Reeling", 0);
}

static enum MHD_Result
mock_mouser(struct mreq *q)
{
	const char *key = MHD_lookup_connection_value(q->con,
	    MHD_GET_ARGUMENT_KIND, "apiKey");
	const char *ct = mock_header(q, "Content-Type");
	const char *pn, *opt, *f = q->fault, *s, *bar;
	json_t *req, *parts, *mpns;
	enum MHD_Result ret;
	char one[256], other[300];
	size_t n;

	if (ct == NULL || strncmp(ct, "application/json", 16) != 0)
		return mock_contract(q, "mouser: Content-Type");
	if ((req = json_loadb(q->body, q->len, 0, NULL)) == NULL)
		return mock_contract(q, "mouser: body is not JSON");
	pn = json_string_value(json_object_get(json_object_get(req,
	    "SearchByPartRequest"), "mouserPartNumber"));
	opt = json_string_value(json_object_get(json_object_get(req,
	    "SearchByPartRequest"), "partSearchOptions"));
	if (pn == NULL || *pn == '\0' || opt == NULL ||
	    strcmp(opt, "Exact") != 0) {
		json_decref(req);
		return mock_contract(q, "mouser: SearchByPartRequest with "
		    "partSearchOptions Exact");
	}
	mpns = json_array();
	parts = json_array();
	for (s = pn, n = 0; s != NULL; s = bar ? bar + 1 : NULL, n++) {
		bar = strchr(s, '|');
		snprintf(one, sizeof(one), "%.*s", (int)(bar ? (size_t)(bar -
		    s) : strlen(s)), s);
		json_array_append_new(mpns, json_string(one));
		if (strncmp(one, "NOSUCH", 6) == 0)
			continue;
		json_array_append_new(parts, mock_mouser_part(one, one));
		/* a near miss the client must drop */
		snprintf(other, sizeof(other), "%sX", one);
		json_array_append_new(parts, mock_mouser_part(one, other));
	}
	json_object_set_new(q->log, "mpns", mpns);
	json_decref(req);
	if (n > 10) {
		json_decref(parts);
		return mock_contract(q, "mouser: more than 10 part numbers");
	}
	if (strcmp(f, "badkey") == 0 || key == NULL ||
	    strcmp(key, MOUSER_KEY) != 0) {
		json_decref(parts);
		return mock_json(q, 200, json_pack("{s:[{s:i, s:s, s:s, s:s, "
		    "s:n, s:n, s:s}], s:n}", "Errors", "Id", 0, "Code",
		    "Invalid", "Message", "Invalid unique identifier.",
		    "ResourceKey", "InvalidIdentifier", "ResourceFormatString",
		    "ResourceFormatString2", "PropertyName", "API Key",
		    "SearchResults"), NULL);
	}
	if (strcmp(f, "errors200") == 0 || strcmp(f, "429_day") == 0) {
		json_decref(parts);
		return mock_json(q, 200, json_pack("{s:[{s:i, s:s, s:s, s:s}], "
		    "s:n}", "Errors", "Id", 0, "Code", f[0] == 'e' ?
		    "InvalidCharacters" : "TooManyRequests", "Message", f[0] ==
		    'e' ? "The part number contains invalid characters" :
		    "Maximum calls per day exceeded", "PropertyName",
		    "mouserPartNumber", "SearchResults"), NULL);
	}
	if (mock_common_fault(q, &ret)) {
		json_decref(parts);
		return ret;
	}
	return mock_json(q, 200, json_pack("{s:[], s:{s:I, s:o}}", "Errors",
	    "SearchResults", "NumberOfResult",
	    (json_int_t)json_array_size(parts), "Parts", parts), NULL);
}

static json_t *
mock_nx_part(const char *mpn)
{
	int64_t p = mock_price(mpn);
	char sku[160];

	snprintf(sku, sizeof(sku), "%s-CT-ND", mpn);
	return json_pack("{s:s, s:{s:s}, s:[{s:{s:s, s:s}, s:b, s:b, "
	    "s:[{s:s, s:i, s:i, s:i, s:s, s:i, s:[{s:i, s:f, s:s}, "
	    "{s:i, s:f, s:s}, {s:i, s:f, s:s}]}]}, {s:{s:s, s:s}, s:b, s:b, "
	    "s:[{s:s, s:i, s:n, s:n, s:n, s:n, s:[{s:i, s:f, s:s}]}]}]}",
	    "mpn", mpn, "manufacturer", "name", "Mock Semi", "sellers",
	    "company", "id", "459", "name", "Digi-Key", "isAuthorized", 1,
	    "isBroker", 0, "offers", "sku", sku, "inventoryLevel", 12000,
	    "moq", 1, "orderMultiple", 1, "packaging", "Cut Tape",
	    "factoryLeadDays", 84, "prices", "quantity", 1, "price",
	    mock_units(p), "currency", "USD", "quantity", 1, "price",
	    mock_units(p * 9 / 10), "currency", "EUR", "quantity", 100,
	    "price", mock_units(p * 6 / 10), "currency", "USD",
	    "company", "id", "9999", "name", "Chip Broker Ltd",
	    "isAuthorized", 0, "isBroker", 1, "offers", "sku", "",
	    "inventoryLevel", 300, "moq", "orderMultiple", "packaging",
	    "factoryLeadDays", "prices", "quantity", 1, "price",
	    mock_units(p * 3 / 2), "currency", "USD");
}

static enum MHD_Result
mock_nexar(struct mreq *q)
{
	const char *auth = mock_header(q, "Authorization");
	const char *ct = mock_header(q, "Content-Type");
	const char *query, *mpn, *ref, *f = q->fault;
	json_t *req, *qs, *qq, *matches, *parts, *errs = NULL, *mpns;
	enum MHD_Result ret;
	size_t i;

	if (ct == NULL || strncmp(ct, "application/json", 16) != 0)
		return mock_contract(q, "nexar: Content-Type");
	if ((req = json_loadb(q->body, q->len, 0, NULL)) == NULL)
		return mock_contract(q, "nexar: body is not JSON");
	query = json_string_value(json_object_get(req, "query"));
	qs = json_object_get(json_object_get(req, "variables"), "queries");
	if (query == NULL || strstr(query, "supMultiMatch") == NULL ||
	    !json_is_array(qs) || json_array_size(qs) == 0 ||
	    json_array_size(qs) > 50) {
		json_decref(req);
		return mock_contract(q, "nexar: supMultiMatch with queries");
	}
	mpns = json_array();
	json_array_foreach(qs, i, qq) {
		if (!json_is_string(json_object_get(qq, "mpn")) ||
		    !json_is_integer(json_object_get(qq, "limit"))) {
			json_decref(mpns);
			json_decref(req);
			return mock_contract(q, "nexar: each query needs mpn "
			    "and limit");
		}
		json_array_append(mpns, json_object_get(qq, "mpn"));
	}
	json_object_set_new(q->log, "mpns", mpns);
	if (strcmp(f, "expired") == 0)
		mock_token_revoke("nexar");
	if (!mock_token_ok(auth, "nexar")) {
		if (strcmp(f, "expired") != 0)
			mock_unfault(q);
		json_decref(req);
		return mock_json(q, 200, json_pack("{s:[{s:s, s:{s:s}}], "
		    "s:{s:n}}", "errors", "message", "The access token has "
		    "expired", "extensions", "code", "AuthExpiredToken",
		    "data", "supMultiMatch"), NULL);
	}
	if (strcmp(f, "429_day") == 0) {
		json_decref(req);
		return mock_json(q, 200, json_pack("{s:[{s:s}], s:{s:n}}",
		    "errors", "message", "You have exceeded your part limit",
		    "data", "supMultiMatch"), NULL);
	}
	if (mock_common_fault(q, &ret)) {
		json_decref(req);
		return ret;
	}
	matches = json_array();
	json_array_foreach(qs, i, qq) {
		mpn = json_string_value(json_object_get(qq, "mpn"));
		ref = json_string_value(json_object_get(qq, "reference"));
		if (strcmp(f, "gql_partial") == 0 && i > 0)
			break;
		parts = json_array();
		if (strncmp(mpn, "NOSUCH", 6) != 0 &&
		    json_integer_value(json_object_get(qq, "limit")) > 0)
			json_array_append_new(parts, mock_nx_part(mpn));
		json_array_append_new(matches, json_pack("{s:s?, s:I, s:s?, "
		    "s:o}", "reference", ref, "hits",
		    (json_int_t)json_array_size(parts), "error",
		    strcmp(f, "partial") == 0 && i == 0 ? "Query timed out" :
		    NULL, "parts", parts));
	}
	if (strcmp(f, "gql_partial") == 0)
		errs = json_pack("[{s:s}]", "message", "Service partially "
		    "unavailable");
	json_decref(req);
	return mock_json(q, 200, json_pack("{s:{s:o}, s:o?}", "data",
	    "supMultiMatch", matches, "errors", errs), NULL);
}

static const struct mock_client mock_dk_client = {
	"digikey", DK_ID, DK_SECRET, NULL
};
static const struct mock_client mock_nx_client = {
	"nexar", NX_ID, NX_SECRET, "supply.domain"
};

/*
 * Each API by its path: the name its faults and log lines go by, what
 * answers it, and for a token endpoint the client it knows.
 */
static const struct mock_api {
	const char	*path;
	const char	*api;
	enum MHD_Result	(*fn)(struct mreq *);
	const struct mock_client *client;
} mock_apis[] = {
	{ "/v1/oauth2/token", "digikey_token", mock_token, &mock_dk_client },
	{ "/products/v4/search/keyword", "digikey", mock_digikey, NULL },
	{ "/api/v1/search/partnumber", "mouser", mock_mouser, NULL },
	{ "/connect/token", "nexar_token", mock_token, &mock_nx_client },
	{ "/graphql", "nexar", mock_nexar, NULL },
};

static enum MHD_Result
mock_route(struct mock_http_request *req)
{
	const struct mock_api *a = NULL;
	struct mreq q;
	enum MHD_Result ret;
	size_t i;

	memset(&q, 0, sizeof(q));
	q.con = req->con;
	q.body = req->body;
	q.len = req->len;
	q.slot = -1;
	for (i = 0; i < sizeof(mock_apis) / sizeof(mock_apis[0]); i++)
		if (strcmp(req->path, mock_apis[i].path) == 0)
			a = &mock_apis[i];
	if (a != NULL) {
		q.api = a->api;
		q.client = a->client;
	}
	q.log = json_pack("{s:s, s:s}", "api", q.api ? q.api : "none",
	    "path", req->path);
	if (strcmp(req->method, "POST") != 0) {
		q.fault = "ok";
		ret = mock_contract(&q, "method must be POST");
		json_decref(q.log);
		return ret;
	}
	if (q.api == NULL) {
		q.fault = "ok";
		ret = mock_json(&q, 404, json_pack("{s:s}", "message",
		    "no such path"), NULL);
		json_decref(q.log);
		return ret;
	}
	q.fault = mock_http_fault(q.api, &q.slot);
	json_object_set_new(q.log, "fault", json_string(q.fault));
	ret = a->fn(&q);
	json_decref(q.log);
	return ret;
}

/* Takes a script line, "API FAULT"; anything else is passed over. */
static int
mock_script_line(const char *line)
{
	char api[64], fault[64];

	if (sscanf(line, "%63s %63s", api, fault) == 2)
		mock_http_fault_add(api, fault);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct mock_http_number_opt numbers[] = {
		{ "hang-ms", 600000, &mock_hang_ms },
		{ "token-ttl", 86400, &mock_token_ttl },
		{ NULL, 0, NULL }
	};
	static const struct mock_http_server srv = {
		"mock_distributors", numbers, NULL, mock_script_line, mock_route
	};

	return mock_http_main(&srv, argc, argv);
}

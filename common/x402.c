/*
 * x402 v1 for the seller: requirements, the X-PAYMENT payload checks and
 * the facilitator client; see x402.h. The payload goes to the facilitator
 * exactly as the buyer sent it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "http_fetch.h"
#include "log.h"
#include "util.h"
#include "x402.h"

#define X402_UINT256_DIGITS	78
#define X402_SIG_MAX		8192	/* hex digits; contract wallets: long */
#define X402_URL_MAX		2048

void
x402_config_defaults(struct x402_config *out)
{
	memset(out, 0, sizeof(*out));
	out->connect_timeout_ms = 5000;
	out->verify_timeout_ms = 10000;
	out->settle_timeout_ms = 30000;
	out->max_bytes = 64 * 1024;
}

int
x402_price_atomic(const char *price, int decimals, char *out, size_t len,
    const char **why)
{
	char digits[X402_UINT256_DIGITS + 64];
	const char *p = price, *dot;
	size_t ni, nf, n = 0;

	if (*p == '$')
		p++;
	ni = strspn(p, "0123456789");
	dot = p + ni;
	nf = *dot == '.' ? strspn(dot + 1, "0123456789") : 0;
	if (ni + nf == 0 || (*dot == '.' ? dot[1 + nf] : *dot) != '\0' ||
	    (*dot == '.' && nf == 0)) {
		*why = "not a decimal amount";
		return -1;
	}
	if (decimals < 0 || nf > (size_t)decimals) {
		*why = "more decimals than the asset has";
		return -1;
	}
	if (ni + (size_t)decimals >= sizeof(digits)) {
		*why = "too large";
		return -1;
	}
	memcpy(digits, p, ni);
	memcpy(digits + ni, dot + 1, nf);
	memset(digits + ni + nf, '0', (size_t)decimals - nf);
	digits[ni + (size_t)decimals] = '\0';
	while (digits[n] == '0')
		n++;
	if (digits[n] == '\0') {
		*why = "zero";
		return -1;
	}
	if (strlen(digits + n) > X402_UINT256_DIGITS ||
	    (size_t)snprintf(out, len, "%s", digits + n) >= len) {
		*why = "too large";
		return -1;
	}
	return 0;
}

json_t *
x402_requirements(const struct x402_config *cfg, const char *resource,
    const char *description)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, "
	    "s:{s:s, s:s}}",
	    "scheme", X402_SCHEME,
	    "network", cfg->network,
	    "maxAmountRequired", cfg->amount,
	    "resource", resource,
	    "description", description,
	    "mimeType", "application/json",
	    "payTo", cfg->pay_to,
	    "maxTimeoutSeconds", (json_int_t)cfg->max_timeout_s,
	    "asset", cfg->asset,
	    "extra", "name", cfg->asset_name, "version", cfg->asset_version);
}

json_t *
x402_payment_required(const char *error, json_t *requirements)
{
	return json_pack("{s:i, s:s, s:[o]}", "x402Version", X402_VERSION,
	    "error", error, "accepts", requirements);
}

static bool
x402_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool
x402_address_valid(const char *s)
{
	return strlen(s) == X402_ADDR_LEN && s[0] == '0' && s[1] == 'x' &&
	    x402_hex(s + 2, X402_ADDR_LEN - 2);
}

/* Copies a "0x"-prefixed hex string of exactly len chars, lower-cased. */
static int
x402_hex_field(const json_t *obj, const char *name, size_t len, char *out)
{
	const char *s = json_string_value(json_object_get(obj, name));
	size_t i;

	if (s == NULL || strlen(s) != len || s[0] != '0' ||
	    (s[1] != 'x' && s[1] != 'X') || !x402_hex(s + 2, len - 2))
		return -1;
	out[0] = '0';
	out[1] = 'x';
	for (i = 2; i < len; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[len] = '\0';
	return 0;
}

/* A decimal uint256 string, without its leading zeros, into out. */
static int
x402_uint_field(const json_t *obj, const char *name, char *out, size_t len)
{
	const char *s = json_string_value(json_object_get(obj, name));
	size_t n;

	if (s == NULL || *s == '\0' || s[strspn(s, "0123456789")] != '\0')
		return -1;
	while (s[0] == '0' && s[1] != '\0')
		s++;
	n = strlen(s);
	if (n > X402_UINT256_DIGITS || n >= len)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

/* validAfter/validBefore: Unix seconds as a decimal string (or number). */
static int
x402_time_field(const json_t *obj, const char *name, int64_t *out)
{
	const json_t *v = json_object_get(obj, name);
	char digits[X402_AMOUNT_MAX];
	const char *why;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (int64_t)json_integer_value(v);
		return 0;
	}
	if (x402_uint_field(obj, name, digits, sizeof(digits)) == -1)
		return -1;
	return parse_i64(digits, 0, INT64_MAX / 2, out, &why);
}

/* The PaymentPayload's fields into p; -1 with err naming the first bad. */
static int
x402_payload_fields(struct x402_payment *p, char *err, size_t errlen)
{
	const json_t *payload, *auth, *v;
	const char *s, *bad = NULL;

	v = json_object_get(p->payload, "x402Version");
	if (!json_is_integer(v) || json_integer_value(v) != X402_VERSION)
		bad = "x402Version";
	else if ((s = json_string_value(json_object_get(p->payload,
	    "scheme"))) == NULL || strcmp(s, X402_SCHEME) != 0)
		bad = "scheme";
	else if ((s = json_string_value(json_object_get(p->payload,
	    "network"))) == NULL || *s == '\0' ||
	    (size_t)snprintf(p->network, sizeof(p->network), "%s", s) >=
	    sizeof(p->network))
		bad = "network";
	else if (!json_is_object(payload = json_object_get(p->payload,
	    "payload")))
		bad = "payload";
	else if ((s = json_string_value(json_object_get(payload,
	    "signature"))) == NULL || strncasecmp(s, "0x", 2) != 0 ||
	    strlen(s) < 2 + 130 || strlen(s) > 2 + X402_SIG_MAX ||
	    strlen(s) % 2 != 0 || !x402_hex(s + 2, strlen(s) - 2))
		bad = "payload.signature";
	else if (!json_is_object(auth = json_object_get(payload,
	    "authorization")))
		bad = "payload.authorization";
	else if (x402_hex_field(auth, "from", X402_ADDR_LEN, p->payer) == -1)
		bad = "authorization.from";
	else if (x402_hex_field(auth, "to", X402_ADDR_LEN, p->to) == -1)
		bad = "authorization.to";
	else if (x402_uint_field(auth, "value", p->value,
	    sizeof(p->value)) == -1)
		bad = "authorization.value";
	else if (x402_time_field(auth, "validAfter", &p->valid_after) == -1)
		bad = "authorization.validAfter";
	else if (x402_time_field(auth, "validBefore", &p->valid_before) == -1)
		bad = "authorization.validBefore";
	else if (x402_hex_field(auth, "nonce", X402_NONCE_LEN, p->nonce) == -1)
		bad = "authorization.nonce";
	if (bad == NULL)
		return 0;
	snprintf(err, errlen, "X-PAYMENT: %s is missing or malformed", bad);
	return -1;
}

int
x402_payment_decode(const char *header, struct x402_payment *p, char *err,
    size_t errlen)
{
	unsigned char *raw;
	size_t len = strlen(header), n;

	memset(p, 0, sizeof(*p));
	if (len == 0 || len > X402_HEADER_MAX) {
		snprintf(err, errlen, "X-PAYMENT is empty or over %d bytes",
		    X402_HEADER_MAX);
		return -1;
	}
	if ((raw = base64_decode(header, len, &n)) == NULL) {
		snprintf(err, errlen, "X-PAYMENT is not base64");
		return -1;
	}
	p->payload = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES,
	    NULL);
	free(raw);
	if (!json_is_object(p->payload)) {
		snprintf(err, errlen, "X-PAYMENT is not a JSON object");
		return -1;
	}
	return x402_payload_fields(p, err, errlen);
}

int
x402_payment_check(struct x402_payment *p, const json_t *requirements,
    int64_t now, char *err, size_t errlen)
{
	const char *scheme, *network, *amount, *pay_to;
	char want[X402_AMOUNT_MAX];

	scheme = json_string_value(json_object_get(requirements, "scheme"));
	network = json_string_value(json_object_get(requirements, "network"));
	amount = json_string_value(json_object_get(requirements,
	    "maxAmountRequired"));
	pay_to = json_string_value(json_object_get(requirements, "payTo"));
	if (scheme == NULL || network == NULL || amount == NULL ||
	    pay_to == NULL || x402_uint_field(requirements,
	    "maxAmountRequired", want, sizeof(want)) == -1 ||
	    x402_hex_field(requirements, "asset", X402_ADDR_LEN,
	    p->asset) == -1) {
		snprintf(err, errlen, "payment requirements are malformed");
		return -1;
	}
	if (strcmp(scheme, X402_SCHEME) != 0 || strcmp(network,
	    p->network) != 0) {
		snprintf(err, errlen, "payment is for network %s, not %s",
		    p->network, network);
		return -1;
	}
	if (strcmp(p->value, want) != 0) {
		snprintf(err, errlen, "payment value %s is not the price %s",
		    p->value, want);
		return -1;
	}
	if (strcasecmp(p->to, pay_to) != 0) {
		snprintf(err, errlen, "payment is not to %s", pay_to);
		return -1;
	}
	if (p->valid_after > now) {
		snprintf(err, errlen, "payment is not valid yet");
		return -1;
	}
	if (p->valid_before <= now + X402_SETTLE_MARGIN_S) {
		snprintf(err, errlen, "payment authorization has expired");
		return -1;
	}
	return 0;
}

void
x402_payment_free(struct x402_payment *p)
{
	if (p == NULL)
		return;
	json_decref(p->payload);
	p->payload = NULL;
}

/*
 * POSTs the facilitator body to {facilitator_url}/op and parses the JSON
 * object answer; NULL (reason in out) when there is none.
 */
static json_t *
x402_call(const struct x402_config *cfg, const char *op, long timeout_ms,
    const struct x402_payment *p, const json_t *requirements,
    struct x402_result *out, long *status)
{
	char url[X402_URL_MAX + 16], why[128];
	struct http_fetch req;
	json_t *body, *answer = NULL;
	size_t len = strlen(cfg->facilitator_url);
	struct buf resp;
	bool timed_out;
	char *json;

	if (len > 0 && cfg->facilitator_url[len - 1] == '/')
		len--;
	if (len > X402_URL_MAX) {
		snprintf(out->reason, sizeof(out->reason), "facilitator url "
		    "too long");
		return NULL;
	}
	snprintf(url, sizeof(url), "%.*s/%s", (int)len, cfg->facilitator_url,
	    op);
	body = json_pack("{s:i, s:O, s:O}", "x402Version", X402_VERSION,
	    "paymentPayload", p->payload, "paymentRequirements",
	    (json_t *)requirements);
	json = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (json == NULL) {
		snprintf(out->reason, sizeof(out->reason), "cannot encode "
		    "the %s request", op);
		return NULL;
	}
	req = (struct http_fetch){ url, json, cfg->connect_timeout_ms,
	    timeout_ms, cfg->max_bytes };
	if (http_fetch(&req, status, &resp, &timed_out, why,
	    sizeof(why)) == -1)
		snprintf(out->reason, sizeof(out->reason), "facilitator %s: "
		    "%s", op, why);
	else if ((answer = json_loadb(resp.data, resp.len, 0, NULL)) == NULL ||
	    !json_is_object(answer)) {
		snprintf(out->reason, sizeof(out->reason), "facilitator %s: "
		    "http %ld without a JSON answer", op, *status);
		json_decref(answer);
		answer = NULL;
	}
	buf_free(&resp);
	free(json);
	return answer;
}

/* Copies the answer's payer when it is an address; -1 when it is not p's. */
static int
x402_answer_payer(const json_t *answer, const struct x402_payment *p,
    struct x402_result *out)
{
	if (x402_hex_field(answer, "payer", X402_ADDR_LEN, out->payer) == -1) {
		out->payer[0] = '\0';
		return 0;
	}
	if (strcmp(out->payer, p->payer) == 0)
		return 0;
	snprintf(out->reason, sizeof(out->reason), "facilitator names "
	    "another payer");
	return -1;
}

/* The first string of the names in answer, or dflt. */
static const char *
x402_answer_str(const json_t *answer, const char *a, const char *b,
    const char *dflt)
{
	const char *s = json_string_value(json_object_get(answer, a));

	if (s == NULL || *s == '\0')
		s = json_string_value(json_object_get(answer, b));
	return s != NULL && *s != '\0' ? s : dflt;
}

/*
 * The facilitator's word in answer, whose boolean flag is known: X402_OK
 * when flag is true with HTTP 200 and the payer is p's, else X402_REFUSED
 * with the reason in out (answer's why or "error", else dflt).
 */
static enum x402_outcome
x402_answer_outcome(const json_t *answer, long status, const char *flag,
    const struct x402_payment *p, struct x402_result *out, const char *why,
    const char *dflt)
{
	if (x402_answer_payer(answer, p, out) == -1)
		return X402_REFUSED;
	if (json_is_true(json_object_get(answer, flag)) && status == 200)
		return X402_OK;
	snprintf(out->reason, sizeof(out->reason), "%s",
	    x402_answer_str(answer, why, "error", dflt));
	return X402_REFUSED;
}

enum x402_outcome
x402_verify(const struct x402_config *cfg, const struct x402_payment *p,
    const json_t *requirements, struct x402_result *out)
{
	enum x402_outcome res = X402_UNAVAILABLE;
	json_t *answer;
	long status = 0;

	memset(out, 0, sizeof(*out));
	if ((answer = x402_call(cfg, "verify", cfg->verify_timeout_ms, p,
	    requirements, out, &status)) == NULL)
		return X402_UNAVAILABLE;
	/* facilitators answer an invalid payment with 200 or with 400 */
	if (!json_is_boolean(json_object_get(answer, "isValid")) ||
	    status >= 500)
		snprintf(out->reason, sizeof(out->reason), "facilitator "
		    "verify: http %ld without isValid", status);
	else
		res = x402_answer_outcome(answer, status, "isValid", p, out,
		    "invalidReason", "invalid payment");
	json_decref(answer);
	return res;
}

/* After a settle without an answer: has the authorization been spent? */
static enum x402_outcome
x402_settle_recheck(const struct x402_config *cfg,
    const struct x402_payment *p, const json_t *requirements,
    struct x402_result *out)
{
	struct x402_result again;
	char first[sizeof(out->reason)];

	snprintf(first, sizeof(first), "%s", out->reason);
	switch (x402_verify(cfg, p, requirements, &again)) {
	case X402_OK:
		snprintf(out->reason, sizeof(out->reason), "%.120s; the "
		    "payment was not taken", first);
		return X402_UNAVAILABLE;
	case X402_REFUSED:
		snprintf(out->reason, sizeof(out->reason), "%.90s; the "
		    "authorization is now refused (%.60s)", first,
		    again.reason);
		break;
	default:
		snprintf(out->reason, sizeof(out->reason), "%.120s; the "
		    "re-check failed too", first);
		break;
	}
	log_warnx("x402: settle outcome unknown: payer %s nonce %s: %s",
	    p->payer, p->nonce, out->reason);
	return X402_UNKNOWN;
}

enum x402_outcome
x402_settle(const struct x402_config *cfg, const struct x402_payment *p,
    const json_t *requirements, struct x402_result *out, char **response)
{
	enum x402_outcome res;
	json_t *answer;
	long status = 0;
	char *json;

	memset(out, 0, sizeof(*out));
	*response = NULL;
	answer = x402_call(cfg, "settle", cfg->settle_timeout_ms, p,
	    requirements, out, &status);
	if (answer == NULL || !json_is_boolean(json_object_get(answer,
	    "success")) || status >= 500) {
		if (answer != NULL)
			snprintf(out->reason, sizeof(out->reason),
			    "facilitator settle: http %ld without success",
			    status);
		json_decref(answer);
		/* never sent twice: ask whether it went through */
		return x402_settle_recheck(cfg, p, requirements, out);
	}
	if ((res = x402_answer_outcome(answer, status, "success", p, out,
	    "errorReason", "settlement failed")) == X402_OK) {
		if ((json = json_dumps(answer, JSON_COMPACT)) == NULL)
			fatalx("x402: out of memory");
		*response = base64_encode(json, strlen(json));
		free(json);
	}
	json_decref(answer);
	return res;
}

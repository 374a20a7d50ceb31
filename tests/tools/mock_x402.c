/*
 * A mock x402 v1 facilitator for tests: POST /verify and /settle with
 * scripted outcomes, checking every request against the facilitator
 * contract and logging one JSON line per request so tests see what came.
 *
 * usage: mock_x402 [--port N] [--script FILE] [--log FILE] [--hang-ms N]
 * --port 0 (the default) picks a free port and prints "port=N" on stdout.
 *
 * Script: lines "verify OUTCOME" or "settle OUTCOME", each endpoint taking
 * its own lines in order, then "ok"; "#" comments and blank lines skipped.
 * POST /control/script appends lines from the body; POST /control/reset
 * forgets the script and every nonce.
 *   verify ok                 isValid true, unless the mock's own checks
 *                             fail: recipient, value below the price,
 *                             validity window, nonce already settled
 *   verify invalid_signature  isValid false,
 *                             invalid_exact_evm_payload_signature
 *   verify insufficient_funds isValid false, insufficient_funds
 *   verify timeout            answers ok after --hang-ms (default 3000)
 *   settle ok                 success true with a transaction; nonce spent
 *   settle fail               success false, unexpected_settle_error
 *   settle timeout            spends the nonce, answers success after
 *                             --hang-ms (a slow confirmation)
 *   settle timeout_unsettled  after --hang-ms, success false, not spent
 *   verify|settle 500         HTTP 500
 * A request that breaks the contract gets 400 and a log line with
 * "violation": a body other than {x402Version: 1, paymentPayload,
 * paymentRequirements} with their v1 fields, payload and requirements on
 * different schemes or networks, a settle of a nonce not verified valid
 * first, or a second settle of one nonce (a blind retry).
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "mock_http.h"
#include "util.h"

#define MOCK_X402_NONCES_MAX	4096

enum mock_x402_kind {
	MOCK_X402_STR,		/* a non-empty string */
	MOCK_X402_ADDR,		/* "0x" + 40 hex */
	MOCK_X402_UINT,		/* decimal digits in a string */
	MOCK_X402_BYTES32,		/* "0x" + 64 hex */
	MOCK_X402_SIG,		/* "0x" + at least 130 hex */
	MOCK_X402_INT,		/* a positive JSON integer */
	MOCK_X402_OBJ
};

/* Every field the contract requires, by its path in the request body. */
static const struct mock_x402_field {
	const char		*path;
	enum mock_x402_kind	 kind;
} mock_x402_fields[] = {
	{ "paymentPayload.scheme", MOCK_X402_STR },
	{ "paymentPayload.network", MOCK_X402_STR },
	{ "paymentPayload.payload", MOCK_X402_OBJ },
	{ "paymentPayload.payload.signature", MOCK_X402_SIG },
	{ "paymentPayload.payload.authorization", MOCK_X402_OBJ },
	{ "paymentPayload.payload.authorization.from", MOCK_X402_ADDR },
	{ "paymentPayload.payload.authorization.to", MOCK_X402_ADDR },
	{ "paymentPayload.payload.authorization.value", MOCK_X402_UINT },
	{ "paymentPayload.payload.authorization.validAfter", MOCK_X402_UINT },
	{ "paymentPayload.payload.authorization.validBefore", MOCK_X402_UINT },
	{ "paymentPayload.payload.authorization.nonce", MOCK_X402_BYTES32 },
	{ "paymentRequirements.scheme", MOCK_X402_STR },
	{ "paymentRequirements.network", MOCK_X402_STR },
	{ "paymentRequirements.maxAmountRequired", MOCK_X402_UINT },
	{ "paymentRequirements.resource", MOCK_X402_STR },
	{ "paymentRequirements.description", MOCK_X402_STR },
	{ "paymentRequirements.mimeType", MOCK_X402_STR },
	{ "paymentRequirements.payTo", MOCK_X402_ADDR },
	{ "paymentRequirements.maxTimeoutSeconds", MOCK_X402_INT },
	{ "paymentRequirements.asset", MOCK_X402_ADDR },
	{ "paymentRequirements.extra", MOCK_X402_OBJ },
	{ "paymentRequirements.extra.name", MOCK_X402_STR },
	{ "paymentRequirements.extra.version", MOCK_X402_STR },
};

/* What the mock remembers of one authorization nonce. */
struct mock_x402_nonce {
	char	nonce[67];
	bool	verified;
	bool	spent;
	int	settles;
};

static pthread_mutex_t	 mock_x402_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mock_x402_nonce mock_x402_nonces[MOCK_X402_NONCES_MAX];
static size_t		 mock_x402_nnonces;
static long		 mock_x402_hang_ms = 3000;

/*
 * Takes a script line, "verify|settle OUTCOME", as a fault of its
 * endpoint (mock_http_fault_add()): 0, or -1.
 */
static int
mock_x402_script_line(const char *line)
{
	char op[16], outcome[32];

	if (sscanf(line, "%15s %31s", op, outcome) != 2 ||
	    (strcmp(op, "verify") != 0 && strcmp(op, "settle") != 0))
		return -1;
	mock_http_fault_add(op, outcome);
	return 0;
}

/* Forgets the script and every nonce (POST /control/reset). */
static void
mock_x402_reset(void)
{
	pthread_mutex_lock(&mock_x402_lock);
	mock_http_fault_clear();
	mock_x402_nnonces = 0;
	pthread_mutex_unlock(&mock_x402_lock);
}

/* The nonce's record, made when new. Called with mock_x402_lock held. */
static struct mock_x402_nonce *
mock_x402_nonce(const char *nonce)
{
	struct mock_x402_nonce *n;
	size_t i;

	for (i = 0; i < mock_x402_nnonces; i++)
		if (strcasecmp(mock_x402_nonces[i].nonce, nonce) == 0)
			return &mock_x402_nonces[i];
	if (mock_x402_nnonces == MOCK_X402_NONCES_MAX)
		mock_x402_nnonces = 0;
	n = &mock_x402_nonces[mock_x402_nnonces++];
	memset(n, 0, sizeof(*n));
	snprintf(n->nonce, sizeof(n->nonce), "%s", nonce);
	return n;
}

static bool
mock_x402_hex(const char *s, size_t min, size_t max)
{
	size_t n;

	if (s == NULL || strncmp(s, "0x", 2) != 0)
		return false;
	n = strlen(s + 2);
	return n >= min && n <= max && s[2 + strspn(s + 2,
	    "0123456789abcdefABCDEF")] == '\0';
}

static bool
mock_x402_kind_ok(const json_t *v, enum mock_x402_kind kind)
{
	const char *s = json_string_value(v);

	switch (kind) {
	case MOCK_X402_STR:
		return s != NULL && *s != '\0';
	case MOCK_X402_ADDR:
		return mock_x402_hex(s, 40, 40);
	case MOCK_X402_UINT:
		return s != NULL && *s != '\0' &&
		    s[strspn(s, "0123456789")] == '\0';
	case MOCK_X402_BYTES32:
		return mock_x402_hex(s, 64, 64);
	case MOCK_X402_SIG:
		return mock_x402_hex(s, 130, 8192) && strlen(s) % 2 == 0;
	case MOCK_X402_INT:
		return json_is_integer(v) && json_integer_value(v) > 0;
	case MOCK_X402_OBJ:
		return json_is_object(v);
	}
	return false;
}

/* The member of o at the dotted path ("a.b.c"), or NULL. */
static const json_t *
mock_x402_at(const json_t *o, const char *path)
{
	const char *dot;
	char key[64];
	size_t n;

	for (;;) {
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		if (dot == NULL)
			return o;
		path = dot + 1;
	}
}

/* The contract check: NULL when body is right, else what is wrong. */
static const char *
mock_x402_contract(const json_t *body, const json_t **pp, const json_t **rq,
    const json_t **auth)
{
	static char why[128];
	const struct mock_x402_field *f;
	const json_t *v;
	const char *key;
	size_t i;

	if (!json_is_object(body))
		return "body is not a JSON object";
	json_object_foreach((json_t *)body, key, v)
		if (strcmp(key, "x402Version") != 0 &&
		    strcmp(key, "paymentPayload") != 0 &&
		    strcmp(key, "paymentRequirements") != 0)
			return "body has a member outside the v1 contract";
	v = json_object_get(body, "x402Version");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return "x402Version is not 1";
	*pp = json_object_get(body, "paymentPayload");
	*rq = json_object_get(body, "paymentRequirements");
	if (!json_is_object(*pp) || !json_is_object(*rq))
		return "paymentPayload or paymentRequirements is missing";
	v = json_object_get(*pp, "x402Version");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return "paymentPayload.x402Version is not 1";
	/* a holder stands before its members: its own row names it */
	for (i = 0; i < sizeof(mock_x402_fields) /
	    sizeof(mock_x402_fields[0]); i++) {
		f = &mock_x402_fields[i];
		if (!mock_x402_kind_ok(mock_x402_at(body, f->path), f->kind)) {
			snprintf(why, sizeof(why), "%s is missing or "
			    "malformed", f->path);
			return why;
		}
	}
	*auth = mock_x402_at(*pp, "payload.authorization");
	if (!json_equal(json_object_get(*pp, "scheme"),
	    json_object_get(*rq, "scheme")) ||
	    !json_equal(json_object_get(*pp, "network"),
	    json_object_get(*rq, "network")))
		return "payload and requirements differ in scheme or network";
	return NULL;
}

static const char *
mock_x402_str(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/* a < b for decimal digit strings without leading zeros */
static bool
mock_x402_less(const char *a, const char *b)
{
	while (*a == '0' && a[1] != '\0')
		a++;
	while (*b == '0' && b[1] != '\0')
		b++;
	if (strlen(a) != strlen(b))
		return strlen(a) < strlen(b);
	return strcmp(a, b) < 0;
}

/* The mock's own verification; NULL when the payment passes. */
static const char *
mock_x402_check(const json_t *auth, const json_t *rq,
    const struct mock_x402_nonce *n)
{
	char now[32], soon[32];

	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	snprintf(soon, sizeof(soon), "%lld", (long long)time(NULL) + 6);
	if (n->spent)
		return "invalid_transaction_state";
	if (strcasecmp(mock_x402_str(auth, "to"),
	    mock_x402_str(rq, "payTo")) != 0)
		return "invalid_exact_evm_payload_recipient_mismatch";
	if (mock_x402_less(mock_x402_str(auth, "value"),
	    mock_x402_str(rq, "maxAmountRequired")))
		return "invalid_exact_evm_payload_authorization_value";
	if (mock_x402_less(now, mock_x402_str(auth, "validAfter")))
		return "invalid_exact_evm_payload_authorization_valid_after";
	if (mock_x402_less(mock_x402_str(auth, "validBefore"), soon))
		return "invalid_exact_evm_payload_authorization_valid_before";
	return NULL;
}

static json_t *
mock_x402_verify(const char *outcome, const json_t *auth, const json_t *rq,
    const char *nonce)
{
	const char *reason = NULL;
	struct mock_x402_nonce *n;

	if (strcmp(outcome, "timeout") == 0)
		mock_http_sleep_ms(mock_x402_hang_ms);
	pthread_mutex_lock(&mock_x402_lock);
	n = mock_x402_nonce(nonce);
	if (strcmp(outcome, "invalid_signature") == 0)
		reason = "invalid_exact_evm_payload_signature";
	else if (strcmp(outcome, "insufficient_funds") == 0)
		reason = "insufficient_funds";
	else
		reason = mock_x402_check(auth, rq, n);
	if (reason == NULL)
		n->verified = true;
	pthread_mutex_unlock(&mock_x402_lock);
	return json_pack("{s:b, s:s?, s:s}", "isValid", reason == NULL,
	    "invalidReason", reason, "payer", mock_x402_str(auth, "from"));
}

/* A settle answer; *violation set when the contract forbids the call. */
static json_t *
mock_x402_settle(const char *outcome, const json_t *auth, const json_t *rq,
    const char *nonce, const char **violation)
{
	struct mock_x402_nonce *n;
	bool ok;

	pthread_mutex_lock(&mock_x402_lock);
	n = mock_x402_nonce(nonce);
	if (n->settles++ > 0)
		*violation = "settle repeated for one nonce";
	else if (!n->verified)
		*violation = "settle before a valid verify";
	/* submitted at once, confirmed (answered) after the hang */
	ok = strcmp(outcome, "ok") == 0 || strcmp(outcome, "timeout") == 0;
	if (*violation == NULL && ok)
		n->spent = true;
	pthread_mutex_unlock(&mock_x402_lock);
	if (*violation != NULL)
		return NULL;
	if (strncmp(outcome, "timeout", 7) == 0)
		mock_http_sleep_ms(mock_x402_hang_ms);
	return json_pack("{s:b, s:s?, s:s, s:s, s:s}", "success", ok,
	    "errorReason", ok ? NULL : "unexpected_settle_error",
	    "transaction", ok ? nonce : "", "network", mock_x402_str(rq,
	    "network"), "payer", mock_x402_str(auth, "from"));
}

static enum MHD_Result
mock_x402_control(struct mock_http_request *req)
{
	if (strcmp(req->path, "/control/script") == 0) {
		if (mock_http_script(req->body, mock_x402_script_line) == -1)
			return mock_http_reply(req->con, 400, json_pack(
			    "{s:s}", "error", "bad script line"));
	} else if (strcmp(req->path, "/control/reset") == 0)
		mock_x402_reset();
	else
		return mock_http_reply(req->con, 404, json_pack("{s:s}",
		    "error", "not found"));
	return mock_http_reply(req->con, 200, json_pack("{s:b}", "ok", 1));
}

static enum MHD_Result
mock_x402_serve(struct mock_http_request *req)
{
	const json_t *pp = NULL, *rq = NULL, *auth = NULL;
	const char *ctype, *violation = NULL, *nonce = NULL;
	char outcome[32] = "";
	json_t *body = NULL, *answer = NULL;
	unsigned int status = 200;
	int which;

	if (strcmp(req->method, "POST") == 0 &&
	    strncmp(req->path, "/control/", 9) == 0)
		return mock_x402_control(req);
	if (strcmp(req->method, "POST") != 0 ||
	    (strcmp(req->path, "/verify") != 0 &&
	    strcmp(req->path, "/settle") != 0))
		return mock_http_reply(req->con, 404, json_pack("{s:s}",
		    "error", "not found"));
	which = strcmp(req->path, "/settle") == 0;
	ctype = MHD_lookup_connection_value(req->con, MHD_HEADER_KIND,
	    "Content-Type");
	body = json_loadb(req->body, req->len, JSON_REJECT_DUPLICATES, NULL);
	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0)
		violation = "Content-Type is not application/json";
	else
		violation = mock_x402_contract(body, &pp, &rq, &auth);
	if (violation == NULL) {
		nonce = mock_x402_str(auth, "nonce");
		/* copied under the lock a reset takes to free the script */
		pthread_mutex_lock(&mock_x402_lock);
		snprintf(outcome, sizeof(outcome), "%s", mock_http_fault(
		    which ? "settle" : "verify", NULL));
		pthread_mutex_unlock(&mock_x402_lock);
		if (strcmp(outcome, "500") == 0)
			status = 500;
		else if (which == 0)
			answer = mock_x402_verify(outcome, auth, rq, nonce);
		else
			answer = mock_x402_settle(outcome, auth, rq, nonce,
			    &violation);
	}
	if (violation != NULL) {
		status = 400;
		json_decref(answer);
		answer = json_pack("{s:s+}", "error", "contract: ", violation);
	} else if (status == 500)
		answer = json_pack("{s:s}", "error", "mock failure");
	mock_http_log(json_pack("{s:s, s:s?, s:s?, s:s, s:i, s:s?}", "path",
	    req->path, "nonce", nonce, "payer", auth != NULL ?
	    mock_x402_str(auth, "from") : NULL, "outcome", outcome, "status",
	    (int)status, "violation", violation));
	json_decref(body);
	return mock_http_reply(req->con, status, answer);
}

int
main(int argc, char **argv)
{
	static const struct mock_http_number_opt numbers[] = {
		{ "hang-ms", 600000, &mock_x402_hang_ms },
		{ NULL, 0, NULL }
	};
	static const struct mock_http_server srv = {
		"mock_x402", numbers, NULL, mock_x402_script_line,
		mock_x402_serve
	};

	return mock_http_main(&srv, argc, argv);
}

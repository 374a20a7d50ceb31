/*
 * Tests for common/x402.c: prices, the requirements and 402 body, the
 * X-PAYMENT payload decoded and checked case by case, and the facilitator
 * client against tests/tools/mock_x402, whose log must show every request
 * within the v1 contract and never a second /settle of one payment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "auth_fixture.h"
#include "base64.h"
#include "http_fetch.h"
#include "unit.h"
#include "util.h"
#include "x402.h"

#define NETWORK		"base-sepolia"
#define ASSET		"0x036CbD53842c5426634e7929541eC2318f3dCF7e"
#define PAY_TO		"0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
#define PAYER		"0x857b06519E91e3A54538791bDbb0E22373e36b66"
#define RESOURCE	"https://bom.example.com/projects/upload-and-process"
#define NOW		INT64_C(1800000000)

static struct fixture_mock	 the_mock;
static char			*mock_dir;
static char			 mock_log[256];
static char			 mock_url[64];

static void
seller(struct x402_config *cfg)
{
	const char *why;

	x402_config_defaults(cfg);
	cfg->enabled = true;
	cfg->facilitator_url = mock_url;
	cfg->network = NETWORK;
	cfg->asset = ASSET;
	cfg->asset_name = "USDC";
	cfg->asset_version = "2";
	cfg->pay_to = PAY_TO;
	cfg->max_timeout_s = 60;
	assert_int_equal(x402_price_atomic("$0.05", 6, cfg->amount,
	    sizeof(cfg->amount), &why), 0);
}

UNIT_TEST(test_price)
{
	static const struct {
		const char *price;
		int decimals;
		const char *want;	/* NULL: refused */
	} rows[] = {
		{ "$0.05", 6, "50000" }, { "0.05", 6, "50000" },
		{ "$1", 6, "1000000" }, { "$12.5", 6, "12500000" },
		{ "$0.000001", 6, "1" }, { "$.5", 6, "500000" },
		{ "$0.0000001", 6, NULL }, { "$0", 6, NULL },
		{ "$0.00", 2, NULL },
		{ "$5", 0, "5" }, { "$5.0", 0, NULL },
		{ "$1000000", 18, "1000000000000000000000000" },
		{ "", 6, NULL }, { "$", 6, NULL }, { "1.", 6, NULL },
		{ "-1", 6, NULL }, { "1e3", 6, NULL }, { " 1", 6, NULL },
		{ "$1 ", 6, NULL }, { "1.2.3", 6, NULL }, { "$$1", 6, NULL },
		{ "0x10", 6, NULL },
	};
	char out[X402_AMOUNT_MAX];
	const char *why;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rc = x402_price_atomic(rows[i].price, rows[i].decimals, out,
		    sizeof(out), &why);
		if (rows[i].want == NULL && rc != -1)
			fail_msg("'%s' accepted as %s", rows[i].price, out);
		if (rows[i].want != NULL && (rc != 0 ||
		    strcmp(out, rows[i].want) != 0))
			fail_msg("'%s': want %s", rows[i].price, rows[i].want);
	}
}

UNIT_TEST(test_requirements_and_402)
{
	struct x402_config cfg;
	json_t *req, *body, *want;

	seller(&cfg);
	req = x402_requirements(&cfg, RESOURCE, "Process a BOM");
	want = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, "
	    "s:{s:s, s:s}}", "scheme", "exact", "network", NETWORK,
	    "maxAmountRequired", "50000", "resource", RESOURCE,
	    "description", "Process a BOM", "mimeType", "application/json",
	    "payTo", PAY_TO, "maxTimeoutSeconds", 60, "asset", ASSET,
	    "extra", "name", "USDC", "version", "2");
	assert_true(json_equal(req, want));
	body = x402_payment_required("X-PAYMENT header is required", req);
	assert_int_equal(json_integer_value(json_object_get(body,
	    "x402Version")), 1);
	assert_string_equal(json_string_value(json_object_get(body, "error")),
	    "X-PAYMENT header is required");
	assert_int_equal(json_array_size(json_object_get(body, "accepts")), 1);
	assert_true(json_equal(json_array_get(json_object_get(body,
	    "accepts"), 0), want));
	json_decref(body);
	json_decref(want);
}

/* A PaymentPayload paying the price; nonce from n. */
static json_t *
payload(int n)
{
	char nonce[67], sig[133];
	int i;

	snprintf(nonce, sizeof(nonce), "0x%064x", n);
	sig[0] = '0';
	sig[1] = 'x';
	for (i = 2; i < 132; i++)
		sig[i] = "0123456789abcdef"[i % 16];
	sig[132] = '\0';
	return json_pack("{s:i, s:s, s:s, s:{s:s, s:{s:s, s:s, s:s, s:s, "
	    "s:s, s:s}}}", "x402Version", 1, "scheme", "exact", "network",
	    NETWORK, "payload", "signature", sig, "authorization", "from",
	    PAYER, "to", PAY_TO, "value", "50000", "validAfter", "1799999000",
	    "validBefore", "1800000060", "nonce", nonce);
}

/* The X-PAYMENT header for v (taken over). */
static char *
header(json_t *v)
{
	char *json = json_dumps(v, JSON_COMPACT), *h;

	json_decref(v);
	h = base64_encode(json, strlen(json));
	free(json);
	return h;
}

/* Sets payload member path ("payload.authorization.value") to v. */
static json_t *
with(json_t *p, const char *path, json_t *v)
{
	char name[64], *dot;
	json_t *o = p;
	const char *s = path;

	while ((dot = strchr(s, '.')) != NULL) {
		snprintf(name, sizeof(name), "%.*s", (int)(dot - s), s);
		o = json_object_get(o, name);
		s = dot + 1;
	}
	if (v == NULL)
		json_object_del(o, s);
	else
		json_object_set_new(o, s, v);
	return p;
}

UNIT_TEST(test_decode)
{
	static const struct {
		const char *path;
		const char *value;	/* JSON; NULL: removed */
		const char *why;
	} rows[] = {
		{ "x402Version", "2", "x402Version" },
		{ "x402Version", "\"1\"", "x402Version" },
		{ "scheme", "\"upto\"", "scheme" },
		{ "network", NULL, "network" },
		{ "payload", "[]", "payload" },
		{ "payload.signature", "\"0x1234\"", "signature" },
		{ "payload.signature", "\"zz\"", "signature" },
		{ "payload.authorization", NULL, "authorization" },
		{ "payload.authorization.from", "\"0x857b\"", "from" },
		{ "payload.authorization.from", "\"857b06519E91e3A54538791bD"
		    "bb0E22373e36b6600\"", "from" },
		{ "payload.authorization.to", "1", "to" },
		{ "payload.authorization.value", "\"-5\"", "value" },
		{ "payload.authorization.value", "\"\"", "value" },
		{ "payload.authorization.value", "50000", "value" },
		{ "payload.authorization.validAfter", "\"soon\"",
		    "validAfter" },
		{ "payload.authorization.validBefore", NULL, "validBefore" },
		{ "payload.authorization.nonce", "\"0x1234\"", "nonce" },
		{ "payload.authorization.nonce", "\"0xg000000000000000000000000"
		    "000000000000000000000000000000000000000\"", "nonce" },
	};
	struct x402_payment p;
	char err[256], *h;
	json_t *v;
	size_t i;

	/* the good one, addresses and nonce lower-cased */
	h = header(with(payload(0xABC), "payload.authorization.nonce",
	    json_string("0x0000000000000000000000000000000000000000000000000"
	    "000000000000ABC")));
	assert_int_equal(x402_payment_decode(h, &p, err, sizeof(err)), 0);
	assert_string_equal(p.payer,
	    "0x857b06519e91e3a54538791bdbb0e22373e36b66");
	assert_string_equal(p.to, "0x209693bc6afc0c5328ba36faf03c514ef312287c");
	assert_string_equal(p.nonce, "0x000000000000000000000000000000000000000"
	    "0000000000000000000000abc");
	assert_string_equal(p.value, "50000");
	assert_int_equal(p.valid_after, 1799999000);
	assert_int_equal(p.valid_before, 1800000060);
	assert_string_equal(p.network, NETWORK);
	x402_payment_free(&p);
	free(h);
	/* leading zeros in the value are the same amount */
	h = header(with(payload(1), "payload.authorization.value",
	    json_string("00050000")));
	assert_int_equal(x402_payment_decode(h, &p, err, sizeof(err)), 0);
	assert_string_equal(p.value, "50000");
	x402_payment_free(&p);
	free(h);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		v = rows[i].value != NULL ? json_loads(rows[i].value,
		    JSON_DECODE_ANY, NULL) : NULL;
		h = header(with(payload(1), rows[i].path, v));
		err[0] = '\0';
		if (x402_payment_decode(h, &p, err, sizeof(err)) != -1)
			fail_msg("%s=%s accepted", rows[i].path,
			    rows[i].value);
		if (strstr(err, rows[i].why) == NULL)
			fail_msg("%s: '%s'", rows[i].path, err);
		x402_payment_free(&p);
		free(h);
	}
	/* not base64, not JSON, not an object, duplicate names, too long */
	assert_int_equal(x402_payment_decode("not base64!", &p, err,
	    sizeof(err)), -1);
	x402_payment_free(&p);
	h = base64_encode("{\"x402Version\":1", 16);
	assert_int_equal(x402_payment_decode(h, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "JSON"));
	x402_payment_free(&p);
	free(h);
	h = base64_encode("[1]", 3);
	assert_int_equal(x402_payment_decode(h, &p, err, sizeof(err)), -1);
	x402_payment_free(&p);
	free(h);
	h = base64_encode("{\"x402Version\":1,\"x402Version\":1}", 33);
	assert_int_equal(x402_payment_decode(h, &p, err, sizeof(err)), -1);
	x402_payment_free(&p);
	free(h);
	h = xmalloc(X402_HEADER_MAX + 2);
	memset(h, 'A', X402_HEADER_MAX + 1);
	h[X402_HEADER_MAX + 1] = '\0';
	assert_int_equal(x402_payment_decode(h, &p, err, sizeof(err)), -1);
	x402_payment_free(&p);
	free(h);
	assert_int_equal(x402_payment_decode("", &p, err, sizeof(err)), -1);
	x402_payment_free(&p);
}

UNIT_TEST(test_check)
{
	static const struct {
		const char *path;
		const char *value;
		int64_t now;
		const char *why;	/* NULL: accepted */
	} rows[] = {
		{ NULL, NULL, NOW, NULL },
		{ "payload.authorization.to", "\"" PAY_TO "\"", NOW, NULL },
		{ "payload.authorization.to",
		    "\"0x209693bc6afc0c5328ba36faf03c514ef312287c\"", NOW,
		    NULL },
		{ "network", "\"base\"", NOW, "network" },
		{ "payload.authorization.value", "\"49999\"", NOW, "price" },
		{ "payload.authorization.value", "\"50001\"", NOW, "price" },
		{ "payload.authorization.value", "\"5000000000000000000000000"
		    "0000\"", NOW, "price" },
		{ "payload.authorization.to",
		    "\"0x0000000000000000000000000000000000000001\"", NOW,
		    "not to" },
		{ NULL, NULL, 1799998999, "not valid yet" },
		{ NULL, NULL, 1800000054, "expired" },
		{ NULL, NULL, 1800000053, NULL },
		{ NULL, NULL, 1800000100, "expired" },
	};
	struct x402_config cfg;
	struct x402_payment p;
	char err[256], *h;
	json_t *req, *v;
	size_t i;
	int rc;

	seller(&cfg);
	req = x402_requirements(&cfg, RESOURCE, "Process a BOM");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		v = rows[i].path != NULL ? json_loads(rows[i].value,
		    JSON_DECODE_ANY, NULL) : NULL;
		h = header(rows[i].path != NULL ? with(payload(1),
		    rows[i].path, v) : payload(1));
		assert_int_equal(x402_payment_decode(h, &p, err, sizeof(err)),
		    0);
		err[0] = '\0';
		rc = x402_payment_check(&p, req, rows[i].now, err,
		    sizeof(err));
		if (rows[i].why == NULL && rc != 0)
			fail_msg("row %zu refused: %s", i, err);
		if (rows[i].why != NULL && (rc != -1 ||
		    strstr(err, rows[i].why) == NULL))
			fail_msg("row %zu: '%s' lacks '%s'", i, err,
			    rows[i].why);
		if (rc == 0)
			assert_string_equal(p.asset, "0x036cbd53842c5426634e7"
			    "929541ec2318f3dcf7e");
		x402_payment_free(&p);
		free(h);
	}
	json_decref(req);
}

static int
mock_setup(void **state)
{
	const char *argv[] = { FIXTURE_MOCK_X402, "--log",
	    mock_log, "--hang-ms", "1500", NULL };

	(void)state;
	mock_dir = fixture_tmpdir("test_x402");
	snprintf(mock_log, sizeof(mock_log), "%s/log", mock_dir);
	fixture_mock_start(&the_mock, argv);
	snprintf(mock_url, sizeof(mock_url), "http://127.0.0.1:%d/",
	    the_mock.port);
	return 0;
}

static int
mock_teardown(void **state)
{
	int status;

	(void)state;
	status = fixture_mock_stop(&the_mock);
	fixture_rmtree(mock_dir);
	free(mock_dir);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

/* Appends script lines to the mock. */
static void
script(const char *lines)
{
	char url[96], err[128];
	struct http_fetch req = { url, lines, 2000, 5000, 4096 };
	struct buf body;
	bool timed_out;
	long status;

	snprintf(url, sizeof(url), "%scontrol/script", mock_url);
	assert_int_equal(http_fetch(&req, &status, &body, &timed_out, err,
	    sizeof(err)), 0);
	assert_int_equal(status, 200);
	buf_free(&body);
}

/*
 * The mock's log lines for nonce n: how many for path, and none may
 * carry a contract violation.
 */
static int
logged(int n, const char *path)
{
	char nonce[67], line[1024];
	json_t *v;
	FILE *f;
	int count = 0;

	snprintf(nonce, sizeof(nonce), "0x%064x", n);
	assert_non_null(f = fopen(mock_log, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		assert_non_null(v = json_loads(line, 0, NULL));
		if (json_string_value(json_object_get(v, "violation")))
			fail_msg("contract violation: %s", line);
		if (json_is_string(json_object_get(v, "nonce")) &&
		    strcmp(json_string_value(json_object_get(v, "nonce")),
		    nonce) == 0 && strcmp(json_string_value(json_object_get(v,
		    "path")), path) == 0)
			count++;
		json_decref(v);
	}
	fclose(f);
	return count;
}

/* Waits up to 3 s for the mock to log want requests of nonce n to path. */
static void
logged_wait(int n, const char *path, int want)
{
	int i;

	for (i = 0; i < 300 && logged(n, path) < want; i++)
		usleep(10000);
	assert_int_equal(logged(n, path), want);
}

/* A live payment (validity around the real clock) with nonce n. */
static void
live_payment(int n, struct x402_payment *p, json_t **req,
    struct x402_config *cfg)
{
	char after[32], before[32], err[256], *h;
	json_t *v = payload(n);

	snprintf(after, sizeof(after), "%lld", (long long)time(NULL) - 60);
	snprintf(before, sizeof(before), "%lld", (long long)time(NULL) + 120);
	with(v, "payload.authorization.validAfter", json_string(after));
	with(v, "payload.authorization.validBefore", json_string(before));
	h = header(v);
	seller(cfg);
	*req = x402_requirements(cfg, RESOURCE, "Process a BOM");
	assert_int_equal(x402_payment_decode(h, p, err, sizeof(err)), 0);
	assert_int_equal(x402_payment_check(p, *req, (int64_t)time(NULL), err,
	    sizeof(err)), 0);
	free(h);
}

UNIT_TEST_WITH(test_facilitator, mock_setup, mock_teardown)
{
	static const struct {
		const char		*script;
		enum x402_outcome	 verify;
		enum x402_outcome	 settle;	/* after valid */
		const char		*why;		/* in the reason */
	} rows[] = {
		{ "", X402_OK, X402_OK, "" },
		{ "verify invalid_signature\n", X402_REFUSED, X402_OK,
		    "invalid_exact_evm_payload_signature" },
		{ "verify insufficient_funds\n", X402_REFUSED, X402_OK,
		    "insufficient_funds" },
		{ "verify 500\n", X402_UNAVAILABLE, X402_OK, "500" },
		{ "settle fail\n", X402_OK, X402_REFUSED,
		    "unexpected_settle_error" },
		{ "settle 500\n", X402_OK, X402_UNAVAILABLE, "not taken" },
	};
	struct x402_config cfg;
	struct x402_payment p;
	struct x402_result res;
	enum x402_outcome o;
	unsigned char *raw;
	json_t *req, *answer;
	char *settled;
	size_t i, n;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		settled = NULL;
		script(rows[i].script);
		live_payment((int)i + 100, &p, &req, &cfg);
		o = x402_verify(&cfg, &p, req, &res);
		if (o != rows[i].verify || (o != X402_OK &&
		    strstr(res.reason, rows[i].why) == NULL))
			fail_msg("row %zu verify: %d '%s'", i, o, res.reason);
		if (o == X402_OK) {
			o = x402_settle(&cfg, &p, req, &res, &settled);
			if (o != rows[i].settle || strstr(res.reason,
			    rows[i].why) == NULL)
				fail_msg("row %zu settle: %d '%s'", i, o,
				    res.reason);
			assert_int_equal(logged((int)i + 100, "/settle"), 1);
		}
		if (o == X402_OK && i == 0) {
			/* X-PAYMENT-RESPONSE: the settlement, base64 */
			assert_non_null(settled);
			raw = base64_decode(settled, strlen(settled), &n);
			assert_non_null(raw);
			answer = json_loads((const char *)raw, 0, NULL);
			assert_true(json_is_true(json_object_get(answer,
			    "success")));
			assert_string_equal(json_string_value(json_object_get(
			    answer, "transaction")), p.nonce);
			assert_string_equal(res.payer, p.payer);
			json_decref(answer);
			free(raw);
			/* a settled authorization does not verify again */
			assert_int_equal(x402_verify(&cfg, &p, req, &res),
			    X402_REFUSED);
			assert_string_equal(res.reason,
			    "invalid_transaction_state");
		} else
			assert_null(settled);
		free(settled);
		x402_payment_free(&p);
		json_decref(req);
	}
}

/* The facilitator's own checks behind ours: a value below the price. */
UNIT_TEST_WITH(test_facilitator_checks_value, mock_setup, mock_teardown)
{
	struct x402_config cfg;
	struct x402_payment p;
	struct x402_result res;
	json_t *req;

	live_payment(200, &p, &req, &cfg);
	snprintf(p.value, sizeof(p.value), "1");
	with(p.payload, "payload.authorization.value", json_string("1"));
	assert_int_equal(x402_verify(&cfg, &p, req, &res), X402_REFUSED);
	assert_string_equal(res.reason,
	    "invalid_exact_evm_payload_authorization_value");
	x402_payment_free(&p);
	json_decref(req);
}

/*
 * A live payment with nonce n, verified, then settled by the mock's
 * script (a settle fault) past a settle timeout of 300 ms: the settle
 * answers want, with a reason holding has and no payment response.
 */
static void
settle_late(const char *lines, int n, enum x402_outcome want,
    const char *has)
{
	struct x402_config cfg;
	struct x402_payment p;
	struct x402_result res;
	char *settled;
	json_t *req;

	script(lines);
	live_payment(n, &p, &req, &cfg);
	cfg.settle_timeout_ms = 300;
	assert_int_equal(x402_verify(&cfg, &p, req, &res), X402_OK);
	assert_int_equal(x402_settle(&cfg, &p, req, &res, &settled), want);
	assert_non_null(strstr(res.reason, has));
	assert_null(settled);
	logged_wait(n, "/settle", 1);
	x402_payment_free(&p);
	json_decref(req);
}

UNIT_TEST_WITH(test_timeouts, mock_setup, mock_teardown)
{
	struct x402_config cfg;
	struct x402_payment p;
	struct x402_result res;
	int64_t t;
	json_t *req;

	/* verify: no answer in time, nothing taken */
	script("verify timeout\n");
	live_payment(300, &p, &req, &cfg);
	cfg.verify_timeout_ms = 300;
	t = now_ms();
	assert_int_equal(x402_verify(&cfg, &p, req, &res), X402_UNAVAILABLE);
	assert_true(now_ms() - t < 1200);
	assert_non_null(strstr(res.reason, "verify"));
	x402_payment_free(&p);
	json_decref(req);
	/* settle submitted but confirmed late: the re-check sees it spent */
	settle_late("settle timeout\n", 301, X402_UNKNOWN,
	    "invalid_transaction_state");
	assert_int_equal(logged(301, "/verify"), 2);
	/* settle that hangs without submitting: the re-check sees it unspent */
	settle_late("settle timeout_unsettled\n", 302, X402_UNAVAILABLE,
	    "not taken");
	/* nothing listening */
	live_payment(303, &p, &req, &cfg);
	cfg.facilitator_url = "http://127.0.0.1:1";
	assert_int_equal(x402_verify(&cfg, &p, req, &res), X402_UNAVAILABLE);
	x402_payment_free(&p);
	json_decref(req);
}

/* The mock refuses what the contract forbids (so it can catch us). */
UNIT_TEST_WITH(test_mock_contract, mock_setup, mock_teardown)
{
	static const char *const bodies[] = {
		"{\"x402Version\":1,\"paymentHeader\":\"abc\","
		    "\"paymentRequirements\":{}}",
		"{\"x402Version\":2,\"paymentPayload\":{},"
		    "\"paymentRequirements\":{}}",
		"[]",
	};
	char url[96], err[128];
	struct http_fetch req = { url, NULL, 2000, 5000, 4096 };
	struct buf body;
	bool timed_out;
	long status;
	size_t i;

	snprintf(url, sizeof(url), "%sverify", mock_url);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		req.json = bodies[i];
		assert_int_equal(http_fetch(&req, &status, &body, &timed_out,
		    err, sizeof(err)), 0);
		assert_int_equal(status, 400);
		assert_non_null(strstr(body.data, "contract"));
		buf_free(&body);
	}
}
